"""Every figure of a dashboard, computed by the metric functions (minqing.appeals.metrics, and the
sections the other parts register in minqing.lib.figures) for one region subtree and period, within
the user's figure jurisdiction. No web code: views render what this module answers, tests compare it
with the metric functions and /api/v1/metrics.

Each table is a list of rows; each row carries its numbers and the link to the list behind them
(the appeal list at /appeals/ when the web pages provide it, else the /api/v1/appeals query).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import pgettext_lazy

from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import Category
from minqing.lib import figures, regioncode
from minqing.lib.periods import Period
from minqing.regions import jurisdiction
from minqing.regions.models import Region

# Labels in the "dashboards" context: their words are common and other catalogues translate them otherwise.
GROUP_LABELS = {
    wf.Group.OPEN.value: pgettext_lazy("dashboards", "Being handled"),
    wf.Group.PAUSED.value: pgettext_lazy("dashboards", "Suspended"),
    wf.Group.SOLVED.value: pgettext_lazy("dashboards", "Closed, solved"),
    wf.Group.CLOSED_UNSOLVED.value: pgettext_lazy("dashboards", "Closed, not solved"),
}
LABELS = {
    "response": pgettext_lazy("dashboards", "Response rate"),
    "closure": pgettext_lazy("dashboards", "Closure rate"),
    "on_time": pgettext_lazy("dashboards", "On-time rate"),
    "resolution": pgettext_lazy("dashboards", "Resolution rate"),
    "satisfaction": pgettext_lazy("dashboards", "Satisfaction rate"),
    "on_spot": pgettext_lazy("dashboards", "Solved on the spot"),
    "assigned": pgettext_lazy("dashboards", "With a deadline"),
    "assigned_done": pgettext_lazy("dashboards", "With a deadline, done"),
    "assigned_open": pgettext_lazy("dashboards", "With a deadline, in progress"),
    "found": pgettext_lazy("dashboards", "Found"),
    "to_township": pgettext_lazy("dashboards", "Sent to the township"),
    "to_county": pgettext_lazy("dashboards", "Sent to the county"),
}
LEVEL_WORDS = {regioncode.PROVINCE: "全省", regioncode.CITY: "全市", regioncode.COUNTY: "全县",
               regioncode.TOWNSHIP: "全镇", regioncode.VILLAGE: "全村"}


def level_word(region: Region) -> str:
    """全县 / 全镇 / 全乡 / 全街道 / 全村 / 全社区: the word a place uses for itself."""
    name = region.name
    for suffix, word in (("街道", "全街道"), ("社区", "全社区"), ("乡", "全乡"), ("区", "全区"), ("市", "全市")):
        if name.endswith(suffix) and regioncode.level_of(region.code) >= regioncode.COUNTY:
            return word
    return LEVEL_WORDS.get(regioncode.level_of(region.code), "全域")


@functools.lru_cache(maxsize=4096)
def _reversed(name: str, args: tuple[str, ...], prefix: str, urlconf: Any) -> str | None:
    try:
        return reverse(name, args=list(args), urlconf=urlconf)
    except NoReverseMatch:
        return None


def url(name: str, *args: str) -> str | None:
    """reverse(), remembered per script prefix and URL configuration (a page prints a few hundred links:
    reversing each cost ~10 % of its CPU). None when no such view is installed."""
    return _reversed(name, args, get_script_prefix(), get_urlconf())


def appeal_list_url(code: str, period: Period | None = None, **filters: Any) -> str:
    """The list behind a number: the appeal workbench when present, else the JSON list."""
    base = url("web:appeals") or "/api/v1/appeals"
    params: dict[str, Any] = {"region": code}
    if period is not None:
        params["from"], params["to"] = period.start.isoformat(), period.end.isoformat()
    params.update({k: v for k, v in filters.items() if v not in (None, "")})
    return f"{base}?{urlencode(params)}"


def cases_url(code: str, period: Period, figure: str) -> str:
    """The exact cases behind a figure counted on closure dates or deadlines (dashboards.lists)."""
    return f"{url('dashboards:cases', code)}?{period.query()}&figure={figure}"


def pct(value: float | None) -> str | None:
    """0.3 → "30%", 0.3333 → "33.33%" (two decimals at most, as the rates print)."""
    if value is None:
        return None
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


# ---------------------------------------------------------------------------------------------
# The other parts' sections come from the registry they fill when ready (minqing.lib.figures).


_SCALARS = (str, int, float, bool)


def plain(value: Any) -> Any:
    """A metric result as JSON-able data (dataclasses, Rates and dates included)."""
    if value is None or type(value) in _SCALARS:  # most of the tens of thousands of values: return at once
        return value
    if isinstance(value, metrics.Rate):
        return value.as_dict()
    if hasattr(value, "as_dict") and callable(value.as_dict):
        return plain(value.as_dict())
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def part(name: str, code: str, period: Period, user: Any) -> dict[str, Any] | figures.Unavailable | None:
    """A registered part's section as plain data; Unavailable when it failed (shown marked)."""
    data = figures.compute(name, code, period.start, period.end, user=user)
    return data if data is None or isinstance(data, figures.Unavailable) else plain(data)


# ---------------------------------------------------------------------------------------------
# The dashboard


@dataclass
class Dashboard:
    region: Region
    period: Period
    word: str
    summary: metrics.CountySummary
    figures: dict[str, Any]  # name → number or percent text, as shown (the test compares these)
    links: dict[str, str]
    rates: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    triage: list[dict[str, Any]]
    funnel: list[dict[str, Any]]
    children: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    fieldwork: dict[str, Any] = field(default_factory=dict)
    disputes: Any = None
    checklists: dict[str, Any] | None = None
    liaison: dict[str, Any] | None = None
    dispatch: dict[str, Any] | None = None  # 退单率 and each unit's on-time rate by its own part
    people: dict[str, Any] | None = None  # 人次、场次, help, 集访, 带案下访, 为民办实事 (fieldwork.people)
    path: list[Region] = field(default_factory=list)
    unavailable: list[figures.Unavailable] = field(default_factory=list)  # failed sections, shown marked

    def charts(self) -> dict[str, Any]:
        """The data of every chart: the same rows the tables print."""
        return {"groups": self.groups, "categories": self.categories, "rates": self.rates,
                "triage": self.triage, "funnel": self.funnel, "trend": self.trend, "children": self.children,
                "coverage": [{"label": c.get("name"), "percent": c.get("percent"),
                              "value": None if c.get("rate") is None else round(c["rate"] * 100, 2)}
                             for c in (self.fieldwork.get("coverage") or {}).get("children") or []],
                **_part_charts(self.checklists, self.liaison, self.disputes)}


DENOMINATORS = {"response": "received", "closure": "due", "on_time": "due", "resolution": "closed_in_period",
                "satisfaction": "answered"}


def _rate_row(key: str, label: str, rate: metrics.Rate, link: str, whole: str) -> dict[str, Any]:
    return {"key": key, "label": label, "numerator": rate.numerator, "denominator": rate.denominator,
            "percent": rate.percent, "value": None if rate.value is None else round(rate.value * 100, 2),
            "link": link, "denominator_link": whole}


def _board(region: Region, period: Period, user: Any) -> tuple[metrics.Board, list[dict[str, Any]],
                                                                  list[dict[str, Any]]]:
    """The place's appeal figures (metrics.dashboard: from the pre-sums in one statement when they serve):
    its summary, one row per sub-place the user sees (the drill-down table) and the trend's months
    (received, closed and solved per month)."""
    scope = jurisdiction.scope_of(user)
    kids = [kid for kid in Region.objects.filter(parent_id=region.code, is_active=True).order_by("code")
            if user is None or scope.sees_figures(kid.code)]
    months = period.months()
    board = metrics.dashboard(region.code, period.start, period.end, user=user, children=[k.code for k in kids],
                              months=months)
    out = []
    for kid in kids:
        f = board.children[kid.code]
        out.append({
            "code": kid.code, "name": kid.name, "url": url("dashboards:region", kid.code), "received": f.received,
            "received_link": appeal_list_url(kid.code, period),
            "resolution": f.resolution.percent, "on_time": f.on_time.percent,
            "satisfaction": f.satisfaction.percent, "backlog": f.backlog,
            "backlog_link": cases_url(kid.code, period, "backlog"),
        })
    trend = []
    for (start, end), r, c in zip(months, board.trend_received, board.trend_closed, strict=True):
        trend.append({"month": f"{start.year}年{start.month}月", "start": start.isoformat(), "end": end.isoformat(),
                      "received": r["received"], "closed": c["closed"] or 0, "solved": c["solved"] or 0,
                      "link": appeal_list_url(code=region.code, period=None,
                                              **{"from": start.isoformat(), "to": end.isoformat()})})
    return board, out, trend


def _summary_and_children(region: Region, period: Period, user: Any
                          ) -> tuple[metrics.CountySummary, list[dict[str, Any]]]:
    """The place's summary and its children's rows (bench/dashboard_bar.py reads these with _trend)."""
    board, children, _trend_rows = _board(region, period, user)
    return board.summary, children


def _trend(code: str, period: Period, user: Any) -> list[dict[str, Any]]:
    """Received, closed and solved per month: two grouped queries for all the months."""
    months = period.months()
    received = metrics.received_by_span(code, months, user=user)
    closed = metrics.closed_in_period_by_span(code, months, user=user)
    rows = []
    for (start, end), r, c in zip(months, received, closed, strict=True):
        rows.append({"month": f"{start.year}年{start.month}月", "start": start.isoformat(), "end": end.isoformat(),
                     "received": r["received"], "closed": c["closed"] or 0, "solved": c["solved"] or 0,
                     "link": appeal_list_url(code, None, **{"from": start.isoformat(), "to": end.isoformat()})})
    return rows


def build(region: Region, period: Period, user: Any) -> Dashboard:
    """The whole dashboard of ``region`` for ``period`` as ``user`` may see it. The caller has checked
    ``scope.sees_figures(region.code)`` (outside it: 404)."""
    code = region.code
    board, children, trend = _board(region, period, user)
    s = board.summary
    link = appeal_list_url(code, period)
    links = {
        "received": link,
        "response": cases_url(code, period, "responded"),
        "closure": cases_url(code, period, "closed"),
        "on_time": cases_url(code, period, "on_time"),
        "resolution": cases_url(code, period, "solved"),
        "satisfaction": cases_url(code, period, "answered"),
        "backlog": cases_url(code, period, "backlog"),
        "on_spot": appeal_list_url(code, period, status=wf.Status.SOLVED_ON_SPOT.value),
        "assigned": appeal_list_url(code, period, group=",".join(metrics.OPEN_GROUPS + metrics.CLOSED_GROUPS)),
        "assigned_done": appeal_list_url(code, period, group=",".join(metrics.CLOSED_GROUPS)),
        "explained": appeal_list_url(code, period, status=wf.Status.EXPLAINED.value),
        "escalated": appeal_list_url(code, period, status=wf.Status.ESCALATED.value),
    }
    rates = [_rate_row(key, str(LABELS[key]), getattr(s, key), links[key], cases_url(code, period, DENOMINATORS[key]))
             for key in ("response", "closure", "on_time", "resolution", "satisfaction")]
    groups = [{"key": g, "label": str(GROUP_LABELS.get(g, g)), "count": n,
               "link": appeal_list_url(code, period, group=g)} for g, n in s.by_group.items()]
    ids = board.category_ids
    if ids is None:
        ids = dict(Category.objects.filter(name__in=list(s.by_category)).order_by("-is_active", "level", "pk")
                   .values_list("name", "pk").reverse())  # the first (active, top-level) id wins
    categories = [{"label": name, "count": n,
                   "link": appeal_list_url(code, period, category=ids.get(name)) if name in ids else link}
                  for name, n in s.by_category.items()]
    open_link = appeal_list_url(code, period, group=",".join(metrics.OPEN_GROUPS))
    triage = [{"key": key, "label": str(LABELS[key]), "count": count, "link": links.get(key, open_link)}
              for key, count in (("on_spot", s.on_spot), ("assigned", s.assigned),
                                 ("assigned_done", s.assigned_done), ("assigned_open", s.assigned - s.assigned_done))]
    f = s.funnel
    funnel = [{"key": key, "label": str(LABELS[key]), "count": count, "households": households,
               "link": link if key == "found" else links["escalated"]}
              for key, count, households in (("found", f.found, f.found_households),
                                             ("to_township", f.to_township, f.to_township_households),
                                             ("to_county", f.to_county, f.to_county_households))]
    b = s.backlog
    shown: dict[str, Any] = {
        "received": s.received,
        "response": s.response.percent, "closure": s.closure.percent, "on_time": s.on_time.percent,
        "resolution": s.resolution.percent, "satisfaction": s.satisfaction.percent,
        "backlog": b.at_end, "backlog_year_before": b.year_before, "backlog_change": pct(b.change_rate),
        "on_spot": s.on_spot, "assigned": s.assigned, "assigned_done": s.assigned_done, "explained": s.explained,
        "found": f.found, "to_township": f.to_township, "to_county": f.to_county,
        "found_households": f.found_households, "to_township_households": f.to_township_households,
        "to_county_households": f.to_county_households,
    }
    for g in groups:
        shown[f"group.{g['key']}"] = g["count"]
    for c in categories:
        shown[f"category.{c['label']}"] = c["count"]
    sections = {name: part(name, code, period, user) for name in ("fieldwork", "people", "disputes", "checklists",
                                                                    "liaison", "dispatch")}
    unavailable = [v for v in sections.values() if isinstance(v, figures.Unavailable)]
    sections = {k: None if isinstance(v, figures.Unavailable) else v for k, v in sections.items()}
    fieldwork = sections["fieldwork"] or {}
    _dress_fieldwork(fieldwork, code, period, shown)
    disputes = _dress_disputes(sections["disputes"], code, shown)
    checklists = _checklists(sections["checklists"], code, period, shown)
    liaison = _liaison(sections["liaison"], code, period, shown)
    dispatch = sections["dispatch"]  # shown in its own card, apart from the figures the tests reconcile
    people = _people(sections["people"], shown)
    _repeat_rate(part("repeats", code, period, user), code, period, rates, shown, unavailable)
    return Dashboard(
        region=region, period=period, word=level_word(region), summary=s, figures=shown, links=links,
        rates=rates, groups=groups, categories=categories, triage=triage, funnel=funnel,
        children=children, trend=trend,
        fieldwork={k: v for k, v in fieldwork.items() if v is not None},
        disputes=disputes, checklists=checklists, liaison=liaison, dispatch=dispatch or None, people=people,
        path=region_path(region, user), unavailable=unavailable,
    )


def _repeat_rate(data: Any, code: str, period: Period, rates: list[dict[str, Any]], shown: dict[str, Any],
                 unavailable: list[figures.Unavailable]) -> None:
    """重复诉求率 (appeals/repeats.py) as one more rate: repeats / appeals received in the period."""
    if isinstance(data, figures.Unavailable):
        unavailable.append(data)
        return
    if not isinstance(data, dict) or not isinstance(data.get("appeals"), int):
        return
    value = data.get("repeat_rate")
    rates.append({"key": "repeat_rate", "label": str(pgettext_lazy("dashboards", "Repeat appeal rate")),
                  "numerator": data["repeats"], "denominator": data["appeals"], "percent": pct(value),
                  "value": None if value is None else round(value * 100, 2),
                  "link": appeal_list_url(code, period, repeat="1", group=",".join(GROUPS_ALL)),
                  "denominator_link": appeal_list_url(code, period)})
    shown.update({"repeat_rate": pct(value), "repeats": data["repeats"],
                  "repeats_after_closure": data.get("repeats_after_closure")})


def _nonzero(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_nonzero(v) for v in value.values())
    return isinstance(value, int | float) and bool(value)


def _people(data: Any, figures: dict[str, Any]) -> dict[str, Any] | None:
    """The figures of fieldwork.people as the page shows them (data-figure names people.<set>.<name>)."""
    if not isinstance(data, dict) or not isinstance(data.get("visits"), dict):
        return None
    if not any(_nonzero(data.get(k)) for k in ("visits", "meetings", "help", "cases_down", "group_petitions",
                                                "deeds", "care")):
        return None  # nothing of the kind recorded in the place and period: no card of zeros
    for name in ("visits", "meetings", "help", "deeds", "care"):
        figures.update({f"people.{name}.{k}": v for k, v in (data.get(name) or {}).items()})
    figures.update({f"people.cases_down.{k}": v for k, v in (data.get("cases_down") or {}).items()
                    if not isinstance(v, dict)})
    petitions = []
    for level, label in (("county", pgettext_lazy("dashboards", "To the county")),
                         ("city", pgettext_lazy("dashboards", "To the city"))):
        p = (data.get("group_petitions") or {}).get(level) or {}
        change = p.get("change")
        petitions.append({"key": level, "label": str(label), **p,
                          "change_text": None if change is None else
                          f"{'−' if change < 0 else '+'}{pct(abs(float(change)))}"})
        figures.update({f"people.group_petitions.{level}.{k}": p.get(k) for k in
                        ("batches", "people", "year_before_batches", "year_before_people")})
    return {**data, "petitions": petitions}


GROUPS_ALL = ("open", "paused", "solved", "closed_unsolved", "merged")
QUOTA_ROWS = 20
QUOTA_STATUS = {"green": pgettext_lazy("dashboards", "Met"), "yellow": pgettext_lazy("dashboards", "Close"),
                "red": pgettext_lazy("dashboards", "Not met"), "ongoing": pgettext_lazy("dashboards", "In progress")}


def _dress_fieldwork(data: dict[str, Any], code: str, period: Period, figures: dict[str, Any]) -> None:
    """Percent texts, links and dashboard figures for the field-work results (their shapes are those
    of minqing.fieldwork.metrics; anything else is dropped rather than shown raw)."""
    query = urlencode({"region": code, "period": period.token} if period.token else {"region": code})
    cov = data.get("coverage")
    if isinstance(cov, dict) and isinstance(cov.get("households"), int):
        cov["percent"] = pct(cov.get("rate"))
        cov["link"] = f"/api/v1/coverage?{query}"
        for child in cov.get("children") or []:
            child["percent"] = pct(child.get("rate"))
        figures.update({"coverage.households": cov["households"], "coverage.visited": cov.get("visited"),
                        "coverage.rate": cov["percent"] or "—"})
    else:
        data.pop("coverage", None)
    rows = data.get("quota_report")
    if isinstance(rows, list) and all(isinstance(r, dict) and "status" in r for r in rows):
        for r in rows:
            r["status_label"] = str(QUOTA_STATUS.get(r["status"], r["status"]))
        counts = {k: sum(1 for r in rows if r["status"] == k) for k in QUOTA_STATUS}
        data["quota_counts"] = counts
        # The page lists who is behind (worst first, as the report sorts); the full list is the API's.
        behind = sorted((r for r in rows if r["status"] in ("red", "yellow")), key=lambda r: r["status"] != "red")
        data["quota_behind"] = behind[:QUOTA_ROWS]
        data["quota_more"] = max(0, len(behind) - QUOTA_ROWS)
        data["quota_link"] = f"/api/v1/quotas?{query}"
        figures.update({f"quota.{k}": v for k, v in counts.items()})
    else:
        data.pop("quota_report", None)
    funnel = data.get("funnel")
    if isinstance(funnel, dict) and all(isinstance(funnel.get(k), int) for k in ("visited", "found", "township",
                                                                                  "county")):
        figures.update({f"rounds.{k}": funnel[k] for k in ("visited", "found", "township", "county")})
    else:
        data.pop("funnel", None)


# ---------------------------------------------------------------------------------------------
# Disputes, household checklists (两不愁三保障) and enterprise liaison: each section shows its part's
# metric function's answer as it is, with one data-figure per number (the tests compare them).

DISPUTE_KEYS = ("found", "solved", "referred", "open", "open_with_deadline_and_owner")
CHECKLIST_KEYS = ("checked", "failing", "cleared", "open")
ROUND_KEYS = ("checked", "found", "cleared", "open")
SERIES = {
    "found": pgettext_lazy("dashboards", "Found"),
    "solved": pgettext_lazy("dashboards", "Solved"),
    "open": pgettext_lazy("dashboards", "Being resolved"),
    "failing": pgettext_lazy("dashboards", "Failing"),
    "cleared": pgettext_lazy("dashboards", "Cleared"),
    "still_open": pgettext_lazy("dashboards", "Not yet cleared"),
}


def _dress_disputes(data: Any, code: str, figures: dict[str, Any]) -> dict[str, Any] | None:
    """Links and figures for minqing.disputes.metrics.summary (anything of another shape is dropped)."""
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in DISPUTE_KEYS):
        return None
    data["link"] = f"/disputes/?{urlencode({'region': code})}"
    data["open_link"] = f"/disputes/risks/?{urlencode({'region': code})}"
    figures.update({f"disputes.{k}": data[k] for k in DISPUTE_KEYS})
    for row in data.get("by_kind") or []:
        row["key"], row["label"] = row["code"], row["name"]
        row["link"] = f"/disputes/?{urlencode({'region': code, 'kind': row['code']})}"
        figures.update({f"disputes.kind.{row['code']}.{k}": row[k] for k in DISPUTE_KEYS})
    for row in data.get("by_village") or []:
        row["key"], row["label"] = row["code"], row["name"]
        row["link"] = f"/disputes/?{urlencode({'region': row['code']})}"
        figures.update({f"disputes.village.{row['code']}.{k}": row[k] for k in DISPUTE_KEYS})
    for row in data.get("by_month") or []:
        y, m = (int(x) for x in row["month"].split("-"))
        last = calendar.monthrange(y, m)[1]
        row["key"], row["label"] = row["month"], f"{y}年{m}月"
        row["link"] = "/api/v1/disputes/summary?" + urlencode(
            {"region": code, "from": f"{row['month']}-01", "to": f"{row['month']}-{last:02d}"})
        figures.update({f"disputes.month.{row['month']}.{k}": row[k] for k in DISPUTE_KEYS})
    data["tables"] = [("kind", data.get("by_kind") or [], pgettext_lazy("dashboards", "By kind"),
                       pgettext_lazy("dashboards", "Kind")),
                      ("village", data.get("by_village") or [], pgettext_lazy("dashboards", "By place"),
                       pgettext_lazy("dashboards", "Place")),
                      ("month", data.get("by_month") or [], pgettext_lazy("dashboards", "By month"),
                       pgettext_lazy("dashboards", "Month"))]
    return data


def _checklists(data: dict[str, Any] | None, code: str, period: Period, figures: dict[str, Any]
                ) -> dict[str, Any] | None:
    """两不愁三保障 (minqing.checklists.metrics.section): households checked, failing and cleared per item
    in the period and the found → cleared funnel after each visit round of the period's year. None when
    nothing was checked."""
    if not data:
        return None
    totals, items = data["households"], data["items"]
    rounds = [r for r in data["rounds"] or [] if r.get("checked")]
    if not totals.get("checked") and not rounds:
        return None
    query = {"region": code, "from": period.start.isoformat(), "to": period.end.isoformat()}
    link = f"/checklists/?{urlencode(query)}"
    figures.update({f"checklists.{k}": totals[k] for k in CHECKLIST_KEYS})
    for row in items:
        row["key"] = f"{row['checklist']}.{row['item']}"
        figures.update({f"checklists.item.{row['key']}.{k}": row[k] for k in CHECKLIST_KEYS})
    for r in rounds:
        r["label"] = str(pgettext_lazy("dashboards", "Round %(n)s") % {"n": r["round"]})
        figures.update({f"checklists.round.{r['round']}.{k}": r[k] for k in ROUND_KEYS})
    rounds_link = "/api/v1/checklists/clearance?" + urlencode({"region": code, "year": period.end.year})
    return {"totals": totals, "items": items, "rounds": rounds, "year": period.end.year, "link": link,
            "api_link": "/api/v1/checklists/counts?" + urlencode(query), "rounds_link": rounds_link}


LIAISON_KEYS = ("people", "required", "done", "green", "yellow", "red", "ongoing", "enterprises", "visits")


def _liaison(data: dict[str, Any] | None, code: str, period: Period, figures: dict[str, Any]) -> dict[str, Any] | None:
    """一张表、心连心 (minqing.enterprises.metrics.liaison_section): each bound leader's monthly visits with
    its colours. None when nobody is bound and no enterprise is paired in the region."""
    if not data or (not data["rows"] and not data["enterprises"]):
        return None
    for r in data["rows"]:
        r["status_label"] = str(QUOTA_STATUS.get(r["status"], r["status"]))
    data["link"] = "/api/v1/enterprises/liaison?" + urlencode(
        {"region": code, "from": period.start.isoformat(), "to": period.end.isoformat()})
    data["list_link"] = "/enterprises/" + (f"?period={period.start:%Y-%m}" if period.kind == "month" else "")
    figures.update({f"liaison.{k}": data[k] for k in LIAISON_KEYS})
    for r in data["rows"]:
        figures.update({f"liaison.person.{r['user_id']}.{k}": r[k] for k in ("required", "done")})
    return data


def _multi(series: tuple[str, ...], rows: list[dict[str, Any]], label: str, link: str = "link",
           names: dict[str, str] | None = None) -> dict[str, Any]:
    """A chart of several series over the rows the table prints (charts.js type "multi")."""
    names = names or {}
    return {"series": [{"key": k, "name": str(SERIES[names.get(k, k)])} for k in series],
            "rows": [{"label": r.get(label), "link": r.get(link), **{k: r.get(k) for k in series}} for r in rows]}


def _part_charts(checklists: dict[str, Any] | None, liaison: dict[str, Any] | None,
                 disputes: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if checklists:
        items = [{**r, "link": checklists["link"]} for r in checklists["items"]]
        out["checklist_items"] = _multi(("failing", "cleared"), items, "label")
        rounds = [{**r, "link": checklists["rounds_link"]} for r in checklists["rounds"]]
        out["checklist_rounds"] = _multi(("found", "cleared", "open"), rounds, "label",
                                         names={"open": "still_open"})
    if liaison:
        out["liaison"] = [{"key": k, "label": str(QUOTA_STATUS[k]), "count": liaison.get(k, 0), "link": liaison["link"]}
                          for k in QUOTA_STATUS]
    if disputes:
        out["disputes_kind"] = _multi(("found", "solved", "open"), disputes.get("by_kind") or [], "label")
        out["disputes_village"] = _multi(("found", "solved", "open"), disputes.get("by_village") or [], "label")
        out["disputes_month"] = _multi(("found", "solved", "open"), disputes.get("by_month") or [], "label")
    return out


def region_path(region: Region, user: Any) -> list[Region]:
    """The crumbs from the widest place the user sees figures of down to this one."""
    scope = jurisdiction.scope_of(user)
    codes = []
    code: str | None = region.code
    while code:
        if user is None or scope.sees_figures(code):
            codes.append(code)
        code = regioncode.parent_code(code)
    return list(Region.objects.filter(code__in=codes).order_by("level"))
