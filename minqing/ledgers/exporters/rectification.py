"""整改台账: the rectification ledger of a region subtree and period, as township offices print it.

One row per case received in the period (merged cases excluded: their reporters are listed on
the case they were merged into). Reporter names are shown, phone numbers never.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Attachment, Channel, PhotoPhase, Progress, Report, Triage
from minqing.lib import regioncode
from minqing.lib.logfilter import scrub
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .. import EXPORT_COLUMNS

WIDTHS = (5, 9, 10, 16, 10, 36, 14, 9, 28, 11, 24, 7, 9, 18, 30)
SATISFACTION_LABELS = {s.value: label for s, label in wf.SATISFACTION_ZH.items()}
CHANNEL_LABELS = {
    "visit": "入户走访", "meeting": "院坝会", "reception": "接待日", "phone": "来电", "letter": "来信",
    "mailbox": "书记信箱", "email": "电子邮件", "web": "网络", "social": "微博微信", "transfer": "上级转办",
    "import": "导入台账", "12345": "12345热线", "open311": "Open311",
}
assert set(CHANNEL_LABELS) == set(Channel.values)
STATUS_TEXT = {s.value: label for s, label in wf.STATUS_LABELS.items()}
TRIAGE_LABELS = {Triage.ON_SPOT.value: "立行立改", Triage.ASSIGN.value: "限期整改", Triage.EXPLAIN.value: "政策解答",
                 Triage.ESCALATE.value: "已上报"}


def ledger_queryset(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> QuerySet:
    low, high = metrics.bounds(start, end)
    qs = jurisdiction.visible(user, Appeal) if user is not None else Appeal.objects.filter(deleted_at__isnull=True)
    return (qs.filter(jurisdiction.region_q([regioncode.normalize(region_code)]),
                      received_at__gte=low, received_at__lt=high)
            .exclude(group=wf.Group.MERGED.value)
            .select_related("category", "unit", "handler")
            .order_by("received_at", "id"))


def _place_names(codes: set[str]) -> dict[str, str]:
    """code → "乡镇/村" text, one query for every township and village involved."""
    wanted: set[str] = set()
    for code in codes:
        wanted.add(code)
        if regioncode.level_of(code) == regioncode.VILLAGE:
            wanted.add(regioncode.parent_code(code) or code)
    names = dict(Region.objects.filter(code__in=sorted(wanted)).values_list("code", "name"))
    out = {}
    for code in codes:
        if regioncode.level_of(code) == regioncode.VILLAGE:
            out[code] = f"{names.get(regioncode.parent_code(code) or '', '')}/{names.get(code, '')}".strip("/")
        else:
            out[code] = names.get(code, "")
    return out


PHASE_TEXT = {PhotoPhase.BEFORE.value: "整改前", PhotoPhase.AFTER.value: "整改后"}


def site_url() -> str:
    """The site's public address (MINQING_SITE_URL, as notices use it): links in a file need it whole."""
    return (getattr(settings, "MINQING_SITE_URL", "") or os.environ.get("MINQING_SITE_URL", "")).rstrip("/")


@dataclass(frozen=True)
class Evidence:
    """The 佐证 cell: one line per 整改前/整改后 photo with its address, the cell linking to the case."""

    case_url: str
    lines: tuple[str, ...]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _evidence(ids: list[int]) -> dict[int, Evidence]:
    base = site_url()
    found: dict[int, list[str]] = defaultdict(list)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for chunk in range(0, len(ids), 900):
        rows = (Attachment.objects.alive().filter(appeal_id__in=ids[chunk: chunk + 900], phase__in=PHASE_TEXT)
                .order_by("appeal_id", "phase", "uploaded_at", "id").values_list("appeal_id", "phase", "pk"))
        # 整改前 first ("after" < "before" alphabetically, so sort by the label's order instead)
        for appeal_id, phase, pk in sorted(rows, key=lambda r: (r[0], r[1] != PhotoPhase.BEFORE.value)):
            counts[appeal_id, phase] += 1
            url = base + reverse("web:appeal_attachment", args=[appeal_id, pk])
            found[appeal_id].append(f"{PHASE_TEXT[phase]}{counts[appeal_id, phase]}：{url}")
    return {a: Evidence(base + reverse("web:appeal", args=[a]), tuple(lines)) for a, lines in found.items()}


def ledger_rows(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> list[list[Any]]:
    """The ledger's rows (without 序号), in the column order of EXPORT_COLUMNS[1:]; the last one (佐证)
    is an Evidence or ""."""
    appeals = list(ledger_queryset(region_code, start, end, user=user))
    ids = [a.pk for a in appeals]
    reporters: dict[int, list[str]] = defaultdict(list)
    progress: dict[int, str] = {}
    for chunk in range(0, len(ids), 900):  # stay under SQLite's parameter limit
        part = ids[chunk: chunk + 900]
        for appeal_id, name, anon in (Report.objects.filter(appeal_id__in=part).order_by("received_at", "id")
                                      .values_list("appeal_id", "reporter_name", "anonymous")):
            label = "匿名" if anon or not name else name
            if label not in reporters[appeal_id]:
                reporters[appeal_id].append(label)
        for appeal_id, note in Progress.objects.filter(appeal_id__in=part).order_by("at", "id").values_list(
                "appeal_id", "note"):
            progress[appeal_id] = note  # the latest wins
    evidence = _evidence(ids)
    places = _place_names({a.region_id for a in appeals})
    tz = timezone.get_default_timezone()
    rows = []
    for a in appeals:
        names = reporters.get(a.pk) or (["匿名"] if a.anonymous else [])
        handler = a.handler_name or (str(a.handler) if a.handler else "")
        due = a.due_at.astimezone(tz).date() if a.due_at else None
        closed = a.group in metrics.CLOSED_GROUPS
        status = STATUS_TEXT.get(a.status, a.status)
        remark = [f"编号 {a.number}"]
        if a.triage:
            remark.append(TRIAGE_LABELS.get(a.triage, a.triage))
        if a.status == wf.Status.CLOSED_UNSOLVED.value:
            remark.append("未解决")
        if a.closed_at and closed:
            remark.append(f"{a.closed_at.astimezone(tz):%Y-%m-%d}办结")
        if a.due_at and closed and a.closed_at and a.closed_at > a.due_at:
            remark.append("逾期办结")
        if a.due_at and a.due_estimated:
            remark.append("办理期限为预计（当年节假日安排未公布）")
        rows.append([
            CHANNEL_LABELS.get(a.channel, a.channel), "、".join(names), places.get(a.region_id, ""),
            a.category.name if a.category else "", scrub(a.text or a.title), a.unit.name if a.unit else "", handler,
            a.measures, due, progress.get(a.pk) or status, "是" if closed else "否",
            SATISFACTION_LABELS.get(a.satisfaction, ""), "；".join(remark), evidence.get(a.pk, ""),
        ])
    return rows


def export_rectification(region_code: str, start: dt.date, end: dt.date, out: str | Path | IO[bytes], *,
                         user: Any = None, title: str | None = None) -> int:
    """Write the ledger to ``out`` (.xlsx); returns the number of rows."""
    code = regioncode.normalize(region_code)
    region = Region.objects.filter(code=code).first()
    rows = ledger_rows(code, start, end, user=user)
    title = title or f"{region.name if region else code}整改台账（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）"
    target = str(out) if isinstance(out, Path) else out
    wb = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False,
                                      "strings_to_numbers": False, "in_memory": True})
    ws = wb.add_worksheet("整改台账")
    font = {"font_name": "宋体", "font_size": 10}
    title_fmt = wb.add_format({**font, "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head_fmt = wb.add_format({**font, "bold": True, "border": 1, "align": "center", "valign": "vcenter",
                              "text_wrap": True, "bg_color": "#D9D9D9"})
    cell_fmt = wb.add_format({**font, "border": 1, "valign": "top", "text_wrap": True})
    center_fmt = wb.add_format({**font, "border": 1, "valign": "top", "align": "center", "text_wrap": True})
    date_fmt = wb.add_format({**font, "border": 1, "valign": "top", "align": "center", "num_format": "yyyy-mm-dd"})
    link_fmt = wb.add_format({**font, "border": 1, "valign": "top", "text_wrap": True, "font_color": "blue",
                              "underline": 1})
    last_col = len(EXPORT_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last_col, title, title_fmt)
    ws.set_row(0, 30)
    ws.write_row(1, 0, EXPORT_COLUMNS, head_fmt)
    ws.set_row(1, 28)
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    centered = {0, 1, 7, 11, 12}
    for i, row in enumerate(rows, start=1):
        r = i + 1
        ws.write_number(r, 0, i, center_fmt)
        for col, value in enumerate(row, start=1):
            if isinstance(value, Evidence):  # one link per cell in a spreadsheet: the case, which shows them all
                if value.case_url.startswith(("http://", "https://")):
                    ws.write_url(r, col, value.case_url, link_fmt, string=str(value))
                else:
                    ws.write_string(r, col, str(value), cell_fmt)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, col, dt.datetime.combine(value, dt.time.min), date_fmt)
            elif value is None or value == "":
                ws.write_blank(r, col, None, cell_fmt)
            else:
                ws.write_string(r, col, str(value), center_fmt if col in centered else cell_fmt)
    # Printing: A4 landscape, header row on every page, fit all columns to the page width.
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.repeat_rows(1)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.freeze_panes(2, 0)
    wb.close()
    return len(rows)
