"""The dashboard shows exactly what the metric functions (and /api/v1/metrics) compute, for the
places the user may see, and each number opens the list behind it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from minqing.appeals import metrics
from minqing.dashboards import figures
from minqing.lib import figures as registry
from minqing.lib import periods
from tests.dashboards.conftest import MAY

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'data-figure="([^"]+)"[^>]*>([^<]*)<')


def shown(response) -> dict[str, str]:
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode()
    out: dict[str, str] = {}
    for name, value in FIGURE.findall(text):
        name, value = html.unescape(name), html.unescape(value).strip()
        assert out.get(name, value) == value, f"{name} shown twice with different values"
        out[name] = value
    return out


def expected(code: str, user, start: dt.date = MAY[0], end: dt.date = MAY[1]) -> dict[str, str]:
    """Every dashboard figure, computed here straight from the metric functions."""
    s = metrics.county_summary(code, start, end, user=user)
    f = s.funnel
    out = {
        "received": s.received, "response": s.response.percent, "closure": s.closure.percent,
        "on_time": s.on_time.percent, "resolution": s.resolution.percent, "satisfaction": s.satisfaction.percent,
        "backlog": s.backlog.at_end, "backlog_year_before": s.backlog.year_before,
        "on_spot": s.on_spot, "assigned": s.assigned, "assigned_done": s.assigned_done, "explained": s.explained,
        "found": f.found, "to_township": f.to_township, "to_county": f.to_county,
        "found_households": f.found_households, "to_township_households": f.to_township_households,
        "to_county_households": f.to_county_households,
        "triage.on_spot": s.on_spot, "triage.assigned": s.assigned, "triage.assigned_done": s.assigned_done,
        "triage.assigned_open": s.assigned - s.assigned_done,
    }
    if s.backlog.change_rate is not None:
        out["backlog_change"] = figures.pct(s.backlog.change_rate)
    out.update({f"group.{k}": v for k, v in metrics.by_group(code, start, end, user=user).items()})
    out.update({f"category.{k}": v for k, v in metrics.by_category(code, start, end, user=user).items()})
    out.update(other_parts(code, user, start, end))
    from minqing.appeals import repeats  # 重复诉求率 (issue 16)

    out["repeat_rate"] = figures.pct(repeats.figures(code, start, end, user=user)["repeat_rate"])
    out.update(cadre_figures(code, user, start, end))
    out.update(people_figures(code, user, start, end))
    return {k: "—" if v is None else str(v) for k, v in out.items()}


PEOPLE_SHOWN = {"visits": ("people",), "meetings": ("sessions", "people"), "deeds": ("count", "beneficiaries"),
                "care": ("open",), "cases_down": ("leaders", "cases", "solved"),
                "help": ("condolence_money", "goods", "relief", "relief_amount", "survival_checks")}


def people_figures(code: str, user, start: dt.date, end: dt.date) -> dict[str, object]:
    """The 群众工作 card (人次, 场次, help, 集访, 带案下访, 为民办实事), straight from fieldwork.people; the
    page leaves the card out when nothing of the kind was recorded."""
    from decimal import Decimal

    from minqing.fieldwork import people

    s = people.section(code, start, end, user=user)
    out: dict[str, object] = {f"people.{part}.{k}": s[part][k] for part, keys in PEOPLE_SHOWN.items() for k in keys}
    for level in ("county", "city"):
        p = s["group_petitions"].get(level) or {}
        out.update({f"people.group_petitions.{level}.{k}": p.get(k) for k in ("batches", "people")})
    if not any(v for v in out.values()):
        return {}
    return {k: (f"{v.normalize():f}" if isinstance(v, Decimal) else v) for k, v in out.items()}


def cadre_figures(code: str, user, start: dt.date, end: dt.date) -> dict[str, object]:
    """The cadres card (a leader of the place only), straight from the cadres part's section."""
    from minqing.cadres import figures as cadres

    c = cadres.section(code, start, end, user=user)
    if not c["available"]:
        return {}
    rated = c["ratings"]["total"]
    return {"cadres.total": c["staff"]["total"], "cadres.party": c["staff"]["party"],
            "cadres.young": c["staff"]["young"],
            "cadres.ratings": f"{rated} · {c['ratings']['satisfaction_text']}" if rated else rated}


def other_parts(code: str, user, start: dt.date, end: dt.date) -> dict[str, object]:
    """The field-work and disputes figures, straight from those parts' metric functions."""
    from minqing.disputes import metrics as dm
    from minqing.fieldwork import metrics as fm

    cov = fm.coverage(code, start, end, user=user)
    rounds = fm.funnel(code, start, end, user=user)
    quotas = fm.quota_report(code, start, end, user=user)
    d = dm.summary(code, start, end, user=user)
    out: dict[str, object] = {"coverage.households": cov["households"], "coverage.visited": cov["visited"],
                              "coverage.rate": figures.pct(cov["rate"]) or "—"}
    out.update({f"rounds.{k}": v for k, v in rounds.items()})
    out.update({f"quota.{k}": sum(1 for r in quotas if r["status"] == k) for k in ("green", "yellow", "red", "ongoing")}
               if quotas else {})
    out.update(dispute_figures(d))
    out.update(checklist_figures(code, user, start, end))
    out.update(liaison_figures(code, user, start, end))
    return out


DISPUTE_KEYS = ("found", "solved", "referred", "open", "open_with_deadline_and_owner")


def dispute_figures(d: dict) -> dict[str, object]:
    out: dict[str, object] = {f"disputes.{k}": d[k] for k in DISPUTE_KEYS}
    for part, rows, key in (("kind", d["by_kind"], "code"), ("village", d["by_village"], "code"),
                            ("month", d["by_month"], "month")):
        for r in rows:
            out.update({f"disputes.{part}.{r[key]}.{k}": r[k] for k in DISPUTE_KEYS})
    return out


def checklist_figures(code: str, user, start: dt.date, end: dt.date) -> dict[str, object]:
    """两不愁三保障 straight from minqing.checklists.metrics; nothing when nothing was checked."""
    from minqing.checklists import metrics as cm

    totals = cm.household_totals(code, start, end, user=user)
    rounds = [r for r in cm.clearance_by_round(code, end.year, user=user) if r["checked"]]
    if not totals["checked"] and not rounds:
        return {}
    out: dict[str, object] = {f"checklists.{k}": totals[k] for k in ("checked", "failing", "cleared", "open")}
    for r in cm.item_counts(code, start, end, user=user):
        out.update({f"checklists.item.{r['checklist']}.{r['item']}.{k}": r[k]
                    for k in ("checked", "failing", "cleared", "open")})
    for r in rounds:
        out.update({f"checklists.round.{r['round']}.{k}": r[k] for k in ("checked", "found", "cleared", "open")})
    return out


def liaison_figures(code: str, user, start: dt.date, end: dt.date) -> dict[str, object]:
    """一张表、心连心 straight from minqing.enterprises.metrics.liaison_report (+ the two counts it lacks)."""
    from minqing.enterprises.metrics import liaison_extent, liaison_report

    rows = liaison_report(code, start, end, user=user)
    extent = liaison_extent(code, start, end, user)
    if not rows and not extent["enterprises"]:
        return {}
    out: dict[str, object] = {"liaison.people": len(rows), "liaison.required": sum(r["required"] for r in rows),
                              "liaison.done": sum(r["done"] for r in rows),
                              "liaison.enterprises": extent["enterprises"], "liaison.visits": extent["visits"]}
    out.update({f"liaison.{k}": sum(1 for r in rows if r["status"] == k)
                for k in ("green", "yellow", "red", "ongoing")})
    for r in rows:
        out.update({f"liaison.person.{r['user_id']}.required": r["required"],
                    f"liaison.person.{r['user_id']}.done": r["done"]})
    return out


def child_figures(page: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in page.items() if k.startswith("child.")}


def test_every_figure_of_the_township_equals_the_metric_functions(month_cases, county, login):
    page = shown(login(county.township_leader).get(f"/dashboards/{county.town.code}/?period=2024-05"))
    want = expected(county.town.code, county.township_leader)
    assert {k: v for k, v in page.items() if not k.startswith("child.")} == want
    # and the hand count of tests/dashboards/conftest.py, so both cannot be wrong together
    assert (page["received"], page["on_spot"], page["assigned"], page["assigned_done"]) == ("11", "3", "5", "3")
    assert (page["closure"], page["on_time"], page["resolution"], page["satisfaction"], page["response"]) == (
        "75.00%", "50.00%", "83.33%", "75.00%", "27.27%")
    assert (page["backlog"], page["backlog_year_before"], page["backlog_change"]) == ("1", "2", "-50%")
    assert (page["found"], page["to_township"], page["to_county"], page["found_households"]) == ("11", "2", "1", "4")
    assert page["category.人居环境整治"] == "4" and page["category.未分类"] == "1"
    assert child_figures(page) == {f"child.{county.village_a.code}.received": "7",
                                   f"child.{county.village_b.code}.received": "4"}


def test_the_dashboard_equals_the_metrics_api(month_cases, county, login, client, bearer):
    page = shown(login(county.county_leader).get(f"/dashboards/{county.county.code}/?period=2024-05"))
    api = client.get(f"/api/v1/metrics?region={county.county.code}&period=2024-05",
                     headers=bearer(county.county_leader)).json()
    assert page["received"] == str(api["received"]) == "12"
    for key in ("response", "closure", "on_time", "resolution", "satisfaction"):
        assert page[key] == (api[key]["percent"] or "—"), key
    assert page["backlog"] == str(api["backlog"]["at_end"])
    assert page["backlog_year_before"] == str(api["backlog"]["year_before"])
    for key in ("on_spot", "assigned", "assigned_done", "explained"):
        assert page[key] == str(api[key]), key
    for key in ("found", "to_township", "to_county"):
        assert page[key] == str(api["funnel"][key]), key
    assert {k[9:]: int(v) for k, v in page.items() if k.startswith("category.")} == api["by_category"]
    assert {k[6:]: int(v) for k, v in page.items() if k.startswith("group.")} == api["by_group"]
    assert child_figures(page) == {f"child.{county.town.code}.received": "11",
                                   f"child.{county.town2.code}.received": "1"}


@pytest.mark.parametrize("period", ["2024-Q2", "2024", "from=2024-05-03&to=2024-05-12"])
def test_other_periods_match_the_metric_functions(month_cases, county, login, period):
    query = period if period.startswith("from") else f"period={period}"
    p = periods.parse(None, "2024-05-03", "2024-05-12") if period.startswith("from") else periods.parse(period)
    page = shown(login(county.county_leader).get(f"/dashboards/{county.village_a.code}/?{query}"))
    assert page == expected(county.village_a.code, county.county_leader, p.start, p.end)
    assert p.label in login(county.county_leader).get(f"/dashboards/{county.village_a.code}/?{query}").content.decode()


def test_a_department_sees_the_county_figures_its_jurisdiction_allows(month_cases, county, login):
    page = shown(login(county.dept_handler).get("/dashboards/?period=2024-05"))
    assert {k: v for k, v in page.items() if not k.startswith("child.")} == expected(county.county.code,
                                                                                      county.dept_handler)
    assert page["received"] == "12"


def test_the_home_dashboard_is_the_users_own_place(month_cases, county, login):
    response = login(county.cadre_a).get("/dashboards/?period=2024-05")
    page = shown(response)
    assert page == expected(county.village_a.code, county.cadre_a)
    assert page["received"] == "7"
    text = response.content.decode()
    assert "甲村" in text and "乙村" not in text and "甲镇" not in text  # the crumbs stop at one's own place


@pytest.mark.parametrize("place", ["village_b", "town", "county", "village_c", "town2"])
def test_a_village_cadre_cannot_open_other_places(month_cases, county, login, place):
    client = login(county.cadre_a)
    assert client.get(f"/dashboards/{county.regions[place].code}/?period=2024-05").status_code == 404
    assert client.get(f"/briefings/?region={county.regions[place].code}&period=2024-05").status_code == 404


def test_a_township_leader_drills_down_but_not_sideways(month_cases, county, login):
    client = login(county.township_leader)
    text = client.get(f"/dashboards/{county.town.code}/?period=2024-05").content.decode()
    assert f'href="/dashboards/{county.village_a.code}/?period=2024-05"' in text
    assert f'href="/dashboards/{county.village_b.code}/?period=2024-05"' in text
    assert "丙村" not in text and "乙镇" not in text
    assert client.get(f"/dashboards/{county.village_b.code}/?period=2024-05").status_code == 200
    for place in ("village_c", "town2", "county"):
        assert client.get(f"/dashboards/{county.regions[place].code}/").status_code == 404
    for bad in ("abc", "5117221002029"):
        assert client.get(f"/dashboards/{bad}/").status_code == 404


def test_people_without_a_post_get_no_dashboard(county, login, client):
    assert login(county.outsider).get("/dashboards/").status_code == 404
    client.logout()
    response = client.get("/dashboards/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def _list_count(client, link: str) -> int:
    """Follow a figure's link through the JSON list with the same query (the page or the API)."""
    query = dict(parse_qsl(urlsplit(html.unescape(link)).query))
    response = client.get("/api/v1/appeals", query)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def test_each_received_based_number_opens_its_list(month_cases, county, login):
    client = login(county.township_leader)
    text = client.get(f"/dashboards/{county.town.code}/?period=2024-05").content.decode()
    links = dict(re.findall(r'data-figure="([^"]+)" href="([^"]+)"', text))
    for name in ("received", *[k for k in links if k.startswith(("group.", "category."))]):
        if name == "category.未分类":
            continue  # no filter for "no category": the link opens the whole period
        assert _list_count(client, links[name]) == int(shown_value(text, name)), name
    assert _list_count(client, links[f"child.{county.village_b.code}.received"]) == 4
    for link in links.values():
        assert (f"region={county.town.code}" in link or "region=5117221002" in link
                or f"/dashboards/{county.town.code}/cases/" in link or "/dashboards/5117221002" in link), link


def shown_value(text: str, name: str) -> str:
    return dict(FIGURE.findall(text))[name]


def test_every_chart_reads_the_rows_its_table_prints(month_cases, county, login):
    text = login(county.township_leader).get(f"/dashboards/{county.town.code}/?period=2024-05").content.decode()
    data = json.loads(re.search(r'<script id="dash-charts" type="application/json">(.*?)</script>', text, re.S)[1])
    page = dict(FIGURE.findall(text))
    assert {f"group.{g['key']}": str(g["count"]) for g in data["groups"]}.items() <= page.items()
    assert {f"category.{c['label']}": str(c["count"]) for c in data["categories"]}.items() <= page.items()
    assert [r["percent"] or "—" for r in data["rates"]] == [page[k] for k in (
        "response", "closure", "on_time", "resolution", "satisfaction", "repeat_rate")]
    assert [f["count"] for f in data["funnel"]] == [11, 2, 1]
    for section in ("groups", "categories", "rates", "triage", "funnel", "trend"):
        assert f'data-chart="{section}"' in text
    assert "vendor/echarts/echarts.min.js" in text
    may = [m for m in data["trend"] if m["month"] == "2024年5月"][0]
    assert (may["received"], may["closed"], may["solved"]) == (11, 6, 5)
    assert len(data["trend"]) == 6  # a month shows the six months up to it


def test_the_projector_view_shows_the_same_figures(month_cases, county, login):
    page = shown(login(county.township_leader).get(f"/dashboards/{county.town.code}/?period=2024-05&view=big"))
    want = expected(county.town.code, county.township_leader)
    for key in ("received", "response", "closure", "on_time", "resolution", "satisfaction", "on_spot", "assigned",
                "backlog", "found", "to_township", "to_county"):
        assert page[key] == want[key], key


def test_a_bad_period_is_refused_in_chinese(county, login):
    response = login(county.county_leader).get("/dashboards/?period=2024-13")
    assert response.status_code == 400
    assert "统计期间“2024-13”无效" in response.content.decode()


def test_closing_an_appeal_changes_the_dashboard(county, login):
    """Through the services, as people work: register, solve on the spot → the figures move."""
    from minqing.appeals import services

    client = login(county.township_leader)
    before = shown(client.get(f"/dashboards/{county.town.code}/"))
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                 channel="visit", title="水管漏水", text="二组水管漏水")
    after_register = shown(client.get(f"/dashboards/{county.town.code}/"))
    assert int(after_register["received"]) == int(before["received"]) + 1
    assert int(after_register["group.open"]) == int(before["group.open"]) + 1
    services.do_review(a, actor=county.cadre_a, decision="solve_on_spot", what="当场更换阀门",
                       satisfaction="satisfied")
    after = shown(client.get(f"/dashboards/{county.town.code}/"))
    assert int(after["group.solved"]) == int(before["group.solved"]) + 1
    assert int(after["group.open"]) == int(before["group.open"])
    mine = {k: v for k, v in after.items() if not k.startswith("child.")}
    assert mine == expected(county.town.code, county.township_leader, *_this_month())


def _this_month() -> tuple[dt.date, dt.date]:
    from django.utils import timezone

    p = periods.parse(None, today=timezone.localdate())
    return p.start, p.end


FAKE = {
    "coverage": {"code": "511722100000", "name": "甲镇", "households": 40, "visited": 30, "rate": 0.75, "children": [
        {"code": "511722100201", "name": "甲村", "households": 20, "visited": 18, "rate": 0.9, "children": []},
        {"code": "511722100202", "name": "乙村", "households": 20, "visited": 12, "rate": 0.6, "children": []}]},
    "funnel": {"visited": 500, "found": 215, "township": 104, "county": 25},
    "quota_report": [
        {"user_id": 1, "name": "张干部", "rule": "r1", "rule_name": "包联户走访", "measure": "paired_visits",
         "required": 10, "done": 10, "status": "green"},
        {"user_id": 2, "name": "李干部", "rule": "r1", "rule_name": "包联户走访", "measure": "paired_visits",
         "required": 10, "done": 3, "status": "red"}],
    "summary": {"found": 23, "solved": 19, "referred": 0, "open": 4, "open_with_deadline_and_owner": 4,
                "by_kind": [{"code": "neighbour", "name": "邻里矛盾", "found": 23, "solved": 19, "referred": 0,
                             "open": 4, "open_with_deadline_and_owner": 4}],
                "sentence": "共排查矛盾纠纷23件，解决19件，其余4件均已明确时限和责任人"},
}


def test_fieldwork_and_disputes_figures_show_in_the_dashboard_and_the_briefing(month_cases, county, login,
                                                                               monkeypatch):
    from minqing.briefing import compose

    calls = []

    def fake(*names):
        def fn(region_code, start, end, *, user=None):
            calls.append((names[0], region_code, start, end, user.pk if user else None))
            return FAKE[names[0]] if len(names) == 1 else {n: FAKE[n] for n in names}
        return fn

    # the parts' registered sections, replaced by the figures above
    for part, names in (("fieldwork", ("coverage", "quota_report", "funnel")), ("disputes", ("summary",))):
        monkeypatch.setitem(registry._SECTIONS, part, dataclasses.replace(registry.section(part),
                                                                          compute=fake(*names)))
    response = login(county.township_leader).get(f"/dashboards/{county.town.code}/?period=2024-05")
    page = shown(response)
    assert ("coverage", county.town.code, *MAY, county.township_leader.pk) in calls
    assert (page["coverage.rate"], page["coverage.visited"], page["coverage.households"]) == ("75%", "30", "40")
    assert (page["rounds.found"], page["rounds.township"], page["rounds.county"]) == ("215", "104", "25")
    assert (page["quota.green"], page["quota.red"], page["disputes.found"], page["disputes.open"]) == ("1", "1", "23",
                                                                                                       "4")
    text = response.content.decode()
    assert "李干部" in text and "未达标" in text and "邻里矛盾" in text and "/disputes/?region=511722100000" in text
    b = compose.compose(county.town.code, periods.month(2024, 5), user=county.township_leader,
                        today=dt.date(2024, 7, 1))
    assert ("本月，全镇干部入户走访30户，走访覆盖率75%；通过“五人大走访”摸排问题共215户，提交乡镇研判104户，"
            "报送县级25户；纳入走访任务考核的干部2人，其中1人未达标。") in b.paragraphs
    assert "本月，全镇共排查矛盾纠纷23件，解决19件，其余4件均已明确时限和责任人。" in b.paragraphs
    rows = {r.label: (r.value, r.note) for r in b.table}
    assert rows["走访覆盖率"] == ("75%", "已走访30户/应走访40户") and rows["排查矛盾纠纷"] == ("23件", "解决19件")


def test_the_parts_real_figures_appear_unchanged(month_cases, county, login):
    page = shown(login(county.county_leader).get(f"/dashboards/{county.town.code}/?period=2024-05"))
    want = other_parts(county.town.code, county.county_leader, *MAY)
    assert {k: page[k] for k in want} == {k: str(v) for k, v in want.items()}


@pytest.mark.parametrize(("name", "code", "word"), [
    ("宣汉县", "511722000000", "全县"), ("甲镇", "511722100000", "全镇"), ("龙泉土家族乡", "511722200000", "全乡"),
    ("东乡街道", "511722001000", "全街道"), ("高架村", "511722200201", "全村"), ("育才社区", "511722001001", "全社区"),
])
def test_each_place_names_itself_by_its_level(name, code, word):
    from minqing.regions.models import Region

    assert figures.level_word(Region(code=code, name=name)) == word


def test_the_dashboard_speaks_english_on_request(month_cases, county, login):
    client = login(county.township_leader)
    text = client.get(f"/dashboards/{county.town.code}/?period=2024-05",
                      headers={"Accept-Language": "en"}).content.decode()
    assert "Response rate" in text and "Solved on the spot" in text and "Escalation funnel" in text
    assert "响应率" not in text and "立行立改" not in text
    zh = client.get(f"/dashboards/{county.town.code}/?period=2024-05").content.decode()
    assert "响应率" in zh and "立行立改" in zh and "逐级研判" in zh


def _cases_count(client, link: str) -> int:
    response = client.get(html.unescape(link))
    assert response.status_code == 200, response.content[:300]
    return int(re.search(r"<strong data-count>(\d+)</strong>", response.content.decode())[1])


def test_each_figure_opens_exactly_the_cases_it_counts(month_cases, county, login):
    """Figures counted on closure dates and deadlines open their own exact list (dashboards.lists)."""
    from minqing.dashboards import lists

    user, code = county.county_leader, county.town.code
    r = metrics.received(code, *MAY, user=user)
    d = metrics.due_for_closure(code, *MAY, user=user)
    c = metrics.closed_in_period(code, *MAY, user=user)
    s = metrics.satisfaction_counts(code, *MAY, user=user)
    want = {"received": r["received"], "responded": r["responded"], "due": d["due"], "closed": d["closed"],
            "on_time": d["on_time"], "closed_in_period": c["closed"], "solved": c["solved"],
            "explained": c["explained"], "on_spot": r["on_spot"], "assigned": r["assigned"],
            "assigned_done": r["assigned_done"], "to_township": r["to_township"], "to_county": r["to_county"],
            "backlog": metrics.backlog(code, *MAY, user=user).at_end,
            "answered": sum(s.values())}  # one answer per case in this month
    assert set(want) == set(lists.FIGURES)
    p = periods.month(2024, 5)
    got = {name: lists.cases(name, code, p, user).count() for name in lists.FIGURES}
    assert got == want
    assert (got["due"], got["closed"], got["on_time"], got["solved"], got["backlog"]) == (4, 3, 2, 5, 1)
    client = login(user)
    text = client.get(f"/dashboards/{code}/?period=2024-05").content.decode()
    links = dict(re.findall(r'data-figure="([^"]+)" href="([^"]+)"', text))
    for name, figure in (("closure", "closed"), ("on_time", "on_time"), ("resolution", "solved"),
                         ("backlog", "backlog"), ("response", "responded")):
        assert _cases_count(client, links[name]) == want[figure], name
    page = client.get(f"/dashboards/{code}/cases/?period=2024-05&figure=on_time").content.decode()
    assert "三组便道路面破损" in page and "合作社分红不清" in page and "路灯不亮" not in page  # C11 was late


def test_the_case_lists_keep_to_the_records_one_may_read(month_cases, county, login):
    client = login(county.dept_handler)  # sees the county's figures, but only its own unit's cases
    text = client.get(f"/dashboards/{county.county.code}/cases/?period=2024-05&figure=solved").content.decode()
    assert "三组便道路面破损" in text and "合作社分红不清" not in text
    assert login(county.cadre_a).get(f"/dashboards/{county.town.code}/cases/?figure=solved").status_code == 404
    assert client.get(f"/dashboards/{county.county.code}/cases/?figure=nope").status_code == 404
