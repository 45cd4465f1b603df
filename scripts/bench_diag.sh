#!/bin/sh
# Messages per second of the diagnosis engine over the shared corpus, in
# one process on one core (the hidden `diagnose --repeat N`, which reads
# the files once and times only the engine): the whole messages, then the
# text a user pastes (converted with the corpus's paste.py), and the ratio
# to Sisimai's ~350 messages/s. The best of RUNS runs is kept: other jobs
# on the machine only ever slow a run down. Skips cleanly when the corpus
# is absent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${BOUNCEDESK_SHARED:-$(dirname "$ROOT")/shared}
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
RULES=${RULES:-$ROOT/db/seed/rules.txt}
REPEAT=${REPEAT:-20}
RUNS=${RUNS:-3}
C=$SHARED/corpus
DIR=$C/set-of-emails/maildir/bsd
if [ ! -d "$DIR" ]; then
	echo "bench: no corpus at $DIR, skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "bench: $BIN not built" >&2
	exit 1
fi
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"

# best DIR: the highest rate of RUNS runs over DIR/*.eml
best() {
	b=0
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		out=$($PIN "$BIN" diagnose --rules "$RULES" --repeat "$REPEAT" \
		    "$1"/*.eml 2>&1 >/dev/null)
		r=$(echo "$out" | sed -n 's/.*: \([0-9][0-9]*\) messages\/s.*/\1/p')
		[ -n "$r" ] && [ "$r" -gt "$b" ] && b=$r
		i=$((i + 1))
	done
	echo "$b"
}

whole=$(best "$DIR")
echo "whole messages: $whole messages/s"
echo "ratio to Sisimai (~350 messages/s): $(awk "BEGIN{printf \"%.1f\", $whole/350}")x"
if command -v python3 >/dev/null 2>&1 && [ -f "$C/paste.py" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	(cd "$DIR" && python3 "$C/paste.py" --tree "$DIR" "$tmp" *.eml)
	echo "pasted text: $(best "$tmp") messages/s"
fi
exit 0
