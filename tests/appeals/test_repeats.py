"""Repeat appeals (重复件, issue 16 item 4): found at intake against open and recently closed cases of the
same household / reporter / place with similar text; a repeat after closure is linked, counted, and the
dispatcher reopens the earlier case or keeps the new one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from minqing.appeals import repeats, services
from minqing.appeals.models import Appeal, AppealEvent, RepeatLink
from minqing.audit.models import Event
from minqing.lib import figures

ROAD = "三组到村委会的水泥路坏了，雨天积水，请尽快修。"


def _closed(county, clock, register, **extra):
    a = register(text=ROAD, **extra)
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修路", now=clock())
    a = services.do_submit_result(a, actor=county.dept_handler, result="修好了", now=clock())
    a = services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())
    a = services.do_return_visit(a, actor=county.cadre_a, satisfaction="satisfied", now=clock())
    return services.do_close(a, actor=county.cadre_a, outcome="solved", now=clock())


@given(st.text(min_size=0, max_size=40), st.text(min_size=0, max_size=40))
def test_similarity_is_symmetric_and_bounded(a, b):
    s = repeats.similarity(a, b)
    assert 0.0 <= s <= 1.0 and s == repeats.similarity(b, a)


def test_similarity_tells_the_same_complaint_from_another():
    assert repeats.similarity(ROAD, "三组到村委会的水泥路又坏了，下雨积水") > 0.5
    assert repeats.similarity(ROAD, "低保评定不公平，希望重新评议") < 0.2


@pytest.mark.django_db
def test_a_repeat_after_closure_is_linked_with_events_and_counted(county, register, clock):
    earlier = _closed(county, clock, register)
    other = register(text="低保评定不公平，希望重新评议", phone="13900000000")  # same place, other matter
    new = register(text="三组到村委会的水泥路又坏了，下雨积水")  # same reporter's phone, similar text
    links = list(RepeatLink.objects.filter(appeal=new))
    assert [(x.earlier_id, x.earlier_closed) for x in links] == [(earlier.pk, True)]
    assert set(links[0].basis) >= {"phone", "place"}
    assert not RepeatLink.objects.filter(appeal=other).exists()
    assert AppealEvent.objects.filter(appeal=new, action="repeat_found").count() == 1
    assert AppealEvent.objects.filter(appeal=earlier, action="repeat_received").count() == 1
    assert Event.objects.filter(action="appeal.repeat_found", object_id=str(new.pk)).count() == 1
    data = figures.compute("repeats", county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert data == {"repeats": 1, "repeats_after_closure": 1, "appeals": 3, "repeat_rate": round(1 / 3, 4)}


@pytest.mark.django_db
def test_a_case_closed_long_ago_is_not_a_repeat(county, register, clock, settings):
    settings.MINQING_REPEAT_WINDOW_DAYS = 30
    _closed(county, clock, register)
    clock(24 * 45)
    new = register(text=ROAD)
    assert not RepeatLink.objects.filter(appeal=new).exists()


@pytest.mark.django_db
def test_a_repeat_of_an_open_case_is_linked_but_not_waiting_for_a_decision(county, register, clock, login):
    first = register(text=ROAD)
    new = register(text=ROAD)
    link = RepeatLink.objects.get(appeal=new)
    assert link.earlier_id == first.pk and not link.earlier_closed
    page = login(county.cadre_a).get(f"/appeals/{new.pk}/").content.decode()
    assert 'id="repeats"' in page and first.number in page
    assert 'value="reopen"' not in page  # open: merge (附议) as before, no reopen


@pytest.mark.django_db
def test_the_dispatcher_reopens_the_earlier_case(county, register, clock):
    earlier = _closed(county, clock, register)
    new = register(text=ROAD)
    link = RepeatLink.objects.get(appeal=new)
    with pytest.raises(ValidationError, match="请选择"):
        repeats.decide(link, actor=county.cadre_a, decision="maybe", now=clock())
    repeats.decide(link, actor=county.cadre_a, decision="reopen", note="路又坏了", now=clock())
    earlier.refresh_from_db()
    new.refresh_from_db()
    assert earlier.status == "in_progress" and earlier.closed_at is None and earlier.reopen_count == 1
    assert earlier.due_at > clock.t  # a new deadline from the county's rule
    assert new.status == "merged" and new.merged_into_id == earlier.pk
    assert new.reports.count() == 0 and earlier.reports.count() == 2  # the reporter joined the reopened case
    assert AppealEvent.objects.filter(appeal=earlier, action="reopen").count() == 1
    assert Event.objects.filter(action="appeal.reopen", object_id=str(earlier.pk)).count() == 1
    assert Event.objects.filter(action="appeal.repeat_decided", object_id=str(new.pk)).count() == 1
    link.refresh_from_db()
    assert link.decision == "reopen" and link.decided_by == county.cadre_a
    with pytest.raises(ValidationError, match="已处理"):
        repeats.decide(link, actor=county.cadre_a, decision="new", now=clock())
    # the reopened case closes again only after a new verification and return visit
    with pytest.raises(ValidationError):
        services.do_close(earlier, actor=county.cadre_a, outcome="solved", now=clock())


@pytest.mark.django_db
def test_the_dispatcher_keeps_it_as_a_new_case_or_says_it_is_not_one(county, register, clock):
    earlier = _closed(county, clock, register)
    new = register(text=ROAD)
    repeats.decide(RepeatLink.objects.get(appeal=new), actor=county.cadre_a, decision="new", now=clock())
    assert Appeal.objects.get(pk=earlier.pk).status == "closed_solved"
    assert Appeal.objects.get(pk=new.pk).status == "registered"
    wrong = register(text=ROAD)
    for link in RepeatLink.objects.filter(appeal=wrong):
        repeats.decide(link, actor=county.cadre_a, decision="not_repeat", now=clock())
    data = repeats.figures(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert (data["repeats"], data["appeals"]) == (1, 3)  # the wrong match is not counted


@pytest.mark.django_db
def test_only_the_dispatcher_decides(county, register, clock):
    _closed(county, clock, register)
    new = register(text=ROAD)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        repeats.decide(RepeatLink.objects.get(appeal=new), actor=county.dept_handler, decision="new", now=clock())


@pytest.mark.django_db
def test_both_pages_show_the_link_and_the_dispatcher_decides_in_the_page(county, register, clock, login):
    earlier = _closed(county, clock, register)
    new = register(text=ROAD)
    client = login(county.cadre_a)
    page = client.get(f"/appeals/{new.pk}/").content.decode()
    assert earlier.number in page and 'value="reopen"' in page
    assert new.number in client.get(f"/appeals/{earlier.pk}/").content.decode()
    link = RepeatLink.objects.get(appeal=new)
    r = client.post(f"/appeals/{new.pk}/repeats/{link.pk}/", {"decision": "reopen"})
    assert r.status_code == 302 and r["Location"].endswith(f"/appeals/{earlier.pk}/")
    assert Appeal.objects.get(pk=earlier.pk).status == "in_progress"
    listed = client.get("/appeals/?repeat=1&group=open,paused,solved,closed_unsolved,merged").content.decode()
    assert new.number in listed and earlier.number not in listed


@pytest.mark.django_db
def test_dashboard_and_briefing_show_the_rate(county, register, clock, login):
    from minqing.briefing.compose import compose
    from minqing.lib import periods

    _closed(county, clock, register)
    register(text=ROAD)
    period = periods.parse("2025-03")
    b = compose(county.county.code, period, user=county.county_leader, today=dt.date(2025, 4, 1))
    assert "收到诉求2件中重复诉求1件，重复诉求率50.00%" in b.text() and b.figures["repeat_rate"] == "50.00%"
    page = login(county.county_leader).get(f"/dashboards/{county.county.code}/?period=2025-03")
    body = page.content.decode()
    assert 'data-figure="repeat_rate"' in body and "50%" in body
