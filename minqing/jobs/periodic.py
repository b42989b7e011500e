"""Periodic tasks run by the processes already there: the web server (`minqing serve`, one daemon
thread per gunicorn worker) and `minqing worker` (each pass of its loop). The first is the deadline
sweep (红黄灯预警), every MINQING_SWEEP_MINUTES (default 5; 0 turns it off — for operators who prefer the
cron / systemd timer in docs/operations.md).

Many processes may be due at once; the one whose conditional UPDATE of the task's PeriodicRun row
(…WHERE last_started_at = <what it read>) succeeds runs it, the others skip — the same claim the
sweep makes per case, one level up (and the sweep still claims each row, so even an overlap is safe).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from .models import PeriodicRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    name: str
    minutes: Callable[[], float]  # the interval; <= 0: off
    run: Callable[[], str]  # → a one-line summary kept on the row


# name → task; the parts register theirs in AppConfig.ready() (the deadline sweep: minqing.appeals), so
# the job runner imports no part above it.
TASKS: dict[str, Task] = {}


def register(name: str, minutes: Callable[[], float], run: Callable[[], str]) -> None:
    TASKS[name] = Task(name, minutes, run)


def minutes_setting(name: str, default: float) -> Callable[[], float]:
    """An interval read from settings or the environment at each tick (0 turns the task off)."""
    def read() -> float:
        value = getattr(settings, name, None)
        return float(value if value is not None else os.environ.get(name, str(default)))
    return read


def claim(name: str, minutes: float, now: dt.datetime) -> bool:
    """Take the task for this interval; False when another process started it less than `minutes` ago."""
    row = PeriodicRun.objects.filter(name=name).values_list("last_started_at", flat=True).first()
    if row is None:
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=name, last_started_at=now, runner=_me())
            return True
        except IntegrityError:
            return False  # another process created it first
    if now - row < dt.timedelta(minutes=minutes):
        return False
    return bool(PeriodicRun.objects.filter(name=name, last_started_at=row)
                .update(last_started_at=now, runner=_me()))


def _me() -> str:
    return f"{os.uname().nodename}/{os.getpid()}"[:120]


def tick(now: dt.datetime | None = None) -> list[str]:
    """Run every task that is due and claimed by this process; returns the names run."""
    ran = []
    for task in TASKS.values():
        minutes = task.minutes()
        if minutes <= 0:
            continue
        at = now or timezone.now()
        if not claim(task.name, minutes, at):
            continue
        try:
            message = task.run()
        except Exception as exc:  # a failed pass is logged and retried at the next interval
            log.exception("periodic task %s failed", task.name)
            message = f"失败：{type(exc).__name__}"
        PeriodicRun.objects.filter(name=task.name).update(last_finished_at=timezone.now(), message=message[:300])
        ran.append(task.name)
    return ran


_started = False
_lock = threading.Lock()


def start_thread(poll_seconds: float = 30.0) -> bool:
    """A daemon thread that ticks every `poll_seconds` (once per process; False if already started)."""
    global _started
    with _lock:
        if _started or all(task.minutes() <= 0 for task in TASKS.values()):
            return False
        _started = True

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(poll_seconds):
            try:
                close_old_connections()
                tick()
            except Exception:  # the database away for a moment: try again at the next poll
                log.exception("periodic tick failed")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="minqing-periodic", daemon=True).start()
    return True
