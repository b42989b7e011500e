from tests.appeals.conftest import clock, register  # noqa: F401 - the same clock and registering helper
