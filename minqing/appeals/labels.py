"""Chinese labels of the codes an appeal's events carry in their payload (accountability flags, the
reason a case closed without a visit, how the return visit was made …), in one place: the timeline,
the portal's progress and the API read them, so no raw code reaches a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from . import workflow as wf

# events that are no workflow action (written by merges and the deadline sweep)
EVENT_LABELS: Mapping[str, Any] = {"merge_received": _("Case merged in"), "overdue": _("Overdue"),
                                   "warning": _("Warning"), "reclassified": _("Kind corrected")}
FLAG_LABELS: Mapping[str, Any] = {
    "unsolved": _("closed unsolved"), "unsatisfied": _("resident unsatisfied"), "overdue": _("closed late"),
}
CLOSE_REASON_LABELS: Mapping[str, Any] = {r.value: label for r, label in wf.CLOSE_REASON_LABELS.items()}
VISIT_METHOD_LABELS: Mapping[str, Any] = {
    "portal": _("resident's rating on the portal"), "phone": _("phone call"), "visit": _("home visit"),
    "sms": _("text message"), "sms_link": _("resident's rating from the text message link"),
}
SATISFACTION_LABELS: Mapping[str, Any] = {
    wf.Satisfaction.VERY_SATISFIED.value: _("very satisfied"),
    wf.Satisfaction.SATISFIED.value: _("satisfied"),
    wf.Satisfaction.BASICALLY_SATISFIED.value: _("basically satisfied"),
    wf.Satisfaction.UNSATISFIED.value: _("unsatisfied"),
    wf.Satisfaction.VERY_UNSATISFIED.value: _("very unsatisfied"),
}
# payload key → its codes' labels (a value that is no code, e.g. a typed reason, shows as it is)
VALUE_LABELS: Mapping[str, Mapping[str, Any]] = {
    "flags": FLAG_LABELS, "reason": CLOSE_REASON_LABELS, "method": VISIT_METHOD_LABELS,
    "satisfaction": SATISFACTION_LABELS, "level": {lv.value: label for lv, label in wf.LEVEL_LABELS.items()},
}


def action_label(action: str) -> str:
    """The Chinese name of an event's action, for timelines and the API."""
    spec = wf.ACTIONS.get(action)
    return spec.label if spec else str(EVENT_LABELS.get(action, action))


def value_label(key: str, value: Any) -> str:
    """The label of one payload value (lists joined with 、)."""
    if isinstance(value, list | tuple):
        return "、".join(value_label(key, v) for v in value)
    return str(VALUE_LABELS.get(key, {}).get(str(value), value))


def codes() -> Iterable[tuple[str, str]]:
    """Every (key, code) with a label: what the pages must never show raw."""
    for key, table in VALUE_LABELS.items():
        for code in table:
            yield key, code
