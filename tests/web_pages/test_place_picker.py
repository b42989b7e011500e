"""Item 4 of issue 18: places picked by name from the user's own places (never a typed 区划代码), the
ledger export and import on the appeals workbench in users' words, and the 研判 form that shows the
chosen decision's fields and asks for a missing one by its label."""

from __future__ import annotations

import re

import pytest

from minqing.appeals.models import Appeal
from minqing.regions import picker

pytestmark = pytest.mark.django_db

PAGES = ["/nlp/hotspots/", "/disputes/", "/disputes/risks/", "/jobs/", "/checklists/", "/households/",
         "/briefings/", "/appeals/", "/hotline/"]


def _options(html: str, name: str = "region") -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*class="place-select"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no place picker"
    return re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select[1])


def test_the_groups_follow_the_jurisdiction(county):
    c = county
    town = picker.place_groups(c.township_leader)
    assert [label for label, _places in town] == ["甲镇"]
    assert [code for code, _n in town[0][1]] == [c.town.code, c.village_a.code, c.village_b.code]
    assert town[0][1][0][1] == "甲镇（全镇）"
    assert picker.flat_choices(picker.place_groups(c.cadre_a)) == [(c.village_a.code, "甲镇甲村")]
    whole = picker.place_groups(c.county_leader)
    assert whole[0] == ("", [(c.county.code, "宣汉县")]) and {g for g, _p in whole[1:]} == {"甲镇", "乙镇"}
    assert picker.place_groups(c.outsider) == []


@pytest.mark.parametrize("url", PAGES)
def test_no_page_asks_for_a_typed_region_code(county, login, url):
    html = login(county.township_leader).get(url).content.decode()
    assert "区划代码" not in html and not re.search(r'<input(?![^>]*type="hidden")[^>]*name="region"', html)
    options = _options(html)
    names = [n for _c, n in options]
    assert "甲村" in names and "丙村" not in names, names  # the user's places only, by name


def test_a_village_cadre_is_offered_only_their_village(county, login):
    options = _options(login(county.cadre_a).get("/nlp/hotspots/").content.decode())
    assert [c for c, _n in options if c] == [county.village_a.code]


def test_the_ledger_is_on_the_workbench_in_users_words(county, login):
    html = login(county.township_leader).get("/appeals/").content.decode()
    assert 'action="/jobs/ledger-export/"' in html and 'action="/jobs/ledger-import/"' in html
    assert "整改台账" in html and "泰迪杯2020数据格式" in html and "taidi2020c" not in html
    assert re.search(r'<option value="taidi">泰迪杯2020数据格式</option>', html)


def test_the_review_form_marks_each_field_with_its_decision(county, stages, login):
    appeal = stages.registered()
    html = login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode()
    form = html[html.index('id="act-review"'):]
    form = form[:form.index("</details>")]
    assert re.search(r'data-for="assign">\s*<label for="f-review-unit"', form)
    assert re.search(r'data-for="solve_on_spot">\s*<label class="wide" for="f-review-what"', form)
    assert 'data-for="escalate"' in form and 'data-for="explain"' in form


@pytest.mark.parametrize(("payload", "message"), [
    ({"decision": "assign", "person": "@dept_handler", "measures": "派人维修"}, "请选择承办单位"),
    ({"decision": "assign", "unit": "@housing", "measures": "派人维修"}, "请选择责任人"),
    ({"decision": "assign", "unit": "@housing", "person": "@dept_handler"}, "请填写办理措施"),
    ({"decision": "solve_on_spot"}, "请填写现场处理情况"),
])
def test_a_missing_field_is_asked_for_by_its_label(county, stages, login, payload, message):
    appeal = stages.registered()
    version = Appeal.objects.get(pk=appeal.pk).version
    data = {k: {"@housing": county.units["housing"].pk, "@dept_handler": county.dept_handler.pk}.get(v, v)
            for k, v in payload.items()}
    response = login(county.cadre_a).post(f"/appeals/{appeal.pk}/actions/review/", data)
    assert response.status_code == 422
    text = response.content.decode()
    assert message in text and "不存在" not in text
    assert Appeal.objects.get(pk=appeal.pk).version == version


def test_a_village_cadres_person_list_holds_their_village_only(county, stages, login):
    from minqing.web import actionforms

    appeal = stages.registered()
    cadre_people = [name for _unit, people in actionforms.people_for(appeal, county.cadre_a) for _pk, name in people]
    assert cadre_people and all("dept_handler" not in n for n in cadre_people)
    units = [u for u, _people in actionforms.people_for(appeal, county.cadre_a)]
    assert units == ["甲村村委会"] or set(units) <= {"甲村村委会", "甲村调解委员会"}, units
    leader_units = [u for u, _people in actionforms.people_for(appeal, county.township_leader)]
    assert "县住建局" in leader_units  # a township leader still names the county's people
