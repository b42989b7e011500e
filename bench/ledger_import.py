"""Ledger (整改台账) import at county scale, against django-helpdesk's bulk insert in the same run.

A generated county ledger in our own layout (序号 … 备注, 登记时间), N rows over the demo county's 37 real
townships (宣汉县 511722, codes and names from ../shared/data/divisions) and 10 villages each (the codes
bench/metrics.py uses), texts sampled from the residents' messages of ../shared/data/taidi2020c (附件3),
categories from its first level, county units as 责任单位; 62 % closed after a return visit, 8 % solved on
the spot, 5 % answered (政策解答), 25 % open (assigned with a deadline, some with progress); 8 % anonymous.

Each import runs in a fresh process on a fresh database (`ledger import` with full validation, as the
CLI and the web job call it, region = the county) and prints wall, user+sys CPU, and the peak RSS before
and after the import (ru_maxrss; Django loaded and migrated before). In the same run, for the same N, the
peer's load.py (bulk_create of tickets, 5 000 a transaction) runs on a fresh copy of a migrated peer
database of the same engine; its own process's peak RSS is read by /usr/bin/time -v.

    nice -n 5 .venv/bin/python bench/ledger_import.py --sizes 20000,200000 --formats csv,xlsx
    DATABASE_URL=postgresql://root@127.0.0.1:5432/import21_bench nice -n 5 .venv/bin/python bench/ledger_import.py
    .venv/bin/python bench/ledger_import.py --generate 20000 csv /tmp/ledgers      # the file alone

PEER_DIR (default /work/wt/peer) must hold the peer's venv (../shared/peer-helpdesk/setup.sh).
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
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
PEER_SRC = Path(os.environ.get("PEER_SRC", "/work/shared/peer-helpdesk"))
PEER_DIR = Path(os.environ.get("PEER_DIR", "/work/wt/peer"))
COUNTY = "511722000000"
VILLAGES = 10
UNITS = ("县住建局", "县交通运输局", "县水务局", "县农业农村局", "县生态环境局", "县自然资源局", "县人社局",
         "县卫健局", "县教科局", "县市场监管局", "县民政局", "县城管执法局")
HEADERS = ("序号", "来源", "反映人", "乡镇/村", "类别", "问题描述", "责任单位", "责任人", "整改措施", "整改时限",
           "进展", "是否办结", "群众满意度", "备注", "登记时间")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文德福贵荣"
SOURCES = ("入户走访", "院坝会", "接待日", "来电", "来信", "书记信箱", "网络", "上级转办", "12345热线")
PROGRESS = ("已现场查看，正在协调施工队", "已召开协调会，拟定整改方案", "已上报县级部门，等待批复",
            "材料已收齐，正在审核", "已约谈相关责任人", "已安排专人跟进")
MEASURES = ("组织人员现场核实并整改", "协调相关部门联合处置", "落实专项资金进行维修", "向群众解释政策并跟踪回访",
            "督促责任单位限期整改", "安排网格员每日巡查")


def townships() -> list[tuple[str, str]]:
    """(12-digit code, name) of the county's 37 townships, as the divisions data names them."""
    out = []
    with (DATA / "divisions" / "streets.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["areaCode"] == COUNTY[:6]:
                out.append((row["code"] + "000", row["name"]))
    return out


def villages() -> list[tuple[str, str, str]]:
    """(village code, township name, village name): 10 a township (invented names, metrics.py's codes)."""
    numerals = "一二三四五六七八九十"
    return [(f"{code[:9]}{201 + v:03d}", name, f"{re.sub('(镇|乡|街道)$', '', name)}{numerals[v]}村")
            for code, name in townships() for v in range(VILLAGES)]


def messages(limit: int = 6000) -> list[str]:
    """Residents' messages (附件3 留言详情), whitespace collapsed, 20–400 characters."""
    out = []
    with (DATA / "taidi2020c" / "附件3.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = re.sub(r"\s+", "", row["留言详情"])[:400]
            if len(text) >= 20:
                out.append(text)
            if len(out) >= limit:
                break
    return out


def categories() -> list[str]:
    with (DATA / "taidi2020c" / "附件2_示例数据_dev.csv").open(encoding="utf-8") as fh:
        return sorted({row["一级分类"] for row in csv.DictReader(fh) if row["一级分类"]})


def ledger_rows(n: int, seed: int = 21):
    rng = random.Random(seed)
    texts, cats, places = messages(), categories(), villages()
    start = dt.datetime(2025, 1, 1, 8)
    for i in range(1, n + 1):
        _code, town, village = rng.choice(places)
        received = start + dt.timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
        who = "匿名" if rng.random() < 0.08 else "、".join(
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
            for _ in range(1 if rng.random() < 0.9 else 2))
        text = f"{rng.choice(texts)}（台账第{i}条）"  # the same message in two rows is two cases
        roll = rng.random()
        unit = handler = measures = due = progress = satisfaction = remark = ""
        closed = "否"
        if roll < 0.05:  # 政策解答
            measures, remark = "已向群众解释相关政策", "政策解答"
            closed = "是"
        elif roll < 0.13:  # 立行立改
            measures, remark, closed = rng.choice(MEASURES), "立行立改", "是"
            satisfaction = "满意" if who != "匿名" else ""
        else:  # 限期整改
            unit = rng.choice(UNITS) if rng.random() < 0.6 else f"{town}人民政府"
            handler = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            measures = rng.choice(MEASURES)
            deadline = received + dt.timedelta(days=rng.randint(7, 60))
            due = deadline.date().isoformat()
            if rng.random() < 0.5:
                progress = rng.choice(PROGRESS)
            if roll < 0.75:
                closed = "是"
                end = received + dt.timedelta(days=rng.randint(1, 60))
                satisfaction = "" if who == "匿名" else rng.choice(("满意", "满意", "基本满意", "不满意"))
                remark = f"{end.date().isoformat()}办结" + ("，未解决" if rng.random() < 0.03 else "")
        yield (i, rng.choice(SOURCES), who, f"{town}/{village}", rng.choice(cats), text, unit, handler, measures,
               due, progress, closed, satisfaction, remark, received.strftime("%Y-%m-%d %H:%M"))


def generate(n: int, fmt: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"宣汉县整改台账_{n}.{fmt}"
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(HEADERS)
            w.writerows(ledger_rows(n))
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        ws = wb.add_worksheet("整改台账")
        ws.write_row(0, 0, ["宣汉县群众诉求整改台账"])
        ws.write_row(1, 0, HEADERS)
        for r, row in enumerate(ledger_rows(n), start=2):
            ws.write_row(r, 0, row)
        wb.close()
    return path


# --- the import, in a fresh process -------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def child(path: str, profiler=None) -> None:
    sys.path.insert(0, str(HERE))
    from _setup import django_for

    django_for(os.environ.get("LEDGER_BENCH_DB", "ledger_import"))  # another name: a second run beside
    from django.db import connection

    from minqing.accounts.models import Unit
    from minqing.appeals.models import Appeal, AppealEvent
    from minqing.audit.models import Event
    from minqing.ledgers.importers import load_ledger
    from minqing.regions.models import Level, Region

    Region.objects.get_or_create(code="510000000000", defaults={"name": "四川省", "level": Level.PROVINCE})
    Region.objects.get_or_create(code="511700000000", defaults={"name": "达州市", "level": Level.CITY,
                                                                "parent_id": "510000000000"})
    Region.objects.get_or_create(code=COUNTY, defaults={"name": "宣汉县", "level": Level.COUNTY,
                                                        "parent_id": "511700000000"})
    for code, name in townships():
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": Level.TOWNSHIP, "parent_id": COUNTY})
        Unit.objects.get_or_create(region_id=code, name=f"{name}人民政府", defaults={"kind": "township_office"})
    for code, _town, name in villages():
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": Level.VILLAGE,
                                                          "parent_id": code[:9] + "000"})
    for name in UNITS:
        Unit.objects.get_or_create(region_id=COUNTY, name=name, defaults={"kind": "department"})
    before = _peak_mb()
    t0, c0 = time.perf_counter(), _cpu()
    log = REPO / "var" / "bench" / "ledger_progress.log"

    def progress(rows: int) -> None:  # a run cut short still says how far it got, how fast, in what memory
        with log.open("a") as fh:
            fh.write(json.dumps({"file": Path(path).name, "db": connection.vendor, "rows": rows,
                                 "seconds": round(time.perf_counter() - t0, 1), "cpu": round(_cpu() - c0, 1),
                                 "peak_mb": round(_peak_mb())}) + "\n")

    if profiler is not None:
        profiler.enable()
    result = load_ledger(path, mapping="own", region=COUNTY, progress=progress)
    if profiler is not None:
        profiler.disable()
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    print(json.dumps({"rows": result.rows, "created": result.created, "seconds": round(seconds, 1),
                      "cpu": round(cpu, 1), "per_second": round(result.rows / seconds),
                      "per_cpu_second": round(result.rows / cpu), "peak_before_mb": round(before),
                      "peak_after_mb": round(_peak_mb()), "appeals": Appeal.objects.count(),
                      "events": AppealEvent.objects.count(), "audit": Event.objects.count(),
                      "database": connection.vendor}))


# --- the peer's bulk insert ---------------------------------------------------------------------------


def _peer_env(url: str) -> dict[str, str]:
    return {**os.environ, "PEER_DIR": str(PEER_DIR), "DATABASE_URL": url}


def peer_template(pg: bool) -> str:
    """A migrated peer database with its fixtures, copied for every run."""
    py = str(PEER_DIR / "venv" / "bin" / "python")
    if pg:
        _psql("DROP DATABASE IF EXISTS import22_peer_tpl")
        _psql("CREATE DATABASE import22_peer_tpl")
        url = "postgresql://root@127.0.0.1:5432/import22_peer_tpl"
    else:
        tpl = REPO / "var" / "bench" / "peer_tpl.sqlite3"
        tpl.parent.mkdir(parents=True, exist_ok=True)
        tpl.unlink(missing_ok=True)
        url = f"sqlite:///{tpl}"
    subprocess.run([py, str(PEER_DIR / "proj" / "manage.py"), "migrate", "-v0"], check=True, env=_peer_env(url))
    subprocess.run([py, "-B", "-c", "import peer; peer.fixtures()"], check=True, env=_peer_env(url), cwd=PEER_SRC)
    return url


def _psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "root", "-d", "test", "-qc", sql], check=True,
                   capture_output=True)


def peer_load(n: int, pg: bool) -> dict:
    if pg:
        for _ in range(10):
            try:
                _psql("DROP DATABASE IF EXISTS import22_peer")
                _psql("CREATE DATABASE import22_peer TEMPLATE import22_peer_tpl")
                break
            except subprocess.CalledProcessError:
                time.sleep(2)
        url = "postgresql://root@127.0.0.1:5432/import22_peer"
    else:
        db = REPO / "var" / "bench" / "peer_run.sqlite3"
        shutil.copy(REPO / "var" / "bench" / "peer_tpl.sqlite3", db)
        url = f"sqlite:///{db}"
    done = subprocess.run(["/usr/bin/time", "-v", str(PEER_DIR / "venv" / "bin" / "python"), "load.py", "--n", str(n),
                           "--seed", "1"], env=_peer_env(url), cwd=PEER_SRC, capture_output=True, text=True,
                          check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["peak_mb"] = round(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024)
    out["process_cpu"] = round(sum(float(re.search(rf"{kind} time \(seconds\): ([\d.]+)", done.stderr).group(1))
                                   for kind in ("User", "System")), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--child", default=None)
    parser.add_argument("--generate", nargs=3, default=None)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.generate:
        print(generate(int(args.generate[0]), args.generate[1], Path(args.generate[2])))
        return
    pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    print(f"database: {'PostgreSQL' if pg else 'SQLite (var/bench/ledger_import.sqlite3)'}; "
          f"chunk: {os.environ.get('MINQING_IMPORT_CHUNK', 'default')}; load {os.getloadavg()[0]:.1f}")
    if not args.no_peer:
        peer_template(pg)
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            if not args.no_peer:
                p = peer_load(size, pg)
                print(f"peer bulk_create {size:>7} tickets: {p['tickets_per_s']:>5}/s ({p['seconds']} s), "
                      f"process peak {p['peak_mb']} MB, process CPU {p['process_cpu']} s (Django start included)",
                      flush=True)
            for fmt in args.formats.split(","):
                path = subprocess.run([sys.executable, __file__, "--generate", str(size), fmt, tmp], check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1]
                mb = Path(path).stat().st_size / 1e6
                done = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--child", path],
                                      capture_output=True, text=True)
                if done.returncode != 0:
                    print(f"{fmt} {size}: FAILED\n{done.stderr[-3000:]}", flush=True)
                    continue
                r = json.loads(done.stdout.strip().splitlines()[-1])
                rss = round(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024)
                print(f"ours {fmt:4} {size:>7} rows ({mb:.1f} MB): {r['per_second']:>5} rows/s wall "
                      f"({r['seconds']} s), "
                      f"{r['per_cpu_second']} per CPU s ({r['cpu']} s CPU); peak RSS {r['peak_before_mb']} → "
                      f"{r['peak_after_mb']} MB (process {rss} MB); created {r['created']}, events {r['events']}, "
                      f"audit {r['audit']}", flush=True)
                Path(path).unlink()


if __name__ == "__main__":
    main()
