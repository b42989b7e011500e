"""What sends a notice: the appeals hook (registered in apps.py) turns workflow changes into outbox
rows, inside the appeal's own transaction. Staff: assigned, returned (退单), 催办, 挂牌督办, yellow and
red warnings, verification and return visit due, a 差评. Residents: accepted, closed, return visit.

A group robot's text names only the case number, the place, the category, the deadline and a link;
a resident's name, phone or words never go to a group."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from minqing.appeals import hooks
from minqing.appeals.models import AppealEvent

from . import services
from .models import ChannelKind, Endpoint

KIND_LABELS = {
    "assigned": "新交办", "returned": "退单待审核", "reminded": "催办", "supervised": "挂牌督办",
    "warning_yellow": "黄灯预警", "warning_red": "红灯超期", "verify_due": "待核查", "visit_due": "待回访",
    "unsatisfied": "群众差评",
}
BAD_RATINGS = frozenset({"unsatisfied", "very_unsatisfied", "dissatisfied", "very_dissatisfied"})
REPLY_FIELDS = {"submit_result": "result", "explain_policy": "text", "solve_on_spot": "what", "refer": "body"}
WARNING_YELLOW = hooks.WARNING_YELLOW
OVERDUE = "overdue"


def staff_kind(change: hooks.Change) -> str | None:
    a, payload = change.appeal, (change.event.payload if change.event is not None else {}) or {}
    if change.action in ("assign", "transfer"):
        return "assigned"
    if change.action == "add_co_unit":
        return "assigned"
    simple = {"return": "returned", "remind": "reminded", "supervise": "supervised", OVERDUE: "warning_red",
              WARNING_YELLOW: "warning_yellow", "submit_result": "verify_due"}
    if change.action in simple:
        return simple[change.action]
    if change.action == "verify" and a.status == "awaiting_return_visit":
        return "visit_due"
    if change.action == "return_visit" and (a.satisfaction in BAD_RATINGS
                                            or payload.get("satisfaction") in BAD_RATINGS):
        return "unsatisfied"
    return None


def _unit_people(unit_id: int | None) -> list[Any]:
    from minqing.accounts.models import User

    if unit_id is None:
        return []
    return list(User.objects.filter(posts__unit_id=unit_id, posts__ended_on__isnull=True, is_active=True)
                .distinct().order_by("pk")[:20])


def _assigner(appeal: Any) -> Any:
    event = (AppealEvent.objects.filter(appeal=appeal, action__in=("assign", "transfer"), actor__isnull=False)
             .select_related("actor").order_by("-at", "-id").first())
    return event.actor if event else appeal.registered_by


def _handlers(appeal: Any) -> list[Any]:
    return [appeal.handler] if appeal.handler_id else _unit_people(appeal.unit_id)


def recipients(kind: str, appeal: Any, change: hooks.Change) -> list[Any]:
    if kind in ("returned", "verify_due", "visit_due"):
        people = [_assigner(appeal)]
    elif kind == "unsatisfied":
        people = [*_handlers(appeal), _assigner(appeal)]
    elif kind == "assigned" and change.action == "add_co_unit":
        unit = (change.event.payload or {}).get("unit") if change.event is not None else None
        people = _unit_people(int(unit)) if str(unit or "").isdigit() else []
    else:
        people = _handlers(appeal)
    actor_id = getattr(change.actor, "pk", None)
    seen, out = set(), []
    for p in people:  # not the person who did it (a leader's own 催办 is not news to them)
        if p is not None and p.pk not in seen and p.pk != actor_id:
            seen.add(p.pk)
            out.append(p)
    return out


def robots(kind: str, appeal: Any) -> list[Endpoint]:
    """The unit's robots for the unit's notices; else the nearest place group above the case."""
    if kind not in ("returned", "verify_due", "visit_due"):
        own = services.unit_robots(appeal.unit_id)
        if own:
            return own
    return services.nearest_place_robots(appeal.region_id)


def group_text(kind: str, appeal: Any) -> str:
    """Nothing personal: number, place, category, deadline (the link is added by the channel)."""
    parts = [f"编号：{appeal.number}", f"地点：{appeal.region.full_name()}"]
    if appeal.category_id:
        parts.append(f"类别：{appeal.category.name}")
    if appeal.due_at:
        parts.append(f"期限：{timezone.localtime(appeal.due_at):%Y-%m-%d %H:%M}")
    return "\n".join(parts)


def on_appeal_changed(change: hooks.Change) -> None:
    _staff(change)
    _residents(change)


def staff_only(change: hooks.Change) -> None:
    """The staff notices of a change (the demo fills inboxes from past events with it)."""
    _staff(change)


def _staff(change: hooks.Change) -> None:
    kind = staff_kind(change)
    if kind is None:
        return
    a, now = change.appeal, change.at
    label = KIND_LABELS[kind]
    link = reverse("web:appeal", args=[a.pk])
    stamp = f"e{change.event.pk}" if change.event is not None else f"a{a.pk}v{a.version}:{a.due_at:%Y%m%d}"
    text = group_text(kind, a)
    title = f"【{label}】{a.number}"
    for person in recipients(kind, a, change):
        services.queue(kind=kind, channel=ChannelKind.INBOX.value, recipient=person, region_id=a.region_id,
                       appeal=a, title=title, body=f"{a.title}\n{text}", link=link, now=now,
                       dedup_key=f"{kind}:{stamp}:inbox:u{person.pk}")
        pref = services.preference(person)
        if kind in (pref.muted or []):
            continue
        for channel in pref.channels or []:
            endpoint = services.sms_endpoint(a.region_id) if channel == ChannelKind.SMS.value else None
            if channel == ChannelKind.SMS.value and (endpoint is None or not pref.phone_enc):
                continue
            address = (services.crypto.decrypt(pref.phone_enc) if channel == ChannelKind.SMS.value
                       else pref.email)
            if not address:
                continue
            services.queue(kind=kind, channel=channel, recipient=person, endpoint=endpoint, region_id=a.region_id,
                           appeal=a, title=title, body=text, link=link, address=address, now=now,
                           params={"number": a.number, "event": label},
                           dedup_key=f"{kind}:{stamp}:{channel}:u{person.pk}")
    for endpoint in robots(kind, a):
        services.queue(kind=kind, channel=endpoint.kind, endpoint=endpoint, region_id=a.region_id, appeal=a,
                       title=title, body=text, link=link, now=now, dedup_key=f"{kind}:{stamp}:robot:e{endpoint.pk}")


def _reply(appeal: Any) -> str:
    event = (AppealEvent.objects.filter(appeal=appeal, action__in=list(REPLY_FIELDS))
             .order_by("-at", "-id").first())
    return str((event.payload or {}).get(REPLY_FIELDS[event.action], "")) if event else ""


def _residents(change: hooks.Change) -> None:
    a = change.appeal
    if change.action in (hooks.REGISTERED, hooks.REPORT_ADDED) and change.report is not None:
        if change.report.channel != "mailbox":  # the portal sends its own, with the code when asked
            services.queue_resident_sms(change.report, "resident_accepted", now=change.at)
    elif change.action == "close" or (change.action in ("solve_on_spot", "review", "explain_policy")
                                         and a.group in ("solved", "closed_unsolved")):
        reply = _reply(a)
        for report in a.reports.all():
            services.queue_resident_sms(report, "resident_closed", reply=reply, now=change.at)
    elif change.action == "verify" and a.status == "awaiting_return_visit":
        for report in a.reports.all():
            services.queue_resident_sms(report, "resident_visit", link=services.rating_link(report), now=change.at)
