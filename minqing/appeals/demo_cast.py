"""The demo appeals' script: the channel and scenario weights, the statuses the demo must show,
a simulated case (Sim) and who does what in the demo county (Cast)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minqing.accounts.models import Unit, User

from . import workflow as wf
from .models import Appeal, Progress, Report, ReturnVisit

H = dt.timedelta(hours=1)
STATION_FUNCTIONS = ("civil_affairs", "social_security")  # stations with their own staff accounts
CHANNELS = [("visit", 45), ("meeting", 15), ("reception", 8), ("phone", 10), ("letter", 3), ("mailbox", 5),
            ("email", 2), ("web", 6), ("social", 3), ("transfer", 3)]
SCENARIOS = [("spot", 36), ("village", 20), ("township", 12), ("county", 4), ("explain", 7), ("township_explain", 2),
             ("dispute_spot", 5), ("dispute_assign", 2), ("family", 1.5), ("petition", 3), ("stuck", 3),
             ("misconduct", 1), ("open_recent", 3.5), ("old_petition", 2), ("petition_stuck", 0.45)]
# Statuses the demo must show (forced on a few recent cases in the demo villages).
FORCED = [wf.Status.REGISTERED, wf.Status.ESCALATED, wf.Status.ASSIGNED, wf.Status.IN_PROGRESS,
          wf.Status.EXTENSION_REQUESTED, wf.Status.SUSPENDED, wf.Status.AWAITING_VERIFICATION,
          wf.Status.AWAITING_RETURN_VISIT, wf.Status.AWAITING_CLOSURE, wf.Status.CLOSED_SOLVED,
          wf.Status.SOLVED_ON_SPOT, wf.Status.EXPLAINED, wf.Status.CLOSED_UNSOLVED, wf.Status.MERGED,
          wf.Status.RETURN_REQUESTED, wf.Status.REFER_PROPOSED, wf.Status.REFERRED, wf.Status.RECHECKING,
          wf.Status.REEXAMINING]



class Stop(Exception):
    """The script reached the demo's 'now' or its target status: the case stays as it is."""



@dataclass
class Sim:
    index: int
    appeal: Appeal
    t: dt.datetime
    state: wf.AppealState
    stop_at: wf.Status | None = None
    speed: float = 1.0  # forced cases run their steps faster so they reach their status by 'now'
    events: list[tuple[wf.Event, User | None, wf.AppealState]] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    visits: list[ReturnVisit] = field(default_factory=list)
    merge_target: int | None = None  # index of the case it was merged into
    received_from: list[int] = field(default_factory=list)  # indexes merged into this one



# --- the cast -------------------------------------------------------------------------------


class Cast:
    """Who does what in the demo county, found from the staffing the generator built."""

    def __init__(self, staffing: Any, villages: dict[str, list[Any]]):
        self.users: dict[str, User] = staffing.users
        self.units: dict[str, Unit] = staffing.units
        self.cadres: dict[str, list[User]] = staffing.village_cadres
        self.leads: dict[str, list[User]] = staffing.township_leads
        self.county_leaders: list[User] = staffing.county_leaders
        self.township_of = {v.code: t for t, vs in villages.items() for v in vs}

    def u(self, name: str) -> User | None:
        return self.users.get(name)

    def township_secretary(self, t: str) -> User:
        return self.u(f"t-{t}-sec") or self.u("demo-township") or self.leads[t][0]

    def township_head(self, t: str) -> User:
        return self.u(f"t-{t}-head") or self.township_secretary(t)

    def mediator(self, v: str) -> User:
        return self.u(f"v-{v}-med") or self.cadres[v][0]
