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
