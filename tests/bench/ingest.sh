#!/usr/bin/env bash
# tally's ingest benchmark (docs/performance.md). In one run it alternates
# rounds of these cases, each driven by wrk with tests/bench/ingest.lua:
#
#   a  reference: nginx + a FastCGI responder that reads the body and answers
#      204, in tally's own process model (tests/bench/noop_worker.c calls
#      pool_run) and under tally's own nginx configuration
#   b  the seed stack (Fastify + better-sqlite3, ../shared/peers/seed-node)
#   c  tally, one event per request        POST /api/v1/events
#   r  the same on a stack with rate limiting off (every rate_limit_* = 0):
#      c/r is what the shared rate-limit counters cost (docs/rate-limits.md)
#   d  tally, BENCH_BATCH events per request {"batch":[...]}
#   e  raw SQLite: tests/bench/sqlite_ref.c, the same rows in tally's schema,
#      500 per transaction (with tally's dedup lookup; also without it)
#   f  tally, OTLP/HTTP protobuf, BENCH_SPANS spans per request
#                                          POST /api/v1/otlp/v1/traces
#   g  tally, the same spans in OTLP/JSON  POST /api/v1/otlp/v1/traces
#   h  tally, the same calls as a cost-profiler batch {"events":[...]}
#                                          POST /api/v1/events
#
# f, g and h run against a second tally stack with its own database, so that
# c and d keep measuring an events table without LLM rows.
#
# and prints req/s, events/s (spans/s for f, g, h), p50/p99 latency, peak RSS
# of the serving processes, server CPU per event, tally's disk bytes per
# event, the ratios the targets are stated in, and a markdown block for
# docs/performance.md.
#
#   tests/bench/ingest.sh                              # 3 rounds x 10 s per case
#   BENCH_SECONDS=5 BENCH_ROUNDS=1 tests/bench/ingest.sh   # a quick run
#
# Environment (defaults in brackets):
#   TALLY_SRC          source tree [this script's ../..]
#   TALLY_BIN          build tree, where `make bench-programs` runs [TALLY_SRC]
#   TALLY_WORKERS / TALLY_THREADS   worker pool shape, as scripts/stack.sh [CPUs / 64]
#   BENCH_SECONDS      seconds per wrk run, 1..600 [10]
#   BENCH_ROUNDS       rounds of the cases, 1..20 [3]
#   BENCH_CASES        which cases, in round order ["a b c d e f g h"]
#   BENCH_THREADS / BENCH_CONNECTIONS   wrk -t / -c [2 / 64]
#   BENCH_LLM_CONNECTIONS   wrk -c in cases f, g, h [8]: a request there is
#                      512 calls, so 64 of them in flight would measure a queue
#   BENCH_BATCH        events per request in case d [100]
#   BENCH_SPANS        spans (LLM calls) per request in cases f, g, h, 4 per trace [512]
#   BENCH_TIMEOUT      wrk --timeout, seconds: slower answers count as errors and
#                      drop out of wrk's latency figures, so keep it long [10]
#   BENCH_LOG_LEVEL    tally's log_level during the run [info, the default]
#   BENCH_SEED_SRC     the seed peer [TALLY_SRC/../shared/peers/seed-node]
#   BENCH_SEED_CACHE   where its copy and node_modules are kept between runs
#                      [/tmp/tally-bench-seed]
#   BENCH_KEEP         1: keep the work directory (logs, databases) [0]
#   BENCH_NO_BUILD     1: do not run make [0]
#   BENCH_OUT          also write the markdown block to this file
#
# Everything listens on 127.0.0.1, on ports found free; every process started
# here is stopped on exit. Never part of `make check`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${TALLY_SRC:-$here/../..}" && pwd)
bin=$(cd "${TALLY_BIN:-$src}" && pwd)
seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
cases=${BENCH_CASES:-a b c r d e f g h}
wrk_threads=${BENCH_THREADS:-2}
wrk_conns=${BENCH_CONNECTIONS:-64}
llm_conns=${BENCH_LLM_CONNECTIONS:-8}
batch=${BENCH_BATCH:-100}
spans=${BENCH_SPANS:-512}
timeout_s=${BENCH_TIMEOUT:-10}
log_level=${BENCH_LOG_LEVEL:-info}
seed_src=${BENCH_SEED_SRC:-$src/../shared/peers/seed-node}
seed_cache=${BENCH_SEED_CACHE:-/tmp/tally-bench-seed}
lua=$here/ingest.lua
[ -f "$lua" ] || lua=$src/tests/bench/ingest.lua

die() { echo "ingest.sh: $*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }
is_int() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

is_int "$seconds" && [ "$seconds" -ge 1 ] && [ "$seconds" -le 600 ] || die "BENCH_SECONDS must be 1..600"
is_int "$rounds" && [ "$rounds" -ge 1 ] && [ "$rounds" -le 20 ] || die "BENCH_ROUNDS must be 1..20"
is_int "$batch" && [ "$batch" -ge 1 ] && [ "$batch" -le 100 ] || die "BENCH_BATCH must be 1..100"
# 2500: tally's max_batch_events, which case h's {"events":[...]} is held to
is_int "$spans" && [ "$spans" -ge 4 ] && [ "$spans" -le 2500 ] || die "BENCH_SPANS must be 4..2500"
is_int "$timeout_s" && [ "$timeout_s" -ge 1 ] && [ "$timeout_s" -le 600 ] || die "BENCH_TIMEOUT must be 1..600"
is_int "$wrk_threads" && is_int "$wrk_conns" && is_int "$llm_conns" ||
	die "BENCH_THREADS, BENCH_CONNECTIONS and BENCH_LLM_CONNECTIONS must be integers"
[ "$wrk_conns" -ge "$wrk_threads" ] && [ "$llm_conns" -ge "$wrk_threads" ] ||
	die "wrk needs at least as many connections as threads"
for c in $cases; do
	case $c in a | b | c | r | d | e | f | g | h) ;; *) die "BENCH_CASES: unknown case '$c' (a b c r d e f g h)" ;; esac
done
want() { case " $cases " in *" $1 "*) return 0 ;; esac; return 1; }
want_llm() { want f || want g || want h; }

for cmd in wrk nginx spawn-fcgi curl openssl sqlite3; do
	command -v "$cmd" >/dev/null || die "$cmd is not installed (apt-get install -y ${cmd/sqlite3/sqlite3})"
done
if want b; then
	command -v node >/dev/null && command -v npm >/dev/null || die "case b needs node and npm"
	[ -f "$seed_src/server.js" ] || die "no seed peer at $seed_src (set BENCH_SEED_SRC)"
fi

# ---------------------------------------------------------------- build
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	say "building in $bin"
	make -C "$bin" -s tally-worker tallyctl bench-programs >&2 || die "make failed in $bin"
fi
noop=$bin/tests/bench/noop-worker
sqlite_ref=$bin/tests/bench/sqlite-ref
for p in "$bin/tally-worker" "$bin/tallyctl" "$noop" "$sqlite_ref"; do
	[ -x "$p" ] || die "$p is missing: run make bench-programs in $bin"
done

# ---------------------------------------------------------------- clean-up
work=$(mktemp -d "${TMPDIR:-/tmp}/tally-bench.XXXXXX")
mkdir -p "$work/logs"
seed_pid=""
noop_up=0
tally_up=0
free_up=0
llm_up=0

stack() {   # stack VAR HTTP_PORT HTTPS_PORT BIN start|stop
	# each stack's realtime publisher door on a port of its own, kept for its stop
	if [ ! -f "$1/.stream_port" ]; then
		free_port
		mkdir -p "$1" && echo "$port" > "$1/.stream_port"
	fi
	TALLY_VAR=$1 TALLY_HTTP_PORT=$2 TALLY_HTTPS_PORT=$3 TALLY_BIN=$4 \
		TALLY_STREAM_PORT=$(cat "$1/.stream_port") "$src/scripts/stack.sh" "$5"
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[ "$noop_up" = 1 ] && stack "$noop_var" "$noop_port" "$noop_https" "$work/noop-bin" stop >/dev/null 2>&1
	[ "$tally_up" = 1 ] && stack "$tally_var" "$tally_port" "$tally_https" "$bin" stop >/dev/null 2>&1
	[ "$free_up" = 1 ] && stack "$free_var" "$free_port_n" "$free_https" "$bin" stop >/dev/null 2>&1
	[ "$llm_up" = 1 ] && stack "$llm_var" "$llm_port" "$llm_https" "$bin" stop >/dev/null 2>&1
	if [ -n "$seed_pid" ] && kill -0 "$seed_pid" 2>/dev/null; then
		kill -TERM "$seed_pid"
		for _ in $(seq 50); do kill -0 "$seed_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$seed_pid" 2>/dev/null
	fi
	# a failure keeps its evidence; an interrupted run does not
	if [ "${BENCH_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ] && [ "$rc" -ne 143 ]; }; then
		echo "ingest.sh: logs and databases kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
taken_ports=" "
port=""
free_port() {   # sets $port: a loopback TCP port nobody listens on, not handed out yet
	local p
	for _ in $(seq 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case $taken_ports in *" $p "*) continue ;; esac
		if ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then continue; fi
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
		taken_ports="$taken_ports$p "
		port=$p
		return 0
	done
	die "no free port found"
}

# The processes of a server: the worker pool (pid file + children) or one pid.
pool_pids() {   # pool_pids PIDFILE
	local p
	[ -f "$1" ] || return 0
	p=$(cat "$1")
	echo "$p"
	pgrep -P "$p" || true
}

peak_rss_kib() {   # sum of VmHWM over the pids on stdin
	local sum=0 p v
	while read -r p; do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}

cpu_ticks() {   # user + system clock ticks over the pids on stdin (all their threads)
	local sum=0 p v
	while read -r p; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true)
		sum=$((sum + ${v:-0}))
	done
	echo "$sum"
}
clk_tck=$(getconf CLK_TCK)

wait_http() {   # wait_http URL: any HTTP answer within 30 s
	for _ in $(seq 300); do
		curl -s -o /dev/null -m 2 "$1" && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- servers
# a and c/d: two stacks started by scripts/stack.sh, so nginx's configuration
# (tally-dev.conf.in + tally-server.conf: fastcgi_keep_conn on, keepalive 8)
# and the pool's shape are tally's own. Only the worker binary differs.
write_conf() {   # write_conf VAR [LIMIT]: LIMIT 0 turns rate limiting off
	local limit=${2:-100000000}
	mkdir -p "$1"
	cat > "$1/tally.conf" <<CONF
# tests/bench/ingest.sh
database = $1/tally.db
jwt_secret_file = $1/jwt.secret
log_level = $log_level
# the limiter counts every request, but no limit is reached
rate_limit_per_min = $limit
rate_limit_per_ip_per_min = $limit
CONF
}

noop_var=$work/noop
tally_var=$work/tally
free_var=$work/free
llm_var=$work/llm
if want a; then
	say "starting the reference stack (nginx + noop-worker)"
	mkdir -p "$work/noop-bin"
	ln -s "$noop" "$work/noop-bin/tally-worker"
	ln -s "$bin/tallyctl" "$work/noop-bin/tallyctl"
	write_conf "$noop_var"
	free_port; noop_port=$port
	free_port; noop_https=$port
	noop_up=1
	stack "$noop_var" "$noop_port" "$noop_https" "$work/noop-bin" start >/dev/null \
		|| die "the reference stack did not start: see $noop_var/log/"
fi
if want c || want d; then
	say "starting tally (nginx + tally-worker)"
	write_conf "$tally_var"
	free_port; tally_port=$port
	free_port; tally_https=$port
	tally_up=1
	stack "$tally_var" "$tally_port" "$tally_https" "$bin" start >/dev/null \
		|| die "tally did not start: see $tally_var/log/"
	ctl() { "$bin/tallyctl" --config "$tally_var/tally.conf" "$@"; }
	ctl project create bench "Benchmark" >/dev/null 2>>"$work/logs/tallyctl.log"
	tally_key=$(ctl key create bench ingest --name bench 2>>"$work/logs/tallyctl.log")
	[ -n "$tally_key" ] || die "tallyctl did not make an ingest key"
fi
if want r; then
	say "starting tally with rate limiting off (nginx + tally-worker, its own database)"
	write_conf "$free_var" 0
	free_port; free_port_n=$port
	free_port; free_https=$port
	free_up=1
	stack "$free_var" "$free_port_n" "$free_https" "$bin" start >/dev/null \
		|| die "tally (rate limiting off) did not start: see $free_var/log/"
	"$bin/tallyctl" --config "$free_var/tally.conf" project create bench "Benchmark" >/dev/null 2>>"$work/logs/tallyctl.log"
	free_key=$("$bin/tallyctl" --config "$free_var/tally.conf" key create bench ingest --name bench 2>>"$work/logs/tallyctl.log")
	[ -n "$free_key" ] || die "tallyctl did not make the key of the stack without rate limiting"
fi
if want_llm; then
	say "starting tally for the LLM cases (nginx + tally-worker, its own database)"
	write_conf "$llm_var"
	free_port; llm_port=$port
	free_port; llm_https=$port
	llm_up=1
	stack "$llm_var" "$llm_port" "$llm_https" "$bin" start >/dev/null \
		|| die "tally (LLM cases) did not start: see $llm_var/log/"
	lctl() { "$bin/tallyctl" --config "$llm_var/tally.conf" "$@"; }
	lctl project create bench "Benchmark" >/dev/null 2>>"$work/logs/tallyctl.log"
	llm_key=$(lctl key create bench ingest --name bench 2>>"$work/logs/tallyctl.log")
	llm_secret=$(lctl key create bench secret --name bench-read 2>>"$work/logs/tallyctl.log")
	[ -n "$llm_key" ] && [ -n "$llm_secret" ] || die "tallyctl did not make the LLM stack's keys"
fi
if want b; then
	stamp=$(cat "$seed_src/package.json" "$seed_src/package-lock.json" "$seed_src/server.js" \
		| sha256sum | cut -c1-16)-$(node --version)
	if [ "$(cat "$seed_cache/.tally-bench-stamp" 2>/dev/null)" != "$stamp" ]; then
		if [ -e "$seed_cache" ]; then
			[ -f "$seed_cache/.tally-bench-cache" ] ||
				die "$seed_cache exists and is not this benchmark's cache: remove it or set BENCH_SEED_CACHE"
			rm -rf "$seed_cache"
		fi
		say "installing the seed stack in $seed_cache (npm ci builds better-sqlite3, a few minutes)"
		mkdir -p "$seed_cache"
		touch "$seed_cache/.tally-bench-cache"
		cp -r "$seed_src/." "$seed_cache/"
		chmod -R u+w "$seed_cache"
		(cd "$seed_cache" && npm_config_nodedir=/usr npm ci --no-audit --no-fund) \
			>"$work/logs/seed-npm.log" 2>&1 || die "npm ci failed: see $work/logs/seed-npm.log"
		echo "$stamp" > "$seed_cache/.tally-bench-stamp"
	fi
	say "starting the seed stack (node)"
	free_port; seed_port=$port
	mkdir -p "$work/seed"
	(cd "$seed_cache" && PORT=$seed_port DB_PATH=$work/seed/events.db exec node server.js) \
		>"$work/logs/seed.log" 2>&1 &
	seed_pid=$!
	wait_http "http://127.0.0.1:$seed_port/api/events" || die "the seed stack did not start: see $work/logs/seed.log"
fi

# ---------------------------------------------------------------- smoke checks
post() {   # post URL KEY BODY -> "status body"
	curl -s -m 10 -o "$work/post.out" -w '%{http_code}' -X POST "$1" \
		-H 'Content-Type: application/json' -H "X-API-Key: $2" --data-binary "$3"
	printf ' %s' "$(cat "$work/post.out" 2>/dev/null)"
}
smoke_event='{"type":"track","event":"smoke","userId":"smoke","messageId":"smoke-1"}'
if want a; then
	r=$(post "http://127.0.0.1:$noop_port/api/v1/events" x "$smoke_event")
	[ "${r%% *}" = 204 ] || die "reference stack: expected 204, got: $r"
fi
if want c || want d; then
	r=$(post "http://127.0.0.1:$tally_port/api/v1/events" "$tally_key" "$smoke_event")
	case $r in 202*'"accepted":1'*) ;; *) die "tally: expected 202 and accepted 1, got: $r" ;; esac
fi
if want b; then
	r=$(post "http://127.0.0.1:$seed_port/api/events" key_tenant_0001_benchmark \
		'{"type":"track","name":"smoke","user_id":"smoke","ts":1700000000000,"props":{}}')
	[ "${r%% *}" = 202 ] || die "seed stack: expected 202, got: $r"
fi

# The LLM cases: one body as ingest.lua builds it for the rounds (its run
# number above theirs, so no id repeats), posted once. The answer must be
# OTLP's full success (an empty ExportTraceServiceResponse, or {}) or 202 with
# every call accepted; the sample's first and last traces must come back from
# the read API (secret key) with their spans linked to the root, the newest
# traces listed must be the sample's, and the database must hold every span.
llm_smoke() {   # llm_smoke CASE SHAPE PATH CONTENT_TYPE RUN
	local c=$1 shape=$2 path=$3 ctype=$4 run=$5 body=$work/sample-$1 code stored t n want word
	BENCH_SHAPE=$shape BENCH_RUN=$run BENCH_SPANS=$spans BENCH_SAMPLE=$body \
		wrk -t1 -c1 -d1s -s "$lua" "http://127.0.0.1:$llm_port/api/health" >"$work/logs/sample-$c.txt" 2>&1
	[ -s "$body" ] && [ -s "$body.trace" ] || die "case $c: ingest.lua wrote no sample body: see $work/logs/sample-$c.txt"
	code=$(curl -s -m 60 -o "$work/sample-$c.out" -w '%{http_code}' -X POST "http://127.0.0.1:$llm_port$path" \
		-H "Content-Type: $ctype" -H "X-API-Key: $llm_key" --data-binary "@$body")
	case $c in
	f) [ "$code" = 200 ] && [ ! -s "$work/sample-$c.out" ] ||
		die "case f: expected 200 and an empty protobuf answer, got $code: $(od -An -c "$work/sample-$c.out" | head -5)" ;;
	g) [ "$code" = 200 ] && [ "$(tr -d ' \r\n' < "$work/sample-$c.out")" = "{}" ] ||
		die "case g: expected 200 and {}, got $code: $(head -c 400 "$work/sample-$c.out")" ;;
	h) grep -q "\"accepted\":$spans[,}]" "$work/sample-$c.out" && [ "$code" = 202 ] ||
		die "case h: expected 202 and accepted $spans, got $code: $(head -c 400 "$work/sample-$c.out")" ;;
	esac
	n=0
	while read -r t; do
		n=$((n + 1))
		# the last trace holds what is left over from traces of 4
		want=4
		[ "$n" = 2 ] && [ $((spans % 4)) != 0 ] && want=$((spans % 4))
		code=$(curl -s -m 10 -o "$work/sample-$c.trace.json" -w '%{http_code}' \
			-H "Authorization: Bearer $llm_secret" "http://127.0.0.1:$llm_port/api/v1/traces/$t")
		[ "$code" = 200 ] || die "case $c: GET /api/v1/traces/$t answered $code: $(head -c 300 "$work/sample-$c.trace.json")"
		stored=$(grep -o '"spanId"' "$work/sample-$c.trace.json" | wc -l)
		[ "$stored" = "$want" ] || die "case $c: trace $t holds $stored spans, expected $want"
		[ "$want" = 1 ] || grep -q '"children"' "$work/sample-$c.trace.json" ||
			die "case $c: trace $t: the child spans are not under their root"
	done < "$body.trace"
	word=$(printf '%04x' "$run")
	code=$(curl -s -m 10 -o "$work/sample-$c.list.json" -w '%{http_code}' \
		-H "Authorization: Bearer $llm_secret" "http://127.0.0.1:$llm_port/api/v1/traces?limit=10")
	[ "$code" = 200 ] && grep -q "\"traceId\":\"[0-9a-f]\{8\}$word" "$work/sample-$c.list.json" ||
		die "case $c: GET /api/v1/traces ($code) does not list the sample's traces"
	stored=$(sqlite3 "$llm_var/tally.db" ".timeout 10000" \
		"SELECT count(*) FROM spans WHERE substr(trace_id, 9, 4) = '$word';")
	[ "$stored" = "$spans" ] || die "case $c: the database holds $stored of the sample's $spans spans"
	sample_spans=$((sample_spans + spans))
}
sample_spans=0
want f && llm_smoke f otlp_pb /api/v1/otlp/v1/traces application/x-protobuf 60001
want g && llm_smoke g otlp_json /api/v1/otlp/v1/traces application/json 60002
want h && llm_smoke h llm_events /api/v1/events application/json 60003

# ---------------------------------------------------------------- the rounds
results=$work/results.txt   # round case req_s events_per_s p50_us p99_us errors rss_kib cpu_us_per_event
: > "$results"
run_no=0

wrk_case() {   # wrk_case ROUND CASE URL SHAPE KEY EVENTS_PER_REQ "RSS PIDS" "CPU PIDS" [CONNECTIONS]
	local round=$1 case=$2 url=$3 shape=$4 key=$5 per=$6 rss_pids=$7 cpu_pids=$8 conns=${9:-$wrk_conns}
	local log line t0 t1 reqs dur errs
	log=$work/logs/round$round-$case.txt
	run_no=$((run_no + 1))
	t0=$(printf '%s\n' $cpu_pids | cpu_ticks)
	BENCH_SHAPE=$shape BENCH_KEY=$key BENCH_RUN=$run_no BENCH_BATCH=$batch BENCH_SPANS=$spans \
		timeout $((seconds + timeout_s + 60)) wrk -t"$wrk_threads" -c"$conns" -d"${seconds}s" --timeout "${timeout_s}s" --latency \
		-s "$lua" "$url" >"$log" 2>&1 || die "wrk failed ($case): see $log"
	t1=$(printf '%s\n' $cpu_pids | cpu_ticks)
	line=$(grep '^BENCH ' "$log") || die "no result from wrk ($case): see $log"
	get() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	reqs=$(get requests)
	dur=$(get duration_us)
	errs=$(($(get status_errors) + $(get connect_errors) + $(get read_errors) + $(get write_errors) + $(get timeouts)))
	[ "$reqs" -gt 0 ] || die "wrk completed no request ($case): see $log"
	echo "$case $reqs $per $conns" >> "$work/requests.txt"
	awk -v r="$round" -v c="$case" -v n="$reqs" -v d="$dur" -v per="$per" \
	    -v p50="$(get p50_us)" -v p99="$(get p99_us)" -v e="$errs" \
	    -v rss="$(printf '%s\n' $rss_pids | peak_rss_kib)" -v cpu=$((t1 - t0)) -v tck="$clk_tck" \
	    'BEGIN { rps = n / (d / 1e6);
	             printf "%s %s %.1f %.1f %d %d %d %d %.2f\n", r, c, rps, rps * per, p50, p99, e, rss,
	                    cpu / tck * 1e6 / (n * per) }' >> "$results"
	if [ "$errs" -gt 0 ]; then
		echo "ingest.sh: warning: case $case round $round: $errs errors or non-2xx answers (see $log)" >&2
	fi
	tail -1 "$results" | awk '{ printf "    %-2s %10.0f req/s %11.0f events/s  p50 %6.2f ms  p99 %7.2f ms  errors %d\n",
		$2, $3, $4, $5 / 1000, $6 / 1000, $7 }' >&2
}

disk_line=""
measure_disk() {   # after the first c: bytes per event of tally's database, indexes included
	local db=$tally_var/tally.db rows bytes
	sqlite3 "$db" ".timeout 10000" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null \
		|| { echo "ingest.sh: warning: checkpoint failed" >&2; return 0; }
	rows=$(sqlite3 "$db" ".timeout 10000" "SELECT count(*) FROM events;")
	bytes=$(( $(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0) ))
	disk_line="$rows $bytes"
	# the stored row must be the one sqlite-ref inserts
	stored=$(sqlite3 "$db" "SELECT properties FROM events WHERE message_id LIKE 'bm-%' LIMIT 1;")
	ref=$("$sqlite_ref" --show | sed -n 's/^properties=//p')
	[ "$stored" = "$ref" ] || echo "ingest.sh: warning: tally stored properties $stored, sqlite-ref inserts $ref" >&2
}

sqlite_case() {   # sqlite_case ROUND DEDUP(on|off) SECONDS
	local round=$1 mode=$2 secs=$3 db=$work/sqlite-ref-$1-$2.db out flag=""
	[ "$mode" = off ] && flag=--no-dedup
	# shellcheck disable=SC2086
	out=$("$sqlite_ref" --db "$db" --seconds "$secs" --rows-per-tx 500 $flag) || die "sqlite-ref failed"
	echo "$out" >> "$work/logs/sqlite-ref.txt"
	rm -f "$db" "$db-wal" "$db-shm"
	echo "$out" | tr ' ' '\n' | awk -F= -v r="$round" -v m="$mode" '
		$1 == "rows_per_s" { rps = $2 } $1 == "bytes_per_row" { b = $2 }
		END { printf "%s %s %.1f %.1f 0 0 0 0 0 %s\n", r, (m == "on" ? "e" : "e0"), rps, rps, b }' >> "$results"
	tail -1 "$results" | awk '{ printf "    %-2s %10s       %11.0f rows/s   (%s bytes/row)\n", $2, "", $4, $10 }' >&2
}

nginx_pids() {   # nginx_pids VAR: master and workers
	pool_pids "$1/nginx.pid"
}
pool=$tally_var/worker.pid
for round in $(seq "$rounds"); do
	say "round $round of $rounds (${seconds}s per case, wrk -t$wrk_threads -c$wrk_conns; f g h -c$llm_conns)"
	for c in $cases; do
		case $c in
		a) p=$(pool_pids "$noop_var/worker.pid")
		   wrk_case "$round" a "http://127.0.0.1:$noop_port/api/v1/events" tally x 1 \
			"$p" "$p $(nginx_pids "$noop_var")" ;;
		b) wrk_case "$round" b "http://127.0.0.1:$seed_port/api/events" seed \
			key_tenant_0001_benchmark 1 "$seed_pid" "$seed_pid" ;;
		c) p=$(pool_pids "$pool")
		   wrk_case "$round" c "http://127.0.0.1:$tally_port/api/v1/events" tally "$tally_key" 1 \
			"$p" "$p $(nginx_pids "$tally_var")"
		   if [ -z "$disk_line" ]; then measure_disk; fi ;;
		r) p=$(pool_pids "$free_var/worker.pid")
		   wrk_case "$round" r "http://127.0.0.1:$free_port_n/api/v1/events" tally "$free_key" 1 \
			"$p" "$p $(nginx_pids "$free_var")" ;;
		d) p=$(pool_pids "$pool")
		   wrk_case "$round" d "http://127.0.0.1:$tally_port/api/v1/events" batch "$tally_key" "$batch" \
			"$p" "$p $(nginx_pids "$tally_var")" ;;
		e) sqlite_case "$round" on $(( (seconds + 1) / 2 ))
		   sqlite_case "$round" off $(( (seconds + 1) / 2 )) ;;
		f | g | h)
		   p=$(pool_pids "$llm_var/worker.pid")
		   case $c in
		   f) path=/api/v1/otlp/v1/traces shape=otlp_pb ;;
		   g) path=/api/v1/otlp/v1/traces shape=otlp_json ;;
		   h) path=/api/v1/events shape=llm_events ;;
		   esac
		   wrk_case "$round" "$c" "http://127.0.0.1:$llm_port$path" "$shape" "$llm_key" "$spans" \
			"$p" "$p $(nginx_pids "$llm_var")" "$llm_conns" ;;
		esac
	done
done
# The pools' peak RSS, over the whole run (VmHWM only grows).
final_rss() { pool_pids "$1" | peak_rss_kib; }

# The LLM stack must hold every span the rounds sent: at least what wrk saw
# answered (plus the samples), at most that plus what was in flight when
# each wrk run stopped (one request per connection). Also its size per span.
llm_line=""
if want_llm; then
	sleep 2   # requests wrk left in flight finish
	llm_db=$llm_var/tally.db
	sent=$(awk -v s="$sample_spans" '$1 ~ /^[fgh]$/ { s += $2 * $3 } END { printf "%d", s }' "$work/requests.txt")
	slack=$(awk '$1 ~ /^[fgh]$/ { s += $4 * $3 } END { printf "%d", s }' "$work/requests.txt")
	sqlite3 "$llm_db" ".timeout 10000" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null ||
		echo "ingest.sh: warning: checkpoint of the LLM database failed" >&2
	stored=$(sqlite3 "$llm_db" ".timeout 10000" "SELECT count(*) FROM spans;")
	priced=$(sqlite3 "$llm_db" ".timeout 10000" "SELECT count(*) FROM spans WHERE priced = 1;")
	bytes=$(( $(stat -c %s "$llm_db") + $(stat -c %s "$llm_db-wal" 2>/dev/null || echo 0) ))
	if [ "$stored" -lt "$sent" ] || [ "$stored" -gt $((sent + slack)) ]; then
		echo "ingest.sh: warning: the LLM database holds $stored spans; the rounds and samples sent $sent to $((sent + slack))" >&2
	fi
	llm_line="$stored $sent $priced $bytes"
fi

# ---------------------------------------------------------------- summary
median() {   # median of the numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan";
		else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
col() {   # col CASE FIELD -> median over rounds
	awk -v c="$1" -v f="$2" '$2 == c { print $f }' "$results" | median
}
maxcol() { awk -v c="$1" -v f="$2" '$2 == c && $f > m { m = $f } END { print m + 0 }' "$results"; }
have() { awk -v c="$1" '$2 == c { found = 1 } END { exit !found }' "$results"; }

declare -A label=(
	[a]="a  nginx + noop FastCGI (tally's pool)"
	[b]="b  seed stack (Fastify + better-sqlite3)"
	[c]="c  tally, 1 event / request"
	[r]="r  tally, 1 event / request, no rate limits"
	[d]="d  tally, $batch events / request"
	[e]="e  raw SQLite, 500 rows / tx, dedup"
	[e0]="e' raw SQLite, 500 rows / tx, no dedup"
	[f]="f  tally, OTLP protobuf, $spans spans/req"
	[g]="g  tally, OTLP JSON, $spans spans/req"
	[h]="h  tally, cost-profiler, $spans calls/req"
)
declare -A rps eps p50 p99 rss cpu errs
for c in a b c r d e e0 f g h; do
	have "$c" || continue
	rps[$c]=$(col "$c" 3)
	eps[$c]=$(col "$c" 4)
	p50[$c]=$(col "$c" 5)
	p99[$c]=$(col "$c" 6)
	errs[$c]=$(awk -v c="$c" '$2 == c { s += $7 } END { print s + 0 }' "$results")
	rss[$c]=$(maxcol "$c" 8)
	cpu[$c]=$(col "$c" 9)
done

known() { [ "$1" != n/a ]; }   # a figure the run measured
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
verdict() {   # verdict VALUE OP LIMIT
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "n/a") { print "n/a"; exit }
		ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0); print ok ? "met" : "MISSED" }'
}
bpe="n/a"
rows_c=""
if [ -n "$disk_line" ]; then
	rows_c=${disk_line% *}
	bpe=$(awk -v r="$rows_c" -v b="${disk_line#* }" 'BEGIN { if (r > 0) printf "%.0f", b / r; else print "n/a" }')
fi
pool_rss_c=""
[ -n "${rss[c]:-}" ] && pool_rss_c=$(final_rss "$pool")

r_ca=$(ratio "${rps[c]:-}" "${rps[a]:-}")
r_cr=$(ratio "${rps[c]:-}" "${rps[r]:-}")
r_cb=$(ratio "${rps[c]:-}" "${rps[b]:-}")
r_p99=$(ratio "${p99[c]:-}" "${p99[b]:-}")
r_de=$(ratio "${eps[d]:-}" "${eps[e]:-}")
r_rss=$(ratio "$pool_rss_c" "${rss[b]:-}")
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "n/a"; else printf "%.1f MiB", k / 1024 }'; }
whole() { awk -v e="$1" 'BEGIN { if (e == "") print "n/a"; else printf "%.0f", e }'; }
d_eps=$(whole "${eps[d]:-}")
f_sps=$(whole "${eps[f]:-}")
g_sps=$(whole "${eps[g]:-}")
h_sps=$(whole "${eps[h]:-}")
r_fd=$(ratio "${eps[f]:-}" "${eps[d]:-}")
llm_info=""
if [ -n "$llm_line" ]; then
	set -- $llm_line
	llm_info=$(awk -v st="$1" -v se="$2" -v pr="$3" -v b="$4" 'BEGIN {
		printf "LLM database: %d spans stored (%d sent and answered), %d priced by the table, %.0f bytes/span (spans, traces, conversations, rollups; h also stores an event per call)",
		       st, se, pr, (st > 0 ? b / st : 0) }')
fi

fmt_row() {   # fmt_row CASE SEP: one table row (markdown when SEP is "|")
	local c=$1
	awk -v l="${label[$c]}" -v r="${rps[$c]}" -v e="${eps[$c]}" -v p50="${p50[$c]}" -v p99="${p99[$c]}" \
	    -v rss="${rss[$c]}" -v cpu="${cpu[$c]}" -v err="${errs[$c]}" -v c="$c" -v md="$2" 'BEGIN {
		isdb = (c == "e" || c == "e0")
		sr = isdb ? "-" : sprintf("%.0f", r); se = sprintf("%.0f", e)
		s50 = isdb ? "-" : sprintf("%.2f", p50 / 1000); s99 = isdb ? "-" : sprintf("%.2f", p99 / 1000)
		srss = isdb ? "-" : sprintf("%.1f", rss / 1024); scpu = isdb ? "-" : sprintf("%.0f", cpu)
		serr = isdb ? "-" : err
		if (md == "|") printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", l, sr, se, s50, s99, srss, scpu, serr
		else printf "%-42s %9s %11s %8s %8s %9s %7s %6s\n", l, sr, se, s50, s99, srss, scpu, serr }'
}

machine="$(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
versions=$( { dpkg-query -W -f='${Package} ${Version}, ' nginx libsqlite3-0 libfcgi0ldbl spawn-fcgi wrk 2>/dev/null || true; } | sed 's/, $//')
shape="${TALLY_WORKERS:-$(nproc)} worker processes x ${TALLY_THREADS:-64} threads"

{
	echo
	echo "tally ingest benchmark: $rounds round(s) x ${seconds}s per case, wrk -t$wrk_threads -c$wrk_conns, 226-byte events"
	echo "$machine; $versions; node $(node --version 2>/dev/null || echo -); pool: $shape"
	echo "medians over rounds; RSS = peak (VmHWM) of the serving processes; CPU = server CPU µs per event"
	want_llm && echo "f g h: wrk -c$llm_conns; events/s and CPU are per span (LLM call), $spans per request in traces of 4; their own tally stack and database"
	echo
	printf "%-42s %9s %11s %8s %8s %9s %7s %6s\n" case req/s events/s "p50 ms" "p99 ms" "RSS MiB" "CPU µs" errors
	for c in a b c r d e e0 f g h; do [ -n "${rps[$c]:-}" ] && fmt_row "$c" " "; done
	echo
	[ -n "$llm_info" ] && echo "$llm_info"
	[ -n "$disk_line" ] && echo "tally disk: $bpe bytes/event ($rows_c events, ${disk_line#* } bytes after wal_checkpoint(TRUNCATE), indexes included)"
	known "$r_ca" && echo "c/a req/s     $r_ca   target >= 0.70: $(verdict "$r_ca" '>=' 0.70)"
	known "$r_cb" && echo "c/b req/s     $r_cb   target >= 2 (aim 3): $(verdict "$r_cb" '>=' 2)"
	known "$r_cr" && echo "c/r req/s     $r_cr   rate limiting costs < 10 %: $(verdict "$r_cr" '>=' 0.90)"
	known "$r_p99" && echo "c/b p99       $r_p99   target <= 0.33: $(verdict "$r_p99" '<=' 0.3334)"
	known "$d_eps" && echo "d events/s    $d_eps   target >= 100000: $(verdict "$d_eps" '>=' 100000)"
	known "$r_de" && echo "d/e events/s  $r_de   target >= 0.60: $(verdict "$r_de" '>=' 0.60)"
	known "$bpe" && echo "bytes/event   $bpe   target <= 300: $(verdict "$bpe" '<=' 300)"
	known "$r_rss" && echo "pool RSS/seed $r_rss   ($(mib "$pool_rss_c") after c and d / $(mib "${rss[b]:-}"))   target <= 0.25: $(verdict "$r_rss" '<=' 0.25)"
	if want_llm; then
		known "$f_sps" && echo "f spans/s     $f_sps   OTLP ingest >= 50000 spans/s in batches of $spans (protobuf): $(verdict "$f_sps" '>=' 50000)"
		known "$g_sps" && echo "g spans/s     $g_sps   the same in OTLP/JSON: $(verdict "$g_sps" '>=' 50000)"
		known "$h_sps" && echo "h calls/s     $h_sps   cost-profiler batch (no target)"
		known "$r_fd" && echo "f/d           $r_fd   OTLP spans/s against d's events/s (no target)"
	fi
	:
} | tee "$work/summary.txt"

md=$work/performance-block.md
{
	# the settings that differ from the defaults, so the line reruns the same
	run_env=""
	[ "$cases" != "a b c r d e f g h" ] && run_env="BENCH_CASES=\"$cases\" "
	[ "$batch" != 100 ] && run_env="${run_env}BENCH_BATCH=$batch "
	[ "$spans" != 512 ] && run_env="${run_env}BENCH_SPANS=$spans "
	[ "$wrk_conns" != 64 ] && run_env="${run_env}BENCH_CONNECTIONS=$wrk_conns "
	[ "$llm_conns" != 8 ] && run_env="${run_env}BENCH_LLM_CONNECTIONS=$llm_conns "
	echo "Run: \`${run_env}BENCH_SECONDS=$seconds BENCH_ROUNDS=$rounds tests/bench/ingest.sh\` on $(date -u +%Y-%m-%d)."
	echo "$machine; $versions; node $(node --version 2>/dev/null || echo -);"
	echo "tally pool: $shape; wrk -t$wrk_threads -c$wrk_conns$(want_llm && echo " (f, g, h: -c$llm_conns)"); medians of $rounds round(s)."
	echo
	echo "| case | req/s | events/s | p50 ms | p99 ms | peak RSS MiB | server CPU µs/event | errors |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for c in a b c r d e e0 f g h; do [ -n "${rps[$c]:-}" ] && fmt_row "$c" "|"; done
	echo
	[ -n "$llm_info" ] && { echo "$llm_info."; echo; }
	echo "| target | measured | |"
	echo "|---|---:|---|"
	known "$r_cb" && echo "| c ≥ 2× seed req/s (aim 3×) | $r_cb× | $(verdict "$r_cb" '>=' 2) |"
	known "$r_p99" && echo "| c p99 ≤ 1/3 of seed p99 | $r_p99× | $(verdict "$r_p99" '<=' 0.3334) |"
	known "$r_ca" && echo "| c ≥ 70 % of a | $r_ca× | $(verdict "$r_ca" '>=' 0.70) |"
	known "$r_cr" && echo "| rate limiting costs < 10 % (c ≥ 90 % of r) | $r_cr× | $(verdict "$r_cr" '>=' 0.90) |"
	known "$d_eps" && echo "| d ≥ 100,000 events/s | $d_eps | $(verdict "$d_eps" '>=' 100000) |"
	known "$r_de" && echo "| d ≥ 60 % of e | $r_de× | $(verdict "$r_de" '>=' 0.60) |"
	known "$bpe" && echo "| ≤ 300 bytes/event on disk | $bpe | $(verdict "$bpe" '<=' 300) |"
	known "$r_rss" && echo "| worker pool RSS ≤ 1/4 of the seed's | $r_rss× ($(mib "$pool_rss_c") / $(mib "${rss[b]:-}")) | $(verdict "$r_rss" '<=' 0.25) |"
	if want_llm; then
		known "$f_sps" && echo "| OTLP ingest ≥ 50,000 spans/s in batches of $spans (f, protobuf) | $f_sps | $(verdict "$f_sps" '>=' 50000) |"
		known "$g_sps" && echo "| the same in OTLP/JSON (g) | $g_sps | $(verdict "$g_sps" '>=' 50000) |"
	fi
	echo
	echo "Peak RSS is VmHWM summed over the serving processes (tally's: the pool's parent and"
	echo "children, nginx excluded; the seed's: node); tally's pool serves c and d, so the"
	echo "target uses its peak after both. Server CPU counts nginx too for a, c, d, f, g and h."
	want_llm && echo "f, g and h run on a second tally stack with its own database; their events/s and CPU are per span."
	:
} > "$md"
echo
echo "---- markdown for docs/performance.md ----"
cat "$md"
[ -n "${BENCH_OUT:-}" ] && cp "$md" "$BENCH_OUT"
exit 0
