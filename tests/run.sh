#!/bin/sh
# tests/run.sh BUILD [unit|http|faults|attacks|reports|staff|unblock|faq|browser|all] - runs
# the suites and sums them up. Each cmocka program prints its own counts; the
# HTTP suites print "http: N passed, M failed" (faults:, attacks: likewise),
# the browser suite (tests/browser, Node) "browser: ...". The last line is
# the total.
set -u
BUILD=${1:-build}
PART=${2:-all}
passed=0
failed=0
logdir=$(mktemp -d)
trap 'rm -rf "$logdir"' EXIT

count() {	# count FILE: adds the cmocka totals of a log
	p=$(sed -n 's/^\[  PASSED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9][0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

if [ "$PART" = all ] || [ "$PART" = unit ]; then
	for t in "$BUILD"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		if "$t" >"$logdir/$name.log" 2>&1; then
			rc=0
		else
			rc=$?
		fi
		count "$logdir/$name.log"
		if [ $rc -ne 0 ]; then
			cat "$logdir/$name.log"
			if ! grep -q '^\[  FAILED  \]' "$logdir/$name.log"; then
				echo "$name: exited $rc"
				failed=$((failed + 1))
			fi
		else
			tail -1 "$logdir/$name.log" | sed "s/^/$name: /"
		fi
	done
fi

if [ "$PART" = all ] || [ "$PART" = http ]; then
	if [ -f tests/http/run.py ]; then
		python3 tests/http/run.py "$BUILD/bouncedesk" \
		    >"$logdir/http.log" 2>&1
		rc=$?
		cat "$logdir/http.log"
		line=$(grep -E '^http: [0-9]+ passed, [0-9]+ failed' \
		    "$logdir/http.log" | tail -1)
		p=$(echo "$line" | sed -n 's/^http: \([0-9]*\) passed.*/\1/p')
		f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-0}))
		if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ]; then
			echo "http suite exited $rc"
			failed=$((failed + 1))
		fi
	fi
fi

# pysuite NAME SCRIPT: runs tests/http/SCRIPT and adds its "NAME: N passed,
# M failed" line to the totals.
pysuite() {
	[ -f "tests/http/$2" ] || return 0
	python3 "tests/http/$2" "$BUILD/bouncedesk" >"$logdir/$1.log" 2>&1
	rc=$?
	cat "$logdir/$1.log"
	line=$(grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$logdir/$1.log" |
	    tail -1)
	p=$(echo "$line" | sed -n "s/^$1: \([0-9]*\) passed.*/\1/p")
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ]; then
		echo "$1 suite exited $rc"
		failed=$((failed + 1))
	fi
}

if [ "$PART" = all ] || [ "$PART" = diag ]; then
	pysuite diag test_diag.py
fi

if [ "$PART" = all ] || [ "$PART" = faults ]; then
	pysuite faults test_faults.py
fi

if [ "$PART" = all ] || [ "$PART" = attacks ]; then
	pysuite attacks test_attacks.py
fi

if [ "$PART" = all ] || [ "$PART" = reports ]; then
	pysuite reports test_reports.py
fi

if [ "$PART" = all ] || [ "$PART" = dns ]; then
	pysuite dns test_dns.py
fi

if [ "$PART" = all ] || [ "$PART" = staff ]; then
	pysuite staff test_staff.py
fi

if [ "$PART" = all ] || [ "$PART" = unblock ]; then
	pysuite unblock test_unblock.py
fi

if [ "$PART" = all ] || [ "$PART" = faq ]; then
	pysuite faq test_faq.py
fi

if [ "$PART" = all ] || [ "$PART" = browser ]; then
	if [ -f tests/browser/run.mjs ]; then
		node tests/browser/run.mjs "$BUILD/bouncedesk" \
		    >"$logdir/browser.log" 2>&1
		rc=$?
		cat "$logdir/browser.log"
		line=$(grep -E '^browser: [0-9]+ passed, [0-9]+ failed' \
		    "$logdir/browser.log" | tail -1)
		p=$(echo "$line" | sed -n 's/^browser: \([0-9]*\) passed.*/\1/p')
		f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
		passed=$((passed + ${p:-0}))
		failed=$((failed + ${f:-0}))
		if [ $rc -ne 0 ] && [ "${f:-0}" = 0 ]; then
			echo "browser suite exited $rc"
			failed=$((failed + 1))
		fi
	fi
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
