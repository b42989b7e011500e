import pytest

from tests.dashboards.conftest import month_cases  # noqa: F401 - the shared hand-built month


@pytest.fixture(autouse=True)
def _jobs_in_a_temporary_place(settings, tmp_path):
    """Job files go to a temporary MEDIA_ROOT (never the repository's var/), jobs run at once."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "sync"


@pytest.fixture(autouse=True)
def _no_claims_left_over():
    """A test that claims a job without running it would leave it in this process's list of active jobs,
    and SQLite reuses the keys of rolled-back rows: start and end each test with a clean list."""
    from minqing.jobs import runner

    runner._active.clear()
    runner._redispatched.clear()
    yield
    runner._active.clear()
    runner._redispatched.clear()


def join_job_threads(timeout: float = 60) -> None:
    """Wait for the job threads of this process to end: a thread still writing its last audit event
    holds a transaction, and the flush after a transactional test would then fail (seen on a loaded
    CI machine)."""
    import threading
    import time

    end = time.monotonic() + timeout
    for thread in [t for t in threading.enumerate() if t.name.startswith("minqing-job-")]:
        thread.join(max(0.0, end - time.monotonic()))
