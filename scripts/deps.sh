#!/bin/sh
# Installs the Debian packages bouncedesk needs, when they are missing.
# Checks with pkg-config (and command -v for tools), so a machine that has
# everything installs nothing. Runs apt-get only as root; otherwise prints
# the exact command to run.
set -u

PKGS_DEV="libmicrohttpd:libmicrohttpd-dev json-c:libjson-c-dev
sqlite3:libsqlite3-dev libpcre2-8:libpcre2-dev gmime-3.0:libgmime-3.0-dev
libcmark:libcmark-dev libsodium:libsodium-dev libcurl:libcurl4-openssl-dev
fcgi:libfcgi-dev cmocka:libcmocka-dev libcares:libc-ares-dev
libpsl:libpsl-dev"
TOOLS="pkg-config:pkg-config cc:gcc make:make curl:curl nginx:nginx-light
python3:python3 dnsmasq:dnsmasq-base spamd:spamd"
missing=""

command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
for pair in $PKGS_DEV; do
	mod=${pair%%:*}; deb=${pair#*:}
	if ! pkg-config --exists "$mod" 2>/dev/null; then
		missing="$missing $deb"
	fi
done
# libstemmer ships no .pc file: look for its header.
[ -f /usr/include/libstemmer.h ] || missing="$missing libstemmer-dev"
for pair in $TOOLS; do
	cmd=${pair%%:*}; deb=${pair#*:}
	command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] ||
	    missing="$missing $deb"
done
# The browser suite: Debian's Chromium, driven by playwright-core from npm.
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# Optional for later suites: set BOUNCEDESK_DEPS_EXTRA.
missing="$missing ${BOUNCEDESK_DEPS_EXTRA:-}"
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
missing=$(echo $missing)

# tests/browser/node_modules from its lock file (playwright-core only: it
# never downloads a browser of its own).
browser_modules() {
	dir=$(dirname "$0")/../tests/browser
	[ -f "$dir/package.json" ] || return 0
	[ -d "$dir/node_modules/playwright-core" ] && return 0
	command -v npm >/dev/null 2>&1 || return 1
	echo "deps: npm ci in tests/browser"
	(cd "$dir" && { npm ci --no-audit --no-fund >/dev/null 2>&1 ||
	    npm install --no-audit --no-fund >/dev/null; }) || return 1
}

if [ -z "$missing" ]; then
	browser_modules || exit 1
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "bouncedesk needs these Debian packages: $missing" >&2
	echo "run as root: apt-get update && apt-get install -y $missing" >&2
	exit 1
fi
echo "deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
browser_modules || exit 1
echo "deps: done"
