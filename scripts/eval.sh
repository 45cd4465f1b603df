#!/bin/sh
# Scores `bouncedesk diagnose` on the shared corpus (../shared next to the
# repository): whole messages, then the text a user would paste.
# Skips cleanly when the corpus is absent.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${BOUNCEDESK_SHARED:-$(dirname "$ROOT")/shared}
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
RULES=${RULES:-$ROOT/db/seed/rules.txt}
C=$SHARED/corpus
if [ ! -f "$C/score.py" ] || [ ! -d "$C/set-of-emails" ]; then
	echo "eval: no corpus at $C, skipped"
	exit 0
fi
if [ ! -x "$BIN" ]; then
	echo "eval: $BIN not built" >&2
	exit 1
fi
status=0
for input in full pasted; do
	echo "== $input"
	python3 "$C/score.py" --labels "$C/labels.jsonl" \
	    --split "$C/split.tsv" --part dev --corpus "$C/set-of-emails" \
	    --cmd "$BIN diagnose --rules $RULES --jsonl {files}" \
	    --input "$input" "$@" || status=1
done
exit $status
