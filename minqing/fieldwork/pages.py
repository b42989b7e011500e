"""Desk pages of field work (/field/desk/…): township and county staff plan and review the field
work — the overview, activities, research topics, visit rounds, the three lists of a village,
the quota report (who is doing their share) and visit lists of a household or a cadre.

Views stay thin: lists go through jurisdiction.visible (404 outside), figures through
fieldwork.metrics with the user, and every write through fieldwork.services (audit events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minqing.accounts.models import Post, User, VisitTeam
from minqing.accounts.roles import LEADER_ROLES, Role
from minqing.lib import periods, regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction
from minqing.regions.models import Level, Region

from . import metrics, rounds, services
from .forms import (
    ActivityForm,
    ListsForm,
    ResultsForm,
    RoundForm,
    RoundLeaderForm,
    SubtopicForm,
    TextForm,
    TickForm,
    TopicForm,
)
from .models import (
    Activity,
    ActivityKind,
    ListKind,
    ResearchSubtopic,
    ResearchTopic,
    VillageList,
    VillageListItem,
    Visit,
    VisitRound,
)

PAGE_SIZE = 50
MAX_CHOICES = 500  # a select longer than this is useless; a county's villages fit


# --- helpers ---------------------------------------------------------------------------------


def _period(request: HttpRequest) -> dict[str, Any]:
    """The period of the page (YYYY-MM, YYYY-Qn, YYYY; default this month so far); a bad token
    falls back to this month with a Chinese message."""
    token = (request.GET.get("period") or "").strip()
    error = ""
    try:
        start, end = periods.span(token or None)
    except ValidationError as exc:
        error = exc.messages[0]
        token = ""
        start, end = periods.span(None)
    today = timezone.localdate()
    if not token:
        token = f"{start.year}-{start.month:02d}"
    kind = "year" if len(token) == 4 else "quarter" if "Q" in token.upper() else "month"
    years = [today.year - n for n in range(3)]
    quarters = [f"{y}-Q{q}" for y in years for q in (4, 3, 2, 1) if dt.date(y, 3 * q - 2, 1) <= today]
    return {"token": token.upper() if kind == "quarter" else token, "kind": kind, "start": start, "end": end,
            "error": error, "years": [str(y) for y in years], "quarters": quarters,
            "month": token if kind == "month" else ""}


def _figure_region(request: HttpRequest) -> Region:
    """The region whose figures the page shows: ?region=CODE or the user's widest place; 404 outside."""
    scope = jurisdiction.scope_of(request.user)
    raw = request.GET.get("region") or scope.home_code()
    if not raw and scope.is_superuser:
        raw = Region.objects.filter(level=Level.COUNTY).order_by("code").values_list("code", flat=True).first()
    code = jurisdiction.figure_region(request.user, raw)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _places(user: Any, levels: tuple[int, ...], *, figures: bool = False, lead: bool = False) -> list[tuple[str, str]]:
    """Regions the user may record for: their places (or figure regions), optionally only where they lead."""
    scope = jurisdiction.scope_of(user)
    qs = Region.objects.filter(level__in=levels, is_active=True)
    if not scope.is_superuser:
        codes = scope.figure_codes if figures else scope.place_codes
        qs = qs.filter(jurisdiction.region_q(codes, "code"))
    rows = qs.order_by("code").values_list("code", "name", "level")[:MAX_CHOICES]
    indent = {Level.COUNTY: "", Level.TOWNSHIP: "· ", Level.VILLAGE: "·· "}
    return [(code, f"{indent.get(level, '')}{name}") for code, name, level in rows
            if not lead or scope.leads(code)]


def _leaders(user: Any) -> list[tuple[int, str]]:
    """People who lead work in the user's area (leaders and department heads), for 'who led / received'."""
    scope = jurisdiction.scope_of(user)
    today = timezone.localdate()
    posts = Post.objects.filter(role__in=[str(r) for r in LEADER_ROLES | {Role.DEPT_HEAD}]).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    if not scope.is_superuser:
        # County leaders and department heads come down to a township's villages too: posts above count.
        above = {a for code in scope.figure_codes for a in regioncode.ancestors(code)}
        posts = posts.filter(jurisdiction.region_q(scope.figure_codes) | Q(region_id__in=sorted(above)))
    ids = set(posts.values_list("user_id", flat=True)[:MAX_CHOICES]) | {user.pk}
    return [(u.pk, str(u)) for u in User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "pk")]


def _subtopics(user: Any) -> list[tuple[int, str]]:
    qs = jurisdiction.visible(user, ResearchSubtopic).alive().select_related("topic").order_by("-topic__year", "id")
    return [(s.pk, f"{s.topic.title} / {s.title}") for s in qs[:MAX_CHOICES]]


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or services.OUT_OF_JURISDICTION


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _within(qs: Any, code: str) -> Any:
    """The rows under a region code typed in a filter (none for a code that is no code)."""
    if not code:
        return qs
    try:
        return qs.filter(jurisdiction.region_q([regioncode.normalize(code)]))
    except (regioncode.RegionCodeError, ValueError):
        return qs.none()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- overview --------------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The field-work overview of a place and a period: coverage by child region, activities by
    kind, the visit-round funnel."""
    region = _figure_region(request)
    period = _period(request)
    start, end = period["start"], period["end"]
    user = request.user
    coverage = metrics.coverage(region.code, start, end, user=user)
    funnel = metrics.funnel(region.code, start, end, user=user)
    low, high = bounds(start, end)
    counts = dict(Activity.objects.alive()
                  .filter(jurisdiction.region_q([region.code]) & jurisdiction.figure_q(user),
                          held_at__gte=low, held_at__lt=high)
                  .values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    kinds = [{"code": code, "label": label, "n": counts.get(code, 0)} for code, label in ActivityKind.choices]
    visits = Visit.objects.alive().filter(jurisdiction.region_q([region.code]) & jurisdiction.figure_q(user),
                                          visited_at__gte=low, visited_at__lt=high).count()
    steps = [(_("Households visited"), funnel["visited"]), (_("With problems found"), funnel["found"]),
             (_("Sent to the township"), funnel["township"]), (_("Sent to the county"), funnel["county"])]
    parent = region.parent if region.parent_id and jurisdiction.scope_of(user).sees_figures(region.parent_id) \
        else None
    return render(request, "fieldwork/desk/overview.html", {
        "region": region, "parent": parent, "period": period, "coverage": coverage, "kinds": kinds,
        "activities_total": sum(counts.values()), "visits": visits, "funnel": funnel, "steps": steps,
    })


# --- activities ------------------------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    period = _period(request) if request.GET.get("period") else None
    qs = jurisdiction.visible(request.user, Activity).alive().select_related("region", "leader")
    kind = request.GET.get("kind") or ""
    if kind in ActivityKind.values:
        qs = qs.filter(kind=kind)
    region = (request.GET.get("region") or "").strip()
    qs = _within(qs, region)
    person = _int(request.GET.get("person"))
    if person:
        qs = qs.filter(Q(leader_id=person) | Q(participants=person)).distinct()
    if period:
        low, high = bounds(period["start"], period["end"])
        qs = qs.filter(held_at__gte=low, held_at__lt=high)
    return render(request, "fieldwork/desk/activity_list.html", {
        "page": _page(request, qs.order_by("-held_at", "-id")), "kinds": ActivityKind.choices,
        "filters": {"kind": kind, "region": region, "person": person, "period": period["token"] if period else ""},
        "period_error": period["error"] if period else "", "query": _query_without_page(request),
        "places": _places(request.user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), figures=True),
    })


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = jurisdiction.get_visible_or_404(
        request.user, Activity.objects.alive().select_related("region", "leader", "subtopic__topic", "created_by"),
        pk=pk)
    appeals = jurisdiction.visible(request.user, activity.appeals.select_related("appeal"))
    return render(request, "fieldwork/desk/activity_detail.html", {
        "a": activity, "participants": activity.participants.order_by("display_name"), "appeals": appeals,
        "attendees": jurisdiction.visible(request.user, activity.attendees.all()).order_by("pk")[:500],
        "cases": jurisdiction.visible(request.user, activity.cases.all()).order_by("-received_at")})


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    choices = {"regions": _places(user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), figures=True),
               "leaders": _leaders(user), "subtopics": _subtopics(user)}
    initial = {"kind": request.GET.get("kind") or ActivityKind.COURTYARD, "subtopic": request.GET.get("subtopic"),
               "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    form = ActivityForm(request.POST or None, initial=initial, **choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            from .people_pages import case_ids, resident_ids

            activity, _created = services.record_activity(
                actor=user, kind=d["kind"], region=d["region"], held_at=d["held_at"], place=d["place"],
                topic=d["topic"], documents=d["documents"], attendance=d["attendance"], note=d["note"],
                leader=d["leader"], subtopic=d["subtopic"], findings=d["findings"], decisions=d["decisions"],
                attendees=resident_ids(user, d["attendees"], d["region"]), cases=case_ids(user, d["cases"]))
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_activity", pk=activity.pk)
    return render(request, "fieldwork/desk/activity_form.html", {"form": form}, status=422 if form.errors else 200)


# --- research topics -------------------------------------------------------------------------


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    qs = jurisdiction.visible(request.user, ResearchTopic).alive().select_related("region", "leader") \
        .annotate(n_sub=Count("subtopics", filter=Q(subtopics__deleted_at__isnull=True)))
    year = _int(request.GET.get("year"))
    if year:
        qs = qs.filter(year=year)
    can_create = bool(_places(request.user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), figures=True, lead=True))
    return render(request, "fieldwork/desk/topic_list.html", {
        "page": _page(request, qs.order_by("-year", "id")), "year": year or "", "can_create": can_create,
        "query": _query_without_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    regions = _places(user, (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE), figures=True, lead=True)
    if not regions:
        raise PermissionDenied("只有领导可以设立调研课题")
    leaders = _leaders(user)
    form = TopicForm(request.POST or None, regions=regions, leaders=leaders,
                     initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        leader = User.objects.get(pk=d["leader"]) if d["leader"] else user
        subs = [{"title": line.strip()} for line in d["subtopics"].splitlines() if line.strip()]
        try:
            region = Region.objects.get(code=d["region"])
            topic = services.create_topic(actor=user, region=region, title=d["title"], leader=leader, year=d["year"],
                                          plan=d["plan"], subtopics=subs)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_topic", pk=topic.pk)
    return render(request, "fieldwork/desk/topic_form.html", {"form": form}, status=422 if form.errors else 200)


def _topic_or_404(request: HttpRequest, pk: int) -> ResearchTopic:
    return jurisdiction.get_visible_or_404(request.user, ResearchTopic.objects.alive().select_related(
        "region", "leader"), pk=pk)


def _topic_page(request: HttpRequest, topic: ResearchTopic, *, sub_form: SubtopicForm | None = None,
                text_form: TextForm | None = None, findings_error: tuple[int, str] | None = None,
                status: int = 200) -> HttpResponse:
    user = request.user
    subs = []
    for sub in topic.subtopics.alive().select_related("leader").order_by("id"):
        subs.append({
            "s": sub,
            "visits": jurisdiction.visible(user, Visit).alive().filter(subtopic=sub)
            .select_related("household", "visitor").order_by("-visited_at")[:50],
            "activities": jurisdiction.visible(user, Activity).alive().filter(subtopic=sub)
            .select_related("region").order_by("-held_at")[:50],
            "can_write": user.pk in (sub.leader_id, topic.leader_id),
            "error": findings_error[1] if findings_error and findings_error[0] == sub.pk else "",
        })
    may_edit = user.pk == topic.leader_id or jurisdiction.scope_of(user).leads(topic.region_id)
    return render(request, "fieldwork/desk/topic_detail.html", {
        "t": topic, "subs": subs, "may_edit": may_edit,
        "sub_form": sub_form or SubtopicForm(leaders=_leaders(user)),
        "text_form": text_form or TextForm(initial={"text": topic.conclusions}),
    }, status=status)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_page(request, _topic_or_404(request, pk))


@login_required
@require_POST
def topic_subtopic_add(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    form = SubtopicForm(request.POST, leaders=_leaders(request.user))
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.add_subtopic(topic, actor=request.user, title=d["title"], plan=d["plan"], due_on=d["due_on"],
                                  leader=User.objects.get(pk=d["leader"]) if d["leader"] else None)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_topic", pk=topic.pk)
    return _topic_page(request, topic, sub_form=form, status=422)


@login_required
@require_POST
def topic_conclusions(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _topic_or_404(request, pk)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            services.record_conclusions(topic, actor=request.user, conclusions=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_topic", pk=topic.pk)
    return _topic_page(request, topic, text_form=form, status=422)


@login_required
@require_POST
def subtopic_findings(request: HttpRequest, pk: int) -> HttpResponse:
    sub = jurisdiction.get_visible_or_404(request.user, ResearchSubtopic.objects.alive().select_related("topic"),
                                          pk=pk)
    form = TextForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.record_findings(sub, actor=request.user, findings=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as exc:
            error = _error_text(exc)
        else:
            return redirect(reverse("field:desk_topic", args=[sub.topic_id]) + f"#sub-{sub.pk}")
    else:
        error = "；".join(e for errs in form.errors.values() for e in errs)
    topic = jurisdiction.visible(request.user, ResearchTopic).filter(pk=sub.topic_id).first() or sub.topic
    return _topic_page(request, topic, findings_error=(sub.pk, error), status=422)


# --- visit rounds ----------------------------------------------------------------------------


def _teams(user: Any, *, lead: bool = False) -> list[VisitTeam]:
    scope = jurisdiction.scope_of(user)
    qs = VisitTeam.objects.select_related("region").order_by("-year", "region_id", "name")
    if not scope.is_superuser:
        qs = qs.filter(jurisdiction.region_q(scope.figure_codes))
    teams = list(qs[:MAX_CHOICES])
    return [t for t in teams if scope.leads(t.region_id)] if lead else teams


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    qs = jurisdiction.visible(request.user, VisitRound).alive().select_related("team", "region", "led_by") \
        .prefetch_related("villages")
    year = _int(request.GET.get("year"))
    team = _int(request.GET.get("team"))
    if year:
        qs = qs.filter(year=year)
    if team:
        qs = qs.filter(team_id=team)
    return render(request, "fieldwork/desk/round_list.html", {
        "page": _page(request, qs.order_by("-year", "team__name", "-number")), "year": year or "", "team": team,
        "teams": _teams(request.user), "can_create": bool(_teams(request.user, lead=True)),
        "query": _query_without_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = _teams(user, lead=True)
    if not teams:
        raise PermissionDenied("只有走访组所在地的领导可以安排走访轮次")
    villages = [(c, n) for c, n in _places(user, (Level.VILLAGE,), figures=True)
                if any(regioncode.contains(t.region_id, c) for t in teams)]
    leaders = {u.pk: str(u) for t in teams for u in rounds.county_leaders(t)}
    form = RoundForm(request.POST or None, teams=[(t.pk, f"{t.name}（{t.year}）") for t in teams], villages=villages,
                     leaders=sorted(leaders.items(), key=lambda kv: kv[1]),
                     initial={"year": timezone.localdate().year, "started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = services.create_round(actor=user, team=d["team"], year=d["year"], number=d["number"],
                                        started_on=d["started_on"], ended_on=d["ended_on"], villages=d["villages"],
                                        summary=d["summary"], led_by=d["led_by"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_round", pk=rnd.pk)
    return render(request, "fieldwork/desk/round_form.html", {"form": form}, status=422 if form.errors else 200)


STAGE_NAMES = {"households_visited": _("Households visited"), "households_with_problems": _("With problems found"),
               "sent_to_township": _("Sent to the township"), "sent_to_county": _("Sent to the county")}


def _round_page(request: HttpRequest, rnd: VisitRound, *, form: ResultsForm | None = None,
                leader_form: RoundLeaderForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    rec = rounds.reconcile(rnd)
    steps = [(STAGE_NAMES[s.name], s) for s in rec.stages]
    visits = jurisdiction.visible(user, Visit).alive().filter(round=rnd).select_related("household", "visitor")
    may_lead = jurisdiction.scope_of(user).leads(rnd.region_id)
    leaders = [(u.pk, str(u)) for u in rounds.county_leaders(rnd.team)] if may_lead else []
    return render(request, "fieldwork/desk/round_detail.html", {
        "r": rnd, "steps": steps, "rec": rec,
        "visits": visits.order_by("-visited_at")[:100], "visit_count": visits.count(),
        "lists": jurisdiction.visible(user, VillageList).alive().filter(round=rnd).select_related("region"),
        "villages": rnd.villages.order_by("code"), "may_lead": may_lead,
        "form": form or ResultsForm(initial={s.name: s.shown for s in rec.stages}),
        "leader_form": leader_form or RoundLeaderForm(leaders=leaders, initial={"leader": rnd.led_by_id}),
    }, status=status)


def _round_or_404(request: HttpRequest, pk: int) -> VisitRound:
    return jurisdiction.get_visible_or_404(request.user, VisitRound.objects.alive().select_related(
        "team", "region", "led_by", "corrected_by"), pk=pk)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, _round_or_404(request, pk))


@login_required
@require_POST
def round_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter the team's own count, or (count=1) count the results from the round's visits."""
    rnd = _round_or_404(request, pk)
    from_visits = request.POST.get("count") == "1"
    form = ResultsForm(request.POST)
    if from_visits or form.is_valid():
        typed = None if from_visits else {n: form.cleaned_data[n] for n in services.ROUND_RESULTS}
        try:
            services.set_round_results(rnd, actor=request.user, results=typed,
                                       reason="" if from_visits else form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            form = form if not from_visits else ResultsForm(
                initial={n: getattr(rnd, n) for n in services.ROUND_RESULTS})
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_round", pk=rnd.pk)
    return _round_page(request, rnd, form=form, status=422)


@login_required
@require_POST
def round_leader(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the county leader who led the round (县级领导带队)."""
    rnd = _round_or_404(request, pk)
    form = RoundLeaderForm(request.POST, leaders=[(u.pk, str(u)) for u in rounds.county_leaders(rnd.team)])
    if form.is_valid():
        try:
            rounds.set_round_leader(rnd, actor=request.user, leader=form.cleaned_data["leader"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_round", pk=rnd.pk)
    return _round_page(request, rnd, leader_form=form, status=422)


# --- the three lists -------------------------------------------------------------------------


@login_required
def lists_index(request: HttpRequest) -> HttpResponse:
    qs = jurisdiction.visible(request.user, VillageList).alive().select_related("region", "round__team") \
        .annotate(n_items=Count("items"), n_done=Count("items", filter=Q(items__done_at__isnull=False)))
    village = (request.GET.get("village") or "").strip()
    qs = _within(qs, village)
    return render(request, "fieldwork/desk/lists_index.html", {
        "page": _page(request, qs.order_by("-prepared_on", "-id")), "village": village,
        "villages": _places(request.user, (Level.VILLAGE,)), "query": _query_without_page(request)})


@login_required
@require_http_methods(["GET", "POST"])
def lists_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    villages = _places(user, (Level.VILLAGE,))
    rounds = jurisdiction.visible(user, VisitRound).alive().select_related("team").order_by("-year", "-number")
    round_choices = [(r.pk, str(r)) for r in rounds[:MAX_CHOICES]]
    form = ListsForm(request.POST or None, villages=villages, rounds=round_choices,
                     initial={"village": request.GET.get("village"), "round": request.GET.get("round")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        rnd = rounds.filter(pk=d["round"]).first() if d["round"] else None
        try:
            lst = services.prepare_lists(actor=user, village=d["village"], title=d["title"], items=form.items(),
                                         round=rnd)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_lists", pk=lst.pk)
    return render(request, "fieldwork/desk/lists_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def lists_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lst = jurisdiction.get_visible_or_404(request.user, VillageList.objects.alive().select_related(
        "region", "round__team", "prepared_by"), pk=pk)
    items = list(lst.items.select_related("done_by").order_by("kind", "position", "id"))
    groups = [{"code": code, "label": label, "items": [i for i in items if i.kind == code]}
              for code, label in ListKind.choices]
    left = sum(1 for i in items if i.done_at is None)
    return render(request, "fieldwork/desk/lists_detail.html", {
        "l": lst, "groups": groups, "total": len(items), "left": left, "done": len(items) - left})


@login_required
@require_POST
def list_item_tick(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick an item off (or undo it, done=0). htmx gets the item back; a plain form goes back to the list."""
    item = jurisdiction.get_visible_or_404(request.user, VillageListItem.objects.select_related("village_list"),
                                           pk=pk)
    form = TickForm(request.POST)
    error = ""
    if form.is_valid():
        done = request.POST.get("done", "1") != "0"
        try:
            item = services.tick_item(item, actor=request.user, note=form.cleaned_data["note"], done=done)
        except (ValidationError, PermissionDenied) as exc:
            error = _error_text(exc)
    else:
        error = "；".join(e for errs in form.errors.values() for e in errs)
    if request.headers.get("HX-Request"):
        return render(request, "fieldwork/desk/_item.html", {"i": item, "error": error},
                      status=422 if error else 200)
    if error:
        from django.contrib import messages

        messages.error(request, error)
    return redirect(reverse("field:desk_lists", args=[item.village_list_id]) + f"#item-{item.pk}")
