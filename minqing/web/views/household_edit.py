"""一户一档 pages that change things: new household, edit, move, split, merge, close, members and their
status, a visit from the desk, printing. Thin: a form for the shape, a service for the rule; a
service's Chinese message comes back on the form and nothing changes."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.appeals.models import Appeal
from minqing.households import printing, queries, services
from minqing.households.models import Household, Resident, ResidentStatus
from minqing.households.printing import docx, pdf
from minqing.regions import jurisdiction
from minqing.regions.models import VillageGroup
from minqing.web import household_forms as hf


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _group_id(region_id: str, number: int | None) -> int | None:
    if number is None:
        return None
    group = VillageGroup.objects.filter(region_id=region_id, number=number).first()
    if group is None:
        raise ValidationError({"group": f"该村没有第 {number} 组"})
    return group.pk


def _step(request: HttpRequest, form, do: Callable[[dict[str, Any]], Any], done: Callable[[Any], str],
          context: dict[str, Any], success: str) -> HttpResponse:
    """Validate, run the service, come back with its message on the form, or go on."""
    if request.method == "POST" and form.is_valid():
        try:
            result = do(form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    key = {"group_id": "group", "region_id": "region", "resident_ids": "residents",
                           "head_id": "head", "status_on": "on"}.get(name, name)
                    form.add_error(key if key in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("Not allowed"))
        else:
            messages.success(request, success)
            return redirect(done(result))
    return render(request, "web/households/form.html", {"form": form, **context})


def _household(request: HttpRequest, pk: int) -> Household:
    return queries.household_detail(request.user, pk)


@login_required
def household_new(request: HttpRequest) -> HttpResponse:
    form = hf.HouseholdForm(request.user, request.POST or None)

    def do(d):
        return services.create_household(
            actor=request.user, region_id=d["region"], group_id=_group_id(d["region"], d["group"]),
            number=d["number"].strip(), head_name=d["head_name"], address=d["address"], tags=d["tags"],
            note=d["note"], reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda h: reverse("web:household", args=[h.pk]),
                 {"title": _("New household")}, _("The household was created."))


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    initial = {"group": h.group.number if h.group else None, "number": h.number, "head_name": h.head_name,
               "address": h.address, "note": h.note, "tags": [t.code for t in h.tags.all()]}
    form = hf.HouseholdForm(request.user, request.POST or None, initial=initial, editing=True)

    def do(d):
        changes = {"number": d["number"].strip(), "head_name": d["head_name"], "address": d["address"],
                   "note": d["note"], "group_id": _group_id(h.region_id, d["group"])}
        return services.update_household(h, actor=request.user, changes=changes, tags=d["tags"],
                                         reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[h.pk]),
                 {"title": _("Edit household"), "household": h}, _("The household was saved."))


@login_required
def household_move(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    form = hf.MoveForm(request.user, request.POST or None, initial={"region": h.region_id})

    def do(d):
        return services.move_household(h, actor=request.user, region_id=d["region"],
                                       group_id=_group_id(d["region"], d["group"]), number=d["number"] or None,
                                       reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[h.pk]),
                 {"title": _("Move the household"), "household": h}, _("The household was moved."))


@login_required
def household_split(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    members = [r for r in h.members if r.status == ResidentStatus.LIVING]
    form = hf.SplitForm(members, request.POST or None, initial={"address": h.address})

    def do(d):
        return services.split_household(h, actor=request.user, resident_ids=[int(x) for x in d["residents"]],
                                        head_id=int(d["head"]), number=d["number"], address=d["address"],
                                        reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda new: reverse("web:household", args=[new.pk]),
                 {"title": _("Split the household"), "household": h}, _("The new household was created."))


@login_required
def household_merge(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    others = jurisdiction.visible(request.user, Household).filter(region_id=h.region_id).exclude(pk=h.pk)
    form = hf.MergeForm(others.order_by("number")[:1000], request.POST or None)

    def do(d):
        source = jurisdiction.get_visible_or_404(request.user, Household, pk=d["source"])
        return services.merge_households(h, source, actor=request.user, reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[h.pk]),
                 {"title": _("Merge another household into this one"), "household": h},
                 _("The households were merged."))


@login_required
def household_remove(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    form = hf.ReasonForm(request.POST or None)

    def do(d):
        return services.remove_household(h, actor=request.user, reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:households"),
                 {"title": _("Close the household (moved away as a whole)"), "household": h,
                  "danger": True}, _("The household was closed; it stays on file."))


@login_required
def resident_new(request: HttpRequest, pk: int) -> HttpResponse:
    h = _household(request, pk)
    form = hf.ResidentForm(request.POST or None)

    def do(d):
        return services.add_resident(h, actor=request.user, name=d["name"], relation=d["relation"],
                                     gender=d["gender"], birth_date=d["birth_date"], id_number=d["id_number"],
                                     phone=d["phone"], reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[h.pk]),
                 {"title": _("Add a member"), "household": h}, _("The member was added."))


def _resident(request: HttpRequest, pk: int) -> Resident:
    return jurisdiction.get_visible_or_404(request.user, Resident.objects.select_related("household"), pk=pk)


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    r = _resident(request, pk)
    initial = {"name": r.name, "relation": r.relation, "gender": r.gender, "birth_date": r.birth_date}
    form = hf.ResidentForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = _("Leave empty to keep %(masked)s") % {"masked": r.id_number_masked or "—"}
    form.fields["phone"].help_text = _("Leave empty to keep %(masked)s") % {"masked": r.phone_masked or "—"}

    def do(d):
        changes = {k: d[k] for k in ("name", "relation", "gender", "birth_date")}
        changes.update({k: d[k] for k in ("id_number", "phone") if d[k]})  # empty: unchanged
        return services.update_resident(r, actor=request.user, changes=changes, reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[r.household_id]),
                 {"title": _("Edit member %(name)s") % {"name": r.name}, "household": r.household},
                 _("The member was saved."))


@login_required
def resident_status(request: HttpRequest, pk: int) -> HttpResponse:
    r = _resident(request, pk)
    form = hf.StatusForm(request.POST or None, initial={"status": r.status, "on": r.status_on})

    def do(d):
        return services.set_resident_status(r, actor=request.user, status=d["status"], on=d["on"],
                                            reason=d["reason"], ip=_ip(request))

    return _step(request, form, do, lambda x: reverse("web:household", args=[r.household_id]),
                 {"title": _("Moved away or deceased: %(name)s") % {"name": r.name}, "household": r.household},
                 _("The member's status was recorded."))


@login_required
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """入户走访 recorded from the desk (the phone app records it at the door)."""
    from minqing.fieldwork import services as field

    h = _household(request, pk)
    members = [(r.pk, f"{r.name}（{r.get_relation_display()}）")
               for r in h.residents.filter(deleted_at__isnull=True, status="living").order_by("pk")]
    cases = jurisdiction.visible(request.user, Appeal).filter(household=h, deleted_at__isnull=True,
                                                              group__in=("open", "paused"))
    open_cases = [(a.pk, f"{a.number} {a.title[:30]}") for a in cases.order_by("-received_at")[:20]]
    form = hf.VisitForm(request.POST or None, members=members, cases=open_cases)

    def do(d):
        now = timezone.now()
        when = timezone.make_aware(timezone.datetime.combine(d["visited_on"], timezone.datetime.min.time()))
        when = min(when.replace(hour=10), now)
        return field.record_visit(actor=request.user, household=h, visited_at=when, note=d["note"],
                                  residents=d["residents"], others_met=d["others_met"] or 0,
                                  cases=d.get("cases") or (), now=now)

    return _step(request, form, do, lambda x: reverse("web:household", args=[h.pk]) + "#visits",
                 {"title": _("Record a visit"), "household": h}, _("The visit was recorded."))


@login_required
def household_print(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    h = _household(request, pk)
    if fmt not in ("docx", "pdf") or (fmt == "pdf" and not pdf.available()):
        raise Http404
    buf = io.BytesIO()
    (pdf if fmt == "pdf" else docx).write(printing.sheets(request.user, [h]), buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=f"{h.head_name}户户情档案.{fmt}")


@login_required
@require_POST
def village_print(request: HttpRequest) -> HttpResponse:
    from minqing.jobs import runner

    try:
        job = runner.submit("household_print", owner=request.user,
                            params={"region": request.POST.get("region"), "format": request.POST.get("format")})
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("web:households")
    return redirect("jobs:detail", pk=job.pk)
