"""Who sees an appeal (the jurisdiction policy registered in apps.py) and who may do which action.

Seeing is decided by jurisdiction.visible (404 outside). Acting is decided here, on top of what
the workflow allows: a visible appeal whose action the post may not take answers 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from minqing.accounts.roles import ADMIN_ROLES, LEADER_ROLES, PLACE_ROLES, Role
from minqing.lib import regioncode
from minqing.regions.jurisdiction import PlacePolicy, Scope, region_q

# The level an appeal sits at → the division level of a post that may review it (or higher).
LEVEL_DEPTH = {"village": regioncode.VILLAGE, "township": regioncode.TOWNSHIP, "county": regioncode.COUNTY}

# The dispatcher (the level that assigned the case) decides 退单, 转办, 协办 and a proposed referral; the
# 复查/复核 decisions fall to the level above once the request raised the case's level.
TRIAGE = frozenset({"review", "solve_on_spot", "assign", "explain_policy", "escalate", "merge_into", "unmerge",
                    "add_co_unit", "approve_return", "reject_return", "transfer", "confirm_refer", "reject_refer",
                    "request_recheck", "recheck", "request_reexamine", "reexamine",
                    "reopen"})  # reopen (重新办理): the dispatcher brings a closed case back
# A co-unit's staff act on their own part only (the service checks which part).
CO_HANDLING = frozenset({"return", "co_reply"})
HANDLING = frozenset({"add_progress", "request_extension", "suspend", "resume", "submit_result", "refer"})
APPROVAL = frozenset({"approve_extension", "reject_extension"})
LEADERSHIP = frozenset({"remind", "supervise", "flag_accountability"})
FOLLOW_UP = frozenset({"verify", "return_visit", "return_visit_failed", "close"})
UNIT_HEAD_ROLES = frozenset({Role.DEPT_HEAD, Role.TOWNSHIP_SECRETARY, Role.TOWNSHIP_HEAD, Role.VILLAGE_SECRETARY,
                             Role.VILLAGE_DIRECTOR})


# --- seeing ---------------------------------------------------------------------------------


def _misconduct_rule(prefix: str):
    """举报: the discipline commission covering the receiving place; never a person it names."""

    def rule(scope: Scope) -> Q:
        codes = [p.region_code for p in scope.posts if p.role == Role.DISCIPLINE]
        named = Q(**{f"{prefix}reported_users": scope.user_id}) if scope.user_id else Q(pk__in=[])
        return region_q(codes, f"{prefix}region") & ~named

    return rule


def _family_rule(prefix: str):
    """Family disputes: the mediators and the leaders whose post covers the place."""

    def rule(scope: Scope) -> Q:
        codes = [p.region_code for p in scope.posts if p.role == Role.MEDIATOR or p.role in LEADER_ROLES]
        return region_q(codes, f"{prefix}region")

    return rule


def _appeal_of(obj: Any) -> Any:
    return getattr(obj, "appeal", obj) if not hasattr(obj, "sensitivity") else obj


def reveal_rule(scope: Scope, obj: Any) -> bool:
    """May this user see reporters' phones in clear: the handler and the people above them."""
    appeal = _appeal_of(obj)
    code = appeal.region_id
    covering = [p for p in scope.posts if regioncode.contains(p.region_code, code)]
    if appeal.sensitivity == "misconduct":
        return any(p.role == Role.DISCIPLINE for p in covering) and not appeal.reported_users.filter(
            pk=scope.user_id).exists()
    if appeal.sensitivity == "family":
        return any(p.role == Role.MEDIATOR for p in covering)
    if appeal.handler_id is not None and appeal.handler_id == scope.user_id:
        return True
    if appeal.unit_id is not None and any(p.unit_id == appeal.unit_id and p.role == Role.DEPT_HEAD
                                          for p in scope.posts):
        return True
    return scope.leads(code)


def appeal_policy(prefix: str = "", region_field: str | None = None) -> PlacePolicy:
    """The policy for Appeal (prefix "") or for a row that points at one (prefix "appeal__")."""
    return PlacePolicy(
        region_field=region_field or f"{prefix}region",
        unit_field=f"{prefix}unit",
        sensitivity_field=f"{prefix}sensitivity",
        rules={"misconduct": _misconduct_rule(prefix), "family": _family_rule(prefix)},
        reveal=reveal_rule,
        extra=co_unit_rule(prefix),
    )


# --- acting ---------------------------------------------------------------------------------


def _covering(scope: Scope, code: str) -> list:
    return [p for p in scope.posts if regioncode.contains(p.region_code, code)]


def _may_triage(scope: Scope, appeal: Any) -> bool:
    depth = LEVEL_DEPTH.get(appeal.level, regioncode.VILLAGE)
    for p in _covering(scope, appeal.region_id):
        if regioncode.level_of(p.region_code) > depth:
            continue  # a village post cannot decide a case already sent to the township
        if appeal.sensitivity == "misconduct":
            if p.role == Role.DISCIPLINE:
                return True
        elif appeal.sensitivity == "family":
            if p.role == Role.MEDIATOR or p.role in LEADER_ROLES:
                return True
        elif p.role in PLACE_ROLES and (p.role != Role.MEDIATOR or appeal.kind == "dispute"):
            return True
        elif p.unit_function == "petitions" and p.role == Role.DEPT_HEAD:  # 信访局 reviews county cases
            return True
    return False


def _in_unit(scope: Scope, appeal: Any) -> bool:
    return appeal.unit_id is not None and appeal.unit_id in scope.unit_ids


def _in_co_unit(scope: Scope, appeal: Any) -> bool:
    from .models import CoUnit  # access.py is imported by the app registry before models load

    return bool(scope.unit_ids) and CoUnit.objects.filter(appeal_id=appeal.pk, unit_id__in=scope.unit_ids,
                                                          active=True).exists()


def co_unit_rule(prefix: str):
    """A co-unit's posts see the cases their unit co-handles, as the lead unit's posts see theirs."""

    def extra(scope: Scope) -> Q:
        from .models import CoUnit

        if not scope.unit_ids or scope.is_superuser:
            return Q(pk__in=[])
        ids = CoUnit.objects.filter(unit_id__in=sorted(scope.unit_ids), active=True).values("appeal_id")
        return Q(**{f"{prefix}id__in": ids})

    return extra


def _is_discipline(scope: Scope, appeal: Any) -> bool:
    return any(p.role == Role.DISCIPLINE for p in _covering(scope, appeal.region_id))


def may_act(scope: Scope, appeal: Any, action: str) -> bool:
    """Does the post allow this action on this (visible) appeal? The workflow decides the rest."""
    if scope.is_superuser and appeal.sensitivity == "normal":
        return True  # an operator administers; 举报 and family cases follow the rules below for them too
    if scope.is_anonymous:
        return False
    if appeal.sensitivity == "misconduct":
        return _is_discipline(scope, appeal)
    if action in TRIAGE:
        return _may_triage(scope, appeal)
    if action in HANDLING:
        return (appeal.handler_id == scope.user_id or _in_unit(scope, appeal) or _may_triage(scope, appeal))
    if action in CO_HANDLING:
        return (appeal.handler_id == scope.user_id or _in_unit(scope, appeal) or _in_co_unit(scope, appeal)
                or _may_triage(scope, appeal))
    if action in APPROVAL:
        return scope.leads(appeal.region_id) or any(
            p.unit_id == appeal.unit_id and p.role in UNIT_HEAD_ROLES for p in scope.posts)
    if action in LEADERSHIP:
        if action != "supervise" and _is_discipline(scope, appeal):
            return True
        return scope.leads(appeal.region_id)
    if action in FOLLOW_UP:
        if any(p.role in PLACE_ROLES for p in _covering(scope, appeal.region_id)):
            return appeal.sensitivity != "family" or _may_triage(scope, appeal)
        return any(p.unit_id == appeal.unit_id and p.role in UNIT_HEAD_ROLES for p in scope.posts)
    return False


def figures_count_reports(user: Any, region_code: str) -> bool:
    """Do figures shown to this user count 举报? Only for the discipline commission covering the place.
    Anyone else — a cadre a report names among them — gets figures without them at every period, so
    no difference of two figures (one day against the next, a count against the list one can see)
    tells when or where a report was filed."""
    from minqing.regions.jurisdiction import scope_of

    code = regioncode.normalize(region_code)
    return any(p.role == Role.DISCIPLINE and regioncode.contains(p.region_code, code)
               for p in scope_of(user).posts)


def may_register(scope: Scope, region_code: str) -> bool:
    """Any post working by place (or a unit post for its region: a 信访局 clerk takes a letter)."""
    if scope.is_superuser:
        return True
    return any(regioncode.contains(p.region_code, region_code) for p in scope.posts if p.role not in ADMIN_ROLES)


def withheld_ids(user: Any, ids: set[int]) -> set[int]:
    """Of these appeals, the 举报 and family cases the user cannot see: their audit events keep their
    content (changes, reason) from that reader (audit.trail.register_withholding)."""
    from minqing.regions import jurisdiction

    from .models import Appeal

    narrow = set(Appeal.objects.filter(pk__in=ids).exclude(sensitivity="normal").values_list("pk", flat=True))
    if narrow:
        narrow -= set(jurisdiction.visible(user, Appeal).filter(pk__in=narrow).values_list("pk", flat=True))
    return narrow
