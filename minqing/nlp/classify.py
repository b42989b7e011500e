"""智能分拨: suggest the first-level category and the responsible unit of a message, with a
confidence; keep what the person accepted or chose as training data.

The model is trained by `minqing model train` (textmodel.py, training.py) and saved under
var/models/; this module only loads and applies it (nothing is downloaded at run time)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .modelfile import ModelFileError
from .textmodel import TextModel, prepare

log = logging.getLogger(__name__)

_cache: dict[str, Any] = {"path": None, "mtime": None, "model": None}


def model_path() -> Path:
    return Path(getattr(settings, "NLP_MODEL_PATH", "") or settings.VAR_DIR / "models" / "category.pkl")


def model_key() -> bytes:
    """MINQING_MODEL_KEY, else a key derived from the secret key (both kept outside the model file)."""
    configured = getattr(settings, "MODEL_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"minqing category model", hashlib.sha256).digest()


def current_model() -> TextModel | None:
    """The saved model, reloaded when the file changes; None before the first `minqing model train`,
    and None (with an error in the log) when the file's signature or version does not check."""
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    if _cache["path"] != path or _cache["mtime"] != mtime:
        try:
            model = TextModel.load(path, model_key())
        except ModelFileError as exc:
            log.error("category model %s refused: %s", path, exc)
            model = None
        _cache.update(path=path, mtime=mtime, model=model)
    return _cache["model"]


def attach(model: TextModel) -> Path:
    path = model_path()
    model.save(path, model_key())
    _cache.update(path=None, mtime=None, model=None)
    return path


@dataclass
class Suggestion:
    code: str
    name: str
    confidence: float
    category_id: int | None = None
    unit_id: int | None = None
    unit_name: str = ""


def _category_by_name(name: str):
    from minqing.appeals.models import Category

    rows = list(Category.objects.filter(name=name, level=1, is_active=True))
    order = {"taidi": 0, "seeds": 1, "county": 2}
    return min(rows, key=lambda c: order.get(c.scheme, 3)) if rows else None


def _unit_for(function: str, region_code: str | None):
    """The active unit with this function, nearest above the place (a township station before the
    county bureau), else any county unit with it."""
    from minqing.accounts.models import Unit

    if not function:
        return None
    units = list(Unit.objects.filter(function=function, is_active=True).order_by("region_id", "id"))
    if region_code:
        covering = [u for u in units if regioncode.contains(u.region_id, region_code)]
        if covering:
            return max(covering, key=lambda u: len(regioncode.prefix(u.region_id)))
    return units[0] if units else None


def suggest(text: str, *, title: str = "", region_code: str | None = None, top: int = 3) -> list[Suggestion]:
    """The `top` most likely first-level categories, best first (empty when no model is trained)."""
    model = current_model()
    if model is None or not (text or title).strip():
        return []
    proba = model.proba([prepare(title, text)])[0]
    order = proba.argsort()[::-1][:max(1, top)]
    out: list[Suggestion] = []
    for i in order:
        name = model.classes[i]
        cat = _category_by_name(name)
        unit = _unit_for(cat.default_unit_function, region_code) if cat else None
        out.append(Suggestion(code=cat.code if cat else "", name=name, confidence=round(float(proba[i]), 4),
                              category_id=cat.pk if cat else None, unit_id=unit.pk if unit else None,
                              unit_name=unit.name if unit else ""))
    return out


@transaction.atomic
def record_feedback(user, *, region_code: str, text: str, title: str = "", chosen: Any,
                    suggested: Any = None, confidence: float | None = None, appeal: Any = None,
                    now: dt.datetime | None = None):
    """A person accepted (chosen == suggested) or corrected the suggestion: kept for training."""
    from minqing.appeals.models import Appeal, Category
    from minqing.audit.log import record

    from .models import CategoryFeedback

    scope = jurisdiction.scope_of(user)
    if scope.is_anonymous or not scope.sees_place(region_code) and not scope.sees_figures(region_code):
        raise PermissionDenied("不在您的管辖范围内")
    if not (text or "").strip():
        raise ValidationError("请填写诉求内容")

    def category(value):
        if value in (None, ""):
            return None
        found = Category.objects.filter(pk=value).first() if str(value).isdigit() else \
            Category.objects.filter(code=value).first()
        if found is None:
            raise ValidationError("分类不存在")
        return found

    chosen_cat, suggested_cat = category(chosen), category(suggested)
    if chosen_cat is None:
        raise ValidationError("请选择分类")
    if appeal is not None and not isinstance(appeal, Appeal):
        appeal = jurisdiction.get_visible_or_404(user, Appeal, pk=appeal)
    now = now or timezone.now()
    fb = CategoryFeedback.objects.create(
        appeal=appeal, region_id=region_code, title=(title or "")[:200], text=text, suggested=suggested_cat,
        chosen=chosen_cat, confidence=confidence, accepted=suggested_cat is not None and suggested_cat == chosen_cat,
        by=user, at=now)
    record("nlp.category_feedback", actor=user, obj=fb, region_code=region_code,
           changes={"chosen": chosen_cat.code, "suggested": suggested_cat.code if suggested_cat else None,
                    "accepted": fb.accepted, "appeal": appeal.pk if appeal else None}, at=now)
    return fb
