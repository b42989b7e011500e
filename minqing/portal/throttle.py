"""Sliding-window rate limits for the public portal, counted in the database (portal.Hit).

The site runs several worker processes and has no shared cache configured (Django's default
cache is per process), so counters live in the database: each counted request is one row, a
limit is "at most N rows for this bucket and key in the last W seconds". Keys are keyed hashes
(HMAC with settings.HASH_KEY) of the client address or of a tracking code, never clear values.

Limits can be tuned without code: settings.PORTAL_LIMITS = {"letter_addr": (5, 3600), ...}.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import Hit


@dataclass(frozen=True)
class Limit:
    bucket: str
    count: int
    seconds: int


DEFAULTS: dict[str, tuple[int, int]] = {
    "letter_addr": (5, 3600),  # letters sent from one address per hour
    "letter_addr_day": (20, 86400),  # … and per day
    "track_addr": (30, 600),  # tracking look-ups from one address per 10 minutes
    "track_miss": (10, 3600),  # wrong codes from one address per hour (guessing)
    "track_code": (60, 3600),  # look-ups of one code per hour, from anywhere
    "rate_addr": (10, 3600),  # ratings sent from one address per hour
    "say_addr": (5, 3600),  # messages of dispute parties from one address per hour
    "say_code": (10, 86400),  # … and from one party's code per day
    "nonce": (1, 86400),  # one form token, one letter
}


def limit(name: str) -> Limit:
    count, seconds = {**DEFAULTS, **getattr(settings, "PORTAL_LIMITS", {})}[name]
    return Limit(name, int(count), int(seconds))


class Throttled(Exception):
    """Too many requests: the message is Chinese and safe to show; retry_after in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def keyed(kind: str, value: str) -> str:
    return hmac.new(settings.HASH_KEY.encode(), f"portal:{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def client_address(request: HttpRequest) -> str:
    """The client's address; behind N trusted proxies (settings.PORTAL_TRUSTED_PROXIES = N) the N-th
    address from the right of X-Forwarded-For. IPv6 clients count per /64 (one household's network)."""
    addr = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "PORTAL_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(chain) >= proxies:
            addr = chain[-proxies]
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _retry_after(oldest: dt.datetime, rule: Limit, now: dt.datetime) -> int:
    return max(1, math.ceil((oldest + dt.timedelta(seconds=rule.seconds) - now).total_seconds()))


def check(name: str, key: str, *, now: dt.datetime | None = None, count: bool = True) -> None:
    """Raise Throttled when the window is full; otherwise count this request (unless count=False)."""
    rule = limit(name)
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=rule.seconds)
    with transaction.atomic():
        rows = Hit.objects.filter(bucket=rule.bucket, key=key)
        rows.filter(at__lt=since).delete()  # the window slides: old rows go
        recent = list(rows.filter(at__gte=since).order_by("at").values_list("at", flat=True)[: rule.count])
        if len(recent) >= rule.count:
            wait = _retry_after(recent[0], rule, now)
            raise Throttled(message(name, wait), wait)
        if count:
            Hit.objects.create(bucket=rule.bucket, key=key, at=now)


def add(name: str, key: str, *, now: dt.datetime | None = None) -> None:
    """Count one event (e.g. a wrong code) without checking."""
    Hit.objects.create(bucket=limit(name).bucket, key=key, at=now or timezone.now())


def _human(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{math.ceil(seconds / 3600)}小时"


def message(name: str, wait: int) -> str:
    if name.startswith("letter"):
        return f"同一网络提交来信过于频繁，请{_human(wait)}后再试。如有紧急情况，请直接拨打当地政府值班电话。"
    if name == "nonce":
        return "这封信已经提交过了，请勿重复提交。"
    if name.startswith("say"):
        return f"留言过于频繁，请{_human(wait)}后再试。如有紧急情况，请直接联系调解员或村（社区）。"
    if name.startswith("rate"):
        return f"评价提交过于频繁，请{_human(wait)}后再试。"
    return f"查询过于频繁，请{_human(wait)}后再试。"
