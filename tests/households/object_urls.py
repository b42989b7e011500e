"""URLs of the household register's pages and API that name one household or resident, aimed at
village B (see tests/test_jurisdiction.py). name -> (method, lambda county: url). Every such URL must
answer 404 to village A's cadre."""

from __future__ import annotations


def _h(path: str):
    return lambda c: path.format(c.households["b1"].pk)


def _r(path: str):
    return lambda c: path.format(c.residents["b1"].pk)


OBJECT_URLS: dict = {
    "web:household_edit": ("post", _h("/households/{}/edit/")),
    "web:household_move": ("post", _h("/households/{}/move/")),
    "web:household_split": ("post", _h("/households/{}/split/")),
    "web:household_merge": ("post", _h("/households/{}/merge/")),
    "web:household_remove": ("post", _h("/households/{}/close/")),
    "web:resident_new": ("post", _h("/households/{}/members/new/")),
    "web:visit_new": ("post", _h("/households/{}/visits/new/")),
    "web:household_print": ("get", _h("/households/{}/print.docx")),
    "web:resident_edit": ("post", _r("/residents/{}/edit/")),
    "web:resident_status": ("post", _r("/residents/{}/status/")),
    "api:update": ("patch", _h("/api/v1/households/{}")),
    "api:move": ("post", _h("/api/v1/households/{}/move")),
    "api:split": ("post", _h("/api/v1/households/{}/split")),
    "api:merge": ("post", _h("/api/v1/households/{}/merge")),
    "api:close": ("post", _h("/api/v1/households/{}/close")),
    "api:add_member": ("post", _h("/api/v1/households/{}/residents")),
    "api:update_member": ("patch", _r("/api/v1/households/residents/{}")),
    "api:member_status": ("post", _r("/api/v1/households/residents/{}/status")),
    "api:print_file": ("get", _h("/api/v1/households/{}/print")),
}
