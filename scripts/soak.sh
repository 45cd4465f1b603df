#!/bin/sh
# scripts/soak.sh - `make soak`: runs the load mix of `make load`
# (scripts/load.sh, scripts/load.lua) against one `serve` process for
# SOAK_SECONDS (600) and samples its resident size every SOAK_INTERVAL
# seconds (10). Prints the series (VmRSS and VmHWM, KiB) and whether the
# memory stayed flat: the last sample within SOAK_TOLERANCE percent (10) of
# the first one after the warm-up (SOAK_WARMUP seconds, 60, at most half
# the run). Fails when it did not or when the server died.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
SECS=${SOAK_SECONDS:-600}
STEP=${SOAK_INTERVAL:-10}
WARM=${SOAK_WARMUP:-60}
TOL=${SOAK_TOLERANCE:-10}
[ "$WARM" -gt $((SECS / 2)) ] && WARM=$((SECS / 2))
tmp=$(mktemp -d)
pid=""
lpid=""
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM HUP PIPE

status() {	# status PID FIELD: the field of /proc/PID/status in KiB
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status" \
	    2>/dev/null
}

export BOUNCEDESK_SHARE_DIR="$ROOT"
"$BIN" migrate --db "$tmp/soak.db" >/dev/null 2>&1 &&
    "$BIN" seed --db "$tmp/soak.db" >/dev/null 2>&1 ||
    { echo "soak: cannot prepare the database"; exit 1; }
BOUNCEDESK_THREADS=${SOAK_SERVER_THREADS:-4} "$BIN" serve \
    --db "$tmp/soak.db" --listen 127.0.0.1:0 >"$tmp/out" 2>/dev/null &
pid=$!
i=0
while ! grep -q '^listening on' "$tmp/out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "soak: server did not start"; exit 1; }
	sleep 0.1
done
url="http://$(sed -n 's/^listening on //p' "$tmp/out")"

echo "soak: $url for ${SECS}s, a sample every ${STEP}s, warm-up ${WARM}s"
LOAD_URL=$url LOAD_PID=$pid LOAD_SECONDS=$SECS BIN=$BIN \
    sh "$ROOT/scripts/load.sh" >"$tmp/load.out" 2>&1 &
lpid=$!
t=0
ref=""
last=""
printf '  %6s %10s %10s\n' "t (s)" "VmRSS KiB" "VmHWM KiB"
while kill -0 "$lpid" 2>/dev/null && [ "$t" -le "$SECS" ]; do
	r=$(status "$pid" VmRSS)
	[ -z "$r" ] && break
	printf '  %6d %10s %10s\n' "$t" "$r" "$(status "$pid" VmHWM)"
	[ -z "$ref" ] && [ "$t" -ge "$WARM" ] && ref=$r
	last=$r
	sleep "$STEP"
	t=$((t + STEP))
done
wait "$lpid"
lrc=$?
lpid=""
sed 's/^/  /' "$tmp/load.out"
if ! kill -0 "$pid" 2>/dev/null; then
	echo "soak: FAIL, the server died"
	exit 1
fi
[ $lrc -ne 0 ] && { echo "soak: FAIL, the load run failed ($lrc)"; exit 1; }
[ -z "$ref" ] && ref=$last
if [ -z "$last" ]; then
	echo "soak: FAIL, no sample"
	exit 1
fi
pct=$(awk "BEGIN{printf \"%.1f\", ($last - $ref) * 100 / $ref}")
if awk "BEGIN{d = $last - $ref; if (d < 0) d = -d; exit !(d * 100 <= $ref * $TOL)}"
then
	echo "soak: flat, VmRSS ${ref} KiB after warm-up, ${last} KiB at the end" \
	    "(${pct}%, within ${TOL}%)"
else
	echo "soak: NOT flat, VmRSS ${ref} KiB after warm-up, ${last} KiB at" \
	    "the end (${pct}%, over ${TOL}%)"
	exit 1
fi
