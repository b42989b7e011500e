"""更正类型: the page over appeals.reclassify — kind and sensitivity of a case, with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.appeals import queries
from minqing.appeals import workflow as wf
from minqing.appeals.models import KIND_NAMES, Appeal, Sensitivity
from minqing.appeals.reclassify import reclassify
from minqing.regions import jurisdiction

from .appeals import _message


@login_required
def appeal_reclassify(request, pk: int):
    appeal = queries.appeal_detail(request.user, pk)
    error = ""
    if request.method == "POST":
        try:
            row = reclassify(appeal, actor=request.user, reason=request.POST.get("reason", ""),
                             kind=request.POST.get("kind") or None,
                             sensitivity=request.POST.get("sensitivity") or None)
        except (ValidationError, PermissionDenied) as exc:
            error = _message(exc)
        else:
            messages.success(request, _("The kind of %(n)s was corrected") % {"n": row.number})
            if jurisdiction.visible(request.user, Appeal).filter(pk=row.pk).exists():
                return redirect("web:appeal", pk=row.pk)
            messages.info(request, _("The case is now protected and no longer shown to you."))
            return redirect("web:appeals")
    return render(request, "web/appeals/reclassify.html", {
        "appeal": appeal, "error": error, "kinds": [(k.value, KIND_NAMES[k]) for k in wf.Kind],
        "sensitivities": [(s.value, s.label) for s in Sensitivity if s != Sensitivity.MISCONDUCT],
        "posted": request.POST if request.method == "POST" else {},
    }, status=422 if error else 200)
