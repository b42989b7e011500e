"""Shared builders for checklist tests: the 两不愁三保障 checklist and visits with answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

ITEMS = [
    {"code": "food", "label": "不愁吃", "answer_type": "yes_no", "group": "两不愁"},
    {"code": "clothing", "label": "不愁穿", "answer_type": "yes_no", "group": "两不愁"},
    {"code": "education", "label": "义务教育有保障", "answer_type": "yes_no", "group": "三保障"},
    {"code": "medical", "label": "基本医疗有保障", "answer_type": "yes_no", "group": "三保障"},
    {"code": "housing", "label": "住房安全有保障", "answer_type": "yes_no", "group": "三保障"},
    {"code": "water", "label": "饮水安全", "answer_type": "choice", "choices": ["安全", "基本安全", "不安全"],
     "passing_choices": ["安全", "基本安全"]},
    {"code": "income", "label": "人均纯收入", "answer_type": "number", "threshold": 4000, "unit": "元",
     "group": "一达标"},
    {"code": "remark", "label": "其他情况", "answer_type": "note"},
]

PASS_ALL = {"food": True, "clothing": True, "education": True, "medical": True, "housing": True, "water": "安全",
            "income": 5000}


def make_checklist(county: Any, tags: tuple[str, ...] = ("dibao", "jiance")) -> Any:
    from minqing.checklists import services

    return services.create_checklist(actor=county.county_leader, county=county.county.code, code="lbc_sbz",
                                     name="两不愁三保障", items=ITEMS, tags=list(tags))


def tag(household: Any, code: str) -> None:
    from minqing.households.models import Tag

    household.tags.add(Tag.objects.get(code=code))


def year() -> int:
    """Last year: wholly in the past whenever the tests run, so every round of it has ended."""
    return timezone.localdate().year - 1


def day(mm_dd: str) -> dt.date:
    return dt.date.fromisoformat(f"{year()}-{mm_dd}")


def at(mm_dd: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day(mm_dd), dt.time(hour)))


def visit(actor: Any, household: Any, when: str, version: Any = None, answers: dict | None = None) -> Any:
    """A visit (through field work's service) with the checklist answered on it."""
    from minqing.checklists.services import apply_visit_answers
    from minqing.fieldwork.services import record_visit

    v, _ = record_visit(actor=actor, household=household, visited_at=at(when), note="走访核查")
    if version is not None:
        apply_visit_answers(v, {"version": version.pk, "answers": {**PASS_ALL, **(answers or {})}}, actor=actor)
    return v
