"""Bulk actions on the workbench (issue 16 item 5): each case checked as if done alone, one event and
one audit entry per case, the refused ones listed with their reason, the done ones kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from minqing.appeals import bulk_actions, services
from minqing.appeals.models import Appeal, AppealEvent
from minqing.audit.models import Event
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db


def _assigned(county, register, clock, **extra):
    a = register(**extra)
    return services.do_assign(a, actor=county.cadre_a if "region" not in extra else county.township_leader,
                              unit=county.units["housing"], person=county.dept_handler, measures="修",
                              now=clock())


def test_bulk_remind_does_each_case_and_lists_the_refused(county, register, clock):
    a = _assigned(county, register, clock)
    b = _assigned(county, register, clock)
    fresh = register()  # registered, not assigned: 催办 does not apply yet
    hidden = register(region=county.village_c.code, actor=county.county_leader)  # another township's
    result = bulk_actions.run(county.township_leader, "remind", [a.pk, b.pk, fresh.pk, hidden.pk, "x"],
                              {"note": "请加快"}, now=clock())
    assert [o.appeal_id for o in result.done] == [a.pk, b.pk]
    refused = {o.appeal_id: o.message for o in result.refused}
    assert "不能催办" in refused[fresh.pk]
    assert refused[hidden.pk] == bulk_actions.NOT_FOUND
    assert "未办理的不影响已办理的" in result.summary()
    for case in (a, b):
        case.refresh_from_db()
        assert case.remind_count == 1
        assert AppealEvent.objects.filter(appeal=case, action="remind").count() == 1
        assert Event.objects.filter(action="appeal.remind", object_id=str(case.pk)).count() == 1
    assert not AppealEvent.objects.filter(appeal=fresh, action="remind").exists()
    assert Appeal.objects.get(pk=fresh.pk).remind_count == 0


def test_each_case_is_checked_for_the_actors_permission(county, register, clock):
    a = _assigned(county, register, clock)
    result = bulk_actions.run(county.cadre_b, "remind", [a.pk], {})  # 乙村's secretary: not 甲村's case
    assert not result.done and result.refused[0].message == bulk_actions.NOT_FOUND
    result = bulk_actions.run(county.cadre_a, "supervise", [a.pk], {}, now=clock())  # a village may not 督办
    assert not result.done and "不能对该诉求执行“挂牌督办”" in result.refused[0].message


def test_bulk_assign_and_supervise(county, register, clock):
    cases = [register() for _ in range(3)]
    result = bulk_actions.run(county.township_leader, "assign", [c.pk for c in cases],
                              {"unit": county.units["housing"].pk, "person": county.dept_handler.pk,
                               "measures": "统一维修", "due": "2025-03-20"}, now=clock())
    assert len(result.done) == 3 and not result.refused
    for c in cases:
        c.refresh_from_db()
        assert c.status == "assigned" and c.unit_id == county.units["housing"].pk
        assert c.due_at == dt.datetime(2025, 3, 20, 23, 59, 59, tzinfo=TZ)  # the date's end, as alone
    result = bulk_actions.run(county.county_leader, "supervise", [c.pk for c in cases], {"note": "县领导督办"},
                              now=clock())
    assert len(result.done) == 3
    assert Appeal.objects.filter(pk__in=[c.pk for c in cases], supervised_by=county.county_leader).count() == 3


def test_bulk_extend_approves_pending_requests_only(county, register, clock):
    a = _assigned(county, register, clock)
    b = _assigned(county, register, clock)
    services.do_request_extension(a, actor=county.dept_handler, days=5, reason="等材料", now=clock())
    before = Appeal.objects.get(pk=a.pk).due_at
    result = bulk_actions.run(county.county_leader, "extend", [a.pk, b.pk], {}, now=clock())
    assert [o.appeal_id for o in result.done] == [a.pk]
    assert "不能批准延期" in result.refused[0].message
    a.refresh_from_db()
    assert a.due_at > before and a.status == "assigned"


def test_nothing_starts_without_the_required_fields_or_cases(county, register, clock):
    a = register()
    with pytest.raises(ValidationError, match="缺少必填项"):
        bulk_actions.run(county.township_leader, "assign", [a.pk], {"unit": county.units["housing"].pk})
    with pytest.raises(ValidationError, match="请先勾选"):
        bulk_actions.run(county.township_leader, "remind", [], {})
    with pytest.raises(ValidationError, match="未知的批量操作"):
        bulk_actions.run(county.township_leader, "close", [a.pk], {})
    assert not AppealEvent.objects.exclude(action="register").exists()


def test_the_workbench_page_and_its_result(county, register, clock, login):
    a = _assigned(county, register, clock)
    fresh = register()
    client = login(county.township_leader)
    page = client.get("/appeals/").content.decode()
    assert 'id="bulk-form"' in page and f'name="ids" value="{a.pk}"' in page
    r = client.post("/appeals/bulk/", {"bulk_action": "remind", "ids": [a.pk, fresh.pk], "note": "快办"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "批量催办：共 2 件，已办理 1 件，未办理 1 件" in body and "不能催办" in body
    r = client.post("/appeals/bulk/", {"bulk_action": "remind"})
    assert r.status_code == 422 and "请先勾选" in r.content.decode()


def test_the_api(county, register, clock, client, bearer):
    a = _assigned(county, register, clock)
    fresh = register()
    r = client.post("/api/v1/appeals/bulk/remind", content_type="application/json",
                    data={"ids": [a.pk, fresh.pk], "note": "快"}, headers=bearer(county.township_leader))
    assert r.status_code == 200, r.content
    data = r.json()
    assert [d["id"] for d in data["done"]] == [a.pk]
    assert data["refused"][0]["id"] == fresh.pk and "不能催办" in data["refused"][0]["reason"]
    r = client.post("/api/v1/appeals/bulk/assign", content_type="application/json",
                    data={"ids": [fresh.pk]}, headers=bearer(county.township_leader))
    assert r.status_code == 422
