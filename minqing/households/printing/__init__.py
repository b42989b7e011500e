"""The household file (一户一档) for the cadre's folder: one A4 page per household, as .docx or PDF.

``sheets`` gathers what a page shows — 户情, living members with masked numbers, tags, the latest
visits, appeals and help — through the same jurisdiction filter as the household page; the writers
(docx.py, pdf.py) only lay it out. A page holds the newest ``LIMIT`` entries of each list.

The lists that belong to parts above households (visits and help: fieldwork; appeals: appeals) are
registered by those parts when ready (``register_list``), so households imports none of them; a list
whose part is not installed is empty, and an error in one propagates (never a silently empty list)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from minqing.regions import jurisdiction

from ..models import Household, ResidentStatus

LIMIT = 6
Lines = Callable[[Any, Household, int], list[str]]  # (user, household, limit) → the newest lines
_LISTS: dict[str, Lines] = {}


def register_list(name: str, lines: Lines) -> None:
    """A part's list on the household page: ``visits``, ``appeals`` or ``help``."""
    _LISTS[name] = lines


def _lines(name: str, user: Any, h: Household) -> list[str]:
    lines = _LISTS.get(name)
    return lines(user, h, LIMIT)[:LIMIT] if lines is not None else []


@dataclass
class Sheet:
    title: str
    facts: list[tuple[str, str]]
    members: list[list[str]]
    visits: list[str] = field(default_factory=list)
    appeals: list[str] = field(default_factory=list)
    help: list[str] = field(default_factory=list)
    printed: str = ""


MEMBER_HEADERS = ["姓名", "与户主关系", "性别", "出生日期", "身份证号码", "联系电话"]


def _sheet(user: Any, h: Household) -> Sheet:
    place = h.region.full_name(upto=4) if h.region_id else ""
    facts = [("户号", h.number), ("户主", h.head_name), ("所在村组", f"{place}{h.group.name if h.group else ''}"),
             ("住址", h.address), ("户类别", "、".join(t.name for t in h.tags.all()) or "无")]
    if h.note:
        facts.append(("备注", h.note[:200]))
    members = [[r.name, r.get_relation_display(), r.get_gender_display(),
                r.birth_date.isoformat() if r.birth_date else "", r.id_number_masked or "—", r.phone_masked or "—"]
               for r in h.residents.filter(deleted_at__isnull=True, status=ResidentStatus.LIVING).order_by("id")]
    visits, appeals, help_rows = _lines("visits", user, h), _lines("appeals", user, h), _lines("help", user, h)
    return Sheet(title=f"{h.head_name}户 户情档案", facts=facts, members=members, visits=visits, appeals=appeals,
                 help=help_rows, printed=f"打印于 {timezone.localtime():%Y-%m-%d %H:%M}，身份证号码与电话已遮蔽")


def sheets(user: Any, households: Iterable[Household]) -> Iterator[Sheet]:
    """One sheet per household the user may see (others are silently not there)."""
    ids = [h.pk for h in households]
    qs = (jurisdiction.visible(user, Household).filter(pk__in=ids).select_related("region", "group")
          .prefetch_related("tags").order_by("region_id", "number"))
    for h in qs.iterator(chunk_size=200):
        yield _sheet(user, h)


def village_households(user: Any, code: str) -> list[Household]:
    return list(jurisdiction.visible(user, Household).filter(jurisdiction.region_q([code])).only("pk"))
