"""Disputes registered as plain appeals: the Dispute row each gets (adopt), and the dispute that
follows its appeal's actions (sync_from_appeal, audited), called through minqing.appeals.hooks in the
appeal's own transaction (appeals never imports disputes). Re-exported by disputes.services."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from minqing.appeals import hooks
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.lib.workdays import TZ

from .checks import FAMILY_CATEGORY_CODE, _audit, _now
from .models import Dispute, DisputeKind, Outcome, Party, PartyKind, Source

# register_dispute makes its own Dispute row and start_stage sets its owner and deadline: while they
# drive the appeal, the hook below must not adopt or follow it.
_registering: ContextVar[bool] = ContextVar("disputes_registering", default=False)


def on_appeal_changed(change: hooks.Change) -> None:
    """Registered in appeals.hooks (appeals never imports disputes); runs inside the appeal's own
    transaction. A dispute registered as a plain appeal — on a cadre's phone, on the appeals form,
    through the portal — becomes a dispute at once (side 1 = the reporting household, low risk,
    reviewed within 30 days), so it is on the risk list for the mediator to complete (the other side,
    the risk) instead of waiting for `minqing disputes adopt`. Later changes keep such a dispute's
    figures in step with the appeal (sync_from_appeal, audited)."""
    appeal = change.appeal
    if appeal.kind != wf.Kind.DISPUTE.value or _registering.get():
        return
    if change.created:
        adopt(actor=change.actor, appeal_ids=[appeal.pk])
    else:
        sync_from_appeal(appeal, actor=change.actor, now=change.at)


@transaction.atomic
def sync_from_appeal(appeal: Appeal, *, actor: Any = None, now: dt.datetime | None = None) -> Dispute | None:
    """A dispute handled by plain appeal actions (solved on the spot at a meeting, closed, referred,
    assigned on the appeals pages) takes its solved/referred time and its deadline and responsible
    person from the appeal, as adopt() does; a dispute in mediation keeps what the mediation set.
    Every change is an audit event (dispute.followed_appeal) naming what moved."""
    d = Dispute.objects.select_for_update().filter(appeal_id=appeal.pk).first()
    if d is None:
        return None
    changes: dict[str, Any] = {}
    if appeal.group == wf.Group.SOLVED.value and d.solved_at is None and d.outcome != Outcome.REFERRED:
        changes.update(solved_at=appeal.closed_at, outcome=Outcome.AGREED)
    elif appeal.status == wf.Status.REFERRED.value and d.referred_at is None and d.solved_at is None:
        changes.update(referred_at=appeal.closed_at, outcome=Outcome.REFERRED)
    if not d.stages.exists() and (d.due_at, d.owner_id, d.owner_name) != (
            appeal.due_at, appeal.handler_id, appeal.handler_name):
        changes.update(due_at=appeal.due_at, owner_id=appeal.handler_id, owner_name=appeal.handler_name)
    if not changes:
        return d
    now = _now(now)
    diff = {k: [_plain(getattr(d, k)), _plain(v)] for k, v in changes.items()}
    for k, v in changes.items():
        setattr(d, k, v)
    d.updated_at = now
    d.save(update_fields=[*changes, "updated_at"])
    d.appeal = appeal
    _audit("followed_appeal", d, actor, {"appeal": appeal.number, **diff}, now)
    return d


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


@transaction.atomic
def adopt(*, actor=None, now: dt.datetime | None = None, appeal_ids: list[int] | None = None) -> int:
    """Give a Dispute row to every appeal of kind 矛盾纠纷 registered without one (through the
    appeals form, an import, the appeals demo), so lists and figures count every dispute. The
    kind follows the appeal's category (婚姻家庭 → family, else the kind filed under that
    category, else 其他); the reporting household is side 1; a solved appeal counts as solved
    at its closing time. One audit event per county lists what was adopted."""
    now = _now(now)
    by_category: dict[str, DisputeKind] = {}
    for k in DisputeKind.objects.filter(is_active=True).order_by("-family", "order"):
        by_category.setdefault(k.category_code, k)
    fallback = DisputeKind.objects.filter(code="other").first() or DisputeKind.objects.order_by("order").first()
    if fallback is None:
        return 0
    appeals_qs = (Appeal.objects.filter(kind=wf.Kind.DISPUTE.value, dispute__isnull=True, deleted_at__isnull=True)
                  .exclude(status=wf.Status.MERGED.value).select_related("category", "household"))
    if appeal_ids is not None:
        appeals_qs = appeals_qs.filter(pk__in=appeal_ids)
    rows, owners = [], {}
    for a in appeals_qs:
        code = FAMILY_CATEGORY_CODE if a.sensitivity == "family" else (a.category.code if a.category_id else "")
        solved = a.group == wf.Group.SOLVED.value
        rows.append(Dispute(appeal=a, kind=by_category.get(code, fallback), found_at=a.received_at,
                            source=Source.MEETING if a.channel == "meeting" else Source.VISIT,
                            next_review_on=a.received_at.astimezone(TZ).date() + dt.timedelta(days=30),
                            last_reviewed_at=a.received_at, owner_id=a.handler_id, owner_name=a.handler_name,
                            due_at=a.due_at, outcome=Outcome.AGREED if solved else Outcome.NONE,
                            solved_at=a.closed_at if solved else None, updated_at=now))
        owners[a.pk] = a
    if not rows:
        return 0
    Dispute.objects.bulk_create(rows, batch_size=1000)
    made = {d.appeal_id: d for d in Dispute.objects.filter(appeal_id__in=list(owners))}
    Party.objects.bulk_create([Party(dispute=made[a.pk], side=1, kind=PartyKind.HOUSEHOLD, household=a.household,
                                     name=a.household.head_name, created_at=now)
                               for a in owners.values() if a.household_id], batch_size=1000)
    by_county: dict[str, list[int]] = {}
    for a in owners.values():
        by_county.setdefault(regioncode.county_of(a.region_id), []).append(made[a.pk].pk)
    for county, ids in sorted(by_county.items()):
        record("dispute.adopted", actor=actor, object_type="disputes.dispute", object_id=f"{min(ids)}-{max(ids)}",
               region_code=county, changes={"disputes": sorted(ids)}, at=now)
    return len(rows)
