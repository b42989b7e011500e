"""Declarative partitioning of the large tables on PostgreSQL, by county (docs/scale.md, decision
scale21). SQLite and a database never partitioned are unaffected: Django sees the same tables.

- appeals_appeal: RANGE on region_id, one partition per county ([cccccc000000, cccccc+1 000000)),
  and a DEFAULT partition for codes above or outside the counties. Every cadre's query already carries
  `region_id BETWEEN low AND high` (jurisdiction.region_q), so the planner prunes to the county.
- appeals_appealevent: the same by county; with `by_year`, each county partition sub-partitioned by
  year of `at` (off by default: the figures' per-case EXISTS on events has no time bound, and with
  six yearly partitions it probes six indexes per case — 10× slower for a county year in
  bench/province.py; worth it only once old years are detached to archive).
- audit_event: LIST on stream (the county code of its hash chain), so uniq_stream_seq stays exact.

What PostgreSQL requires, and so what this changes on the database only:
- the primary key includes the partition key: (id, region_id), (id, region_id, at), (id, stream);
  ids still come from one identity sequence per table, so `id` stays unique in practice;
- unique constraints without the key are widened with it (Appeal.number and Appeal.source_ref become
  unique per county): listed in the plan;
- no foreign key can reference a partitioned table whose key is not the referenced column: the 22
  foreign keys to appeals_appeal.id are dropped (integrity kept by the services, which create every
  referencing row from a fetched appeal); the foreign keys *from* the partitioned tables are kept.
Run once after a bulk load or before go-live (`minqing partition --apply`); a county added later lands
in the DEFAULT partitions until `minqing partition --apply` runs again, which gives every county
without a partition its own (its rows moved out of DEFAULT in the same transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection, transaction

COUNTY_LEVEL = 3


@dataclass
class Plan:
    counties: list[str]
    years: list[int]
    done: list[str] = field(default_factory=list)
    weakened: list[str] = field(default_factory=list)
    dropped_fks: list[str] = field(default_factory=list)


def counties() -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT substr(code, 1, 6) FROM regions_region WHERE level = %s ORDER BY 1",
                    [COUNTY_LEVEL])
        return [r[0] for r in cur.fetchall()]


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
        return cur.fetchone() is not None


def _years() -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT EXTRACT(YEAR FROM min(at))::int FROM appeals_appealevent")
        first = cur.fetchone()[0] or dt.date.today().year
    return list(range(min(first, dt.date.today().year), dt.date.today().year + 2))


def _county_bounds(c: str) -> str:
    return f"FROM ('{c}000000') TO ('{int(c) + 1:06d}000000')"


def apply(only: list[str] | None = None, *, by_year: bool = False) -> Plan:
    """Partition the tables not yet partitioned (or those in `only`), in one transaction."""
    if connection.vendor != "postgresql":
        raise RuntimeError("partitioning needs PostgreSQL; SQLite keeps plain tables")
    plan = Plan(counties=counties(), years=_years() if by_year else [])
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred checks would block ALTER TABLE
        for table, key, parts in _specs(plan):
            if only and table not in only:
                continue
            if is_partitioned(table):
                plan.done += _add_counties(cur, table, plan.counties)
                continue
            _convert(cur, table, key, parts, plan)
            plan.done.append(table)
    return plan


def _add_counties(cur, table: str, wanted: list[str]) -> list[str]:
    """Counties of an already partitioned table that have no partition yet: their rows leave the
    DEFAULT partition (PostgreSQL refuses a new partition whose rows DEFAULT still holds)."""
    cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass", [table])
    have = {r[0] for r in cur.fetchall()}
    column = "stream" if table == "audit_event" else "region_id"
    added = []
    for c in wanted:
        name = f"{table}_p{c}"
        if name in have:
            continue
        if column == "stream":
            where, bound = f"stream = '{c}'", f"IN ('{c}')"
        else:
            where, bound = f"region_id >= '{c}000000' AND region_id < '{int(c) + 1:06d}000000'", _county_bounds(c)
        cur.execute(f'CREATE TEMP TABLE moving ON COMMIT DROP AS SELECT * FROM "{table}_pdefault" WHERE {where}')
        cur.execute(f'DELETE FROM "{table}_pdefault" WHERE {where}')
        cur.execute(f'CREATE TABLE "{name}" PARTITION OF "{table}" FOR VALUES {bound}')
        cur.execute(f'INSERT INTO "{table}" SELECT * FROM moving')
        cur.execute("DROP TABLE moving")
        added.append(name)
    return added


def _specs(plan: Plan) -> list[tuple[str, str, list[str]]]:
    appeal_parts = [f"CREATE TABLE appeals_appeal_p{c} PARTITION OF appeals_appeal FOR VALUES {_county_bounds(c)}"
                    for c in plan.counties]
    appeal_parts.append("CREATE TABLE appeals_appeal_pdefault PARTITION OF appeals_appeal DEFAULT")
    event_parts: list[str] = []
    for c in [*plan.counties, "default"]:
        name = f"appeals_appealevent_p{c}"
        bound = "DEFAULT" if c == "default" else f"FOR VALUES {_county_bounds(c)}"
        if not plan.years:
            event_parts.append(f"CREATE TABLE {name} PARTITION OF appeals_appealevent {bound}")
            continue
        event_parts.append(f"CREATE TABLE {name} PARTITION OF appeals_appealevent {bound} PARTITION BY RANGE (at)")
        event_parts += [f"CREATE TABLE {name}_y{y} PARTITION OF {name} FOR VALUES FROM ('{y}-01-01') TO "
                        f"('{y + 1}-01-01')" for y in plan.years]
        event_parts.append(f"CREATE TABLE {name}_ydefault PARTITION OF {name} DEFAULT")
    audit_parts = [f"CREATE TABLE audit_event_p{c} PARTITION OF audit_event FOR VALUES IN ('{c}')"
                   for c in plan.counties]
    audit_parts.append("CREATE TABLE audit_event_pdefault PARTITION OF audit_event DEFAULT")
    return [("appeals_appeal", "RANGE (region_id)", appeal_parts),
            ("appeals_appealevent", "RANGE (region_id)", event_parts),
            ("audit_event", "LIST (stream)", audit_parts)]


def _key_columns(key: str, parts: list[str]) -> list[str]:
    cols = [key.split("(")[1].rstrip(")")]
    return [*cols, "at"] if any("PARTITION BY RANGE (at)" in p for p in parts) else cols


def _convert(cur, table: str, key: str, parts: list[str], plan: Plan) -> None:
    keys = _key_columns(key, parts)
    cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [table, table])
    indexes = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')", [table])
    constraints = cur.fetchall()
    cur.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                "AND confrelid = %s::regclass AND conrelid <> confrelid", [table])
    plan.dropped_fks += [f"{t}.{n}" for t, n in cur.fetchall()]
    cur.execute(f'ALTER TABLE "{table}" RENAME TO "{table}__old"')
    cur.execute(f'CREATE TABLE "{table}" (LIKE "{table}__old" INCLUDING DEFAULTS INCLUDING IDENTITY '
                f'INCLUDING CONSTRAINTS INCLUDING STORAGE) PARTITION BY {key}')
    for sql in parts:
        cur.execute(sql)
    cur.execute(f'INSERT INTO "{table}" SELECT * FROM "{table}__old"')
    cur.execute(f"""SELECT setval(pg_get_serial_sequence('"{table}"', 'id'),
                    GREATEST((SELECT max(id) FROM "{table}"), 1))""")
    cur.execute(f'DROP TABLE "{table}__old" CASCADE')  # and with it the foreign keys that pointed at it
    cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_pkey" PRIMARY KEY (id, {", ".join(keys)})')
    for name, definition, kind in constraints:
        if kind == "f" and f"REFERENCES {table}(" in definition:  # to itself: no unique id alone any more
            plan.dropped_fks.append(f"{table}.{name}")
            continue
        if kind == "u":
            cols = definition[definition.index("(") + 1:definition.rindex(")")]
            missing = [k for k in keys if k not in [c.strip().strip('"') for c in cols.split(",")]]
            if missing:
                plan.weakened.append(f"{table}.{name}: UNIQUE ({cols}) → ({cols}, {', '.join(missing)})")
                definition = f"UNIQUE ({cols}, {', '.join(missing)})"
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    for sql in indexes:
        if sql.startswith("CREATE UNIQUE INDEX"):  # Django's unique=True with a condition, none today
            plan.weakened.append(f"{table}: {sql} (left out: a unique index must hold the partition key)")
            continue
        cur.execute(sql.replace(" ONLY ", " "))
    cur.execute(f'ANALYZE "{table}"')
