#!/bin/sh
# scripts/fuzz.sh BUILD SECONDS TARGET... - runs each libFuzzer target of
# BUILD/tests/fuzz for SECONDS on its seed corpus (tests/fuzz/<name>/, the
# target's name without "fuzz_", plus the project's fixtures where they
# fit) and a work corpus kept in BUILD/fuzz-corpus/<name>. Prints one line
# per target: executions, executions per second, coverage, corpus size.
# A crash, leak or timeout leaves its input in BUILD/fuzz-crashes/ and
# makes the script fail. Run from the repository top.
set -u
BUILD=${1:?usage: fuzz.sh BUILD SECONDS TARGET...}
SECS=${2:?usage: fuzz.sh BUILD SECONDS TARGET...}
shift 2
failed=0
mkdir -p "$BUILD/fuzz-crashes"
for t in "$@"; do
	bin="$BUILD/tests/fuzz/$t"
	name=${t#fuzz_}
	work="$BUILD/fuzz-corpus/$name"
	log="$BUILD/fuzz-crashes/$t.log"
	mkdir -p "$work"
	extra=""
	maxlen=8192
	case $name in
	diag)	extra="tests/data/bounces tests/data/headers"
		maxlen=65536 ;;
	hdrs)	extra="tests/data/headers"
		maxlen=65536 ;;
	markdown) extra="db/seed/faq"
		maxlen=65536 ;;
	rules)	maxlen=65536 ;;
	dnsmsg)	maxlen=4097 ;;	# a type byte and an EDNS-sized message
	esac
	# Leaks are checked: every target frees what it allocates.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=$maxlen -print_final_stats=1 \
	    -artifact_prefix="$BUILD/fuzz-crashes/$t-" \
	    "$work" "tests/fuzz/$name" $extra >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
	corp=$(find "$work" -type f | wc -l)
	if [ $rc -ne 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $t (exit $rc); log $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*Test unit written)' \
		    "$log" | head -5
	else
		printf '%-14s %8s runs %7s exec/s  cov %5s  corpus %s\n' \
		    "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "$corp"
	fi
done
echo "(${SECS}s each)"
echo "fuzz: $(($# - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
