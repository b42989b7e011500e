"""The search index and the category model as background jobs, queued by the system (the demo queues
both so that its site answers first: bench/RESULTS.md "demo18"); no user submits them. While the index
job is queued or running, the search page says the index is being built (``index_building``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied

from minqing.jobs.models import Job
from minqing.jobs.runner import JobKind, ProgressFn, register

INDEX = "search_rebuild"
MODEL = "model_train"


def _refuse(user: Any, params: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    raise PermissionDenied("此任务由系统自动安排，不能手工提交")


def _index_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .demo import load

    lines: list[str] = []
    progress(5, "正在建立检索索引")
    load(progress=lines.append)
    return "检索索引.txt", "\n".join(lines).encode()


def _model_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .demo import train_model

    lines: list[str] = []
    progress(5, "正在训练分类模型")
    shared = job.params.get("shared") or None
    train_model(shared=Path(shared) if shared else None, progress=lines.append)
    return "分类模型.txt", "\n".join(lines).encode()


def index_building() -> bool:
    """Is the search index being (re)built in the background, so that a search may miss cases?"""
    return Job.objects.filter(kind=INDEX, status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
                              deleted_at__isnull=True).exists()


def register_kinds() -> None:
    # Both rebuild from the tables in one go (the index in one transaction, the model into one file):
    # running either again after its process died leaves nothing half-done.
    register(JobKind(INDEX, "建立检索索引", _refuse, _index_run, rerunnable=True))
    register(JobKind(MODEL, "训练诉求分类模型", _refuse, _model_run, rerunnable=True))
