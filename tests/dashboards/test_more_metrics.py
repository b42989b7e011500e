"""两不愁三保障, enterprise liaison and disputes in the dashboards, the briefing and the metrics API:
the same numbers as the parts' metric functions, and as counted by hand on the June fixture
(tests/dashboards/conftest.py `parts`)."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from docx import Document

from minqing.briefing import compose, docx, sections
from minqing.lib import periods
from tests.dashboards.conftest import JUNE
from tests.dashboards.test_dashboards import expected, shown

pytestmark = pytest.mark.django_db
JUNE_P = periods.month(2024, 6)
LATER = dt.date(2024, 7, 1)

TOWN_SENTENCES = [
    "本月，全镇共对4户开展两不愁三保障排查，发现问题3户（涉及住房安全有保障1户、饮水安全1户、人均纯收入1户），"
    "已清零2户，其余1户正在整改。",
    "全镇县级领导联系重点企业（项目）2个，本月走访2次，1名领导未按要求走访。",
    "本月，全镇共排查矛盾纠纷3件，解决1件，其余2件中1件已明确时限和责任人。",
]
VILLAGE_SENTENCES = [
    "本月，全村共对2户开展两不愁三保障排查，发现问题2户（涉及住房安全有保障1户、人均纯收入1户），已清零1户，其余1户正在整改。",
    "本月，全村共排查矛盾纠纷2件，解决1件，其余1件均已明确时限和责任人。",
]


def page_of(client, code: str, query: str = "period=2024-06"):
    response = client.get(f"/dashboards/{code}/?{query}")
    return shown(response), response.content.decode()


def test_the_township_sections_equal_the_metric_functions_and_the_hand_count(parts, county, login):
    page, _ = page_of(login(county.township_leader), county.town.code)
    assert {k: v for k, v in page.items() if not k.startswith("child.")} == expected(
        county.town.code, county.township_leader, *JUNE)
    # 两不愁三保障: households, per item, after each round (quarters: no visit round is defined)
    assert [page[f"checklists.{k}"] for k in ("checked", "failing", "cleared", "open")] == ["4", "3", "2", "1"]
    item = "checklists.item.lbc_sbz"
    assert [page[f"{item}.housing.{k}"] for k in ("checked", "failing", "cleared", "open")] == ["4", "1", "0", "1"]
    assert [page[f"{item}.water.{k}"] for k in ("failing", "cleared", "open")] == ["1", "1", "0"]
    assert [page[f"{item}.income.{k}"] for k in ("failing", "cleared", "open")] == ["1", "1", "0"]
    assert page[f"{item}.food.failing"] == "0"
    assert "checklists.round.1.found" not in page  # nothing answered in the first quarter
    assert [page[f"checklists.round.2.{k}"] for k in ("checked", "found", "cleared", "open")] == ["4", "3", "2", "1"]
    # liaison: county_leader met (1/1), leader2 not (0/1); 2 paired enterprises, 2 visits by paired leaders
    assert [page[f"liaison.{k}"] for k in ("people", "green", "yellow", "red", "required", "done", "enterprises",
                                          "visits")] == ["2", "1", "0", "1", "2", "1", "2", "2"]
    assert page[f"liaison.person.{parts.leader2.pk}.done"] == "0"
    assert page[f"liaison.person.{county.county_leader.pk}.done"] == "1"
    # disputes: found, solved, open with deadline and owner, by kind, village and month
    assert [page[f"disputes.{k}"] for k in ("found", "solved", "referred", "open",
                                           "open_with_deadline_and_owner")] == ["3", "1", "0", "2", "1"]
    assert (page["disputes.kind.neighbour.found"], page["disputes.kind.land.open_with_deadline_and_owner"]) == (
        "2", "1")
    assert page[f"disputes.village.{county.village_a.code}.found"] == "2"
    assert page[f"disputes.village.{county.village_b.code}.open_with_deadline_and_owner"] == "0"
    assert page["disputes.month.2024-06.found"] == "3"


def test_the_sections_equal_the_metrics_api_blocks(parts, county, login, client, bearer):
    page, _ = page_of(login(county.county_leader), county.county.code)
    h = bearer(county.county_leader)
    q = {"region": county.county.code, "period": "2024-06"}
    d = client.get("/api/v1/metrics/disputes", q, headers=h).json()
    c = client.get("/api/v1/metrics/checklists", q, headers=h).json()
    li = client.get("/api/v1/metrics/liaison", q, headers=h).json()
    base = client.get("/api/v1/metrics", q, headers=h).json()
    assert base["received"] == 3 and "disputes" not in base  # the summary keeps its fields
    for k in ("found", "solved", "referred", "open", "open_with_deadline_and_owner"):
        assert page[f"disputes.{k}"] == str(d[k]), k
    assert {r["code"]: r["found"] for r in d["by_kind"]} == {"neighbour": 2, "land": 1}
    assert d["sentence"] == "共排查矛盾纠纷3件，解决1件，其余2件中1件已明确时限和责任人"
    assert {f"checklists.{k}": str(v) for k, v in c["households"].items()}.items() <= page.items()
    assert c["households"] == {"checked": 4, "failing": 3, "cleared": 2, "open": 1}
    for r in c["items"]:
        assert page[f"checklists.item.{r['checklist']}.{r['item']}.failing"] == str(r["failing"])
    assert [(r["round"], r["found"], r["cleared"]) for r in c["rounds"]] == [(1, 0, 0), (2, 3, 2), (3, 3, 2),
                                                                             (4, 3, 2)]
    for k in ("people", "green", "yellow", "red", "required", "done", "enterprises", "visits"):
        assert page[f"liaison.{k}"] == str(li[k]), k
    assert {r["name"]: (r["required"], r["done"], r["status"]) for r in li["rows"]} == {
        "county_leader": (1, 1, "green"), "leader2": (1, 0, "red")}


def test_every_new_chart_reads_the_rows_its_table_prints(parts, county, login):
    page, text = page_of(login(county.township_leader), county.town.code)
    data = json.loads(re.search(r'<script id="dash-charts" type="application/json">(.*?)</script>', text, re.S)[1])
    for name in ("checklist_items", "checklist_rounds", "liaison", "disputes_kind", "disputes_village",
                 "disputes_month"):
        assert f'data-chart="{name}"' in text, name
    items = {r["label"]: (r["failing"], r["cleared"]) for r in data["checklist_items"]["rows"]}
    assert items["住房安全有保障"] == (1, 0) and items["人均纯收入"] == (1, 1)
    assert [s["key"] for s in data["checklist_items"]["series"]] == ["failing", "cleared"]
    assert [(r["found"], r["cleared"], r["open"]) for r in data["checklist_rounds"]["rows"]] == [(3, 2, 1)] * 3
    assert [r["count"] for r in data["liaison"]] == [int(page[f"liaison.{k}"])
                                                     for k in ("green", "yellow", "red", "ongoing")]
    assert [r["key"] for r in data["liaison"]] == ["green", "yellow", "red", "ongoing"]  # colour by meaning
    assert {r["label"]: r["found"] for r in data["disputes_village"]["rows"]} == {"甲村": 2, "乙村": 1}
    assert [(r["label"], r["found"], r["solved"], r["open"]) for r in data["disputes_month"]["rows"]] == [
        ("2024年6月", 3, 1, 2)]


def test_the_new_numbers_open_their_lists(parts, county, login):
    client = login(county.township_leader)
    _, text = page_of(client, county.town.code)
    links = {k: html.unescape(v) for k, v in re.findall(r'data-figure="([^"]+)" href="([^"]+)"', text)}
    for name, want in (("disputes.found", 3), ("disputes.kind.neighbour.found", 2),
                       (f"disputes.village.{county.village_a.code}.found", 2)):
        url = urlsplit(links[name])
        assert url.path == "/disputes/", name
        listed = client.get("/api/v1/disputes", dict(parse_qsl(url.query))).json()["count"]
        assert listed == want, name  # every dispute of the fixture was found in June
        assert client.get(links[name]).status_code == 200
    assert links["checklists.checked"].startswith(f"/checklists/?region={county.town.code}&from=2024-06-01")
    assert client.get(links["checklists.checked"]).status_code == 200
    api = client.get(links["liaison.people"]).json()
    assert api["rows"] and {r["user_id"] for r in api["rows"]} == {county.county_leader.pk, parts.leader2.pk}
    month = next(v for k, v in links.items() if k == "disputes.month.2024-06.found")
    assert client.get(month).json()["found"] == 3


def test_a_village_cadre_sees_only_the_village_figures(parts, county, login, client, bearer):
    page, text = page_of(login(county.cadre_a), county.village_a.code)
    assert page == expected(county.village_a.code, county.cadre_a, *JUNE)
    assert [page[f"checklists.{k}"] for k in ("checked", "failing", "cleared", "open")] == ["2", "2", "1", "1"]
    assert [page[f"disputes.{k}"] for k in ("found", "solved", "open", "open_with_deadline_and_owner")] == [
        "2", "1", "1", "1"]
    assert not any(k.startswith("liaison.") for k in page)  # no enterprise, nobody bound in the village
    assert "乙村" not in text and f"disputes.village.{county.village_b.code}" not in text
    assert login(county.cadre_a).get(f"/dashboards/{county.village_b.code}/?period=2024-06").status_code == 404
    h = bearer(county.cadre_a)
    for part in ("disputes", "checklists", "liaison"):
        other = client.get(f"/api/v1/metrics/{part}", {"region": county.village_b.code, "period": "2024-06"},
                           headers=h)
        assert other.status_code == 404, part
        assert client.get(f"/api/v1/metrics/{part}", {"region": county.town.code}, headers=h).status_code == 404
    own = client.get("/api/v1/metrics/checklists", {"period": "2024-06"}, headers=h).json()
    assert own["region"] == county.village_a.code and own["households"]["checked"] == 2
    assert client.get("/api/v1/metrics/disputes", {"period": "2024-06"}, headers=h).json()["found"] == 2
    assert client.get("/api/v1/metrics/liaison", {"period": "2024-06"}, headers=h).json()["enterprises"] == 0
    assert client.get("/api/v1/metrics/disputes", {"period": "2024-13"}, headers=h).status_code == 422
    assert Client().get("/api/v1/metrics/disputes", {"period": "2024-06"}).status_code == 401


def test_the_briefing_says_the_new_figures(parts, county):
    b = compose.compose(county.town.code, JUNE_P, today=LATER)
    for sentence in TOWN_SENTENCES:
        assert sentence in b.paragraphs
    assert b.paragraphs[0] == "截至6月30日，全镇本月收集意见建议3条，涉及邻里矛盾、土地纠纷两大类问题。"
    rows = {r.label: (r.value, r.note) for r in b.table}
    assert rows["两不愁三保障排查"] == ("4户", "发现问题3户，已清零2户")
    assert rows["排查未达标：住房安全有保障"] == ("1户", "已清零0户，已排查4户")
    assert "排查未达标：不愁吃" not in rows  # nothing failed there
    assert rows["县级领导联系重点企业（项目）"] == ("2个", "走访2次")
    assert rows["联系领导按月走访"] == ("1人达标", "1人未按要求走访；按月应走访2次，已走访1次")
    assert rows["排查矛盾纠纷"] == ("3件", "解决1件")
    assert rows["矛盾纠纷正在化解"] == ("2件", "已明确时限和责任人1件")
    village = compose.compose(county.village_a.code, JUNE_P, user=county.cadre_a, today=LATER)
    for sentence in VILLAGE_SENTENCES:
        assert sentence in village.paragraphs
    assert not any("县级领导联系" in p for p in village.paragraphs)  # no enterprise in 甲村
    village_b = compose.compose(county.village_b.code, JUNE_P, today=LATER)
    assert "本月，全村共排查矛盾纠纷1件，正在化解。" in village_b.paragraphs  # nothing solved: no "解决0件"
    county_b = compose.compose(county.county.code, JUNE_P, today=LATER)
    assert "全县县级领导联系重点企业（项目）2个，本月走访2次，1名领导未按要求走访。" in county_b.paragraphs


def test_the_docx_the_page_and_the_api_carry_them(parts, county, client, bearer, login):
    b = compose.compose(county.town.code, JUNE_P, today=LATER)
    buf = io.BytesIO()
    docx.write(b, buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    text = "\n".join(p.text for p in doc.paragraphs)
    for sentence in TOWN_SENTENCES:
        assert sentence in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ["两不愁三保障排查", "4户", "发现问题3户，已清零2户"] in cells
    assert ["县级领导联系重点企业（项目）", "2个", "走访2次"] in cells
    data = client.get("/api/v1/briefings", {"region": county.town.code, "period": "2024-06"},
                      headers=bearer(county.township_leader)).json()
    assert all(s in data["paragraphs"] for s in TOWN_SENTENCES)
    page = login(county.cadre_a).get("/briefings/?period=2024-06").content.decode()
    assert all(s in page for s in VILLAGE_SENTENCES) and "乙村" not in page


def test_absent_or_zero_figures_are_left_out(month_cases, county, login):
    b = compose.compose(county.county.code, periods.month(2024, 5), today=LATER)
    text = b.text()
    assert "两不愁三保障" not in text and "县级领导联系" not in text and "矛盾纠纷" not in text
    # the county leader is bound by the liaison rule with nothing paired: the dashboard says so (red)
    page, body = page_of(login(county.county_leader), county.county.code, "period=2024-05")
    assert (page["liaison.people"], page["liaison.red"], page["liaison.enterprises"]) == ("1", "1", "0")
    assert "checklists.checked" not in page and "data-chart=\"checklist_items\"" not in body
    assert page["disputes.found"] == "0"


def test_a_clean_check_and_the_year_so_far(county):
    from minqing.checklists.services import apply_visit_answers
    from minqing.fieldwork.services import record_visit
    from tests.checklists.helpers import PASS_ALL, make_checklist
    from tests.dashboards.conftest import at

    version = make_checklist(county).versions.get()
    for when, answers in ((at(2024, 3, 10), {"housing": False}), (at(2024, 6, 3), {})):
        v, _ = record_visit(actor=county.cadre_a, household=county.households["a1"], visited_at=when)
        apply_visit_answers(v, {"version": version.pk, "answers": {**PASS_ALL, **answers}}, actor=county.cadre_a)
    b = compose.compose(county.village_a.code, JUNE_P, today=LATER)
    assert "本月，全村共对1户开展两不愁三保障排查，均未发现问题。" in b.paragraphs
    # the year so far: found in March, cleared in June (the seeds' 摸排问题…清零)
    assert "2024年以来，全村两不愁三保障排查累计发现问题1户，已全部清零。" in b.paragraphs
    rows = {r.label: (r.value, r.note) for r in b.table}
    assert rows["两不愁三保障排查"] == ("1户", "发现问题0户，已清零0户")
    assert rows["2024年累计排查发现问题"] == ("1户", "已清零1户")
    march = compose.compose(county.village_a.code, periods.month(2024, 3), today=LATER)
    assert ("本月，全村共对1户开展两不愁三保障排查，发现问题1户（涉及住房安全有保障1户），正在逐户整改。"
            in march.paragraphs)
    assert not any(p.startswith("2024年以来") for p in march.paragraphs)  # the same as the month: said once
    year = compose.compose(county.village_a.code, periods.year(2024), today=LATER)
    assert ("今年以来，全村共对1户开展两不愁三保障排查，发现问题1户（涉及住房安全有保障1户），已全部清零。"
            in year.paragraphs)
    assert not any(p.startswith("2024年以来") for p in year.paragraphs)



def test_the_projector_view_shows_them_too(parts, county, login):
    page = shown(login(county.township_leader).get(f"/dashboards/{county.town.code}/?period=2024-06&view=big"))
    want = expected(county.town.code, county.township_leader, *JUNE)
    for key in ("checklists.cleared", "checklists.failing", "liaison.red", "disputes.found"):
        assert page[key] == want[key], key
    assert (page["checklists.cleared"], page["checklists.failing"], page["liaison.red"]) == ("2", "3", "1")


def test_the_new_sections_speak_both_languages(parts, county, login):
    client = login(county.township_leader)
    en = client.get(f"/dashboards/{county.town.code}/?period=2024-06", headers={"Accept-Language": "en"})
    text = en.content.decode()
    assert "Household checklists" in text and "monthly visits to key enterprises" in text and "By kind" in text
    assert "Round 2" in text and "两不愁三保障排查" not in text and "按类型" not in text
    zh = client.get(f"/dashboards/{county.town.code}/?period=2024-06").content.decode()
    assert "两不愁三保障排查" in zh and "第2轮" in zh and "按类型" in zh
    assert "县级领导联系重点企业（项目）按月走访" in zh


@pytest.mark.parametrize(("figures", "text"), [
    ({"found": 2, "solved": 0, "referred": 0, "open": 2, "open_with_deadline_and_owner": 2},
     "共排查矛盾纠纷2件，均正在化解并已明确时限和责任人"),
    ({"found": 3, "solved": 0, "referred": 1, "open": 2, "open_with_deadline_and_owner": 1},
     "共排查矛盾纠纷3件，依法导入诉讼、仲裁等程序1件，其余2件正在化解，其中1件已明确时限和责任人"),
    ({"found": 1, "solved": 0, "referred": 1, "open": 0, "open_with_deadline_and_owner": 0},
     "共排查矛盾纠纷1件，依法导入诉讼、仲裁等程序1件"),
])
def test_a_dispute_sentence_without_solved_ones_has_no_zero(figures, text):
    assert sections.dispute_text(figures) == text
    assert sections.dispute_sentences("全镇", "本月", figures) == [f"本月，全镇{text}。"]
