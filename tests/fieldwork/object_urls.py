"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _made(c: Any, key: str, build) -> Any:
    """Make the village-B object once per county fixture."""
    cache = c.__dict__.setdefault("_field_b", {})
    if key not in cache:
        cache[key] = build(c)
    return cache[key]


def _when() -> dt.datetime:
    from django.utils import timezone

    return timezone.now() - dt.timedelta(days=1)


def _visit_b(c: Any) -> Any:
    from minqing.fieldwork.services import record_visit

    return _made(c, "visit", lambda c: record_visit(actor=c.cadre_b, household=c.households["b1"],
                                                    visited_at=_when(), note="乙村走访")[0])


def _activity_b(c: Any) -> Any:
    from minqing.fieldwork.services import record_activity

    return _made(c, "activity", lambda c: record_activity(actor=c.cadre_b, kind="courtyard",
                                                          region=c.village_b.code, held_at=_when())[0])


def _round_b(c: Any) -> Any:
    def build(c: Any) -> Any:
        from minqing.accounts.models import VisitTeam
        from minqing.fieldwork.models import VisitRound

        team = VisitTeam.objects.create(name="乙村走访组", region=c.village_b, year=2025)
        return VisitRound.objects.create(team=team, region=c.village_b, year=2025, number=1,
                                         started_on=dt.date(2025, 3, 1), created_at=_when(), updated_at=_when())

    return _made(c, "round", build)


def _topic_b(c: Any) -> Any:
    def build(c: Any) -> Any:
        from minqing.fieldwork.models import ResearchTopic

        return ResearchTopic.objects.create(region=c.village_b, title="乙村课题", leader=c.township_leader, year=2025,
                                            created_at=_when())

    return _made(c, "topic", build)


def _lists_b(c: Any) -> Any:
    from minqing.fieldwork.services import prepare_lists

    return _made(c, "lists", lambda c: prepare_lists(actor=c.cadre_b, village=c.village_b.code, title="乙村三张清单",
                                                     items={"policy": ["医保政策"]}))


OBJECT_URLS: dict = {
    "api:field_get_visit": ("get", lambda c: f"/api/v1/field/visits/{_visit_b(c).pk}"),
    "api:field_get_activity": ("get", lambda c: f"/api/v1/field/activities/{_activity_b(c).pk}"),
    "api:field_get_round": ("get", lambda c: f"/api/v1/field/rounds/{_round_b(c).pk}"),
    "api:field_round_leader": ("post", lambda c: f"/api/v1/field/rounds/{_round_b(c).pk}/leader"),
    "api:field_round_results": ("post", lambda c: f"/api/v1/field/rounds/{_round_b(c).pk}/results"),
    "api:field_get_topic": ("get", lambda c: f"/api/v1/field/topics/{_topic_b(c).pk}"),
    "api:field_get_lists": ("get", lambda c: f"/api/v1/field/lists/{_lists_b(c).pk}"),
    "api:field_tick_item": ("post", lambda c: f"/api/v1/field/list-items/{_lists_b(c).items.first().pk}/tick"),
}


def _subtopic_b(c: Any) -> Any:
    def build(c: Any) -> Any:
        from minqing.fieldwork.models import ResearchSubtopic

        topic = _topic_b(c)
        return ResearchSubtopic.objects.create(topic=topic, region=c.village_b, title="乙村子课题",
                                               leader=c.township_leader, created_at=_when())

    return _made(c, "subtopic", build)


# The desk pages (minqing/fieldwork/pages.py).
def _photo_b(c: Any) -> Any:
    def build(c: Any) -> Any:
        import io

        from PIL import Image

        from minqing.fieldwork.photos import Photo, store_for_visit

        buf = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buf, "JPEG")
        return store_for_visit(_visit_b(c), [Photo("b.jpg", buf.getvalue(), "image/jpeg")], actor=c.cadre_b,
                               now=_when())[0]

    return _made(c, "photo", build)


OBJECT_URLS.update({
    "field:photo": ("get", lambda c: f"/field/photos/{_photo_b(c).pk}/"),
    "field:desk_activity": ("get", lambda c: f"/field/desk/activities/{_activity_b(c).pk}/"),
    "field:desk_topic": ("get", lambda c: f"/field/desk/topics/{_topic_b(c).pk}/"),
    "field:desk_topic_subtopic_add": ("post", lambda c: f"/field/desk/topics/{_topic_b(c).pk}/subtopics/"),
    "field:desk_topic_conclusions": ("post", lambda c: f"/field/desk/topics/{_topic_b(c).pk}/conclusions/"),
    "field:desk_subtopic_findings": ("post", lambda c: f"/field/desk/subtopics/{_subtopic_b(c).pk}/findings/"),
    "field:desk_round": ("get", lambda c: f"/field/desk/rounds/{_round_b(c).pk}/"),
    "field:desk_round_results": ("post", lambda c: f"/field/desk/rounds/{_round_b(c).pk}/results/"),
    "field:desk_round_leader": ("post", lambda c: f"/field/desk/rounds/{_round_b(c).pk}/leader/"),
    "field:desk_lists": ("get", lambda c: f"/field/desk/lists/{_lists_b(c).pk}/"),
    "field:desk_item_tick": ("post", lambda c: f"/field/desk/list-items/{_lists_b(c).items.first().pk}/tick/"),
})


def _care_b(c: Any) -> Any:
    from minqing.fieldwork.care import open_care_file

    return _made(c, "care", lambda c: open_care_file(actor=c.cadre_b, resident=c.residents["b1"],
                                                     kind="living_alone"))


OBJECT_URLS.update({  # 关爱服务档案 and the household's members (issue 19)
    "field:desk_care_file": ("get", lambda c: f"/field/desk/care/{_care_b(c).pk}/"),
    "field:desk_care_close": ("post", lambda c: f"/field/desk/care/{_care_b(c).pk}/close/"),
    "api:field_get_care": ("get", lambda c: f"/api/v1/field/care/{_care_b(c).pk}"),
    "api:field_close_care": ("post", lambda c: f"/api/v1/field/care/{_care_b(c).pk}/close"),
    "api:field_household_members": ("get", lambda c: f"/api/v1/field/households/{c.households['b1'].pk}/members"),
})
