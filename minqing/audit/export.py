"""The audit trail as an .xlsx file (XlsxWriter, constant memory): what the page shows, row by row."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from . import actions
from .models import Event

MAX_ROWS = 200_000  # one export; narrow the filters for more


def xlsx(events: Iterable[Event], withheld: set[int]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(_("Audit trail"))
    bold = book.add_format({"bold": True})
    headers = [_("Time"), _("Actor"), _("Address"), _("Action"), _("Action code"), _("Object"), _("Place"),
               _("Changes"), _("Reason"), _("Chain")]
    for col, (title, width) in enumerate(zip(headers, (20, 16, 16, 24, 28, 24, 14, 60, 30, 16), strict=True)):
        sheet.write(0, col, title, bold)
        sheet.set_column(col, col, width)
    row = 0
    for row, e in enumerate(events, start=1):
        hidden = e.pk in withheld
        sheet.write_row(row, 0, [
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.ip or "",
            actions.label(e.action), e.action,
            f"{e.object_type}:{e.object_id}", e.region_code,
            _("(sensitive case: not shown)") if hidden else json.dumps(e.changes, ensure_ascii=False),
            "" if hidden else e.reason, f"{e.stream}#{e.seq}",
        ])
        if row >= MAX_ROWS:
            break
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
    book.close()
    return out.getvalue()
