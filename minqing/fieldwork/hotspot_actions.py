"""What a hot spot of residents' appeals (nlp.reports) becomes in field work: a courtyard meeting
(院坝会) recorded now, or a research topic led by the user. Registered with nlp when fieldwork is ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import services as field


def courtyard(user: Any, *, region_code: str, title: str, note: str, now: dt.datetime) -> tuple[str, Any]:
    activity, _created = field.record_activity(actor=user, kind="courtyard", region=region_code, held_at=now,
                                               topic=title, note=note, leader=user, now=now)
    return "activity", activity


def research(user: Any, *, region_code: str, title: str, note: str, now: dt.datetime) -> tuple[str, Any]:
    topic = field.create_topic(actor=user, region=region_code, title=f"{title}（热点调研）"[:200], leader=user,
                               year=now.year, plan=note, now=now)
    return "research_topic", topic


def register() -> None:
    from minqing.nlp.reports import register_turner

    register_turner("courtyard", courtyard)
    register_turner("research", research)
