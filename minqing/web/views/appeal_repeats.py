"""重复件 on the case page: the earlier cases this one repeats and the later ones that repeat it, and
the dispatcher's choice on a repeat after closure (minqing.appeals.repeats)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from minqing.appeals import queries, repeats
from minqing.appeals.models import RepeatLink


def context_for(user, appeal) -> dict[str, Any]:
    links = repeats.links_of(user, appeal)
    may_decide = "assign" in queries.available_for(user, appeal) or "review" in queries.available_for(user, appeal)
    rows = []
    for link in links["earlier"]:
        rows.append({"link": link, "other": link.earlier, "way": "earlier",
                     "basis": "、".join(repeats.BASIS_LABELS.get(b, b) for b in link.basis),
                     "decision": repeats.DECISION_LABELS.get(link.decision, ""),
                     "may_decide": may_decide and not link.decision and link.earlier_closed})
    for link in links["later"]:
        rows.append({"link": link, "other": link.appeal, "way": "later",
                     "basis": "、".join(repeats.BASIS_LABELS.get(b, b) for b in link.basis),
                     "decision": repeats.DECISION_LABELS.get(link.decision, ""), "may_decide": False})
    return {"rows": rows, "count": len(links["later"])}


@login_required
@require_POST
def repeat_decide(request, pk: int, link_pk: int):
    appeal = queries.appeal_detail(request.user, pk)  # outside one's jurisdiction: 404
    link = get_object_or_404(RepeatLink, pk=link_pk, appeal=appeal)
    decision = request.POST.get("decision", "")
    try:
        repeats.decide(link, actor=request.user, decision=decision, note=(request.POST.get("note") or "").strip())
    except (ValidationError, PermissionDenied) as exc:
        msgs = getattr(exc, "messages", None)
        messages.error(request, "；".join(str(m) for m in msgs) if msgs else str(exc))
        return redirect("web:appeal", pk=pk)
    messages.success(request, f"已处理重复件：{repeats.DECISION_LABELS[decision]}")
    if decision == "reopen":
        return redirect("web:appeal", pk=link.earlier_id)
    return redirect("web:appeal", pk=pk)
