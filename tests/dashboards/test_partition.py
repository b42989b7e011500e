"""Partitioning by county on PostgreSQL (minqing/ops/partition.py): the cadre's list and the county's
dashboard figures read one county's partition only (EXPLAIN), with the same figures as before."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.ops import partition

from .conftest import MAY

pg = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's")
OTHER = "511723"  # a second county, so pruning has something to leave out


def plans(queries: list[dict]) -> list[tuple[str, str]]:
    out = []
    with connection.cursor() as cur:
        for q in queries:
            if "appeals_appeal" not in q["sql"] or q["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                continue
            cur.execute("EXPLAIN " + q["sql"])
            out.append((q["sql"], "\n".join(r[0] for r in cur.fetchall())))
    return out


def partitions(plan: str, table: str) -> set[str]:
    return set(re.findall(rf"\b({table}_p\w+?)(?:_y\w+)?\b", plan))


@pytest.fixture
def partitioned(month_cases, county):
    from minqing.regions.models import Region

    Region.objects.create(code=f"{OTHER}000000", name="另一县", level=3, parent_id=county.county.parent_id)
    plan = partition.apply()
    assert plan.done == ["appeals_appeal", "appeals_appealevent", "audit_event"]
    return plan


@pytest.mark.django_db
def test_sqlite_keeps_plain_tables():
    if connection.vendor == "postgresql":
        assert not partition.is_partitioned("appeals_appeal")  # nothing partitions until asked
        return
    with pytest.raises(CommandError):
        call_command("partition", "--apply")
    with pytest.raises(RuntimeError):
        partition.apply()


@pg
@pytest.mark.django_db
def test_the_tables_are_partitioned_by_county_and_the_figures_unchanged(month_cases, county):
    from minqing.appeals import metrics
    from minqing.regions.models import Region

    before = metrics.county_summary(county.town.code, *MAY).as_dict()
    Region.objects.create(code=f"{OTHER}000000", name="另一县", level=3, parent_id=county.county.parent_id)
    plan = partition.apply()
    assert all(partition.is_partitioned(t) for t in plan.done)
    assert any("number" in w for w in plan.weakened)  # said, not hidden
    assert "appeals_appealevent.appeals_appealevent_appeal_id_17365b2a_fk_appeals_appeal_id" in plan.dropped_fks \
        or any(f.startswith("appeals_appealevent.") for f in plan.dropped_fks)
    assert metrics.county_summary(county.town.code, *MAY).as_dict() == before
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ONLY appeals_appeal")  # the parent holds no rows itself
        assert cur.fetchone()[0] == 0
        cur.execute(f"SELECT count(*) FROM appeals_appeal_p{county.county.code[:6]}")
        assert cur.fetchone()[0] == len(month_cases)


@pg
@pytest.mark.django_db
def test_a_cadres_list_reads_one_county_partition(partitioned, county):
    from minqing.appeals.models import Appeal
    from minqing.regions import jurisdiction

    own = county.county.code[:6]
    for user in (county.cadre_a, county.township_leader, county.county_leader):
        with CaptureQueriesContext(connection) as ctx:
            qs = jurisdiction.visible(user, Appeal).order_by("-received_at")
            list(qs[:25])
            qs.count()
        found = plans(ctx.captured_queries)
        assert found
        for sql, plan in found:
            assert partitions(plan, "appeals_appeal") == {f"appeals_appeal_p{own}"}, (sql, plan)


@pg
@pytest.mark.django_db
def test_the_county_dashboard_figures_read_one_county_partition(partitioned, county):
    from minqing.appeals import metrics

    own = county.county.code[:6]
    with CaptureQueriesContext(connection) as ctx:
        metrics.county_summary(county.county.code, *MAY)
    found = plans(ctx.captured_queries)
    assert found
    for sql, plan in found:
        touched = partitions(plan, "appeals_appeal")
        assert touched <= {f"appeals_appeal_p{own}"} and touched, (sql, plan)
        if "appeals_appealevent" in sql:  # the funnel's EXISTS: one county's events, not every county's
            assert partitions(plan, "appeals_appealevent") == {f"appeals_appealevent_p{own}"}, (sql, plan)
    assert any("appeals_appealevent" in sql for sql, _ in found)


@pg
@pytest.mark.django_db
def test_events_may_also_be_partitioned_by_year(month_cases, county):
    own = county.county.code[:6]
    plan = partition.apply(by_year=True)
    assert "appeals_appealevent" in plan.done and 2024 in plan.years
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM appeals_appealevent WHERE at >= '2024-01-01' AND at < '2025-01-01'")
        in_2024 = cur.fetchone()[0]
        cur.execute(f"SELECT count(*) FROM appeals_appealevent_p{own}_y2024")
        assert cur.fetchone()[0] == in_2024 >= 3  # at least C6's escalation and C7's two
        cur.execute("EXPLAIN SELECT count(*) FROM appeals_appealevent WHERE region_id BETWEEN %s AND %s "
                    "AND at >= '2024-05-01' AND at < '2024-06-01'", [f"{own}000000", f"{own}999999"])
        text = "\n".join(r[0] for r in cur.fetchall())
    assert partitions(text, "appeals_appealevent") == {f"appeals_appealevent_p{own}"}
    assert "_y2024" in text and "_y2023" not in text and "_ydefault" not in text


@pg
@pytest.mark.django_db
def test_a_county_added_later_gets_its_partition_and_its_rows(partitioned, county):
    from minqing.appeals.models import Appeal
    from minqing.regions.models import Region

    new = "511724"
    Region.objects.create(code=f"{new}000000", name="新县", level=3, parent_id=county.county.parent_id)
    village = Region.objects.create(code=f"{new}100200", name="新村", level=5, parent_id=None)
    moved = Appeal.objects.filter(region=county.village_a).first()
    with connection.cursor() as cur:  # a row that reached DEFAULT before its county had a partition
        cur.execute("UPDATE appeals_appeal SET region_id = %s WHERE id = %s", [village.code, moved.pk])
        cur.execute("SELECT count(*) FROM appeals_appeal_pdefault")
        assert cur.fetchone()[0] == 1
    plan = partition.apply()
    assert f"appeals_appeal_p{new}" in plan.done and f"audit_event_p{new}" in plan.done
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM appeals_appeal_p{new}")
        assert [r[0] for r in cur.fetchall()] == [moved.pk]
        cur.execute("SELECT count(*) FROM appeals_appeal_pdefault")
        assert cur.fetchone()[0] == 0
    assert partition.apply().done == []  # nothing left to do


@pg
@pytest.mark.django_db
def test_the_pages_still_work_after_partitioning(partitioned, county, login):
    client = login(county.county_leader)
    assert client.get(f"/dashboards/{county.county.code}/?period=2024-05").status_code == 200
    assert client.get("/appeals/").status_code == 200
