"""Each role's home shows what it must do today, and nothing outside its jurisdiction."""

from __future__ import annotations

import pytest

from minqing.appeals import services

pytestmark = pytest.mark.django_db


def _section(page: str, key: str) -> str:
    start = page.index(f'id="sec-{key}"')
    return page[start:page.index("</section>", start)]


def test_a_village_cadre_sees_their_cases_warnings_and_return_visits(county, stages, login):
    mine = stages.registered(title="甲村待研判的路灯")
    late = stages.overdue(title="甲村逾期的水渠")
    back = stages.verified()
    b = stages.registered(region=county.village_b.code, actor=county.cadre_b, title="乙村的事")
    page = login(county.cadre_a).get("/").content.decode()
    assert mine.title in _section(page, "mine")
    assert late.title in _section(page, "warnings") and "红牌" in _section(page, "warnings")
    assert back.title in _section(page, "return_visits")
    assert b.title not in page
    assert "本单位待办" not in page and "本周受理" not in page


def test_the_cadre_home_lists_households_due_for_a_visit_when_field_work_has_a_plan(county, login):
    import datetime as dt

    page = login(county.cadre_a).get("/").content.decode()
    try:
        from minqing.fieldwork import plans
    except ImportError:  # field work's plan not built: the section is left out, the page still works
        assert 'id="sec-visits"' not in page
        return
    due = list(plans.due_for(county.cadre_a, dt.date.today()))
    assert due, "households never visited are due"
    section = _section(page, "visits")
    for item in due[:3]:
        assert str(getattr(item, "household", item)) in section
    assert "乙村" not in section


def test_a_department_handler_sees_its_queue_by_deadline(county, stages, login):
    from django.utils import timezone

    from minqing.appeals.models import Appeal

    later = stages.assigned(title="晚到期的")
    sooner = stages.assigned(title="早到期的")
    Appeal.objects.filter(pk=sooner.pk).update(due_at=timezone.now() + timezone.timedelta(days=1))
    unassigned = stages.registered(title="还没交办的")
    page = login(county.dept_handler).get("/").content.decode()
    queue = _section(page, "queue")
    assert queue.index(sooner.title) < queue.index(later.title)
    assert unassigned.title not in page
    assert 'id="unit-numbers"' in page


def test_a_township_leader_sees_overdue_supervised_escalations_and_the_week(county, stages, login):
    late = stages.overdue(title="逾期的路")
    sup = services.do_supervise(stages.assigned(title="督办的桥"), actor=county.township_leader)
    up = services.do_escalate(stages.registered(title="上报的地"), actor=county.cadre_a, reason="村里解决不了")
    other_town = stages.registered(region=county.village_c.code, actor=county.county_leader, title="乙镇的事")
    page = login(county.township_leader).get("/").content.decode()
    assert late.title in _section(page, "overdue")
    assert sup.title in _section(page, "supervised")
    assert up.title in _section(page, "escalations")
    assert other_town.title not in page
    week = page[page.index('id="week"'):]
    assert "本周受理" in week and "满意率" in week and "?from=" in week


def test_the_weeks_numbers_are_the_metric_functions(county, stages, login):
    import datetime as dt

    from django.utils import timezone

    from minqing.appeals import metrics

    for _ in range(3):
        stages.registered()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    s = metrics.county_summary(county.town.code, monday, today, user=county.township_leader)
    page = login(county.township_leader).get("/").content.decode()
    week = page[page.index('id="week"'):page.index("</section>", page.index('id="week"'))]
    assert f'<span class="n">{s.received}</span><span class="l">本周受理</span>' in week
    assert s.received == 3


def test_a_county_leader_sees_escalations_to_the_county(county, stages, login):
    a = stages.registered(title="县里研判的事")
    services.do_escalate(a, actor=county.cadre_a, reason="上报乡镇")
    services.do_escalate(a, actor=county.township_leader, reason="上报县里")
    page = login(county.county_leader).get("/").content.decode()
    assert a.title in _section(page, "escalations")


def test_the_discipline_inspector_sees_misconduct_reports(county, stages, login):
    report = stages.registered(kind="misconduct", title="反映村干部优亲厚友")
    assert report.title in _section(login(county.inspector).get("/").content.decode(), "misconduct")
    assert report.title not in login(county.cadre_a).get("/").content.decode()


def test_the_navigation_links_only_to_pages_that_exist(county, login):
    from django.urls import NoReverseMatch, reverse

    page = login(county.cadre_a).get("/").content.decode()
    assert 'href="/appeals/"' in page and 'href="/households/"' in page
    for name, path in (("field:home", "/field/"), ("dashboards:home", "/dashboards/"), ("jobs:list", "/jobs/")):
        try:
            reverse(name)
        except NoReverseMatch:
            assert f'href="{path}"' not in page
        else:
            assert f'href="{path}"' in page


@pytest.mark.parametrize("persona", ["admin", "outsider", "mediator_a", "civil_staff"])
def test_every_persona_gets_a_home(county, stages, login, persona):
    stages.registered(title="甲村的一件事")
    response = login(getattr(county, persona)).get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "登记诉求" in page
    if persona == "outsider":
        assert "甲村的一件事" not in page


def test_the_home_speaks_english_on_request(county, login):
    page = login(county.cadre_a).get("/", headers={"Accept-Language": "en"}).content.decode()
    assert "Register an appeal" in page and "登记诉求" not in page
