"""Shared fixtures for every test folder.

- `shared_data_dir`: ../shared/data (or $MINQING_SHARED_DATA); skips when absent, fails under CI=true.
- `county` / `make_county`: a small county built fresh for one test (function scope, a few ms):
  宣汉县 → 甲镇 → villages A (甲村) and B (乙村), plus 乙镇 → village C (丙村), with units, posts,
  personas and households/residents written through minqing.households.services (so audit events
  exist). Works with `db` and with `transactional_db` (live_server, browser tests).
"""

from __future__ import annotations

import os

os.environ["MINQING_TESTING"] = "1"  # fixed keys; must be set before Django settings load

import datetime as dt  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from functools import lru_cache  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

REPO_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "minqing-test-pass"

# Valid ID numbers (GB 11643 check digit) and phones of the test residents; tests assert that these
# clear values never reach events, pages or exports.
ID_A = "511722198001011232"
ID_A2 = "51172219850315003X"
ID_B = "511722199002021234"
ID_C = "511722197505050011"
PHONE_A = "13812345678"
PHONE_B = "13987654321"
PHONE_C = "15011112222"


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def could_not_run(reason: str) -> None:
    """Skip locally; fail under CI=true, where everything must run."""
    message = f"could not run: {reason}"
    if _ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _figures_from_the_appeals(settings):
    """Figures from the appeals, not the roll-up tables: many fixtures write appeals directly, bypassing
    the services that keep the roll-ups (tests/appeals/test_rollups.py turns them on and compares)."""
    settings.MINQING_ROLLUPS = False


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(tmp_path_factory, request):
    """Each test its own (empty) audit checkpoint folder: a checkpoint written by one test (a sweep
    writes the day's) must not name events of another test's database."""
    from django.conf import settings

    before = settings.AUDIT_DIR
    import hashlib

    name = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    settings.AUDIT_DIR = tmp_path_factory.getbasetemp() / "audit" / name
    yield
    settings.AUDIT_DIR = before
@pytest.fixture(autouse=True, scope="session")
def _one_step_login():
    """The second factor is required of no post in tests (as in the demo); tests/security/test_login.py
    requires it of the posts it names."""
    from django.conf import settings

    settings.OTP_REQUIRED_ROLES = frozenset()


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    configured = os.environ.get("MINQING_SHARED_DATA")
    path = Path(configured) if configured else REPO_DIR.parent / "shared" / "data"
    if not path.is_dir():
        could_not_run("../shared/data is absent")
    return path


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash per process, reused by every persona: hashing is the slow part."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests run on a file, as production does: an in-memory test database shares one cache
    between connections, whose table locks ignore the busy timeout (a test of an import beside API
    writes would meet "database table is locked", which no real server sees)."""
    from django.db import connections

    db = connections["default"].settings_dict
    if db["ENGINE"].endswith("sqlite3") and not (db.get("TEST") or {}).get("NAME"):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        db.setdefault("TEST", {})["NAME"] = str(REPO_DIR / "var" / f"test_minqing_{worker}.sqlite3")


@dataclass
class County:
    """The small county of one test. Personas by name; regions, units, households by key."""

    regions: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    households: dict[str, Any] = field(default_factory=dict)
    residents: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        for bag in ("users", "regions", "households", "residents", "units"):
            values = self.__dict__.get(bag, {})
            if name in values:
                return values[name]
        raise AttributeError(name)


PERSONAS = {
    # name: (unit key, role, region key)
    "county_leader": ("leadership", "county_secretary", "county"),
    "township_leader": ("town_office", "township_secretary", "town"),
    "cadre_a": ("committee_a", "village_secretary", "village_a"),
    "cadre_b": ("committee_b", "village_secretary", "village_b"),
    "dept_handler": ("housing", "dept_handler", "county"),
    "inspector": ("discipline", "discipline", "county"),
    "civil_staff": ("town_civil", "township_staff", "town"),
    "mediator_a": ("mediation_a", "mediator", "village_a"),
    "outsider": (None, None, None),
    "admin": (None, None, None),
}


def build_county(households_per_village: int = 2) -> County:
    from minqing.accounts.models import Post, Unit, User
    from minqing.households import services as hh
    from minqing.households.models import BUILTIN_TAGS, Tag
    from minqing.regions.models import Level, Region, VillageGroup

    c = County()
    r = c.regions
    r["province"] = Region.objects.create(code="510000000000", name="四川省", level=Level.PROVINCE)
    r["city"] = Region.objects.create(code="511700000000", name="达州市", level=Level.CITY, parent=r["province"])
    r["county"] = Region.objects.create(code="511722000000", name="宣汉县", level=Level.COUNTY, parent=r["city"])
    r["town"] = Region.objects.create(code="511722100000", name="甲镇", level=Level.TOWNSHIP, parent=r["county"])
    r["town2"] = Region.objects.create(code="511722101000", name="乙镇", level=Level.TOWNSHIP, parent=r["county"])
    r["village_a"] = Region.objects.create(code="511722100201", name="甲村", level=Level.VILLAGE, parent=r["town"])
    r["village_b"] = Region.objects.create(code="511722100202", name="乙村", level=Level.VILLAGE, parent=r["town"])
    r["village_c"] = Region.objects.create(code="511722101201", name="丙村", level=Level.VILLAGE, parent=r["town2"])
    for key in ("village_a", "village_b", "village_c"):
        VillageGroup.objects.create(region=r[key], number=1, name="一组")
    for code, name, per_year in BUILTIN_TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name, "is_builtin": True,
                                                       "visits_per_year": per_year})

    u = c.units
    u["leadership"] = Unit.objects.create(name="县委县政府", kind="leadership", region=r["county"])
    u["housing"] = Unit.objects.create(name="县住建局", kind="department", function="housing", region=r["county"])
    u["discipline"] = Unit.objects.create(name="县纪委监委", kind="discipline", function="discipline",
                                          region=r["county"])
    u["town_office"] = Unit.objects.create(name="甲镇党委政府", kind="township_office", region=r["town"])
    u["town_civil"] = Unit.objects.create(name="甲镇民政办", kind="township_station", function="civil_affairs",
                                          region=r["town"], parent=u["town_office"])
    u["committee_a"] = Unit.objects.create(name="甲村村委会", kind="village_committee", region=r["village_a"])
    u["committee_b"] = Unit.objects.create(name="乙村村委会", kind="village_committee", region=r["village_b"])
    u["mediation_a"] = Unit.objects.create(name="甲村调解委员会", kind="mediation_committee", function="mediation",
                                           region=r["village_a"])

    encoded = password_hash()
    for name, (unit_key, role, region_key) in PERSONAS.items():
        user = User.objects.create(username=name.replace("_", "-"), display_name=name, password=encoded,
                                   is_superuser=name == "admin", is_staff=name == "admin")
        if unit_key:
            Post.objects.create(user=user, unit=u[unit_key], role=role, region=r[region_key],
                                started_on=dt.date(2020, 1, 1))
        c.users[name] = user

    people = {"a": (ID_A, PHONE_A), "b": (ID_B, PHONE_B), "c": (ID_C, PHONE_C)}
    for key in ("a", "b", "c"):
        village = r[f"village_{key}"]
        for n in range(1, households_per_village + 1):
            h = hh.create_household(actor=None, region_id=village.code, number=f"{n:04d}",
                                    head_name=f"{village.name}户主{n}", address=f"{village.name}一组{n}号",
                                    tags=["dibao"] if n == 1 else [])
            c.households[f"{key}{n}"] = h
            id_number, phone = people[key] if n == 1 else ("", "")
            c.residents[f"{key}{n}"] = hh.add_resident(h, actor=None, name=f"{village.name}居民{n}",
                                                       relation="head", gender="M", id_number=id_number,
                                                       phone=phone)
    c.residents["a1_spouse"] = hh.add_resident(c.households["a1"], actor=None, name="甲村配偶", relation="spouse",
                                               gender="F", id_number=ID_A2)
    return c


@pytest.fixture
def make_county(db):
    return build_county


@pytest.fixture
def county(db) -> County:
    return build_county()


@pytest.fixture
def login(client):
    """Log a persona into the Django test client (session), bypassing the password check."""

    def do(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return do


@pytest.fixture
def bearer():
    """An API bearer token for a persona, as HTTP headers for the test client."""

    def do(user) -> dict[str, str]:
        from minqing.accounts.models import ApiToken

        raw, _token = ApiToken.objects.issue(user)
        return {"Authorization": f"Bearer {raw}"}

    return do


@pytest.fixture(autouse=True)
def _figures_raise(settings):
    """A part whose dashboard or briefing figures fail fails the test; production marks the section."""
    settings.FIGURES_RAISE = True


# Statements every logged-in web request may cost whatever the page: the idle time-out's session push
# (savepoint, update, release: at most once a minute, minqing/accounts/sessions.py) and the
# second-factor check (one statement).
REQUEST_OVERHEAD = 4


@pytest.fixture(autouse=True)
def _fresh_estimates():
    """The list's planner estimates are kept a minute per statement (appeals/listing.py): not across tests."""
    from minqing.appeals import listing

    listing._ESTIMATES.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a request in English (or a test that activated it)
    leaves the thread's language behind, and a test after it on the same worker would read English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
