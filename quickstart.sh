#!/usr/bin/env bash
# tally quick start on Debian 12, as root (or with sudo for the apt step).
#
#   ./quickstart.sh        install what is missing, build, create ./var/tally.db,
#                          a demo project and keys, serve on 127.0.0.1:8080 (HTTP)
#                          and 127.0.0.1:8443 (HTTPS) until Ctrl-C
#   ./quickstart.sh test   the same set-up, then the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
top=$(pwd)
mode=${1:-run}
case "$mode" in run|test) ;; *) echo "usage: $0 [test]" >&2; exit 2 ;; esac

export TALLY_VAR=${TALLY_VAR:-$top/var}
export TALLY_HTTP_PORT=${TALLY_HTTP_PORT:-8080}
export TALLY_HTTPS_PORT=${TALLY_HTTPS_PORT:-8443}
URL="http://127.0.0.1:$TALLY_HTTP_PORT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# ---- 1. packages: only what is missing ----
packages=(build-essential autoconf automake pkg-config libfcgi-dev libsqlite3-dev
	libjson-c-dev libjwt-dev libssl-dev zlib1g-dev nginx spawn-fcgi curl openssl sqlite3)
packages+=(tzdata)     # the zones behind the analytics tz parameter (app/core/tz.c)
packages+=(libnginx-mod-nchan)  # the realtime stream's fan-out (docs/realtime.md)
[ "$mode" = test ] && packages+=(clang libclang-rt-14-dev wrk python3 valgrind chromium)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Node.js for the end-to-end tests: any install will do (Debian's, or one
# that bundles npm, which conflicts with Debian's npm package).
if [ "$mode" = test ]; then
	command -v node >/dev/null || missing+=(nodejs)
	command -v npm >/dev/null || missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	sudo_cmd=""
	[ "$(id -u)" = 0 ] || sudo_cmd=sudo
	$sudo_cmd apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---- 2. build ----
if [ ! -f Makefile ]; then
	say "configuring"
	[ -x configure ] || ./autogen.sh >/dev/null
	./configure -q
fi
say "building"
make -j"$(nproc)" >/dev/null

# ---- 3. database, demo project, keys, servers ----
say "starting nginx and the worker pool"
scripts/stack.sh stop >/dev/null 2>&1 || true
scripts/stack.sh start
ctl() { ./tallyctl --config "$TALLY_VAR/tally.conf" "$@"; }
if [ ! -f "$TALLY_VAR/demo.env" ]; then
	ctl project list | awk '{print $2}' | grep -qx demo || ctl project create demo "Demo project" >/dev/null 2>&1
	ingest=$(ctl key create demo ingest --name "quickstart ingest" 2>/dev/null)
	secret=$(ctl key create demo secret --name "quickstart secret" 2>/dev/null)
	# an owner account for the dashboard and the control plane (docs/auth.md)
	password=$(openssl rand -hex 12)
	printf '%s\n' "$password" | ctl account create demo@example.com >/dev/null 2>&1 || true
	ctl member add demo demo@example.com owner >/dev/null 2>&1 || true
	umask 077
	cat > "$TALLY_VAR/demo.env" <<ENV
TALLY_URL=$URL
TALLY_INGEST_KEY=$ingest
TALLY_SECRET_KEY=$secret
TALLY_DEMO_EMAIL=demo@example.com
TALLY_DEMO_PASSWORD=$password
ENV
	# a new demo project: a generated week, so the dashboard is full at once
	say "loading a demo week into project demo (tallyctl demo-data, docs/demo-data.md)"
	ctl demo-data demo && demo_loaded=1 || echo "quickstart: demo data not loaded; the project stays empty" >&2
fi
# shellcheck disable=SC1091
. "$TALLY_VAR/demo.env"

try_curl="curl -sS -X POST $URL/api/v1/events -H 'Authorization: Bearer $TALLY_INGEST_KEY' -H 'Content-Type: application/json' -d '{\"event\":\"signup\",\"userId\":\"user-1\",\"properties\":{\"plan\":\"pro\"}}'"
read_curl="curl -sS '$URL/api/v1/events?limit=5' -H 'Authorization: Bearer $TALLY_SECRET_KEY'"
stats_curl="curl -sS '$URL/api/v1/analytics/stats' -H 'Authorization: Bearer $TALLY_SECRET_KEY'"
login_curl="curl -sS -X POST $URL/api/v1/auth/login -H 'Content-Type: application/json' -d '{\"email\":\"$TALLY_DEMO_EMAIL\",\"password\":\"$TALLY_DEMO_PASSWORD\"}'"

if [ "$mode" = test ]; then
	say "checking the quick start's own curl"
	out=$(eval "$try_curl")
	echo "$out" | grep -q '"accepted":1' || { echo "quick start curl failed: $out" >&2; exit 1; }
	if [ "${demo_loaded:-0}" = 1 ]; then
		out=$(eval "$stats_curl")
		echo "$out" | grep -q '"pageviews":[1-9]' || { echo "quick start: no demo data in the stats: $out" >&2; exit 1; }
	fi
	if [ -n "${TALLY_DEMO_EMAIL:-}" ]; then
	say "checking the demo account's login and a read with its token"
	token=$(eval "$login_curl" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || { echo "quick start: the demo account cannot log in" >&2; exit 1; }
	out=$(curl -sS "$URL/api/v1/analytics/stats?project=demo" -H "Authorization: Bearer $token")
	echo "$out" | grep -q '"data"' || { echo "quick start: the demo token cannot read: $out" >&2; exit 1; }
	fi
	say "checking the dashboard is served"
	curl -sSfI "$URL/" | grep -qi '^content-security-policy:' || { echo "quick start: no dashboard at $URL/" >&2; exit 1; }
	scripts/stack.sh stop
	say "running the test suite"
	exec tests/run-all.sh
fi

cat <<MSG

tally is running.
  HTTP   $URL
  HTTPS  https://127.0.0.1:$TALLY_HTTPS_PORT   (self-signed certificate: curl -k)
  data   $TALLY_VAR/tally.db      logs  $TALLY_VAR/log/
  keys   $TALLY_VAR/demo.env

Dashboard (docs/dashboard.md): $URL/  or  https://127.0.0.1:$TALLY_HTTPS_PORT/

  ingest key  $TALLY_INGEST_KEY
  secret key  $TALLY_SECRET_KEY
  login       $TALLY_DEMO_EMAIL / $TALLY_DEMO_PASSWORD   (owner of project demo; the dashboard's login too)

Send an event:
  $try_curl

Read it back:
  $read_curl

The demo week's numbers (README "Product analytics" has the rest):
  $stats_curl

Log in for a token (README "Authentication"; reads then take ?project=demo):
  $login_curl

Track a web page: put this in its <head>
  <script defer src="$URL/tracker.v1.js" data-key="$TALLY_INGEST_KEY"></script>

Ctrl-C stops nginx and the worker pool.
MSG
trap 'echo; say "stopping"; scripts/stack.sh stop; exit 0' INT TERM
while :; do sleep 3600 & wait $!; done
