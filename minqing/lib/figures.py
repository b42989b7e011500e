"""The registry of the parts' figures. Each part registers the section it adds to a leader's
dashboard, briefing and /api/v1/metrics/<part> when its app is ready (as it registers its
jurisdiction rules), so the readers never import the parts and never guess whether one is installed.

A section that fails is not left out: with settings.FIGURES_RAISE (tests, DEBUG) the error goes up;
otherwise it is logged and the readers show the section as "此项暂时无法计算".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

UNAVAILABLE = _("This figure cannot be computed at the moment")

# (region_code, start, end, *, user) → the section's figures as a dict
Compute = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Section:
    part: str  # the name in /api/v1/metrics/<part>
    label: Any  # lazy translation: the section's title
    compute: Compute
    order: int = 100


@dataclass(frozen=True)
class Unavailable:
    """What a reader shows in place of a section whose computation failed."""

    part: str
    label: Any

    @property
    def message(self) -> str:
        return str(UNAVAILABLE)


_SECTIONS: dict[str, Section] = {}


def register(part: str, label: Any, compute: Compute, *, order: int = 100) -> None:
    """Called from a part's AppConfig.ready; registering a part twice keeps the later function."""
    _SECTIONS[part] = Section(part, label, compute, order)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.part))


def section(part: str) -> Section | None:
    return _SECTIONS.get(part)


def compute(part: str, region_code: str, start: dt.date, end: dt.date, *, user: Any = None
            ) -> dict[str, Any] | Unavailable | None:
    """The part's figures; None when no such part is installed; Unavailable when it failed."""
    s = _SECTIONS.get(part)
    if s is None:
        return None
    try:
        return s.compute(region_code, start, end, user=user)
    except Exception:
        if getattr(settings, "FIGURES_RAISE", settings.DEBUG):
            raise
        log.exception("figures of part %s failed for %s %s–%s", part, region_code, start, end)
        return Unavailable(part, s.label)
