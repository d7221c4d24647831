#!/usr/bin/env bash
# make bench: every benchmark of the project, each printing p50/p95/p99 and its
# ratio to a baseline measured in the same run. Results also go to bench/results/.
# cockpit_province.py skips itself unless BENCH_PROVINCE=1 (PostgreSQL only; tens of minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
stamp=$(date +%Y%m%d-%H%M%S)
shopt -s nullglob
for script in bench/*.py; do
  name=$(basename "$script" .py)
  echo "== $name (SQLite)"
  env -u DATABASE_URL .venv/bin/python "$script" | tee "bench/results/$stamp-$name-sqlite.txt"
  if pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "== $name (PostgreSQL)"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govhall_bench .venv/bin/python "$script" \
      | tee "bench/results/$stamp-$name-pg.txt"
  fi
done
# ── 事项库 (catalog) ──
# bench/catalog_import.py (a 5,000-row import against a bulk insert) and bench/public_pages.py
# (home, search, guide and center pages against /healthz) are picked up by the loop above.
