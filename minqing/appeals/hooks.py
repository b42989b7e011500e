"""What the parts above appeals do when an appeal changes, without appeals importing them.

Appeals is a low part: disputes, nlp, checklists, enterprises and dashboards import it, never the
other way round. A higher part that must follow appeals (the dispute that mirrors a 矛盾纠纷 case,
the search index, the category model) registers a callback here in its AppConfig.ready(); every
appeal service calls ``changed()`` once per change, inside its own transaction, after the rows and
the audit event are written. A callback that writes does so through its own part's services (with
its own audit event), so it commits or rolls back with the appeal; work that must wait for the
commit (the search index) is scheduled with ``transaction.on_commit`` by the callback itself.

``suggester`` is the one optional provider appeals asks for: a category suggestion at registration
(the nlp part's model), returning ``(category code, confidence, model name)`` or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

REGISTERED = "register"  # a new appeal (the workflow's own action names follow for the others)
REPORT_ADDED = "report_added"  # 附议: one more reporter
MERGE_RECEIVED = "merge_received"  # another case's reporters moved here
CATEGORY_CHANGED = "category_changed"  # a person set or corrected the category
CATEGORY_SUGGESTED = "category_suggested"  # the model's confident suggestion was applied
WARNING_YELLOW = "warning_yellow"  # the sweep turned the light yellow (red is the "overdue" event)


@dataclass(frozen=True)
class Change:
    """One change of one appeal, as the callbacks see it (the rows are already saved)."""

    appeal: Any  # appeals.models.Appeal, as saved
    action: str  # a workflow action name or one of the constants above
    actor: Any  # the user, or None for a system job
    at: dt.datetime
    created: bool = False
    event: Any = None  # the AppealEvent written, when there is one
    report: Any = None  # the Report added (registration, 附议)
    progress: Any = None  # the Progress added (办理进展)
    before: dict[str, Any] = field(default_factory=dict)  # what changed from, e.g. {"category": id}


Callback = Callable[[Change], None]
Suggester = Callable[[str, str, str], "tuple[str, float, str] | None"]

_callbacks: dict[str, Callback] = {}
_suggesters: dict[str, Suggester] = {}


def on_change(name: str, callback: Callback) -> None:
    """Register (or replace, by name: ready() may run twice in tests) a callback for every change."""
    _callbacks[name] = callback


def set_suggester(name: str, suggester: Suggester) -> None:
    """Register the category suggester: (title, text, region code) → (code, confidence, model) or None."""
    _suggesters[name] = suggester


def changed(change: Change) -> None:
    """Run every callback, in registration order, inside the caller's transaction. An exception
    propagates: the appeal's change rolls back with it instead of leaving a part behind."""
    for callback in list(_callbacks.values()):
        callback(change)


def suggest_category(title: str, text: str, region_code: str) -> tuple[str, float, str] | None:
    """The first registered suggester's answer (None when no part offers one or it has no model)."""
    for suggester in list(_suggesters.values()):
        answer = suggester(title, text, region_code)
        if answer is not None:
            return answer
    return None
