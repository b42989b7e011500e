"""What every part's job kinds share: the place a job is for (one whose figures the user sees), a date
parameter and the folder uploads wait in. The kinds themselves are registered by their parts when
ready (briefing.jobs, ledgers.jobs, households.jobs), so jobs names no part above it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region


def _region_for(user: Any, raw: Any) -> Region:
    """A place whose figures the user sees; anything else does not exist for them (404)."""
    scope = jurisdiction.scope_of(user)
    if not raw and not scope.home_code():  # no place asked for and none of one's own (an operator account)
        raise Http404
    try:
        code = regioncode.normalize(str(raw or scope.home_code()))
    except regioncode.RegionCodeError as exc:
        raise ValidationError(str(exc)) from exc
    if not scope.sees_figures(code):
        raise Http404
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _date(value: Any, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError(f"{label}“{value}”无效，应为 YYYY-MM-DD") from exc


IMPORT_DIR = "jobs/in"  # uploads waiting for their import job
region_for = _region_for
parse_date = _date
IMPORT_CRASHED = ("导入时服务进程中断，文件可能过大或已损坏；任务不会自动重做。请检查文件（或拆分成较小的文件）"
                  "后重新提交，已导入的行再次导入时会自动跳过")
