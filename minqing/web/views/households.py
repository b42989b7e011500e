import csv
import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minqing.accounts.models import Pairing
from minqing.appeals import access
from minqing.appeals import workflow as wf
from minqing.appeals.models import STATUS_NAMES, Appeal, Attachment
from minqing.households import crypto, queries, services
from minqing.households.models import Resident, ResidentStatus, Tag
from minqing.households.printing import pdf
from minqing.lib.regioncode import RegionCodeError
from minqing.regions import jurisdiction
from minqing.web import household_forms, integrations

_SENSITIVE = re.compile(r"^(\d{11}|\d{17}[\dXx]|0\d{2,3}-?\d{7,8})$")


def _filters(request) -> dict:
    """The list filters. A whole phone or ID number never rides in a URL (nor in access logs or
    browser history): it is kept in the session and the URL carries an opaque key `s`."""
    filters = {k: request.GET.get(k) or None for k in ("region", "q", "tag")}
    key = request.GET.get("s")
    if key and not filters["q"]:
        filters["q"] = request.session.get("searches", {}).get(key)
    return filters


def _link_filters(request) -> dict:
    return {k: request.GET.get(k) or None for k in ("region", "tag", "s", "q")}


def hide_sensitive_query(request):
    q = (request.GET.get("q") or "").strip()
    if not _SENSITIVE.match(q):
        return None
    key = secrets.token_urlsafe(8)
    searches = request.session.get("searches", {})
    searches = dict(list(searches.items())[-9:]) | {key: q}
    request.session["searches"] = searches
    params = request.GET.copy()
    params.pop("q")
    params["s"] = key
    return redirect(f"{request.path}?{params.urlencode()}")


@login_required
def household_list(request):
    hidden = hide_sensitive_query(request)
    if hidden:
        return hidden
    try:
        qs = queries.households_for(request.user, **_filters(request))
    except RegionCodeError as exc:
        messages.error(request, str(exc))
        qs = queries.households_for(request.user)
    page = Paginator(qs.prefetch_related("tags"), 30).get_page(request.GET.get("page"))
    return render(request, "web/household_list.html", {
        "page": page, "filters": _filters(request), "link_filters": _link_filters(request),
        "tags": Tag.objects.all(), "places": household_forms.place_choices(request.user), "pdf": pdf.available(),
    })


def _revealed(request, household) -> dict | None:
    """The value revealed (and logged) by resident_reveal just before, decrypted again for this page."""
    mark = request.session.pop("revealed", None)
    if not mark or mark.get("field") not in Resident.PERSONAL_FIELDS:
        return None
    resident = Resident.objects.filter(pk=mark.get("resident"), household=household).first()
    if resident is None or not jurisdiction.can_reveal(request.user, resident):
        return None
    value = crypto.decrypt(getattr(resident, f"{mark['field']}_enc"))
    return {"resident": resident.pk, "field": mark["field"], "value": value}


@login_required
def household_detail(request, pk: int):
    """一户一档: members (masked, revealed per the rules), tags, visits, appeals, help received and
    the cadres paired with the household, on one page."""
    h = queries.household_detail(request.user, pk)
    revealed = _revealed(request, h)
    today = timezone.localdate()
    appeals = (jurisdiction.visible(request.user, Appeal)
               .filter(Q(household=h) | Q(reports__household=h)).distinct()
               .select_related("category", "unit").order_by("-received_at", "-id"))
    pairings = (Pairing.objects.filter(Q(household=h) | Q(household__isnull=True, region_id=h.region_id))
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today)).select_related("cadre")
                .order_by("household_id", "id"))
    scope = jurisdiction.scope_of(request.user)
    shown = list(appeals[:50])
    return render(request, "web/household_detail.html", {
        "household": h, "can_reveal": jurisdiction.can_reveal(request.user, h), "revealed": revealed,
        "living": [r for r in h.members if r.status == ResidentStatus.LIVING],
        "former": [r for r in h.members if r.status != ResidentStatus.LIVING],
        "may_edit": scope.sees_place(h.region_id), "pdf": pdf.available(),
        "appeals": [(a, STATUS_NAMES.get(wf.Status(a.status), a.status)) for a in shown],
        "visits": integrations.visits_of(request.user, h),
        # 整改前/整改后 and other photos of the household's cases (issue 19), through the cases' own pages
        "case_photos": list(Attachment.objects.alive().filter(appeal__in=[a.pk for a in shown],
                                                              content_type__startswith="image/")
                            .select_related("appeal").order_by("appeal_id", "uploaded_at", "id")[:60]),
        "help": integrations.help_of(request.user, h),
        "care_files": integrations.care_files_of(request.user, h),
        "pairings": list(pairings),
        "may_register": access.may_register(jurisdiction.scope_of(request.user), h.region_id),
    })


@login_required
@require_POST
def resident_reveal(request, pk: int):
    resident = jurisdiction.get_visible_or_404(request.user, Resident, pk=pk)
    field = request.POST.get("field", "")
    try:
        services.reveal(resident, field, actor=request.user, reason=request.POST.get("reason", ""),
                                ip=request.META.get("REMOTE_ADDR"))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [])) or str(exc))
        return redirect("web:household", pk=resident.household_id)
    # Shown once, on the next page, never in a URL, and never stored: the session keeps which field
    # was revealed (and logged), the page decrypts it again.
    request.session["revealed"] = {"resident": resident.pk, "field": field}
    return redirect("web:household", pk=resident.household_id)


def _cell(value: str) -> str:
    """A cell a spreadsheet would run as a formula is written as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value):
        return value


@login_required
def household_export(request):
    """CSV of the households in one's jurisdiction; personal data stays masked."""
    try:
        qs = queries.households_for(request.user, **_filters(request))
    except RegionCodeError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    header = ["户编号", "村（社区）", "户主", "地址", "标签"]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for h in qs.prefetch_related("tags").iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (h.number, h.region.name, h.head_name, h.address,
                                                      "、".join(t.name for t in h.tags.all()))])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="households.csv"'
    return response
