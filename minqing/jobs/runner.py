"""Running background jobs: a registry of kinds, ``submit`` (validate, record, dispatch) and ``run``.

Mechanism (docs/decisions/0009): a Job row is the queue. How a queued job gets run depends on
MINQING_JOBS_RUNNER (setting or environment variable):
- ``thread`` (default, the single-machine demo): a daemon thread of the web process runs it right
  after the transaction that queued it commits — `make demo` needs nothing else;
- ``worker``: the row waits for `minqing worker`, a separate process that claims queued rows;
- ``sync``: run before ``submit`` returns (tests, the CLI).
A job is claimed by a conditional UPDATE (queued → running), so a thread and a worker never run
the same job twice. A running job writes a heartbeat with each progress step; one silent for
STALE_MINUTES (its process was restarted) is marked failed and can be submitted again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import OperationalError, connection, transaction
from django.http import Http404
from django.utils import timezone

from minqing.audit.log import record

from .models import Job

log = logging.getLogger(__name__)
STALE_MINUTES = 30

ProgressFn = Callable[[int, str], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # Chinese, shown in lists
    check: Callable[[Any, dict[str, Any]], tuple[str | None, dict[str, Any]]]  # → (region code, clean params)
    run: Callable[[Job, ProgressFn], tuple[str, bytes]]  # → (file name, content)
    describe: Callable[[dict[str, Any]], str] = lambda params: ""


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    KINDS[kind.name] = kind


def runner_mode() -> str:
    return getattr(settings, "MINQING_JOBS_RUNNER", None) or os.environ.get("MINQING_JOBS_RUNNER", "thread")


def submit(kind: str, *, owner: Any, params: dict[str, Any] | None = None) -> Job:
    """Validate and queue one job of ``owner``; raises ValidationError (Chinese) or Http404 (a place
    outside the owner's jurisdiction)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError(f"未知的任务类型“{kind}”")
    if owner is None or not getattr(owner, "is_authenticated", False):
        raise PermissionDenied("请先登录")
    region_code, clean = spec.check(owner, dict(params or {}))
    with transaction.atomic():
        job = Job.objects.create(owner=owner, kind=kind, params=clean, region_id=region_code,
                                 message="排队等待中")
        record("job.submitted", actor=owner, obj=job, region_code=region_code,
               changes={"kind": kind, "params": clean})
    dispatch(job)
    job.refresh_from_db()
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
    """Take a queued job (this one, or the oldest): queued → running, or None if someone else did."""
    qs = Job.objects.filter(status=Job.Status.QUEUED, deleted_at__isnull=True)
    if pk is None:
        pk = qs.order_by("created_at", "id").values_list("pk", flat=True).first()
        if pk is None:
            return None
    now = timezone.now()
    taken = qs.filter(pk=pk).update(status=Job.Status.RUNNING, started_at=now, updated_at=now, progress=1,
                                    message="正在处理")
    return Job.objects.get(pk=pk) if taken else None


def _progress(job: Job) -> ProgressFn:
    def report(percent: int, message: str = "") -> None:
        percent = max(1, min(99, int(percent)))
        job.progress, job.message = percent, message or job.message
        Job.objects.filter(pk=job.pk).update(progress=percent, message=job.message[:300], updated_at=timezone.now())

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
    """Run a job already claimed (status running) to its end."""
    spec = KINDS.get(job.kind)
    try:
        if spec is None:
            raise ValidationError(f"未知的任务类型“{job.kind}”")
        name, content = _run_spec(spec, job)
        job.result.save(name, ContentFile(content), save=False)
        job.result_name = name
        job.status, job.progress, job.message = Job.Status.DONE, 100, "已完成"
        job.finished_at = timezone.now()
        job.save()
        record("job.done", actor=job.owner, obj=job, region_code=job.region_id,
               changes={"kind": job.kind, "file": name, "size": len(content)})
    except Exception as exc:  # noqa: BLE001 - every failure ends on the row, for its owner to read
        if isinstance(exc, ValidationError | PermissionDenied | Http404):
            message = "；".join(getattr(exc, "messages", [])) or str(exc) or "无权操作或对象不存在"
        else:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            message = "处理失败，请稍后重试或联系管理员"
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message=message[:300],
                                             finished_at=timezone.now(), updated_at=timezone.now())
        job.refresh_from_db()
        record("job.failed", actor=job.owner, obj=job, region_code=job.region_id,
               changes={"kind": job.kind, "message": message[:300]})
    return job


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


def reap_stale(now: dt.datetime | None = None) -> int:
    """Mark as failed the jobs whose process went away (no heartbeat for STALE_MINUTES)."""
    now = now or timezone.now()
    limit = now - dt.timedelta(minutes=STALE_MINUTES)
    stale = Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit)
    if runner_mode() == "thread":  # queued rows are only ever run by the thread that queued them
        stale = Job.objects.filter(status__in=(Job.Status.RUNNING, Job.Status.QUEUED), updated_at__lt=limit)
    return stale.update(status=Job.Status.FAILED, message="任务中断（服务曾重启），请重新提交",
                        finished_at=now, updated_at=now)
