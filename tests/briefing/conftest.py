import pytest

from tests.dashboards.conftest import month_cases  # noqa: F401 - the shared hand-built month


@pytest.fixture(autouse=True)
def _jobs_in_a_temporary_place(settings, tmp_path):
    """Job files go to a temporary MEDIA_ROOT (never the repository's var/), jobs run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "sync"
