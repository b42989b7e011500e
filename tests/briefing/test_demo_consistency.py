"""The briefing of every township and the county of the demo, for the demo's last three months:
each sentence's numbers are read back out of the text, compared with the figures it claims, and
those figures recounted from the appeals table here (not through minqing.appeals.metrics); the
sentences must not contradict one another nor the table of figures. The demo is built once for
this module and rolled back afterwards."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction

from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal
from minqing.briefing import compose
from minqing.lib import periods, regioncode
from minqing.lib.periods import bounds
from minqing.regions.models import Region

ANCHOR = dt.date(2025, 6, 16)
COUNTY = "511722000000"
CLOSED = (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
DATES = re.compile(r"\d+年|\d+月\d+日|\d+月|第\d+期")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from minqing.demo.generator import DemoOptions, load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=400), progress=lambda _m: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.django_db]


def _pct(n: int, d: int) -> str:
    return f"{(Decimal(n) * 100 / Decimal(d)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


def recount(code: str, period: periods.Period) -> dict[str, object]:
    """The appeals' figures counted from the table, by the definitions of docs/domain.md."""
    low, high = bounds(period.start, period.end)
    cases = (Appeal.objects.filter(deleted_at__isnull=True, region__code__startswith=regioncode.prefix(code))
             .exclude(group=wf.Group.MERGED.value))
    got = cases.filter(received_at__gte=low, received_at__lt=high)
    closed_by_end = {"group__in": CLOSED, "closed_at__lt": high}
    due = cases.filter(due_at__gte=low, due_at__lt=high) | cases.filter(
        due_at__gte=high, closed_at__gte=low, closed_at__lt=high, group__in=CLOSED)
    closed = cases.filter(closed_at__gte=low, closed_at__lt=high, group__in=CLOSED)
    out: dict[str, object] = {
        "received": got.count(),
        "unclassified": got.filter(category__isnull=True).count(),
        "on_spot": got.filter(triage="solve_on_spot").count(),
        "on_spot_done": got.filter(triage="solve_on_spot", group=wf.Group.SOLVED.value, closed_at__lt=high).count(),
        "assigned": got.filter(triage="assign").count(),
        "assigned_done": got.filter(triage="assign", **closed_by_end).count(),
        "due": due.count(), "due_closed": due.filter(**closed_by_end).count(),
        "closed": closed.count(), "solved": closed.filter(group=wf.Group.SOLVED.value).count(),
        "explained": closed.filter(status=wf.Status.EXPLAINED.value).count(),
        "found": got.count(),
    }
    out["classified"] = out["received"] - out["unclassified"]
    out["assigned_open"] = out["assigned"] - out["assigned_done"]
    if out["due"]:
        out["closure_pct"] = _pct(out["due_closed"], out["due"])
    if out["closed"]:
        out["resolution_pct"] = _pct(out["solved"], out["closed"])
    return out


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?%?", DATES.sub("", text))


def _places() -> list[str]:
    return [COUNTY, *Region.objects.filter(parent_id=COUNTY).order_by("code").values_list("code", flat=True)]


def _months() -> list[periods.Period]:
    first = ANCHOR.replace(day=1)
    out = []
    for back in range(3):
        y, m = first.year, first.month - back
        if m < 1:
            y, m = y - 1, m + 12
        out.append(periods.month(y, m))
    return out


def test_every_sentence_states_the_figures_counted_from_the_table():
    checked = 0
    for code in _places():
        for period in _months():
            b = compose.compose(code, period, today=ANCHOR)
            where = f"{b.region_name} {period.label}"
            truth = recount(code, period)
            assert len(b.claims) == len(b.paragraphs), where
            stated: dict[str, object] = {}
            for text, claims in zip(b.paragraphs, b.claims, strict=True):
                # the numbers the sentence prints are exactly the figures it claims, in order
                assert _numbers(text) == [str(v) for v in claims.values()], f"{where}: {text} / {claims}"
                for key, value in claims.items():
                    assert stated.setdefault(key, value) == value, f"{where}: {key} said twice differently"
                    if key in truth:
                        assert value == truth[key], f"{where}: {text} — {key} {value} ≠ {truth[key]} in the table"
                    checked += 1
            f = b.figures  # the one set of figures: the parts add up
            assert f["received"] == truth["received"], where
            assert f["classified"] + f["unclassified"] == f["received"], where
            assert f["on_spot_done"] <= f["on_spot"] and f["assigned_done"] + f["assigned_open"] == f["assigned"]
            assert f["due_on_time"] <= f["due_closed"] <= f["due"], where
            assert f["solved"] + f["explained"] <= f["closed"], where
            assert f["to_county"] <= f["to_township"] <= f["found"], where
            rows = {r.label: r.value for r in b.table}
            assert rows["收集意见建议"] == f"{truth['received']}条", where
            assert rows["限期整改"] == f"{truth['assigned']}条", where
            assert rows["解决率"] == truth.get("resolution_pct", "—"), where
            assert rows["办结率"] == truth.get("closure_pct", "—"), where
            assert not any("未分类" in label for label in rows), where
            text = b.text()
            assert "督促整改" not in text, where  # no such action is recorded anywhere
    assert checked > 500


def test_the_typical_cases_are_typical():
    from minqing.appeals.models import Category

    functions = {c.name: c.default_unit_function or (c.parent.default_unit_function if c.parent_id else "")
                 for c in Category.objects.select_related("parent")}
    units = {u.name: u for u in __import__("minqing.accounts.models", fromlist=["Unit"]).Unit.objects.all()}
    seen = 0
    for code in _places():
        for period in _months():
            for case in compose.compose(code, period, today=ANCHOR).cases:
                seen += 1
                category = re.search(r"（([^（）]+)）。$", case.title).group(1)
                assert category not in ("其他", "未分类"), case.title
                assert not re.search(r"(?<![A-Za-z])[A-Z]\d{0,3}(县|市|区|镇|乡|村)", case.title + case.text)
                unit = re.search(r"由(.+?)限期办理", case.text)
                if unit and units[unit.group(1)].kind == "department":
                    assert units[unit.group(1)].function == functions[category], f"{case.title}{case.text}"
    assert seen >= 10


@pytest.mark.parametrize(("period", "issue"), [
    (periods.month(2025, 5), "2025年第5期"), (periods.quarter(2025, 2), "2025年第2期"),
    (periods.year(2025), "2025年第1期"), (periods.custom(dt.date(2025, 5, 3), dt.date(2025, 5, 9)), "增刊"),
])
def test_the_masthead_numbers_the_issue_per_unit_and_year(period, issue):
    b = compose.compose(COUNTY, period, today=ANCHOR)
    m = b.masthead
    assert (m.issue, m.issuer, m.date_text) == (issue, "宣汉县民情工作领导小组办公室", "2025年6月16日")
    assert m.report_to == "达州市委、达州市人民政府"
