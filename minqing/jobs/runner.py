"""Running background jobs: a registry of kinds, ``submit`` (validate, record, dispatch) and ``run``.

Mechanism (docs/decisions/0009): a Job row is the queue. How a queued job gets run depends on
MINQING_JOBS_RUNNER (setting or environment variable):
- ``thread`` (default, the single-machine demo): a daemon thread of the web process runs it right
  after the transaction that queued it commits — `make demo` needs nothing else;
- ``worker``: the row waits for `minqing worker`, a separate process that claims queued rows;
- ``sync``: run before ``submit`` returns (tests, the CLI).
A job is claimed by a conditional UPDATE (queued → running) that also records who runs it (``Runner``:
host, pid, process start time, a per-process token) and counts ``attempts``; a runner writes to the row
only while its claim holds, so a thread and a worker never run the same job twice. ``recover`` puts
back to the queue the jobs whose runner died on this host (a gunicorn worker restarted, a deploy, a
crash) and runs them again, up to MAX_ATTEMPTS; it is called when job pages poll, on submit and in the
worker loop. A running job writes a heartbeat with each progress step; one silent for STALE_MINUTES
(its process is on another host, or the runner left no identity) is marked failed and can be
submitted again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from minqing.audit.log import record

from .models import Job

log = logging.getLogger(__name__)
STALE_MINUTES = 30
MAX_ATTEMPTS = 3  # runs of one job, counting the first; a job whose runner died that often is failed
QUEUED_GRACE = dt.timedelta(seconds=30)  # thread mode: a queued job not started by then was dropped
RECOVERED_MESSAGE = "服务进程曾中断，任务已自动重新开始"
GAVE_UP_MESSAGE = f"服务进程已中断{MAX_ATTEMPTS}次，不再自动重试，请稍后重新提交或联系管理员"
NOT_RERUNNABLE_MESSAGE = "服务进程中断，此类任务不能自动重做，请核对结果后重新提交"

ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # Chinese, shown in lists
    check: Callable[[Any, dict[str, Any]], tuple[str | None, dict[str, Any]]]  # → (region code, clean params)
    run: Callable[[Job, ProgressFn], tuple[str, bytes]]  # → (file name, content)
    describe: Callable[[dict[str, Any]], str] = lambda params: ""
    # May ``recover`` run it again after its process died mid-run? Only if a half-done run left nothing
    # behind (it only reads, or writes in one transaction the dead process rolled back). Say so per kind.
    rerunnable: bool = False
    # Shown when its process died and it is not run again (Chinese); a kind that reads a user's file
    # says that the file, not the server, is the likely cause.
    crashed: str = ""


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    KINDS[kind.name] = kind


# Other parts' steps of the worker loop (the notices outbox): name → fn() answering how much it did.
PASSES: dict[str, Callable[[], int]] = {}


def register_pass(name: str, fn: Callable[[], int]) -> None:
    """Run ``fn`` on every pass of `minqing worker` (by name: ready() may run twice in tests)."""
    PASSES[name] = fn


def run_passes() -> int:
    """The registered passes, each failure logged and never stopping the loop."""
    done = 0
    for name, fn in list(PASSES.items()):
        try:
            done += fn()
        except Exception:  # noqa: BLE001 - one part's failure must not stop the jobs
            log.exception("worker pass %s failed", name)
    return done


def runner_mode() -> str:
    return getattr(settings, "MINQING_JOBS_RUNNER", None) or os.environ.get("MINQING_JOBS_RUNNER", "thread")


# --- who runs a job -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Runner:
    """The process that runs (or, queued in thread mode, will start) a job, as kept in ``Job.runner``."""

    host: str
    pid: int
    started: str  # the process's start time (Linux /proc clock ticks): tells a reused pid apart; "" elsewhere
    token: str  # random per process: tells apart two processes with the same pid where /proc is absent

    def __str__(self) -> str:
        return f"{self.host}/{self.pid}/{self.started}/{self.token}"

    @classmethod
    def parse(cls, text: str) -> Runner | None:
        parts = (text or "").rsplit("/", 3)
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2], parts[3])


_me: Runner | None = None
_me_lock = threading.Lock()


def _host() -> str:
    """The host name, or MINQING_JOBS_HOST: set it to a stable name when containers are recreated under a
    new host name, or the jobs of the old container are only reaped after STALE_MINUTES."""
    name = getattr(settings, "MINQING_JOBS_HOST", None) or os.environ.get("MINQING_JOBS_HOST") or socket.gethostname()
    return name.replace("/", "_")[:64]


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc, or None (no such process, or no /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()  # the name, in brackets, may hold spaces
    except (OSError, IndexError):
        return None
    return fields[0].decode(), fields[19].decode()  # fields 3 (state) and 22 (starttime) of proc(5)


def me() -> Runner:
    """This process's identity; a forked child (another pid) gets its own."""
    global _me
    pid = os.getpid()
    with _me_lock:  # two threads must not each mint a token: the first would look like a dead process
        if _me is None or _me.pid != pid:
            stat = _proc_stat(pid)
            _me = Runner(_host(), pid, stat[1] if stat else "", secrets.token_hex(6))
        return _me


# Jobs this process is running now (registered before the claim): a row that says this process runs it
# but is not here lost its thread.
_active: set[int] = set()
_active_lock = threading.Lock()
# Queued jobs this process started again (thread mode): pk → (times, monotonic clock of the last time).
_redispatched: dict[int, tuple[int, float]] = {}


def _gone(runner: Runner, pk: int) -> str | None:
    """Why ``runner`` (on this host) can no longer be running job ``pk``, or None if it may be."""
    mine = me()
    if runner.pid == mine.pid:
        if runner.token != mine.token:
            return "pid_reused"  # a previous process had our pid (a container restart numbers from 1 again)
        with _active_lock:
            return None if pk in _active else "thread_lost"
    if os.name != "posix":
        return None  # os.kill(pid, 0) would not just probe there
    try:
        os.kill(runner.pid, 0)
    except ProcessLookupError:
        return "process_gone"
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return None
    stat = _proc_stat(runner.pid)
    if stat is not None:
        if stat[0] == "Z":
            return "process_gone"  # exited, not yet reaped by its parent
        if runner.started and stat[1] != runner.started:
            return "pid_reused"
    return None


def submit(kind: str, *, owner: Any, params: dict[str, Any] | None = None) -> Job:
    """Validate and queue one job of ``owner``; raises ValidationError (Chinese) or Http404 (a place
    outside the owner's jurisdiction)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError(f"未知的任务类型“{kind}”")
    if owner is None or not getattr(owner, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    region_code, clean = spec.check(owner, dict(params or {}))
    recover_quietly()  # someone is here: a good moment to restart what a dead process left
    with transaction.atomic():
        # In thread mode this process starts it: record so, for `recover` to tell whether it still can.
        job = Job.objects.create(owner=owner, kind=kind, params=clean, region_id=region_code,
                                 message="排队等待中", runner=str(me()) if runner_mode() == "thread" else "")
        record("job.submitted", actor=owner, obj=job, region_code=region_code,
               changes={"kind": kind, "params": clean})
    dispatch(job)
    job.refresh_from_db()
    return job


def queue(kind: str, *, owner: Any, params: dict[str, Any] | None = None, region_code: str | None = None) -> Job:
    """Queue a job the system starts itself (the demo's search index and category model, built once the
    site answers): no user's check and no thread. The row names this process as its starter, so while
    it lives (or the server it execs into: same pid and start time) ``recover`` leaves the job to the
    `minqing worker` it starts — never to a web process's thread; once it is gone, a web process runs
    it (thread mode). Inside the caller's transaction."""
    if kind not in KINDS:
        raise ValidationError(f"未知的任务类型“{kind}”")
    job = Job.objects.create(owner=owner, kind=kind, params=dict(params or {}), region_id=region_code,
                             message="排队等待中", runner=str(me()))
    record("job.submitted", actor=owner, obj=job, region_code=region_code, changes={"kind": kind, "params": job.params})
    return job


def dispatch(job: Job) -> None:
    mode = runner_mode()
    if mode == "sync":
        run(job.pk)
    elif mode == "thread":
        transaction.on_commit(lambda: _start_thread(job.pk))
    # "worker": `minqing worker` picks it up


def _start_thread(pk: int) -> None:
    threading.Thread(target=_thread_main, args=(pk,), name=f"minqing-job-{pk}", daemon=True).start()


def _thread_main(pk: int) -> None:
    try:
        run(pk)
    finally:
        connection.close()  # the thread's own connection


def claim(pk: int | None = None) -> Job | None:
    """Take a queued job (this one, or the oldest): queued → running by this process, or None if someone
    else did. The caller must ``execute`` what it got."""
    qs = Job.objects.filter(status=Job.Status.QUEUED, deleted_at__isnull=True)
    if pk is None:
        pk = qs.order_by("created_at", "id").values_list("pk", flat=True).first()
        if pk is None:
            return None
    now = timezone.now()
    with _active_lock:  # before the UPDATE: `recover` must never see it ours but not active
        _active.add(pk)
    try:
        taken = qs.filter(pk=pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now, progress=1,
                                        message="正在处理", runner=str(me()), attempts=F("attempts") + 1)
    except BaseException:
        _release(pk)
        raise
    if not taken:
        _release(pk)
        return None
    return Job.objects.get(pk=pk)


def _release(pk: int) -> None:
    with _active_lock:
        _active.discard(pk)


class JobFailed(Exception):
    """A job that ends failed with a Chinese message and a file for its owner (an import's full
    row-by-row error report, which the 300-character message cannot hold)."""

    def __init__(self, message: str, file_name: str, content: bytes) -> None:
        super().__init__(message)
        self.message, self.file_name, self.content = message, file_name, content


class JobLost(Exception):
    """The claim no longer holds (the job was recovered or reaped meanwhile): stop, write nothing."""


def _mine(job: Job):
    """The row, while this run's claim holds (status running, same runner, same attempt)."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, runner=job.runner, attempts=job.attempts)


def _progress(job: Job) -> ProgressFn:
    def report(percent: int, message: str = "") -> None:
        percent = max(1, min(99, int(percent)))
        job.progress, job.message = percent, message or job.message
        if not _mine(job).update(progress=percent, message=job.message[:300], updated_at=timezone.now()):
            raise JobLost

    return report


def run(pk: int) -> Job:
    """Claim and run one job; failures are kept on the row (with a Chinese message), never raised."""
    job = claim(pk)
    if job is None:
        return Job.objects.get(pk=pk)
    return execute(job)


def _run_spec(spec, job: Job) -> tuple[str, bytes]:
    """A busy database (SQLite locks the whole file while another thread writes) is worth a few retries
    before the job is failed: the work itself only reads until its file is saved."""
    for attempt in range(3):
        try:
            return spec.run(job, _progress(job))
        except OperationalError:
            if attempt == 2:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def execute(job: Job) -> Job:
    """Run a job already claimed (status running, by this process) to its end."""
    try:
        return _execute(job)
    finally:
        _release(job.pk)


def _execute(job: Job) -> Job:
    spec = KINDS.get(job.kind)
    try:
        if spec is None:
            raise ValidationError(f"未知的任务类型“{job.kind}”")
        name, content = _run_spec(spec, job)
        field = job.result.field  # stored first, named on the row only if our claim still holds
        stored = field.storage.save(field.generate_filename(job, name), ContentFile(content),
                                    max_length=field.max_length)
        now = timezone.now()
        if not _mine(job).update(result=stored, result_name=name, status=Job.Status.DONE, progress=100,
                                 message="已完成", finished_at=now, updated_at=now):
            field.storage.delete(stored)  # nobody's file: the row went to another run, or was reaped
            raise JobLost
        job.refresh_from_db()
        record("job.done", actor=job.owner, obj=job, region_code=job.region_id,
               changes={"kind": job.kind, "file": name, "size": len(content)})
    except JobLost:
        log.warning("job %s (%s): claim lost (recovered or reaped meanwhile), result dropped", job.pk, job.kind)
        job.refresh_from_db()
    except JobFailed as exc:
        _fail_with_file(job, exc)
    except Exception as exc:  # noqa: BLE001 - every failure ends on the row, for its owner to read
        if isinstance(exc, ValidationError | PermissionDenied | Http404):
            message = "；".join(getattr(exc, "messages", [])) or str(exc) or "无权操作或对象不存在"
        else:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            message = "处理失败，请稍后重试或联系管理员"
        failed = _mine(job).update(status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now(),
                                   updated_at=timezone.now())
        job.refresh_from_db()
        if failed:
            record("job.failed", actor=job.owner, obj=job, region_code=job.region_id,
                   changes={"kind": job.kind, "message": message[:300]})
    return job


def _fail_with_file(job: Job, exc: JobFailed) -> None:
    field = job.result.field
    stored = field.storage.save(field.generate_filename(job, exc.file_name), ContentFile(exc.content),
                                max_length=field.max_length)
    now = timezone.now()
    failed = _mine(job).update(status=Job.Status.FAILED, message=exc.message[:300], result=stored,
                               result_name=exc.file_name, finished_at=now, updated_at=now)
    if not failed:
        field.storage.delete(stored)
    job.refresh_from_db()
    if failed:
        record("job.failed", actor=job.owner, obj=job, region_code=job.region_id,
               changes={"kind": job.kind, "message": exc.message[:300], "file": exc.file_name})


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs one after another (the worker's loop body); answers how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim()
        if job is None:
            break
        execute(job)
        done += 1
    return done


def recover(now: dt.datetime | None = None) -> int:
    """Run again the jobs whose runner died on this host; answers how many were recovered or given up.

    A running job whose runner is on this host and no longer alive (its pid is gone or belongs to
    another process now, or it is this process but no thread of ours runs it) goes back to the queue
    and — thread and sync modes — is started here; in worker mode the worker takes it. In thread mode a
    queued job older than QUEUED_GRACE whose starter is gone (or is us and never started it) is
    started here. After MAX_ATTEMPTS runs, or for a kind not safe to run twice, the job fails with a
    message instead. A job run by another host's process is left to ``reap_stale`` (its heartbeat).
    Cheap: one query on the status index, empty unless some job is queued or running.
    """
    now = now or timezone.now()
    mode = runner_mode()
    statuses = [Job.Status.RUNNING, Job.Status.QUEUED] if mode == "thread" else [Job.Status.RUNNING]
    # On the status index alone (deleted_at, also indexed, would tempt SQLite's planner into a full scan).
    rows = list(Job.objects.filter(status__in=statuses).order_by().values_list(
        "pk", "kind", "status", "runner", "attempts", "updated_at", "owner_id", "region_id", "deleted_at"))
    host, done = me().host, 0
    for pk, kind, status, runner_text, attempts, updated_at, owner_id, region_id, deleted_at in rows:
        if deleted_at is not None:
            continue
        runner = Runner.parse(runner_text)
        if status == Job.Status.QUEUED:
            if updated_at > now - QUEUED_GRACE:
                continue
            if runner is None:
                reason = "never_started"  # queued in worker mode, or before runners were recorded
            elif runner.host != host:
                continue  # its starter lives elsewhere (so may its upload): that host's job
            elif runner == me():  # we queued it and our thread never took it (or is taking it now)
                with _active_lock:
                    if pk in _active:
                        continue
                if not _may_redispatch(pk):
                    continue
                reason = "never_started"
            else:
                reason = _gone(runner, pk)
                if reason is None:
                    continue
        else:
            if runner is None or runner.host != host:
                continue  # no identity, or another host's: only the heartbeat tells (reap_stale)
            reason = _gone(runner, pk)
            if reason is None:
                continue
        done += _recover_one(pk, kind, status, runner_text, attempts, reason, owner_id, region_id, mode, now)
    return done


def _may_redispatch(pk: int) -> bool:
    """Start one of our own queued jobs again at most MAX_ATTEMPTS times, QUEUED_GRACE apart (the thread
    we start may fail to claim it too, e.g. while the database is locked); then reap_stale decides."""
    times, last = _redispatched.get(pk, (0, 0.0))
    return times < MAX_ATTEMPTS and (not times or time.monotonic() - last >= QUEUED_GRACE.total_seconds())


def _note_dispatch(pk: int) -> None:
    times, _last = _redispatched.get(pk, (0, 0.0))
    _redispatched[pk] = (times + 1, time.monotonic())


def _recover_one(pk: int, kind: str, status: str, runner_text: str, attempts: int, reason: str,
                 owner_id: int, region_id: str | None, mode: str, now: dt.datetime) -> int:
    # briefing_docx and ledger_export only read and return their file: safe to run again. ledger_import
    # is not: a file that killed its worker (a hostile or broken spreadsheet) would kill it again, so
    # that run counts as a failure of the file (kinds.py). The result file is stored before the row
    # says done, so a run cut short leaves at most a file no row names.
    spec = KINDS.get(kind)
    same = Job.objects.filter(pk=pk, status=status, runner=runner_text, attempts=attempts)  # as we saw it
    changes = {"kind": kind, "runner": runner_text, "reason": reason, "attempts": attempts}
    if status == Job.Status.RUNNING and (spec is None or not spec.rerunnable or attempts >= MAX_ATTEMPTS):
        message = GAVE_UP_MESSAGE if spec is not None and spec.rerunnable else NOT_RERUNNABLE_MESSAGE
        if spec is not None and spec.crashed and not spec.rerunnable:
            message = spec.crashed
        if not same.update(status=Job.Status.FAILED, message=message, finished_at=now, updated_at=now):
            return 0  # someone else got there first
        record("job.failed", obj=_ref(pk, owner_id, region_id), region_code=region_id,
               changes={**changes, "message": message})
        return 1
    starter = str(me()) if mode == "thread" else ""  # in worker mode the worker's claim names the runner
    fields: dict[str, Any] = {"status": Job.Status.QUEUED, "runner": starter}
    if status == Job.Status.RUNNING:  # the queued age (QUEUED_GRACE, reap_stale) counts from here
        fields.update(progress=0, message=RECOVERED_MESSAGE, updated_at=now)
    if not same.update(**fields):
        return 0
    record("job.recovered", obj=_ref(pk, owner_id, region_id), region_code=region_id,
           changes={**changes, "mode": mode})
    log.warning("job %s (%s) recovered from %s (%s)", pk, kind, runner_text or "-", reason)
    if mode == "sync":
        run(pk)
    elif mode == "thread":
        _note_dispatch(pk)
        transaction.on_commit(lambda: _start_thread(pk))
    return 1


def _ref(pk: int, owner_id: int, region_id: str | None) -> Job:
    """The job as the audit log names it, without loading the row."""
    return Job(pk=pk, owner_id=owner_id, region_id=region_id)


def recover_quietly() -> int:
    """``recover`` for pages and loops: a failure is logged, never raised, and never spoils the caller's
    transaction (a savepoint when inside one)."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                return recover()
        return recover()
    except Exception:  # noqa: BLE001 - a page or the worker must go on
        log.exception("recovering jobs failed")
        return 0


def reap_stale(now: dt.datetime | None = None) -> int:
    """Mark as failed the jobs whose process went away (no heartbeat for STALE_MINUTES)."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=STALE_MINUTES)
    stale = Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit)
    if runner_mode() == "thread":  # no thread took it (another host's, or `recover` gave up on it)
        stale = Job.objects.filter(status__in=(Job.Status.RUNNING, Job.Status.QUEUED), updated_at__lt=limit)
    return stale.update(status=Job.Status.FAILED, message="任务中断（服务曾重启），请重新提交",
                        finished_at=now, updated_at=now)
