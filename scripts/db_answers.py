"""Exit 0 when the PostgreSQL server named by the URL answers, 1 otherwise."""

import sys

import psycopg

try:
    url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://")
    psycopg.connect(url, connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 - any failure means "does not answer"
    print(f"PostgreSQL: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
