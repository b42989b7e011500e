import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

CONFIG = "python:minqing.gunicorn_conf"  # worker class, workers, threads, time-outs, access log


def command(host: str, port: int, workers: int | None = None) -> list[str]:
    """The gunicorn command line: the settings file, then what this invocation overrides."""
    argv = [sys.executable, "-m", "gunicorn", "minqing.wsgi:application", "--config", CONFIG,
            "--bind", f"{host}:{port}"]
    return argv + (["--workers", str(workers)] if workers else [])


class Command(BaseCommand):
    help = "以 gunicorn 运行站点（静态文件由 whitenoise 提供）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("MINQING_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("MINQING_PORT", "8000")))
        # Unset: minqing/gunicorn_conf.py decides (MINQING_WORKERS, else 2).
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, host: str, port: int, workers: int | None, no_migrate: bool, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"minqing: http://{host}:{port}/")
        sys.stdout.flush()
        # Each gunicorn worker runs the periodic tasks (the deadline sweep) in a daemon thread; one
        # process per interval wins the claim (jobs/periodic.py). MINQING_SWEEP_MINUTES=0 turns it off.
        os.environ.setdefault("MINQING_PERIODIC", "1")
        os.execv(sys.executable, command(host, port, workers))
