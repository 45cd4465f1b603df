#!/bin/sh
# make bench: every benchmark, each printing its figures.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
echo "== diagnosis engine"
sh "$ROOT/scripts/bench_diag.sh"
echo "== HTTP transports"
sh "$ROOT/scripts/bench_http.sh"
echo "== FAQ search (10,000 articles)"; sh "$ROOT/scripts/bench_kb.sh"
