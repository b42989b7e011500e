"""The roll-up tables (appeals.rollups, rollup_store, metric_read) against the raw definitions.

Appeals go through the real services with a varied history; after every step the tables must equal
what a rebuild from the raw rows gives (a service that forgot its delta fails here), and at the end
the dashboard's figures from the roll-ups must equal the figures computed from the appeals, for the
county and a township, a month, a quarter and the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from minqing.accounts.models import Unit
from minqing.appeals import cohandling, metric_read, metrics, repeats, rollup_store, rollups, services, transition
from minqing.appeals.dispatch_metrics import section as dispatch_section
from minqing.appeals.models import Appeal, AppealRollup, AppealRollupHousehold, AppealRollupUp, Category, RepeatLink
from minqing.appeals.reclassify import reclassify
from minqing.appeals.rollup_check import differences

pytestmark = pytest.mark.django_db


@pytest.fixture
def on(settings):
    settings.MINQING_ROLLUPS = True


def _tables() -> tuple[Counter, dict]:
    counts = Counter({(r.fig, r.region, r.month, r.month2, r.part, r.channel, r.hidden): r.n
                      for r in AppealRollup.objects.all() if r.n})
    homes = {(r.region, r.month, r.household, r.channel, r.hidden): (r.found, r.to_township, r.to_county)
             for r in AppealRollupHousehold.objects.all() if (r.found, r.to_township, r.to_county) != (0, 0, 0)}
    return counts, homes


def _from_raw() -> tuple[Counter, dict]:
    total = rollups.total(rollup_store.facts_of(Appeal.objects.values_list("pk", flat=True)).values()).nonzero()
    return total.counts, total.households


def _up() -> Counter:
    return Counter({(r.fig, r.region, r.depth, r.month, r.month2, r.part, r.channel, r.hidden): r.n
                    for r in AppealRollupUp.objects.all() if r.n})


def _split(up: Counter) -> tuple[Counter, Counter]:
    """The pre-sums of the counters, and the distinct-household counters."""
    homes = Counter({k: n for k, n in up.items() if k[0] in rollups.HH_FIGS})
    return Counter({k: n for k, n in up.items() if k[0] not in rollups.HH_FIGS}), homes


def kept(step: str) -> None:
    tables = _tables()
    assert tables == _from_raw(), f"roll-ups drifted after {step}"
    sums, homes = _split(_up())
    assert sums == rollups.up(tables[0]), f"the townships' and counties' pre-sums drifted after {step}"
    assert homes == rollup_store.household_counters(), f"the wider places' household counts drifted after {step}"


def _assigned(county, clock, register, days: float = 10, **extra):
    a = register(**extra)
    return services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                              measures="修补路面", due=clock() + dt.timedelta(days=days), now=clock())


def _history(county, register, clock) -> None:
    """One case of each kind of history, the tables checked after every step."""
    road = Category.objects.filter(is_active=True).order_by("pk").first()
    a = register(household=county.households[next(iter(county.households))].pk)
    kept("register")
    services.do_solve_on_spot(a, actor=county.cadre_a, what="当场协调", satisfaction="satisfied", now=clock())
    kept("solve_on_spot")
    services.do_explain_policy(register(), actor=county.cadre_a, text="不符合政策", now=clock())
    kept("explain_policy")

    b = _assigned(county, clock, register, days=3)
    kept("assign")
    b = services.do_request_extension(b, actor=county.dept_handler, days=10, reason="资金审批", now=clock())
    b = services.do_approve_extension(b, actor=county.county_leader, days=7, now=clock())
    kept("extension")
    b = services.do_submit_result(b, actor=county.dept_handler, result="已修复", now=clock(24 * 40))  # late
    b = services.do_verify(b, actor=county.cadre_a, passed=True, now=clock())
    b = services.do_return_visit(b, actor=county.cadre_a, satisfaction="unsatisfied", now=clock())
    kept("return visit that reopens")
    b = services.do_submit_result(b, actor=county.dept_handler, result="已返工", now=clock())
    b = services.do_verify(b, actor=county.cadre_a, passed=True, now=clock())
    b = services.do_return_visit(b, actor=county.cadre_a, satisfaction="basically_satisfied", now=clock())
    b = services.do_close(b, actor=county.cadre_a, outcome="solved", told="电话", now=clock())
    kept("closed late")
    services.do_reopen(b, actor=county.cadre_a, reason="群众再次反映", now=clock(24 * 3))
    kept("reopen")

    c = register(household=county.households[next(iter(county.households))].pk)
    c = services.do_escalate(c, actor=county.cadre_a, reason="村级无法解决", now=clock())
    c = services.do_escalate(c, actor=county.township_leader, reason="涉及县级部门", now=clock())
    kept("escalate")
    services.do_review(c, actor=county.county_leader, decision="assign", unit=county.units["housing"].pk,
                       person=county.dept_handler.pk, measures="县里办", now=clock())
    kept("review")

    transport = Unit.objects.create(name="县交通运输局", kind="department", function="transport",
                                    region=county.county)
    g = register(title="道路塌陷")
    g = services.do_assign(g, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修复", co_units=[transport.pk], due=clock() + dt.timedelta(days=10), now=clock())
    kept("assign with a co-unit")
    g = cohandling.do_return(g, actor=county.admin, unit=transport.pk, reason="不属交通", now=clock())
    kept("return (退单)")
    g = cohandling.do_reject_return(g, actor=county.cadre_a, reason="属交通职责", now=clock())
    g = cohandling.do_co_reply(g, actor=county.admin, unit=transport.pk, reply="已恢复路面", now=clock(24 * 20))
    kept("co-unit answers late")
    links = list(RepeatLink.objects.filter(decision="").order_by("pk")[:2])
    assert len(links) == 2  # every case of the fixture repeats the first one's text and phone
    for link, decision in zip(links, ("new", "not_repeat"), strict=True):
        try:
            repeats.decide(link, actor=county.cadre_a, decision=decision, now=clock())
        except Exception:  # noqa: BLE001 - the decision may need another actor; then decide it as the admin
            repeats.decide(link, actor=county.admin, decision=decision, now=clock())
        kept(f"repeat decided {decision}")

    d = _assigned(county, clock, register, days=30)
    d = services.do_submit_result(d, actor=county.dept_handler, result="提前办好", now=clock())
    d = services.do_verify(d, actor=county.cadre_a, passed=True, now=clock())
    for _ in range(3):
        d = services.do_return_visit_failed(d, actor=county.cadre_a, method="电话", now=clock())
    services.do_close(d, actor=county.cadre_a, outcome="solved", reason="unreachable", now=clock())
    kept("closed early, visit failed")

    first, second = register(title="重复一"), register(title="重复二")
    services.merge(first, second, actor=county.township_leader, note="同一件事", now=clock())
    kept("merge")
    services.do_unmerge(Appeal.objects.get(pk=first.pk), actor=county.township_leader, reason="并错了", now=clock())
    kept("unmerge")

    if road is not None:
        services.change_category(register(), actor=county.cadre_a, category=road, now=clock())
        kept("change_category")
    e = register()
    reclassify(e, actor=county.cadre_a, kind="misconduct", reason="实为举报", now=clock())
    kept("reclassify")

    register(county.township_leader, kind="petition", channel="letter", region=county.town.code)  # at the township
    register(kind="petition", channel="letter")
    clock(24 * 90)  # past the petitions' limit: in the backlog
    p = register(kind="petition", channel="letter")
    services.do_explain_policy(p, actor=county.cadre_a, text="按政策答复", now=clock())
    kept("petitions")

    gone = register(title="误登记")
    with timezone.override("UTC"):
        transition.lock(gone)  # no service deletes an appeal; the tables follow a soft delete all the same
        Appeal.objects.filter(pk=gone.pk).update(deleted_at=clock())
        rollup_store.settle(gone.pk)
    kept("soft delete")


def test_every_service_step_keeps_the_tables_equal_to_a_rebuild(county, register, clock):
    _history(county, register, clock)
    before = _tables()
    call_command("rollup", "rebuild", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert _tables() == before and sum(before[0].values()) > 40 and _split(_up())[0] == rollups.up(before[0])
    homes = _split(_up())[1]
    assert homes == rollup_store.household_counters() and sum(homes.values()) > 0
    figs = {k[0] for k in before[0]}
    assert {"intake", "d_received", "d_return", "d_led", "d_co"} <= figs, figs  # the 协办 reply was late


MONTHS = [(dt.date(2025, 3, 1), dt.date(2025, 3, 31)), (dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
          (dt.date(2025, 6, 1), dt.date(2025, 6, 30)), (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
          (dt.date(2025, 1, 1), dt.date(2025, 12, 31))]


def test_the_figures_from_the_roll_ups_equal_the_raw_ones(county, register, clock, on):
    _history(county, register, clock)
    for code in (county.county.code, county.town.code):
        for start, end in MONTHS:
            assert differences(code, start, end) == [], (code, start)
            assert differences(code, start, end, user=county.county_leader) == [], (code, start)
    year = metrics.county_summary(county.county.code, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    with metric_read.raw():
        truth = metrics.county_summary(county.county.code, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert year == truth and year.received >= 10 and year.funnel.to_county == 1
    assert year.backlog.at_end >= 2 and year.resolution.denominator >= 4 and year.satisfaction.denominator >= 2


def test_the_sections_from_the_roll_ups_equal_the_raw_ones(county, register, clock, on):
    """退单率 and each unit's on-time rate (dispatch), 重复诉求率 (repeats): from the roll-ups and the
    links against their definitions on the events, cases and 协办 parts."""
    _history(county, register, clock)
    seen = 0
    for code in (county.county.code, county.town.code, county.village_a.code):
        for start, end in MONTHS:
            for user in (None, county.county_leader):
                kept_ = dispatch_section(code, start, end, user=user)
                with metric_read.raw():
                    truth = dispatch_section(code, start, end, user=user)
                assert kept_ == truth, (code, start, user)
                seen += kept_["return_rate"].denominator
            assert repeats.figures(code, start, end) == repeats.figures_raw(code, start, end), (code, start)
    year = repeats.figures(county.county.code, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert seen > 0 and year["appeals"] >= 10 and 0 < year["repeats"] < year["appeals"]


def test_a_missed_delta_is_found_by_the_check(county, register, clock, on):
    a = register()
    assert differences(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == []
    Appeal.objects.filter(pk=a.pk).update(triage="assign")  # a write that bypasses the services
    found = differences(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert any(name.endswith("assigned") for name, _raw, _kept in found)
    with pytest.raises(SystemExit):
        call_command("rollup", "check", "--region", county.county.code, "--period", "2025-03",
                     stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    call_command("rollup", "rebuild", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert differences(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31)) == []


def test_periods_that_are_not_whole_months_are_computed_raw(county, register, on):
    register()
    assert metric_read.serves(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert not metric_read.serves(dt.date(2025, 3, 2), dt.date(2025, 3, 31))
    assert metrics.received(county.county.code, dt.date(2025, 3, 3), dt.date(2025, 3, 3))["received"] == 1


def test_an_appeal_settled_without_a_lock_is_refused(county, register):
    a = register()
    with pytest.raises(rollup_store.Untracked):
        rollup_store.settle(a.pk + 1000)


def test_the_household_sets_count_distinct_households(county, register, on):
    hh = list(county.households.values())
    for h in (hh[0], hh[0], hh[1]):
        register(household=h.pk)
    register(county.township_leader, household=hh[0].pk, region=county.town.code)  # the same household, filed higher
    m = metric_read.Months(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    for code in (county.county.code, county.town.code):  # the counters of the wider places
        assert metric_read.households(code, m, None) == {None: {
            "found_households": 2, "to_township_households": 0, "to_county_households": 0}}, code
    villages = metric_read.households(county.village_a.code, m, None)  # a village: its sets
    assert villages[None]["found_households"] == 2
    assert metrics.received(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31))["received"] == 4
