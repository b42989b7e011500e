"""Delivering the outbox: claim due rows, send, record the attempt, retry with backoff, dead-letter.

Guarantee (docs/decisions/0030): at-least-once per outbox row, one row per ``dedup_key``.
- A claim is a short transaction: due rows are locked (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED,
  so two workers take different rows; SQLite serialises writers anyway), each gets a lease
  (``lease_token``, ``lease_until``) and an Attempt row, then the transaction commits and the HTTP
  request runs outside it.
- The outcome is written only where the row still carries our lease token: a worker that lost its
  lease (paused past it, then woke) can neither mark the row nor, checking before the request, send.
- A worker killed after its claim leaves a row ``sending`` with a lease that runs out; the next
  claim after ``lease_until`` takes it again. A row marked ``sent`` is never claimed again.
- The one window left: killed after the provider accepted the message but before the commit of
  ``sent`` → sent again after the lease (at-least-once; Aliyun OutId / Tencent SessionContext carry
  the dedup key so such a duplicate can be told from the provider's records).
Rate limits are reservations: the Attempt rows of the last minute of a robot (20 a minute), and of a
phone number (SMS per-number limits), counted under a lock of the channel's row; a row over the limit
is put back with ``next_try_at`` when the window frees, never dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from minqing.appeals import services as appeals
from minqing.audit.log import record
from minqing.households import crypto

from . import channels as ch
from .models import ROBOTS, Attempt, ChannelKind, Endpoint, Notice

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)  # > the HTTP timeout; a killed worker's row is retried after it
MAX_ATTEMPTS = 5
BACKOFF = dt.timedelta(seconds=30)  # 30 s, 1 min, 2 min, 4 min … then the dead-letter list
WINDOW = dt.timedelta(minutes=1)
# Per phone number (the providers' defaults for one number and one signature): 1 a minute, 5 an hour,
# 10 a day. A county with other limits sets MINQING_SMS_LIMITS = [(seconds, count), …].
SMS_LIMITS: tuple[tuple[int, int], ...] = ((60, 1), (3600, 5), (86400, 10))

TOLD_KIND, TOLD_METHOD = "resident_closed", "短信"  # the closure SMS, once delivered, is 已告知结果

Clock = Callable[[], dt.datetime]


def _sms_limits() -> tuple[tuple[int, int], ...]:
    return tuple(getattr(settings, "MINQING_SMS_LIMITS", None) or SMS_LIMITS)


def worker_name() -> str:
    return f"{os.uname().nodename if hasattr(os, 'uname') else ''}/{os.getpid()}"[:120]


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF * (2 ** max(0, attempts - 1))


# --- claiming ---------------------------------------------------------------------------------------


def _due(now: dt.datetime):
    return (Notice.objects.exclude(channel=ChannelKind.INBOX.value)
            .filter(Q(state=Notice.State.PENDING, next_try_at__lte=now)
                    | Q(state=Notice.State.SENDING, lease_until__lt=now)))


def _free_at(notice: Notice, endpoint: Endpoint | None, now: dt.datetime) -> dt.datetime | None:
    """When this row may be sent if a rate limit holds it back now, else None."""
    if notice.channel in ROBOTS and endpoint is not None:
        recent = Attempt.objects.filter(endpoint=endpoint, at__gt=now - WINDOW)
        if recent.count() >= endpoint.per_minute:
            return recent.aggregate(m=Min("at"))["m"] + WINDOW
    if notice.channel == ChannelKind.SMS.value and notice.address_hash:
        for seconds, count in _sms_limits():
            span = dt.timedelta(seconds=seconds)
            recent = Attempt.objects.filter(address_hash=notice.address_hash, at__gt=now - span)
            if recent.count() >= count:
                return recent.aggregate(m=Min("at"))["m"] + span
    return None


def claim(now: dt.datetime, limit: int = 50, worker: str = "") -> list[tuple[Notice, Attempt]]:
    """Lease up to ``limit`` due rows to this worker (one committed transaction)."""
    claimed: list[tuple[Notice, Attempt]] = []
    with transaction.atomic():
        qs = _due(now).order_by("next_try_at", "id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        rows = list(qs[:limit])
        endpoint_ids = sorted({r.endpoint_id for r in rows if r.endpoint_id})
        # One claimer at a time per channel: the rate count and the reservation are one step.
        endpoints = {e.pk: e for e in Endpoint.objects.select_for_update().filter(pk__in=endpoint_ids).order_by("pk")}
        for row in rows:
            endpoint = endpoints.get(row.endpoint_id)
            free = _free_at(row, endpoint, now)
            if free is not None:
                Notice.objects.filter(pk=row.pk).update(state=Notice.State.PENDING, next_try_at=free,
                                                        lease_token="", lease_until=None)
                continue
            token = secrets.token_hex(10)
            row.state, row.lease_token, row.lease_until = Notice.State.SENDING, token, now + LEASE
            row.attempts += 1
            row.save(update_fields=["state", "lease_token", "lease_until", "attempts"])
            attempt = Attempt.objects.create(notice=row, endpoint=endpoint, address_hash=row.address_hash, at=now,
                                             ok=False, detail="发送中", worker=worker or worker_name())
            claimed.append((row, attempt))
    return claimed


# --- sending ----------------------------------------------------------------------------------------


def message_of(notice: Notice) -> ch.Message:
    # Robots and SMS need whole links: the site's public address (MINQING_SITE_URL, e.g. https://mq.example.gov.cn).
    base = (getattr(settings, "MINQING_SITE_URL", "") or os.environ.get("MINQING_SITE_URL", "")).rstrip("/")
    link = notice.link if notice.link.startswith("http") or not notice.link else f"{base}{notice.link}"
    template = ""
    if notice.endpoint is not None:
        template = (notice.endpoint.templates or {}).get(notice.kind, "")
    text, params = notice.body, dict(notice.params or {})
    if link != notice.link:  # the SMS text and its template parameter carry the whole link too
        text = text.replace(notice.link, link)
        params = {k: (link if v == notice.link else v) for k, v in params.items()}
    return ch.Message(title=notice.title, text=text, link=link, to=crypto.decrypt(notice.address_enc),
                      template=template, params=params, ref=notice.dedup_key)


def send(notice: Notice, now: dt.datetime) -> ch.Outcome:
    e = notice.endpoint
    msg = message_of(notice)
    if notice.channel == ChannelKind.EMAIL.value:
        return ch.send_email(msg)
    if e is None or not e.is_active:
        return ch.Outcome(False, None, "通道未配置或已停用", retry=False)
    secret = crypto.decrypt(e.secret_enc)
    if notice.channel == ChannelKind.WECOM.value:
        return ch.send_wecom(e.url, msg)
    if notice.channel == ChannelKind.DINGTALK.value:
        return ch.send_dingtalk(e.url, secret, msg, now)
    if notice.channel == ChannelKind.SMS.value:
        if e.provider == "log":
            return ch.send_log(msg)
        if not msg.template:
            return ch.Outcome(False, None, f"未配置“{notice.kind}”的短信模板", retry=False)
        if e.provider == "aliyun":
            return ch.send_aliyun(e.url, e.key_id, secret, e.sign_name, msg, now)
        if e.provider == "tencent":
            return ch.send_tencent(e.url, e.key_id, secret, e.app_id, e.sign_name, msg, now)
    return ch.Outcome(False, None, "未知的通道", retry=False)


def finish(notice: Notice, attempt: Attempt, outcome: ch.Outcome, now: dt.datetime) -> str:
    """Write the outcome where our lease still holds; answers the row's new state ("lost" if not)."""
    with transaction.atomic():
        Attempt.objects.filter(pk=attempt.pk).update(ok=outcome.ok, status=outcome.status,
                                                     detail=outcome.detail[:300] or ("ok" if outcome.ok else "-"))
        mine = Notice.objects.filter(pk=notice.pk, state=Notice.State.SENDING, lease_token=notice.lease_token)
        if outcome.ok:
            state = Notice.State.SENT
            fields = {"sent_at": now, "last_error": ""}
        elif outcome.retry and notice.attempts < MAX_ATTEMPTS:
            state = Notice.State.PENDING
            fields = {"next_try_at": now + backoff(notice.attempts), "last_error": outcome.detail[:300]}
        else:
            state = Notice.State.DEAD
            fields = {"last_error": outcome.detail[:300]}
        if not mine.update(state=state, lease_token="", lease_until=None, **fields):
            log.warning("notice %s: lease lost before the outcome was written", notice.pk)
            return "lost"
        if state == Notice.State.SENT and notice.kind == TOLD_KIND and notice.report_id and notice.appeal_id:
            # 已告知结果 is the report's own record (one source of truth): marked only now that the
            # closure SMS was delivered, in the same transaction as `sent`.
            appeals.mark_told(notice.appeal, method=TOLD_METHOD, reports=[notice.report_id], now=now)
        if state == Notice.State.DEAD:
            record("notices.dead_letter", obj=notice, region_code=notice.region_id,
                   changes={"channel": notice.channel, "kind": notice.kind, "attempts": notice.attempts,
                            "error": outcome.detail[:300]})
    return state


def deliver_due(now: dt.datetime | None = None, *, clock: Clock | None = None, limit: int = 50,
                worker: str = "") -> dict[str, int]:
    """One pass: claim what is due and send it. ``clock`` (tests) gives the time of each step."""
    if clock is None:
        clock = (lambda: now) if now is not None else timezone.now
    now = now or clock()
    counts = {"sent": 0, "pending": 0, "dead": 0, "lost": 0, "skipped": 0}
    for notice, attempt in claim(now, limit, worker):
        at = clock()
        if at >= notice.lease_until:  # paused past our lease: another worker may have it now
            counts["skipped"] += 1
            continue
        outcome = send(notice, at)
        counts[finish(notice, attempt, outcome, at)] += 1
    return counts


def next_due() -> dt.datetime | None:
    row = (Notice.objects.exclude(channel=ChannelKind.INBOX.value)
           .filter(state__in=(Notice.State.PENDING, Notice.State.SENDING))
           .aggregate(p=Min("next_try_at"), s=Min("lease_until")))
    times = [t for t in (row["p"], row["s"]) if t is not None]
    return min(times) if times else None


# --- when delivery runs -----------------------------------------------------------------------------


def mode() -> str:
    """thread (the web process delivers after the commit, default), worker (`minqing worker` does),
    sync (delivered in the committing process, right after the commit: the CLI, tests) or manual
    (nothing runs by itself: tests drive deliver_due with their own clock). Follows the job runner's
    mode unless MINQING_NOTICES_DELIVERY says otherwise."""
    from minqing.jobs.runner import runner_mode

    return getattr(settings, "MINQING_NOTICES_DELIVERY", None) or os.environ.get(
        "MINQING_NOTICES_DELIVERY") or runner_mode()


def after_commit() -> None:
    m = mode()
    if m == "thread":
        transaction.on_commit(_wake_pump)
    elif m == "sync":
        transaction.on_commit(lambda: deliver_due())


_pump: threading.Thread | None = None
_pump_lock = threading.Lock()
_pump_wake = threading.Event()


def _wake_pump() -> None:
    """Thread mode: one daemon thread per process sends what is due, sleeps until the next retry and
    ends when nothing is left (the next queued message starts it again)."""
    global _pump
    with _pump_lock:
        _pump_wake.set()
        if _pump is None or not _pump.is_alive():
            _pump = threading.Thread(target=_pump_main, name="minqing-notices", daemon=True)
            _pump.start()


def _pump_main() -> None:
    try:
        while True:
            _pump_wake.clear()
            try:
                deliver_due()
                due = next_due()
            except Exception:  # noqa: BLE001 - the pump must not die on a busy database
                log.exception("delivering notices failed")
                due = timezone.now() + dt.timedelta(seconds=5)
            if due is None:
                with _pump_lock:
                    if not _pump_wake.is_set():
                        return
                continue
            wait = max(0.2, min(30.0, (due - timezone.now()).total_seconds()))
            _pump_wake.wait(wait)
    finally:
        connection.close()


def worker_pass() -> int:
    """The `minqing worker` loop's step (registered with the job runner)."""
    counts = deliver_due()
    return sum(counts.values()) - counts["skipped"]
