from __future__ import annotations

import pytest

from .helpers import make_checklist, tag, visit


@pytest.fixture
def answered(county):
    """The hand-computed fixture of test_metrics (see its docstring)."""
    from minqing.checklists.services import current_version

    checklist = make_checklist(county)
    v = current_version(checklist)
    tag(county.households["a2"], "jiance")
    tag(county.households["b2"], "jiance")
    a, b, lead = county.cadre_a, county.cadre_b, county.county_leader
    h = county.households
    visit(a, h["a1"], "02-10", v, {"income": 3500, "water": "不安全"})
    visit(a, h["a1"], "05-10", v, {"income": 4200, "water": "不安全"})
    visit(a, h["a2"], "02-11", v)
    visit(b, h["b1"], "02-12", v, {"housing": False})
    visit(b, h["b1"], "08-12", v, {"housing": True})
    visit(b, h["b2"], "05-13", v, {"income": "3900"})
    visit(lead, h["c1"], "03-01", v, {"remark": "家中老人身体尚可"})
    county.checklist, county.version = checklist, v
    return county
