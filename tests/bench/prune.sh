#!/usr/bin/env bash
# Ingest latency while `tallyctl prune` deletes old data (docs/performance.md,
# "Prune while ingesting"). On a database of generated events spread over
# BENCH_DAYS days up to now (`tallyctl demo-data --events`), with the
# server's retention_days set to BENCH_RETENTION, it starts a tally stack and
# drives one-event ingest requests with wrk (tests/bench/ingest.lua) three
# times after a warm-up: idle, while `tallyctl prune --all` deletes
# everything older than the retention, and idle again. It prints p50/p99 of each run, what the prune
# deleted and how fast, and the ratio the target is stated in: ingest p99
# during the prune within 2x of its idle value.
#
#   tests/bench/prune.sh                           # 1,000,000 events over 60 days
#   BENCH_EVENTS=3000000 BENCH_SECONDS=60 tests/bench/prune.sh
#
# Environment (defaults in brackets):
#   TALLY_SRC / TALLY_BIN   source and build trees [this script's ../..]
#   BENCH_EVENTS      events generated [1000000]
#   BENCH_DAYS        ... over this many days up to now [60]
#   BENCH_RETENTION   retention_days: the prune deletes what is older [30]
#   BENCH_SECONDS     seconds per wrk run [30]; the prune should outlast it
#   BENCH_CONNECTIONS wrk -c [8] (a steady load, not a saturating one)
#   BENCH_KEEP        1: keep the work directory [0]
#   BENCH_NO_BUILD    1: do not run make [0]
#
# Everything listens on 127.0.0.1, on ports found free. Never part of `make check`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${TALLY_SRC:-$here/../..}" && pwd)
bin=$(cd "${TALLY_BIN:-$src}" && pwd)
events=${BENCH_EVENTS:-1000000}
days=${BENCH_DAYS:-60}
retention=${BENCH_RETENTION:-30}
seconds=${BENCH_SECONDS:-30}
conns=${BENCH_CONNECTIONS:-8}
lua=$here/ingest.lua

die() { echo "prune.sh: $*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }
is_int() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }
is_int "$events" && [ "$events" -ge 1000 ] || die "BENCH_EVENTS must be an integer >= 1000"
is_int "$days" && is_int "$retention" && [ "$retention" -ge 1 ] && [ "$retention" -lt "$days" ] ||
	die "BENCH_RETENTION must be 1 .. BENCH_DAYS - 1"
is_int "$seconds" && [ "$seconds" -ge 5 ] && is_int "$conns" && [ "$conns" -ge 2 ] ||
	die "BENCH_SECONDS must be >= 5 and BENCH_CONNECTIONS >= 2"
for cmd in wrk nginx spawn-fcgi curl sqlite3; do
	command -v "$cmd" >/dev/null || die "$cmd is not installed"
done
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	make -C "$bin" -s tally-worker tallyctl >&2 || die "make failed in $bin"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-prune.XXXXXX")
var=$work/var
mkdir -p "$var" "$work/logs"
stack_up=0
prune_pid=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[ -n "$prune_pid" ] && kill "$prune_pid" 2>/dev/null
	[ "$stack_up" = 1 ] && TALLY_VAR=$var TALLY_HTTP_PORT=$http_port TALLY_HTTPS_PORT=$https_port \
		TALLY_BIN=$bin "$src/scripts/stack.sh" stop >/dev/null 2>&1
	if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
		echo "prune.sh: logs and database kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

taken=" "
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case $taken in *" $p "*) continue ;; esac
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
		taken="$taken$p "
		port=$p
		return 0
	done
	die "no free port found"
}

db=$var/tally.db
cat > "$var/tally.conf" <<CONF
# tests/bench/prune.sh
database = $db
jwt_secret_file = $var/jwt.secret
rate_limit_per_min = 100000000
retention_days = $retention
CONF
ctl() { "$bin/tallyctl" --config "$var/tally.conf" "$@"; }
q() { sqlite3 -readonly "$db" ".timeout 10000" "$@"; }

say "generating $events events over $days days (tallyctl demo-data --events)"
t0=$(date +%s)
ctl init >/dev/null 2>"$work/logs/init.log" || die "init failed: see $work/logs/init.log"
ctl project create bench "prune benchmark" >/dev/null
ctl demo-data bench --events "$events" --users 100000 --event-names 50 --days "$days" \
	>"$work/logs/demo-data.log" 2>&1 || die "demo-data failed: see $work/logs/demo-data.log"
say "generated in $(( $(date +%s) - t0 )) s"
cutoff_ms=$(( ($(date +%s) - retention * 86400) * 1000 ))
old=$(q "SELECT count(*) FROM events WHERE ts < $cutoff_ms;")
total=$(q "SELECT count(*) FROM events;")

free_port; http_port=$port
free_port; https_port=$port
free_port; export TALLY_STREAM_PORT=$port   # the realtime publisher door of this stack
stack_up=1
TALLY_VAR=$var TALLY_HTTP_PORT=$http_port TALLY_HTTPS_PORT=$https_port TALLY_BIN=$bin \
	"$src/scripts/stack.sh" start >/dev/null || die "tally did not start: see $var/log/"
key=$(ctl key create bench ingest --name prune-bench)
url="http://127.0.0.1:$http_port/api/v1/events"

run_no=0
ingest() {   # ingest LABEL: one wrk run; prints "LABEL rps p50_us p99_us errors"
	local log=$work/logs/wrk-$1.txt line
	run_no=$((run_no + 1))
	BENCH_SHAPE=tally BENCH_KEY=$key BENCH_RUN=$run_no \
		wrk -t2 -c"$conns" -d"${seconds}s" --timeout 30s --latency -s "$lua" "$url" >"$log" 2>&1 ||
		die "wrk failed: see $log"
	line=$(grep '^BENCH ' "$log") || die "no result from wrk: see $log"
	get() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	echo "$1 $(awk -v n="$(get requests)" -v d="$(get duration_us)" 'BEGIN { printf "%.0f", n / (d / 1e6) }') \
$(get p50_us) $(get p99_us) $(( $(get status_errors) + $(get timeouts) + $(get connect_errors) + $(get read_errors) ))"
}

# the first run after generating warms caches and checkpoints the
# generator's WAL: it is not the idle value
say "ingest, warm-up (${seconds}s, wrk -c$conns; not counted)"
ingest warm-up >/dev/null
say "ingest, idle"
idle1=$(ingest idle-before)
say "ingest while tallyctl prune --all deletes $old of $total events"
p0=$(date +%s.%N)
ctl prune --all > "$work/logs/prune.txt" 2>&1 &
prune_pid=$!
during=$(ingest during-prune)
still=0
kill -0 "$prune_pid" 2>/dev/null && still=1
wait "$prune_pid" || die "prune failed: see $work/logs/prune.txt"
prune_pid=""
p1=$(date +%s.%N)
say "ingest, idle again"
idle2=$(ingest idle-after)

prune_s=$(awk -v a="$p0" -v b="$p1" 'BEGIN { printf "%.1f", b - a }')
deleted=$(awk '$1 == "events" { print $2; exit }' "$work/logs/prune.txt")
[ -n "$deleted" ] || deleted=0
f() { echo "$1" | awk -v i="$2" '{ print $i }'; }
idle_p99=$(( ($(f "$idle1" 4) + $(f "$idle2" 4)) / 2 ))
ratio=$(awk -v a="$(f "$during" 4)" -v b="$idle_p99" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 2 ? "met" : "MISSED") }')
machine="$(nproc) CPUs, Linux $(uname -r); wrk -t2 -c$conns, ${seconds}s a run, one event a request"
{
	echo
	echo "tally prune-while-ingesting: $total events over $days days, retention $retention days"
	echo "$machine"
	printf '%-14s %8s %9s %9s %7s\n' run "req/s" "p50 ms" "p99 ms" errors
	for r in "$idle1" "$during" "$idle2"; do
		printf '%-14s %8s %9.2f %9.2f %7s\n' "$(f "$r" 1)" "$(f "$r" 2)" "$(echo "$(f "$r" 3)" | awk '{ print $1 / 1000 }')" \
			"$(echo "$(f "$r" 4)" | awk '{ print $1 / 1000 }')" "$(f "$r" 5)"
	done
	echo "prune: $deleted of $old old events (and their rollups, spans, user weeks) in $prune_s s$( [ "$still" = 1 ] && echo ", still running when the measured run ended" || echo ", finished before the measured run ended")"
	cat "$work/logs/prune.txt"
	echo "p99 during prune / idle p99 (mean of before and after): $ratio  target <= 2: $verdict"
} | tee "$work/summary.txt"
