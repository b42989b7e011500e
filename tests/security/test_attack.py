"""The attack suite: every URL pattern (the URL resolver's, which include every OpenAPI operation)
× every persona whose posts do not cover the target × objects of another jurisdiction and of each
sensitivity (ordinary, family dispute, 举报), by GET and by POST.

- An object URL (one that names a record) aimed at a record the persona may not see must answer 404
  (405 when the method is not served: that answer does not depend on the record).
- A URL without an object (lists, searches, exports, dashboards) must not answer 500 and must not
  contain the markers of those records (their titles, names, reporters, statements).
- A merged case must not carry a protected case's reporter or statement to a village cadre.

The county and its objects are built once for the module; every request runs in a savepoint that is
rolled back, so an attack that wrongly succeeded changes nothing for the next one.

`test_every_url_pattern_is_in_the_table` fails when a URL pattern is added that this table does not
place (object URLs come from the parts' tests/<part>/object_urls.py, see tests/test_jurisdiction.py).
Run: `.venv/bin/python -m pytest -n 0 tests/security/test_attack.py` (also part of `make test`).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from minqing.accounts.models import Post, Unit, User
from tests.conftest import ID_B, PHONE_B, build_county
from tests.test_jurisdiction import OBJECT_URLS, POST_BODY, _routes

pytestmark = pytest.mark.django_db  # (the module's county is built by the `world` fixture, once)

# -- the table: every URL pattern is an object URL (OBJECT_URLS), a scanned URL, public or admin ------------
SCAN = (
    "api:list_regions", "api:list_households", "api:get_metrics", "api:metrics_disputes", "api:metrics_checklists",
    "api:metrics_liaison", "api:list_appeals", "api:create_appeal", "api:field_plan", "api:field_households",
    "api:field_list_visits", "api:field_list_activities", "api:field_funnel", "api:field_sync", "api:field_coverage",
    "api:field_quotas", "api:checklist_forms", "api:checklist_create", "api:checklist_new_version",
    "api:checklist_counts", "api:checklist_clearance", "api:enterprise_list", "api:enterprise_create",
    "api:enterprise_list_visits", "api:enterprise_record_visit", "api:enterprise_liaison", "api:disputes_list",
    "api:disputes_create", "api:disputes_kinds", "api:disputes_summary", "api:disputes_risks", "api:nlp_suggest",
    "api:nlp_feedback", "api:nlp_duplicates", "api:nlp_hotspots", "api:nlp_hotspot_action", "api:nlp_reply_score",
    "api:nlp_hotspots_persistent",
    "api:nlp_search", "api:nlp_search_post", "api:briefing_compose", "api:jobs_list", "api:jobs_create", "field:home",
    "field:desk", "field:desk_activities", "field:desk_activity_new", "field:desk_topics", "field:desk_topic_new",
    "field:desk_rounds", "field:desk_round_new", "field:desk_lists_index", "field:desk_lists_new",
    "field:desk_quotas", "field:desk_visits", "checklists:report", "enterprises:list", "disputes:list",
    "disputes:risks", "nlp:search", "nlp:hotspots", "nlp:hotspot_action", "briefing:home", "briefing:generate",
    "briefing:docx", "jobs:list", "jobs:ledger_export", "jobs:ledger_import", "dashboards:home", "accounts:account",
    "accounts:password_change", "accounts:enrol", "accounts:recovery_codes", "accounts:token_new",
    "accounts:security", "web:home", "web:households", "web:households_export", "web:appeals", "web:appeal_new",
    "web:appeal_suggest", "web:appeal_view_save",
    "sysadmin:dispute_kinds", "sysadmin:dispute_kind_new", "sysadmin:groups", "sysadmin:regions",
    "web:appeal_suggest", "web:appeal_view_save", "api:create", "api:import_roster", "web:household_new",
    "web:households_import", "web:households_print", "api:list_events", "audit:trail", "audit:export",
    "api:list_staff", "api:create_staff", "api:list_units", "api:create_unit", "api:create_category",
    "api:list_deadline_rules", "api:create_deadline_rule", "sysadmin:home", "sysadmin:activate",
    "sysadmin:staff_list", "sysadmin:staff_new", "sysadmin:staff_import", "sysadmin:units", "sysadmin:unit_new",
    "sysadmin:pairings", "sysadmin:teams", "sysadmin:enterprises", "sysadmin:checklists", "sysadmin:categories",
    "sysadmin:category_new", "sysadmin:deadlines", "sysadmin:deadline_new", "sysadmin:holidays",
    "sysadmin:quotas", "sysadmin:quota_new",
    "hotline:index", "hotline:replies_xlsx", "api:hotline_orders", "api:hotline_replies", "open311:requests",
    # dispatch, bulk actions, notices and search synonyms (issues 16–18)
    "api:bulk_assign", "api:bulk_extend", "api:bulk_remind", "api:bulk_supervise", "api:list_dispatch_rules",
    "api:put_dispatch_settings", "api:save_dispatch_rule", "notices:channels", "notices:inbox", "notices:mark_read",
    "notices:outbox", "notices:preferences", "sysadmin:dispatch", "sysadmin:dispatch_new", "sysadmin:synonym_adopt",
    "sysadmin:synonym_new", "sysadmin:synonyms", "web:appeal_bulk",
    # the field as the seeds count it, cadres, the map, the inbox API (issues 17, 19)
    "api:cadres_add_shift", "api:cadres_away", "api:cadres_check_in", "api:cadres_figures", "api:cadres_my_day",
    "api:cadres_review", "api:cadres_roster", "api:field_list_care", "api:field_list_deeds",
    "api:field_list_petitions", "api:field_open_care", "api:field_record_deed", "api:field_record_petition",
    "api:notices_inbox", "api:notices_read", "cadres:check_in", "cadres:home", "cadres:roster", "field:desk_care",
    "field:desk_care_new", "field:desk_deed_new", "field:desk_deeds", "field:desk_petition_new",
    "field:desk_petitions", "web:map",)
# No account, no object id: the portal's code look-ups (tests/portal), log-in steps, the schema, static files.
PUBLIC = (
    "api:openapi-json", "api:openapi-view", "api:api-root", "api:issue_token", "set_language", "field:sw",
    "field:manifest", "web:login", "web:logout", "accounts:verify", "accounts:password_reset", "favicon",
    # Open311 (minqing/hotline/open311.py): public by the standard; no personal data, no protected case
    "open311:services", "open311:service", "open311:request",
)
PUBLIC_PREFIXES = ("portal/", "api/v1/portal/")
# The Django admin answers only staff accounts (tests/test_admin.py); everyone else is sent to its log-in.
ADMIN_PREFIX = "admin/"


def _all_routes() -> list[tuple[str, str, bool]]:
    return [(route, name, bool(conv)) for route, name, conv in _routes(get_resolver().url_patterns)]


def test_every_url_pattern_is_in_the_table():
    placed = set(OBJECT_URLS) | set(SCAN) | set(PUBLIC)
    missing = sorted(f"{name} ({route})" for route, name, _ in _all_routes()
                     if not route.startswith((ADMIN_PREFIX, *PUBLIC_PREFIXES)) and name not in placed)
    assert not missing, f"place these in tests/security/test_attack.py or a part's object_urls.py: {missing}"


def test_every_openapi_operation_is_a_url_pattern(client):
    import re

    routes = {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route, _, _ in _all_routes()}
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert len(paths) > 50
    assert sorted(p for p in paths if p not in routes) == []


# -- the county, its personas and objects, once per module ---------------------------------------------------
MARK = {  # what must not show to a persona who may not see the record
    "ordinary": ("乙村户主1", "乙村户主2", "路灯不亮", ID_B, PHONE_B),
    "family": ("家事标记乙村", "家事反映人乙"),
    "misconduct": ("举报标记乙村", "举报反映人乙"),
}


@dataclass
class World:
    county: object
    variants: dict  # sensitivity -> a County whose appeal builders aim at that kind of case
    personas: dict  # name -> User
    clients: dict  # name -> logged-in Client
    merged: dict  # sensitivity -> the village-A ordinary case a protected case was merged into


def _post(c, name: str, unit_key: str, unit: Unit | None, role: str, region: str) -> User:
    user = User.objects.create(username=f"atk-{name}", display_name=name, password=c.admin.password)
    unit = unit or c.units[unit_key]
    Post.objects.create(user=user, unit=unit, role=role, region=c.regions[region], started_on=dt.date(2020, 1, 1))
    return user


def _appeal(c, region: str, kind: str, title: str, reporter: str, text: str, category=None):
    from minqing.appeals.services import register_appeal

    return register_appeal(actor=c.township_leader, region=c.regions[region].code, kind=kind, channel="visit",
                           title=title, text=text, reporter_name=reporter, phone="13800002222", category=category)


def _build() -> World:
    from minqing.appeals.models import Category
    from minqing.appeals.services import merge

    c = build_county()
    county = c.regions["county"]
    civil = Unit.objects.create(name="县民政局", kind="department", function="civil_affairs", region=county)
    social = Unit.objects.create(name="县人社局", kind="department", function="social_security", region=county)
    it_office = Unit.objects.create(name="县大数据中心", kind="department", function="it", region=county)
    town2 = Unit.objects.create(name="乙镇民政办", kind="township_station", function="civil_affairs",
                                region=c.regions["town2"])
    personas = {
        "cadre_a": c.cadre_a, "mediator_a": c.mediator_a, "dept_housing": c.dept_handler, "inspector": c.inspector,
        "township_b_staff": _post(c, "town2", "", town2, "township_staff", "town2"),
        "county_civil": _post(c, "civil", "", civil, "dept_handler", "county"),
        "county_social": _post(c, "social", "", social, "dept_handler", "county"),
        "sysadmin": _post(c, "sysadmin", "", it_office, "sysadmin", "county"),
        "secadmin": _post(c, "secadmin", "", it_office, "secadmin", "county"),
        "auditor": _post(c, "auditor", "", it_office, "auditor", "county"),
        "superuser": c.admin,
    }
    family = Category.objects.create(code="family", name="婚姻家庭")
    sensitive = {
        "family": _appeal(c, "village_b", "dispute", "家事标记乙村", "家事反映人乙", "家事标记乙村的陈述", family),
        "misconduct": _appeal(c, "village_b", "misconduct", "举报标记乙村", "举报反映人乙", "举报标记乙村的陈述"),
    }
    # Build every object URL's target once (the ordinary ones), then a County per sensitivity whose
    # appeal-based builders aim at the protected case instead.
    for _method, build in OBJECT_URLS.values():
        build(c)
    variants = {"ordinary": c}
    for key, appeal in sensitive.items():
        v = copy.copy(c)
        v.__dict__.pop("_attachment_b", None)
        v._appeal_b = v._nlp_appeal_b = appeal
        variants[key] = v
    merged = {}
    for key, kind, category in (("family", "dispute", family), ("misconduct", "misconduct", None)):
        target = _appeal(c, "village_a", "problem", f"甲村合并目标{key}", "甲村普通反映人", "甲村路面坏了")
        hidden = _appeal(c, "village_a", kind, f"合并标记{key}", f"合并反映人{key}", f"合并陈述{key}", category)
        merge(hidden, target, actor=None)  # as an import or a leader would; what matters is what shows after
        merged[key] = target
    clients = {}
    for name, user in personas.items():
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        clients[name] = client
    return World(c, variants, personas, clients, merged)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def attack(world, django_db_blocker):
    """Send one request as a persona inside a savepoint that is rolled back."""

    def send(persona: str, method: str, url: str):
        with django_db_blocker.unblock(), transaction.atomic():
            client = world.clients[persona]
            if method == "get":
                response = client.get(url)
            elif url.startswith("/api/"):
                response = getattr(client, method)(url, POST_BODY, content_type="application/json")
            else:
                response = client.post(url, POST_BODY)
            transaction.set_rollback(True)
        return response

    return send


# -- who is attacked with what ----------------------------------------------------------------------------------
# Every persona below holds no post over village B. Exceptions: 纪委 may read 举报 of its county; the
# security administrator may act on any account and token; an operator account (superuser) administers
# the system and is checked on protected cases only (it must not read 举报 or family cases).
PERSONAS = ("cadre_a", "township_b_staff", "dept_housing", "county_civil", "county_social", "inspector",
            "mediator_a", "sysadmin", "secadmin", "auditor")
ALLOWED = {
    ("inspector", "misconduct"): "all",
    ("secadmin", None): {"accounts:token_revoke", "accounts:security_reset", "accounts:security_otp_remove"},
}
# The county 民政局 keeps the households' register: it sees the county's households and residents and may
# reveal them (DOMAIN.md's privacy table; jurisdiction.keeps_register), but it changes none: the API's
# writes answer 403 (or 422/404 when the body is refused or names nothing first), a page's form shows
# the refusal. 人社局 does not.
REGISTER_KEEPERS = {"county_civil"}
REGISTER_READS = {"web:household", "web:household_print", "web:resident_reveal", "api:get_household",
                  "api:print_file", "api:reveal_resident", "checklists:household", "api:field_household_members"}
REGISTER_WRITES = {"web:household_edit", "web:household_move", "web:household_split", "web:household_merge",
                   "web:household_remove", "web:resident_new", "web:resident_edit", "web:resident_status",
                   "web:visit_new", "api:update", "api:move", "api:split", "api:merge", "api:close",
                   "api:add_member", "api:update_member", "api:member_status"}
# Posts at county level see aggregate figures and place names of the whole county (DOMAIN.md), and the
# county's enterprises and key projects (not personal data): these URLs may answer, without any record.
COUNTY_FIGURES = {"dept_housing", "county_civil", "county_social", "inspector", "sysadmin", "secadmin", "auditor"}
FIGURES = {"web:region", "api:get_region", "dashboards:region", "dashboards:cases", "api:metrics_part",
           "enterprises:detail", "enterprises:record_visit", "api:enterprise_get", "api:enterprise_pair",
           "api:enterprise_raise_appeal"}
CASES = [(p, s) for p in PERSONAS for s in MARK if ALLOWED.get((p, s)) != "all"] + [
    ("superuser", "family"), ("superuser", "misconduct")]


def _param(persona: str, sensitivity: str):
    return pytest.param(persona, sensitivity, id=f"{persona}-{sensitivity}")


def _object_urls(world: World, sensitivity: str) -> list[tuple[str, str, str]]:
    """(name, method, url) aimed at this sensitivity: for a protected one, the URLs that name a case."""
    plain, aimed = world.variants["ordinary"], world.variants[sensitivity]
    out = []
    for name, (method, build) in sorted(OBJECT_URLS.items()):
        url = build(aimed)
        if sensitivity == "ordinary" or url != build(plain):
            out.append((name, method, url))
    return out


def _scan_urls() -> list[str]:
    seen: dict[str, str] = {}
    for route, name, has_params in _all_routes():
        if name in SCAN and not has_params:
            seen.setdefault("/" + route, name)
    return sorted(seen)


def _text(response) -> str:
    body = b"".join(response) if response.streaming else response.content
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize(("persona", "sensitivity"), [_param(p, s) for p, s in CASES])
def test_objects_out_of_reach_answer_404(world, attack, persona, sensitivity):
    allowed = ALLOWED.get((persona, None), set())
    figures = FIGURES if persona in COUNTY_FIGURES else set()
    wrong = []
    for name, method, url in _object_urls(world, sensitivity):
        if name in allowed:
            continue
        for verb in sorted({"get", "post", method}):  # (and an API route's PATCH or PUT)
            response = attack(persona, verb, url)
            status = response.status_code
            if persona in REGISTER_KEEPERS and sensitivity == "ordinary" and name in REGISTER_READS | REGISTER_WRITES:
                refused = not (name in REGISTER_WRITES and name.startswith("api:") and verb == method) or (
                    status in (403, 404, 422))
                if status >= 500 or not refused:
                    wrong.append(f"{verb.upper()} {url} ({name}) → {status} (the register is read-only to it)")
            elif name in figures:  # a figure or a place name may show; a record of village B may not
                leaked = [m for m in MARK[sensitivity] if m in _text(response)]
                if status >= 500 or leaked:
                    wrong.append(f"{verb.upper()} {url} ({name}) → {status} {leaked}")
            elif not (status == 404 or (status == 405 and verb != method)):
                wrong.append(f"{verb.upper()} {url} ({name}) → {status}")
    assert wrong == [], f"{persona} reached {sensitivity} records of village B:\n" + "\n".join(wrong)


# The audit trail is read by design by the audit administrator (the county's events) and the 纪委 (its
# place's), see minqing/audit/trail.py: an ordinary record's name may show there (events are masked when
# written: never an ID number or a phone), a 举报 or family case's content may not.
TRAIL_READERS = {"auditor", "inspector"}
TRAIL = ("/audit/", "/api/v1/audit/")
NAMES = MARK["ordinary"][:3]
HEADS = MARK["ordinary"][:2]


@pytest.mark.parametrize("persona", [*PERSONAS, "superuser"])
def test_lists_and_searches_show_nothing_out_of_reach(world, attack, persona):
    marks = [m for s in MARK if (persona, s) in CASES for m in MARK[s]]
    wrong = []
    for url in _scan_urls():
        trail = persona in TRAIL_READERS and url.startswith(TRAIL)
        checked = [m for m in marks if m not in NAMES] if trail else marks
        if persona in REGISTER_KEEPERS:  # the county's households, by name (no ID number or phone in clear)
            checked = [m for m in checked if m not in HEADS]
        for verb in ("get", "post"):
            response = attack(persona, verb, url)
            leaked = [m for m in checked if m in _text(response)]
            if response.status_code >= 500 or leaked:
                wrong.append(f"{verb.upper()} {url} → {response.status_code} {leaked}")
    assert wrong == [], f"{persona} saw records of village B it may not:\n" + "\n".join(wrong)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_admin_site_is_closed_to_every_post(world, attack, persona):
    for url in ("/admin/", "/admin/accounts/user/", "/admin/enterprises/enterprise/"):
        response = attack(persona, "get", url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


@pytest.mark.parametrize("sensitivity", ["family", "misconduct"])
def test_a_merge_does_not_carry_a_protected_case_to_a_village_cadre(world, attack, sensitivity):
    target = world.merged[sensitivity]
    texts = [attack("cadre_a", "get", url).content.decode() for url in
             (f"/appeals/{target.pk}/", f"/api/v1/appeals/{target.pk}", f"/api/v1/appeals/{target.pk}/reports")]
    assert all(f"合并反映人{sensitivity}" not in t and f"合并陈述{sensitivity}" not in t for t in texts)
