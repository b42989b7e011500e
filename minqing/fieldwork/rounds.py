"""五人大走访 rounds: who led them (县级领导带队) and their results reconciled.

The results of a round are counted from its visits and cases (desk.round_results_from_visits). A
figure the team typed is a correction of that count with its reason, never a figure of its own:
``reconcile`` gives both and the difference at each stage, and the round's figure is the correction
while it stands. A round is led by a county leader — a county secretary, head or leader post in the
team's county, or the team's own member as 县级领导 — named when the round is opened (the team's
county-leader member by default) or later by ``set_round_leader``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minqing.accounts.models import Post, User, VisitTeam, VisitTeamMember
from minqing.accounts.roles import Role, TeamRole
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .checks import OUT_OF_JURISDICTION
from .desk import ROUND_RESULTS, round_results_from_visits
from .models import VisitRound

COUNTY_LEADER_ROLES = (Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER)


def team_leader(team: VisitTeam) -> User | None:
    """The team's county-leader member, if it has one."""
    member = VisitTeamMember.objects.filter(team=team, role=TeamRole.COUNTY_LEADER).select_related("user").first()
    return member.user if member else None


def county_leaders(team: VisitTeam) -> list[User]:
    """Who may lead a round of this team: county leader posts of its county, and its 县级领导 member."""
    county = regioncode.county_of(team.region_id)
    low, high = regioncode.subtree_range(county)
    posts = Post.objects.filter(role__in=COUNTY_LEADER_ROLES, region_id__gte=low, region_id__lte=high,
                                ended_on__isnull=True).values("user_id")
    members = VisitTeamMember.objects.filter(team=team, role=TeamRole.COUNTY_LEADER).values("user_id")
    return list(User.objects.filter(Q(pk__in=posts) | Q(pk__in=members), is_active=True).order_by("display_name"))


def check_leader(team: VisitTeam, leader: User | int) -> User:
    pk = getattr(leader, "pk", leader)
    found = next((u for u in county_leaders(team) if u.pk == pk), None)
    if found is None:
        raise ValidationError("带队领导须是本县的县级领导（县委书记、县长或其他县级领导）")
    return found


@transaction.atomic
def set_round_leader(rnd: VisitRound, *, actor: Any, leader: User | int | None,
                     now: dt.datetime | None = None) -> VisitRound:
    """Name (or clear, with None) the county leader who led the round; by a leader of the team's place."""
    now = now or timezone.now()
    row = jurisdiction.visible(actor, VisitRound).select_for_update().filter(pk=rnd.pk).first() \
        if actor is not None else VisitRound.objects.select_for_update().get(pk=rnd.pk)
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if actor is not None and not jurisdiction.scope_of(actor).leads(row.region_id):
        raise PermissionDenied("只有走访组所在地的领导可以填写带队领导")
    new = check_leader(row.team, leader) if leader not in (None, "") else None
    before = row.led_by_id
    row.led_by = new
    row.updated_at = now
    row.save(update_fields=["led_by", "updated_at"])
    record("field.round.leader", actor=actor, obj=row, at=now, changes={"led_by": [before, new.pk if new else None]})
    return row


@dataclass(frozen=True)
class Stage:
    name: str
    counted: int
    typed: int | None  # the correction's figure, None when there is none

    @property
    def shown(self) -> int:
        return self.typed if self.typed is not None else self.counted

    @property
    def difference(self) -> int:
        return 0 if self.typed is None else self.typed - self.counted


@dataclass(frozen=True)
class Reconciliation:
    stages: tuple[Stage, ...]
    corrected: bool
    reason: str
    corrected_by: str
    corrected_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"counted": {s.name: s.counted for s in self.stages},
                "corrected": {s.name: s.typed for s in self.stages} if self.corrected else None,
                "shown": {s.name: s.shown for s in self.stages},
                "difference": {s.name: s.difference for s in self.stages},
                "correction_reason": self.reason or None,
                "corrected_at": self.corrected_at.isoformat() if self.corrected_at else None}


def reconcile(rnd: VisitRound) -> Reconciliation:
    """The counted results, the correction (when one stands) and the difference at each stage."""
    counted = round_results_from_visits(rnd)
    corrected = bool(rnd.correction_reason)
    stages = tuple(Stage(n, counted[n], getattr(rnd, n) if corrected else None) for n in ROUND_RESULTS)
    return Reconciliation(stages, corrected, rnd.correction_reason,
                          str(rnd.corrected_by) if rnd.corrected_by_id else "", rnd.corrected_at)


def counted_funnel(round_ids: list[int]) -> dict[str, int]:
    """The funnel of several rounds counted from their visits and cases (households per round, summed),
    in four queries whatever the number of rounds; with how many of them carry a correction."""
    from minqing.appeals import workflow as wf
    from minqing.appeals.models import Appeal

    from .models import Visit

    if not round_ids:  # no round: nothing to count (and no querysets to build)
        return dict.fromkeys(("households_visited", "households_with_problems", "sent_to_township",
                              "sent_to_county", "corrected_rounds"), 0)
    pairs = ("field_origin__visit__round", "household")
    appeals = Appeal.objects.alive().filter(field_origin__visit__round__in=round_ids)
    above = (wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value)
    return {
        "households_visited": Visit.objects.alive().filter(round__in=round_ids).values("round", "household")
        .distinct().count(),
        "households_with_problems": appeals.values(*pairs).distinct().count(),
        "sent_to_township": appeals.filter(max_level__in=above).values(*pairs).distinct().count(),
        "sent_to_county": appeals.filter(max_level=wf.Level.COUNTY.value).values(*pairs).distinct().count(),
        "corrected_rounds": VisitRound.objects.filter(pk__in=round_ids).exclude(correction_reason="").count(),
    }
