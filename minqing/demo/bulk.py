"""Fast inserts of generated rows: executemany of plain tuples with ids chosen here.

Django's bulk_create spends most of its time compiling one SQL parameter per field per row
(measured: ~80% of a 20 000-household demo load). The demo and the benchmarks insert millions
of rows they made themselves, so they bypass that and write tuples directly, in the column
forms the backend's own adapters give."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, models


def next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], batch: int = 5000) -> int:
    meta = model._meta
    qn = connection.ops.quote_name
    adapters = []
    for name in fields:
        field = meta.get_field(name)
        internal = field.get_internal_type()
        if internal == "DateTimeField":
            adapters.append(connection.ops.adapt_datetimefield_value)
        elif internal == "DateField":
            adapters.append(connection.ops.adapt_datefield_value)
        else:
            adapters.append(None)
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    if connection.vendor == "postgresql":
        return _copy_rows(meta.db_table, [meta.get_field(f).column for f in fields], rows)
    count = 0
    chunk: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            chunk.append(tuple(a(v) if a and v is not None else v for a, v in zip(adapters, row, strict=True)))
            if len(chunk) == batch:
                cur.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cur.executemany(sql, chunk)
            count += len(chunk)
    return count


def _copy_rows(table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
    """PostgreSQL: COPY streams the rows in one statement (executemany costs a round trip per row)."""
    qn = connection.ops.quote_name
    count = 0
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def reset_sequences(*models_: type[models.Model]) -> None:
    """After inserting explicit ids, PostgreSQL's sequences must move past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    if statements:
        with connection.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
