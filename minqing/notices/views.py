"""Notice pages: my inbox (/notices/), my channels (/notices/preferences/), and for the county's
system administrator the channels (/notices/channels/) and the outbox with its dead letters and 重发
(/notices/outbox/). Thin: services do the checks and writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts.access import sysadmin_required
from minqing.accounts.models import Unit
from minqing.lib import regioncode

from . import services, triggers
from .models import ChannelKind, Endpoint, Notice


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    rows = services.inbox(request.user)
    if request.GET.get("unread"):
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page, "labels": triggers.KIND_LABELS,
                                                  "unread": services.unread_count(request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("id") if x.isdigit()] or None
    n = services.mark_read(request.user, ids)
    messages.success(request, _("%(n)d notices marked read.") % {"n": n})
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "notices:inbox")


@login_required
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notice marks it read and goes to its case."""
    n = get_object_or_404(services.inbox(request.user), pk=pk)
    services.mark_read(request.user, [n.pk])
    return redirect(n.link or "notices:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = services.preference(request.user)
    if request.method == "POST":
        try:
            services.set_preference(request.user, channels=request.POST.getlist("channel"),
                                    phone=request.POST.get("phone", "").strip(),
                                    email=request.POST.get("email", "").strip(),
                                    muted=[k for k in triggers.KIND_LABELS if request.POST.get(f"mute_{k}")])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Your notice channels are saved."))
            return redirect("notices:preferences")
    kinds = [(k, v, k in (pref.muted or [])) for k, v in triggers.KIND_LABELS.items()]
    return render(request, "notices/preferences.html", {"pref": pref, "kinds": kinds})


# --- the county's system administrator ---------------------------------------------------------------


def _in_county(qs, county: str):
    low, high = regioncode.subtree_range(county)
    return qs.filter(region_id__gte=low, region_id__lte=high)


@sysadmin_required
def channel_list(request: HttpRequest) -> HttpResponse:
    county = request.county.code
    if request.method == "POST":
        templates = {}
        for line in request.POST.get("templates", "").splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                templates[k.strip()] = v.strip()
        try:
            services.add_endpoint(
                actor=request.user, kind=request.POST.get("kind", ""),
                region_code=request.POST.get("region", "").strip() or county,
                url=request.POST.get("url", "").strip(), secret=request.POST.get("secret", ""),
                name=request.POST.get("name", "").strip(),
                unit_id=int(request.POST["unit"]) if request.POST.get("unit", "").isdigit() else None,
                provider=request.POST.get("provider", ""), key_id=request.POST.get("key_id", "").strip(),
                app_id=request.POST.get("app_id", "").strip(), sign_name=request.POST.get("sign_name", "").strip(),
                templates=templates, per_minute=int(request.POST.get("per_minute") or 20))
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        except ValueError:
            messages.error(request, "每分钟条数应为数字")
        else:
            messages.success(request, _("Channel added."))
            return redirect("notices:channels")
    rows = _in_county(Endpoint.objects.select_related("region", "unit"), county)
    units = _in_county(Unit.objects.filter(is_active=True), county).order_by("region_id", "name")
    return render(request, "notices/channels.html", {
        "rows": rows, "units": units, "county": request.county,
        "kinds": [c for c in ChannelKind.choices if c[0] != ChannelKind.INBOX.value],
        "providers": [p for p in Endpoint.Provider.choices if p[0]],
        "template_kinds": ", ".join(services.RESIDENT_KINDS)})


@sysadmin_required
@require_POST
def channel_active(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_object_or_404(_in_county(Endpoint.objects.all(), request.county.code), pk=pk)
    services.set_endpoint_active(e, actor=request.user, active=request.POST.get("active") == "1")
    return redirect("notices:channels")


@sysadmin_required
def outbox(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "dead")
    rows = _in_county(Notice.objects.exclude(channel=ChannelKind.INBOX.value), request.county.code)
    if state in Notice.State.values:
        rows = rows.filter(state=state)
    rows = rows.select_related("endpoint", "appeal").prefetch_related("attempt_log").order_by("-created_at", "-id")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {s: _in_county(Notice.objects.exclude(channel=ChannelKind.INBOX.value), request.county.code)
              .filter(state=s).count() for s in Notice.State.values}
    return render(request, "notices/outbox.html", {"page": page, "state": state, "states": Notice.State.choices,
                                                   "counts": counts, "labels": triggers.KIND_LABELS})


@sysadmin_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(_in_county(Notice.objects.all(), request.county.code), pk=pk)
    try:
        services.resend(n, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Queued again."))
    return redirect(f"{reverse('notices:outbox')}?state=dead")
