"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre.

The portal has none: its public routes (`portal/`, `api/v1/portal/`) are exempt there, since
they take a tracking code, not an object id. tests/portal/test_tracking.py proves that a code is
the only key (ids and appeal numbers open nothing) and that no personal data leaks."""

OBJECT_URLS: dict = {}
