"""The appeal workbench: the list with filters and saved views, the detail with its timeline and one
form per available action, registration, merging, reporters' phones and attachments.

Thin by design: every read starts from minqing.appeals.queries (the jurisdiction filter; outside it
an appeal does not exist → 404), every change goes through minqing.appeals.services, whose
ValidationError messages are Chinese and shown next to the form that caused them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.accounts.models import Unit, User
from minqing.appeals import access, labels, queries, repeats, services
from minqing.appeals import workflow as wf
from minqing.appeals.models import (
    KIND_NAMES,
    LEVEL_NAMES,
    STATUS_NAMES,
    Appeal,
    Attachment,
    Category,
    PhotoPhase,
    Report,
)
from minqing.audit import actions
from minqing.households import crypto
from minqing.households.models import Household
from minqing.regions import jurisdiction
from minqing.regions.models import Region
from minqing.web import actionforms, integrations
from minqing.web.forms import AppealForm
from minqing.web.models import SavedView
from minqing.web.views import appeal_bulk, appeal_pages, appeal_repeats
from minqing.web.views.households import hide_sensitive_query

log = logging.getLogger(__name__)

PAGE_SIZE = 25
FILTER_KEYS = ("q", "group", "status", "kind", "category", "unit", "region", "overdue", "warning", "from", "to",
               "mine", "supervised", "repeat", "s")
GROUP_LABELS = {"open": gettext_lazy("In progress"), "paused": gettext_lazy("Suspended"),
                "solved": gettext_lazy("Solved"), "closed_unsolved": gettext_lazy("Closed, not solved"),
                "merged": gettext_lazy("Merged")}
WARNING_LABELS = {"red": gettext_lazy("Red (overdue)"), "yellow": gettext_lazy("Yellow (deadline near)")}
SATISFACTION_LABELS = dict(actionforms.SATISFACTION)


def _message(exc: Exception) -> str:
    msgs = getattr(exc, "messages", None)
    return "；".join(str(m) for m in msgs) if msgs else (str(exc) or _("This is not allowed."))


# --- the list --------------------------------------------------------------------------------


def _filters(request) -> dict[str, str]:
    out = {k: (request.GET.get(k) or "").strip() for k in FILTER_KEYS}
    if out["s"] and not out["q"]:  # a whole phone or ID number: kept in the session, never in the URL
        out["q"] = request.session.get("searches", {}).get(out["s"], "")
    return out


def _date(value: str, errors: list[str], label: str) -> dt.date | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:  # well-formed but impossible (2025-13-45)
        day = None
    if day is None:
        errors.append(_("%(label)s “%(value)s” is not a valid date") % {"label": label, "value": value})
    return day


def filtered(user, f: dict[str, str], errors: list[str]):
    """The visible appeals under the list's filters (bad values are reported and ignored)."""
    kwargs: dict[str, Any] = {
        "group": f["group"] or None, "status": f["status"] or None, "kind": f["kind"] or None,
        "q": f["q"] or None, "date_from": _date(f["from"], errors, _("Start date")),
        "date_to": _date(f["to"], errors, _("End date")),
        "category": int(f["category"]) if f["category"].isdigit() else None,
        "unit": int(f["unit"]) if f["unit"].isdigit() else None,
        "overdue": {"1": True, "0": False}.get(f["overdue"]),
    }
    try:
        qs = queries.appeals_for(user, region=f["region"] or None, **kwargs)
    except ValidationError as exc:
        errors.append(_message(exc))
        qs = queries.appeals_for(user, **kwargs)
    if not f["group"] and not f["status"]:  # merged duplicates live on in their target; shown on request
        qs = qs.exclude(group=wf.Group.MERGED.value)
    if f["warning"] in WARNING_LABELS:
        qs = qs.filter(warning=f["warning"])
    if f["mine"] == "1":
        qs = qs.filter(handler=user)
    if f["supervised"] == "1":
        qs = qs.filter(supervised_by__isnull=False)
    if f["repeat"] == "1":  # 重复件 (the dashboard's 重复诉求率 numerator)
        qs = qs.filter(repeat_links__decision__in=repeats.COUNTED).distinct()
    return qs


def _filter_choices(user) -> dict[str, Any]:
    scope = jurisdiction.scope_of(user)
    regions = jurisdiction.visible(user, Region).filter(level__gte=4).order_by("code")
    if not scope.is_superuser:  # one's own subtree, not the ancestors visible for naming
        regions = regions.filter(jurisdiction.region_q(scope.figure_codes, "code"))
    return {
        "groups": list(GROUP_LABELS.items()),
        "kinds": [(k.value, label) for k, label in KIND_NAMES.items()],
        "statuses": [(s.value, label) for s, label in STATUS_NAMES.items()],
        "categories": list(Category.objects.filter(is_active=True, level=1).order_by("scheme", "code")),
        "units": list(Unit.objects.filter(appeals__isnull=False, is_active=True).distinct().order_by("name")[:300]),
        "regions": list(regions[:800]),
        "warnings": list(WARNING_LABELS.items()),
    }


def _query_string(f: dict[str, str], **extra: Any) -> str:
    keep = {k: v for k, v in f.items() if v and k != "q" or (k == "q" and v and not f.get("s"))}
    keep.update({k: v for k, v in extra.items() if v})
    return urlencode(keep)


@login_required
def appeal_list(request):
    hidden = hide_sensitive_query(request)
    if hidden:
        if getattr(request, "htmx", False):  # a whole page load, so the number never enters the history
            response = HttpResponse(status=204)
            response["HX-Redirect"] = hidden["Location"]
            return response
        return hidden
    errors: list[str] = []
    f = _filters(request)
    qs = filtered(request.user, f, errors)
    now = timezone.now()
    context = {
        **appeal_pages.paged(request, qs, PAGE_SIZE), "f": f, "errors": errors, "now": now, "qs": _query_string(f),
        "saved_views": SavedView.objects.filter(user=request.user),
        "group_labels": GROUP_LABELS,
        "active": sum(1 for k, v in f.items() if v and k not in ("s",)),
        "bulk": appeal_bulk.may_bulk(request.user),  # tick boxes for the bulk actions (批量操作)
    }
    if getattr(request, "htmx", False) and request.htmx.target == "appeal-results":
        return render(request, "web/appeals/_results.html", context)
    context.update(_filter_choices(request.user))
    context.update(appeal_bulk.choices_for(request.user))  # the bulk form (批量操作) under the filters
    return render(request, "web/appeals/list.html", context)


@login_required
@require_POST
def saved_view_save(request):
    name = (request.POST.get("name") or "").strip()[:40]
    params = QueryDict((request.POST.get("query") or "").strip().lstrip("?"), mutable=True)
    for key in ("s", "page"):  # a session's search key means nothing later; a view starts on page 1
        params.pop(key, None)
    query = params.urlencode()[:1000]
    if not name:
        messages.error(request, _("Please name the view"))
    else:
        try:
            SavedView.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
            messages.success(request, _("View “%(name)s” saved") % {"name": name})
        except IntegrityError:
            messages.error(request, _("Could not save; please try again"))
    return redirect(f"{reverse('web:appeals')}?{query}")


@login_required
@require_POST
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)  # another person's view does not exist
    view.delete()
    messages.success(request, _("View “%(name)s” deleted") % {"name": view.name})
    return redirect("web:appeals")


# --- the detail ------------------------------------------------------------------------------


UNIT_KEYS = ("unit", "returned_unit", "co_units")  # payload keys holding unit ids (co_units: a list)


def _ids(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v).isdigit()]


def _names(events) -> tuple[dict[str, str], dict[str, str]]:
    unit_ids, user_ids = set(), set()
    for e in events:
        p = e.payload or {}
        for key in UNIT_KEYS:
            unit_ids.update(int(i) for i in _ids(p.get(key)))
        for key in ("person", "leader"):
            if str(p.get(key, "")).isdigit():
                user_ids.add(int(p[key]))
    units = {str(u.pk): u.name for u in Unit.objects.filter(pk__in=unit_ids)}
    users = {str(u.pk): str(u) for u in User.objects.filter(pk__in=user_ids)}
    return units, users


SKIP_KEYS = {"flags", "reports", "level", "kind", "channel", "anonymous", "urgency", "category", "earlier_closed"}


def _event_details(e, units: dict[str, str], users: dict[str, str]) -> list[tuple[str, str]]:
    """The payload of an event as label: value lines, through the action registry (ids become names
    first; the reason shows once; the flags show apart)."""
    payload = dict(e.payload or {})
    for key in UNIT_KEYS:
        value = payload.get(key)
        if isinstance(value, list):
            payload[key] = [units.get(str(v), v) for v in value]
        elif value is not None:
            payload[key] = units.get(str(value), value)
    for key in ("person", "leader"):
        if key in payload:
            payload[key] = users.get(str(payload[key]), payload[key])
    return actions.details(payload, skip=SKIP_KEYS)


def _timeline(appeal: Appeal) -> list[dict[str, Any]]:
    events = queries.timeline(appeal)
    units, users = _names(events)
    out = []
    for e in events:
        out.append({
            "event": e, "label": labels.action_label(e.action),
            "actor": str(e.actor) if e.actor_id else _("system"),
            "to_label": STATUS_NAMES.get(wf.Status(e.to_status), e.to_status) if e.to_status in
            wf.Status._value2member_map_ else e.to_status,
            "details": _event_details(e, units, users),
            "flags": [labels.value_label("flags", f) for f in (e.payload or {}).get("flags") or []],
        })
    return out


def _action_forms(available: list[str], appeal: Appeal, errors: dict[str, str],
                  values: dict[str, dict], user=None) -> list[dict[str, Any]]:
    names = actionforms.sorted_actions(available)
    needs_people = any(n in actionforms.NEEDS_PEOPLE for n in names)
    units = actionforms.units_for(appeal, user) if needs_people else []
    people = actionforms.people_for(appeal, user) if needs_people else []
    suggested = actionforms.suggestion_for(appeal) if any(n in ("assign", "review") for n in names) else {}
    forms = []
    for name in names:
        spec = wf.ACTIONS[name]
        value = values.get(name)
        if value is None and suggested and name in ("assign", "review"):  # pre-filled from 派单目录
            value = {"unit": suggested["unit"], "co_units": suggested["co_units"]}
        forms.append({
            "name": name, "label": labels.ACTION_NAMES.get(name, spec.label), "fields": actionforms.fields_of(name),
            "required": actionforms.required_of(name), "help": actionforms.HELP.get(name, ""),
            "error": errors.get(name), "values": value or {}, "side": name in actionforms.SIDE_ACTIONS,
            "units": units, "people": people,
            "suggestion": suggested if name in ("assign", "review") else None,
            "shows_for": actionforms.decision_fields() if name == "review" else {},
        })
    return forms


def _revealed_phone(request, appeal: Appeal) -> dict | None:
    """The reporter's phone revealed (and logged) by report_reveal just before, decrypted again."""
    mark = request.session.pop("revealed_report", None)
    if not mark or mark.get("appeal") != appeal.pk or not jurisdiction.can_reveal(request.user, appeal):
        return None
    report = queries.reports_of(request.user, appeal).filter(pk=mark.get("report")).first()
    return {"report": report.pk, "value": crypto.decrypt(report.phone_enc)} if report else None


def _detail_context(request, appeal: Appeal, *, errors: dict[str, str] | None = None,
                    values: dict[str, dict] | None = None) -> dict[str, Any]:
    user = request.user
    revealed = _revealed_phone(request, appeal)
    state = services.state_from_json(appeal.state)
    now = timezone.now()
    attachments = list(appeal.attachments.alive().select_related("uploaded_by").order_by("uploaded_at", "id"))
    progress = list(appeal.progress_notes.select_related("by").order_by("at", "id"))
    by_progress: dict[int, list[Attachment]] = {}
    for att in attachments:
        if att.progress_id:
            by_progress.setdefault(att.progress_id, []).append(att)
    for note in progress:
        note.files = by_progress.get(note.pk, [])
    available = queries.available_for(user, appeal)
    forms = _action_forms(available, appeal, errors or {}, values or {}, user)
    reports = list(queries.reports_of(user, appeal))
    # A household outside the user's places is named, not linked (its page would answer 404).
    household_ids = {h for h in [appeal.household_id, *(r.household_id for r in reports)] if h}
    visible_households = set(jurisdiction.visible(user, Household).filter(pk__in=household_ids)
                             .values_list("pk", flat=True)) if household_ids else set()
    return {
        "appeal": appeal, "state": state, "now": now,
        "status_label": STATUS_NAMES.get(wf.Status(appeal.status), appeal.status),
        "kind_label": KIND_NAMES.get(wf.Kind(appeal.kind), appeal.kind),
        "level_label": LEVEL_NAMES.get(wf.Level(appeal.level), appeal.level),
        "overdue": appeal.group == wf.Group.OPEN and appeal.due_at is not None and appeal.due_at < now,
        "timeline": _timeline(appeal),
        "reports": reports,
        "visible_households": visible_households,
        "can_reveal": jurisdiction.can_reveal(user, appeal),
        "revealed": revealed,
        "progress": progress,
        "return_visits": list(appeal.return_visits.select_related("by").order_by("at", "id")),
        "attachments": attachments,
        "loose_attachments": [a for a in attachments if not a.progress_id],
        "satisfaction_labels": SATISFACTION_LABELS,
        "actions": forms,
        # An action refused because it does not apply at this stage has no form to show its error by.
        "stray_errors": [(labels.ACTION_NAMES.get(n, wf.ACTIONS[n].label), m) for n, m in (errors or {}).items()
                         if n not in {f["name"] for f in forms}],
        "may_upload": "add_progress" in available,
        "photo_phases": PhotoPhase.choices,
        "co_units": list(appeal.co_units.filter(active=True).select_related("unit").order_by("since", "id")),
        "merged_appeals": queries.merged_into(user, appeal),
        "similar": integrations.similar_open(user, appeal),
        "repeats": appeal_repeats.context_for(user, appeal),  # 重复件, both ways
        "may_merge": "merge_into" in available,
        "categories": _categories() if _may_recategorise(user, appeal) else [],
        "close_reason_label": wf.CLOSE_REASON_LABELS.get(state.close_reason) if state and state.close_reason
        else "",
    }


def _may_recategorise(user, appeal: Appeal) -> bool:
    return access.may_act(jurisdiction.scope_of(user), appeal, "add_progress")


def _categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True, level=1).order_by("scheme", "code"))


@login_required
@require_POST
def appeal_category(request, pk: int):
    """Set or correct the category (a correction of the model's suggestion goes back to it as feedback)."""
    appeal = queries.appeal_detail(request.user, pk)
    try:
        services.change_category(appeal, actor=request.user, category=request.POST.get("category", ""),
                                 reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Category saved"))
    return redirect("web:appeal", pk=pk)


@login_required
def appeal_detail(request, pk: int):
    appeal = queries.appeal_detail(request.user, pk)
    return render(request, "web/appeals/detail.html", _detail_context(request, appeal))


def _render_detail(request, appeal: Appeal, *, status: int = 200, **kw: Any) -> HttpResponse:
    context = _detail_context(request, appeal, **kw)
    if getattr(request, "htmx", False):
        return render(request, "web/appeals/_detail.html", context, status=200)
    return render(request, "web/appeals/detail.html", context, status=status)


@login_required
@require_POST
def appeal_action(request, pk: int, action: str):
    appeal = queries.appeal_detail(request.user, pk)
    if action not in wf.ACTIONS or action == "register":
        raise Http404
    data = actionforms.payload_from(action, request.POST, request.FILES)
    try:
        actionforms.check_required(action, data)
        services.perform(appeal, action, actor=request.user, payload=data)
    except (ValidationError, PermissionDenied) as exc:
        values = {action: {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}}
        fresh = queries.appeal_detail(request.user, pk)
        return _render_detail(request, fresh, status=422, errors={action: _message(exc)}, values=values)
    done = labels.ACTION_NAMES.get(action, wf.ACTIONS[action].label)
    messages.success(request, _("Done: %(action)s") % {"action": done})
    if action == "merge_into":
        appeal.refresh_from_db()
        if appeal.merged_into_id and jurisdiction.visible(request.user, Appeal).filter(
                pk=appeal.merged_into_id).exists():
            return _redirect(request, reverse("web:appeal", args=[appeal.merged_into_id]))
    if getattr(request, "htmx", False):
        return _render_detail(request, queries.appeal_detail(request.user, pk))
    return redirect("web:appeal", pk=pk)


def _redirect(request, url: str) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_POST
def report_reveal(request, pk: int, report_pk: int):
    appeal = queries.appeal_detail(request.user, pk)
    report = jurisdiction.get_visible_or_404(request.user, Report.objects.filter(appeal=appeal), pk=report_pk)
    try:
        services.reveal_phone(report, actor=request.user, reason=request.POST.get("reason", ""),
                                      ip=request.META.get("REMOTE_ADDR"))
    except PermissionDenied as exc:
        messages.error(request, _message(exc))
        return redirect("web:appeal", pk=pk)
    # Shown once, on the next page, never in a URL, and never stored (the page decrypts it again).
    request.session["revealed_report"] = {"appeal": appeal.pk, "report": report.pk}
    return redirect("web:appeal", pk=pk)


# --- attachments -----------------------------------------------------------------------------

INLINE_TYPES = {"image/jpeg", "image/png", "application/pdf"}


@login_required
def attachment(request, pk: int, att_pk: int):
    """A file of a case, only through its case: outside one's jurisdiction it does not exist (there
    is no public media URL)."""
    appeal = queries.appeal_detail(request.user, pk)
    att = get_object_or_404(Attachment.objects.alive(), pk=att_pk, appeal=appeal)
    inline = att.content_type in INLINE_TYPES
    try:
        handle = att.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, lost volume)
        raise Http404 from exc
    response = FileResponse(handle, content_type=att.content_type, as_attachment=not inline, filename=att.name)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


@login_required
@require_POST
def attachment_upload(request, pk: int):
    appeal = queries.appeal_detail(request.user, pk)
    uploads = request.FILES.getlist("file")
    if not uploads:
        messages.error(request, _("Please choose a file to upload"))
    phase = request.POST.get("phase", "")
    for upload in uploads:
        try:
            services.add_attachment(appeal, actor=request.user, upload=upload, phase=phase)
            messages.success(request, _("Uploaded “%(name)s”") % {"name": upload.name})
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _message(exc))
    return redirect(f"{reverse('web:appeal', args=[pk])}#attachments")


# --- registering -----------------------------------------------------------------------------


@login_required
def appeal_new(request):
    household = None
    hh_id = request.POST.get("household") or request.GET.get("household")
    if hh_id and str(hh_id).isdigit():
        household = jurisdiction.visible(request.user, Household).select_related("region").filter(pk=hh_id).first()
    form = AppealForm(request.user, request.POST or None, initial=_initial(request.user, household))
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.register_appeal(
                actor=request.user, region=data["region"], kind=data["kind"], channel=data["channel"],
                title=data["title"], text=data["text"], category=data["category"] or None,
                urgency=data["urgency"], household=household, reporter_name=data["reporter_name"],
                phone=data["phone"], anonymous=data["anonymous"])
        except (ValidationError, PermissionDenied) as exc:
            error = _message(exc)
        else:
            messages.success(request, _("Appeal %(number)s registered") % {"number": appeal.number})
            return redirect("web:appeal", pk=appeal.pk)
    text = form.data.get("text", "") if form.is_bound else ""
    return render(request, "web/appeals/new.html", {
        "form": form, "error": error, "household": household,
        "suggestions": integrations.suggest(text, form.data.get("region", "")) if text else [],
    }, status=422 if request.method == "POST" else 200)


def _initial(user, household: Household | None) -> dict[str, Any]:
    if household is not None:
        return {"region": household.region_id, "reporter_name": household.head_name, "channel": "visit"}
    scope = jurisdiction.scope_of(user)
    codes = scope.place_codes or scope.figure_codes
    return {"region": codes[0]} if len(codes) == 1 else {}


@login_required
def appeal_suggest(request):
    """The category the text suggests (htmx, as the cadre types)."""
    text = (request.GET.get("text") or request.POST.get("text") or "").strip()
    region = (request.GET.get("region") or request.POST.get("region") or "").strip()
    return render(request, "web/appeals/_suggest.html",
                  {"suggestions": integrations.suggest(text, region) if text else []})


# --- merging ---------------------------------------------------------------------------------


def _find(user, ref: str) -> Appeal | None:
    ref = (ref or "").strip()
    if not ref:
        return None
    qs = jurisdiction.visible(user, Appeal).select_related("region", "category", "unit")
    return qs.filter(pk=int(ref)).first() if ref.isdigit() else qs.filter(number=ref).first()


@login_required
def appeal_merge(request, pk: int):
    """合并: the two cases side by side and one button; the duplicate's reporters move over."""
    appeal = queries.appeal_detail(request.user, pk)
    ref = request.POST.get("into") or request.GET.get("into") or ""
    into = _find(request.user, ref)
    error = ""
    if ref and into is None:
        error = _("The case to keep does not exist or is outside your jurisdiction")
    elif into is not None and into.pk == appeal.pk:
        error, into = _("A case cannot be merged into itself"), None
    if request.method == "POST" and into is not None and not error:
        try:
            services.merge(appeal, into, actor=request.user, note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            error = _message(exc)
        else:
            messages.success(request, _("%(a)s merged into %(b)s") % {"a": appeal.number, "b": into.number})
            return redirect("web:appeal", pk=into.pk)
    may = "merge_into" in queries.available_for(request.user, appeal)
    return render(request, "web/appeals/merge.html", {
        "appeal": appeal, "into": into, "ref": ref, "error": error, "may_merge": may,
        "similar": integrations.similar_open(request.user, appeal, include_closed=False) if into is None else [],
        "pair": [_side(appeal), _side(into)] if into is not None else [],
    }, status=422 if error and request.method == "POST" else 200)


def _side(a: Appeal) -> dict[str, Any]:
    return {"appeal": a, "status_label": STATUS_NAMES.get(wf.Status(a.status), a.status),
            "kind_label": KIND_NAMES.get(wf.Kind(a.kind), a.kind), "reports": a.reports.count()}
