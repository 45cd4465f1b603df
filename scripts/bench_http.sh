#!/bin/sh
# HTTP request rates of the two transports on loopback, side by side:
# `serve` (libmicrohttpd) and `fcgi` behind nginx (unix socket,
# fastcgi_keep_conn, upstream keepalive), measured with wrk over the same
# paths. Installs wrk when missing and run as root.
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
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
	sleep 0.3
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

freeport() {
	python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}
"$BIN" seed --db "$tmp/b.db" >/dev/null || exit 1
p1=$(freeport)
BOUNCEDESK_THREADS=4 "$BIN" serve --db "$tmp/b.db" --listen "127.0.0.1:$p1" \
    >/dev/null 2>"$tmp/serve.log" &
pids="$pids $!"
# nginx keeps up to 32 upstream connections: give fcgi more threads.
BOUNCEDESK_THREADS=40 "$BIN" fcgi --db "$tmp/b.db" --socket "$tmp/fcgi.sock" \
    >/dev/null 2>"$tmp/fcgi.log" &
pids="$pids $!"
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

rate() {	# rate URL: requests/s from wrk
	wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$1" 2>/dev/null |
	    awk '/Requests\/sec/ {print int($2)}'
}
echo "HTTP on loopback, wrk -t2 -c$CONNS -d${DUR}s (2 cores shared by client and server)"
for path in /healthz /; do
	a=$(rate "http://127.0.0.1:$p1$path")
	b=$(rate "http://127.0.0.1:$p2$path")
	r=$(awk "BEGIN{ if ($a > 0) printf \"%.2f\", $b / $a; else print \"-\" }")
	printf '  %-10s serve (mhd) %8s req/s   fcgi+nginx %8s req/s   fcgi/mhd %s\n' \
	    "$path" "$a" "$b" "$r"
done
