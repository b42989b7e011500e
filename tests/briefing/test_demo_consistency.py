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


def _pct_change(now: int, before: int) -> str:
    text = f"{abs(now - before) * 100 / before:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _yuan(value) -> object:
    value = Decimal(value or 0)
    return int(value) if value == value.to_integral_value() else float(value)


def recount_people(code: str, period: periods.Period) -> dict[str, object]:
    """走访人次、活动场次、慰问、集访、带案下访、为民办实事, counted from the tables (not fieldwork.people)."""
    from django.db.models import Q, Sum

    from minqing.accounts.models import Post
    from minqing.fieldwork.models import Activity, Deed, GroupPetition, Visit, VisitHelp

    low, high = bounds(period.start, period.end)
    prefix = regioncode.prefix(code)
    visits = Visit.objects.filter(deleted_at__isnull=True, region__code__startswith=prefix,
                                  visited_at__gte=low, visited_at__lt=high)
    meetings = Activity.objects.filter(
        deleted_at__isnull=True, region__code__startswith=prefix, held_at__gte=low, held_at__lt=high,
        kind__in=("courtyard", "assembly", "field_council", "baba", "night_school", "outreach", "mediation"))
    helps = VisitHelp.objects.filter(visit__deleted_at__isnull=True, region__code__startswith=prefix,
                                     visit__visited_at__gte=low, visit__visited_at__lt=high)
    out: dict[str, object] = {
        "visit_people": visits.aggregate(n=Sum("people_met"))["n"] or 0,
        "meeting_sessions": meetings.count(), "meeting_people": meetings.aggregate(n=Sum("attendance"))["n"] or 0,
        "help_money": _yuan(helps.filter(kind="condolence_money").aggregate(n=Sum("amount"))["n"]),
        "help_goods": helps.aggregate(n=Sum("goods_count"))["n"] or 0,
        "survival_checks": helps.filter(kind="survival_check").count(),
        "relief": helps.filter(kind="temporary_relief").count(),
        "relief_amount": _yuan(helps.filter(kind="temporary_relief").aggregate(n=Sum("amount"))["n"]),
    }
    year_before = (period.start.replace(year=period.start.year - 1), period.end.replace(year=period.end.year - 1))
    for level in ("county", "city"):
        def petitions(start, end, level=level):
            return (GroupPetition.objects.filter(level=level, region__code__startswith=prefix, occurred_on__gte=start,
                                                 occurred_on__lte=end, appeal__deleted_at__isnull=True)
                    .exclude(appeal__group=wf.Group.MERGED.value))
        now, before = petitions(period.start, period.end), petitions(*year_before)
        out[f"group_{level}_batches"] = now.count()
        out[f"group_{level}_people"] = now.aggregate(n=Sum("headcount"))["n"] or 0
        if before.count() and before.count() != now.count():
            out[f"group_{level}_change"] = _pct_change(now.count(), before.count())
    leaders = set(Post.objects.filter(role__in=("county_secretary", "county_head", "county_leader"))
                  .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.end)).values_list("user_id", flat=True))
    links = [(v.visitor_id, v.visited_at, a) for v in visits.prefetch_related("cases") for a in v.cases.all()]
    days = Activity.objects.filter(deleted_at__isnull=True, kind="onsite_office", region__code__startswith=prefix,
                                   held_at__gte=low, held_at__lt=high).prefetch_related("cases")
    links += [(d.leader_id, d.held_at, a) for d in days for a in d.cases.all()]
    links = [(who, at, a) for who, at, a in links if who in leaders and a.deleted_at is None]
    out["down_leaders"] = len({who for who, _at, _a in links})
    out["down_cases"] = len({a.pk for _w, _at, a in links})
    out["down_solved"] = len({a.pk for _w, at, a in links
                              if a.group == wf.Group.SOLVED.value and a.closed_at and at <= a.closed_at < high})
    deeds = Deed.objects.filter(deleted_at__isnull=True, region__code__startswith=prefix,
                                done_on__gte=period.start, done_on__lte=period.end)
    out["deeds"] = deeds.count()
    out["deed_beneficiaries"] = deeds.aggregate(n=Sum("beneficiaries"))["n"] or 0
    out["deeds_with_case"] = deeds.filter(appeal__isnull=False).count()
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


PEOPLE_KEYS = ("visit_people", "meeting_sessions", "meeting_people", "help_money", "help_goods", "survival_checks",
               "relief", "relief_amount", "group_county_batches", "group_county_people", "group_county_change",
               "group_city_batches", "group_city_people", "down_leaders", "down_cases", "down_solved", "deeds",
               "deed_beneficiaries", "deeds_with_case")


def _implied(key: str, stated: dict[str, object], truth: dict[str, object]) -> bool:
    """Figures a sentence leaves out on purpose: 带案下访 is said only with both its leaders and cases."""
    return key in ("down_leaders", "down_cases", "down_solved") and not (truth["down_leaders"] and truth["down_cases"])


def test_every_sentence_states_the_figures_counted_from_the_table():
    checked = 0
    people_said: set[str] = set()
    for code in _places():
        for period in _months():
            b = compose.compose(code, period, today=ANCHOR)
            where = f"{b.region_name} {period.label}"
            truth = recount(code, period) | recount_people(code, period)
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
            for key in PEOPLE_KEYS:  # a figure of work with the people that the text leaves out is zero
                if key not in stated and key in truth and not key.endswith("_change"):
                    assert not truth[key] or _implied(key, stated, truth), f"{where}: {key} = {truth[key]} unsaid"
            people_said.update(k for k in stated if k in PEOPLE_KEYS)
    assert checked > 500
    # the demo's records make the seeds' sentences: every one of them is said somewhere
    assert {"visit_people", "meeting_sessions", "meeting_people", "help_money", "help_goods", "group_county_batches",
            "group_county_people", "down_leaders", "down_cases", "deeds"} <= people_said, people_said


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
