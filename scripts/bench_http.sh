#!/bin/sh
# HTTP request rates of the two transports on loopback, side by side:
# `serve` (libmicrohttpd) and `fcgi` behind nginx (unix socket,
# fastcgi_keep_conn, upstream keepalive), measured with wrk over the same
# paths: /healthz, a diagnosis (POST of the largest bounce of
# tests/data/bounces, scripts/bench_post.lua), a FAQ search, an article
# page and /; each with its ratio to /healthz of the same run. Then memory:
# the `serve` process's VmRSS/VmHWM before and after that mix and after
# one POST of a 4 MiB paste, and the peak RSS of `bouncedesk diagnose` on
# that paste (scripts/bigbounce.sh). Installs wrk when missing and run as
# root.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/${BUILD:-build}/bouncedesk}
DUR=${DUR:-8}
CONNS=${CONNS:-32}
if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then
		apt-get install -y -qq wrk >/dev/null 2>&1 ||
		    { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	fi
	command -v wrk >/dev/null 2>&1 ||
	    { echo "bench: wrk is missing (apt-get install wrk), skipped"; exit 0; }
fi
export BOUNCEDESK_SHARE_DIR="$ROOT"
RULES=${RULES:-$ROOT/db/seed/rules.txt}
tmp=$(mktemp -d)
# nginx workers run as another user when started as root.
chmod 755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid" 2>/dev/null)" 2>/dev/null
	sleep 0.3
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM HUP PIPE

freeport() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
"$BIN" seed --db "$tmp/b.db" >/dev/null || exit 1
p1=$(freeport)
BOUNCEDESK_THREADS=4 "$BIN" serve --db "$tmp/b.db" --listen "127.0.0.1:$p1" \
    >/dev/null 2>"$tmp/serve.log" &
spid=$!
pids="$pids $spid"
# nginx keeps up to 32 upstream connections: give fcgi more threads.
BOUNCEDESK_THREADS=40 "$BIN" fcgi --db "$tmp/b.db" --socket "$tmp/fcgi.sock" \
    >/dev/null 2>"$tmp/fcgi.log" &
fpid=$!
pids="$pids $fpid"
p2=$(freeport)
mkdir -p "$tmp/tmp"
sed -e "s|@PREFIX@|$tmp|g" -e "s|@PORT@|$p2|g" -e "s|@SOCKET@|$tmp/fcgi.sock|g" \
    -e "s|@SHARE@|$ROOT|g" -e "s|@MAX_BODY@|8m|g" -e "s|keepalive 4;|keepalive 32;|" \
    -e "s|error_log .*|error_log $tmp/error.log warn;|" \
    -e "s|access_log $tmp/access.log;|access_log off;|" \
    "$ROOT/deploy/nginx-test.conf.in" >"$tmp/nginx.conf"
/usr/sbin/nginx -c "$tmp/nginx.conf" -p "$tmp" >/dev/null 2>&1 &
pids="$pids $!"
sleep 1

# The largest bounce fixture: the diagnosis POST of the mix.
bounce=$(ls -S "$ROOT"/tests/data/bounces/*.eml | head -1)
bsize=$(wc -c <"$bounce")
mem() {	# mem PID: "VmRSS n KiB, VmHWM n KiB"
	awk '/^VmRSS|^VmHWM/ {printf "%s%s %s KiB", sep, $1, $2; sep=", "}' \
	    "/proc/$1/status" | sed 's/://g'
}
rate() {	# rate URL [POSTFILE]: requests/s from wrk, a note on errors
	url=$1
	if [ -n "${2:-}" ]; then
		set -- -s "$ROOT/scripts/bench_post.lua" "$url" -- "$2"
	fi
	wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@" >"$tmp/wrk.out" 2>&1
	bad=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")
	[ -n "$bad" ] && echo "$bad non-2xx answers from $url" >>"$tmp/notes"
	awk '/Requests\/sec/ {print int($2)}' "$tmp/wrk.out"
}
ratio() {	# ratio A B: A/B with two decimals
	awk "BEGIN{ if (\"$2\" + 0 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"
}
curl -s -o /dev/null "http://127.0.0.1:$p1/healthz"
mem0=$(mem "$spid")
echo "HTTP on loopback, wrk -t2 -c$CONNS -d${DUR}s (2 cores shared by client and server)"
echo "  diagnosis body: $(basename "$bounce") ($bsize bytes)"
printf '  %-28s %9s %7s %11s %7s %8s\n' "path (req/s, x healthz)" serve ratio "fcgi+nginx" ratio \
    "fcgi/mhd"
h1=""
h2=""
for path in /healthz "POST /api/v1/diagnoses" "/api/v1/faq/search?q=quota" \
    /faq/1 /; do
	case $path in
	POST*)	u=${path#POST }
		a=$(rate "http://127.0.0.1:$p1$u" "$bounce")
		b=$(rate "http://127.0.0.1:$p2$u" "$bounce") ;;
	*)	a=$(rate "http://127.0.0.1:$p1$path")
		b=$(rate "http://127.0.0.1:$p2$path") ;;
	esac
	a=${a:-0}
	b=${b:-0}
	[ -z "$h1" ] && h1=$a && h2=$b
	printf '  %-28s %9s %7s %11s %7s %8s\n' "$path" "$a" "$(ratio "$a" "$h1")" \
	    "$b" "$(ratio "$b" "$h2")" "$(ratio "$b" "$a")"
done
for p in $spid $fpid; do
	kill -0 "$p" 2>/dev/null && continue
	wait "$p"
	echo "process $p died (exit status $?)" >>"$tmp/notes"
done
if [ -f "$tmp/notes" ]; then
	sed 's/^/  WARNING: /' "$tmp/notes"
	for l in serve.log fcgi.log error.log; do
		grep -v ' access ' "$tmp/$l" | tail -3 | sed "s|^|  $l: |"
	done
fi
echo "memory of serve (libmicrohttpd, 4 threads, pid $spid):"
echo "  before the mix    $mem0"
echo "  after the mix     $(mem "$spid")"

# One diagnosis of the largest accepted paste, in the server and alone.
sh "$ROOT/scripts/bigbounce.sh" "$tmp/big.eml"
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: text/plain' --data-binary "@$tmp/big.eml" \
    "http://127.0.0.1:$p1/api/v1/diagnoses")
echo "  after a 4 MiB POST $(mem "$spid") (HTTP $st)"
peak() {	# peak FILE: maximum RSS in KiB of `bouncedesk diagnose FILE`
	/usr/bin/time -v "$BIN" diagnose --rules "$RULES" "$1" \
	    2>"$tmp/time.out" >/dev/null
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.out"
}
if [ -x /usr/bin/time ]; then
	base=$(peak "$bounce")
	big=$(peak "$tmp/big.eml")
	echo "bouncedesk diagnose, peak RSS: $(wc -c <"$tmp/big.eml")-byte" \
	    "paste ${big} KiB; a ${bsize}-byte bounce ${base} KiB"
else
	echo "bouncedesk diagnose, peak RSS: /usr/bin/time missing, skipped"
fi
