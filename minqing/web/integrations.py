"""What the work pages borrow from other parts that may not be installed (or not built yet): the
NLP helper's category suggestion and similar open appeals, field work's visit plan, visits and
help at the door. Each returns an empty answer when the part is absent, so every page works
without it; a failure inside a part is logged and hidden rather than breaking the page."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from minqing.regions import jurisdiction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    category_id: int | None
    category_code: str
    category_name: str
    unit: str
    confidence: float | None

    @property
    def percent(self) -> str:
        return f"{self.confidence * 100:.0f}%" if self.confidence is not None else ""


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value not in (None, ""):
            return value
    return None


def _suggestion(raw: Any) -> Suggestion | None:
    from minqing.appeals.models import Category

    cat = _get(raw, "category")
    cat_obj = cat if cat is not None and not isinstance(cat, str | int) else None
    code = _get(raw, "category_code", "code") or (_get(cat_obj, "code") if cat_obj is not None
                                                 else (cat if isinstance(cat, str) else None))
    name = _get(raw, "category_name", "name") or (_get(cat_obj, "name") if cat_obj is not None else None)
    found = Category.objects.filter(code=code).first() if code else None
    if found is None and name:
        found = Category.objects.filter(name=name, is_active=True).first()
    if found is None and not name:
        return None
    unit = _get(raw, "unit_name", "unit")
    confidence = _get(raw, "confidence", "score")
    return Suggestion(found.pk if found else None, found.code if found else str(code or ""),
                      found.name if found else str(name), str(getattr(unit, "name", unit) or ""),
                      float(confidence) if confidence is not None else None)


def suggest(text: str, region: str = "") -> list[Suggestion]:
    """Categories the text of a new appeal suggests (best first), or [] without the NLP part; with the
    place, each names the unit (and co-units) the dispatch catalogue gives that category there."""
    found = _suggest(text)
    if not region:
        return found
    from dataclasses import replace

    from minqing.appeals import dispatch

    out = []
    for s in found:
        rule = dispatch.suggest(s.category_id, region) if s.category_id else None
        if rule is not None:
            co = "、".join(u.name for u in rule.co_units.order_by("name"))
            s = replace(s, unit=rule.unit.name + (f"（协办：{co}）" if co else ""))
        out.append(s)
    return out


def _suggest(text: str) -> list[Suggestion]:
    try:
        from minqing.nlp.classify import suggest as nlp_suggest
    except ImportError:
        return []
    try:
        raw = nlp_suggest(text)
        if raw is None:
            return []
        items = raw if isinstance(raw, list | tuple) else [raw]
        return [s for s in (_suggestion(r) for r in items[:3]) if s is not None]
    except Exception:  # noqa: BLE001 - a suggestion is a hint; the form works without it
        log.exception("category suggestion failed")
        return []


@dataclass(frozen=True)
class Similar:
    appeal: Any
    score: float | None
    kind: str  # exact | near | paraphrase | meaning: the reason shown
    closed: bool = False  # closed within the repeat window: shown, not offered for merging

    @property
    def percent(self) -> str:
        return f"{self.score * 100:.0f}%" if self.score is not None else ""

    @property
    def reason(self) -> str:
        return str(SIMILAR_REASONS.get(self.kind, ""))


SIMILAR_REASONS = {
    "exact": _("Same text"),
    "near": _("Nearly the same words"),
    "paraphrase": _("Similar wording"),
    "meaning": _("Same meaning in other words, in the same village or community"),
}


def similar_open(user, appeal, *, include_closed: bool = True) -> list[Similar]:
    """Appeals that look like this one (open ones to merge, recently closed ones to know of), or []
    without the NLP part."""
    try:
        from minqing.nlp.duplicates import similar_open as nlp_similar
    except ImportError:
        return []
    try:
        matches = nlp_similar(user, appeal.text, title=appeal.title, region_code=appeal.region_id,
                              exclude_id=appeal.pk, include_closed=include_closed,
                              around=appeal.received_at)
        out = []
        for m in list(matches or [])[:5]:
            target = _get(m, "appeal")
            if target is None or target.pk == appeal.pk:
                continue
            # Shown as 相似度: the match's own similarity. Its score adds a bonus for the same village
            # (the ranking), which read "相似度 100%" on a text that is only nearly the same.
            score = _get(m, "similarity", "score")
            out.append(Similar(target, float(score) if score is not None else None, str(_get(m, "kind") or ""),
                               bool(_get(m, "closed"))))
        return out
    except Exception:  # noqa: BLE001 - a hint; the page works without it
        log.exception("similar appeals failed")
        return []


def due_visits(user, day: dt.date) -> list[Any] | None:
    """Households due for a visit (field work's plan), or None when field work has no plan yet."""
    try:
        from minqing.fieldwork.plans import due_for
    except ImportError:
        return None
    try:
        return list(due_for(user, day))
    except Exception:  # noqa: BLE001 - one section of the home page; the rest must show
        log.exception("visit plan failed")
        return None


def _model(name: str):
    try:
        return apps.get_model("fieldwork", name)
    except LookupError:
        return None


def visits_of(user, household) -> list[Any] | None:
    """Visits to a household the user may see, newest first; None without field work."""
    visit = _model("Visit")
    if visit is None:
        return None
    try:
        qs = jurisdiction.visible(user, visit).filter(household=household)
    except LookupError:
        return None
    qs = qs.select_related("visitor").order_by("-visited_at", "-id")
    photo = _model("VisitPhoto")
    if photo is not None:  # the visit's photos (issue 19), those not withdrawn
        qs = qs.prefetch_related(Prefetch("photos", queryset=photo.objects.alive(), to_attr="shown_photos"))
    return list(qs[:30])


def help_of(user, household) -> list[Any] | None:
    """Help given at the door to a household (from visits the user may see); None without it."""
    visit, help_model = _model("Visit"), _model("VisitHelp")
    if visit is None or help_model is None:
        return None
    try:
        visits = jurisdiction.visible(user, visit).filter(household=household)
    except LookupError:
        return None
    return list(help_model.objects.filter(visit__in=visits).select_related("visit").order_by("-visit__visited_at")[:30])


def care_files_of(user, household) -> list[Any] | None:
    """The household's 关爱服务档案 the user may see, open first; None without field work."""
    care = _model("CareFile")
    if care is None:
        return None
    try:
        qs = jurisdiction.visible(user, care).filter(household=household)
    except LookupError:
        return None
    return list(qs.select_related("resident").order_by("closed_on", "-opened_on", "-id")[:20])
