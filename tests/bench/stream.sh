#!/usr/bin/env bash
# The realtime stream benchmark (docs/realtime.md, docs/performance.md
# "Realtime"). On one tally stack, wrk ingests one event per request
# (tests/bench/ingest.lua) into project A in three cases, alternated over
# the rounds:
#
#   0     no subscriber
#   idle  BENCH_SUBS subscribers held on project B's stream (nothing to send)
#   live  BENCH_SUBS subscribers on project A's events stream: each gets an
#         update a second while wrk runs
#
# and reports ingest req/s of each case, the ratios idle/0 and live/0, and,
# for live, the delivery latency of the updates: receive time minus the
# publish time written in the message (p50/p99/max over every update of
# every subscriber). The subscribers are tests/bench/stream_subs.js (node).
#
#   tests/bench/stream.sh
#   BENCH_SECONDS=5 BENCH_ROUNDS=1 tests/bench/stream.sh    # a quick run
#
# Environment (defaults in brackets):
#   TALLY_SRC / TALLY_BIN   source and build trees [this script's ../..]
#   BENCH_SECONDS   seconds per wrk run [10]     BENCH_ROUNDS  rounds [3]
#   BENCH_SUBS      subscribers in idle and live [1000]
#   BENCH_THREADS / BENCH_CONNECTIONS   wrk -t / -c [2 / 64]
#   BENCH_OUT       also write the markdown block to this file
#
# Loopback only, ports found free, everything started here stopped on exit.
# Never part of `make check`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${TALLY_SRC:-$here/../..}" && pwd)
bin=$(cd "${TALLY_BIN:-$src}" && pwd)
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
subs=${BENCH_SUBS:-1000}
wrk_threads=${BENCH_THREADS:-2}
wrk_conns=${BENCH_CONNECTIONS:-64}

die() { echo "stream.sh: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }
for c in wrk node curl ss; do command -v $c >/dev/null || die "$c is not installed"; done
[ -x "$bin/tally-worker" ] || die "no $bin/tally-worker: build first"
# a thousand subscribers: their sockets in node and in nginx
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
[ "$(ulimit -n)" -ge $((subs + 512)) ] || die "ulimit -n $(ulimit -n) is too low for $subs subscribers"

work=$(mktemp -d "${TMPDIR:-/tmp}/tally-stream-bench.XXXXXX")
var=$work/var
up=0
sub_pid=""
taken_ports=" "
port=""
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case $taken_ports in *" $p "*) continue ;; esac
		if ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then continue; fi
		taken_ports="$taken_ports$p "
		port=$p
		return 0
	done
	die "no free port found"
}
free_port; http_port=$port
free_port; https_port=$port
free_port; stream_port=$port
# no rate limit: the ingest figures are comparable within the run, and the
# subscribers' connects do not count against the secret key's minute
stack() {
	TALLY_RATE_LIMIT_PER_MIN=0 TALLY_RATE_LIMIT_PER_IP_PER_MIN=0 TALLY_RATE_LIMIT_PROJECT_PER_MIN=0 \
	TALLY_VAR=$var TALLY_HTTP_PORT=$http_port TALLY_HTTPS_PORT=$https_port TALLY_STREAM_PORT=$stream_port \
		TALLY_BIN=$bin "$src/scripts/stack.sh" "$1"
}
cleanup() {
	trap - EXIT INT TERM
	set +e
	[ -n "$sub_pid" ] && kill -TERM "$sub_pid" 2>/dev/null
	[ "$up" = 1 ] && stack stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "starting tally in $var"
up=1    # stop even after a failed start: the pool may be up without nginx
stack start >/dev/null || die "tally did not start: $(tail -3 "$var/log/nginx-error.log" "$var/log/worker.log" 2>&1)"
ctl() { "$bin/tallyctl" --config "$var/tally.conf" "$@" 2>/dev/null; }
ctl project create bench-a A >/dev/null
ctl project create bench-b B >/dev/null
ingest_a=$(ctl key create bench-a ingest)
secret_a=$(ctl key create bench-a secret)
secret_b=$(ctl key create bench-b secret)
base=http://127.0.0.1:$http_port

# subscribers_start URL: starts stream_subs.js, waits until every subscriber has its snapshot
subscribers_start() {
	: > "$work/subs.out"
	BENCH_SUB_URL=$1 BENCH_SUB_COUNT=$subs node "$here/stream_subs.js" > "$work/subs.out" 2>"$work/subs.err" &
	sub_pid=$!
	for _ in $(seq 600); do
		grep -q '^READY' "$work/subs.out" && break
		kill -0 "$sub_pid" 2>/dev/null || die "the subscribers exited: $(cat "$work/subs.err")"
		sleep 0.1
	done
	read -r _ n snaps why < <(grep '^READY' "$work/subs.out") || die "the subscribers did not connect in 60 s"
	[ "$n" -eq "$subs" ] || die "only $n of $subs subscribers connected (refused: $why)"
	[ "$snaps" -eq "$subs" ] || echo "stream.sh: warning: $snaps of $subs subscribers got a snapshot within 10 s" >&2
	sleep 1
}
subscribers_stop() {   # leaves the SUBS line in $work/subs.out
	kill -TERM "$sub_pid"
	wait "$sub_pid" 2>/dev/null || true
	sub_pid=""
	grep -q '^SUBS' "$work/subs.out" || die "the subscribers printed no result: $(cat "$work/subs.err")"
}

run_no=0
results=$work/results.txt
: > "$results"
wrk_case() {   # wrk_case ROUND CASE
	local log=$work/wrk-$1-$2.txt line
	run_no=$((run_no + 1))
	BENCH_SHAPE=tally BENCH_KEY=$ingest_a BENCH_RUN=$((run_no + 50)) \
		timeout $((seconds + 70)) wrk -t"$wrk_threads" -c"$wrk_conns" -d"${seconds}s" --timeout 10s --latency \
		-s "$here/ingest.lua" "$base/api/v1/events" > "$log" 2>&1 || die "wrk failed: see $log"
	line=$(grep '^BENCH ' "$log") || die "no result from wrk: $(cat "$log")"
	echo "$line" | awk -v r="$1" -v c="$2" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		err = v["status_errors"] + v["connect_errors"] + v["read_errors"] + v["write_errors"] + v["timeouts"]
		printf "%s %s %.1f %d %d %d\n", r, c, v["requests"] / (v["duration_us"] / 1e6), v["p50_us"], v["p99_us"], err
	}' >> "$results"
	tail -1 "$results" | awk '{ printf "    %-5s %8.0f req/s  p50 %5.2f ms  p99 %6.2f ms  errors %d\n", $2, $3, $4 / 1000, $5 / 1000, $6 }' >&2
}

lat_lines=$work/latency.txt
: > "$lat_lines"
for r in $(seq "$rounds"); do
	say "round $r of $rounds ($seconds s per case, $subs subscribers)"
	wrk_case "$r" 0
	subscribers_start "$base/api/v1/stream/events?token=$secret_b"
	wrk_case "$r" idle
	subscribers_stop
	subscribers_start "$base/api/v1/stream/events?token=$secret_a"
	wrk_case "$r" live
	subscribers_stop
	line=$(grep '^SUBS' "$work/subs.out")
	echo "$line" >> "$lat_lines"
	echo "    live  subscribers: $line" >&2
done

# medians over the rounds; the latency of all updates of the last round's figures per round
summary=$(awk '
	{ rps[$2] = rps[$2] " " $3; n[$2]++ }
	function med(list,   a, k, i, j, t) {
		k = split(list, a, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((k + 1) / 2)]
	}
	END {
		z = med(rps["0"]); i = med(rps["idle"]); l = med(rps["live"])
		printf "%.0f %.0f %.0f %.3f %.3f\n", z, i, l, i / z, l / z
	}' "$results")
read -r r0 ridle rlive q_idle q_live <<< "$summary"
lat=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = v[kv[1]] " " kv[2] } }
	END { print v["updates"] "|" v["p50_ms"] "|" v["p99_ms"] "|" v["max_ms"] }' "$lat_lines")

block=$(cat <<EOF
\`BENCH_SECONDS=$seconds BENCH_ROUNDS=$rounds BENCH_SUBS=$subs tests/bench/stream.sh\`
($(nproc) CPUs, wrk -t$wrk_threads -c$wrk_conns, one event per request, medians of $rounds rounds)

| case | ingest req/s | ratio to no subscriber |
|---|---:|---:|
| no subscriber | $r0 | 1.00 |
| $subs idle subscribers (another project's stream) | $ridle | $q_idle |
| $subs subscribers receiving updates | $rlive | $q_live |

Delivery latency of the updates (publish time in the message → received),
per round: updates received $(echo "$lat" | cut -d'|' -f1 | sed 's/^ //;s/ /, /g');
p50 $(echo "$lat" | cut -d'|' -f2 | sed 's/^ //;s/ /, /g') ms;
p99 $(echo "$lat" | cut -d'|' -f3 | sed 's/^ //;s/ /, /g') ms;
max $(echo "$lat" | cut -d'|' -f4 | sed 's/^ //;s/ /, /g') ms.
EOF
)
echo
echo "$block"
[ -n "${BENCH_OUT:-}" ] && echo "$block" > "$BENCH_OUT"
exit 0
