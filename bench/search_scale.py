"""Chinese search at county scale: `minqing search rebuild` (time, peak memory) and search.find()
next to LIKE on the same data, in one run, as a village cadre, a township head and a county leader.

    .venv/bin/python bench/search_scale.py --appeals 100000            # SQLite var/bench/search.sqlite3
    .venv/bin/python bench/search_scale.py --appeals 100000 --pg       # PostgreSQL database minqing_bench_search
    .venv/bin/python bench/search_scale.py --appeals 100000 --reuse    # keep the database, skip the build
    DATABASE_URL=… .venv/bin/python bench/search_scale.py --reuse --no-like --http   # an existing 1 M copy
                                                  # (bench/search_texts.py), also /nlp/search/ over HTTP

The texts are the residents' messages of ../shared/data/taidi2020c (附件2/3/4, 测试数据), sampled with
a fixed seed: each appeal one message (three in ten with a sentence of another appended), three in
ten with the government's reply (附件4 答复意见) as a 办理结果 event. 370 villages in 37 townships.
Each query: 2 warm-up calls, then --runs timed calls; p50/p95 over all calls of a role.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from _setup import REPO, django_for  # noqa: E402

# ../shared beside the repository (/work/main) or two levels up (worktrees under /work/wt/), or MINQING_SHARED_DATA.
DATA = Path(os.environ.get("MINQING_SHARED_DATA") or next(
    (p / "shared" / "data" for p in (REPO.parent, REPO.parent.parent) if (p / "shared" / "data").is_dir()),
    REPO.parent / "shared" / "data")) / "taidi2020c"
PG_URL = "postgresql://root@127.0.0.1:5432/minqing_bench_search"
QUERIES = ["噪音", "垃圾清运", "小区停车", "学校", "路灯", "拖欠工资", "物业", "漏水", "扰民", "低保"]
SEED = 2026


def _messages() -> tuple[list[tuple[str, str]], list[str]]:
    ws = re.compile(r"[\s\u3000]+")
    msgs: list[tuple[str, str]] = []
    replies: list[str] = []
    for name in ("附件2_示例数据_dev.csv", "附件3.csv", "附件4.csv", "测试数据.csv"):
        path = DATA / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                text = ws.sub(" ", row.get("留言详情") or "").strip()
                if text:
                    msgs.append((ws.sub(" ", row.get("留言主题") or "").strip()[:200], text))
                reply = ws.sub(" ", row.get("答复意见") or "").strip()
                if reply:
                    replies.append(reply)
    if not msgs:
        raise SystemExit(f"no messages under {DATA}")
    return msgs, replies


def build(n: int, *, by_id: bool = False) -> None:
    """n appeals in 37 townships. by_id: appeal `id` gets the message bench/search_texts.py gives row `id`
    (the same texts as django-helpdesk's tickets after `search_texts.py --peer`), and no replies."""
    import metrics
    from django.db import connection, transaction

    from minqing.regions.models import Region

    msgs, replies = _messages()
    rng = random.Random(SEED)
    w = metrics.Writer()
    start = dt.datetime(2023, 1, 1, tzinfo=metrics.TZ)
    with transaction.atomic():
        Region.objects.bulk_create([
            Region(code="510000000000", name="四川省", level=1),
            Region(code="511700000000", name="达州市", level=2, parent_id="510000000000"),
            Region(code=metrics.COUNTY, name="宣汉县", level=3, parent_id="511700000000"),
        ])
        Region.objects.bulk_create([Region(code=metrics.township_code(t), name=f"第{t + 1}镇", level=4,
                                           parent_id=metrics.COUNTY) for t in range(metrics.TOWNSHIPS)])
        Region.objects.bulk_create([Region(code=metrics.village_code(t, v), name=f"第{t + 1}镇{v + 1}村", level=5,
                                           parent_id=metrics.township_code(t))
                                    for t in range(metrics.TOWNSHIPS) for v in range(metrics.VILLAGES)])
        events: list[tuple] = []
        from minqing.appeals.models import Appeal

        columns = list(metrics.APPEAL_COLUMNS)
        defaults = {}
        for f in Appeal._meta.concrete_fields:  # columns added since metrics.py was written: their defaults
            if f.column not in columns and not f.null and f.has_default():
                columns.append(f.column)
                value = f.get_default()
                defaults[f.column] = json.dumps(value) if isinstance(value, (dict, list)) else value

        def appeals():
            for i in range(1, n + 1):
                region = metrics.village_code(rng.randrange(metrics.TOWNSHIPS), rng.randrange(metrics.VILLAGES))
                if by_id:
                    title, text = texts_by_id(i, by_msg)
                else:
                    title, text = msgs[rng.randrange(len(msgs))]
                if not by_id and rng.random() < 0.3:
                    other = msgs[rng.randrange(len(msgs))][1]
                    text = f"{text} {re.split(r'[。！？]', other)[0]}。"
                received = start + dt.timedelta(seconds=rng.random() * 63_000_000)
                if replies and not by_id and rng.random() < 0.3:
                    payload = json.dumps({"text": replies[rng.randrange(len(replies))]}, ensure_ascii=False)
                    events.append((i, region, "submit_result", "in_progress", "in_progress", "village",
                                   w.when(received + dt.timedelta(days=3)), payload, ""))
                row = {c: None for c in metrics.APPEAL_COLUMNS} | defaults
                row.update(id=i, number=f"S{i:09d}", kind="problem", status="registered", group="open",
                           level="village", max_level="village", region_id=region, channel="visit",
                           urgency="normal", sensitivity="normal", title=title or text[:20], text=text,
                           anonymous=False, received_at=w.when(received), triage="", handler_name="",
                           measures="", due_estimated=False, warning="", satisfaction="", reopen_count=0,
                           remind_count=0, supervise_level="", fund_source="", accountability=False, state="{}",
                           category_source="", version=1, updated_at=w.when(received))
                yield tuple(row[c] for c in columns)

        if by_id:
            from search_texts import rows as texts

            by_msg = texts()
        with connection.cursor() as cur:  # SQLite: each index built once after the load, not row by row
            indexes = [] if w.pg else [sql for (sql,) in cur.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'appeals_appeal' AND sql IS NOT NULL"
            ).fetchall()]
            for sql in indexes:
                cur.execute("DROP INDEX " + re.match(r'CREATE (?:UNIQUE )?INDEX (\S+)', sql).group(1))
        w.insert("appeals_appeal", columns, appeals())
        with connection.cursor() as cur:
            for sql in indexes:
                cur.execute(sql)
        w.insert("appeals_appealevent", ["appeal_id", "region_id", "action", "from_status", "to_status", "level",
                                         "at", "payload", "reason"], iter(events))
    with connection.cursor() as cur:
        if w.pg:
            cur.execute("SELECT setval(pg_get_serial_sequence('appeals_appeal', 'id'), %s)", [n])
        cur.execute("ANALYZE")


def texts_by_id(i: int, by_msg: list[tuple[int, str, str, str]]) -> tuple[str, str]:
    """search_texts.py's UPDATE for one row, in Python: message h1(id), three rows in ten with the
    first sentence of message h2(id) appended."""
    m = len(by_msg)
    _, title, text, _tail = by_msg[((i * 2654435761) % 4294967296) % m]
    tail = by_msg[((i * 40503 + 7) % 1000003) % m][3]
    return title, f"{text} {tail}" if (i * 7919) % 10 < 3 and tail else text


def users() -> dict[str, object]:
    import metrics

    from minqing.accounts.models import Post, Unit, User
    from minqing.accounts.roles import Role, UnitKind

    out = {}
    for key, role, kind, code in (
            ("village cadre", Role.VILLAGE_SECRETARY, UnitKind.VILLAGE_COMMITTEE, metrics.village_code(0, 0)),
            ("township head", Role.TOWNSHIP_HEAD, UnitKind.TOWNSHIP_OFFICE, metrics.township_code(0)),
            ("county leader", Role.COUNTY_LEADER, UnitKind.LEADERSHIP, metrics.COUNTY)):
        user, _ = User.objects.get_or_create(username=f"bench-search-{role}")
        unit, _ = Unit.objects.get_or_create(region_id=code, name=f"基准{key}", defaults={"kind": kind})
        Post.objects.get_or_create(user=user, unit=unit, role=role, region_id=code,
                                   defaults={"started_on": dt.date(2020, 1, 1)})
        out[key] = user
    return out


def rebuild_in_child() -> tuple[float, float, str]:
    """`minqing search rebuild` in its own process: wall seconds, peak resident memory (MB), its answer
    with the child's CPU seconds (on a shared machine wall time is mostly waiting for a core)."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "manage.py"), "search", "rebuild"], capture_output=True,
                          text=True, env=os.environ.copy(), check=True)
    seconds = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_maxrss / 1024, f"{done.stdout.strip()}; CPU {usage.ru_utime + usage.ru_stime:.0f} s"


def timed(fn, runs: int) -> list[float]:
    for _ in range(2):
        fn()
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def like(user, word: str):
    from django.db.models import Q

    from minqing.appeals.models import Appeal
    from minqing.regions import jurisdiction

    qs = jurisdiction.visible(user, Appeal).filter(Q(title__contains=word) | Q(text__contains=word))
    return list(qs.order_by("-received_at").values_list("pk", "title")[:25]), qs.count()


def old_prefilter(user, word: str):
    """Before: the MATCH narrowed by `rowid IN (SELECT … region_code BETWEEN …)` (SQLite only)."""
    from django.db import connection

    from minqing.lib import regioncode
    from minqing.nlp import search
    from minqing.regions import jurisdiction

    codes = jurisdiction.scope_of(user).place_codes
    low, high = regioncode.subtree_range(sorted(codes)[0])
    match = search._fts_expr(search.parse(word, {}), [])
    with connection.cursor() as cur:
        cur.execute("SELECT rowid FROM nlp_search_fts WHERE nlp_search_fts MATCH %s AND rowid IN (SELECT id FROM "
                    "nlp_searchdoc WHERE region_code BETWEEN %s AND %s) ORDER BY bm25(nlp_search_fts) LIMIT 2000",
                    [match, low, high])
        return cur.fetchall()


HTTP_PATHS = {"/nlp/search/": "/nlp/search/?q={q}", "/api/v1/appeals?q=": "/api/v1/appeals?q={q}"}


def over_http(user, words: list[str], runs: int) -> dict[str, tuple[list[float], float]]:
    """GET /nlp/search/?q= and /api/v1/appeals?q= from a gunicorn (`minqing serve`, this database) with
    the user's session: 2 warm-ups + `runs` timed requests a word and path, the paths interleaved; also
    the server's CPU seconds over each path's timed requests."""
    from django.conf import settings
    from django.test import Client
    from load import Server, fetch, free_port

    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    env = os.environ | {"MINQING_PERIODIC": "0", "MINQING_STATEMENT_TIMEOUT": "30", "PYTHONPATH": str(REPO)}
    server = Server("minqing", [sys.executable, "-m", "minqing.cli", "serve", "--no-migrate", "--port", str(port)],
                    port, env, REPO, REPO / "var" / "bench" / "search_scale_server.log")
    out: dict[str, tuple[list[float], float]] = {name: ([], 0.0) for name in HTTP_PATHS}
    try:
        server.wait_ready()
        for word in words:
            for name, template in HTTP_PATHS.items():
                path = template.format(q=urllib.parse.quote(word))
                for _ in range(2):
                    status, _secs, _body = fetch(port, path, cookie)
                    assert status == 200, (path, status)
                ms, cpu = out[name]
                before = server.cpu_seconds()
                for _ in range(runs):
                    status, secs, _body = fetch(port, path, cookie)
                    assert status == 200, (path, status)
                    ms.append(secs * 1000)
                out[name] = (ms, cpu + server.cpu_seconds() - before)
            print(f"  http {word}: " + ", ".join(f"{n} p50 {statistics.median(out[n][0][-runs:]):.0f} ms"
                                                 for n in HTTP_PATHS), flush=True)
        return out
    finally:
        server.stop()


PEER_LIST = ("SELECT t.id, t.title, t.priority, q.title, t.status, t.created, t.due_date, u.username, "
             "t.submitter_email FROM helpdesk_ticket t JOIN helpdesk_queue q ON q.id = t.queue_id "
             "LEFT JOIN auth_user u ON u.id = t.assigned_to_id WHERE t.description LIKE {p} ORDER BY t.created DESC "
             "LIMIT 25")
PEER_COUNT = "SELECT count(*) FROM helpdesk_ticket WHERE description LIKE {p}"


def peer_search(url: str):
    """django-helpdesk's hand-written search (its measure.py case c's SQL: description LIKE %word%, the
    newest 25 + the count) on a SQLite file or a PostgreSQL database whose tickets got the same
    messages (bench/search_texts.py --peer); returns word -> tickets found."""
    if url.startswith("postgres"):
        import psycopg

        conn = psycopg.connect(url, autocommit=True)
        conn.execute("SET statement_timeout = 0")
        mark = "%s"
    else:
        import sqlite3

        conn = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True)
        mark = "?"

    def run(word: str) -> int:
        conn.execute(PEER_LIST.format(p=mark), [f"%{word}%"]).fetchall()
        return conn.execute(PEER_COUNT.format(p=mark), [f"%{word}%"]).fetchone()[0]

    return run


def against_peer(roles: dict, url: str, runs: int) -> None:
    """Word by word, interleaved in one run: search.find as the village cadre, the township head and the
    county leader, and the peer's search on the same messages (peer_search)."""
    from minqing.nlp import search

    peer_like = peer_search(url)
    print(f"\npeer: {url.split('@')[-1]}")
    print("\n| word | village find p50 / p95 ms | township find p50 / p95 ms | county find p50 / p95 ms | "
          "peer LIKE p50 / p95 ms | peer ÷ county (p50) | county cases / peer tickets |")
    print("|---|---|---|---|---|---|---|")
    ours_all: dict[str, list[float]] = {r: [] for r in roles}
    theirs_all: list[float] = []
    for word in QUERIES:
        ours: dict[str, list[float]] = {r: [] for r in roles}
        theirs: list[float] = []
        for user in roles.values():  # warm-ups
            search.find(user, word)
        found = peer_like(word)
        for _ in range(runs):
            for role, user in roles.items():
                ours[role] += timed_once(lambda u=user, w=word: search.find(u, w))
            theirs += timed_once(lambda w=word: peer_like(w))
        for role in roles:
            ours_all[role] += ours[role]
        theirs_all += theirs
        county = ours["county leader"]
        print(f"| {word} | " + " | ".join(f"{statistics.median(ours[r]):.0f} / {pct(ours[r], .95):.0f}" for r in roles)
              + f" | {statistics.median(theirs):.0f} / {pct(theirs, .95):.0f} | "
              f"{statistics.median(theirs) / statistics.median(county):.0f}× | "
              f"{search.find(roles['county leader'], word).total} / {found} |", flush=True)
    county = ours_all["county leader"]
    print("| all ten | " + " | ".join(f"{statistics.median(ours_all[r]):.0f} / {pct(ours_all[r], .95):.0f}"
                                      for r in roles)
          + f" | {statistics.median(theirs_all):.0f} / {pct(theirs_all, .95):.0f} | "
          f"{statistics.median(theirs_all) / statistics.median(county):.0f}× | |")


def timed_once(fn) -> list[float]:
    t = time.perf_counter()
    fn()
    return [(time.perf_counter() - t) * 1000]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p * len(xs) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--appeals", type=int, default=100_000)
    ap.add_argument("--pg", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="keep the database (and its index) as it is")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--texts-by-id", action="store_true",
                    help="appeal id gets search_texts.py's message for that id (the peer's texts), no replies")
    ap.add_argument("--build-only", action="store_true", help="build the database, no rebuild, no queries")
    ap.add_argument("--no-like", action="store_true", help="skip LIKE and the old prefilter (seconds a call at 1 M)")
    ap.add_argument("--http", action="store_true", help="also /nlp/search/ over HTTP as the county leader")
    ap.add_argument("--peer-sqlite", help="django-helpdesk's SQLite file with the same messages: compare word by word")
    ap.add_argument("--peer-pg-url", help="django-helpdesk's PostgreSQL database with the same messages: the same")
    ap.add_argument("--no-roles", action="store_true", help="skip the per-role table (the peer table has all roles)")
    args = ap.parse_args()
    if args.pg:
        import psycopg

        with psycopg.connect("postgresql://root@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'minqing_bench_search'").fetchone():
                conn.execute("CREATE DATABASE minqing_bench_search")
        os.environ["DATABASE_URL"] = PG_URL
    url = django_for("search", fresh=not args.reuse)
    from django.db import connection

    from minqing.nlp import search

    print(f"database: {connection.vendor} {url.split('@')[-1]}")
    if not args.reuse:
        t = time.perf_counter()
        build(args.appeals, by_id=args.texts_by_id)
        print(f"built {args.appeals} appeals in {time.perf_counter() - t:.0f} s", flush=True)
        if args.build_only:
            return
        seconds, peak, said = rebuild_in_child()
        print(f"search rebuild: {seconds:.0f} s, peak RSS {peak:.0f} MB — {said}")
    roles = users()
    rows = []
    for role, user in ({} if args.no_roles else roles).items():
        ours, theirs, before = [], [], []
        for q in QUERIES:
            ours += timed(lambda u=user, q=q: search.find(u, q), args.runs)
            if args.no_like:
                continue
            theirs += timed(lambda u=user, q=q: like(u, q), args.runs)
            if connection.vendor == "sqlite" and role != "county leader":
                before += timed(lambda u=user, q=q: old_prefilter(u, q), max(1, args.runs // 2))
        totals = {q: search.find(user, q).total for q in QUERIES}
        likes = {q: "–" if args.no_like else like(user, q)[1] for q in QUERIES}
        per_word = {q: statistics.median(ours[i * args.runs:(i + 1) * args.runs]) for i, q in enumerate(QUERIES)}
        print(f"{role}: find p50 per word ms " + ", ".join(f"{q} {v:.0f}" for q, v in per_word.items()), flush=True)
        rows.append((role, ours, theirs, before, totals, likes))
    print("\n| role | search.find p50 / p95 ms | LIKE (newest 25 + count) p50 / p95 ms | old region prefilter "
          "p50 / p95 ms | cases found (find / LIKE) per query |")
    print("|---|---|---|---|---|")
    for role, ours, theirs, before, totals, likes in rows:
        old = f"{statistics.median(before):.0f} / {pct(before, .95):.0f}" if before else "—"
        found = ", ".join(f"{q} {totals[q]}/{likes[q]}" for q in QUERIES)
        like_ms = f"{statistics.median(theirs):.0f} / {pct(theirs, .95):.0f}" if theirs else "—"
        print(f"| {role} | {statistics.median(ours):.0f} / {pct(ours, .95):.0f} | {like_ms} | {old} | {found} |")
    for peer in (args.peer_sqlite, args.peer_pg_url):
        if peer:
            against_peer(roles, peer, args.runs)
    if args.http:
        for name, (ms, cpu) in over_http(roles["county leader"], QUERIES, args.runs).items():
            print(f"\nHTTP {name} as the county leader, {len(ms)} timed requests: p50 {statistics.median(ms):.0f} "
                  f"ms, p95 {pct(ms, .95):.0f} ms; server CPU {cpu * 1000 / len(ms):.0f} ms a request")


if __name__ == "__main__":
    main()
