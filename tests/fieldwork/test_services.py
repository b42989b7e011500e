import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals.models import Appeal
from minqing.audit.models import Event
from minqing.fieldwork import services
from minqing.fieldwork.models import Activity, FieldAppeal, Visit, VisitHelp, VisitRound

from .conftest import at, cid

pytestmark = pytest.mark.django_db


def test_visit_records_note_help_tags_and_appeals(county):
    c = county
    key, appeal_key = cid(), cid()
    visit, created = services.record_visit(
        actor=c.cadre_a, household=c.a2, visited_at=at("2025-03-05"), note="老人独居，屋顶漏雨",
        lat=31.5, lng=107.7, tags_add=["dujulaoren"], tags_remove=[],
        help=[{"kind": "temporary_relief", "amount": "500", "goods": "", "note": "临时救助"},
              {"kind": "condolence_goods", "amount": None, "goods": "米一袋、油一桶", "note": ""}],
        appeals=[{"client_id": appeal_key, "title": "屋顶漏雨", "text": "屋顶漏雨需要维修", "solved_on_spot": False},
                 {"title": "低保咨询", "text": "询问低保政策", "kind": "consultation", "solved_on_spot": True,
                  "what": "现场解答低保申请条件"}],
        client_id=key)
    assert created and visit.region_id == c.village_a.code and visit.problems_found
    assert sorted(c.a2.tags.values_list("code", flat=True)) == ["dujulaoren"]
    assert VisitHelp.objects.filter(visit=visit).count() == 2
    assert VisitHelp.objects.get(visit=visit, kind="temporary_relief").amount == Decimal("500.00")
    links = FieldAppeal.objects.filter(visit=visit).select_related("appeal")
    assert links.count() == 2
    open_one = links.get(client_id=appeal_key).appeal
    assert open_one.channel == "visit" and open_one.household_id == c.a2.pk
    assert open_one.received_at == at("2025-03-05")
    solved = links.get(solved_on_spot=True).appeal
    assert solved.triage == "solve_on_spot" and solved.group == "solved"
    assert Event.objects.filter(action="field.visit.created", object_id=str(visit.pk)).exists()


def test_same_client_id_returns_the_first_visit(county):
    key = cid()
    first, created = services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-03-05"),
                                           appeals=[{"client_id": cid(), "title": "路", "text": "修路"}],
                                           client_id=key)
    again, created_again = services.record_visit(actor=county.cadre_a, household=county.a1,
                                                 visited_at=at("2025-03-06"), note="changed", client_id=key)
    assert created and not created_again and again.pk == first.pk and again.note == ""
    assert Visit.objects.count() == 1 and Appeal.objects.count() == 1


def test_visit_outside_jurisdiction_is_refused(county):
    with pytest.raises(PermissionDenied):
        services.record_visit(actor=county.cadre_a, household=county.b1, visited_at=at("2025-03-05"))
    with pytest.raises(PermissionDenied):  # a department handler sees no households
        services.record_visit(actor=county.dept_handler, household=county.a1, visited_at=at("2025-03-05"))
    assert not Visit.objects.exists()


@pytest.mark.parametrize("kwargs, message", [
    ({"visited_at": "2999-01-01T10:00:00+08:00"}, "不能晚于当前时间"),
    ({"visited_at": "yesterday"}, "格式无效"),
    ({"tags_add": ["nosuchtag"]}, "未知标签"),
    ({"lat": 31.5}, "经纬度须同时填写"),
    ({"lat": 95, "lng": 100}, "纬度超出范围"),
    ({"help": [{"kind": "gift"}]}, "类型“gift”无效"),
    ({"help": [{"kind": "temporary_relief", "amount": "abc"}]}, "金额“abc”无效"),
    ({"appeals": [{"title": "x", "text": ""}]}, "请填写诉求内容"),
    ({"appeals": [{"title": "x", "text": "y", "solved_on_spot": True}]}, "须写明解决情况"),
    ({"appeals": [{"title": "x", "text": "y", "kind": "nonsense"}]}, "诉求类型"),
])
def test_invalid_visits_are_refused_in_chinese(county, kwargs, message):
    args = {"actor": county.cadre_a, "household": county.a1, "visited_at": at("2025-03-05")} | kwargs
    with pytest.raises(ValidationError) as exc:
        services.record_visit(**args)
    assert message in "".join(exc.value.messages)
    assert not Visit.objects.exists() and not Appeal.objects.exists()


def test_update_visit_checks_version(county):
    visit, _ = services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-03-05"))
    updated = services.update_visit(visit, actor=county.cadre_a, base_version=1, changes={"note": "补记"})
    assert updated.version == 2 and updated.note == "补记"
    with pytest.raises(services.VersionConflict) as exc:
        services.update_visit(visit, actor=county.cadre_a, base_version=1, changes={"note": "旧版本"})
    assert exc.value.current == 2
    assert Visit.objects.get().note == "补记"
    with pytest.raises(PermissionDenied):
        services.update_visit(visit, actor=county.cadre_b, base_version=2, changes={"note": "x"})


def test_mediation_appeals_are_disputes_solved_on_spot(county):
    activity, created = services.record_activity(
        actor=county.mediator_a, kind="mediation", region=county.village_a.code, held_at=at("2025-04-02"),
        place="甲村田间", topic="田间法庭", attendance=12,
        appeals=[{"title": "地界纠纷", "text": "两户因田坎地界争执", "household": county.a1.pk, "solved_on_spot": True,
                  "what": "现场丈量，双方签订协议"}])
    assert created and activity.leader == county.mediator_a
    appeal = FieldAppeal.objects.get(activity=activity).appeal
    assert appeal.kind == "dispute" and appeal.group == "solved" and appeal.channel == "meeting"
    assert appeal.household_id == county.a1.pk


def test_reception_and_onsite_office(county):
    reception, _ = services.record_activity(
        actor=county.county_leader, kind="reception", region=county.county.code, held_at=at("2025-03-10"),
        place="县信访接待中心", appeals=[{"title": "拖欠工资", "text": "工地拖欠工资三个月"}])
    assert FieldAppeal.objects.get(activity=reception).appeal.channel == "reception"
    office, _ = services.record_activity(
        actor=county.county_leader, kind="onsite_office", region=county.village_b.code, held_at=at("2025-03-12"),
        place="乙村村委会", decisions="议定修建乙村便民桥，交通局牵头", participants=[county.township_leader.pk])
    assert set(office.participants.values_list("username", flat=True)) == {"county-leader", "township-leader"}
    assert office.decisions.startswith("议定")
    with pytest.raises(PermissionDenied):
        services.record_activity(actor=county.cadre_a, kind="courtyard", region=county.village_b.code,
                                 held_at=at("2025-03-12"))
    with pytest.raises(ValidationError):
        services.record_activity(actor=county.cadre_a, kind="party", region=county.village_a.code,
                                 held_at=at("2025-03-12"))


def test_department_head_sees_own_activity(county):
    from minqing.accounts.models import Post
    from minqing.regions import jurisdiction

    Post.objects.filter(user=county.dept_handler).update(role="dept_head")
    county.dept_handler.refresh_from_db()
    activity, _ = services.record_activity(actor=county.dept_handler, kind="research", region=county.village_a.code,
                                           held_at=at("2025-05-06"), topic="农村危房改造", findings="危房 12 户")
    assert jurisdiction.visible(county.dept_handler, Activity).filter(pk=activity.pk).exists()
    assert not jurisdiction.visible(county.cadre_b, Activity).filter(pk=activity.pk).exists()


def test_research_topic_and_findings(county):
    topic = services.create_topic(actor=county.county_leader, region=county.county.code, title="山区产业振兴",
                                  leader=county.county_leader, year=2025, plan="分三个子课题",
                                  subtopics=[{"title": "茶叶产业", "leader": county.township_leader}])
    sub = topic.subtopics.get()
    visit, _ = services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-05-05"),
                                     subtopic=sub.pk)
    assert list(sub.visits.all()) == [visit]
    services.record_findings(sub, actor=county.township_leader, findings="茶园 300 亩，缺加工厂")
    sub.refresh_from_db()
    assert "茶园" in sub.findings
    with pytest.raises(PermissionDenied):
        services.create_topic(actor=county.cadre_a, region=county.village_a.code, title="x", leader=county.cadre_a,
                              year=2025)


def test_round_results_from_visits_and_entered(county):
    from minqing.accounts.models import VisitTeam
    from minqing.appeals import services as appeal_services

    team = VisitTeam.objects.create(name="甲镇五人走访组", region=county.town, year=2025)
    rnd = VisitRound.objects.create(team=team, region=county.town, year=2025, number=1,
                                    started_on=dt.date(2025, 3, 1), created_at=at("2025-03-01"),
                                    updated_at=at("2025-03-01"))
    for h, problems in ((county.a1, 1), (county.a2, 1), (county.b1, 0)):
        actor = county.cadre_a if h.region_id == county.village_a.code else county.cadre_b
        services.record_visit(actor=actor, household=h, visited_at=at("2025-03-05"), round=rnd,
                              appeals=[{"title": "问题", "text": "问题内容"}] * problems)
    escalated = FieldAppeal.objects.filter(visit__household=county.a1).get().appeal
    appeal_services.perform(escalated, "escalate", actor=county.cadre_a, payload={"reason": "村级无法解决"})
    row = services.set_round_results(rnd, actor=county.township_leader)
    assert (row.households_visited, row.households_with_problems, row.sent_to_township, row.sent_to_county) == \
        (3, 2, 1, 0)
    with pytest.raises(ValidationError):
        services.set_round_results(rnd, actor=county.township_leader,
                                   results={"households_visited": 10, "households_with_problems": 12}, reason="补录")


def test_three_lists_prepared_and_ticked(county):
    lst = services.prepare_lists(actor=county.cadre_a, village=county.village_a.code, title="第一轮三张清单",
                                 items={"policy": ["医保缴费政策", "耕地地力补贴"], "service": ["社保生存认证"],
                                        "question": ["今年收成如何"]})
    assert lst.items.count() == 4
    item = lst.items.get(kind="service")
    services.tick_item(item, actor=county.cadre_a, note="已为 3 位老人认证")
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == county.cadre_a
    with pytest.raises(PermissionDenied):
        services.tick_item(item, actor=county.cadre_b)
    with pytest.raises(ValidationError):
        services.prepare_lists(actor=county.township_leader, village=county.town.code, title="x", items={})


def test_the_admin_edits_quota_rules(county, login):
    from minqing.fieldwork import quotas

    quotas.install_defaults(county.county.code)
    client = login(county.users["admin"])
    page = client.get("/admin/fieldwork/quotarule/")
    assert page.status_code == 200 and "县级领导每季度至少现场办公1天" in page.content.decode()
    assert client.get("/admin/fieldwork/visitpolicy/add/").status_code == 200
