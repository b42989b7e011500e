"""Fixtures of the web page tests: appeals of the small county (tests/conftest.py `county`) brought
to any stage of the lifecycle through minqing.appeals.services, as the pages would."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from minqing.appeals import services

_seq = itertools.count(1)


class Stages:
    """Appeals at a named stage: each call makes a fresh one (village A unless told)."""

    def __init__(self, county):
        self.c = county

    def registered(self, region=None, actor=None, **extra):
        c = self.c
        fields = dict(kind="problem", channel="visit", title=f"组道路面破损{next(_seq)}",
                      text="三组到村委会的水泥路坏了，雨天积水。", reporter_name="张三", phone="13812345678")
        fields.update(extra)
        return services.register_appeal(actor=actor or c.township_leader, region=region or c.village_a.code,
                                        **fields)

    def assigned(self, **kw):
        c = self.c
        a = self.registered(**kw)
        return services.do_assign(a, actor=c.township_leader,
                                  unit=c.units["housing"].pk, person=c.dept_handler.pk, measures="派人维修路面",
                                  due=timezone.localdate() + dt.timedelta(days=10))

    def extension_requested(self):
        return services.do_request_extension(self.assigned(), actor=self.c.dept_handler, days=10, reason="材料未齐")

    def suspended(self):
        return services.do_suspend(self.assigned(), actor=self.c.dept_handler, reason="等待鉴定")

    def submitted(self):
        return services.do_submit_result(self.assigned(), actor=self.c.dept_handler, result="路面已修复")

    def verified(self):
        return services.do_verify(self.submitted(), actor=self.c.cadre_a, passed=True)

    def visited(self):
        return services.do_return_visit(self.verified(), actor=self.c.cadre_a, satisfaction="satisfied")

    def closed(self):
        return services.do_close(self.visited(), actor=self.c.cadre_a, outcome="solved")

    def merged(self):
        keep = self.registered()
        return services.merge(self.registered(), keep, actor=self.c.cadre_a)

    def overdue(self, **kw):
        a = self.assigned(**kw)
        from minqing.appeals.models import Appeal

        Appeal.objects.filter(pk=a.pk).update(due_at=timezone.now() - dt.timedelta(days=2), warning="red")
        a.refresh_from_db()
        return a


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary folder, never to the repository's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stages(county) -> Stages:
    return Stages(county)
