#!/usr/bin/env bash
# The whole suite: on SQLite, then on PostgreSQL when one answers. With CI=true, PostgreSQL,
# the browser tests and the tests that read ../shared/data are all required.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
JOBS=${TEST_JOBS:-2}
status=0

$BIN/ruff check . || status=1

echo "== suite on SQLite =="
env -u DATABASE_URL $BIN/python -m pytest -n "$JOBS" "$@" || status=1

PG_URL=${DATABASE_URL:-postgresql://root@127.0.0.1:5432/test}
if [[ "$PG_URL" == postgres* ]] && $BIN/python scripts/db_answers.py "$PG_URL"; then
  echo "== suite on PostgreSQL ($PG_URL) =="
  # The browser tests drive the same pages; once (on SQLite) is enough.
  DATABASE_URL="$PG_URL" $BIN/python -m pytest -n "$JOBS" -m "not browser" "$@" || status=1
else
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL did not answer at $PG_URL and CI=true requires it: FAILED"
    status=1
  else
    echo "PostgreSQL did not answer at $PG_URL: the PostgreSQL run was NOT done (only SQLite was tested)."
  fi
fi
exit $status
