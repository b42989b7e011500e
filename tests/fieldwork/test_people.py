"""Work with the people: residents met (人次), meeting rosters (场次), help totals, care files, 集访,
带案下访 and 为民办实事 — the services, the figures (fieldwork.people), the desk pages and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals import services as appeal_services
from minqing.audit.models import Event
from minqing.briefing import sections
from minqing.fieldwork import care, people, services
from minqing.fieldwork.models import CareFile, Deed, GroupPetition, Visit

from .conftest import at

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def _petition(c, region="village_a", title="征地补偿", when="2025-03-02"):
    return appeal_services.register_appeal(actor=c.county_leader, region=getattr(c, region), kind="petition",
                                           channel="reception", title=title, text=f"{title}问题反映",
                                           received_at=at(when), now=at(when, 12))


# --- 人次 and 场次 ---------------------------------------------------------------------------------


def test_a_visit_counts_the_members_met_and_the_others(county):
    c = county
    v, _ = services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"),
                                 residents=[c.a1.pk and c.residents["a1"].pk, c.a1_spouse.pk], others_met=1)
    assert v.people_met == 3 and set(v.residents_met.values_list("pk", flat=True)) == {c.residents["a1"].pk,
                                                                                      c.a1_spouse.pk}
    alone, _ = services.record_visit(actor=c.cadre_a, household=c.a2, visited_at=at("2025-03-06"))
    assert alone.people_met == 1  # someone opened the door
    event = Event.objects.get(action="field.visit.created", object_id=str(v.pk))
    assert event.changes["residents_met"] == sorted([c.residents["a1"].pk, c.a1_spouse.pk])
    assert people.totals("visits", c.county.code, *MARCH) == {"visits": 2, "households": 2, "people": 4}


def test_a_member_of_another_household_is_refused(county):
    c = county
    with pytest.raises(ValidationError, match="不在本户"):
        services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"),
                              residents=[c.residents["a2"].pk])
    assert not Visit.objects.exists()


def test_a_meeting_roster_is_a_floor_for_its_attendance(county):
    c = county
    a, _ = services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code,
                                    held_at=at("2025-03-07", 19), attendance=1,
                                    attendees=[c.residents["a1"].pk, c.residents["a2"].pk, c.a1_spouse.pk])
    assert a.attendance == 3 and a.attendees.count() == 3
    services.record_activity(actor=c.cadre_a, kind="assembly", region=c.village_a.code,
                             held_at=at("2025-03-08", 19), attendance=40)
    services.record_activity(actor=c.cadre_a, kind="research", region=c.village_a.code,  # not a meeting
                             held_at=at("2025-03-09"), attendance=5)
    assert people.totals("meetings", c.county.code, *MARCH) == {"sessions": 2, "people": 43}
    with pytest.raises(ValidationError, match="不在活动所在地"):
        services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code,
                                 held_at=at("2025-03-07"), attendees=[c.residents["b1"].pk])


# --- help at the door ---------------------------------------------------------------------------


def _helped_visits(c):
    services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"), help=[
        {"kind": "condolence_money", "amount": "300"},
        {"kind": "condolence_goods", "goods": "米一袋、油一桶", "goods_count": 2, "resident": c.a1_spouse.pk},
        {"kind": "survival_check", "resident": c.residents["a1"].pk}])
    services.record_visit(actor=c.cadre_b, household=c.b1, visited_at=at("2025-03-06"), help=[
        {"kind": "temporary_relief", "amount": "500.50"}, {"kind": "condolence_money", "amount": "200"}])
    services.record_visit(actor=c.cadre_b, household=c.b2, visited_at=at("2025-04-01"), help=[
        {"kind": "condolence_money", "amount": "1000"}])  # April: outside the period


def test_help_is_totalled_by_place_and_period(county):
    c = county
    _helped_visits(c)
    assert people.totals("help", c.county.code, *MARCH) == {
        "condolence_money": 500, "goods": 2, "survival_checks": 1, "relief": 1, "relief_amount": 500.5,
        "households": 2}
    per_village = people.by_child("help", c.town.code, *MARCH)
    assert per_village[c.village_a.code]["condolence_money"] == 300
    assert per_village[c.village_b.code]["relief_amount"] == 500.5
    # a cadre of village A sees the figures of their own village only
    assert people.totals("help", c.town.code, *MARCH, user=c.cadre_a)["condolence_money"] == 300


def test_the_section_gives_the_same_figures_in_eight_statements(county, django_assert_max_num_queries):
    """The dashboard's 群众工作 card: totals and per-place figures read together (15 statements before)."""
    c = county
    _helped_visits(c)
    with django_assert_max_num_queries(8):
        data = people.section(c.town.code, *MARCH)
    assert data["help"] == people.totals("help", c.town.code, *MARCH)
    assert data["visits"] == people.totals("visits", c.town.code, *MARCH)
    assert data["help"]["households"] == 2  # distinct over the town, not a sum of the villages'
    per = {p["code"]: p for p in data["children"]}
    assert per[c.village_a.code]["help"] == people.by_child("help", c.town.code, *MARCH)[c.village_a.code]
    assert per[c.village_b.code]["visits"]["visits"] == people.totals("visits", c.village_b.code, *MARCH)["visits"]


def test_help_naming_a_member_of_another_household_is_refused(county):
    c = county
    with pytest.raises(ValidationError):
        services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"),
                              help=[{"kind": "survival_check", "resident": c.residents["a2"].pk}])


# --- 关爱服务档案 ---------------------------------------------------------------------------------


def test_a_care_file_lists_the_help_given_to_the_person(county):
    c = county
    f = care.open_care_file(actor=c.cadre_a, resident=c.residents["a1"], kind="living_alone",
                            opened_on=dt.date(2025, 1, 1), carer=c.cadre_a, now=at("2025-01-01"))
    _helped_visits(c)
    kinds = sorted(h.kind for h in care.care_history(c.cadre_a, f))
    # the household's help and the person's own, not the goods that named the spouse
    assert kinds == ["condolence_money", "survival_check"]
    assert Event.objects.filter(action="field.care.opened", object_id=str(f.pk)).exists()
    with pytest.raises(ValidationError, match="已有同类"):
        care.open_care_file(actor=c.cadre_a, resident=c.residents["a1"], kind="living_alone")
    with pytest.raises(PermissionDenied):
        care.open_care_file(actor=c.cadre_b, resident=c.residents["a2"], kind="living_alone")
    with pytest.raises(ValidationError, match="原因"):
        care.close_care_file(f, actor=c.cadre_a, reason="")
    care.close_care_file(f, actor=c.cadre_a, reason="随子女进城居住", closed_on=dt.date(2025, 6, 1),
                         now=at("2025-06-02"))
    assert CareFile.objects.get(pk=f.pk).closed_on == dt.date(2025, 6, 1)
    assert people.totals("care", c.county.code, dt.date(2025, 5, 1), dt.date(2025, 5, 31))["living_alone"] == 1
    assert people.totals("care", c.county.code, dt.date(2025, 6, 1), dt.date(2025, 6, 30))["open"] == 0


# --- 集访 ---------------------------------------------------------------------------------------


def test_the_household_page_shows_its_care_files_to_who_may_see_them(county, login):
    c = county
    care.open_care_file(actor=c.cadre_a, resident=c.residents["a1"], kind="living_alone",
                        opened_on=dt.date(2025, 1, 1), carer=c.cadre_a, now=at("2025-01-01"))
    page = login(c.cadre_a).get(f"/households/{c.a1.pk}/").content.decode()
    assert 'id="care-files"' in page and "独居老人" in page and "2025-01-01" in page
    other = login(c.cadre_a).get(f"/households/{c.households['a2'].pk}/").content.decode()
    assert 'id="care-files"' not in other  # only the household's own files


def test_group_petitions_by_level_with_the_change_on_a_year_before(county):
    c = county
    for day, n in (("2024-03-03", 10), ("2024-03-20", 20)):
        care.record_group_petition(actor=c.township_leader, level="county", occurred_on=day, headcount=n,
                                   region=c.village_a.code, title="征地补偿", now=at("2025-03-25"))
    g = care.record_group_petition(actor=c.township_leader, level="county", occurred_on="2025-03-04",
                                   headcount=12, representatives="张三\n李四", region=c.village_b.code,
                                   title="拖欠工资", now=at("2025-03-25"))
    assert g.appeal.kind == "petition" and g.representative_names() == ["张三", "李四"]
    case = _petition(c, title="安置房质量")
    care.record_group_petition(actor=c.township_leader, level="city", occurred_on="2025-03-10", headcount=6,
                               appeal=case.number, now=at("2025-03-25"))
    figures = people.group_petitions(c.county.code, *MARCH)
    assert figures["county"] == {"batches": 1, "people": 12, "year_before_batches": 2, "year_before_people": 30,
                                 "change": -0.5}
    assert figures["city"]["batches"] == 1 and figures["city"]["change"] is None
    said = dict(sections.people_sentences("全县", "本月", {"group_petitions": figures}))
    assert "本月，全县群众到县集访1批12人次，同比下降50%；到市集访1批6人次。" in said


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"headcount": 4}, "集访人数应在5"),
    ({"representatives": "甲、乙、丙、丁、戊、己"}, "不超过5人"),
    ({"level": "village"}, "层级"),
    ({"occurred_on": "2999-01-01"}, "不能晚于今天"),
])
def test_a_group_petition_is_checked(county, kwargs, message):
    args = {"actor": county.township_leader, "level": "county", "occurred_on": "2025-03-04", "headcount": 8,
            "region": county.village_a.code, "title": "征地"} | kwargs
    with pytest.raises(ValidationError, match=message):
        care.record_group_petition(**args)
    assert not GroupPetition.objects.exists()


def test_only_a_petition_case_of_ones_own_becomes_a_group_petition(county):
    c = county
    problem = appeal_services.register_appeal(actor=c.cadre_a, region=c.village_a, kind="problem", channel="visit",
                                              title="路灯", text="路灯坏了", received_at=at("2025-03-01"))
    with pytest.raises(ValidationError, match="只有信访事项"):
        care.record_group_petition(actor=c.township_leader, level="county", occurred_on="2025-03-04",
                                   headcount=8, appeal=problem.pk)
    case = _petition(c, region="village_c")
    with pytest.raises(ValidationError, match="未找到"):  # another township's case
        care.record_group_petition(actor=c.cadre_a, level="county", occurred_on="2025-03-04", headcount=8,
                                   appeal=case.pk)


# --- 带案下访 -----------------------------------------------------------------------------------


def test_cases_taken_down_by_county_leaders(county):
    c = county
    case = _petition(c)
    other = _petition(c, title="饮水", when="2025-03-03")
    services.record_visit(actor=c.county_leader, household=c.a1, visited_at=at("2025-03-10"), cases=[case.pk])
    services.record_activity(actor=c.county_leader, kind="onsite_office", region=c.village_a.code,
                             held_at=at("2025-03-12"), cases=[case.pk, other.pk])
    services.record_visit(actor=c.cadre_a, household=c.a2, visited_at=at("2025-03-10"), cases=[other.pk])
    assert people.cases_down(c.county.code, *MARCH) == {"leaders": 1, "cases": 2, "solved": 0}
    appeal_services.perform(case, "solve_on_spot", actor=c.township_leader,
                            payload={"what": "现场协调解决", "satisfaction": "satisfied"}, now=at("2025-03-20"))
    assert people.cases_down(c.county.code, *MARCH)["solved"] == 1
    said = dict(sections.people_sentences("全县", "本月", {"cases_down": people.cases_down(c.county.code, *MARCH)}))
    assert "本月，1名县级领导带案下访2件，已化解1件。" in said
    with pytest.raises(ValidationError, match="所带案件"):  # a case the cadre may not see
        services.record_visit(actor=c.cadre_b, household=c.b1, visited_at=at("2025-03-10"), cases=[case.pk])


# --- 为民办实事 -----------------------------------------------------------------------------------


def test_practical_things_done_are_counted(county):
    c = county
    case = _petition(c)
    d = care.record_deed(actor=c.township_leader, region=c.village_a.code, title="硬化通组道路", done_on="2025-03-15",
                         beneficiaries=120, cost="42000", appeal=case.pk, now=at("2025-03-20"))
    care.record_deed(actor=c.cadre_a, region=c.village_a.code, title="安装路灯", done_on="2025-03-16",
                     beneficiaries=30, now=at("2025-03-20"))
    assert d.cost == Decimal("42000.00")
    assert people.totals("deeds", c.county.code, *MARCH) == {"count": 2, "beneficiaries": 150, "cost": 42000,
                                                             "with_case": 1}
    assert Event.objects.filter(action="field.deed.recorded", object_id=str(d.pk)).exists()
    with pytest.raises(PermissionDenied):
        care.record_deed(actor=c.cadre_b, region=c.village_a.code, title="x", done_on="2025-03-15")
    with pytest.raises(ValidationError, match="不在实事所在地"):
        care.record_deed(actor=c.township_leader, region=c.village_b.code, title="x", done_on="2025-03-15",
                         appeal=case.pk)


# --- pages and API ----------------------------------------------------------------------------------


def test_the_desk_pages_list_what_the_user_may_see(county, login, django_assert_max_num_queries):
    c = county
    f = care.open_care_file(actor=c.cadre_a, resident=c.residents["a1"], kind="living_alone")
    care.record_group_petition(actor=c.township_leader, level="county", occurred_on="2025-03-04", headcount=9,
                               region=c.village_a.code, title="征地补偿款")
    care.record_deed(actor=c.cadre_a, region=c.village_a.code, title="安装太阳能路灯", done_on="2025-03-16")
    client = login(c.township_leader)
    for url, text in (("/field/desk/care/", "甲村居民1"), ("/field/desk/petitions/", "征地补偿款"),
                      ("/field/desk/deeds/", "安装太阳能路灯"), (f"/field/desk/care/{f.pk}/", "甲村居民1")):
        with django_assert_max_num_queries(25):
            page = client.get(url)
        assert page.status_code == 200 and text in page.content.decode(), url
    outsider = login(c.cadre_b)
    assert "甲村居民1" not in outsider.get("/field/desk/care/").content.decode()
    assert "安装太阳能路灯" not in outsider.get("/field/desk/deeds/").content.decode()
    assert outsider.get(f"/field/desk/care/{f.pk}/").status_code == 404


def test_the_forms_record_through_the_services(county, login):
    c = county
    client = login(c.township_leader)
    page = client.get(f"/field/desk/care/new/?household={c.a1.pk}")
    assert "甲村配偶" in page.content.decode()
    r = client.post("/field/desk/care/new/", {"household": c.a1.pk, "resident": c.a1_spouse.pk,
                                              "kind": "left_behind_elder", "opened_on": "2025-03-01"})
    assert r.status_code == 302 and CareFile.objects.filter(resident=c.a1_spouse).exists()
    r = client.post("/field/desk/petitions/new/", {"level": "county", "occurred_on": "2025-03-04", "headcount": 3,
                                                   "region": c.village_a.code, "title": "征地"})
    assert r.status_code == 422 and not GroupPetition.objects.exists()
    r = client.post("/field/desk/petitions/new/", {"level": "county", "occurred_on": "2025-03-04", "headcount": 15,
                                                   "representatives": "王五", "region": c.village_a.code,
                                                   "title": "征地"})
    assert r.status_code == 302 and GroupPetition.objects.get().headcount == 15
    r = client.post("/field/desk/deeds/new/", {"region": c.village_a.code, "title": "修复便民桥",
                                               "done_on": "2025-03-04", "beneficiaries": 80})
    assert r.status_code == 302 and Deed.objects.get().title == "修复便民桥"
    visit = client.post(f"/households/{c.a1.pk}/visits/new/", {"visited_on": "2025-03-05", "note": "入户走访",
                                                               "residents": [c.a1_spouse.pk], "others_met": 2})
    assert visit.status_code == 302 and Visit.objects.get(household=c.a1).people_met == 3


def test_the_api(county, login):
    c = county
    client = login(c.cadre_a)
    members = client.get(f"/api/v1/field/households/{c.a1.pk}/members").json()["members"]
    assert {m["name"] for m in members} == {"甲村居民1", "甲村配偶"}
    assert client.get(f"/api/v1/field/households/{c.b1.pk}/members").status_code == 404
    r = client.post("/api/v1/field/care", {"resident": c.residents["a1"].pk, "kind": "living_alone",
                                           "opened_on": "2025-01-01"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["kind_label"]
    r = client.post("/api/v1/field/deeds", {"region": c.village_a.code, "title": "安装路灯", "done_on": "2025-03-05",
                                            "beneficiaries": 30}, content_type="application/json")
    assert r.status_code == 201
    assert client.get("/api/v1/field/deeds").json()["count"] == 1
    r = client.post("/api/v1/field/petitions", {"level": "county", "occurred_on": "2025-03-05", "headcount": 2,
                                                "region": c.village_a.code, "title": "征地"},
                    content_type="application/json")
    assert r.status_code in (400, 422) and "5" in r.content.decode()
    assert login(c.cadre_b).get("/api/v1/field/care").json()["count"] == 0
    figures = login(c.county_leader).get("/api/v1/metrics/people?region=511722000000&period=2025-03").json()
    assert figures["deeds"]["count"] == 1 and figures["care"]["open"] == 1


def test_the_dashboard_shows_the_figures_of_the_section(county, login):
    import re

    c = county
    _helped_visits(c)
    services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code, held_at=at("2025-03-07", 19),
                             attendance=35)
    care.record_deed(actor=c.township_leader, region=c.village_a.code, title="修路", done_on="2025-03-15",
                     beneficiaries=60, now=at("2025-03-20"))
    text = login(c.township_leader).get(f"/dashboards/{c.town.code}/?period=2025-03").content.decode()
    shown = dict(re.findall(r'data-figure="(people\.[^"]+)"[^>]*>([^<]*)<', text))
    section = people.section(c.town.code, *MARCH, user=c.township_leader)
    assert shown["people.visits.people"] == str(section["visits"]["people"]) == "2"
    assert shown["people.meetings.sessions"] == "1" and shown["people.meetings.people"] == "35"
    assert shown["people.help.condolence_money"] == "500" and shown["people.help.goods"] == "2"
    assert shown["people.deeds.count"] == "1" and shown["people.deeds.beneficiaries"] == "60"
    assert "慰问金" in text and "为民办实事" in text  # the card speaks Chinese
