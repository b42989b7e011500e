"""Pages of the field app: the offline-first phone app shell, its web manifest and its service worker.

The shell is one page; everything the cadre records is kept in the phone's IndexedDB outbox by
static/fieldwork/app.js and sent to POST /api/v1/sync. These views only hand over what the page needs
(lists of choices, translated strings) and serve the manifest and the worker from /field/ so the
worker's scope covers the app.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Level, Region

from .models import ActivityKind, HelpKind, VisitPhoto

APP_DIR = Path(__file__).resolve().parent
# The shell's files, cached by the worker at install; their content makes the worker's version.
SHELL_FILES = ["fieldwork/app.css", "fieldwork/store.js", "fieldwork/photos.js", "fieldwork/app.js",
               "fieldwork/icon-192.png", "fieldwork/icon-512.png"]
MAX_COUNTIES = 5  # checklists are fetched per county; a field user works in one, rarely a few
MAX_REGIONS = 300  # a township leader's villages fit; a county's list would be useless on a phone anyway

# Strings the script shows; passed as JSON so the page speaks the user's language offline too.
JS_STRINGS = {
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Offline"),
    "waiting": gettext_lazy("waiting"),
    "syncing": gettext_lazy("Sending…"),
    "synced": gettext_lazy("Sent: %(n)s"),
    "not_taken": gettext_lazy("%(n)s not taken, see the outbox"),
    "nothing_to_send": gettext_lazy("Nothing waiting to be sent."),
    "still_offline": gettext_lazy("No network: the records stay on the phone and go out when it returns."),
    "network_failed": gettext_lazy("Could not reach the server; will try again when the network returns."),
    "server_error": gettext_lazy("The server could not take the records now (HTTP %(status)s); they stay on the "
                                 "phone."),
    "record_failed": gettext_lazy("The server could not store this record (HTTP %(status)s): correct it or "
                                  "discard it."),
    "login_again": gettext_lazy("Your log-in has expired. Log in again, then sync."),
    "csrf_failed": gettext_lazy("The page is out of date: reload it, then sync."),
    "saved": gettext_lazy("Saved on the phone. Waiting to be sent: %(n)s"),
    "status_waiting": gettext_lazy("Waiting"),
    "status_sending": gettext_lazy("Sending"),
    "status_rejected": gettext_lazy("Rejected"),
    "status_conflict": gettext_lazy("Conflict"),
    "type_visit": gettext_lazy("Visit"),
    "type_activity": gettext_lazy("Activity"),
    "type_appeal": gettext_lazy("Appeal"),
    "overdue": gettext_lazy("Overdue"),
    "due": gettext_lazy("Due"),
    "never_visited": gettext_lazy("Never visited"),
    "last_visit": gettext_lazy("Last visit"),
    "due_on": gettext_lazy("Due on"),
    "plan_empty": gettext_lazy("No household is due for a visit."),
    "plan_none": gettext_lazy("The visit list has not been loaded yet; connect once to load it."),
    "plan_fetched": gettext_lazy("List updated %(when)s"),
    "plan_stale": gettext_lazy("List from %(when)s (offline copy)"),
    "outbox_empty": gettext_lazy("Nothing waiting. Everything recorded has reached the server."),
    "edit": gettext_lazy("Edit and resend"),
    "discard": gettext_lazy("Discard"),
    "confirm_discard": gettext_lazy("Discard this record? It will not be sent."),
    "reason": gettext_lazy("Reason"),
    "gps_wait": gettext_lazy("Finding the position…"),
    "gps_none": gettext_lazy("No position (the visit is saved without it)."),
    "gps_ok": gettext_lazy("Position recorded (±%(m)s m)"),
    "need_household": gettext_lazy("Choose a household from the visit list first."),
    "members_offline": gettext_lazy("The members of this household are not on the phone yet (no network): "
                                    "count the people met below."),
    "people_n": gettext_lazy("%(n)s people met"),
    "need_title": gettext_lazy("Each appeal needs a title."),
    "bad_amount": gettext_lazy("The amount must be a number, e.g. 200 or 200.50."),
    "appeals_n": gettext_lazy("%(n)s appeal(s)"),
    "help_n": gettext_lazy("%(n)s help item(s)"),
    "photos_n": gettext_lazy("%(n)s photo(s)"),
    "photos_max": gettext_lazy("At most 6 photos per record"),
    "photo_unreadable": gettext_lazy("This photo could not be read; take it again or pick another"),
    "remove_photo": gettext_lazy("Remove"),
    "photos_busy": gettext_lazy("Photos are still being made smaller; save again in a moment"),
    "no_household": gettext_lazy("(no household)"),
    "remove": gettext_lazy("Remove"),
    # household checklists (两不愁三保障) and enterprise visits (issue 7)
    "type_enterprise_visit": gettext_lazy("Enterprise visit"),
    "yes": gettext_lazy("Yes"),
    "no": gettext_lazy("No"),
    "passed": gettext_lazy("Meets the standard"),
    "failed": gettext_lazy("Below the standard"),
    "failed_n": gettext_lazy("%(n)s item(s) below the standard"),
    "answered_n": gettext_lazy("Checklist: %(n)s answered"),
    "checklist_pick": gettext_lazy("Checklist"),
    "checklist_version": gettext_lazy("version %(n)s"),
    "checklist_none": gettext_lazy("No checklist applies to this household's tags."),
    "checklist_missing": gettext_lazy("The checklists have not been loaded yet; connect once to load them."),
    "checklist_old": gettext_lazy("Answered on version %(n)s, kept as it was answered."),
    "threshold_gte": gettext_lazy("meets the standard at %(t)s%(u)s or more"),
    "threshold_lte": gettext_lazy("meets the standard at %(t)s%(u)s or less"),
    "bad_number": gettext_lazy("“%(label)s” must be a number."),
    "note_too_long": gettext_lazy("“%(label)s” can be at most 500 characters."),
    "enterprises_none": gettext_lazy("No key enterprise or project is in your list; connect once to load it."),
    "enterprises_age": gettext_lazy("Enterprise list from %(when)s"),
    "need_enterprise": gettext_lazy("Choose the enterprise or project."),
    # the household directory: any household the cadre may see, picked offline (0005-offline-first.md)
    "directory_none": gettext_lazy("The household directory has not been loaded yet; connect once to load it."),
    "directory_age": gettext_lazy("Directory of %(n)s households, updated %(when)s"),
    "directory_cut": gettext_lazy("Only the first %(n)s of your %(total)s households are on this phone."),
    "find_none": gettext_lazy("No household found."),
    "find_more": gettext_lazy("%(n)s more: type more of the name or number."),
    "not_due": gettext_lazy("Not due"),
}


def _static_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        digest.update((APP_DIR / "static" / name).read_bytes())
    for name in ("sw.js", "app.html"):
        digest.update((APP_DIR / "templates" / "fieldwork" / name).read_bytes())
    return digest.hexdigest()[:12]


_cached_version = lru_cache(maxsize=1)(_static_version)


def shell_version() -> str:
    """Changes whenever a shell file changes, so phones fetch the new shell once (then work offline)."""
    return _static_version() if settings.DEBUG else _cached_version()


def _regions(user) -> list[dict[str, str]]:
    """Villages the user may record activities and appeals for (personal data scope)."""
    scope = jurisdiction.scope_of(user)
    qs = Region.objects.filter(level=Level.VILLAGE)
    if not scope.is_superuser:
        qs = qs.filter(jurisdiction.region_q(scope.place_codes, "code"))
    rows = qs.order_by("code").values_list("code", "name")[:MAX_REGIONS]
    return [{"code": code, "name": name, "county": regioncode.county_of(code)} for code, name in rows]


def _tags() -> list[dict[str, str]]:
    from minqing.households.models import Tag

    return [{"code": c, "name": n} for c, n in Tag.objects.values_list("code", "name")]


def _counties(regions: list[dict[str, str]]) -> list[str]:
    """The counties of the user's villages: the phone fetches each one's checklists (a county defines them)."""
    out: list[str] = []
    for r in regions:
        county = r["county"]
        if county not in out:
            out.append(county)
    return out[:MAX_COUNTIES]


def _appeal_kinds() -> list[tuple[str, str]]:
    from minqing.appeals.models import KIND_CHOICES

    # 举报 (misconduct) is for the discipline commission's own channel, not written down at a door.
    return [(str(code), str(label)) for code, label in KIND_CHOICES if code != "misconduct"]


@login_required
@ensure_csrf_cookie  # the script reads the csrftoken cookie for X-CSRFToken (session auth checks it)
@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    regions = _regions(user)
    config = {
        "user": {"id": user.pk, "name": str(getattr(user, "display_name", "") or user.get_username())},
        "urls": {
            "plan": reverse("api:field_plan"),
            "directory": reverse("api:field_households"),
            "sync": reverse("api:field_sync"),
            "worker": reverse("field:sw"),
            "scope": reverse("field:home"),
            "login": f"{reverse('web:login')}?next={reverse('field:home')}",
        },
        "version": shell_version(),
        "tags": _tags(),
        "regions": regions,
        # Issue 7: the checklists (per county) and the enterprise list the phone caches, and the route
        # enterprise visits are sent to (not /api/v1/sync, which has no such record type).
        "api": {
            "checklists": reverse("api:checklist_forms"),
            "enterprises": reverse("api:enterprise_list"),
            "enterprise_visits": reverse("api:enterprise_record_visit"),
            # a household's members, for "who was met" (人次): {id} is replaced by the household's id
            "members": reverse("api:field_household_members", args=[0]).replace("/0/", "/{id}/"),
        },
        "counties": _counties(regions),
        "activity_kinds": [(c, str(label)) for c, label in ActivityKind.choices],
        "help_kinds": [(c, str(label)) for c, label in HelpKind.choices],
        "appeal_kinds": _appeal_kinds(),
        "strings": {k: str(v) for k, v in JS_STRINGS.items()},
    }
    return render(request, "fieldwork/app.html", {"config": config})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker, from /field/ so its scope is /field/ (the header says so explicitly, too). Public:
    it holds no data, and the browser re-checks it without the page's help."""
    context = {
        "version": shell_version(),
        "scope": reverse("field:home"),
        "shell": reverse("field:home"),
        "assets": [static(name) for name in SHELL_FILES] + [reverse("field:manifest")],
        "offline_text": _("No network, and the field app has not been opened on this phone yet. "
                          "Open it once with network, then it works offline."),
    }
    response = render(request, "fieldwork/sw.js", context, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:home")
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web manifest that makes /field/ installable. Public: browsers fetch it without cookies."""
    scope = reverse("field:home")
    data = {
        "id": scope,
        "name": _("Minqing field work"),
        "short_name": _("Field work"),
        "description": _("Visits, meetings and appeals, recorded without network"),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f5f7fa",
        "theme_color": "#b42318",
        "icons": [
            {"src": static("fieldwork/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("fieldwork/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json",
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@login_required
@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A visit's photo, only to those who may see the visit's place (there is no public media URL)."""
    row = jurisdiction.get_visible_or_404(request.user, VisitPhoto.objects.alive(), pk=pk)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, lost volume)
        raise Http404 from exc
    response = FileResponse(handle, content_type=row.content_type, filename=row.name)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
