"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

OBJECT_URLS: dict = {
    "dashboards:region": ("get", lambda c: f"/dashboards/{c.village_b.code}/"),
    "dashboards:cases": ("get", lambda c: f"/dashboards/{c.village_b.code}/cases/?figure=received"),
}
