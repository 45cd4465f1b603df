#!/bin/sh
# scripts/load.sh - `make load`: drives the server on loopback with wrk over
# a realistic mix (scripts/load.lua: diagnoses of the real-size bounces of
# tests/data/bounces, some kept; FAQ searches; article pages; API reads) for
# LOAD_SECONDS (20), LOAD_CONNS connections (16) and LOAD_THREADS wrk
# threads (2). Prints throughput, latency p50/p99, errors (non-2xx and
# socket) and the server's resident memory before and after.
# With LOAD_URL and LOAD_PID it drives that running server; otherwise it
# starts BUILD/bouncedesk on a fresh seeded database and stops it after.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
SECS=${LOAD_SECONDS:-20}
CONNS=${LOAD_CONNS:-16}
WTHREADS=${LOAD_THREADS:-2}
if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq wrk >/dev/null 2>&1 ||
		    { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	fi
	command -v wrk >/dev/null 2>&1 ||
	    { echo "load: wrk is missing (apt-get install wrk)"; exit 1; }
fi
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && [ -z "${LOAD_PID:-}" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

rss() {	# rss PID: resident set in KiB
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"
}

if [ -n "${LOAD_URL:-}" ]; then
	url=$LOAD_URL
	pid=${LOAD_PID:?LOAD_PID is needed with LOAD_URL}
else
	export BOUNCEDESK_SHARE_DIR="$ROOT"
	"$BIN" migrate --db "$tmp/load.db" >/dev/null 2>&1 &&
	    "$BIN" seed --db "$tmp/load.db" >/dev/null 2>&1 ||
	    { echo "load: cannot prepare the database"; exit 1; }
	BOUNCEDESK_THREADS=${LOAD_SERVER_THREADS:-4} "$BIN" serve \
	    --db "$tmp/load.db" --listen 127.0.0.1:0 >"$tmp/out" \
	    2>"$tmp/serve.log" &
	pid=$!
	i=0
	while ! grep -q '^listening on' "$tmp/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "load: server did not start";
		    cat "$tmp/serve.log"; exit 1; }
		sleep 0.1
	done
	url="http://$(sed -n 's/^listening on //p' "$tmp/out")"
fi

# A kept analysis to read back, and the article ids of the seed.
diag=$(curl -s -X POST -H 'Content-Type: text/plain' \
    --data-binary '550 5.1.1 <nobody@example.org>: User unknown' \
    "$url/api/v1/diagnoses?store=1" |
    sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p')
ids=$(sed -n 's/^id: *\([0-9][0-9]*\)$/\1/p' "$ROOT"/db/seed/faq/*.md |
    sort -un | tr '\n' ',')
files=$(ls "$ROOT"/tests/data/bounces/*.eml "$ROOT"/tests/data/bounces/*.txt)
sizes=$(cat $files | wc -c)
nfiles=$(echo "$files" | wc -l)

curl -s -o /dev/null "$url/healthz"
before=$(rss "$pid")
echo "load: $url, ${SECS}s, $CONNS connections, $nfiles bounces" \
    "(mean $((sizes / nfiles)) bytes)"
# shellcheck disable=SC2086
wrk -t "$WTHREADS" -c "$CONNS" -d "${SECS}s" --timeout 10s \
    -s "$ROOT/scripts/load.lua" "$url" -- $files "ids=$ids" "diag=$diag" |
    sed -n '/^requests /,$p'
after=$(rss "$pid")
echo "server RSS  before ${before} KiB, after ${after} KiB"
kill -0 "$pid" 2>/dev/null || { echo "load: the server died"; exit 1; }
