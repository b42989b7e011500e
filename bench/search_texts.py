"""Give a 1 000 000-row bench database the residents' real messages instead of generated texts, in bulk SQL:
the same message for the same id on minqing's appeals and on django-helpdesk's tickets (same seed), so
both sides search the same texts.

    .venv/bin/python bench/search_texts.py sqlite:///path/metrics.sqlite3                    # appeals_appeal
    .venv/bin/python bench/search_texts.py postgresql://root@127.0.0.1:5432/search21_bench   # appeals_appeal
    .venv/bin/python bench/search_texts.py --peer sqlite:////work/wt/peer/helpdesk.sqlite3   # helpdesk_ticket
    .venv/bin/python bench/search_texts.py --peer postgresql://root@127.0.0.1:5432/peer_helpdesk

The messages: ../shared/data/taidi2020c 附件2/3/4 and 测试数据 (留言主题, 留言详情; ~10 000), shuffled with a
fixed seed into a table bench_msg(i, title, text, tail) where tail is a message's first sentence. Row `id`
gets message h1(id) mod M, and three rows in ten get the first sentence of message h2(id) mod M appended
(h1, h2: integer hashes written the same way in SQLite and PostgreSQL), so the texts are sampled, not a
constant string, and ~300 000 of them are distinct combinations. Writes the database it is given: run
it on a copy, never on the shared bench databases.
"""

from __future__ import annotations

import argparse
import random
import re
import time

from search_scale import SEED, _messages

H1 = "((t.id * 2654435761) % 4294967296) % {m}"  # Knuth's multiplicative hash; both engines: 64-bit integers
H2 = "((t.id * 40503 + 7) % 1000003) % {m}"
TAIL = "(t.id * 7919) % 10 < 3"


def rows() -> list[tuple[int, str, str, str]]:
    msgs, _replies = _messages()
    rng = random.Random(SEED)
    rng.shuffle(msgs)
    out = []
    for i, (title, text) in enumerate(msgs):
        tail = re.split(r"[。！？!?]", text)[0][:120].strip()
        out.append((i, (title or text[:20])[:200], text, f"{tail}。" if tail else ""))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--peer", action="store_true", help="django-helpdesk: helpdesk_ticket(title, description)")
    ap.add_argument("--region", help="appeals: only those whose region code starts with this (e.g. a township)")
    a = ap.parse_args()
    table, title, body = ("helpdesk_ticket", "title", "description") if a.peer else ("appeals_appeal", "title", "text")
    msgs = rows()
    m = len(msgs)
    pick = (f"UPDATE {table} AS t SET {title} = a.title, {body} = CASE WHEN {TAIL} AND b.tail <> '' "
            f"THEN a.text || ' ' || b.tail ELSE a.text END FROM bench_msg a, bench_msg b "
            f"WHERE a.i = {H1.format(m=m)} AND b.i = {H2.format(m=m)}")
    if a.region and not a.peer:  # the same message per id as the whole run would give, on fewer rows
        pick += f" AND t.region_id LIKE '{int(a.region)}%'"
    started = time.perf_counter()
    if a.url.startswith("sqlite:///"):
        import sqlite3

        db = sqlite3.connect(a.url[len("sqlite:///"):])
        db.execute("PRAGMA journal_mode=WAL")
        with db:
            db.execute("DROP TABLE IF EXISTS bench_msg")
            db.execute("CREATE TABLE bench_msg (i INTEGER PRIMARY KEY, title TEXT, text TEXT, tail TEXT)")
            db.executemany("INSERT INTO bench_msg VALUES (?, ?, ?, ?)", msgs)
            n = db.execute(pick).rowcount
            db.execute("DROP TABLE bench_msg")
        db.execute("ANALYZE")
        db.close()
    else:
        import psycopg

        # django-helpdesk's ticket id is an integer: t.id * 40503 overflows it past 53 000 rows.
        pick = pick.replace("t.id *", "CAST(t.id AS bigint) *")

        with psycopg.connect(a.url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute("DROP TABLE IF EXISTS bench_msg")
                conn.execute("CREATE TABLE bench_msg (i integer PRIMARY KEY, title text, text text, tail text)")
                with conn.cursor().copy("COPY bench_msg FROM STDIN") as cp:
                    for r in msgs:
                        cp.write_row(r)
                # The table's other indexes (32 on appeals_appeal) are dropped for the UPDATE and built again
                # after it: a million rows updated through every index took 1 347 s (search21).
                indexes = conn.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                    "AND i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                    "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
                    [table]).fetchall()
                for name, _definition in indexes:
                    conn.execute(f'DROP INDEX "{name}"')
                n = conn.execute(pick).rowcount
                conn.execute("DROP TABLE bench_msg")
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    conn.execute(definition)
            conn.execute(f"VACUUM ANALYZE {table}")
    print(f"{table}: {n} rows given {m} messages (seed {SEED}) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
