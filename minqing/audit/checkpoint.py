"""Signed checkpoints of the audit chains, kept outside the database.

`minqing audit checkpoint` (run daily, e.g. from cron) writes the head of every chain — its last
sequence number and hash — to settings.AUDIT_DIR/checkpoint-YYYY-MM-DD.json, signed with an HMAC
of settings.AUDIT_KEY, and appends one line to AUDIT_DIR/operator.log (also sent to the
`minqing.audit` logger). `verify` then checks each checkpoint against the database: an event a
checkpoint names must still be there with the same hash. So a database administrator who rewrites
rows and recomputes the hashes, or cuts the tail and moves the head back, is caught at the last
checkpoint even if the rewritten chain is consistent in itself. Point AUDIT_DIR at storage the
database administrator cannot write (another host, a WORM share) and copy the files off-site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from .models import AuditStream, Event

log = logging.getLogger("minqing.audit")
PREFIX = "checkpoint-"


def _sign(body: dict[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(settings.AUDIT_KEY.encode(), b"checkpoint:" + text, hashlib.sha256).hexdigest()


def directory() -> Path:
    return Path(settings.AUDIT_DIR)


def write(now: dt.datetime | None = None) -> Path:
    """Sign the heads of every chain and write today's checkpoint file (replacing an earlier one of
    the same day: heads only move forward) plus one line in the operator log."""
    now = now or timezone.now()
    heads = [{"stream": h.key, "seq": h.last_seq, "hash": h.last_hash}
             for h in AuditStream.objects.order_by("key")]
    body = {"version": 1, "at": now.astimezone(dt.UTC).isoformat(), "heads": heads}
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{PREFIX}{timezone.localtime(now):%Y-%m-%d}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**body, "signature": _sign(body)}, ensure_ascii=False, indent=1))
    tmp.replace(path)
    summary = " ".join(f"{h['stream']}#{h['seq']}:{h['hash'][:16]}" for h in heads) or "（无事件）"
    line = f"{body['at']} 审计链检查点 {path.name} {summary}"
    with (folder / "operator.log").open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    log.info(line)
    return path


def ensure_today(now: dt.datetime | None = None) -> Path | None:
    """Write today's checkpoint unless it exists (called by every `minqing sweep`, which runs every
    few minutes, so the heads are signed daily without a cron line of their own)."""
    now = now or timezone.now()
    path = directory() / f"{PREFIX}{timezone.localtime(now):%Y-%m-%d}.json"
    return None if path.exists() else write(now)


def _files() -> list[Path]:
    folder = directory()
    return sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else []


def check_all(streams: Iterable[str] | None = None) -> list:
    """Every disagreement between the checkpoint files and the database, as log.Break rows."""
    from .log import Break

    wanted = set(streams) if streams is not None else None
    found: list[Break] = []
    current = dict(AuditStream.objects.values_list("key", "last_seq"))
    for path in _files():
        try:
            data = json.loads(path.read_text())
            signature = data.pop("signature")
            valid = hmac.compare_digest(signature, _sign(data))
        except (ValueError, KeyError, TypeError, AttributeError):
            valid = False
        if not valid:
            found.append(Break("-", 0, None, f"检查点文件 {path.name} 签名不符或已损坏"))
            continue
        for head in data["heads"]:
            key, seq = head["stream"], int(head["seq"])
            if seq == 0 or (wanted is not None and key not in wanted):
                continue
            event = Event.objects.filter(stream=key, seq=seq).values_list("pk", "hash").first()
            if event is None:
                now_at = current.get(key, 0)
                problem = (f"链尾被截断：检查点 {path.name} 记录到 #{seq}，数据库链头只到 #{now_at}"
                           if now_at < seq else f"检查点 {path.name} 记录的事件已不存在")
                found.append(Break(key, seq, None, problem))
            elif not hmac.compare_digest(event[1], head["hash"]):
                found.append(Break(key, seq, event[0], f"与检查点 {path.name} 不符：事件在检查点之后被改写"))
    return found
