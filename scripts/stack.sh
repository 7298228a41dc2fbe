#!/bin/sh
# Starts or stops a tally stack (worker pool under spawn-fcgi + nginx) whose
# every file lives in one directory. Used by quickstart.sh and the tests.
#
#   scripts/stack.sh start|stop|status
#
# Environment (defaults in brackets):
#   TALLY_VAR         state directory [./var]
#   TALLY_HTTP_PORT   [8080]      TALLY_HTTPS_PORT  [8443]
#   TALLY_STREAM_PORT loopback port of the realtime publisher location [8091]
#   TALLY_BIN         directory holding tally-worker and tallyctl [the build dir]
#   TALLY_WORKERS     worker processes [CPU count]   TALLY_THREADS  [16]
#   TALLY_LOG_LEVEL   [info]
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
var=${TALLY_VAR:-$here/var}
mkdir -p "$var"
var=$(cd "$var" && pwd)
http_port=${TALLY_HTTP_PORT:-8080}
https_port=${TALLY_HTTPS_PORT:-8443}
stream_port=${TALLY_STREAM_PORT:-8091}
bin=${TALLY_BIN:-$here}
conf=$var/tally.conf

die() { echo "stack.sh: $*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
	[ -x "$bin/tally-worker" ] || die "no $bin/tally-worker: build first (make)"
	command -v spawn-fcgi >/dev/null || die "spawn-fcgi is not installed (apt-get install spawn-fcgi)"
	command -v nginx >/dev/null || die "nginx is not installed (apt-get install nginx)"
	mkdir -p "$var/log" "$var/tls" "$var/nginx-tmp"
	if [ ! -f "$conf" ]; then
		cat > "$conf" <<CONF
# tally development configuration (created by scripts/stack.sh)
database = $var/tally.db
jwt_secret_file = $var/jwt.secret
log_level = ${TALLY_LOG_LEVEL:-info}
CONF
	fi
	"$bin/tallyctl" --config "$conf" init >/dev/null
	if [ ! -f "$var/tls/cert.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
			-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
			-keyout "$var/tls/key.pem" -out "$var/tls/cert.pem" 2>/dev/null \
			|| die "openssl could not make the development certificate"
	fi
	user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root;"
	sed -e "s|@VAR@|$var|g" -e "s|@CONF@|$here/nginx|g" -e "s|@STATIC@|$here/nginx/static|g" \
	    -e "s|@HTTP_PORT@|$http_port|g" -e "s|@HTTPS_PORT@|$https_port|g" \
	    -e "s|@STREAM_PORT@|$stream_port|g" \
	    -e "s|@USER@|$user_line|g" "$here/nginx/tally-dev.conf.in" > "$var/nginx.conf"

	if ! pid_alive "$var/worker.pid"; then
		workers=""
		[ -n "${TALLY_WORKERS:-}" ] && workers="--workers $TALLY_WORKERS"
		threads=""
		[ -n "${TALLY_THREADS:-}" ] && threads="--threads $TALLY_THREADS"
		# -n: spawn-fcgi execs the pool in place, keeping its stderr (the
		# JSON log); without it spawn-fcgi sends stdio to /dev/null.
		rm -f "$var/tally.sock"
		# shellcheck disable=SC2086
		setsid spawn-fcgi -n -s "$var/tally.sock" -M 0660 -- \
			"$bin/tally-worker" --config "$conf" $workers $threads \
			--stream-publish-url "http://127.0.0.1:$stream_port/_stream/pub/" \
			>>"$var/log/worker.log" 2>&1 </dev/null &
		echo $! > "$var/worker.pid"
	fi
	if pid_alive "$var/nginx.pid"; then
		nginx -p "$var" -c "$var/nginx.conf" -s reload 2>>"$var/log/nginx-error.log"
	else
		nginx -p "$var" -c "$var/nginx.conf" 2>>"$var/log/nginx-error.log" \
			|| die "nginx did not start: see $var/log/nginx-error.log"
	fi
	i=0
	until curl -fsS "http://127.0.0.1:$http_port/api/health" >/dev/null 2>&1; do
		i=$((i + 1))
		pid_alive "$var/worker.pid" || die "the worker pool exited: see $var/log/worker.log"
		[ $i -gt 100 ] && die "no healthy answer on 127.0.0.1:$http_port: see $var/log/"
		sleep 0.1
	done
}

stop() {
	if pid_alive "$var/nginx.pid"; then
		nginx -p "$var" -c "$var/nginx.conf" -s quit 2>/dev/null || kill "$(cat "$var/nginx.pid")"
	fi
	if pid_alive "$var/worker.pid"; then
		pid=$(cat "$var/worker.pid")
		kill -TERM "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	fi
	rm -f "$var/worker.pid" "$var/tally.sock"
	i=0
	while pid_alive "$var/nginx.pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
	pid_alive "$var/worker.pid" && echo "worker pool: running (pid $(cat "$var/worker.pid"))" || echo "worker pool: stopped"
	pid_alive "$var/nginx.pid" && echo "nginx: running (pid $(cat "$var/nginx.pid"))" || echo "nginx: stopped"
	;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
