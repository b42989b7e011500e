"""What a server worker loads once before it answers anyone (minqing/wsgi.py), so the first request a
worker answers is not the slow one (docs/decisions/0061: with one warm-up request, the dashboard's p95 of
20 requests was the other worker's first page — its templates compiled, its translation catalogues read,
its static-file manifest loaded — at 2–3× the median):

- every template of the project's apps compiled into the cached loader;
- the translation catalogues of every language read;
- the static-file manifest read;
- then the objects alive at that point moved out of the garbage collector's reach (gc.freeze): they
  live as long as the worker, and a full collection no longer walks them — the ~10⁵ objects of Django,
  the URL patterns and the compiled templates made each full collection a pause of tens of ms in the
  middle of some request.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parents[1]


def templates() -> int:
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    n = 0
    for folder in sorted(PACKAGE.glob("*/templates")):
        for path in sorted(folder.rglob("*.html")):
            try:
                get_template(path.relative_to(folder).as_posix())
                n += 1
            except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment only another template can parse
                continue
    return n


_PROBE = "Dashboards"  # a variable, not a literal: nothing for makemessages to extract


def catalogues() -> None:
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext(_PROBE)  # any message: loading the catalogues is the point


def static_manifest() -> None:
    from django.templatetags.static import static

    try:
        static("dashboards/charts.js")
    except ValueError:  # not collected (tests, DEBUG): the page would say so too
        pass


def warm() -> None:
    t0 = time.perf_counter()
    try:
        n = templates()
        catalogues()
        static_manifest()
    except Exception:  # noqa: BLE001 - warming is an optimisation: a worker must start whatever happens here
        log.exception("warming the worker failed")
        n = 0
    gc.collect()
    gc.freeze()
    log.info("worker warmed: %d templates in %.0f ms", n, (time.perf_counter() - t0) * 1e3)
