"""Writing and verifying audit events. Every service function calls `record` inside its own
transaction, so the event and the change commit or roll back together.

Each event's hash is an HMAC (settings.AUDIT_KEY, kept outside the database) of the previous hash
and the event's fields: someone who can write the database but does not hold the key cannot alter
a row and recompute the chain. A cut tail with the head moved back is caught by the signed
checkpoints kept outside the database (checkpoint.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minqing.lib import regioncode, rows

from .models import AuditStream, Event

GLOBAL_STREAM = "0"
UNCHANGED = object()


def stream_for(region_code: str | None) -> str:
    return regioncode.county_of(region_code) if region_code else GLOBAL_STREAM


def _canonical(value: Any) -> Any:
    """JSON-safe, stable form: what is hashed is exactly what the JSON column gives back."""
    t = type(value)  # the common exact types first (a bulk import canonicalises ~50 values a case)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is dict:
        return {str(k): _canonical(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [_canonical(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _body(prev_hash: str, fields: Mapping[str, Any]) -> bytes:
    return json.dumps([prev_hash, fields], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), _body(prev_hash, fields), hashlib.sha256).hexdigest()


def unkeyed_digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The plain SHA-256 of events written before the chain was keyed (see rechain.py)."""
    return hashlib.sha256(_body(prev_hash, fields)).hexdigest()


def _hashed_fields(e: Event) -> dict[str, Any]:
    at = e.at.astimezone(dt.UTC)
    return {
        "stream": e.stream, "seq": e.seq, "at": at.isoformat(), "actor": e.actor_id,
        "actor_name": e.actor_name, "ip": e.ip or "", "action": e.action, "object_type": e.object_type,
        "object_id": str(e.object_id), "region": e.region_code, "changes": e.changes, "reason": e.reason,
    }


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id: Any = None,
    region_code: str | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    ip: str | None = None,
    at: dt.datetime | None = None,
) -> Event:
    """Append one event to the chain of the county the record belongs to."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
        if region_code is None:
            region_code = getattr(obj, "region_id", None)
    at = at or timezone.now()
    key = stream_for(region_code)
    with transaction.atomic():
        AuditStream.objects.get_or_create(key=key)
        head = AuditStream.objects.select_for_update().get(key=key)
        event = Event(
            stream=key, seq=head.last_seq + 1, at=at, actor=actor if getattr(actor, "pk", None) else None,
            actor_name=str(actor) if actor is not None else "system", ip=ip, action=action,
            object_type=object_type or "", object_id=str(object_id or ""), region_code=region_code or "",
            changes=_canonical(dict(changes or {})), reason=reason or "", prev_hash=head.last_hash,
        )
        event.hash = _digest(event.prev_hash, _hashed_fields(event))
        event.save(force_insert=True)
        head.last_seq, head.last_hash = event.seq, event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event


_EVENT_COLUMNS = ("stream", "seq", "at", "actor_id", "actor_name", "ip", "action", "object_type", "object_id",
                  "region_code", "changes", "reason", "prev_hash", "hash")


def record_many(entries: Iterable[Mapping[str, Any]]) -> int:
    """Append many events at once (a bulk import's, one per created record): the same chain and fields as
    ``record``, each stream's head locked and moved once, the events written as plain rows (no model
    instance each). Each entry holds ``record``'s keyword arguments plus ``action``. Returns how many
    were written."""
    by_stream: dict[str, list[list[Any]]] = {}
    now = None
    for entry in entries:
        obj = entry.get("obj")
        object_type, object_id, region_code = entry.get("object_type"), entry.get("object_id"), entry.get("region_code")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = obj.pk if object_id is None else object_id
            if region_code is None:
                region_code = getattr(obj, "region_id", None)
        actor = entry.get("actor")
        key = stream_for(region_code)
        at = entry.get("at") or (now := now or timezone.now())
        by_stream.setdefault(key, []).append([
            key, 0, at, actor.pk if getattr(actor, "pk", None) else None,
            str(actor) if actor is not None else "system", entry.get("ip"), entry["action"], object_type or "",
            str(object_id or ""), region_code or "", _canonical(dict(entry.get("changes") or {})),
            entry.get("reason") or "", "", ""])
    written = 0
    with transaction.atomic():
        for key, events in by_stream.items():
            AuditStream.objects.get_or_create(key=key)
            head = AuditStream.objects.select_for_update().get(key=key)
            seq, prev = head.last_seq, head.last_hash
            for row in events:
                seq += 1
                row[1], row[12] = seq, prev
                (stream, _seq, at, actor_id, actor_name, ip, action, object_type, object_id, region, changes,
                 reason, _prev, _hash) = row
                row[13] = prev = _digest(prev, {  # _hashed_fields of the same event
                    "stream": stream, "seq": seq, "at": at.astimezone(dt.UTC).isoformat(), "actor": actor_id,
                    "actor_name": actor_name, "ip": ip or "", "action": action, "object_type": object_type,
                    "object_id": object_id, "region": region, "changes": changes, "reason": reason})
            rows.insert_rows(Event, _EVENT_COLUMNS, events)
            head.last_seq, head.last_hash = seq, prev
            head.save(update_fields=["last_seq", "last_hash"])
            written += len(events)
    return written


def diff(old: Mapping[str, Any], new: Mapping[str, Any], masked: Mapping[str, Any] | None = None) -> dict:
    """{field: [old, new]} for the fields that changed. `masked` maps personal fields to a
    function giving their masked form: the event names the change, never the clear value."""
    masked = masked or {}
    out: dict[str, list] = {}
    for field in sorted(set(old) | set(new)):
        before, after = old.get(field), new.get(field)
        if before == after:
            continue
        if field in masked:
            before, after = masked[field](before or ""), masked[field](after or "")
        out[field] = [_canonical(before), _canonical(after)]
    return out


@dataclass
class Break:
    stream: str
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"事件 {self.stream}#{self.seq}" + (f"（id={self.event_id}）" if self.event_id else "")
        return f"{where}：{self.problem}"


def verify(streams: Iterable[str] | None = None, batch: int = 5000, *, checkpoints: bool = True) -> list[Break]:
    """Recompute every chain and compare it with the signed checkpoints; report EVERY break."""
    heads = AuditStream.objects.all()
    if streams is not None:
        heads = heads.filter(key__in=list(streams))
    breaks: list[Break] = []
    for head in heads.order_by("key"):
        breaks.extend(_verify_stream(head, batch))
    if checkpoints:
        from .checkpoint import check_all

        breaks.extend(check_all(None if streams is None else list(streams)))
    return breaks


def _verify_stream(head: AuditStream, batch: int) -> list[Break]:
    found: list[Break] = []
    prev_hash, expected_seq = "", 1
    qs = Event.objects.filter(stream=head.key).order_by("seq")
    last_seen = 0
    while True:
        chunk = list(qs.filter(seq__gt=last_seen)[:batch])
        if not chunk:
            break
        for e in chunk:
            if e.seq != expected_seq:
                gap = f"#{expected_seq}" if e.seq == expected_seq + 1 else f"#{expected_seq}–#{e.seq - 1}"
                found.append(Break(head.key, expected_seq, None, f"缺失 {gap}（下一条为 #{e.seq}），事件被删除"))
            elif e.prev_hash != prev_hash:
                found.append(Break(head.key, e.seq, e.pk, "前序哈希不符，链条被改动"))
            if _digest(e.prev_hash, _hashed_fields(e)) != e.hash:
                found.append(Break(head.key, e.seq, e.pk, "内容与哈希不符，事件被篡改"))
            prev_hash, expected_seq = e.hash, e.seq + 1
        last_seen = chunk[-1].seq
    if head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
        found.append(Break(head.key, expected_seq, None, f"链尾缺失：链头记录到 #{head.last_seq}"))
    return found
