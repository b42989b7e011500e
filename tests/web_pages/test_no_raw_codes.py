"""No internal code reaches a page: an appeal's timeline shows every registered payload code
(minqing.appeals.labels) as its Chinese label — accountability flags, the reason a case closed
without a visit, how the return visit was made, the resident's rating."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from minqing.appeals import labels, services

pytestmark = pytest.mark.django_db


def _timeline(client, appeal) -> str:
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    return re.search(r'<section class="card" id="timeline">(.*?)</section>', page, re.S)[1]


def _raw(text: str) -> list[str]:
    return sorted({code for _key, code in labels.codes() if re.search(rf"(?<![\w/-]){code}(?![\w/-])", text)})


def test_the_timeline_shows_labels_not_codes(county, stages, login):
    c = county
    later = timezone.now() + dt.timedelta(days=30)  # past the 10-day deadline: closed late
    anonymous = services.do_verify(services.do_submit_result(
        stages.assigned(anonymous=True, reporter_name="", phone=""), actor=c.dept_handler, result="已修"),
        actor=c.cadre_a, passed=True)
    services.do_close(anonymous, actor=c.township_leader, outcome="unsolved", reason="anonymous",
                      note="所需资金超出村级能力", now=later)
    rated = services.do_return_visit(stages.verified(), actor=c.cadre_a, satisfaction="unsatisfied",
                                     method="portal", reopen=False)
    services.do_close(rated, actor=c.township_leader, outcome="solved")
    client = login(c.township_leader)
    first, second = _timeline(client, anonymous), _timeline(client, rated)
    assert _raw(first) == [] and _raw(second) == [], (_raw(first), _raw(second))
    # … and the labels are there instead
    assert "匿名诉求" in first and str(labels.FLAG_LABELS["overdue"]) in first
    assert str(labels.VISIT_METHOD_LABELS["portal"]) in second and "不满意" in second


def test_search_hits_name_their_kind_and_place(county, stages, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index follows the commit
        a = stages.registered(title="村口路灯不亮")
    body = login(county.township_leader).get("/nlp/search/", {"q": "路灯"}).content.decode()
    hits = re.search(r'<ol class="hits">(.*?)</ol>', body, re.S)[1]
    assert a.title in hits and "甲村" in hits
    assert county.village_a.code not in hits and not re.search(r">\s*(appeal|report|reply) ·", hits)
