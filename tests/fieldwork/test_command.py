import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minqing.fieldwork import services
from minqing.fieldwork.models import QuotaRule

from .conftest import at

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("field", *args, stdout=out)
    return out.getvalue()


def test_field_command(aged_county):
    c = aged_county
    services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"))
    coverage = json.loads(run("coverage", "--region", c.county.code, "--period", "2025-03"))
    assert (coverage["households"], coverage["visited"]) == (6, 1)
    assert json.loads(run("funnel", "--region", c.county.code, "--period", "2025")) == \
        {"visited": 0, "found": 0, "township": 0, "county": 0}
    assert "考核规则" in run("install-quotas", "--county", c.county.code)
    assert QuotaRule.objects.filter(region=c.county).count() == 4
    rows = json.loads(run("quotas", "--region", c.county.code, "--period", "2025-Q1"))
    assert {r["rule"] for r in rows} >= {"onsite_office"}
    with pytest.raises(CommandError, match="统计期间"):
        run("coverage", "--region", c.county.code, "--period", "2025-13")
    with pytest.raises(CommandError, match="县级"):
        run("install-quotas", "--county", c.town.code)
