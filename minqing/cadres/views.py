"""Cadres pages: the leaders' desk (群众评议, cadre figures, 走读), the duty roster an office edits, and
the phone page where a person checks in at the post. Thin: parse → one service or query → render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minqing.accounts.models import Post, User
from minqing.appeals import deadlines
from minqing.appeals.labels import SATISFACTION_LABELS
from minqing.fieldwork.pages import _figure_region, _period
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import absence, duty, figures, oversight, ratings
from .forms import CheckInForm, ShiftForm
from .models import DutyShift

WEEK = 7


def _error_text(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """群众评议 per unit and cadre, the cadre figures and the 走读 report of a place, for its leaders."""
    if not oversight.reads_any(jurisdiction.scope_of(request.user)):
        raise Http404
    region = _figure_region(request)
    period = _period(request)
    start, end = period["start"], period["end"]
    user = request.user
    section = figures.section(region.code, start, end, user=user)
    return render(request, "cadres/home.html", {
        "region": region, "period": period, "section": section,
        "review": ratings.review(region.code, start, end, user=user),
        "away": absence.report(region.code, start, end, user=user),
        "levels": [(lv, SATISFACTION_LABELS[lv]) for lv in ratings.LEVELS],
        "edits_roster": bool(duty.roster_places(user)),  # the roster link only for whom it opens
        "children": Region.objects.filter(parent_id=region.code, is_active=True).order_by("code")
        if regioncode.level_of(region.code) < regioncode.VILLAGE else [],
    })


def _monday(raw: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _people(place: str, day: dt.date) -> list[tuple[int, str]]:
    low, high = regioncode.subtree_range(place)
    holders = Post.objects.filter(region_id__gte=low, region_id__lte=high).exclude(ended_on__lt=day) \
        .values("user_id")
    return [(u.pk, str(u)) for u in User.objects.filter(pk__in=holders, is_active=True).order_by("display_name")[:500]]


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    """值班带班: a week of the roster of a township or county; its office adds and cancels shifts."""
    places = duty.roster_places(request.user)
    if not places:
        raise Http404
    code = request.GET.get("place") or places[0].code
    place = next((p for p in places if p.code == code), None)
    if place is None:
        raise Http404
    monday = _monday(request.GET.get("week"))
    days = [monday + dt.timedelta(days=n) for n in range(WEEK)]
    form = ShiftForm(request.POST or None, people=_people(place.code, monday), initial={"day": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                person = User.objects.get(pk=d["person"])
                duty.add_shift(actor=request.user, region=place, day=d["day"], kind=d["kind"], person=person,
                               note=d["note"])
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Shift added."))
                return redirect(f"{reverse('cadres:roster')}?place={place.code}&week={_monday(str(d['day']))}")
        status = 422
    shifts = duty.roster(place.code, days[0], days[-1])
    cal = deadlines.calendar()
    return render(request, "cadres/roster.html", {
        "places": places, "place": place, "form": form, "monday": monday,
        "previous": monday - dt.timedelta(days=WEEK), "next": monday + dt.timedelta(days=WEEK),
        "days": [{"day": d, "workday": cal.is_workday(d), "name": cal.day_name(d),
                  "shifts": [s for s in shifts if s.day == d]} for d in days],
    }, status=status)


@login_required
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = jurisdiction.get_visible_or_404(request.user, DutyShift, pk=pk)
    if not duty.may_edit_roster(request.user, shift.region_id):
        raise Http404
    try:
        duty.cancel_shift(shift, actor=request.user, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Shift cancelled."))
    return redirect(f"{reverse('cadres:roster')}?place={shift.region_id}&week={_monday(str(shift.day))}")


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """在岗签到 on the phone: today's shifts and one tap (with the phone's position when it gives one)."""
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                duty.check_in(actor=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Checked in."))
                return redirect("cadres:check_in")
        status = 422
    today = timezone.localdate()
    cal = deadlines.calendar()
    return render(request, "cadres/check_in.html", {
        "form": form, "today": today, "workday": cal.is_workday(today), "day_name": cal.day_name(today),
        "edits_roster": bool(duty.roster_places(request.user)), **duty.today_for(request.user, today)},
        status=status)
