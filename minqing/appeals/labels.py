"""The appeals part's codes in the action registry (minqing.audit.actions): its events (an event
``assign`` is the audit code ``appeal.assign``), the other audit codes it writes, and the codes inside
its events' payloads (accountability flags, the reason a case closed without a visit, how the return
visit was made …). The timeline, the portal's progress, the API and the audit trail read their labels
from the registry, so no raw code reaches a page. ``register()`` runs in AppealsConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit import actions

from . import workflow as wf
from .models import PhotoPhase

PREFIX = "appeal."
# The pages' names of the workflow's actions and payload fields: workflow.py keeps its Chinese labels
# for its own messages (as states.py does for the statuses); these are the same words through the
# catalogue (zh_Hans msgstr = the workflow's label, tests/test_i18n.py checks), so an English page
# shows English buttons and field labels. The action registry registers these names.
ACTION_NAMES: Mapping[str, Any] = {
    "register": pgettext_lazy("action", "Register"), "review": pgettext_lazy("action", "Review"),
    "solve_on_spot": pgettext_lazy("action", "Solve on the spot"),
    "assign": pgettext_lazy("action", "Assign with a deadline"),
    "explain_policy": pgettext_lazy("action", "Explain the policy"), "escalate": pgettext_lazy("action", "Escalate"),
    "add_progress": pgettext_lazy("action", "Progress"), "remind": pgettext_lazy("action", "Remind"),
    "supervise": pgettext_lazy("action", "Supervise as leader"),
    "request_extension": pgettext_lazy("action", "Request an extension"),
    "approve_extension": pgettext_lazy("action", "Approve the extension"),
    "reject_extension": pgettext_lazy("action", "Reject the extension"),
    "suspend": pgettext_lazy("action", "Suspend handling"),
    "refer": pgettext_lazy("action", "Refer to the statutory channel"),
    "confirm_refer": pgettext_lazy("action", "Confirm the referral"),
    "reject_refer": pgettext_lazy("action", "Reject the referral"),
    "add_co_unit": pgettext_lazy("action", "Add a co-handling unit"),
    "co_reply": pgettext_lazy("action", "Co-handling reply"), "return": pgettext_lazy("action", "Return the case"),
    "approve_return": pgettext_lazy("action", "Approve the return (reassign)"),
    "reject_return": pgettext_lazy("action", "Reject the return"), "transfer": pgettext_lazy("action", "Transfer"),
    "request_recheck": pgettext_lazy("action", "Request a recheck"),
    "recheck": pgettext_lazy("action", "Recheck opinion"),
    "request_reexamine": pgettext_lazy("action", "Request a re-examination"),
    "reexamine": pgettext_lazy("action", "Re-examination opinion"),
    "resume": pgettext_lazy("action", "Resume handling"), "submit_result": pgettext_lazy("action", "Report handled"),
    "verify": pgettext_lazy("action", "Verify"), "return_visit": pgettext_lazy("action", "Return visit"),
    "return_visit_failed": pgettext_lazy("action", "Return visit: not reached"),
    "close": pgettext_lazy("action", "Close"), "merge_into": pgettext_lazy("action", "Merge"),
    "unmerge": pgettext_lazy("action", "Undo the merge"), "reopen": pgettext_lazy("action", "Reopen"),
    "flag_accountability": pgettext_lazy("action", "Hold accountable"),
}
FIELD_NAMES: Mapping[str, Any] = {
    "kind": pgettext_lazy("field", "Kind"), "level": pgettext_lazy("field", "Level"),
    "channel": pgettext_lazy("field", "Channel"), "text": pgettext_lazy("field", "Content"),
    "anonymous": pgettext_lazy("field", "Anonymous"), "category": pgettext_lazy("field", "Category"),
    "urgency": pgettext_lazy("field", "Urgency"), "decision": pgettext_lazy("field", "Review decision"),
    "opinion": pgettext_lazy("field", "Review opinion"), "what": pgettext_lazy("field", "What was done on the spot"),
    "satisfaction": pgettext_lazy("field", "Satisfaction"), "unit": pgettext_lazy("field", "Handling unit"),
    "person": pgettext_lazy("field", "Responsible person"), "measures": pgettext_lazy("field", "Measures"),
    "due": pgettext_lazy("field", "Deadline"), "reason": pgettext_lazy("field", "Reason"),
    "note": pgettext_lazy("field", "Note"), "cost": pgettext_lazy("field", "Cost"),
    "fund_source": pgettext_lazy("field", "Source of funds"), "evidence": pgettext_lazy("field", "Evidence"),
    "leader": pgettext_lazy("field", "Supervising leader"), "days": pgettext_lazy("field", "Days of extension"),
    "result": pgettext_lazy("field", "Result"), "passed": pgettext_lazy("field", "Verification"),
    "method": pgettext_lazy("field", "Visit method"),
    "cadre_rating": pgettext_lazy("field", "Rating of the cadre who served them"),
    "reopen": pgettext_lazy("field", "Handle again"),
    "outcome": pgettext_lazy("field", "Outcome"), "target": pgettext_lazy("field", "Merge into case"),
    "persons": pgettext_lazy("field", "Persons responsible"), "told": pgettext_lazy("field", "How residents were told"),
    "body": pgettext_lazy("field", "Statutory channel (receiving body)"),
    "part": pgettext_lazy("field", "Co-handled part"), "reply": pgettext_lazy("field", "Co-handling reply"),
    "returned_unit": pgettext_lazy("field", "Returning unit"), "co_units": pgettext_lazy("field", "Co-handling units"),
}
# events that are no workflow action (written by merges, the deadline sweep, categorisation)
EVENT_LABELS: Mapping[str, Any] = {
    "merge_received": _("Case merged in"), "overdue": _("Overdue"), "warning": _("Warning"),
    "reclassified": _("Kind corrected"), "category_changed": _("Category set"),
    "category_suggested": _("Category suggested"), "report_added": _("Another resident reported it"),
    "repeat_found": _("Repeat of an earlier case"), "repeat_received": _("Repeated by a new case"),
    "repeat_decided": _("Repeat decided"),
}
# audit codes of appeals that are no event on the timeline (staff and the auditor read them)
AUDIT_LABELS: Mapping[str, Any] = {
    "import": _("Cases imported from a ledger"), "attachment_added": _("Attachment added"),
    "phone_revealed": _("Reporter's phone shown in clear"), "told": _("Residents told the result"),
    "deadline_recomputed": _("Deadline recomputed"),
}
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
OUTCOME_LABELS: Mapping[str, Any] = {"solved": _("solved"), "unsolved": _("not solved")}
DECISION_LABELS: Mapping[str, Any] = {
    "solve_on_spot": _("solve on the spot"), "assign": _("assign with a deadline"), "explain": _("explain policy"),
    "escalate": _("escalate"),
}
# payload key → its codes' labels (a value that is no code, e.g. a typed reason, shows as it is)
VALUE_LABELS: Mapping[str, Mapping[str, Any]] = {
    "flags": FLAG_LABELS, "reason": CLOSE_REASON_LABELS, "method": VISIT_METHOD_LABELS,
    "satisfaction": SATISFACTION_LABELS, "cadre_rating": SATISFACTION_LABELS,
    "level": {lv.value: label for lv, label in wf.LEVEL_LABELS.items()},
    "kind": {k.value: label for k, label in wf.KIND_LABELS.items()},
    "status": {s.value: label for s, label in wf.STATUS_LABELS.items()},
    "outcome": OUTCOME_LABELS, "decision": DECISION_LABELS,
}


class CategoryNames(Mapping[str, str]):
    """A category's code (T01, 城乡建设) in an event's details read as the county's own name for it,
    looked up when a page shows the detail: the tree is the county's, edited after the event."""

    def __getitem__(self, code: str) -> str:
        from .models import Category

        name = Category.objects.filter(code=code).values_list("name", flat=True).first()
        if name is None:
            raise KeyError(code)
        return name

    def __iter__(self):
        from .models import Category

        return iter(Category.objects.values_list("code", flat=True))

    def __len__(self) -> int:
        from .models import Category

        return Category.objects.count()


def register() -> None:
    actions.register("appeals", {PREFIX + name: ACTION_NAMES.get(name, spec.label)
                                 for name, spec in wf.ACTIONS.items()})
    actions.register("appeals", {PREFIX + code: label for code, label in EVENT_LABELS.items()})
    actions.register("appeals", {PREFIX + code: label for code, label in AUDIT_LABELS.items()})
    # minqing.ledgers is no app (plain functions over the appeals models): its one code is registered here
    actions.register("ledgers", {"ledger.import": _("Ledger imported")})
    actions.register("dispatch", {  # the dispatch catalogue's set-up (appeals/dispatch.py)
        "dispatch.rule_saved": _("Dispatch catalogue entry saved"),
        "dispatch.rule_retired": _("Dispatch catalogue entry retired"),
        "dispatch.return_days": _("Days allowed for a return set"),
    })
    for key, table in VALUE_LABELS.items():
        actions.register_values(key, table)
    for key in ("category", "chosen", "suggested"):  # 类别: T01 → 城乡建设
        actions.register_lookup(key, CategoryNames())
    actions.register_values("bool", {"true": _("yes"), "false": _("no")})
    actions.register_values("phase", dict(PhotoPhase.choices))  # 整改前/整改后 on an attachment
    actions.register_values("passed", {"true": _("passed"), "false": _("not passed")})
    actions.register_keys({**wf.FIELD_LABELS, **FIELD_NAMES, "source": _("from case"),
                           "flags": _("accountability flags"),
                           "confidence": _("confidence"), "model": _("model"), "was_suggested": _("was suggested"),
                           "report": _("report"), "reports": _("reports"), "attachment": _("attachment"),
                           "phase": _("phase"), "photos": _("photos"),
                           "name": _("name"), "size": _("size"), "sha256": _("checksum"), "batch": _("batch"),
                           "sensitivity": _("sensitivity"), "to_status": _("new status"),
                           # a visit that found a case (fieldwork): both ids, named
                           "appeal": pgettext_lazy("detail", "appeal"), "visit": pgettext_lazy("detail", "visit"),
                           "appeals": _("Appeals")})


def action_label(action: str) -> str:
    """The Chinese name of an event's action, for timelines and the API."""
    return actions.label(PREFIX + action)


def value_label(key: str, value: Any) -> str:
    """The label of one payload value (lists joined with 、)."""
    return actions.value_label(key, value)


def codes() -> Iterable[tuple[str, str]]:
    """Every (key, code) with a label: what the pages must never show raw."""
    return actions.value_codes()
