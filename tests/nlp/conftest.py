import datetime as dt

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write as if its transaction committed (the search index follows after commit)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def appeal_in(county, committed):
    """Register an appeal in a village through the appeals service (indexed once it commits)."""
    from minqing.appeals import services

    def make(village: str, title: str, text: str, *, phone: str = "", name: str = "", actor=None, days_ago=1):
        return committed(
            services.register_appeal, actor=actor, region=county.regions[village], kind="problem", channel="visit",
            title=title, text=text, phone=phone, reporter_name=name,
            received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago))

    return make
