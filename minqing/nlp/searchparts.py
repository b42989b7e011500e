"""The PostgreSQL search rebuild (decision 0069): the documents cut into PARTS partitions by id range, each
COPYed and indexed on a connection of its own at the same time, then attached under a new partitioned table
that takes the live one's place in a moment at the end (searches read the old index until then)."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection

from .searchindex import BATCH, COLUMNS, Stream, _sources, _streams


def split(streams: list[Stream], parts: int) -> list[tuple[list[Stream], int]]:
    """The sources cut into `parts` runs of about as many source rows, in document order (a stream
    cut at a primary key): each run's streams and its number of source rows (an upper bound on its
    documents: a report that says nothing new gives none)."""
    counts = [qs.count() for qs, _ in streams]
    share = max(1, -(-sum(counts) // parts))
    out: list[tuple[list[Stream], int]] = [([], 0) for _ in range(parts)]
    k, room = 0, share
    for (qs, convert), n in zip(streams, counts, strict=True):
        low, done = None, 0
        while n > done:
            rest = qs if low is None else qs.filter(pk__gte=low)
            if k == parts - 1 or n - done <= room:
                out[k] = (out[k][0] + [(rest, convert)], out[k][1] + n - done)
                room -= n - done
                break
            cut = qs.order_by("pk").values_list("pk", flat=True)[done + room]
            out[k] = (out[k][0] + [(rest.filter(pk__lt=cut), convert)], out[k][1] + room)
            low, done, k, room = cut, done + room, k + 1, share
        if room <= 0 and k < parts - 1:
            k, room = k + 1, share
    return out


NEXT = "nlp_searchdoc_next"  # PostgreSQL: the table a rebuild fills beside the live one, then swapped in
# PostgreSQL: the documents' table is partitioned by id range into PARTS tables, each COPYed into and
# indexed on a connection of its own, at the same time: PostgreSQL 15 builds a GIN index on one core,
# and at 1 000 000 documents that one build was most of the rebuild (search22). Searches read the
# partitions' indexes one after the other (an Append), new documents go to the last one.
PARTS = 2


def _pg_definitions(cur) -> list[tuple[str, str, str]]:
    """The live table's keys and indexes as (name, 'constraint' | 'index' | 'unique index', definition
    after the table's name), read from the catalogue: from the table itself, or from its first partition
    when it is partitioned (a constraint that does not hold the partition key lives on each partition
    only), names without the partition's suffix."""
    cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'nlp_searchdoc'::regclass ORDER BY c.relname LIMIT 1")
    first = cur.fetchone()
    table, suffix = (first[0], "_p0") if first else ("nlp_searchdoc", "")

    def base(name: str) -> str:
        return name[:-len(suffix)] if suffix and name.endswith(suffix) else name

    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x') ORDER BY contype", [table])
    out = [(base(name), "constraint", definition) for name, definition in cur.fetchall()]
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table])
    for name, definition in cur.fetchall():
        if all(base(name) != n for n, _, _ in out):
            head, tail = re.split(r" ON (?:ONLY )?\S+ ", definition, maxsplit=1)
            out.append((base(name), "unique index" if head.startswith("CREATE UNIQUE") else "index", tail))
    return out


def _on_parent(kind: str, definition: str) -> bool:
    """Can this key or index be the whole table's? A unique one only if it holds the partition key."""
    return kind == "index" or bool(re.search(r"\(([^)]*\W)?id(\W[^)]*)?\)", definition))


def _create(kind: str, name: str, table: str, definition: str, *, only: bool = False) -> str:
    if kind == "constraint":
        return f'ALTER TABLE {"ONLY " if only else ""}{table} ADD CONSTRAINT "{name}" {definition}'
    unique = "UNIQUE " if kind == "unique index" else ""
    return f'CREATE {unique}INDEX "{name}" ON {"ONLY " if only else ""}{table} {definition}'


def _pg_drop_next(cur) -> None:
    """What a rebuild that stopped half-way left (its partitions are committed tables of their own)."""
    cur.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind IN ('r', 'p') "
                "AND relnamespace = current_schema()::regnamespace", [f"{NEXT}%"])
    for (name,) in cur.fetchall():
        cur.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


class _Part:
    """One partition being built: created, COPYed into (frozen) and indexed in one transaction. Apart
    (`own`): on a connection of its own, committed before the swap (unattached, nobody reads it);
    else on the caller's connection, inside its transaction (a rebuild called in a transaction)."""

    def __init__(self, k: int, first: int, end: int | None, *, own: bool) -> None:
        self.k, self.name, self.first, self.end, self.next_id, self.own = k, f"{NEXT}_p{k}", first, end, first, own
        if own:
            self.conn = connection.get_new_connection(connection.get_connection_params())
            self.conn.autocommit = False
        else:
            self.conn = connection.connection
        self.cur = self.conn.cursor()
        self.cur.execute("SET LOCAL statement_timeout = 0")
        # 64 MB a build, not more: the GIN build of 130 000 documents took 90 s of CPU with 64 MB and
        # 111 s with 256 MB (search22: a bigger in-memory tree of keys is slower to fill than more,
        # smaller flushes); PARTS builds at once stay under PARTS × 64 MB.
        self.cur.execute("SET LOCAL maintenance_work_mem = '64MB'")
        self.cur.execute(f"CREATE TABLE {self.name} (LIKE nlp_searchdoc INCLUDING DEFAULTS INCLUDING GENERATED "
                         "INCLUDING STORAGE INCLUDING COMPRESSION)")
        bound = f"id >= {first}" + (f" AND id < {end}" if end is not None else "")
        # The range as a constraint: attaching the partition then needs no scan to prove it.
        self.cur.execute(f"ALTER TABLE {self.name} ADD CONSTRAINT {self.name}_range CHECK ({bound})")
        self._copy: Any = None

    def write(self, rows: list[tuple]) -> None:
        if self.end is not None and self.next_id + len(rows) > self.end:
            raise RuntimeError("documents grew during the search rebuild beyond their range: run it again")
        if self._copy is None:
            # FREEZE: the table was created in this transaction, so its rows are written frozen and its
            # pages all-visible: a count of the matches reads the GIN index without visiting the table.
            self._copy = self.cur.copy(f"COPY {self.name} (id, {', '.join(COLUMNS)}) FROM STDIN WITH (FREEZE)")
            self.copy = self._copy.__enter__()
        for i, row in enumerate(rows, self.next_id):
            self.copy.write_row((i, *row))
        self.next_id += len(rows)
        if not self.own:  # the caller's connection reads the next batch: one COPY a batch
            self._copy.__exit__(None, None, None)
            self._copy = None

    def index(self, definitions: list[tuple[str, str, str]]) -> None:
        if self._copy is not None:
            self._copy.__exit__(None, None, None)
            self._copy = None
        for name, kind, definition in definitions:
            self.cur.execute(_create(kind, f"{name}_p{self.k}__next", self.name, definition))

    def close(self, commit: bool) -> None:
        if self.own:
            if commit:
                self.conn.commit()
            self.conn.close()  # without a commit: rolled back, the partition gone with its transaction


def _pg_drop_next_apart() -> None:
    """A stopped rebuild's committed partitions, dropped on a connection of their own (in the rebuild's
    transaction the drop would hold their names until its end: the new partitions could not take them)."""
    conn = connection.get_new_connection(connection.get_connection_params())
    try:
        conn.autocommit = True
        _pg_drop_next(conn.cursor())
    finally:
        conn.close()


def rebuild(cur, progress, counts: dict[str, int], *, apart: bool) -> None:
    """PARTS partitions filled and indexed at the same time on their own connections (`apart`: the
    COPYs fed from this one process batch by batch, then the index builds each on its own core), then
    attached to a new partitioned table that takes the live one's place in a moment at the end. Not
    apart (the caller holds a transaction the other connections could not see into): one after the
    other on this connection."""
    from concurrent.futures import ThreadPoolExecutor

    if apart:
        _pg_drop_next_apart()
    else:
        _pg_drop_next(cur)
    definitions = _pg_definitions(cur)
    runs = split(_streams(), PARTS)
    parts: list[_Part] = []

    def fed(part: _Part, rows: list[tuple]) -> None:
        part.write(rows)
        for row in rows:
            counts[row[0]] = counts.get(row[0], 0) + 1
        if progress is not None:
            progress(sum(counts.values()))

    first = 1
    try:
        for k, (streams, rows_k) in enumerate(runs):
            # Documents are numbered in source order; a run's range leaves room for rows added meanwhile.
            end = None if k == len(runs) - 1 else first + rows_k + rows_k // 10 + BATCH
            parts.append(_Part(k, first, end, own=apart))
            first = end or first
            if not apart:
                for rows in _sources(streams):
                    fed(parts[-1], rows)
                parts[-1].index(definitions)
        if apart:
            feeds = [(part, _sources(streams)) for part, (streams, _n) in zip(parts, runs, strict=True)]
            while feeds:  # a batch to each partition in turn: their COPYs run on the server side by side
                for feed in list(feeds):
                    rows = next(feed[1], None)
                    if rows is None:
                        feeds.remove(feed)
                    else:
                        fed(feed[0], rows)
            with ThreadPoolExecutor(len(parts)) as pool:  # each build on its own connection and core
                list(pool.map(lambda part: part.index(definitions), parts))
        for part in parts:
            part.close(commit=True)
    except BaseException:
        for part in parts:
            part.close(commit=False)
        if apart:
            _pg_drop_next_apart()
        raise
    _pg_swap(cur, definitions, parts)


def _pg_swap(cur, definitions: list[tuple[str, str, str]], parts: list[_Part]) -> None:
    """The partitions under a new table shaped like the live one (its keys and indexes made of the
    partitions', nothing built again), which takes the live one's place."""
    cur.execute(f"CREATE TABLE {NEXT} (LIKE nlp_searchdoc INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS) "
                "PARTITION BY RANGE (id)")
    for part in parts:
        end = "MAXVALUE" if part.end is None else part.end
        cur.execute(f"ALTER TABLE {NEXT} ATTACH PARTITION {part.name} FOR VALUES FROM ({part.first}) TO ({end})")
        cur.execute(f"ALTER TABLE {part.name} DROP CONSTRAINT {part.name}_range")
    for name, kind, definition in definitions:
        if _on_parent(kind, definition):
            cur.execute(_create(kind, f"{name}__next", NEXT, definition, only=True))
            for part in parts:
                cur.execute(f'ALTER INDEX "{name}__next" ATTACH PARTITION "{name}_p{part.k}__next"')
    # New documents: after the last id, and in the last partition even when it got none here.
    cur.execute(f"SELECT setval(pg_get_serial_sequence('{NEXT}', 'id'), "
                f"greatest((SELECT max(id) FROM {NEXT}), {parts[-1].first - 1}, 1))")
    cur.execute("LOCK TABLE nlp_searchdoc IN ACCESS EXCLUSIVE MODE")
    cur.execute("DROP TABLE nlp_searchdoc")
    cur.execute(f"ALTER TABLE {NEXT} RENAME TO nlp_searchdoc")
    for part in parts:
        cur.execute(f"ALTER TABLE {part.name} RENAME TO nlp_searchdoc_p{part.k}")
    for name, kind, definition in definitions:  # an index's new name names its constraint too
        if _on_parent(kind, definition):
            cur.execute(f'ALTER INDEX "{name}__next" RENAME TO "{name}"')
        for part in parts:
            cur.execute(f'ALTER INDEX "{name}_p{part.k}__next" RENAME TO "{name}_p{part.k}"')
    cur.execute("SELECT pg_get_serial_sequence('nlp_searchdoc', 'id')")
    sequence = cur.fetchone()[0]
    if sequence and sequence.rsplit(".", 1)[-1].strip('"') != "nlp_searchdoc_id_seq":
        cur.execute(f"ALTER SEQUENCE {sequence} RENAME TO nlp_searchdoc_id_seq")
    cur.execute("ANALYZE nlp_searchdoc")
