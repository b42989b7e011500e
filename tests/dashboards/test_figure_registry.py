"""The registry of the parts' figures (minqing.lib.figures): every part registers its section when
ready; a section that fails raises under the test setting and, in production, is shown marked
"此项暂时无法计算" on the dashboard, in the briefing and by /api/v1/metrics/<part>, never left out."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from minqing.briefing.compose import compose
from minqing.dashboards import figures as dashboard
from minqing.lib import figures, periods

pytestmark = pytest.mark.django_db
MESSAGE = "此项暂时无法计算"


def _boom(*_args, **_kwargs):
    raise ZeroDivisionError("a bug in the part")


@pytest.fixture
def broken(monkeypatch):
    """The disputes part's figure function, broken on purpose."""
    monkeypatch.setitem(figures._SECTIONS, "disputes", dataclasses.replace(figures.section("disputes"),
                                                                           compute=_boom))


def test_every_part_registers_its_section():
    assert [s.part for s in figures.sections()] == [
        "dispatch", "fieldwork", "people", "repeats", "checklists", "liaison", "disputes", "hotline", "cadres"]


def test_a_broken_part_raises_under_the_test_setting(broken, county):
    with pytest.raises(ZeroDivisionError):
        dashboard.build(county.county, periods.month(2024, 6), county.county_leader)
    with pytest.raises(ZeroDivisionError):
        compose(county.county.code, periods.month(2024, 6), user=county.county_leader)


def test_in_production_a_broken_part_is_shown_marked_and_logged(broken, county, login, client, bearer, settings,
                                                                 caplog):
    settings.FIGURES_RAISE = False
    with caplog.at_level(logging.ERROR, logger="minqing.lib.figures"):
        page = login(county.county_leader).get(f"/dashboards/{county.county.code}/?period=2024-06")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-unavailable="disputes"' in text and MESSAGE in text
    assert any("disputes" in r.getMessage() and r.exc_info for r in caplog.records)
    b = compose(county.county.code, periods.month(2024, 6), user=county.county_leader)
    assert any(MESSAGE in p for p in b.paragraphs) and any(r.value == MESSAGE for r in b.table)
    h = bearer(county.county_leader)
    r = client.get("/api/v1/metrics/disputes", {"region": county.county.code, "period": "2024-06"}, headers=h)
    assert r.status_code == 503 and r.json()["detail"] == MESSAGE
    # the other parts still answer
    ok = client.get("/api/v1/metrics/checklists", {"region": county.county.code, "period": "2024-06"}, headers=h)
    assert ok.status_code == 200 and "households" in ok.json()


def test_an_unknown_part_is_404(county, client, bearer):
    r = client.get("/api/v1/metrics/astrology", {"period": "2024-06"}, headers=bearer(county.county_leader))
    assert r.status_code == 404
