"""The workflow's actions as HTML forms: which fields each action shows, how a posted form becomes
the payload of minqing.appeals.services.perform, and the Chinese message for a missing field.

The table of actions and their payload fields is appeals.workflow.ACTIONS (the same one the API
uses); this module only adds what a form needs on top: a widget per field, choices, and the few
fields a person never types (the supervising leader is the one who clicks).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.accounts.models import Post, Unit
from minqing.appeals import services
from minqing.appeals import workflow as wf
from minqing.appeals.labels import FIELD_NAMES, SATISFACTION_LABELS
from minqing.appeals.models import LEVEL_NAMES
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.jurisdiction import region_q

SATISFACTION = list(SATISFACTION_LABELS.items())  # the five 好差评 levels
# Choices in the catalogue (zh_Hans msgstr: the Chinese the forms always showed).
DECISIONS = [("solve_on_spot", pgettext_lazy("decision", "Solve on the spot (fix at once)")),
             ("assign", pgettext_lazy("decision", "Assign with a deadline (rectify in time)")),
             ("explain", pgettext_lazy("decision", "Explain the policy")),
             ("escalate", pgettext_lazy("decision", "Escalate to the level above"))]
LEVELS = [(lv.value, label) for lv, label in LEVEL_NAMES.items()]
CLOSE_REASONS = [(r.value, label) for r, label in wf.CLOSE_REASON_LABELS.items()]
OUTCOMES = [("solved", pgettext_lazy("outcome", "Solved")), ("unsolved", pgettext_lazy("outcome", "Not solved"))]
YES_NO = [("1", pgettext_lazy("choice", "Yes")), ("0", pgettext_lazy("choice", "No"))]
PASSED = [("1", pgettext_lazy("verification", "Passed")),
          ("0", pgettext_lazy("verification", "Not passed (back to handling)"))]
TOLD = [(m, m) for m in services.TOLD_METHODS]
METHODS = [("电话回访", pgettext_lazy("visit method", "Phone call")),
           ("上门回访", pgettext_lazy("visit method", "Home visit")),
           ("短信回访", pgettext_lazy("visit method", "Text message")),
           ("其他", pgettext_lazy("visit method", "Other"))]


@dataclass(frozen=True)
class Field:
    name: str
    widget: str  # text | textarea | date | number | select | files | unit | person
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    blank: bool = True  # a select offers an empty choice
    initial: str = ""


def _f(name: str, widget: str = "textarea", choices=(), **kw: Any) -> Field:
    return Field(name, widget, FIELD_NAMES.get(name, name), tuple(choices), **kw)


FIELDS: dict[str, Field] = {
    "decision": _f("decision", "select", DECISIONS, blank=False),
    "opinion": _f("opinion"),
    "what": _f("what"),
    "satisfaction": _f("satisfaction", "select", SATISFACTION),
    "cadre_rating": _f("cadre_rating", "select", SATISFACTION),
    "unit": _f("unit", "unit"),
    "person": _f("person", "person"),
    "measures": _f("measures"),
    "due": _f("due", "date"),
    "text": _f("text"),
    "reason": _f("reason"),
    "note": _f("note"),
    "cost": _f("cost", "number"),
    "fund_source": _f("fund_source", "text"),
    "evidence": _f("evidence", "text"),
    "level": _f("level", "select", LEVELS),
    "days": _f("days", "number"),
    "result": _f("result"),
    "passed": _f("passed", "select", PASSED, blank=False),
    "method": _f("method", "select", METHODS),
    "reopen": _f("reopen", "select", YES_NO, blank=False, initial="1"),
    "outcome": _f("outcome", "select", OUTCOMES, blank=False),
    "told": _f("told", "select", TOLD),
    "target": _f("target", "text"),
    "persons": _f("persons", "text"),
    "body": _f("body", "text"),
    "part": _f("part"),
    "reply": _f("reply"),
    "returned_unit": _f("returned_unit", "unit"),
    "co_units": _f("co_units", "units"),
    "files": Field("files", "files", pgettext_lazy("field", "Photos or files")),
}
# Where one action gives a field another meaning or widget.
OVERRIDES: dict[tuple[str, str], Field] = {
    ("close", "reason"): Field("reason", "select", pgettext_lazy("field", "Why closed without a visit"),
                               tuple(CLOSE_REASONS)),
}
# Fields a form never shows: the supervising leader is the person who clicks.
HIDDEN = {("supervise", "leader"), ("return", "unit"), ("co_reply", "unit")}  # 退单/协办答复: the actor's unit
# 研判 takes its decision's own fields; the form shows them all, each used by its decision.
REVIEW_FIELDS = ("decision", "opinion", "what", "satisfaction", "unit", "person", "measures", "due", "text",
                 "reason")
HELP = {
    "review": _("Record the review decision; fill in the fields the chosen decision needs."),
    "assign": _("Name the responsible unit and person, the measures and the deadline (empty: the county's rule)."),
    "escalate": _("Send the case to the next level up, which reviews it next."),
    "submit_result": _("Report the case handled; someone other than the handler verifies it."),
    "verify": _("Confirm the result; a failed check sends the case back to handling."),
    "return_visit": _("Ask the resident (five levels); 'unsatisfied' or 'very unsatisfied' sends the case back "
                      "for re-handling."),
    "close": _("Close the case; without an answered return visit, choose the reason. Say how the residents "
               "were told the outcome, if they were: only then are they marked as told."),
    "supervise": _("You become the supervising leader of this case."),
    "merge_into": _("Fold this case into another open one; its reporters move with it."),
    "request_extension": _("Petitions may be extended once, by at most 30 days."),
    "add_co_unit": _("A co-handling unit answers its own part by its own deadline (empty: the lead's); the lead "
                     "reports the case handled only when every co-unit has answered."),
    "return": _("A wrongly assigned case (or your unit's part) goes back to the level that assigned it, within "
                "the county's working days of receipt."),
    "approve_return": _("Approve the return and give the case to another unit (改派); for a co-unit's part, "
                        "name the new co-unit or leave it empty to drop the part."),
    "reject_return": _("The case stays with the unit; its deadline does not change."),
    "transfer": _("Give the case to another unit; the deadline runs on unless you set a new one."),
    "refer": _("Propose the statutory route; the level that assigned the case confirms, someone else verifies."),
    "confirm_refer": _("Confirm the referral; it is then verified by someone other than the handler and visited."),
    "request_recheck": _("Petitions: within 30 days of the answer; the level above decides within 30 days."),
    "request_reexamine": _("Petitions: within 30 days of the recheck opinion; the decision is final."),
}
ORDER = ("review", "solve_on_spot", "assign", "explain_policy", "escalate", "approve_return", "reject_return",
         "confirm_refer", "reject_refer", "co_reply", "return", "add_progress", "add_co_unit", "transfer",
         "submit_result",
         "verify", "return_visit", "return_visit_failed", "close", "request_extension", "approve_extension",
         "reject_extension", "suspend", "resume", "refer", "remind", "supervise", "flag_accountability", "merge_into",
         "unmerge", "request_recheck", "recheck", "request_reexamine", "reexamine")
# Actions of the leading kind: shown apart from the day-to-day handling ones.
SIDE_ACTIONS = frozenset({"remind", "supervise", "flag_accountability", "merge_into", "unmerge"})


def decision_fields() -> dict[str, str]:
    """研判's fields → the decisions that use them (space-separated, for the form's data-for): the form
    shows only the chosen decision's fields; the opinion belongs to every decision."""
    out: dict[str, list[str]] = {}
    for decision, _label in DECISIONS:
        spec = wf.ACTIONS[wf._REVIEW_DECISIONS[decision]]  # noqa: SLF001 — the one decision→action table
        for name in (*spec.required, *spec.optional):
            if name in REVIEW_FIELDS and name not in ("decision", "opinion"):
                out.setdefault(name, []).append(decision)
    return {name: " ".join(decisions) for name, decisions in out.items()}


def decision_required(decision: str) -> list[str]:
    """The fields a 研判 decision cannot do without (the deadline defaults to the county's rule)."""
    action = wf._REVIEW_DECISIONS.get(decision)  # noqa: SLF001
    if action is None:
        return []
    return [n for n in wf.ACTIONS[action].required if n in FIELDS and n not in ("due", "level")]


def fields_of(action: str) -> list[Field]:
    spec = wf.ACTIONS[action]
    names = REVIEW_FIELDS if action == "review" else (*spec.required, *spec.optional)
    out = [OVERRIDES.get((action, n)) or FIELDS[n] for n in names if (action, n) not in HIDDEN and n in FIELDS]
    if action == "add_progress":
        out.append(FIELDS["files"])
    return out


def required_of(action: str) -> set[str]:
    """Fields the form marks required: the workflow's, except those the service fills in itself."""
    if action == "review":
        return {"decision"}
    names = set(wf.ACTIONS[action].required) - {"leader", "level"}
    if action == "assign":
        names.discard("due")  # defaults to the county's rule
    return names


def sorted_actions(names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


# --- choices that depend on the appeal ------------------------------------------------------


# Actions whose forms pick units or people from the lists below.
NEEDS_PEOPLE = frozenset({"assign", "review", "transfer", "approve_return", "add_co_unit", "reject_return"})


def suggestion_for(appeal) -> dict[str, Any]:
    """派单目录: the suggested lead unit and co-units of the case's category and place, as form values."""
    from minqing.appeals import dispatch

    rule = dispatch.suggest(appeal.category_id, appeal.region_id)
    if rule is None:
        return {}
    co = list(rule.co_units.order_by("name"))
    return {"unit": str(rule.unit_id), "co_units": [str(u.pk) for u in co], "rule": rule, "co_names": co}


def _near(appeal, field: str) -> Q:
    """The county's own units and those of the appeal's township (and village)."""
    county = regioncode.county_of(appeal.region_id).ljust(12, "0")
    depth = regioncode.level_of(appeal.region_id)
    town = appeal.region_id[:9].ljust(12, "0") if depth >= regioncode.TOWNSHIP else None
    return Q(**{f"{field}region_id": county}) | (region_q([town], f"{field}region") if town else Q(pk__in=[]))


def _village_only(user) -> tuple[str, ...]:
    """A village cadre's own villages (empty for anyone working at township or county level): the
    people they name as 责任人 are of their place; a bureau's person is typed by name if need be."""
    if user is None:
        return ()
    scope = jurisdiction.scope_of(user)
    codes = scope.figure_codes
    if scope.is_superuser or not codes or any(regioncode.level_of(c) < regioncode.VILLAGE for c in codes):
        return ()
    return codes


def units_for(appeal, user=None) -> list[Unit]:
    """Units that may be given the case: the county's departments, its township's offices and
    stations, its own village's committees (not the other villages' — a list thousands long).
    A village cadre gives a case to their own village's committees or the township's offices and
    stations; the county's bureaus are the township's to call in (上报) — save the units the
    dispatch catalogue names for the case, which the form offers (pre-selected) to everyone."""
    village_ok = Q(region_id=appeal.region_id) | ~Q(kind__in=("village_committee", "mediation_committee"))
    near = _near(appeal, "")
    if own := _village_only(user):
        town = appeal.region_id[:9].ljust(12, "0")
        near = Q(region_id=town) | region_q(own, "region")
        if rule := suggestion_for(appeal):
            near |= Q(pk__in=[int(rule["unit"]), *(int(u) for u in rule["co_units"])])
    return list(Unit.objects.filter(near, village_ok, is_active=True)
                .order_by("kind", "region_id", "name")[:300])


def people_for(appeal, user=None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Named persons, grouped by unit: staff of the county's own departments, of the appeal's
    township and of its village — not every township's and village's (that list would be thousands
    long on a cheap phone); for a village cadre, the people of their own village only."""
    near = _near(appeal, "unit__")
    village_ok = Q(unit__region_id=appeal.region_id) | ~Q(unit__kind="village_committee")
    posts = Post.objects.filter(near, village_ok, ended_on__isnull=True, user__is_active=True)
    if own := _village_only(user):
        posts = posts.filter(region_q(own, "unit__region"))
    posts = posts.select_related("user", "unit").order_by("unit__kind", "unit__name", "user__display_name")
    groups: dict[str, list[tuple[int, str]]] = {}
    for p in posts[:400]:
        groups.setdefault(p.unit.name, []).append((p.user_id, f"{p.user}（{p.get_role_display()}）"))
    return list(groups.items())


# --- posted form → payload -------------------------------------------------------------------

_SPLIT = re.compile(r"[,，、;；\s]+")


def payload_from(action: str, post, files) -> dict[str, Any]:
    """The payload perform() takes; empty fields are left out so the service's defaults apply."""
    data: dict[str, Any] = {}
    for f in fields_of(action):
        if f.widget == "files":
            uploads = files.getlist("files") if files else []
            if uploads:
                data["files"] = uploads
            continue
        raw = "" if f.widget == "units" else (post.get(f.name) or "").strip()
        if f.widget == "units":
            picked = [int(v) for v in post.getlist(f.name) if str(v).isdigit()]
            if picked:
                data[f.name] = picked
            continue
        if f.name == "person" and not raw:
            raw = (post.get("person_name") or "").strip()
        if not raw:
            continue
        if f.name in ("passed", "reopen"):
            data[f.name] = raw == "1"
        elif f.name == "persons":
            data[f.name] = [p for p in _SPLIT.split(raw) if p]
        else:
            data[f.name] = raw
    return data


def check_required(action: str, data: dict[str, Any]) -> None:
    """The Chinese message for missing fields, named as the form names them (perform() would name
    the Python parameters)."""
    fn = services.ACTION_FUNCTIONS[action]
    params = inspect.signature(fn).parameters
    needed = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
              and p.default is inspect.Parameter.empty and n not in ("actor",)]
    missing = [n for n in needed if n not in data]
    if action == "review" and data.get("decision"):  # the chosen decision's own fields, by their label
        for name in decision_required(data["decision"]):
            if name not in data:
                f = FIELDS[name]  # the message is Chinese (the workflow's label), whatever the page's language
                verb = "请选择" if f.widget in ("select", "unit", "person") else "请填写"
                raise ValidationError(f"{verb}{wf.FIELD_LABELS.get(name, name)}")
    if missing:
        label = wf.ACTIONS[action].label
        raise ValidationError(f"{label}缺少必填项：{'、'.join(wf.FIELD_LABELS.get(n, n) for n in missing)}")
