"""URLs of the county set-up pages and API that name one object, aimed at another county's set-up
objects (see tests/test_jurisdiction.py). name -> (method, lambda county: url). Every such URL must
answer 404 to village A's cadre (no county to administer) and to another county's administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _other(c: Any) -> dict:
    """达州市通川区 and its set-up objects: staff, a post, a unit, pairings, a team, an enterprise and its
    liaison, a checklist, a quota (made once per county fixture)."""
    if "_setup_other" in c.__dict__:
        return c._setup_other
    from django.utils import timezone

    from minqing.accounts.models import Pairing, Post, Unit, User, VisitTeam
    from minqing.checklists.models import Checklist
    from minqing.enterprises.models import Enterprise, LiaisonPairing
    from minqing.fieldwork.models import QuotaRule
    from minqing.regions.models import Level, Region

    now, day = timezone.now(), dt.date(2020, 1, 1)
    county = Region.objects.create(code="511702000000", name="通川区", level=Level.COUNTY, parent=c.regions["city"])
    village = Region.objects.create(code="511702100201", name="通川村", level=Level.VILLAGE, parent=county)
    unit = Unit.objects.create(name="通川区委区政府", kind="leadership", region=county)
    staff = User.objects.create(username="tc-cadre", display_name="通川干部", county=county)
    post = Post.objects.create(user=staff, unit=unit, role="village_cadre", region=village, started_on=day)
    enterprise = Enterprise.objects.create(region=village, name="通川企业", kind="enterprise", created_at=now,
                                           updated_at=now)
    c._setup_other = {
        "staff": staff, "post": post, "unit": unit, "enterprise": enterprise,
        "pairing": Pairing.objects.create(cadre=staff, region=village, started_on=day),
        "team": VisitTeam.objects.create(name="通川工作队", region=county, year=2026),
        "liaison": LiaisonPairing.objects.create(enterprise=enterprise, leader=staff, region=village,
                                                 started_on=day, created_at=now),
        "checklist": Checklist.objects.create(region=county, code="tc", name="通川清单", created_at=now),
        "quota": QuotaRule.objects.create(region=county, code="tc", name="通川指标", measure="frontline_days",
                                          target=1, period="month"),
    }
    return c._setup_other


def _category(c: Any) -> Any:
    """Categories, deadline rules and the holiday table are one per installation (no county field)."""
    from minqing.appeals.models import Category

    return Category.objects.get_or_create(code="setup-probe", defaults={"name": "设置探针"})[0]


def _deadline(c: Any) -> Any:
    if "_setup_deadline" not in c.__dict__:
        from minqing.appeals.models import DeadlineRule

        c._setup_deadline = DeadlineRule.objects.create(stage="resolve", amount=5, unit="workdays")
    return c._setup_deadline


def _kind(c: Any) -> Any:
    """Dispute kinds are one list per installation, like categories."""
    from minqing.disputes.models import DisputeKind

    return DisputeKind.objects.get_or_create(code="setup_probe", defaults={"name": "设置页探测"})[0]


def _group_b(c: Any) -> Any:
    from minqing.regions.models import VillageGroup

    return VillageGroup.objects.get_or_create(region=c.village_b, number=90, defaults={"name": "九十组"})[0]


def _dispatch(c: Any) -> Any:
    """A dispatch catalogue entry of 通川区 (the catalogue is per place, so per county)."""
    if "_setup_dispatch" not in c.__dict__:
        from django.utils import timezone

        from minqing.appeals.models import DispatchRule

        other = _other(c)
        c._setup_dispatch = DispatchRule.objects.create(category=_category(c), region_id=other["unit"].region_id,
                                                        unit=other["unit"], created_at=timezone.now())
    return c._setup_dispatch


def _pk(key: str):
    return lambda c: _other(c)[key].pk


def _synonyms(c: Any) -> Any:
    """A search synonym group of the other county (minqing.nlp.synonyms)."""
    if "_synonyms_other" not in c.__dict__:
        from minqing.nlp.models import SynonymGroup

        c._synonyms_other = SynonymGroup.objects.create(county=_other(c)["unit"].region, words="通川 通川区")
    return c._synonyms_other


def _page(path: str, key: str):
    return lambda c: path.format(_other(c)[key].pk)


OBJECT_URLS: dict = {
    "sysadmin:synonym": ("get", lambda c: f"/setup/synonyms/{_synonyms(c).pk}/"),
    "sysadmin:synonym_active": ("post", lambda c: f"/setup/synonyms/{_synonyms(c).pk}/active/"),
    "sysadmin:dispute_kind": ("get", lambda c: f"/setup/dispute-kinds/{_kind(c).pk}/"),
    "sysadmin:dispute_kind_active": ("post", lambda c: f"/setup/dispute-kinds/{_kind(c).pk}/active/"),
    "sysadmin:group": ("get", lambda c: f"/setup/groups/{_group_b(c).pk}/"),
    "sysadmin:region": ("get", lambda c: f"/setup/regions/{c.village_b.code}/"),
    "sysadmin:staff": ("get", _page("/setup/staff/{}/", "staff")),
    "sysadmin:staff_active": ("post", _page("/setup/staff/{}/active/", "staff")),
    "sysadmin:staff_code": ("post", _page("/setup/staff/{}/code/", "staff")),
    "sysadmin:post_end": ("post", _page("/setup/posts/{}/end/", "post")),
    "sysadmin:unit": ("get", _page("/setup/units/{}/", "unit")),
    "sysadmin:unit_active": ("post", _page("/setup/units/{}/active/", "unit")),
    "sysadmin:pairing_end": ("post", _page("/setup/pairings/{}/end/", "pairing")),
    "sysadmin:team": ("get", _page("/setup/teams/{}/", "team")),
    "sysadmin:enterprise": ("get", _page("/setup/enterprises/{}/", "enterprise")),
    "sysadmin:enterprise_unpair": ("post", _page("/setup/enterprises/pairings/{}/end/", "liaison")),
    "sysadmin:checklist": ("get", _page("/setup/checklists/{}/", "checklist")),
    "sysadmin:quota": ("get", _page("/setup/quotas/{}/", "quota")),
    "sysadmin:quota_active": ("post", _page("/setup/quotas/{}/active/", "quota")),
    "sysadmin:category": ("get", lambda c: f"/setup/categories/{_category(c).pk}/"),
    "sysadmin:category_active": ("post", lambda c: f"/setup/categories/{_category(c).pk}/active/"),
    "sysadmin:deadline": ("get", lambda c: f"/setup/deadlines/{_deadline(c).pk}/"),
    "sysadmin:deadline_withdraw": ("post", lambda c: f"/setup/deadlines/{_deadline(c).pk}/withdraw/"),
    "sysadmin:dispatch_rule": ("get", lambda c: f"/setup/dispatch/{_dispatch(c).pk}/"),
    "sysadmin:dispatch_history": ("get", lambda c: f"/setup/dispatch/{_dispatch(c).pk}/history/"),
    "sysadmin:dispatch_retire": ("post", lambda c: f"/setup/dispatch/{_dispatch(c).pk}/retire/"),
    "api:deactivate_staff": ("post", _page("/api/v1/setup/staff/{}/deactivate", "staff")),
    "api:issue_code": ("post", _page("/api/v1/setup/staff/{}/code", "staff")),
    "api:set_staff_attributes": ("put", _page("/api/v1/setup/staff/{}/attributes", "staff")),
    "api:add_post": ("post", _page("/api/v1/setup/staff/{}/posts", "staff")),
    "api:end_post": ("post", _page("/api/v1/setup/posts/{}/end", "post")),
    "api:get_holidays": ("get", lambda c: "/api/v1/setup/holidays/2031"),
    "api:put_holidays": ("put", lambda c: "/api/v1/setup/holidays/2031"),
}
