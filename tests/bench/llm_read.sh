#!/usr/bin/env bash
# tally's LLM analytics latency benchmark (docs/performance.md, "LLM ingest
# and analytics"). On a database of generated LLM calls (`tallyctl demo-data`:
# 50 features x 20 models, 20,000 users, traces of 1-3 calls, a quarter of
# them in conversations) it starts a tally stack, makes a secret key, and asks
# every LLM read endpoint one request after another over one keep-alive
# connection (tests/bench/llm_read.js), over the last 7, 30 and 90 days of the
# data; then prints p50/p95/max per endpoint and range against the target
# (p95 < 20 ms), and a markdown block for docs/performance.md.
#
# BENCH_SUITE=product does the same for product analytics (docs/performance.md,
# "Product analytics"): a database of generated events (`tallyctl demo-data
# --events`: 100,000 users, 50 event names, sessions, page views, a funnel),
# and stats, timeseries, breakdown, funnel, retention and realtime (targets:
# p95 < 20 ms, < 200 ms for funnel and retention).
#
#   BENCH_SUITE=product BENCH_EVENTS=10000000 tests/bench/llm_read.sh
#
#   tests/bench/llm_read.sh                      # builds a 1,000,000-call database (2-3 min)
#   BENCH_DB=/path/tally.db BENCH_PROJECT=bench tests/bench/llm_read.sh
#                                                # an existing one, e.g. 10 million calls:
#       tallyctl --database /path/tally.db --jwt-secret-file /path/jwt.secret init
#       tallyctl --database /path/tally.db project create bench
#       tallyctl --database /path/tally.db demo-data bench --calls 10000000 --days 90 \
#           --end 2026-11-29T00:00:00Z
#
# Environment (defaults in brackets):
#   TALLY_SRC / TALLY_BIN   source and build trees [this script's ../..]
#   TALLY_WORKERS / TALLY_THREADS   worker pool shape, as scripts/stack.sh
#   BENCH_DB          a database made by demo-data. It is copied first (SQLite's
#                     backup, read-only on the source): the benchmark adds a key
#                     and the worker writes its WAL, the source stays as it was.
#                     Let its generator finish first.
#   BENCH_PROJECT     its project slug [bench]
#   BENCH_SUITE       llm or product [llm]
#   BENCH_CALLS       calls generated when BENCH_DB is not given [1000000]
#   BENCH_EVENTS      product: events generated when BENCH_DB is not given [1000000]
#   BENCH_DAYS        ... over this many days [90]
#   BENCH_END         the end of the ranges (ISO 8601) [the data's last call,
#                     rounded up to the hour; generated data ends today 00:00 UTC]
#   BENCH_RANGES      range lengths in days, ending at BENCH_END ["7 30 90"]
#   BENCH_REQUESTS    timed requests per endpoint and range [200]
#   BENCH_WARMUP      untimed requests before them [5]
#   BENCH_ROW_SECONDS stop a row after this long (at least 10 requests) [20]
#   BENCH_WORK        where the work directory goes [$TMPDIR or /tmp]
#   BENCH_KEEP        1: keep the work directory (database copy, logs) [0]
#   BENCH_NO_BUILD    1: do not run make [0]
#   BENCH_OUT         also write the markdown block to this file
#
# Everything listens on 127.0.0.1, on ports found free; the stack is stopped
# on exit. Never part of `make check`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${TALLY_SRC:-$here/../..}" && pwd)
bin=$(cd "${TALLY_BIN:-$src}" && pwd)
project=${BENCH_PROJECT:-bench}
suite=${BENCH_SUITE:-llm}
calls=${BENCH_CALLS:-1000000}
events=${BENCH_EVENTS:-1000000}
days=${BENCH_DAYS:-90}
ranges=${BENCH_RANGES:-7 30 90}
requests=${BENCH_REQUESTS:-200}
warmup=${BENCH_WARMUP:-5}
row_seconds=${BENCH_ROW_SECONDS:-20}
db_in=${BENCH_DB:-}
target_ms=20
client=$here/llm_read.js
[ -f "$client" ] || client=$src/tests/bench/llm_read.js

die() { echo "llm_read.sh: $*" >&2; exit 1; }
say() { printf '==> %s\n' "$*" >&2; }
is_int() { case $1 in '' | *[!0-9]*) return 1 ;; esac; }

is_int "$calls" && [ "$calls" -ge 1000 ] || die "BENCH_CALLS must be an integer >= 1000"
is_int "$events" && [ "$events" -ge 1000 ] || die "BENCH_EVENTS must be an integer >= 1000"
case $suite in llm | product) ;; *) die "BENCH_SUITE must be llm or product" ;; esac
# the p95 target of a row, by its endpoint label
row_target() { case $1 in funnel* | retention*) echo 200 ;; *) echo "$target_ms" ;; esac; }
is_int "$days" && [ "$days" -ge 1 ] && [ "$days" -le 3650 ] || die "BENCH_DAYS must be 1..3650"
is_int "$requests" && [ "$requests" -ge 10 ] && [ "$requests" -le 100000 ] || die "BENCH_REQUESTS must be 10..100000"
is_int "$warmup" && [ "$warmup" -ge 1 ] && is_int "$row_seconds" ||
	die "BENCH_WARMUP must be >= 1 and BENCH_ROW_SECONDS an integer"
for r in $ranges; do
	is_int "$r" && [ "$r" -ge 1 ] || die "BENCH_RANGES: '$r' is not a number of days"
done
case $project in '' | *[!a-z0-9-]*) die "BENCH_PROJECT must be a slug (a-z, 0-9, -)" ;; esac
if [ -n "$db_in" ]; then
	[ -f "$db_in" ] || die "BENCH_DB: no file $db_in"
	db_in=$(cd "$(dirname "$db_in")" && pwd)/$(basename "$db_in")
fi
for cmd in nginx spawn-fcgi curl openssl sqlite3 node; do
	command -v "$cmd" >/dev/null || die "$cmd is not installed"
done

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
	say "building in $bin"
	make -C "$bin" -s tally-worker tallyctl >&2 || die "make failed in $bin"
fi
for p in "$bin/tally-worker" "$bin/tallyctl"; do
	[ -x "$p" ] || die "$p is missing: run make in $bin"
done

# ---------------------------------------------------------------- clean-up
work=$(mktemp -d "${BENCH_WORK:-${TMPDIR:-/tmp}}/tally-llm-read.XXXXXX")
var=$work/var
mkdir -p "$work/logs" "$var"
stack_up=0
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[ "$stack_up" = 1 ] && TALLY_VAR=$var TALLY_HTTP_PORT=$http_port TALLY_HTTPS_PORT=$https_port \
		TALLY_BIN=$bin "$src/scripts/stack.sh" stop >/dev/null 2>&1
	if [ "${BENCH_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 130 ] && [ "$rc" -ne 143 ]; }; then
		echo "llm_read.sh: logs and database kept in $work" >&2
	else
		rm -rf "$work"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

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

# ---------------------------------------------------------------- the database
db=$var/tally.db
cat > "$var/tally.conf" <<CONF
# tests/bench/llm_read.sh
database = $db
jwt_secret_file = $var/jwt.secret
# the benchmark measures reading, not the per-key rate limiter
rate_limit_per_min = 100000000
CONF
ctl() { "$bin/tallyctl" --config "$var/tally.conf" "$@"; }
q() { sqlite3 -readonly "$db" ".timeout 10000" "$@"; }

t0=$(date +%s)
if [ -n "$db_in" ]; then
	say "copying $db_in (SQLite backup, read-only on the source)"
	sqlite3 -readonly "$db_in" ".timeout 60000" ".backup '$db'" || die "could not copy $db_in"
	ctl init >/dev/null 2>>"$work/logs/tallyctl.log" || die "tallyctl init failed: see $work/logs/tallyctl.log"
	made="copied from $db_in in $(( $(date +%s) - t0 )) s"
else
	end_gen=${BENCH_END:-$(date -u +%Y-%m-%dT00:00:00Z)}
	[ "$suite" = llm ] && say "generating $calls calls over $days days ending $end_gen (tallyctl demo-data)"
	ctl init >/dev/null 2>>"$work/logs/tallyctl.log" || die "tallyctl init failed: see $work/logs/tallyctl.log"
	ctl project create "$project" "LLM read benchmark" >/dev/null 2>>"$work/logs/tallyctl.log"
	if [ "$suite" = product ]; then
		say "generating $events events over $days days ending $end_gen (tallyctl demo-data --events)"
		ctl demo-data "$project" --events "$events" --users 100000 --event-names 50 --days "$days" \
			--end "$end_gen" >"$work/logs/demo-data.log" 2>&1 || die "demo-data failed: see $work/logs/demo-data.log"
	else
		ctl demo-data "$project" --calls "$calls" --days "$days" --end "$end_gen" \
			>"$work/logs/demo-data.log" 2>&1 || die "demo-data failed: see $work/logs/demo-data.log"
	fi
	made="generated in $(( $(date +%s) - t0 )) s"
fi
pid=$(q "SELECT id FROM projects WHERE slug = '$project';")
[ -n "$pid" ] || die "no project '$project' in the database (BENCH_PROJECT)"

# the ranges end at the data's end
if [ -n "${BENCH_END:-}" ]; then
	end_s=$(date -u -d "$BENCH_END" +%s) || die "BENCH_END: not a time: $BENCH_END"
else
	if [ "$suite" = product ]; then
		last_ms=$(q "SELECT max(ts) FROM events WHERE project_id = $pid;")
	else
		last_ms=$(q "SELECT max(start_ts) FROM spans WHERE project_id = $pid;")
	fi
	is_int "$last_ms" || die "the project has no data"
	end_s=$(( (last_ms / 3600000 + 1) * 3600 ))
fi
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
to=$(iso "$end_s")

say "counting what the database holds"
db_bytes=$(( $(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0) ))
on_disk=$(awk -v b="$db_bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }')
if [ "$suite" = product ]; then
	n_events=$(q "SELECT count(*) FROM events WHERE project_id = $pid;")
	n_users=$(q "SELECT count(*) FROM user_first WHERE project_id = $pid;")
	n_names=$(q "SELECT count(DISTINCT event) FROM event_rollup WHERE project_id = $pid AND grain = 1 AND dim = '' AND event <> '';")
	first_ms=$(q "SELECT min(ts) FROM events WHERE project_id = $pid;")
	dataset="$n_events events of $n_users users, $n_names event names, $(iso $((first_ms / 1000))) to $to; $on_disk on disk"
	say "$dataset"
else
n_spans=$(q "SELECT count(*) FROM spans WHERE project_id = $pid;")
n_traces=$(q "SELECT count(*) FROM traces WHERE project_id = $pid;")
n_conv=$(q "SELECT count(*) FROM conversations WHERE project_id = $pid;")
first_ms=$(q "SELECT min(start_ts) FROM spans WHERE project_id = $pid;")
n_feat=$(q "SELECT count(DISTINCT feature) FROM llm_rollup WHERE project_id = $pid AND dims = 1 AND grain = 1;")
n_model=$(q "SELECT count(DISTINCT model) FROM llm_rollup WHERE project_id = $pid AND dims = 1 AND grain = 1;")
dataset="$n_spans LLM calls in $n_traces traces, $n_conv conversations, $n_feat features x $n_model models, $(iso $((first_ms / 1000))) to $to; $on_disk on disk"
say "$dataset"

# 200 traces and 200 sessions spread over the whole data, one index probe each
pick() {   # pick COLUMN: up to 200 ids of COLUMN, one per step of the time range
	q "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 199)
	   SELECT (SELECT $1 FROM traces WHERE project_id = $pid AND start_ts >= $first_ms + i * (${end_s}000 - $first_ms) / 200
	           AND $1 IS NOT NULL ORDER BY start_ts LIMIT 1) AS v FROM k WHERE v IS NOT NULL;"
}
trace_ids=$(pick trace_id)
session_ids=$(pick session_id)
[ -n "$trace_ids" ] || die "no traces to ask for"
[ -n "$session_ids" ] || die "no sessions to ask for"

fi

# ---------------------------------------------------------------- the stack
free_port; http_port=$port
free_port; https_port=$port
free_port; export TALLY_STREAM_PORT=$port   # the realtime publisher door of this stack
stack_up=1
say "starting tally (nginx + tally-worker) on 127.0.0.1:$http_port"
TALLY_VAR=$var TALLY_HTTP_PORT=$http_port TALLY_HTTPS_PORT=$https_port TALLY_BIN=$bin \
	"$src/scripts/stack.sh" start >/dev/null || die "tally did not start: see $var/log/"
key=$(ctl key create "$project" secret --name llm-read 2>>"$work/logs/tallyctl.log")
[ -n "$key" ] || die "tallyctl did not make a secret key"

# ---------------------------------------------------------------- the plan
# endpoint label, path and query (the range is appended)
llm_endpoints=(
	"cost-breakdown groupBy=feature|/api/v1/analytics/cost-breakdown?groupBy=feature"
	"cost-breakdown groupBy=model|/api/v1/analytics/cost-breakdown?groupBy=model"
	"cost-breakdown groupBy=user|/api/v1/analytics/cost-breakdown?groupBy=user"
	"flamegraph|/api/v1/analytics/flamegraph?"
	"flamegraph mode=spans|/api/v1/analytics/flamegraph?mode=spans"
	"timeseries calls hour|/api/v1/analytics/timeseries?metric=calls&granularity=hour"
	"timeseries calls day|/api/v1/analytics/timeseries?metric=calls&granularity=day"
	"timeseries cost hour|/api/v1/analytics/timeseries?metric=cost&granularity=hour"
	"timeseries cost day|/api/v1/analytics/timeseries?metric=cost&granularity=day"
	"timeseries latency_p95 hour|/api/v1/analytics/timeseries?metric=latency_p95&granularity=hour"
	"timeseries latency_p95 day|/api/v1/analytics/timeseries?metric=latency_p95&granularity=day"
	"breakdown by=feature cost|/api/v1/analytics/breakdown?by=feature&metric=cost"
	"breakdown by=feature latency_p95|/api/v1/analytics/breakdown?by=feature&metric=latency_p95"
	"breakdown by=model cost|/api/v1/analytics/breakdown?by=model&metric=cost"
	"breakdown by=model latency_p95|/api/v1/analytics/breakdown?by=model&metric=latency_p95"
	"breakdown by=user cost|/api/v1/analytics/breakdown?by=user&metric=cost"
	"breakdown by=user latency_p95|/api/v1/analytics/breakdown?by=user&metric=latency_p95"
	"prompts|/api/v1/analytics/prompts?"
	"trust-score|/api/v1/analytics/trust-score?"
	"conversations|/api/v1/analytics/conversations?"
	"GET /traces|/api/v1/traces?"
)
funnel="steps=signup_started,signup,trial_started,purchase"
product_endpoints=(
	"stats|/api/v1/analytics/stats?"
	"timeseries events hour|/api/v1/analytics/timeseries?metric=events&granularity=hour"
	"timeseries events day|/api/v1/analytics/timeseries?metric=events&granularity=day"
	"timeseries users day|/api/v1/analytics/timeseries?metric=users&granularity=day"
	"timeseries users day tz=Berlin|/api/v1/analytics/timeseries?metric=users&granularity=day&tz=Europe/Berlin"
	"timeseries sessions week|/api/v1/analytics/timeseries?metric=sessions&granularity=week"
	"timeseries users event=signup|/api/v1/analytics/timeseries?metric=users&granularity=day&event=signup"
	"breakdown by=event events|/api/v1/analytics/breakdown?by=event"
	"breakdown by=event users|/api/v1/analytics/breakdown?by=event&metric=users"
	"breakdown by=url users|/api/v1/analytics/breakdown?by=url&metric=users"
	"breakdown by=referrer|/api/v1/analytics/breakdown?by=referrer&event=\$pageview"
	"breakdown by=properties.plan|/api/v1/analytics/breakdown?by=properties.plan&event=purchase"
	"funnel 4 steps 1d|/api/v1/analytics/funnel?$funnel"
	"funnel 4 steps 7d|/api/v1/analytics/funnel?$funnel&window=7d"
	"retention|/api/v1/analytics/retention?"
)
if [ "$suite" = product ]; then endpoints=("${product_endpoints[@]}"); else endpoints=("${llm_endpoints[@]}"); fi
plan=$work/plan.json
rows=$work/rows.txt   # endpoint|range|example url
: > "$rows"
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
{
	printf '{"base":"http://127.0.0.1:%s","key":%s,"requests":%s,"warmup":%s,"rowSeconds":%s,"rows":[\n' \
		"$http_port" "$(json_str "$key")" "$requests" "$warmup" "$row_seconds"
	sep=""
	for r in $ranges; do
		from=$(iso $((end_s - r * 86400)))
		for e in "${endpoints[@]}"; do
			label=${e%%|*}
			url=${e#*|}
			case $url in *\?) url="${url}from=$from&to=$to" ;; *) url="$url&from=$from&to=$to" ;; esac
			printf '%s{"endpoint":%s,"range":"%sd","urls":[%s]}\n' "$sep" "$(json_str "$label")" "$r" "$(json_str "$url")"
			echo "$label|${r}d|$url" >> "$rows"
			sep=","
		done
	done
	# no range: the last 5 minutes (empty here: the data ends before now), one trace, one session
	printf ',{"endpoint":"realtime","range":"-","urls":["/api/v1/analytics/realtime"]}\n'
	echo "realtime|-|/api/v1/analytics/realtime" >> "$rows"
	if [ "$suite" = llm ]; then
	printf ',{"endpoint":"GET /traces/{id}","range":"-","urls":['
	echo "$trace_ids" | awk 'NR > 1 { printf "," } { printf "\"/api/v1/traces/%s\"", $0 }'
	printf ']}\n'
	echo "GET /traces/{id}|-|/api/v1/traces/$(echo "$trace_ids" | head -1) ($(echo "$trace_ids" | wc -l) traces in turn)" >> "$rows"
	printf ',{"endpoint":"GET /sessions/{id}","range":"-","urls":['
	echo "$session_ids" | awk 'NR > 1 { printf "," } { printf "\"/api/v1/sessions/%s\"", $0 }'
	printf ']}\n'
	echo "GET /sessions/{id}|-|/api/v1/sessions/$(echo "$session_ids" | head -1) ($(echo "$session_ids" | wc -l) sessions in turn)" >> "$rows"
	fi
	printf ']}\n'
} > "$plan"

nrows=$(wc -l < "$rows")
say "timing $nrows endpoint/range rows, up to $requests requests each (node, one keep-alive connection)"
node "$client" "$plan" > "$work/results.txt" 2> >(tee "$work/logs/client.txt" >&2) ||
	die "the client failed: see $work/logs/client.txt"
[ "$(grep -c '^ROW ' "$work/results.txt")" = "$nrows" ] || die "the client did not time every row"

# ---------------------------------------------------------------- summary
get() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
table=$work/table.txt   # endpoint|range|n|p50|p95|max|bytes|errors|verdict
: > "$table"
met=0 missed=0
i=0
while IFS= read -r row; do
	line=$(grep "^ROW $i " "$work/results.txt")
	n=$(get n "$line"); p50=$(get p50_us "$line"); p95=$(get p95_us "$line"); mx=$(get max_us "$line")
	bytes=$(get bytes "$line"); errs=$(get errors "$line")
	if [ "$errs" != 0 ]; then v="ERRORS"
	elif [ "$p95" -lt $(( $(row_target "${row%%|*}") * 1000 )) ]; then v="met"; met=$((met + 1))
	else v="MISSED"; missed=$((missed + 1)); fi
	echo "${row%|*}|$n|$p50|$p95|$mx|$bytes|$errs|$v" >> "$table"
	i=$((i + 1))
done < "$rows"

machine="$(nproc) CPUs, $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
versions=$( { dpkg-query -W -f='${Package} ${Version}, ' nginx libsqlite3-0 libfcgi0ldbl 2>/dev/null || true; } | sed 's/, $//')
shape="${TALLY_WORKERS:-$(nproc)} worker processes x ${TALLY_THREADS:-64} threads"
cmd="tests/bench/llm_read.sh"
[ "$suite" = product ] && cmd="BENCH_SUITE=product $cmd"
[ "$suite" = product ] && [ -z "$db_in" ] && [ "$events" != 1000000 ] && cmd="BENCH_EVENTS=$events $cmd"
[ -n "$db_in" ] && cmd="BENCH_DB=$db_in BENCH_PROJECT=$project $cmd"
[ -z "$db_in" ] && [ "$calls" != 1000000 ] && cmd="BENCH_CALLS=$calls $cmd"

{
	echo
	echo "tally $( [ "$suite" = product ] && echo product || echo LLM ) analytics latency: $dataset"
	echo "database $made"
	echo "$machine; $versions; node $(node --version); pool: $shape"
	echo "ranges end $to; sequential requests over one keep-alive connection, after $warmup untimed; target p95 < $target_ms ms (funnel, retention: 200 ms)"
	echo
	printf "%-34s %5s %6s %9s %9s %9s %9s %s\n" endpoint range n "p50 ms" "p95 ms" "max ms" "bytes" "p95 < target"
	awk -F'|' '{ printf "%-34s %5s %6d %9.2f %9.2f %9.2f %9d %s%s\n", $1, $2, $3, $4 / 1000, $5 / 1000, $6 / 1000, $7, $9,
		($8 > 0 ? " (" $8 " errors)" : "") }' "$table"
	echo
	echo "$met rows met the target, $missed missed it$(grep -c '|ERRORS$' "$table" | awk '$1 > 0 { printf ", %d had errors", $1 }')"
} | tee "$work/summary.txt"

md=$work/llm-read-block.md
{
	echo "Run: \`$cmd\` on $(date -u +%Y-%m-%d)."
	echo "$machine; $versions; node $(node --version); tally pool: $shape."
	echo "Data: $dataset. Ranges end $to."
	echo
	echo "p50 / p95 in ms per range (**bold**: p95 at or above the target); a row stops after ${row_seconds} s"
	echo "(at least 10 requests): the requests column gives the fewest a range of the row got."
	echo
	# one line per endpoint, one column per range; the unranged rows under "-"
	awk -F'|' -v ranges="$ranges" -v t="$target_ms" '
	BEGIN { nr = split(ranges, r, " "); for (i = 1; i <= nr; i++) r[i] = r[i] "d"
		printf "| endpoint |"; for (i = 1; i <= nr; i++) printf " %s |", r[i]; print " - | requests | answer bytes (last range) |"
		printf "|---|"; for (i = 1; i <= nr + 1; i++) printf "---:|"; print "---:|---:|" }
	{ if (!($1 in seen)) { seen[$1] = 1; order[++ne] = $1 }
	  cell = sprintf("%.1f / %.1f", $4 / 1000, $5 / 1000)
	  if ($9 != "met") cell = sprintf("%.1f / **%.1f**%s", $4 / 1000, $5 / 1000, ($8 > 0 ? " (errors)" : ""))
	  c[$1, $2] = cell
	  if (!(($1) in n) || $3 < n[$1]) n[$1] = $3
	  b[$1] = $7 }
	END { for (e = 1; e <= ne; e++) { k = order[e]; printf "| %s |", k
		for (i = 1; i <= nr; i++) printf " %s |", ((k, r[i]) in c ? c[k, r[i]] : "")
		printf " %s | %d | %d |\n", ((k, "-") in c ? c[k, "-"] : ""), n[k], b[k] } }' "$table"
	echo
	echo "$met of $((met + missed)) endpoint/range rows met the target, $missed missed it."
} > "$md"
echo
echo "---- markdown for docs/performance.md ----"
cat "$md"
[ -n "${BENCH_OUT:-}" ] && cp "$md" "$BENCH_OUT"
exit 0
