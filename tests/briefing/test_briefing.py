"""工作简报: the seeds' sentences filled from a hand-counted month (tests/dashboards/conftest.py)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from minqing.briefing import compose, docx
from minqing.lib import periods

pytestmark = pytest.mark.django_db
LATER = dt.date(2024, 7, 1)
MAY = periods.month(2024, 5)

TOWN = [
    "截至5月31日，全镇本月收集意见建议11条，涉及人居环境整治、基础设施建设、村集体经济发展等四大类问题10条，"
    "另有1条尚待归类。",
    "全镇建立查摆问题整改台账，本月受理的诉求中，立行立改事项3条，已整改到位2条；限期整改事项5条，已办结3条，"
    "其余2条正在一线全力推进中。",
    "全镇办理期限在本月届满（含提前办结）的事项4件，已办结3件，办结率75.00%；其中按期办结2件，按期办结率50.00%；"
    "本月办结诉求6件（含往期受理），其中实际解决5件，问题解决率83.33%；另对1件不符合政策的诉求做好政策解答和思想疏导；"
    "本月受理诉求按时响应率27.27%。",
    "目前，全镇信访积案存量1件，同比下降50%。",
    "本月回访群众4人次，其中满意2人次、基本满意1人次、不满意1人次，群众满意度75.00%。",
    "本月摸排问题11条（涉及4户），提交乡镇研判2条，报送县级1条，其余由村级研判处理。",
]


def test_the_township_briefing_reads_as_the_seeds_write(month_cases, county):
    b = compose.compose(county.town.code, MAY, today=LATER)
    assert b.title == "甲镇2024年5月民情工作简报"
    assert b.paragraphs == TOWN


def test_the_village_briefing_uses_its_own_words(month_cases, county):
    b = compose.compose(county.village_b.code, MAY, today=LATER)
    assert b.paragraphs[0] == "截至5月31日，全村本月收集意见建议4条，涉及村集体经济发展、基础设施建设等三大类问题。"
    assert b.paragraphs[1] == ("全村建立查摆问题整改台账，本月受理的诉求中，立行立改事项1条，已全部整改到位；"
                               "限期整改事项3条，已办结1条，其余2条正在一线全力推进中。")
    assert "目前，全村信访积案已全部化解清零，去年同期为1件。" in b.paragraphs
    assert "本月回访群众1人次，其中基本满意1人次，群众满意度100.00%。" in b.paragraphs
    assert not any(re.search(r"(?<![\d.])0(条|件|户|人次)", p) for p in b.paragraphs)  # no "0条" sentences


def test_the_county_briefing_says_so(month_cases, county):
    b = compose.compose(county.county.code, MAY, today=dt.date(2024, 5, 20))
    assert b.paragraphs[0].startswith("截至目前，全县本月收集意见建议12条")
    assert "目前，全县信访积案存量1件，同比下降50%。" in b.paragraphs


def test_a_quiet_month_prints_no_zero_sentences(county):
    b = compose.compose(county.village_c.code, periods.month(2024, 2), today=LATER)
    assert b.paragraphs == ["本月全村未收集到群众诉求。"]


def test_the_table_of_figures_behind_the_text(month_cases, county):
    rows = {r.label: (r.value, r.note) for r in compose.compose(county.town.code, MAY, today=LATER).table}
    assert rows["收集意见建议"] == ("11条", "其中尚待归类1条")
    assert "问题分类：未分类" not in rows  # cases without a class are no class
    assert rows["立行立改"] == ("3条", "已整改到位2条")
    assert rows["按期办结率"] == ("50.00%", "2/4")
    assert rows["满意率"] == ("75.00%", "3/4")
    assert rows["信访积案存量"] == ("1件", "去年同期2件，同比下降50%")
    assert rows["问题分类：人居环境整治"] == ("4条", "")


def test_typical_cases_cite_solved_cases_without_personal_data(month_cases, county):
    b = compose.compose(county.town.code, MAY, today=LATER)
    # C2 (基础设施建设 handled by 县住建局, whose work it is not) is no typical case; one case per class
    assert [c.title for c in b.cases] == ["乙村：合作社分红不清（村集体经济发展）。",
                                          "甲村：路灯不亮（基础设施建设）。",
                                          "甲村：村口垃圾堆放（人居环境整治）。"]
    assert b.cases[0].text == "经限期办理，于5月28日办结，群众表示基本满意。"
    assert "督办" not in b.text()  # no 挂牌督办 event recorded in this month
    text = b.text()
    assert "13812345678" not in text and "反映人" not in text


def test_a_department_briefing_has_figures_but_no_cases(month_cases, county):
    b = compose.compose(county.county.code, MAY, user=county.dept_handler, today=LATER)
    assert b.paragraphs[0].startswith("截至5月31日，全县本月收集意见建议12条")
    assert b.cases == []  # its own unit's only case (C2) is a road: not 住建局's work, not typical


def test_the_docx_holds_the_sentences_and_the_table(month_cases, county, tmp_path):
    b = compose.compose(county.town.code, MAY, today=LATER)
    buf = io.BytesIO()
    docx.write(b, buf)
    doc = Document(io.BytesIO(buf.getvalue()))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert [p.text for p in doc.paragraphs[:2]] == ["民情工作简报", "2024年第5期"]  # 版头: series and 期号
    assert doc.paragraphs[0].runs[0].font.color.rgb == docx.RED
    assert "甲镇民情工作领导小组办公室\t2024年7月1日" in doc.paragraphs[2].text  # 编发单位 and date
    assert 'w:color="E60012"' in doc.paragraphs[2]._p.xml  # the red line under the 版头
    assert "甲镇2024年5月民情工作简报" in text
    for sentence in TOWN:
        assert sentence in text
    assert "典型案例" in text
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert cells[0] == ["指标", "数值", "说明"]
    assert ["满意率", "75.00%", "3/4"] in cells
    assert "报：宣汉县委、宣汉县人民政府" in text and "发：各村（社区）党组织、村（居）民委员会" in text  # 版记
    assert "2024年7月1日印发" in text
    footers = doc.sections[0].footer._element.xml + doc.sections[0].even_page_footer._element.xml
    assert footers.count("PAGE") == 2 and "— " in footers  # page numbers, odd and even pages


def test_the_cli_writes_the_docx(month_cases, county, tmp_path, capsys):
    out = tmp_path / "简报.docx"
    call_command("report", "briefing", "--region", county.town.code[:9], "--period", "2024-05", "--out", str(out))
    doc = Document(str(out))
    assert any(p.text == TOWN[1] for p in doc.paragraphs)
    assert "已生成 甲镇2024年5月民情工作简报" in capsys.readouterr().out
    call_command("report", "briefing", "--region", county.town.code, "--period", "2024-05")
    assert TOWN[3] in capsys.readouterr().out


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "511722100", "--period", "2024-13"], "统计期间“2024-13”无效"),
    (["--region", "abc", "--period", "2024-05"], "区划"),
    (["--region", "511722999", "--period", "2024-05"], "不存在"),
    (["--region", "511722100", "--period", "2024-05", "--out", "x.pdf"], ".docx"),
])
def test_the_cli_refuses_bad_input_in_chinese(county, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("report", "briefing", *args)


def test_the_page_shows_the_briefing(month_cases, county, login):
    response = login(county.township_leader).get(f"/briefings/?region={county.town.code}&period=2024-05")
    assert response.status_code == 200
    text = response.content.decode()
    assert "甲镇2024年5月民情工作简报" in text
    assert "2024年第5期" in text and "报：宣汉县委、宣汉县人民政府" in text  # the 简报's 版头 and 版记
    for sentence in TOWN[1:]:
        assert sentence in text
    home = login(county.cadre_a).get("/briefings/?period=2024-05").content.decode()
    assert "甲村2024年5月民情工作简报" in home and "全村本月收集意见建议7条" in home


def test_the_docx_downloads_at_once_and_as_a_job(month_cases, county, login):
    client = login(county.township_leader)
    response = client.get(f"/briefings/docx/?region={county.town.code}&period=2024-05")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert TOWN[3] in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    response = client.post("/briefings/generate/", {"region": county.town.code, "period": "2024-05"})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    detail = client.get(response["Location"]).content.decode()
    assert "100%" in detail and "/download/" in detail
    file = client.get(response["Location"] + "download/")
    assert file.status_code == 200
    doc = Document(io.BytesIO(b"".join(file.streaming_content)))
    assert "甲镇2024年5月民情工作简报" in [p.text for p in doc.paragraphs]


def test_the_api_answers_the_briefing(month_cases, county, client, bearer):
    data = client.get(f"/api/v1/briefings?region={county.town.code}&period=2024-05",
                      headers=bearer(county.township_leader)).json()
    assert data["paragraphs"][1:] == TOWN[1:]
    assert client.get(f"/api/v1/briefings?region={county.village_b.code}&period=2024-05",
                      headers=bearer(county.cadre_a)).status_code == 404
    bad = client.get("/api/v1/briefings?period=2024-13", headers=bearer(county.cadre_a))
    assert bad.status_code == 422 and "无效" in bad.json()["detail"]


@pytest.mark.parametrize(("text", "label", "start", "end"), [
    ("2024-05", "2024年5月", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
    ("2024-Q1", "2024年第一季度", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2024q4", "2024年第四季度", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
    ("2024", "2024年", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
])
def test_periods(text, label, start, end):
    p = periods.parse(text)
    assert (p.label, p.start, p.end) == (label, start, end)
    c = periods.parse(None, "2024-02-03", "2024-03-04")
    assert c.label == "2024年2月3日至3月4日" and c.kind == "custom"
    assert compose.cn_number(4) == "四" and compose.cn_number(15) == "十五" and compose.cn_number(37) == "三十七"
