"""Jurisdiction: a cadre of village A tries every list, detail, search and export URL for village B
(pages with a session, API with a bearer token); the other personas see what their posts cover;
reveals follow docs/domain.md "Privacy" and are logged without the clear value."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from minqing.audit.models import Event
from minqing.households import services as hh
from minqing.households.models import Household, Resident
from minqing.regions import jurisdiction
from tests.conftest import ID_A, ID_B, PHONE_A, PHONE_B

pytestmark = pytest.mark.django_db


# -- every URL that names one object, with how to aim it at village B --------------------------------
# A new view or API route with a parameter must be added here, or test_every_object_url_is_covered fails.
OBJECT_URLS = {
    "web:region": ("get", lambda c: f"/regions/{c.village_b.code}/"),
    "web:household": ("get", lambda c: f"/households/{c.households['b1'].pk}/"),
    "web:resident_reveal": ("post", lambda c: f"/residents/{c.residents['b1'].pk}/reveal/"),
    "api:get_region": ("get", lambda c: f"/api/v1/regions/{c.village_b.code}"),
    "api:get_household": ("get", lambda c: f"/api/v1/households/{c.households['b1'].pk}"),
    "api:reveal_resident": ("post", lambda c: f"/api/v1/households/residents/{c.residents['b1'].pk}/reveal"),
    "api:get_appeal": ("get", lambda c: f"/api/v1/appeals/{_appeal_b(c).pk}"),
    "api:act": ("post", lambda c: f"/api/v1/appeals/{_appeal_b(c).pk}/actions/remind"),
    "web:appeal_reclassify": ("post", lambda c: f"/appeals/{_appeal_b(c).pk}/reclassify/"),
    "web:appeal_category": ("post", lambda c: f"/appeals/{_appeal_b(c).pk}/category/"),
    "api:reclassify_appeal": ("post", lambda c: f"/api/v1/appeals/{_appeal_b(c).pk}/reclassify"),
    "web:appeal_repeat_decide": ("post", lambda c: f"/appeals/{_appeal_b(c).pk}/repeats/1/"),
    # a part's figures: the part is no object; the region asked for is village B's
    "api:metrics_part": ("get", lambda c: f"/api/v1/metrics/disputes?region={c.village_b.code}"),
    "api:list_reports": ("get", lambda c: f"/api/v1/appeals/{_appeal_b(c).pk}/reports"),
    "api:upload_attachment": ("post", lambda c: f"/api/v1/appeals/{_appeal_b(c).pk}/attachments"),
    "api:reveal_phone": ("post", lambda c: (f"/api/v1/appeals/{_appeal_b(c).pk}/reports/"
                                            f"{_appeal_b(c).reports.first().pk}/reveal")),
}

PARTS = ("fieldwork", "checklists", "enterprises", "disputes", "nlp", "portal", "briefing", "jobs", "dashboards",
         "web_pages", "security", "households", "sysadmin", "notices", "cadres")
for _part in PARTS:  # each part keeps its own list in tests/<part>/object_urls.py
    OBJECT_URLS.update(__import__(f"tests.{_part}.object_urls", fromlist=["OBJECT_URLS"]).OBJECT_URLS)


def _appeal_b(c):
    """An appeal raised in village B (made once per county fixture)."""
    if not hasattr(c, "_appeal_b"):
        from minqing.appeals.services import register_appeal

        c._appeal_b = register_appeal(actor=c.cadre_b, region=c.village_b.code, kind="problem", channel="visit",
                                      title="路灯不亮", text="村口路灯坏了", reporter_name="李四",
                                      phone="13800001111")
    return c._appeal_b
# Valid enough for every object route's body schema, so the API reaches the view (not a 422 first).
POST_BODY = {"field": "phone", "reason": "核实", "region_id": "511722100201", "number": "9", "head_id": 1,
             "resident_ids": [1], "source_id": 1, "name": "探针", "status": "moved_out", "unit_id": 1,
             "role": "village_cadre", "text": "2031-01-01 休 元旦"}


def _routes(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name, p.pattern.converters


# Only the portal's public tracking routes (a tracking code, no account) are exempt: tests/portal checks them.
# Open311 is public by its standard (no personal data, no protected case: tests/hotline/test_open311.py)
EXEMPT = ("admin/", "portal/", "api/v1/portal/", "open311/")


def _checked(route: str) -> bool:
    return not route.startswith(EXEMPT)


def test_every_object_url_is_covered():
    """Fails when a page or an API route takes an object id/code that this file
    does not try for village B."""
    with_params = {name: route for route, name, converters in _routes(get_resolver().url_patterns)
                   if converters and _checked(route)}
    missing = sorted(f"{name} ({route})" for name, route in with_params.items() if name not in OBJECT_URLS)
    assert not missing, f"add these to OBJECT_URLS in {__file__}: {missing}"


def _call(client, method, url, **headers):
    if method in ("patch", "put"):  # (API only: a JSON body)
        return getattr(client, method)(url, POST_BODY, content_type="application/json", headers=headers)
    if method == "post":
        if url.startswith("/api/"):
            return client.post(url, POST_BODY, content_type="application/json", headers=headers)
        return client.post(url, POST_BODY, headers=headers)
    return client.get(url, headers=headers)


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_it_hides_village_b_objects_from_village_a_by_session(county, login, name):
    client = login(county.cadre_a)
    method, build = OBJECT_URLS[name]
    assert _call(client, method, build(county)).status_code == 404


@pytest.mark.parametrize("name", sorted(n for n in OBJECT_URLS if n.startswith("api:")))
def test_it_hides_village_b_objects_from_village_a_by_token(county, client, bearer, name):
    method, build = OBJECT_URLS[name]
    assert _call(client, method, build(county), **bearer(county.cadre_a)).status_code == 404


def test_the_same_urls_answer_for_village_a_objects(county, login):
    client = login(county.cadre_a)
    assert client.get(f"/regions/{county.village_a.code}/").status_code == 200
    assert client.get(f"/households/{county.households['a1'].pk}/").status_code == 200
    assert client.post(f"/residents/{county.residents['a1'].pk}/reveal/", POST_BODY).status_code == 302
    assert client.get(f"/api/v1/regions/{county.village_a.code}").status_code == 200
    assert client.get(f"/api/v1/households/{county.households['a1'].pk}").status_code == 200


def test_no_reveal_of_b_was_logged(county, login, bearer, client):
    login(county.cadre_a).post(f"/residents/{county.residents['b1'].pk}/reveal/", POST_BODY)
    client.post(f"/api/v1/households/residents/{county.residents['b1'].pk}/reveal", POST_BODY,
                content_type="application/json", headers=bearer(county.cadre_a))
    assert not Event.objects.filter(action="resident.revealed").exists()


# -- lists, searches and exports ------------------------------------------------------------------------
B_NAMES = ("乙村户主1", "乙村户主2", "丙村户主1")


def _page_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", [
    "", "?region=511722100202", "?region=511722100", "?region=511722", "?region=51", "?q=乙村户主1", "?q=乙村",
    f"?q={PHONE_B}", f"?q={ID_B}", "?tag=dibao", "?region=511722100202&tag=dibao",
])
def test_it_lists_and_searches_only_village_a(county, login, query):
    text = _page_text(login(county.cadre_a).get(f"/households/{query}", follow=True))
    for name in B_NAMES:
        assert f">{name}</a>" not in text  # (the search box may echo the query)
    for h in ("b1", "b2", "c1"):
        assert f"/households/{county.households[h].pk}/" not in text


def test_it_finds_own_households_by_whole_phone_or_id(county, login):
    client = login(county.cadre_a)
    assert "甲村户主1" in _page_text(client.get(f"/households/?q={PHONE_A}", follow=True))
    assert "甲村户主1" in _page_text(client.get(f"/households/?q={ID_A}", follow=True))
    assert "甲村户主2" in _page_text(client.get("/households/?q=甲村户主2"))


@pytest.mark.parametrize("query", ["", "?region=511722100202", "?region=511722100", "?q=乙村", f"?q={PHONE_B}",
                                   "?tag=dibao"])
def test_it_exports_no_village_b_rows(county, login, query):
    response = login(county.cadre_a).get(f"/households/export.csv{query}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "户编号"
    villages = {row[1] for row in rows[1:]}
    assert villages <= {"甲村"}
    for name in B_NAMES:
        assert name not in body
    for clear in (ID_A, ID_B, PHONE_A, PHONE_B):
        assert clear not in body


def test_the_export_refuses_a_bad_region_code(county, login):
    response = login(county.cadre_a).get("/households/export.csv?region=abc")
    assert response.status_code == 400
    assert "区划代码" in response.content.decode()


@pytest.mark.parametrize("query", ["?region=511722100202", "?region=511722100202000", "?region=511722101",
                                   f"?q={PHONE_B}", f"?q={ID_B}", "?q=乙村户主1"])
def test_the_api_lists_no_village_b_households(county, client, bearer, query):
    response = client.get(f"/api/v1/households{query}", headers=bearer(county.cadre_a))
    if "511722100202000" in query:  # 15 digits: not a code
        assert response.status_code == 422
        return
    assert response.status_code == 200
    assert response.json()["count"] == 0 and response.json()["items"] == []


def test_the_api_lists_village_a_households(county, client, bearer):
    data = client.get("/api/v1/households", headers=bearer(county.cadre_a)).json()
    assert data["count"] == 2
    assert {item["region_id"] for item in data["items"]} == {county.village_a.code}
    assert all("id" in item for item in data["items"])


def test_the_api_answers_a_bad_region_code_with_a_chinese_422(county, client, bearer):
    response = client.get("/api/v1/households?region=abc", headers=bearer(county.cadre_a))
    assert response.status_code == 422
    assert "区划代码" in response.json()["detail"]
    response = client.get("/api/v1/regions?region=abc", headers=bearer(county.cadre_a))
    assert response.status_code == 422


def test_the_api_lists_only_own_regions_and_ancestors(county, client, bearer):
    headers = bearer(county.cadre_a)
    data = client.get("/api/v1/regions?region=511722100202", headers=headers).json()
    assert data["count"] == 0
    codes = {r["code"] for r in client.get("/api/v1/regions?limit=500", headers=headers).json()["items"]}
    assert county.village_a.code in codes and county.town.code in codes and county.county.code in codes
    assert county.village_b.code not in codes and county.village_c.code not in codes
    assert county.town2.code not in codes
    children = client.get(f"/api/v1/regions?parent={county.town.code}", headers=headers).json()
    assert [r["code"] for r in children["items"]] == [county.village_a.code]
    for short in ("511722100202", county.village_c.code, "511722101"):
        assert client.get(f"/api/v1/regions/{short}", headers=headers).status_code == 404
    assert client.get("/api/v1/regions/511722", headers=headers).status_code == 200  # an ancestor, named


def test_the_township_page_does_not_name_village_b(county, login):
    text = _page_text(login(county.cadre_a).get(f"/regions/{county.town.code}/"))
    assert "甲村" in text and "乙村" not in text and "丙村" not in text


def test_a_removed_household_is_gone(county, login):
    hh.remove_household(county.households["a2"], actor=county.cadre_a, reason="户籍迁出")
    client = login(county.cadre_a)
    assert client.get(f"/households/{county.households['a2'].pk}/").status_code == 404
    assert "甲村户主2" not in _page_text(client.get("/households/"))


def test_anonymous_visitors_are_sent_to_log_in(county, client):
    response = client.get(f"/households/{county.households['a1'].pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/households/export.csv").status_code == 302
    assert client.get("/api/v1/households").status_code == 401
    assert client.get("/api/v1/households", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_the_admin_is_closed_to_cadres(county, login):
    response = login(county.cadre_a).get("/admin/households/household/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# -- the other personas ---------------------------------------------------------------------------------
def _visible_keys(county, user) -> set[str]:
    ids = set(jurisdiction.visible(user, Household).values_list("pk", flat=True))
    return {key for key, h in county.households.items() if h.pk in ids}


def test_each_persona_sees_its_own_households(county):
    assert _visible_keys(county, county.cadre_a) == {"a1", "a2"}
    assert _visible_keys(county, county.cadre_b) == {"b1", "b2"}
    assert _visible_keys(county, county.township_leader) == {"a1", "a2", "b1", "b2"}
    assert _visible_keys(county, county.civil_staff) == {"a1", "a2", "b1", "b2"}
    assert _visible_keys(county, county.mediator_a) == {"a1", "a2"}
    assert _visible_keys(county, county.county_leader) == set(county.households)
    assert _visible_keys(county, county.admin) == set(county.households)
    for nobody in (county.dept_handler, county.inspector, county.outsider, None):
        assert _visible_keys(county, nobody) == set()


def test_the_township_leader_sees_both_villages_but_not_another_township(county, login):
    client = login(county.township_leader)
    text = _page_text(client.get("/households/"))
    assert "甲村户主1" in text and "乙村户主1" in text and "丙村户主1" not in text
    assert client.get(f"/households/{county.households['b1'].pk}/").status_code == 200
    assert client.get(f"/households/{county.households['c1'].pk}/").status_code == 404
    assert client.get(f"/regions/{county.village_c.code}/").status_code == 404


def test_the_county_leader_sees_all(county, client, bearer):
    data = client.get("/api/v1/households", headers=bearer(county.county_leader)).json()
    assert data["count"] == 6
    assert client.get(f"/api/v1/households/{county.households['c1'].pk}",
                      headers=bearer(county.county_leader)).status_code == 200


@pytest.mark.parametrize("persona", ["dept_handler", "inspector", "outsider"])
def test_people_without_a_place_see_no_households_but_their_home_page(county, login, client, bearer, persona):
    user = getattr(county, persona)
    web = login(user)
    assert web.get("/").status_code == 200
    assert "甲村户主1" not in _page_text(web.get("/households/"))
    assert web.get(f"/households/{county.households['a1'].pk}/").status_code == 404
    body = b"".join(web.get("/households/export.csv").streaming_content).decode("utf-8-sig")
    assert len(body.strip().splitlines()) == 1  # the header only
    web.logout()
    api = client.get("/api/v1/households", headers=bearer(user)).json()
    assert api == {"items": [], "count": 0}
    assert client.get(f"/api/v1/households/{county.households['a1'].pk}", headers=bearer(user)).status_code == 404


def test_the_department_still_sees_its_regions_for_figures(county):
    scope = jurisdiction.scope_of(county.dept_handler)
    assert scope.place_codes == () and scope.figure_codes == (county.county.code,)
    assert jurisdiction.visible(county.dept_handler, county.village_b.__class__).filter(
        code=county.village_b.code).exists()


def test_an_ended_or_future_post_gives_no_jurisdiction(county):
    import datetime as dt

    from minqing.accounts.models import Post

    Post.objects.filter(user=county.cadre_a).update(ended_on=dt.date(2021, 1, 1))
    assert _visible_keys(county, county.cadre_a) == set()
    Post.objects.filter(user=county.cadre_b).update(started_on=dt.date(2999, 1, 1))
    assert _visible_keys(county, county.cadre_b) == set()


# -- reveal: who may, and each reveal logged without the value ------------------------------------------
@pytest.mark.parametrize(("persona", "resident", "allowed"), [
    ("cadre_a", "a1", True),
    ("civil_staff", "a1", True),
    ("civil_staff", "b1", True),
    ("admin", "c1", False),  # a system administrator is not in the privacy table
    ("county_leader", "a1", False),
    ("township_leader", "a1", False),
    ("mediator_a", "a1", False),
])
def test_reveal_follows_the_privacy_table(county, client, bearer, persona, resident, allowed):
    r = county.residents[resident]
    response = client.post(f"/api/v1/households/residents/{r.pk}/reveal", {"field": "phone", "reason": "回访"},
                           content_type="application/json", headers=bearer(getattr(county, persona)))
    events = Event.objects.filter(action="resident.revealed")
    if allowed:
        assert response.status_code == 200
        assert response.json()["value"] == {"a1": PHONE_A, "b1": PHONE_B}.get(resident, response.json()["value"])
        assert events.count() == 1
        event = events.get()
        assert event.object_id == str(r.pk) and event.changes == {"field": "phone"} and event.reason == "回访"
        assert event.actor_id == getattr(county, persona).pk
    else:
        assert response.status_code == 403
        assert "无权" in response.json()["detail"]
        assert not events.exists()


def test_the_civil_affairs_station_cannot_reveal_outside_its_township(county, client, bearer):
    r = county.residents["c1"]
    response = client.post(f"/api/v1/households/residents/{r.pk}/reveal", {"field": "id_number"},
                           content_type="application/json", headers=bearer(county.civil_staff))
    assert response.status_code == 404


def test_a_reveal_event_never_holds_the_clear_value(county, client, bearer):
    headers = bearer(county.cadre_a)
    for field, clear in (("id_number", ID_A), ("phone", PHONE_A)):
        response = client.post(f"/api/v1/households/residents/{county.residents['a1'].pk}/reveal",
                               {"field": field}, content_type="application/json", headers=headers)
        assert response.json()["value"] == clear
    assert Event.objects.filter(action="resident.revealed").count() == 2
    for row in Event.objects.values():
        text = repr(row)
        assert ID_A not in text and PHONE_A not in text


def test_an_unknown_field_cannot_be_revealed(county, client, bearer, login):
    response = client.post(f"/api/v1/households/residents/{county.residents['a1'].pk}/reveal",
                           {"field": "name"}, content_type="application/json", headers=bearer(county.cadre_a))
    assert response.status_code == 422
    web = login(county.cadre_a)
    response = web.post(f"/residents/{county.residents['a1'].pk}/reveal/", {"field": "name"})
    assert response.status_code == 302  # back to the household with a message, not a server error
    assert not Event.objects.filter(action="resident.revealed").exists()


def test_the_web_reveal_shows_the_value_once(county, login):
    client = login(county.cadre_a)
    url = f"/households/{county.households['a1'].pk}/"
    assert PHONE_A not in _page_text(client.get(url))
    response = client.post(f"/residents/{county.residents['a1'].pk}/reveal/", {"field": "phone"})
    assert response.status_code == 302 and response["Location"] == url
    assert PHONE_A not in response["Location"]
    assert PHONE_A in _page_text(client.get(url))
    assert PHONE_A not in _page_text(client.get(url))  # masked again after a reload
    assert Event.objects.filter(action="resident.revealed", actor=county.cadre_a).count() == 1


def test_the_county_leader_gets_no_reveal_button_and_no_value(county, login):
    client = login(county.county_leader)
    text = _page_text(client.get(f"/households/{county.households['a1'].pk}/"))
    assert "/reveal/" not in text and "138****5678" in text
    response = client.post(f"/residents/{county.residents['a1'].pk}/reveal/", {"field": "phone"}, follow=True)
    assert PHONE_A not in response.content.decode()
    assert not Event.objects.filter(action="resident.revealed").exists()


def test_pages_show_personal_data_masked(county, login):
    text = _page_text(login(county.cadre_a).get(f"/households/{county.households['a1'].pk}/"))
    assert "511722********1232" in text and "138****5678" in text
    assert ID_A not in text and PHONE_A not in text


# -- the mechanism itself ---------------------------------------------------------------------------------
def test_an_unregistered_model_raises(county):
    from minqing.households.models import Tag

    with pytest.raises(LookupError):
        jurisdiction.visible(county.cadre_a, Tag)
    with pytest.raises(LookupError):
        jurisdiction.visible(county.cadre_a, Event.objects.all())


def test_get_visible_or_404_treats_malformed_ids_as_absent(county):
    from django.http import Http404

    for bad in ("abc", None, "1; DROP TABLE"):
        with pytest.raises(Http404):
            jurisdiction.get_visible_or_404(county.cadre_a, Household, pk=bad)


def test_a_sensitivity_rule_narrows_a_place(county):
    """举报-like records: only the discipline commission covering the place, not the place's cadres."""
    policy = jurisdiction.PlacePolicy(sensitivity_field="note", rules={"举报": jurisdiction.discipline_rule()})
    Household.objects.filter(pk=county.households["a2"].pk).update(note="举报")

    def seen(user) -> set[int]:
        qs = policy.filter(Household.objects.all(), jurisdiction.scope_of(user))
        return set(qs.values_list("pk", flat=True))

    a1, a2 = county.households["a1"].pk, county.households["a2"].pk
    assert seen(county.cadre_a) == {a1}
    assert a2 not in seen(county.county_leader)
    assert seen(county.inspector) == {a2}
    assert a1 in seen(county.admin) and a2 not in seen(county.admin)  # an operator administers, it does not read


def test_scope_helpers(county):
    s = jurisdiction.scope_of(county.township_leader)
    assert s.sees_place(county.village_b.code) and not s.sees_place(county.village_c.code)
    assert s.leads(county.village_a.code) and not s.leads(county.village_c.code)
    assert not jurisdiction.scope_of(county.cadre_a).leads(county.village_a.code)
    assert s.home_code() == county.town.code
    assert jurisdiction.scope_of(county.county_leader).home_code() == county.county.code
    assert jurisdiction.scope_of(None).is_anonymous
    assert Resident.objects.filter(jurisdiction.figure_q(county.dept_handler)).count() == Resident.objects.count()
