"""JSON API of background jobs, mounted at /api/v1/jobs/: one's own jobs only (others: 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404
from ninja import Router, Schema, Status
from pydantic import Field

from minqing.api.schemas import Page, paginate
from minqing.regions import jurisdiction

from . import runner
from .models import Job

router = Router(tags=["jobs"])


class JobIn(Schema):
    kind: str = Field(description="briefing_docx | ledger_export | ledger_import")
    params: dict[str, Any] = Field(default_factory=dict,
                                   description="briefing_docx: region, period (2024-05, 2024-Q2, 2024) or from/to; "
                                               "ledger_export: region, from, to")


class JobOut(Schema):
    id: int
    kind: str
    label: str
    params: dict[str, Any]
    region_id: str | None
    status: str
    progress: int
    message: str
    file_name: str
    file_url: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


def _out(job: Job) -> dict[str, Any]:
    spec = runner.KINDS.get(job.kind)
    done = job.finished and bool(job.result)  # a failed import's file is its error report
    return {"id": job.pk, "kind": job.kind, "label": spec.label if spec else job.kind, "params": job.params,
            "region_id": job.region_id, "status": job.status, "progress": job.progress, "message": job.message,
            "file_name": job.result_name, "file_url": f"/api/v1/jobs/{job.pk}/file" if done else None,
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at}


@router.get("", response=Page[JobOut], summary="My background jobs")
def jobs_list(request, status: str | None = None, limit: int = 50, offset: int = 0):
    runner.recover_quietly()
    runner.reap_stale()
    qs = jurisdiction.visible(request.user, Job).order_by("-created_at", "-id")
    if status:
        qs = qs.filter(status__in=status.split(","))
    page = paginate(qs, limit, offset)
    page["items"] = [_out(j) for j in page["items"]]
    return page


@router.post("", response={201: JobOut}, summary="Start a background job")
def jobs_create(request, body: JobIn):
    """Queue a job; poll GET /api/v1/jobs/{id} for progress, then fetch its file."""
    job = runner.submit(body.kind, owner=request.user, params=body.params)
    job.refresh_from_db()
    return Status(201, _out(job))


@router.get("/{int:job_id}", response=JobOut, summary="One of my jobs, with its progress")
def jobs_get(request, job_id: int):
    runner.recover_quietly()  # clients poll this one
    return _out(jurisdiction.get_visible_or_404(request.user, Job, pk=job_id))


@router.get("/{int:job_id}/file", summary="The file a finished job made")
def jobs_file(request, job_id: int):
    job = jurisdiction.get_visible_or_404(request.user, Job, pk=job_id)
    if not job.finished or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
