"""One-time re-chaining of events written before the chain was keyed.

Before the HMAC key (settings.AUDIT_KEY) the chain was plain SHA-256. `minqing audit rechain`
first verifies each stream as it was written — the old plain hashes, or the keyed hashes of events
appended since the upgrade — and refuses a stream that is already broken (re-keying it would bless
the tampering). An intact stream gets keyed hashes from its first event, its head is moved to the
new last hash, and an `audit.rechained` event records the old head. Run it once after upgrading,
then `minqing audit checkpoint`. Idempotent: a stream already keyed throughout is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .log import Break, _digest, _hashed_fields, record, unkeyed_digest
from .models import AuditStream, Event


class RechainRefused(Exception):
    def __init__(self, breaks: list[Break]):
        self.breaks = breaks
        super().__init__("；".join(str(b) for b in breaks))


@dataclass
class Rechained:
    stream: str
    events: int  # how many events got new hashes (0: already keyed)


def rechain(streams: list[str] | None = None, batch: int = 2000) -> list[Rechained]:
    heads = AuditStream.objects.order_by("key")
    if streams:
        heads = heads.filter(key__in=streams)
    return [_rechain_stream(key, batch) for key in heads.values_list("key", flat=True)]


@transaction.atomic
def _rechain_stream(key: str, batch: int) -> Rechained:
    head = AuditStream.objects.select_for_update().get(key=key)
    events = list(Event.objects.filter(stream=key).order_by("seq"))
    problems: list[Break] = []
    prev = ""
    for expected, e in enumerate(events, start=1):
        fields = _hashed_fields(e)
        if e.seq != expected:
            problems.append(Break(key, expected, None, "缺失，事件被删除"))
        elif e.prev_hash != prev:
            problems.append(Break(key, e.seq, e.pk, "前序哈希不符，链条被改动"))
        if e.hash not in (unkeyed_digest(e.prev_hash, fields), _digest(e.prev_hash, fields)):
            problems.append(Break(key, e.seq, e.pk, "内容与哈希不符，事件被篡改"))
        prev = e.hash
    if head.last_seq != len(events) or head.last_hash != prev:
        problems.append(Break(key, len(events) + 1, None, f"链尾缺失：链头记录到 #{head.last_seq}"))
    if problems:
        raise RechainRefused(problems)
    old_head, new_prev, changed = head.last_hash, "", []
    for e in events:
        new_hash = _digest(new_prev, _hashed_fields(e))
        if (e.prev_hash, e.hash) != (new_prev, new_hash):
            e.prev_hash, e.hash = new_prev, new_hash
            changed.append(e)
        new_prev = new_hash
    if not changed:
        return Rechained(key, 0)
    Event.objects.bulk_update(changed, ["prev_hash", "hash"], batch_size=batch)
    head.last_hash = new_prev
    head.save(update_fields=["last_hash"])
    record("audit.rechained", object_type="audit.stream", object_id=key,
           region_code=None if key == "0" else key + "000000",
           changes={"events": len(changed), "old_head": old_head, "new_head": new_prev},
           reason="审计链改用密钥（HMAC）链接")
    return Rechained(key, len(changed))
