"""The desk pages of field work (/field/desk/…): each renders for the right person and 404s outside;
creating a topic, round, three lists or activity goes through the services (audit event); ticking
an item; the quota page shows exactly metrics.quota_report; bad input gives a Chinese message and
changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.accounts.models import VisitTeam
from minqing.audit.models import Event
from minqing.fieldwork import metrics, services
from minqing.fieldwork.models import (
    Activity,
    ResearchSubtopic,
    ResearchTopic,
    VillageList,
    VillageListItem,
    VisitRound,
)
from tests.fieldwork.conftest import at
from tests.fieldwork.test_metrics import quota_county  # noqa: F401 - the hand-computed quota fixture

pytestmark = pytest.mark.django_db


def _events(action: str) -> int:
    return Event.objects.filter(action=action).count()


def _text(response) -> str:
    return response.content.decode()


def _team(c, region=None) -> VisitTeam:
    team = VisitTeam.objects.create(name="甲镇五人走访组", region=region or c.town, year=2025)
    team.villages.set([c.village_a, c.village_b])
    return team


# --- rendering and jurisdiction ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["/field/desk/", "/field/desk/activities/", "/field/desk/activities/new/",
                                 "/field/desk/topics/", "/field/desk/topics/new/", "/field/desk/rounds/",
                                 "/field/desk/rounds/new/", "/field/desk/lists/", "/field/desk/lists/new/",
                                 "/field/desk/quotas/", "/field/desk/visits/"])
def test_every_desk_page_renders_in_chinese_for_a_township_leader(county, login, url):
    _team(county)
    response = login(county.township_leader).get(url)
    assert response.status_code == 200, url
    assert "走访" in _text(response) or "活动" in _text(response)
    assert 'lang="zh-hans"' in _text(response)


def test_the_desk_needs_a_log_in(client):
    assert client.get("/field/desk/").status_code == 302


def test_the_overview_shows_coverage_activities_and_funnel(county, login):
    c = county
    services.record_visit(actor=c.cadre_a, household=c.households["a1"], visited_at=timezone.now() - dt.timedelta(
        minutes=5), note="走访")
    services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code,
                             held_at=timezone.now() - dt.timedelta(minutes=5))
    team = _team(c)
    rnd = services.create_round(actor=c.township_leader, team=team, year=timezone.localdate().year, number=1,
                                started_on=timezone.localdate().replace(day=1))
    services.set_round_results(rnd, actor=c.township_leader, results={
        "households_visited": 215, "households_with_problems": 104, "sent_to_township": 25, "sent_to_county": 3},
        reason="部分走访在纸质台账上")
    text = _text(login(c.township_leader).get("/field/desk/"))
    assert "甲镇" in text and "甲村" in text and "乙村" in text
    assert re.search(r'data-code="511722100201">.*?<td>2</td><td>1</td>\s*<td>50%</td>', text, re.S)
    assert re.search(r'data-kind="courtyard">.*?<td>1</td>', text, re.S)
    assert re.search(r"215</strong>.*104</strong>.*25</strong>.*3</strong>", text, re.S)
    # Village A's cadre sees village A only: another village's figures are 404.
    client = login(c.cadre_a)
    assert client.get("/field/desk/").status_code == 200
    assert client.get(f"/field/desk/?region={c.village_b.code}").status_code == 404
    assert client.get(f"/field/desk/quotas/?region={c.town.code}").status_code == 404
    assert client.get("/field/desk/?region=bad").status_code == 404


def test_a_bad_period_says_so_in_chinese(county, login):
    response = login(county.township_leader).get("/field/desk/?period=2025-13")
    assert response.status_code == 200
    assert "统计期间“2025-13”无效" in _text(response)


def test_detail_pages_404_outside_the_jurisdiction(county, login):
    c = county
    activity, _ = services.record_activity(actor=c.cadre_b, kind="outreach", region=c.village_b.code,
                                           held_at=timezone.now() - dt.timedelta(hours=1), topic="医保政策宣讲")
    lst = services.prepare_lists(actor=c.cadre_b, village=c.village_b.code, title="乙村清单",
                                 items={"policy": ["医保"]})
    topic = services.create_topic(actor=c.township_leader, region=c.village_b.code, title="乙村产业调研",
                                  leader=c.township_leader, year=2025, subtopics=[{"title": "茶叶"}])
    rnd = services.create_round(actor=c.township_leader, team=_team(c), year=2025, number=1,
                                started_on=dt.date(2025, 3, 1))
    urls = [f"/field/desk/activities/{activity.pk}/", f"/field/desk/lists/{lst.pk}/",
            f"/field/desk/topics/{topic.pk}/", f"/field/desk/rounds/{rnd.pk}/"]
    for url in urls:
        assert login(c.township_leader).get(url).status_code == 200, url
    assert login(c.cadre_b).get(urls[0]).status_code == 200
    a = login(c.cadre_a)
    for url in urls:
        assert a.get(url).status_code == 404, url
    item = lst.items.get()
    assert a.post(f"/field/desk/list-items/{item.pk}/tick/", {"done": "1"}).status_code == 404
    assert a.post(f"/field/desk/topics/{topic.pk}/conclusions/", {"text": "x"}).status_code == 404
    assert a.post(f"/field/desk/rounds/{rnd.pk}/results/", {"count": "1"}).status_code == 404
    sub = topic.subtopics.get()
    assert a.post(f"/field/desk/subtopics/{sub.pk}/findings/", {"text": "x"}).status_code == 404
    assert not VillageListItem.objects.filter(done_at__isnull=False).exists()
    # Lists show only what one may see.
    assert "乙村清单" not in _text(a.get("/field/desk/lists/"))
    assert "医保政策宣讲" not in _text(a.get("/field/desk/activities/"))
    assert "医保政策宣讲" in _text(login(c.township_leader).get("/field/desk/activities/?kind=outreach"))


# --- activities ------------------------------------------------------------------------------


def test_recording_an_outreach_talk_from_the_desk(county, login):
    c = county
    client = login(c.township_leader)
    held = timezone.localtime() - dt.timedelta(hours=2)
    before = _events("field.activity.created")
    response = client.post("/field/desk/activities/new/", {
        "kind": "outreach", "region": c.village_b.code, "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "topic": "乡村振兴政策", "documents": "中央一号文件", "attendance": "56", "leader": str(c.county_leader.pk)})
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/desk/activities/{activity.pk}/"
    assert (activity.kind, activity.topic, activity.attendance, activity.leader) == \
        ("outreach", "乡村振兴政策", 56, c.county_leader)
    assert _events("field.activity.created") == before + 1
    page = _text(client.get(response["Location"]))
    assert "宣讲" in page and "中央一号文件" in page and "56" in page


def test_a_bad_activity_shows_chinese_and_changes_nothing(county, login):
    c = county
    client = login(c.cadre_a)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/field/desk/activities/new/", {"kind": "courtyard", "region": c.village_a.code,
                                                           "held_at": future})
    assert response.status_code == 422
    assert "活动时间不能晚于当前时间" in _text(response)
    # Village B is not among cadre A's places: the form refuses it in Chinese.
    response = client.post("/field/desk/activities/new/", {"kind": "courtyard", "region": c.village_b.code,
                                                           "held_at": "2025-03-01T10:00"})
    assert response.status_code == 422 and "选择一个有效的选项" in _text(response)
    response = client.post("/field/desk/activities/new/", {"kind": "research", "region": c.village_a.code,
                                                           "held_at": "2025-03-01T10:00"})
    assert "调研须选择所服务的子课题" in _text(response)
    assert not Activity.objects.exists()
    assert _events("field.activity.created") == 0


def test_activities_filter_by_person_and_period(county, login):
    c = county
    services.record_activity(actor=c.county_leader, kind="onsite_office", region=c.village_a.code,
                             held_at=at("2025-02-14"), decisions="修路")
    services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code, held_at=at("2025-02-15"))
    client = login(c.township_leader)
    text = _text(client.get(f"/field/desk/activities/?person={c.county_leader.pk}&period=2025-Q1"))
    assert "现场办公" in text and "院坝会" not in text.split("<tbody>")[1]
    body = _text(client.get("/field/desk/activities/?period=2025-03")).split("<tbody>")[1].split("</tbody>")[0]
    assert 'class="empty"' in body and "/field/desk/activities/" not in body


# --- research topics -------------------------------------------------------------------------


def test_a_leader_creates_a_topic_with_subtopics_and_conclusions(county, login):
    c = county
    client = login(c.township_leader)
    response = client.post("/field/desk/topics/new/", {"region": c.town.code, "title": "甲镇茶产业调研",
                                                        "year": "2025", "plan": "三月走访茶农",
                                                        "subtopics": "茶叶销路\n合作社运营\n"})
    topic = ResearchTopic.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/desk/topics/{topic.pk}/"
    assert topic.leader == c.township_leader
    assert list(topic.subtopics.values_list("title", flat=True)) == ["茶叶销路", "合作社运营"]
    assert _events("field.topic.created") == 1
    # Add a sub-topic, record findings and conclusions, all audited.
    assert client.post(f"/field/desk/topics/{topic.pk}/subtopics/", {"title": "劳动力"}).status_code == 302
    sub = ResearchSubtopic.objects.get(title="劳动力")
    assert _events("field.subtopic.created") == 1
    assert client.post(f"/field/desk/subtopics/{sub.pk}/findings/", {"text": "外出务工多"}).status_code == 302
    assert client.post(f"/field/desk/topics/{topic.pk}/conclusions/", {"text": "扩大加工"}).status_code == 302
    topic.refresh_from_db()
    sub.refresh_from_db()
    assert (topic.conclusions, sub.findings) == ("扩大加工", "外出务工多")
    assert _events("field.subtopic.findings") == 1 and _events("field.topic.conclusions") == 1
    services.record_activity(actor=c.township_leader, kind="research", region=c.village_a.code,
                             held_at=at("2025-03-03"), subtopic=sub, findings="茶园撂荒")
    page = _text(client.get(f"/field/desk/topics/{topic.pk}/"))
    assert "劳动力" in page and "茶园撂荒" in page and "扩大加工" in page


def test_only_leaders_create_topics_and_bad_input_is_chinese(county, login):
    c = county
    assert login(c.cadre_a).get("/field/desk/topics/new/").status_code == 403
    client = login(c.township_leader)
    response = client.post("/field/desk/topics/new/", {"region": c.town.code, "title": "", "year": "2025"})
    assert response.status_code == 422 and "这个字段是必填项" in _text(response)
    response = client.post("/field/desk/topics/new/", {"region": c.village_c.code, "title": "乙镇", "year": "2025"})
    assert response.status_code == 422 and "选择一个有效的选项" in _text(response)
    assert not ResearchTopic.objects.exists() and _events("field.topic.created") == 0
    topic = services.create_topic(actor=c.township_leader, region=c.town.code, title="课题", leader=c.township_leader,
                                  year=2025)
    # The township's topic lies outside village A: 404 for its cadre.
    assert login(c.cadre_a).post(f"/field/desk/topics/{topic.pk}/subtopics/", {"title": "x"}).status_code == 404
    response = login(c.township_leader).post(f"/field/desk/topics/{topic.pk}/subtopics/", {"title": ""})
    assert response.status_code == 422 and "这个字段是必填项" in _text(response)
    assert not ResearchSubtopic.objects.exists()


# --- visit rounds ----------------------------------------------------------------------------


def test_a_leader_creates_a_round_and_records_its_results(county, login):
    c = county
    team = _team(c)
    client = login(c.township_leader)
    response = client.post("/field/desk/rounds/new/", {"team": team.pk, "year": "2025", "number": "2",
                                                        "started_on": "2025-04-01",
                                                        "villages": [c.village_a.code, c.village_b.code]})
    rnd = VisitRound.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/desk/rounds/{rnd.pk}/"
    assert (rnd.region_id, rnd.number, sorted(rnd.villages.values_list("code", flat=True))) == \
        (c.town.code, 2, [c.village_a.code, c.village_b.code])
    assert _events("field.round.created") == 1
    # The same round again: a Chinese message, nothing new.
    response = client.post("/field/desk/rounds/new/", {"team": team.pk, "year": "2025", "number": "2",
                                                        "started_on": "2025-04-01"})
    assert response.status_code == 422 and "第 2 轮已存在" in _text(response)
    assert VisitRound.objects.count() == 1
    # Results: the team's count, then a count that does not narrow (refused in Chinese).
    ok = {"households_visited": 215, "households_with_problems": 104, "sent_to_township": 25, "sent_to_county": 3,
          "reason": "走访记在纸质台账上"}
    assert client.post(f"/field/desk/rounds/{rnd.pk}/results/", ok).status_code == 302
    bad = ok | {"sent_to_county": 30}
    response = client.post(f"/field/desk/rounds/{rnd.pk}/results/", bad)
    assert response.status_code == 422 and "走访结果应逐级递减" in _text(response)
    rnd.refresh_from_db()
    assert (rnd.households_visited, rnd.sent_to_county) == (215, 3)
    # Count from the round's visits: one visit with an appeal.
    services.record_visit(actor=c.cadre_a, household=c.households["a1"], visited_at=at("2025-04-02"), round=rnd,
                          appeals=[{"title": "饮水", "text": "自来水停水"}])
    assert client.post(f"/field/desk/rounds/{rnd.pk}/results/", {"count": "1"}).status_code == 302
    rnd.refresh_from_db()
    assert (rnd.households_visited, rnd.households_with_problems) == (1, 1)
    assert _events("field.round.corrected") == 1 and _events("field.round.results") == 1
    page = _text(client.get(f"/field/desk/rounds/{rnd.pk}/"))
    assert "甲镇五人走访组" in page and "甲村户主1" in page
    assert "甲镇五人走访组" in _text(client.get(f"/field/desk/rounds/?team={team.pk}&year=2025"))


def test_only_a_leader_of_the_team_place_creates_a_round(county, login):
    team = _team(county)
    village_team = VisitTeam.objects.create(name="甲村走访组", region=county.village_a, year=2025)
    assert login(county.cadre_a).get("/field/desk/rounds/new/").status_code == 403
    with pytest.raises(PermissionDenied, match="领导"):  # a village secretary sees the village but does not lead
        services.create_round(actor=county.cadre_a, team=village_team, year=2025, number=1,
                              started_on=dt.date(2025, 1, 1))
    with pytest.raises(PermissionDenied, match="不在您的管辖范围内"):
        services.create_round(actor=county.cadre_a, team=team, year=2025, number=1, started_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="不是该走访组所在地的村"):
        services.create_round(actor=county.township_leader, team=team, year=2025, number=1,
                              started_on=dt.date(2025, 1, 1), villages=[county.village_c.code])
    assert not VisitRound.objects.exists()


# --- the three lists -------------------------------------------------------------------------


def test_preparing_and_ticking_the_three_lists(county, login):
    c = county
    client = login(c.cadre_a)
    response = client.post("/field/desk/lists/new/", {"village": c.village_a.code, "title": "第一轮三张清单",
                                                       "policy": "医保缴费\n养老保险", "service": "生存认证",
                                                       "question": "饮水怎样？"})
    lst = VillageList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/field/desk/lists/{lst.pk}/"
    assert lst.items.count() == 4 and _events("field.lists.prepared") == 1
    page = _text(client.get(response["Location"]))
    assert "医保缴费" in page and "生存认证" in page and 'id="left">4<' in page
    item = lst.items.get(text="生存认证")
    response = client.post(f"/field/desk/list-items/{item.pk}/tick/", {"done": "1", "note": "已上门"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="item-{item.pk}"' in _text(response) and "✔" in _text(response) and "已上门" in _text(response)
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == c.cadre_a and item.done_note == "已上门"
    assert _events("field.lists.ticked") == 1
    assert 'id="left">3<' in _text(client.get(f"/field/desk/lists/{lst.pk}/"))
    # Undo without htmx: back to the list.
    response = client.post(f"/field/desk/list-items/{item.pk}/tick/", {"done": "0"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is None


def test_empty_or_foreign_lists_are_refused_in_chinese(county, login):
    client = login(county.cadre_a)
    response = client.post("/field/desk/lists/new/", {"village": county.village_a.code, "policy": "  \n"})
    assert response.status_code == 422 and "三张清单至少填写一项" in _text(response)
    response = client.post("/field/desk/lists/new/", {"village": county.village_b.code, "policy": "医保"})
    assert response.status_code == 422 and "选择一个有效的选项" in _text(response)
    assert not VillageList.objects.exists()


# --- quotas and visits -----------------------------------------------------------------------


def _quota_rows(text: str) -> list[tuple[int, str, str, int, int]]:
    return [(int(u), rule, status, int(done), int(req)) for u, rule, status, done, req in re.findall(
        r'data-user="(\d+)" data-rule="([\w-]+)" data-status="(\w+)" data-done="(\d+)" data-required="(\d+)"', text)]


def test_the_quota_page_shows_the_quota_report(quota_county, login):  # noqa: F811
    c = quota_county
    client = login(c.county_leader)
    response = client.get(f"/field/desk/quotas/?region={c.county.code}&period=2025-Q1")
    assert response.status_code == 200
    expected = metrics.quota_report(c.county.code, dt.date(2025, 1, 1), dt.date(2025, 3, 31), user=c.county_leader)
    assert len(expected) >= 6
    assert _quota_rows(_text(response)) == [(r["user_id"], r["rule"], r["status"], r["done"], r["required"])
                                            for r in expected]
    # Red only, sorted by share done; links to the person's visits and activities.
    text = _text(client.get(f"/field/desk/quotas/?region={c.county.code}&period=2025-Q1&status=red&sort=done"))
    rows = _quota_rows(text)
    assert rows and all(r[2] == "red" for r in rows)
    assert [r[3] / r[4] for r in rows] == sorted(r[3] / r[4] for r in rows)
    assert f"/field/desk/visits/?visitor={c.cadre_a.pk}&period=2025-Q1" in text
    # The cadre's visits in the period, read-only.
    visits = _text(client.get(f"/field/desk/visits/?visitor={c.cadre_a.pk}&period=2025-Q1"))
    assert visits.count("甲村户主1户") >= 3


def test_the_visit_list_of_a_household(county, login):
    c = county
    services.record_visit(actor=c.cadre_a, household=c.households["a1"], visited_at=at("2025-03-02"), note="看望老人")
    services.record_visit(actor=c.cadre_b, household=c.households["b1"], visited_at=at("2025-03-02"), note="乙村")
    client = login(c.cadre_a)
    text = _text(client.get(f"/field/desk/visits/?household={c.households['a1'].pk}"))
    assert "看望老人" in text and "乙村户主" not in text
    assert "乙村" not in _text(client.get(f"/field/desk/visits/?household={c.households['b1'].pk}")).split(
        "<tbody>")[1]
