import datetime as dt

import pytest


@pytest.fixture
def appeal_in(county):
    """Register an appeal in a village through the appeals service (signals index it)."""
    from minqing.appeals import services

    def make(village: str, title: str, text: str, *, phone: str = "", name: str = "", actor=None, days_ago=1):
        return services.register_appeal(
            actor=actor, region=county.regions[village], kind="problem", channel="visit", title=title, text=text,
            phone=phone, reporter_name=name,
            received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago))

    return make
