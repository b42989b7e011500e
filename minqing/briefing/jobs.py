"""The briefing as a background job (工作简报 .docx), registered when the briefing part is ready."""

from __future__ import annotations

import io
from typing import Any

from minqing.jobs.kinds import region_for as _region_for
from minqing.jobs.models import Job
from minqing.jobs.runner import JobKind, ProgressFn, register
from minqing.regions.models import Region

# --- 工作简报 .docx ------------------------------------------------------------------------------


def _briefing_check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from minqing.lib import periods

    region = _region_for(user, params.get("region"))
    period = periods.parse(params.get("period"), params.get("from"), params.get("to"))
    clean = {"region": region.code, "from": period.start.isoformat(), "to": period.end.isoformat()}
    if period.token:
        clean = {"region": region.code, "period": period.token}
    return region.code, clean


def _briefing_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from minqing.lib import periods

    from . import compose, docx

    p = job.params
    period = periods.parse(p.get("period"), p.get("from"), p.get("to"))
    _region_for(job.owner, p["region"])  # the owner's posts may have changed since
    progress(10, "正在统计各项指标")
    briefing = compose.compose(p["region"], period, user=job.owner)
    progress(70, "正在排版 Word 文件")
    buf = io.BytesIO()
    docx.write(briefing, buf)
    progress(95, "正在保存")
    return f"{briefing.title}.docx", buf.getvalue()


def _briefing_describe(params: dict[str, Any]) -> str:
    name = Region.objects.filter(code=params.get("region")).values_list("name", flat=True).first() or ""
    return f"{name} {params.get('period') or (params.get('from', '') + '至' + params.get('to', ''))}"


register(JobKind("briefing_docx", "工作简报（Word）", _briefing_check, _briefing_run, _briefing_describe,
                 rerunnable=True))
