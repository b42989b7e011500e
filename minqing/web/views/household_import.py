"""The 花名册 import page: upload; when the headers are not the documented ones, a column-mapping step;
then a background job with its progress bar (minqing.households.jobs)."""

from __future__ import annotations

import datetime as dt
import uuid
from itertools import islice
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.households.imports import columns as cols
from minqing.households.imports.reading import CellError, iter_rows
from minqing.households.imports.sample import HEADERS
from minqing.households.jobs import stored_file
from minqing.jobs import runner
from minqing.jobs.kinds import IMPORT_DIR
from minqing.jobs.views import MAX_UPLOAD
from minqing.web.household_forms import ImportForm, MappingForm


def _headers(stored: str) -> list[str]:
    """The most header-like of the file's first ten lines (the most known column names, then cells)."""
    rows = [[cols.cells.text(c) for c in raw] for raw in islice(iter_rows(default_storage.path(stored)), 10)]
    return max(rows, key=lambda r: (len(cols.detect(r)), sum(1 for c in r if c)), default=[])


def _needs_mapping(stored: str) -> bool:
    try:
        cols.find_header(enumerate(iter_rows(default_storage.path(stored)), start=1), {})
    except CellError:
        return True
    return False


def _submit(request: HttpRequest, params: dict) -> HttpResponse:
    job = runner.submit("household_import", owner=request.user, params=params)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def household_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.user, request.POST or None, request.FILES or None)
    context = {"form": form, "headers": HEADERS, "documented": cols.COLUMNS}
    if request.method == "POST" and request.POST.get("stored"):
        return _mapped(request)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".xlsx", ".csv") or upload.size > MAX_UPLOAD:
            form.add_error("file", _("Only .xlsx or .csv files up to 20 MB can be imported."))
            return render(request, "web/households/import.html", context)
        stored = default_storage.save(f"{IMPORT_DIR}/{dt.date.today():%Y%m}/{uuid.uuid4().hex}{suffix}", upload)
        params = {"region": form.cleaned_data["region"], "file": stored, "name": Path(upload.name).name,
                  "dry_run": form.cleaned_data["dry_run"]}
        try:
            if _needs_mapping(stored):
                request.session["household_import"] = params
                return render(request, "web/households/mapping.html",
                              {"form": MappingForm(_headers(stored), initial=_guess(stored)), "params": params})
            return _submit(request, params)
        except (ValidationError, PermissionDenied, CellError) as exc:
            form.add_error(None, "；".join(getattr(exc, "messages", [])) or str(exc))
    return render(request, "web/households/import.html", context)


def _guess(stored: str) -> dict[str, str]:
    headers = _headers(stored)
    return {key: headers[i] for key, i in cols.detect(headers).items()}


def _mapped(request: HttpRequest) -> HttpResponse:
    """The mapping step's answer: the file kept in the session (never a path from the form)."""
    params = request.session.get("household_import") or {}
    try:
        stored = stored_file(params.get("file"))
    except ValidationError:
        return redirect("web:households_import")
    form = MappingForm(_headers(stored), request.POST)
    if form.is_valid():
        mapping = {k: v for k, v in form.cleaned_data.items() if v}
        _columns, problems = cols.apply_mapping(_headers(stored), mapping)
        if not problems:
            request.session.pop("household_import", None)
            try:
                return _submit(request, {**params, "mapping": mapping})
            except (ValidationError, PermissionDenied) as exc:
                problems = list(getattr(exc, "messages", [str(exc)]))
        form.add_error(None, problems)
    return render(request, "web/households/mapping.html", {"form": form, "params": params})
