"""Defining, versioning and answering checklists; one-step appeals from a failed item."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals.models import Appeal
from minqing.audit.models import Event
from minqing.checklists import services
from minqing.checklists.models import ChecklistAnswer, ChecklistItem, ChecklistResponse

from .helpers import ITEMS, PASS_ALL, make_checklist, visit

pytestmark = pytest.mark.django_db


def test_a_new_version_never_rewrites_answers_given_to_the_old_one(county):
    checklist = make_checklist(county)
    v1 = services.current_version(checklist)
    old_visit = visit(county.cadre_a, county.households["a1"], "03-01", v1, {"income": 4500})
    old = ChecklistAnswer.objects.get(response__visit=old_visit, item__code="income")
    assert old.passed is True

    with pytest.raises(ValidationError, match="新版本"):  # answered: frozen
        services.replace_items(v1, actor=county.county_leader, items=ITEMS[:2])
    raised = [dict(i, threshold=5000, label="人均纯收入（新标准）") if i["code"] == "income" else i for i in ITEMS]
    v2 = services.new_version(checklist, actor=county.county_leader, items=raised, note="提高收入线")
    assert (v2.number, services.current_version(checklist)) == (2, v2)

    new_visit = visit(county.cadre_a, county.households["a1"], "06-01", v2, {"income": 4500})
    new = ChecklistAnswer.objects.get(response__visit=new_visit, item__code="income")
    assert new.passed is False and new.item.threshold == Decimal("5000.00")
    old.refresh_from_db()
    assert old.passed is True and old.item.version_id == v1.pk and old.item.threshold == Decimal("4000.00")
    assert ChecklistItem.objects.filter(version=v1).count() == len(ITEMS)
    assert ChecklistItem.objects.get(version=v1, code="income").label == "人均纯收入"
    # An unanswered version may still be corrected.
    v3 = services.new_version(checklist, actor=county.county_leader, items=ITEMS[:3])
    services.replace_items(v3, actor=county.county_leader, items=ITEMS[:4])
    assert v3.items.count() == 4
    # A phone still holding version 1 may answer it: the answer stays on version 1.
    late = visit(county.cadre_a, county.households["a1"], "07-01", v1, {"income": 4100})
    assert ChecklistResponse.objects.get(visit=late).version_id == v1.pk


def test_only_county_leaders_define_checklists(county):
    with pytest.raises(PermissionDenied):
        services.create_checklist(actor=county.cadre_a, county=county.county.code, code="x", name="清单",
                                  items=ITEMS)
    with pytest.raises(ValidationError, match="县"):
        services.create_checklist(actor=county.county_leader, county=county.town.code, code="x", name="清单",
                                  items=ITEMS)
    with pytest.raises(ValidationError, match="达标线"):
        services.create_checklist(actor=county.county_leader, county=county.county.code, code="x", name="清单",
                                  items=[{"code": "n", "label": "收入", "answer_type": "number"}])
    with pytest.raises(ValidationError, match="未知的户标签"):
        services.create_checklist(actor=county.county_leader, county=county.county.code, code="x", name="清单",
                                  items=ITEMS, tags=["nosuch"])


def test_answers_are_validated_in_chinese(county):
    v = services.current_version(make_checklist(county))
    v_a2 = visit(county.cadre_a, county.households["a2"], "03-01")
    with pytest.raises(ValidationError, match="不适用"):  # a2 has no dibao/jiance tag
        services.apply_visit_answers(v_a2, {"version": v.pk, "answers": PASS_ALL}, actor=county.cadre_a)
    v_a1 = visit(county.cadre_a, county.households["a1"], "03-02")
    for answers, message in (({"nosuch": True}, "没有这些项"), ({"water": "很好"}, "选项"),
                             ({"income": "很多"}, "数字"), ({"food": "maybe"}, "是或否"), ({}, "至少")):
        with pytest.raises(ValidationError, match=message):
            services.apply_visit_answers(v_a1, {"version": v.pk, "answers": answers}, actor=county.cadre_a)
    with pytest.raises(ValidationError, match="版本"):
        services.apply_visit_answers(v_a1, {"answers": PASS_ALL}, actor=county.cadre_a)
    with pytest.raises(PermissionDenied):
        services.apply_visit_answers(v_a1, {"version": v.pk, "answers": PASS_ALL}, actor=county.cadre_b)
    assert not ChecklistResponse.objects.exists()
    r = services.apply_visit_answers(v_a1, {"version": v.pk, "answers": {"food": "否", "water": "基本安全"}},
                                     actor=county.cadre_a)
    assert r.failed == 1 and r.answers.count() == 2
    assert services.apply_visit_answers(v_a1, {"version": v.pk, "answers": PASS_ALL}, actor=county.cadre_a) == r
    event = Event.objects.get(action="checklist.answered")
    assert event.changes["failed"] == ["food"] and event.region_code == county.village_a.code


def test_a_failed_item_raises_an_appeal_in_one_step(county):
    v = services.current_version(make_checklist(county))
    vis = visit(county.cadre_a, county.households["a1"], "04-01", v, {"housing": False, "income": 3000})
    housing = ChecklistAnswer.objects.get(response__visit=vis, item__code="housing")
    appeal, created = services.raise_item_appeal(housing, actor=county.cadre_a, text="房屋漏雨")
    assert created
    assert appeal.household_id == county.households["a1"].pk and appeal.region_id == county.village_a.code
    assert appeal.channel == "visit" and "住房安全有保障" in appeal.title and "甲村" in appeal.text
    assert "房屋漏雨" in appeal.text
    assert appeal.events.filter(action="register").exists()
    again, created = services.raise_item_appeal(housing, actor=county.cadre_a)
    assert (again.pk, created) == (appeal.pk, False) and Appeal.objects.count() == 1
    food = ChecklistAnswer.objects.get(response__visit=vis, item__code="food")
    with pytest.raises(ValidationError, match="不达标"):
        services.raise_item_appeal(food, actor=county.cadre_a)
    income = ChecklistAnswer.objects.get(response__visit=vis, item__code="income")
    with pytest.raises(PermissionDenied):
        services.raise_item_appeal(income, actor=county.cadre_b)
