"""`minqing demo` serves first: the category model and the search index are background jobs, run once
the site answers (minqing/demo/finish.py); meanwhile search says the index is being built and intake
works without a suggestion (bench/RESULTS.md, demo18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from minqing.accounts.models import User
from minqing.appeals.models import Appeal
from minqing.demo.generator import DemoOptions, load_demo
from minqing.jobs import runner
from minqing.jobs.models import Job
from minqing.nlp import classify, jobs
from minqing.nlp.models import SearchDoc

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2025, 6, 30)


def test_the_model_and_the_index_are_built_after_the_load(client, settings, tmp_path):
    settings.MINQING_JOBS_RUNNER = "worker"  # as `minqing worker --once` runs them in the demo
    settings.NLP_MODEL_PATH = str(tmp_path / "category.pkl")  # no model yet (and no other test's)
    lines: list[str] = []
    load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=300, deferred=True), progress=lines.append)
    assert not any(line.startswith(("分类模型：", "检索索引：")) for line in lines)
    queued = list(Job.objects.order_by("id").values_list("kind", "status", "owner__username"))
    assert queued == [(jobs.INDEX, "queued", "demo-admin"), (jobs.MODEL, "queued", "demo-admin")]
    assert not SearchDoc.objects.exists() and jobs.index_building()
    assert classify.current_model() is None and classify.suggest("路灯坏了，晚上看不见") == []

    client.force_login(User.objects.get(username="demo-county"))
    page = client.get("/nlp/search/", {"q": "路灯"}).content.decode()
    assert "索引建立中" in page
    assert client.get("/api/v1/search", {"q": "路灯"}).json()["indexing"] is True

    assert runner.run_pending() == 2
    assert set(Job.objects.values_list("status", flat=True)) == {"done"}
    assert not jobs.index_building()
    assert SearchDoc.objects.filter(object_type="appeal").count() >= Appeal.objects.count() // 2
    assert classify.suggest("路灯坏了，晚上看不见")
    page = client.get("/nlp/search/", {"q": "路灯"}).content.decode()
    assert "索引建立中" not in page and 'class="hit' in page


def test_nobody_submits_the_system_jobs(county):
    for kind in (jobs.MODEL, jobs.INDEX):
        with pytest.raises(PermissionDenied):
            runner.submit(kind, owner=county.county_leader, params={})
