"""Pages: the dispute list (with the seeds' sentence), one dispute with simple forms for a session
and an agreement, and the risk list. Server-rendered; work without JavaScript."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.appeals import access
from minqing.appeals import workflow as wf
from minqing.households import crypto
from minqing.lib.workdays import TZ
from minqing.portal import codes
from minqing.regions import jurisdiction

from . import metrics, parties, queries, services
from .models import (
    AgreementStatus,
    DisputeKind,
    PartyAccess,
    PartyKind,
    ReferralTo,
    RiskLevel,
    SessionResult,
    StageKind,
    Venue,
)


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def _error(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


def _step(request: HttpRequest, d, done: str, step: Callable[[], object]) -> HttpResponse:
    """One service step from a form: its Chinese errors or `done`, then back to the dispute's page."""
    try:
        step()
        messages.success(request, done)
    except ValidationError as exc:
        _error(request, exc)
    return redirect("disputes:detail", pk=d.pk)


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    try:
        qs = queries.disputes_for(request.user, region=g.get("region") or None, kind=g.get("kind") or None,
                                  risk=g.get("risk") or None, phase=g.get("phase") or None, q=g.get("q"))
    except ValidationError as exc:
        _error(request, exc)
        qs = queries.disputes_for(request.user)
    page = Paginator(qs, 50).get_page(g.get("page"))
    rows = [(d, services.phase(d)) for d in page.object_list]
    scope = jurisdiction.scope_of(request.user)
    home = scope.home_code()
    today = _today()
    figures = metrics.summary(home, today.replace(month=1, day=1), today, user=request.user) if home else None
    return render(request, "disputes/list.html", {
        "page": page, "rows": [(d, p, services.PHASE_LABELS[p]) for d, p in rows], "figures": figures,
        "kinds": DisputeKind.objects.filter(is_active=True), "risks": RiskLevel.choices,
        "phases": list(services.PHASE_LABELS.items()), "filters": g,
    })


def _may(request: HttpRequest, appeal, action: str) -> bool:
    return access.may_act(jurisdiction.scope_of(request.user), appeal, action)


@login_required
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)
    p = services.phase(d)
    stage = services.current_stage(d)
    status = wf.Status(d.appeal.status)
    issued = {a.party_id: a.issued_at for a in PartyAccess.objects.alive().filter(party__dispute=d,
                                                                                  revoked_at__isnull=True)}
    return render(request, "disputes/detail.html", {
        "d": d, "phase": p, "phase_label": services.PHASE_LABELS[p],
        "status_label": wf.STATUS_LABELS[status], "stages": d.stages.alive(),
        "parties": [(party, issued.get(party.pk)) for party in d.parties.alive()],
        "party_kinds": PartyKind.choices, "risk_levels": RiskLevel.choices,
        "open": p in ("screening", "mediating", "performing"),
        "one_side": len({side for side in d.parties.alive().values_list("side", flat=True)}) < 2,
        "sessions": d.sessions.alive().select_related("stage"), "reviews": d.risk_reviews.alive(),
        "agreements": d.agreements.alive().prefetch_related("terms"), "referrals": d.referrals.alive(),
        "follow_ups": d.follow_ups.alive().prefetch_related("checks__term"),
        "can_session": stage is not None and status in services.HANDLING_STATES
        and _may(request, d.appeal, "add_progress"),
        "can_agree": stage is not None and status in services.HANDLING_STATES
        and _may(request, d.appeal, "submit_result"),
        "venues": Venue.choices, "results": SessionResult.choices, "today": _today(),
        "stage_kinds": StageKind.choices, "referral_to": ReferralTo.choices,
        "can_stage": d.outcome != "referred" and status in services.TRIAGE_STATES | services.HANDLING_STATES
        and _may(request, d.appeal, "assign"),
        "can_refer": d.outcome != "referred" and status in services.TRIAGE_STATES | services.HANDLING_STATES
        and _may(request, d.appeal, "suspend"),
        "performing": d.agreements.alive().filter(status=AgreementStatus.PERFORMING).prefetch_related("terms").first()
        if status in (wf.Status.AWAITING_VERIFICATION, wf.Status.AWAITING_RETURN_VISIT)
        and _may(request, d.appeal, "verify") else None,
        "current_stage": stage,
        "party_messages": d.party_messages.alive().select_related("party", "term"),
        "can_code": d.deleted_at is None and _may(request, d.appeal, "add_progress"),
        "review_overdue": bool(d.next_review_on and d.next_review_on < _today()
                               and p in ("screening", "mediating", "performing")),
    })


@login_required
@require_POST
def add_session(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)  # 404 first: outside the jurisdiction nothing exists
    f = request.POST
    attendees = [n.strip() for n in f.get("attendees", "").replace("，", ",").split(",") if n.strip()]
    return _step(request, d, _("The session was recorded."), lambda: services.add_session(
        d, actor=request.user, outcome=f.get("outcome", ""), venue=f.get("venue") or "", place=f.get("place", ""),
        held_at=f.get("held_at") or None, attendees=attendees, result=f.get("result") or SessionResult.CONTINUE))


def _terms(text: str) -> list[dict]:
    """One term a line: 'what is to be done | 2025-04-01'."""
    terms = []
    for n, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), start=1):
        what, _sep, due = line.replace("｜", "|").rpartition("|")
        if not what.strip():
            raise ValidationError(f"第{n}行应写成“条款内容 | 履行期限（如 2025-04-01）”")
        terms.append({"text": what.strip(), "due_on": due.strip()})
    return terms


@login_required
@require_POST
def add_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    return _step(request, d, _("The agreement was recorded."), lambda: services.record_agreement(
        d, actor=request.user, summary=f.get("summary", ""), signed_on=f.get("signed_on") or None,
        terms=_terms(f.get("terms", "")), photo=request.FILES.get("photo")))


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region") or None
    overdue = request.GET.get("overdue") == "1"
    try:
        rows = queries.risk_list(request.user, region=region, overdue_only=overdue)
    except ValidationError as exc:
        _error(request, exc)
        rows = queries.risk_list(request.user, overdue_only=overdue)
    return render(request, "disputes/risks.html", {
        "rows": rows, "overdue": overdue, "region": region or "",
        "late": sum(1 for r in rows if r.review_overdue), "today": _today(),
    })


@login_required
@require_POST
def start_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Start mediation, or hand it on to the next stage with the reason."""
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    return _step(request, d, _("The mediation stage was started."), lambda: services.start_stage(
        d, actor=request.user, kind=f.get("kind", ""), body=f.get("body", ""),
        mediator_name=f.get("mediator_name", ""), due=f.get("due") or None, reason=f.get("reason", ""),
        mediator=request.user if f.get("self") == "1" else None))


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """履行回访: one kept/broken choice per pending term of the agreement being performed."""
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    checks = [{"term": int(key.removeprefix("term_")), "kept": value == "kept"}
              for key, value in f.items() if key.startswith("term_") and key[5:].isdigit() and value in ("kept",
                                                                                                         "broken")]
    return _step(request, d, _("The follow-up visit was recorded."), lambda: services.follow_up(
        d, actor=request.user, checks=checks, method=f.get("method", ""), note=f.get("note", "")))


@login_required
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    return _step(request, d, _("The dispute was referred."), lambda: services.refer(
        d, actor=request.user, to=f.get("to", ""), body=f.get("body", ""), reason=f.get("reason", "")))


# --- party codes and messages (parties.py) ------------------------------------------------------

SESSION_SLIP = "disputes_party_slip"


@login_required
@require_POST
def party_code(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    """A new code for one party; shown once, on the slip to print (the old code stops working)."""
    d = queries.dispute_detail(request.user, pk)
    p = get_object_or_404(d.parties.alive(), pk=party)
    code = parties.issue_code(d, p, actor=request.user)
    # encrypted in the session until the slip is printed: the session table never holds the code
    request.session[SESSION_SLIP] = {"party": p.pk, "code": crypto.encrypt(codes.display(code))}
    return redirect("disputes:party_slip", pk=d.pk, party=p.pk)


@login_required
def party_slip(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    """告知单: the code, once (taken out of the session as it is shown), and how to use it."""
    d = queries.dispute_detail(request.user, pk)
    p = get_object_or_404(d.parties.alive(), pk=party)
    slip = request.session.get(SESSION_SLIP)
    code = None
    if slip and slip.get("party") == p.pk:
        code = crypto.decrypt(request.session.pop(SESSION_SLIP)["code"])
    response = render(request, "disputes/slip.html", {
        "d": d, "party": p, "side": parties.side_label(p.side), "code": code,
        "url": request.build_absolute_uri(reverse("mediation:look_up"))})
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_POST
def party_revoke(request: HttpRequest, pk: int, party: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)
    p = get_object_or_404(d.parties.alive(), pk=party)
    if parties.revoke_codes(d, p, actor=request.user):
        messages.success(request, _("The party's code no longer works."))
    return redirect("disputes:detail", pk=d.pk)


@login_required
@require_POST
def messages_read(request: HttpRequest, pk: int) -> HttpResponse:
    d = queries.dispute_detail(request.user, pk)
    parties.mark_read(d, actor=request.user)
    return redirect("disputes:detail", pk=d.pk)


@login_required
@require_POST
def add_party(request: HttpRequest, pk: int) -> HttpResponse:
    """Another party (the other side of a dispute registered as a plain appeal, a side found later)."""
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    try:
        side = int(f.get("side") or 0)
    except ValueError:
        side = 0
    return _step(request, d, _("The party was added."), lambda: services.add_party(
        d, actor=request.user, side=side, kind=f.get("kind") or "resident", name=f.get("name", ""),
        claim=f.get("claim", "")))


@login_required
@require_POST
def review_risk(request: HttpRequest, pk: int) -> HttpResponse:
    """排查研判 on the page: the level, the risks, a note, the next review (default by level)."""
    d = queries.dispute_detail(request.user, pk)
    f = request.POST
    return _step(request, d, _("The risk review was recorded."), lambda: services.review_risk(
        d, actor=request.user, level=f.get("level", ""), risks=f.getlist("risks"), note=f.get("note", ""),
        next_review_on=f.get("next_review_on") or None))
