"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations

from typing import Any


def _shift_b(c: Any) -> Any:
    """A shift on 乙镇's roster (village A's cadre sees nothing of 乙镇), made once per county fixture."""
    if not hasattr(c, "_shift_b"):
        import datetime as dt

        from django.utils import timezone

        from minqing.accounts.models import Post, User
        from minqing.cadres.models import DutyShift

        person = User.objects.create(username="town2-staff", display_name="乙镇值班员")
        Post.objects.create(user=person, unit=c.units["town_office"], role="township_staff", region=c.town2,
                            started_on=dt.date(2020, 1, 1))
        c._shift_b = DutyShift.objects.create(region=c.town2, day=timezone.localdate(), kind="on_duty", person=person,
                                              created_at=timezone.now())
    return c._shift_b


OBJECT_URLS = {
    "cadres:shift_cancel": ("post", lambda c: f"/cadres/duty/{_shift_b(c).pk}/cancel/"),
    "api:cadres_cancel_shift": ("post", lambda c: f"/api/v1/cadres/roster/{_shift_b(c).pk}/cancel"),
}
