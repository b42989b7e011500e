"""Staff attributes the seeds count (党员, 出生年份 → 35岁以下, 职级): entered by the county's system
administrator on the staff page, by the staff import and through the API; counted for leaders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.accounts import services
from minqing.accounts.models import User
from minqing.audit.models import Event
from minqing.cadres import figures
from tests.sysadmin.conftest import other_sysadmin, sysadmin  # noqa: F401 - fixtures

TODAY = timezone.localdate()


def _import(client, tmp_path, text: str) -> str:
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    with path.open("rb") as f:
        return client.post("/setup/staff/import/", {"file": f}).content.decode()


def test_the_staff_page_sets_and_clears_the_attributes(county, sysadmin, login, client):  # noqa: F811
    login(sysadmin)
    user = services.create_staff(actor=sysadmin, county=county.county.code, username="wang", display_name="王五")
    page = client.get(f"/setup/staff/{user.pk}/").content.decode()
    assert 'name="party_member"' in page and 'name="birth_year"' in page and 'name="rank"' in page
    client.post(f"/setup/staff/{user.pk}/", {"do": "attributes", "party_member": "1", "birth_year": "1992",
                                             "rank": "section_deputy"})
    user.refresh_from_db()
    assert (user.party_member, user.birth_year, user.rank) == (True, 1992, "section_deputy")
    event = Event.objects.get(action="staff.attributes_set")
    assert event.changes["birth_year"] == [None, 1992]
    client.post(f"/setup/staff/{user.pk}/", {"do": "attributes", "party_member": "", "birth_year": "", "rank": ""})
    user.refresh_from_db()
    assert (user.party_member, user.birth_year, user.rank) == (None, None, "")
    bad = client.post(f"/setup/staff/{user.pk}/", {"do": "attributes", "party_member": "1",
                                                   "birth_year": str(TODAY.year - 3), "rank": ""}, follow=True)
    assert "出生年份须在" in bad.content.decode()
    assert Event.objects.filter(action="staff.attributes_set").count() == 2  # unchanged: no event


def test_attributes_belong_to_the_counties_administrator(county, sysadmin, other_sysadmin):  # noqa: F811
    user = services.create_staff(actor=sysadmin, county=county.county.code, username="zhao", display_name="赵六")
    with pytest.raises(PermissionDenied):
        services.set_attributes(user, actor=other_sysadmin, party_member=True, birth_year=1990, rank="")
    with pytest.raises(ValidationError):
        services.set_attributes(user, actor=sysadmin, party_member=True, birth_year=1990, rank="general")


def test_the_import_reads_party_birth_year_and_rank(county, sysadmin, login, client, tmp_path):  # noqa: F811
    login(sysadmin)
    page = _import(client, tmp_path, "登录名,姓名,单位,职务,党员,出生年份,职级\n"
                   "zhang,张三,甲镇党委政府,乡镇党委书记,中共党员,1985,乡科级正职\n"
                   "li,李四,甲村村委会,网格员,群众,abc,村官\n")
    assert "第3行 “出生年份”" in page and "第3行 “职级”" in page and not User.objects.filter(username="zhang").exists()
    done = _import(client, tmp_path, "登录名,姓名,单位,职务,党员,出生年份,职级\n"
            "zhang,张三,甲镇党委政府,乡镇党委书记,中共党员,1985,乡科级正职\n"
            "li,李四,甲村村委会,网格员,否,2001,village\n")
    assert "已导入" in done, done[done.find("id_dry_run"):][:1500]
    zhang, li = User.objects.get(username="zhang"), User.objects.get(username="li")
    assert (zhang.party_member, zhang.birth_year, zhang.rank) == (True, 1985, "section_principal")
    assert (li.party_member, li.birth_year, li.rank) == (False, 2001, "village")
    # A file without the columns leaves what was entered.
    _import(client, tmp_path, "登录名,姓名,单位,职务\nli,李四,乙村村委会,网格员\n")
    li.refresh_from_db()
    assert li.birth_year == 2001


def test_the_api_sets_the_attributes(client, county, sysadmin, bearer):  # noqa: F811
    user = services.create_staff(actor=sysadmin, county=county.county.code, username="qian", display_name="钱七")
    got = client.put(f"/api/v1/setup/staff/{user.pk}/attributes", {"party_member": False, "birth_year": 1999,
                                                                    "rank": "clerk"},
                     content_type="application/json", headers=bearer(sysadmin))
    assert got.status_code == 200 and got.json()["rank"] == "clerk" and got.json()["party_member"] is False


def test_leaders_get_the_counts_of_young_cadres_and_party_members(county, client, bearer):
    year = TODAY.year
    User.objects.filter(pk=county.cadre_a.pk).update(party_member=True, birth_year=year - 35, rank="village")
    User.objects.filter(pk=county.cadre_b.pk).update(party_member=False, birth_year=year - 36, rank="village")
    User.objects.filter(pk=county.township_leader.pk).update(party_member=True, birth_year=year - 45,
                                                             rank="section_principal")
    staff = figures.cadre_counts(county.town.code, TODAY)
    # In 甲镇: township_leader, civil_staff, cadre_a, cadre_b, mediator_a.
    assert (staff["total"], staff["party"], staff["young"], staff["party_unknown"], staff["age_unknown"]) == \
        (5, 2, 1, 2, 2)
    assert {r["rank"]: r["n"] for r in staff["by_rank"]} == {"section_principal": 1, "village": 2}
    assert staff["rank_unknown"] == 2
    section = client.get(f"/api/v1/metrics/cadres?region={county.town.code}", headers=bearer(county.township_leader))
    assert section.status_code == 200 and section.json()["staff"]["party"] == 2
    # Not a leader: no figures, in the API as in the section.
    station = client.get(f"/api/v1/metrics/cadres?region={county.town.code}", headers=bearer(county.civil_staff))
    assert station.json()["available"] is False and "staff" not in station.json()
    assert figures.section(county.town.code, TODAY, TODAY, user=county.township_leader)["staff"]["young"] == 1


def test_the_leaders_page_shows_the_counts(county, login):
    year = TODAY.year
    User.objects.filter(pk=county.cadre_a.pk).update(party_member=True, birth_year=year - 30)
    text = login(county.township_leader).get("/cadres/").content.decode()
    assert 'data-figure="cadres.young">1<' in text and 'data-figure="cadres.party">1<' in text
    assert 'data-figure="cadres.total">' not in login(county.cadre_a).get("/cadres/").content.decode()


def test_birth_years_out_of_range_are_refused():
    with pytest.raises(ValidationError):
        services.clean_attributes(None, 1900, "", today=dt.date(2025, 1, 1))
    assert services.clean_attributes(None, "1990", "", today=dt.date(2025, 1, 1))["birth_year"] == 1990
