"""Inserting many model rows fast (a bulk import's events, reports, audit entries, search documents).

``bulk_create`` compiles every value of every row through the ORM's SQL compiler; for a ledger of
200 000 rows that writes about ten rows each, that compiling was a third of the import's CPU. ``insert``
prepares each value with its field's own ``get_db_prep_save`` (the fields whose value the database takes
as it is skipped) and sends one statement per batch: ``executemany``, or, when the keys are wanted back, a
multi-row ``INSERT … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL). Same rows, same types as
``bulk_create``; no signals (bulk_create sends none either).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection, models

# Fields whose Python value the database driver takes as it is (get_db_prep_save would only copy it).
_AS_IS = (models.CharField, models.TextField, models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
          models.PositiveIntegerField, models.PositiveSmallIntegerField, models.BooleanField)
# Values in one multi-row statement: under SQLite's 32 766 (3.32+; RETURNING needs 3.35) and PostgreSQL's 65 535.
_SLOT_CHUNK = 30000


ROUND = 64  # a multi-row statement's length is a full chunk, a multiple of ROUND, or under ROUND


def spans(total: int, per: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of the multi-row statements for ``total`` rows, ``per`` at most each: full chunks,
    then the rest as a multiple of ROUND and a tail under ROUND. The statements' texts come from a small
    fixed set, so SQLite's statement cache reuses them: a new text each batch (the rest of every batch
    differs) was compiled anew and kept (~0.25 MB for 300 rows of 8 values), the import's memory creeping
    with the batches until the cache's 128 entries were full."""
    start = 0
    while total - start >= per:
        yield start, start + per
        start += per
    big = (total - start) // ROUND * ROUND
    if big:
        yield start, start + big
        start += big
    if total > start:
        yield start, total


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if type(field) is models.DateTimeField:
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if type(target) in _AS_IS or type(target) in (models.AutoField, models.BigAutoField):
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, connection)


def insert(objs: Sequence[models.Model], *, returning: bool = False, batch: int = 500) -> None:
    """INSERT ``objs`` (all of one model, primary keys unset); ``returning``: set each object's key."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    plain = [(f.attname, _converter(f)) for f in fields if not getattr(f, "auto_now", False)
             and not getattr(f, "auto_now_add", False)]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    qn = connection.ops.quote_name
    columns = [f.column for f in fields if f not in stamped] + [f.column for f in stamped]
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    pk = qn(meta.pk.column)
    per = max(1, min(batch, _SLOT_CHUNK // max(1, len(columns)))) if returning else batch
    with connection.cursor() as cur:
        for start, stop in spans(len(objs), per) if returning else ((i, i + per) for i in range(0, len(objs), per)):
            part = objs[start:stop]
            rows = [[conv(getattr(o, name)) for name, conv in plain]
                    + [f.get_db_prep_save(f.pre_save(o, True), connection) for f in stamped] for o in part]
            if not returning:
                cur.executemany(head + one, rows)
                continue
            cur.execute(head + ", ".join([one] * len(rows)) + f" RETURNING {pk}", [v for r in rows for v in r])
            keys = [r[0] for r in cur.fetchall()]
            for o, key in zip(part, keys, strict=True):
                o.pk = key
                o._state.adding, o._state.db = False, connection.alias


def _plain_converter(field: models.Field) -> Callable[[Any], Any]:
    """``_converter`` with JSON as compact UTF-8 text on SQLite (what the column holds; json.dumps with
    the field's encoder per value was a tenth of an import's CPU). PostgreSQL keeps the field's own
    adapter (jsonb)."""
    if isinstance(field, models.JSONField) and connection.vendor == "sqlite" and field.encoder is None:
        import json

        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        return lambda v: None if v is None else dumps(v)
    return _converter(field)


def insert_rows(model: type[models.Model], names: Sequence[str], values: Sequence[Sequence[Any]], *,
                returning: bool = False, batch: int = 500) -> list[int]:
    """INSERT plain rows (tuples of ``names``' values, attnames as ``obj.attname``) without building a
    model instance a row; the model's other fields get their defaults (computed once). ``returning``:
    the new keys, in order. Same values as ``insert`` would send for the same objects."""
    if not values:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    by_name = {f.attname: f for f in fields}
    given = [by_name[n] for n in names]
    named = set(names)
    rest = [f for f in fields if f.attname not in named]
    convs = [_plain_converter(f) for f in given]
    fixed = [f.get_db_prep_save(f.get_default(), connection) for f in rest]  # the same for every row
    qn = connection.ops.quote_name
    columns = [f.column for f in given] + [f.column for f in rest]
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    keys: list[int] = []
    per = max(1, min(batch, _SLOT_CHUNK // max(1, len(columns)))) if returning else max(batch, 1000)
    pairs = list(zip(range(len(convs)), convs, strict=True))
    with connection.cursor() as cur:
        for start, stop in spans(len(values), per) if returning else ((i, i + per) for i in range(0, len(values), per)):
            part = [[conv(v[i]) for i, conv in pairs] + fixed for v in values[start:stop]]
            if not returning:
                cur.executemany(head + one, part)
                continue
            cur.execute(head + ", ".join([one] * len(part)) + f" RETURNING {qn(meta.pk.column)}",
                        [x for r in part for x in r])
            keys.extend(r[0] for r in cur.fetchall())
    return keys
