"""The one jurisdiction filter. Every read of places, people and their records starts here.

Two axes:
- place: a post covers a region subtree; place posts (cadres, leaders, township stations) see the
  personal data of that subtree, unit posts (county departments, 纪委) see only what is assigned to
  their unit and aggregate figures of their region — a department's function never widens that,
  except the county 民政局, which sees (and may reveal) the households' register of its county;
  administrator posts (等保 三权分立) see no resident and no case at all;
- sensitivity: some records are narrower than their place (举报, family disputes). A model's
  policy declares rules per sensitivity value; this module applies them — to a superuser too: an
  operator account administers, it does not read 举报 or family cases.

`visible(user, Model)` answers a queryset; `get_visible_or_404` answers one object or raises
Http404 — outside one's jurisdiction a record does not exist. A model with no registered
policy raises, so a new model cannot be read unscoped by mistake.

The places and roles of a user come from accounts, the part above this one that defines posts and
roles: it registers them in its AppConfig.ready() (`register_posts`); this module imports no part
above regions (docs/decisions/0044-core-layering.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, F, Func, Model, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.http import Http404

from minqing.lib import regioncode


@dataclass(frozen=True)
class PostScope:
    role: str
    region_code: str
    unit_id: int
    unit_kind: str
    unit_function: str


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    is_superuser: bool = False
    posts: tuple[PostScope, ...] = ()
    place_codes: tuple[str, ...] = ()  # subtrees whose personal data this user sees
    register_codes: tuple[str, ...] = ()  # subtrees whose households' register this user sees (⊇ place)
    figure_codes: tuple[str, ...] = ()  # subtrees whose aggregate figures this user sees
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    def sees_place(self, code: str) -> bool:
        return self.is_superuser or any(regioncode.contains(c, code) for c in self.place_codes)

    def sees_figures(self, code: str) -> bool:
        return self.is_superuser or any(regioncode.contains(c, code) for c in self.figure_codes)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def leads(self, code: str) -> bool:
        """A leader (county, township or 包村) whose post covers the place."""
        leader = _meaning().leader
        return self.is_superuser or any(
            p.role in leader and regioncode.contains(p.region_code, code) for p in self.posts
        )

    def home_code(self) -> str | None:
        """The widest subtree this user works in (for default filters and dashboards)."""
        codes = sorted(self.figure_codes or self.place_codes, key=lambda c: regioncode.prefix(c))
        return min(codes, key=lambda c: len(regioncode.prefix(c))) if codes else None


ANONYMOUS = Scope(user_id=None)


def _reduce(codes: Iterable[str]) -> tuple[str, ...]:
    """Drop codes inside another code of the set: fewer ranges in every query."""
    unique = sorted(set(codes), key=lambda c: len(regioncode.prefix(c)))
    kept: list[str] = []
    for code in unique:
        if not any(regioncode.contains(k, code) for k in kept):
            kept.append(code)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class RoleMeaning:
    """What the roles of posts mean for reading, declared by the part that defines them (accounts)."""

    place: frozenset[str]  # posts that read the personal data of the subtree they cover
    leader: frozenset[str]  # county, township and 包村 leaders
    admin: frozenset[str]  # administrators (等保 三权分立): they read no resident and no case
    discipline: str  # the 纪委's post: the only reader of 举报
    keeps_register: Callable[[PostScope], bool]  # a unit post that sees its county's households' register


PostsOf = Callable[[Any], Iterable[PostScope]]  # (user) → the posts they hold today
_source: dict[str, Any] = {}


def register_posts(posts_of: PostsOf, meaning: RoleMeaning) -> None:
    """Accounts says where a user's posts come from and what their roles mean (in its ready())."""
    _source["posts_of"], _source["meaning"] = posts_of, meaning


def _meaning() -> RoleMeaning:
    try:
        return _source["meaning"]
    except KeyError:
        raise LookupError("no source of posts and roles registered: minqing.accounts must be installed") from None


def keeps_register(post: PostScope) -> bool:
    """The county 民政局 (a department whose function keeps the households' register): it sees the
    households and residents of its county and may reveal them (docs/domain.md privacy table), yet
    works appeals, visits and disputes by assignment like any department. 人社局 does not.
    The rule itself is accounts' (`accounts.scope_source.keeps_register`)."""
    return _meaning().keeps_register(post)


def scope_of(user: Any) -> Scope:
    """The user's scope from their current posts, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_minqing_scope", None)
    if cached is not None:
        return cached
    meaning = _meaning()
    posts = tuple(_source["posts_of"](user))
    place = [p.region_code for p in posts if p.role in meaning.place]
    register = place + [p.region_code for p in posts if meaning.keeps_register(p)]
    reading = [p for p in posts if p.role not in meaning.admin]  # an administrator's unit holds no case for them
    scope = Scope(
        user_id=user.pk,
        is_superuser=bool(user.is_superuser),
        posts=posts,
        place_codes=_reduce(place),
        register_codes=_reduce(register),
        figure_codes=_reduce(p.region_code for p in posts),
        unit_ids=frozenset(p.unit_id for p in reading),
        roles=frozenset(p.role for p in posts),
    )
    user._minqing_scope = scope
    return scope


def region_q(codes: Iterable[str], field_name: str = "region") -> Q:
    """Rows whose region code falls in any of the subtrees (one indexed range each)."""
    q = Q(pk__in=[])
    for code in codes:
        low, high = regioncode.subtree_range(code)
        q |= Q(**{f"{field_name}__gte": low, f"{field_name}__lte": high})
    return q


SensitivityRule = Callable[[Scope], Q]


def _county_bound(county: str, field_name: str) -> Q:
    """The one county's range, said for PostgreSQL's partition pruning. SQLite has no partitions, and
    there the range would lead its planner into the region index (it then sorted every open appeal of
    the county for a page: 3 s at 1 M): the same condition on `+region`, which no index serves."""
    if connection.vendor != "sqlite":
        return region_q([county], field_name)
    low, high = regioncode.subtree_range(county)
    kept_off = Func(F(field_name), template="+%(expressions)s", output_field=CharField())
    return Q(GreaterThanOrEqual(kept_off, low), LessThanOrEqual(kept_off, high))


def own_county(scope: Scope) -> str | None:
    """The county (12-digit code) all of the scope's posts lie in, if they are all at county level or
    below and in one county; None for a city or province post, or posts in several counties."""
    codes = [regioncode.normalize(p.region_code) for p in scope.posts if p.region_code]
    if not codes or any(regioncode.level_of(c) < regioncode.COUNTY for c in codes):
        return None
    counties = {regioncode.county_of(c) for c in codes}
    return next(iter(counties)).ljust(12, "0") if len(counties) == 1 else None


@dataclass
class PlacePolicy:
    """Records owned by a place. Optional extras:
    unit_field: the unit assigned to the record — unit posts see what their unit holds;
    sensitivity_field + rules: records narrower than their place; a value with no rule is
    visible to the place as usual;
    reveal: (scope, obj) → may this user see the record's personal data in clear;
    codes: which of the scope's subtrees hold the records ("place_codes", or "register_codes" for
    the households' register).
    A superuser sees every place, but the sensitivity rules hold for them as for anyone."""

    region_field: str = "region"
    unit_field: str | None = None
    sensitivity_field: str | None = None
    rules: dict[str, SensitivityRule] = field(default_factory=dict)
    reveal: Callable[[Scope, Any], bool] | None = None
    codes: str = "place_codes"
    extra: Callable[[Scope], Q] | None = None  # more rows the scope holds (an appeal's 协办 units)

    def q(self, scope: Scope) -> Q:
        base = Q() if scope.is_superuser else region_q(getattr(scope, self.codes), self.region_field)
        if self.unit_field and scope.unit_ids and not scope.is_superuser:  # Q() | x would narrow to x
            base |= Q(**{f"{self.unit_field}__in": sorted(scope.unit_ids)})
        if self.extra is not None and scope.unit_ids and not scope.is_superuser:
            base |= self.extra(scope)
        if self.sensitivity_field and self.rules:
            narrow = list(self.rules)
            result = base & ~Q(**{f"{self.sensitivity_field}__in": narrow})
            for value, rule in self.rules.items():
                result |= Q(**{self.sensitivity_field: value}) & rule(scope)
            base = result
        county = None if scope.is_superuser else own_county(scope)
        if county and (self.unit_field or self.extra or self.rules):
            # The unit and 协办 branches name no place: bounded by the one county every post lies in, so
            # PostgreSQL prunes to that county's partition (docs/scale.md). Only ever narrows.
            base &= _county_bound(county, self.region_field)
        return base

    def filter(self, qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.is_anonymous:
            return qs.none()
        if scope.is_superuser and not (self.sensitivity_field and self.rules):
            return qs
        return qs.filter(self.q(scope))


@dataclass
class RegionTreePolicy:
    """Regions: one's own subtree plus the chain of ancestors (to name where one is)."""

    def filter(self, qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.is_superuser:
            return qs
        if scope.is_anonymous:
            return qs.none()
        codes = scope.figure_codes
        above = sorted({a for code in codes for a in regioncode.ancestors(code)})
        return qs.filter(region_q(codes, "code") | Q(code__in=above))


_POLICIES: dict[type[Model], Any] = {}


def register(model: type[Model], policy: Any) -> None:
    _POLICIES[model] = policy


def policy_for(model: type[Model]) -> Any:
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no jurisdiction policy: register one") from None


def visible(user: Any, model_or_qs: type[Model] | QuerySet) -> QuerySet:
    """THE entry point: the records of a model (or a narrower queryset) this user may see."""
    qs = model_or_qs if isinstance(model_or_qs, QuerySet) else model_or_qs._default_manager.all()
    if hasattr(qs, "alive"):
        qs = qs.alive()
    return policy_for(qs.model).filter(qs, scope_of(user))


def get_visible_or_404(user: Any, model_or_qs: type[Model] | QuerySet, **lookup: Any) -> Any:
    try:
        return visible(user, model_or_qs).get(**lookup)
    except (ValueError, TypeError) as exc:  # a malformed id is as absent as a foreign one
        raise Http404 from exc
    except Exception as exc:
        if exc.__class__.__name__ in {"DoesNotExist", "MultipleObjectsReturned", "ValidationError"}:
            raise Http404 from exc
        raise


def can_reveal(user: Any, obj: Model) -> bool:
    """May this user see the personal data of a record they can already see, in clear?"""
    scope = scope_of(user)
    if scope.is_anonymous:
        return False
    policy = policy_for(type(obj))
    rule = getattr(policy, "reveal", None)
    return bool(rule and rule(scope, obj))


def figure_region(user: Any, raw: str | None) -> str:
    """The region of a figures request — the one asked for, else the user's home — as a full code.
    No code, a malformed one, or one outside the user's figures does not exist for them: 404."""
    scope = scope_of(user)
    raw = raw or scope.home_code()
    if not raw:
        raise Http404
    try:
        code = regioncode.normalize(str(raw))
    except (regioncode.RegionCodeError, TypeError, ValueError):
        raise Http404 from None
    if not scope.sees_figures(code):
        raise Http404
    return code


def figure_q(user: Any, field_name: str = "region") -> Q:
    """Aggregate figures: a department sees its region's numbers without the records."""
    scope = scope_of(user)
    if scope.is_superuser:
        return Q()
    return region_q(scope.figure_codes, field_name)


def discipline_rule(receiving_field: str = "region") -> SensitivityRule:
    """举报: only the discipline commission posts whose region covers the receiving place."""

    def rule(scope: Scope) -> Q:
        discipline = _meaning().discipline
        codes = [p.region_code for p in scope.posts if p.role == discipline]
        return region_q(codes, receiving_field)

    return rule
