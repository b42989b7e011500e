"""The values the metric functions return (minqing.appeals.metrics): rates with their numerator and
denominator, the funnel, the backlog and its change, a place's summary and a drill-down row."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Rate:
    """A rate with its numerator and denominator: leaders want "737/972 = 75.82%"."""

    numerator: float | int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def percent(self) -> str | None:
        v = self.value
        if v is None:
            return None
        return f"{Decimal(str(v * 100)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"

    def __str__(self) -> str:
        num = int(self.numerator) if float(self.numerator).is_integer() else round(self.numerator, 2)
        return f"{num}/{self.denominator} = {self.percent or '—'}"

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.value,
                "percent": self.percent, "text": str(self)}


@dataclass(frozen=True)
class Funnel:
    found: int
    to_township: int
    to_county: int
    found_households: int
    to_township_households: int
    to_county_households: int


@dataclass(frozen=True)
class Backlog:
    at_end: int
    year_before: int

    @property
    def change(self) -> int:
        return self.at_end - self.year_before

    @property
    def change_rate(self) -> float | None:
        return None if not self.year_before else self.change / self.year_before


@dataclass(frozen=True)
class CountySummary:
    region: str
    start: dt.date
    end: dt.date
    received: int
    response: Rate
    closure: Rate  # 办结率
    on_time: Rate  # 按期办结率
    resolution: Rate  # 解决率
    explained: int  # 政策解答, counted apart
    closed_unsolved: int  # closed, not solved, not explained
    satisfaction: Rate
    satisfaction_counts: dict[str, int]
    on_spot: int  # 立行立改
    assigned: int  # 限期整改
    assigned_done: int
    backlog: Backlog
    funnel: Funnel
    by_category: dict[str, int]
    by_group: dict[str, int]
    basic_weight: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("response", "closure", "on_time", "resolution", "satisfaction"):
            out[name] = getattr(self, name).as_dict()
        out["backlog"] = {**asdict(self.backlog), "change": self.backlog.change,
                          "change_rate": self.backlog.change_rate}
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out


@dataclass(frozen=True)
class ChildFigures:
    """One drill-down row: what the dashboard shows for a place below."""

    code: str
    received: int
    resolution: Rate  # 解决率
    on_time: Rate  # 按期办结率
    satisfaction: Rate
    backlog: int  # 积案存量 at the period's end
