"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations

from typing import Any


def _answer_b(c: Any) -> Any:
    """A failed checklist answer on a visit to b1 (made once per county fixture)."""
    cache = c.__dict__.setdefault("_checklists_b", {})
    if "answer" not in cache:
        from minqing.checklists.models import ChecklistAnswer
        from minqing.checklists.services import current_version

        from .helpers import make_checklist, visit

        v = current_version(make_checklist(c))
        vis = visit(c.cadre_b, c.households["b1"], "03-01", v, {"housing": False})
        cache["answer"] = ChecklistAnswer.objects.get(response__visit=vis, item__code="housing")
    return cache["answer"]


OBJECT_URLS: dict = {
    "api:checklist_answer_visit": ("post", lambda c: f"/api/v1/checklists/visits/{_answer_b(c).response.visit_id}"
                                                     "/answers"),
    "api:checklist_visit_answers": ("get", lambda c: f"/api/v1/checklists/visits/{_answer_b(c).response.visit_id}"
                                                     "/answers"),
    "api:checklist_raise_appeal": ("post", lambda c: f"/api/v1/checklists/answers/{_answer_b(c).pk}/appeal"),
    "checklists:household": ("get", lambda c: f"/checklists/households/{_answer_b(c).household_id}/"),
    "checklists:raise_appeal": ("post", lambda c: f"/checklists/answers/{_answer_b(c).pk}/appeal/"),
}
