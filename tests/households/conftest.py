import pytest


@pytest.fixture(autouse=True)
def _jobs_in_a_temporary_place(settings, tmp_path):
    """Uploaded rosters and printed files go to a temporary MEDIA_ROOT (never the repository's var/);
    jobs run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "sync"
