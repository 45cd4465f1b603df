#!/bin/sh
# FAQ search latency (p50 / p99) over a generated 10,000-article base:
# builds scripts/bench_kb.c against the project library with the
# Makefile's own flags, makes the base in a temporary directory, runs a
# fixed list of queries (typos, codes, both languages) through kb_search
# and prints the figures. The issue's aim: below 2 ms p99.
# ARTICLES=n and ROUNDS=n change the size and the number of passes.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
ARTICLES=${ARTICLES:-10000}
ROUNDS=${ROUNDS:-20}
cd "$ROOT" || exit 1
make -s BUILD="$BUILD" "$BUILD/libbouncedesk.a" || exit 1
# The Makefile's variables, without a target of ours in it.
cflags=$(make -s BUILD="$BUILD" --eval='bench-kb-flags: ; @echo $(ALL_CFLAGS)' bench-kb-flags)
libs=$(make -s BUILD="$BUILD" --eval='bench-kb-libs: ; @echo $(LDFLAGS) $(PKG_LIBS)' bench-kb-libs)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
if ! ${CC:-cc} $cflags -o "$tmp/bench_kb" scripts/bench_kb.c \
    "$BUILD/libbouncedesk.a" $libs; then
	echo "bench_kb: build failed"
	exit 1
fi
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"
$PIN "$tmp/bench_kb" "$tmp/bench.db" "$ARTICLES" "$ROUNDS"
