"""Staff pages: list, create, edit, deactivate, posts, one-time codes, bulk import; and the public
page where a person sets their own password with the code."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from minqing.accounts import codes, services
from minqing.accounts.models import Post, Unit, User
from minqing.accounts.staff_import import COLUMNS, OPTIONAL, import_staff
from minqing.lib.cells import LedgerImportError

from .access import client_ip, sysadmin_required
from .forms import ActivateForm, ImportForm, PostForm, ReasonForm, StaffAttributesForm, StaffForm


def attempt(request, fn: Callable[[], Any], done: str | None = None) -> Any:
    """Run a service; its Chinese error becomes a message on the page and nothing is written."""
    try:
        result = fn()
    except (ValidationError, PermissionDenied) as exc:
        for text in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, text)
        return None
    if done:
        messages.success(request, done)
    return result if result is not None else True


def _staff_of(request, pk: int) -> User:
    return get_object_or_404(User, pk=pk, county_id=request.county.code)


@sysadmin_required
def staff_list(request):
    qs = User.objects.filter(county_id=request.county.code).order_by("-is_active", "username")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    page = Paginator(qs.prefetch_related("posts__unit"), 50).get_page(request.GET.get("page"))
    return render(request, "sysadmin/staff_list.html", {"page": page, "q": q, "section": "staff"})


@sysadmin_required
def staff_new(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = attempt(request, lambda: services.create_staff(
            actor=request.user, county=request.county.code, ip=client_ip(request), **form.cleaned_data),
            _("Account created. Add a post, then give the person a one-time code."))
        if user:
            return redirect("sysadmin:staff", user.pk)
    return render(request, "sysadmin/form.html", {"form": form, "title": _("New staff account"), "section": "staff"})


@sysadmin_required
def staff_detail(request, pk: int):
    user = _staff_of(request, pk)
    post_form = PostForm(request.county.code, request.POST or None)
    if request.method == "POST" and request.POST.get("do") == "post" and post_form.is_valid():
        d = post_form.cleaned_data
        unit = get_object_or_404(Unit, pk=d["unit"])
        attempt(request, lambda: services.add_post(actor=request.user, user=user, unit=unit, role=d["role"],
                                                   region=d["region"] or None, started_on=d["started_on"],
                                                   ip=client_ip(request)), _("Post added."))
        return redirect("sysadmin:staff", user.pk)
    if request.method == "POST" and request.POST.get("do") == "name":
        attempt(request, lambda: services.update_staff(user, actor=request.user, ip=client_ip(request),
                                                       display_name=request.POST.get("display_name", "")),
                _("Saved."))
        return redirect("sysadmin:staff", user.pk)
    attributes_form = StaffAttributesForm.of(user)
    if request.method == "POST" and request.POST.get("do") == "attributes":
        attributes_form = StaffAttributesForm(request.POST)
        if attributes_form.is_valid():
            attempt(request, lambda: services.set_attributes(user, actor=request.user, ip=client_ip(request),
                                                             **attributes_form.cleaned_data), _("Saved."))
            return redirect("sysadmin:staff", user.pk)
    posts = Post.objects.filter(user=user).select_related("unit", "region").order_by("ended_on", "-started_on")
    code = request.session.pop("setup_code", None)
    shown = code if code and code.get("user") == user.pk else None
    return render(request, "sysadmin/staff_detail.html", {
        "staff": user, "posts": posts, "post_form": post_form, "attributes_form": attributes_form,
        "reason_form": ReasonForm(), "code": shown,
        "section": "staff"})


@sysadmin_required
@require_POST
def staff_active(request, pk: int):
    user = _staff_of(request, pk)
    reason = request.POST.get("reason", "")
    if user.is_active:
        attempt(request, lambda: services.deactivate_staff(user, actor=request.user, reason=reason,
                                                           ip=client_ip(request)), _("Account deactivated."))
    else:
        attempt(request, lambda: services.reactivate_staff(user, actor=request.user, reason=reason,
                                                           ip=client_ip(request)), _("Account reactivated."))
    return redirect("sysadmin:staff", user.pk)


@sysadmin_required
@require_POST
def staff_code(request, pk: int):
    """Issue a code and show it once: kept in the session for the one page that follows."""
    user = _staff_of(request, pk)
    code = attempt(request, lambda: services.issue_setup_code(user, actor=request.user, ip=client_ip(request)))
    if code:
        request.session["setup_code"] = {"user": user.pk, "code": code, "hours": services.SETUP_CODE_HOURS}
    return redirect("sysadmin:staff", user.pk)


@sysadmin_required
@require_POST
def post_end(request, pk: int):
    post = get_object_or_404(Post, pk=pk, user__county_id=request.county.code)
    attempt(request, lambda: services.end_post(post, actor=request.user, reason=request.POST.get("reason", ""),
                                               ip=client_ip(request)), _("Post ended."))
    return redirect("sysadmin:staff", post.user_id)


@sysadmin_required
def staff_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                result = import_staff(tmp.name, actor=request.user, county=request.county.code,
                                      dry_run=form.cleaned_data["dry_run"])
            except LedgerImportError as exc:
                report = exc.report()
            except PermissionDenied as exc:
                report = str(exc)
    return render(request, "sysadmin/staff_import.html", {
        "form": form, "report": report, "result": result, "columns": COLUMNS, "optional": OPTIONAL,
        "section": "staff"})


@never_cache
def activate(request):
    """The one page for a one-time code (no log-in needed): the first log-in with the system
    administrator's code, or a reset with the security administrator's. A second factor, if the
    person has one, is still asked for on the next page (accounts.middleware)."""
    form = ActivateForm(request.POST or None, initial={"username": request.GET.get("u", "")})
    if request.method == "POST" and form.is_valid():
        user = attempt(request, lambda: codes.redeem(ip=client_ip(request), **form.cleaned_data))
        if user:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome."))
            return redirect("web:home")
    return render(request, "sysadmin/activate.html", {"form": form})


