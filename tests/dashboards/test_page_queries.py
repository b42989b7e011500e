"""The county dashboard page sends a bounded number of SQL statements, and each part's rows are read
once per request (issue 18: the checklists section read its answers three times per page)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.dashboards.test_dashboards import shown

pytestmark = pytest.mark.django_db

# The page as the county leader with every section filled (parts fixture), measured at 63 statements
# (session, user, posts and the figures of each section), then 85 with the 群众工作 section (15: one per
# figure set) and the cadres card, then 78 with that section folded to 8 (demo18); a section that starts
# reading per place or per row breaks this bound.
MAX_STATEMENTS = 80


def _page(client, county):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/dashboards/{county.county.code}/?period=2024-06")
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def test_the_county_page_reads_a_bounded_number_of_statements(month_cases, parts, county, login):
    client = login(county.county_leader)
    _page(client, county)  # the first request also reads what is then cached (categories, posts)
    response, statements = _page(client, county)
    figures = shown(response)
    assert figures["checklists.failing"] == "3" and figures["disputes.found"] == "3"  # the sections are there
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)


def test_the_checklist_answers_are_read_once_per_page(month_cases, parts, county, login):
    client = login(county.county_leader)
    _page(client, county)
    _response, statements = _page(client, county)
    answers = [s for s in statements if 'FROM "checklists_checklistanswer"' in s]
    assert len(answers) == 1, answers


def _statements(client, code: str, period: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/dashboards/{code}/?period={period}")
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_page_from_the_roll_ups_reads_as_many_statements_whatever_the_places_and_months(
        month_cases, parts, county, login, settings):
    """From the pre-sums (docs/decisions/0061) the appeal figures of the place, of every place below
    and of every month of the trend are one statement: a county with more townships, a year instead of
    a month, a township instead of the county cost the same statements."""
    from django.core.management import call_command

    from minqing.regions.models import Level, Region

    settings.MINQING_ROLLUPS = True
    call_command("rollup", "rebuild", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    client = login(county.county_leader)
    code = county.county.code
    _statements(client, code, "2024-06")  # the first request reads what is then cached
    month = _statements(client, code, "2024-06")
    year = _statements(client, code, "2024")
    town = _statements(client, county.town.code, "2024")
    for n in range(2, 8):  # six more townships, each with two villages
        t = Region.objects.create(code=f"5117221{n:02d}000", name=f"新镇{n}", level=Level.TOWNSHIP,
                                  parent=county.county)
        for v in (1, 2):
            Region.objects.create(code=f"5117221{n:02d}20{v}", name=f"新村{n}{v}", level=Level.VILLAGE, parent=t)
    more = _statements(client, code, "2024")
    appeal_reads = [s for s in year if 'FROM "appeals_rollup' in s or "FROM appeals_rollup" in s]
    assert len(month) == len(year) == len(more), (len(month), len(year), len(more))
    assert len(town) <= len(year) and len(year) <= MAX_STATEMENTS, "\n".join(year)
    # the summary, the children's rows, the trend, categories and groups: one; the dispatch section and
    # 重复诉求率's denominator: one each
    assert len(appeal_reads) <= 3, "\n".join(appeal_reads)
    assert not any('FROM "appeals_appeal"' in s and "COUNT" in s and "GROUP BY" in s for s in year), \
        "an appeal figure was counted from the appeals"
