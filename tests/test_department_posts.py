"""County departments work by assignment, whatever their function: the county 人社局 sees its unit's
cases only and reveals nothing; the county 民政局 also sees (and may reveal) the households' register
of its county but no appeal, visit or village list beyond its unit's; a township 民政/社保 station sees
and reveals its township. The three administrator posts (等保 三权分立) see no resident and no case,
and a superuser reads no 举报 or family case (DOMAIN.md privacy table)."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.accounts.models import Post, Unit, User
from minqing.appeals import services
from minqing.appeals.models import Appeal, Report
from minqing.fieldwork.models import VillageListItem, Visit
from minqing.households.models import Household, Resident
from minqing.regions import jurisdiction
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db


def _persona(county, name: str, role: str, region, unit_kwargs: dict) -> User:
    unit = Unit.objects.create(region=region, **unit_kwargs)
    user = User.objects.create(username=name, display_name=name)
    Post.objects.create(user=user, unit=unit, role=role, region=region, started_on=dt.date(2020, 1, 1))
    county.units[name] = unit
    return user


@pytest.fixture
def posts(county):
    c = county
    return {
        "minzheng": _persona(c, "minzheng", "dept_handler", c.county,
                             {"name": "县民政局", "kind": "department", "function": "civil_affairs"}),
        "renshe": _persona(c, "renshe", "dept_handler", c.county,
                           {"name": "县人社局", "kind": "department", "function": "social_security"}),
        "shebao": _persona(c, "shebao", "township_staff", c.town,
                           {"name": "甲镇社保站", "kind": "township_station", "function": "social_security"}),
        "sysadmin": _persona(c, "sysadmin", "sysadmin", c.county, {"name": "县大数据中心", "kind": "department"}),
        "secadmin": _persona(c, "secadmin", "secadmin", c.county, {"name": "县网信办", "kind": "department"}),
        "auditor": _persona(c, "auditor", "auditor", c.county, {"name": "县审计室", "kind": "department"}),
    }


@pytest.fixture
def cases(county):
    """An appeal in each village, a visit in village A, one 举报 and one family dispute."""
    c = county

    def reg(region, **extra):
        fields = dict(region=region.code, kind="problem", channel="visit", title="路灯不亮", text="村口路灯坏了",
                      reporter_name="李四", phone="13800001111")
        fields.update(extra)
        return services.register_appeal(actor=c.county_leader, **fields)

    out = {"a": reg(c.village_a), "b": reg(c.village_b), "c": reg(c.village_c),
           "misconduct": reg(c.village_a, kind="misconduct", title="举报村干部"),
           "family": reg(c.village_a, kind="problem", title="家事")}
    Appeal.objects.filter(pk=out["family"].pk).update(sensitivity="family")
    from minqing.fieldwork.services import record_visit

    out["visit"], _ = record_visit(actor=c.cadre_a, household=c.households["a1"],
                                   visited_at=dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC), note="入户")
    return out


def _ids(user, model) -> set[int]:
    return set(jurisdiction.visible(user, model).values_list("pk", flat=True))


def test_county_renshe_sees_only_its_units_cases_and_reveals_nothing(county, posts, cases):
    renshe = posts["renshe"]
    assert _ids(renshe, Appeal) == set() and _ids(renshe, Report) == set()
    assert _ids(renshe, Household) == set() and _ids(renshe, Resident) == set()
    assert _ids(renshe, Visit) == set() and _ids(renshe, VillageListItem) == set()
    Appeal.objects.filter(pk=cases["b"].pk).update(unit=county.units["renshe"])
    assert _ids(renshe, Appeal) == {cases["b"].pk}  # assigned to its unit: it works that case
    assert not jurisdiction.can_reveal(renshe, county.residents["a1"])
    # the figures of the county stay theirs
    assert jurisdiction.scope_of(renshe).sees_figures(county.village_a.code)


def test_county_minzheng_sees_the_register_but_not_the_cases(county, posts, cases):
    minzheng = posts["minzheng"]
    assert _ids(minzheng, Household) == set(Household.objects.values_list("pk", flat=True))
    assert _ids(minzheng, Resident) == set(Resident.objects.values_list("pk", flat=True))
    assert jurisdiction.can_reveal(minzheng, county.residents["c1"])
    assert _ids(minzheng, Appeal) == set() and _ids(minzheng, Visit) == set()
    assert _ids(minzheng, VillageListItem) == set()


def test_the_renshe_reveal_is_refused_through_the_api(county, posts, bearer, client):
    r = county.residents["a1"]
    answer = client.post(f"/api/v1/households/residents/{r.pk}/reveal", {"field": "phone", "reason": "核实"},
                         content_type="application/json", **_headers(bearer(posts["renshe"])))
    assert answer.status_code == 404
    answer = client.post(f"/api/v1/households/residents/{r.pk}/reveal", {"field": "phone", "reason": "核实"},
                         content_type="application/json", **_headers(bearer(posts["minzheng"])))
    assert answer.status_code == 200 and answer.json()["value"] == PHONE_A


def _headers(h: dict[str, str]) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": h["Authorization"]}


def test_a_township_station_sees_and_reveals_its_township_only(county, posts, cases):
    shebao = posts["shebao"]
    assert _ids(shebao, Appeal) == {cases["a"].pk, cases["b"].pk}
    assert jurisdiction.can_reveal(shebao, county.residents["a1"])
    assert county.residents["c1"].pk not in _ids(shebao, Resident)


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditor"])
def test_administrator_posts_read_no_resident_and_no_case(county, posts, cases, name):
    user = posts[name]
    Appeal.objects.filter(pk=cases["a"].pk).update(unit=county.units[name])  # even a case of their own unit
    for model in (Appeal, Report, Household, Resident, Visit, VillageListItem):
        assert _ids(user, model) == set(), model.__name__
    assert not jurisdiction.can_reveal(user, county.residents["a1"])
    from minqing.appeals.access import may_register

    assert not may_register(jurisdiction.scope_of(user), county.village_a.code)


def test_a_superuser_reads_no_misconduct_report_or_family_case(county, cases):
    admin = county.users["admin"]
    seen = _ids(admin, Appeal)
    assert {cases["a"].pk, cases["b"].pk, cases["c"].pk} <= seen
    assert cases["misconduct"].pk not in seen and cases["family"].pk not in seen
    reports = set(Report.objects.filter(appeal__in=[cases["misconduct"], cases["family"]]).values_list("pk",
                                                                                                      flat=True))
    assert reports and not reports & _ids(admin, Report)
    from minqing.appeals.access import may_act

    assert not may_act(jurisdiction.scope_of(admin), cases["misconduct"], "remind")
    # the discipline commission still sees the 举报, the leaders and the mediator the family case
    assert cases["misconduct"].pk in _ids(county.inspector, Appeal)
    assert cases["family"].pk in _ids(county.mediator_a, Appeal)


def test_the_appeals_page_of_a_department_lists_its_unit_only(county, posts, cases, login):
    page = login(posts["renshe"]).get("/appeals/")
    assert page.status_code == 200
    text = page.content.decode()
    for key in ("a", "b", "c"):
        assert cases[key].number not in text
