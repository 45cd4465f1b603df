#!/bin/sh
# Messages per second of the diagnosis engine over the shared corpus, in
# one process on one core (the hidden `diagnose --repeat N`, which reads
# the files once and times only the engine), and the ratio to Sisimai's
# ~350 messages/s. Skips cleanly when the corpus is absent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${BOUNCEDESK_SHARED:-$(dirname "$ROOT")/shared}
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
RULES=${RULES:-$ROOT/db/seed/rules.txt}
REPEAT=${REPEAT:-20}
DIR=$SHARED/corpus/set-of-emails/maildir/bsd
if [ ! -d "$DIR" ]; then
	echo "bench: no corpus at $DIR, skipped"
	exit 0
fi
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"
out=$($PIN "$BIN" diagnose --rules "$RULES" --repeat "$REPEAT" "$DIR"/*.eml 2>&1 >/dev/null)
echo "$out"
rate=$(echo "$out" | sed -n 's/.*: \([0-9][0-9]*\) messages\/s.*/\1/p')
[ -n "$rate" ] && echo "ratio to Sisimai (~350 messages/s): $(awk "BEGIN{printf \"%.1f\", $rate/350}")x"
exit 0
