"""`minqing demo` from nothing (no var/) to the first HTTP 200 of the log-in page: wall time, the CPU
seconds of the demo process and its gunicorn workers (the figure to compare on a shared machine), and
the wall and CPU time at each progress line the loader prints; --background: then until the worker the
demo starts has built the category model and the search index.

    .venv/bin/python bench/demo_start.py [--port 8011] [--households 5000] [--keep HOME] [--background]

Runs this checkout's code (PYTHONPATH=this repo, or --repo) in a fresh temporary MINQING_HOME on SQLite, then
stops the server it started (its process group only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of pid and its live descendants, plus what its reaped children used."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / TICK  # utime stime cutime cstime
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += cpu_seconds(int(child))
    return total


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status == 200
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--keep", help="run in this MINQING_HOME (emptied first) and keep it")
    parser.add_argument("--background", action="store_true",
                        help="after the first page, wait until the background jobs (model, index) are done")
    parser.add_argument("--repo", default=str(REPO), help="the checkout whose code runs (default: this one)")
    args = parser.parse_args()
    home = Path(args.keep or tempfile.mkdtemp(prefix="minqing-demo-start-"))
    shutil.rmtree(home / "var", ignore_errors=True)
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MINQING_HOME": str(home), "PYTHONPATH": args.repo, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "minqing.cli", "demo", "--port", str(args.port),
           "--households", str(args.households)]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{args.port}/login/"
    try:
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        raw = b""
        while True:
            raw += proc.stdout.read() or b""
            cut = raw.rfind(b"\n") + 1  # whole lines only (a character may be cut at the end)
            buffer, raw = raw[:cut].decode(errors="replace"), raw[cut:]
            for line in buffer.split("\n"):
                if line.strip() and "[INFO]" not in line and "GET /" not in line:
                    print(f"{time.perf_counter() - started:7.1f} s  cpu {cpu_seconds(proc.pid):6.1f} s  {line}",
                          flush=True)
            if proc.poll() is not None:
                raise SystemExit(f"the demo stopped ({proc.returncode})")
            if answers(url):
                break
            time.sleep(0.5)
        first = time.perf_counter() - started
        cpu = cpu_seconds(proc.pid)
        t = time.perf_counter()
        answers(url)
        again = time.perf_counter() - t
        print(f"first 200 of {url} after {first:.1f} s wall, {cpu:.1f} s CPU (demo + workers); "
              f"the next request {again:.3f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
        if args.background:  # the model and the index, built by the worker the demo starts (demo/finish.py)
            while "已运行" not in buffer:
                time.sleep(1)
                raw += proc.stdout.read() or b""
                cut = raw.rfind(b"\n") + 1
                buffer, raw = raw[:cut].decode(errors="replace"), raw[cut:]
                for line in buffer.split("\n"):
                    if line.strip() and "GET /" not in line:
                        print(f"{time.perf_counter() - started:7.1f} s  {line}", flush=True)
                if time.perf_counter() - started > 1800:
                    raise SystemExit("the background jobs did not finish within 30 minutes")
            print(f"background jobs done after {time.perf_counter() - started:.1f} s wall, "
                  f"{cpu_seconds(proc.pid):.1f} s CPU in all; load average {os.getloadavg()[0]:.1f}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
