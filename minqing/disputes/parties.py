"""What a party to a dispute sees and says, without a log-in (当事人查询).

A mediator gives each party a code on a printed slip (当事人查询码: 16 characters, the portal's
alphabet; only a keyed hash is stored; a new code revokes the old). With it, at /portal/mediation/
(or POST /api/v1/portal/mediation) the party sees what concerns them:
- the dispute's kind, place, stage (待调解 → 调解中 → 协议履行中 → 已化解 / 已转出) and deadline;
- their own side, name and claim — of the other side only how many parties it has;
- the mediation stages of 三调联动: which body, which mediator, why a stage was handed on;
- the sessions: when, where, in which form; their own statements; the outcome only of sessions
  they took part in (named among the attendees, "双方" attended, or they made a statement there):
  a back-to-back talk with the other side is not theirs to read;
- the agreement: its terms with deadlines, who owes each (您 / 您方 / 对方), kept or not, whether they
  signed; the follow-up visits' findings per term; a referral's body and reason (where to go next);
- the messages they sent and whether a mediator has read them.
Never: the other parties' names (replaced by 对方 in every text shown), claims, statements,
households or phones; phone and ID numbers in any text; risk assessment; staff notes.

A party may send a short message (e.g. "对方没有按期拆除"), optionally about one term; the
mediators see it on the dispute's page and mark it read. Look-ups and messages are rate limited
with the portal's database-backed limits (minqing.portal.throttle). No web code here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from minqing.audit.log import record
from minqing.lib.workdays import TZ
from minqing.portal import codes, throttle
from minqing.portal.progress import public_text

from . import services
from .models import (
    Dispute,
    MediationStage,
    Party,
    PartyAccess,
    PartyMessage,
    ReferralTo,
    StageKind,
    StageLevel,
    StageResult,
    Term,
    TermStatus,
    Venue,
)

MESSAGE_MIN, MESSAGE_MAX = 4, 500
_BOTH = ("双方", "各方", "全体当事人")


def side_label(side: int) -> str:
    return "甲乙丙丁戊己庚辛壬"[side - 1] + "方" if 1 <= side <= 9 else f"第{side}方"


def code_hash(code: str) -> str:
    # Its own key space: a party's code never opens a portal letter, nor the other way round.
    return throttle.keyed("party", code)


# --- issuing codes (mediators) ---------------------------------------------------------------


@transaction.atomic
def issue_code(dispute: Dispute, party: Party, *, actor, now: dt.datetime | None = None,
               code: str | None = None) -> str:
    """A new code for one party (shown once, to print); the party's earlier codes stop working.
    `code` is for the demo's documented code only; otherwise a random one is drawn."""
    now = now or timezone.now()
    if party.dispute_id != dispute.pk or party.deleted_at is not None:
        raise ValidationError("该当事人不属于这起纠纷")
    services._may(actor, dispute.appeal, "add_progress")
    revoked = PartyAccess.objects.alive().filter(party=party, revoked_at__isnull=True).update(revoked_at=now)
    if code is not None:
        code = codes.normalize(code)
        if code is None or PartyAccess.objects.filter(code_hash=code_hash(code)).exists():
            raise ValidationError("查询码无效或已被使用")
    while code is None:  # 31^16 codes: a clash is practically impossible, but the unique hash decides
        drawn = codes.new_code()
        if not PartyAccess.objects.filter(code_hash=code_hash(drawn)).exists():
            code = drawn
    PartyAccess.objects.create(party=party, code_hash=code_hash(code), issued_at=now, issued_by=services._user(actor))
    services._audit("party_code_issued", dispute, actor, {"party": party.pk, "revoked": revoked}, now)
    return code


@transaction.atomic
def revoke_codes(dispute: Dispute, party: Party, *, actor, now: dt.datetime | None = None) -> int:
    """Stop the party's codes (a slip lost, a code seen by someone else)."""
    now = now or timezone.now()
    if party.dispute_id != dispute.pk:
        raise ValidationError("该当事人不属于这起纠纷")
    services._may(actor, dispute.appeal, "add_progress")
    revoked = PartyAccess.objects.alive().filter(party=party, revoked_at__isnull=True).update(revoked_at=now)
    services._audit("party_code_revoked", dispute, actor, {"party": party.pk, "revoked": revoked}, now)
    return revoked


def code_issued_at(party: Party) -> dt.datetime | None:
    access = PartyAccess.objects.alive().filter(party=party, revoked_at__isnull=True).first()
    return access.issued_at if access else None


@transaction.atomic
def mark_read(dispute: Dispute, *, actor, now: dt.datetime | None = None) -> int:
    """The mediator has read the parties' messages."""
    now = now or timezone.now()
    services._may(actor, dispute.appeal, "add_progress")
    count = PartyMessage.objects.alive().filter(dispute=dispute, read_at__isnull=True).update(
        read_at=now, read_by=services._user(actor))
    if count:
        services._audit("party_messages_read", dispute, actor, {"count": count}, now)
    return count


# --- finding a party by code (public) ----------------------------------------------------------


@transaction.atomic
def find(text: str, *, address_key: str, now: dt.datetime | None = None) -> PartyAccess | None:
    """The access of a code, with the portal's look-up limits (per address, wrong codes, per code)."""
    now = now or timezone.now()
    access = codes.look_up(text, lambda code: PartyAccess.objects.alive().filter(
        code_hash=code_hash(code), revoked_at__isnull=True, party__deleted_at__isnull=True).first(),
        space="party-hits", address_key=address_key, now=now)
    if access is not None:
        PartyAccess.objects.filter(pk=access.pk).update(last_seen_at=now)
    return access


@transaction.atomic
def say(access: PartyAccess, *, text: str, term: Any = None, address_key: str,
        now: dt.datetime | None = None) -> PartyMessage:
    """A party's message to the mediators (limited per address and per code)."""
    now = now or timezone.now()
    body = str(text or "").strip()
    if len(body) < MESSAGE_MIN:
        raise ValidationError({"text": f"请写下您要反映的情况（至少{MESSAGE_MIN}个字）"})
    if len(body) > MESSAGE_MAX:
        raise ValidationError({"text": f"留言不能超过{MESSAGE_MAX}个字"})
    party = access.party
    dispute = party.dispute
    term_obj = None
    if term not in (None, ""):
        try:
            term_id = int(term)
        except (TypeError, ValueError):
            raise ValidationError({"term": "所选协议条款不存在"}) from None
        term_obj = Term.objects.alive().filter(pk=term_id, agreement__dispute=dispute,
                                               agreement__deleted_at__isnull=True).first()
        if term_obj is None:
            raise ValidationError({"term": "所选协议条款不存在"})
    throttle.check("say_addr", address_key, now=now)
    throttle.check("say_code", throttle.keyed("party-say", access.code_hash), now=now)
    message = PartyMessage.objects.create(dispute=dispute, party=party, term=term_obj, at=now, text=body[:MESSAGE_MAX])
    record("dispute.party_message", actor=None, object_type="disputes.dispute", object_id=dispute.pk,
           region_code=dispute.appeal.region_id, changes={"party": party.pk, "message": message.pk,
                                                          "term": term_obj.pk if term_obj else None}, at=now)
    return message


# --- what the party sees -------------------------------------------------------------------------


@dataclass
class StageView:
    kind: str
    level: str
    body: str
    mediator: str
    started_on: dt.date
    ended_on: dt.date | None
    due_on: dt.date | None
    result: str
    reason: str


@dataclass
class SessionView:
    held_at: dt.datetime
    form: str
    place: str
    took_part: bool
    said: list[str]
    outcome: str  # empty when the party did not take part
    result: str


@dataclass
class TermView:
    id: int
    number: int
    text: str
    owed_by: str  # 您 / 您方 / 对方, or empty when the agreement names nobody
    due_on: dt.date
    status: str
    status_label: str
    overdue: bool


@dataclass
class AgreementView:
    signed_on: dt.date
    summary: str
    status: str
    status_label: str
    signed: bool
    paper_on_file: bool
    terms: list[TermView]


@dataclass
class FollowUpView:
    on: dt.date
    method: str
    checks: list[tuple[int, bool]]  # (term number, kept)


@dataclass
class ReferralView:
    to: str
    body: str
    reason: str
    on: dt.date


@dataclass
class MessageView:
    at: dt.datetime
    text: str
    term: int | None
    read: bool


@dataclass
class PartyView:
    number: str
    kind: str
    place: str
    found_on: dt.date
    phase: str
    phase_label: str
    side: str
    name: str
    claim: str
    own_side: int  # other parties on the party's own side
    other_sides: int  # parties on the other sides
    mediator: str
    deadline: dt.date | None
    stages: list[StageView] = field(default_factory=list)
    sessions: list[SessionView] = field(default_factory=list)
    agreements: list[AgreementView] = field(default_factory=list)
    follow_ups: list[FollowUpView] = field(default_factory=list)
    referral: ReferralView | None = None
    messages: list[MessageView] = field(default_factory=list)
    open_terms: list[TermView] = field(default_factory=list)  # what a message may be about

    def as_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class _Cleaner:
    """Texts as a party may read them: numbers masked, other parties' names replaced."""

    def __init__(self, me: Party, parties: list[Party]):
        self.swaps: list[tuple[str, str]] = []
        for p in parties:
            if p.pk == me.pk:
                continue
            word = "同方当事人" if p.side == me.side else "对方"
            names = {p.name}
            if p.household_id:
                names.add(p.household.head_name)
            if p.resident_id:
                names.add(p.resident.name)
            self.swaps += [(n.strip(), word) for n in names if n and len(n.strip()) >= 2 and n.strip() != me.name]
        self.swaps.sort(key=lambda s: len(s[0]), reverse=True)

    def __call__(self, text: str) -> str:
        clean = public_text(text, [])  # numbers masked, then removed even masked, as on the portal
        for name, word in self.swaps:
            clean = clean.replace(name, word)
        return clean.strip()


def _day(moment: dt.datetime | None) -> dt.date | None:
    return moment.astimezone(TZ).date() if moment else None


def _stage(s: MediationStage, clean: _Cleaner) -> StageView:
    return StageView(kind=str(StageKind(s.kind).label), level=str(StageLevel(s.level).label), body=s.body,
                     mediator=s.mediator_name, started_on=_day(s.started_at), ended_on=_day(s.ended_at),
                     due_on=_day(s.due_at), result=str(StageResult(s.result).label) if s.result else "",
                     reason=clean(s.reason))


def _took_part(session, me: Party) -> bool:
    if any(st.get("party") == me.pk for st in session.statements or ()):
        return True
    names = {me.name, me.household.head_name if me.household_id else "", me.resident.name if me.resident_id else ""}
    return any(a in names or any(b in a for b in _BOTH) for a in session.attendees or () if a)


def _owed_by(term, me: Party, sides: dict[int, int]) -> str:
    if term.party_id is None:
        return ""  # not named in the agreement
    if term.party_id == me.pk:
        return pgettext("disputes", "you")
    if sides.get(term.party_id) == me.side:
        return pgettext("disputes", "your side")
    return pgettext("disputes", "the other side")


def view(access: PartyAccess, *, today: dt.date | None = None) -> PartyView:
    """Everything this party may see of their dispute, cleaned (see the module docstring)."""
    today = today or timezone.now().astimezone(TZ).date()
    me = Party.objects.select_related("household", "resident").get(pk=access.party_id)
    d = Dispute.objects.select_related("appeal__region", "kind").get(pk=me.dispute_id)
    parties = list(d.parties.alive().select_related("household", "resident"))
    clean = _Cleaner(me, parties)
    sides = {p.pk: p.side for p in parties}
    phase = services.phase(d)
    stages = list(d.stages.alive())
    current = next((s for s in reversed(stages) if s.ended_at is None), None)
    pv = PartyView(
        number=d.appeal.number, kind=d.kind.name, place=d.appeal.region.full_name(), found_on=_day(d.found_at),
        phase=phase, phase_label=services.PHASE_LABELS[phase], side=side_label(me.side), name=me.name,
        claim=clean(me.claim), own_side=sum(1 for p in parties if p.side == me.side and p.pk != me.pk),
        other_sides=sum(1 for p in parties if p.side != me.side),
        mediator=current.mediator_name if current else "",
        deadline=_day(d.due_at) if phase in ("screening", "mediating") else None,
        stages=[_stage(s, clean) for s in stages])
    for s in d.sessions.alive():
        part = _took_part(s, me)
        pv.sessions.append(SessionView(
            held_at=s.held_at, form=str(Venue(s.venue).label), place=clean(s.place), took_part=part,
            said=[clean(st.get("text", "")) for st in s.statements or () if st.get("party") == me.pk],
            outcome=clean(s.outcome) if part else "", result=s.get_result_display()))
    term_numbers: dict[int, int] = {}
    for g in d.agreements.alive().prefetch_related("terms"):
        terms = []
        for t in g.terms.all():
            if t.deleted_at is not None:
                continue
            term_numbers[t.pk] = t.number
            terms.append(TermView(id=t.pk, number=t.number, text=clean(t.text), owed_by=_owed_by(t, me, sides),
                                  due_on=t.due_on, status=t.status, status_label=str(TermStatus(t.status).label),
                                  overdue=t.status == TermStatus.PENDING and t.due_on < today))
        pv.agreements.append(AgreementView(
            signed_on=g.signed_on, summary=clean(g.summary), status=g.status, status_label=g.get_status_display(),
            signed=me.pk in (g.signed_by or []), paper_on_file=g.photo_id is not None, terms=terms))
    pv.open_terms = [t for g in pv.agreements if g.status == "performing" for t in g.terms
                     if t.status != TermStatus.KEPT]
    for f in d.follow_ups.alive().prefetch_related("checks"):
        pv.follow_ups.append(FollowUpView(on=_day(f.at), method=f.method, checks=[
            (term_numbers.get(c.term_id, 0), c.kept) for c in f.checks.all() if c.deleted_at is None]))
    referral = d.referrals.alive().last()
    if referral is not None:
        pv.referral = ReferralView(to=str(ReferralTo(referral.to).label), body=referral.body,
                                   reason=clean(referral.reason), on=_day(referral.at))
    pv.messages = [MessageView(at=m.at, text=m.text, term=term_numbers.get(m.term_id) if m.term_id else None,
                               read=m.read_at is not None)
                   for m in PartyMessage.objects.alive().filter(party=me).order_by("at", "id")]
    return pv

