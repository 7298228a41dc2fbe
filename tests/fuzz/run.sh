#!/usr/bin/env bash
# Bounded fuzzing of the request parsers with libFuzzer + ASan + UBSan.
#
#   tests/fuzz/run.sh              # every target, 20 s each
#   FUZZ_SECONDS=300 tests/fuzz/run.sh ingest
#
# Builds the targets straight from the parser sources (no database, no
# FastCGI) into a scratch directory (FUZZ_DIR, kept; by default a temp dir,
# removed when clean; never the source tree), fuzzes each on a copy of its
# seed corpus and exits 1 when a target crashes, printing how to reproduce.
# Sources come from TALLY_SRC, else the repository holding this script. Needs clang with the libFuzzer
# runtime (Debian: clang, libclang-rt-14-dev) and the -dev packages of
# json-c, OpenSSL, zlib and libfcgi (headers only); the jwt target also libjwt.
set -uo pipefail

src=${TALLY_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
seconds=${FUZZ_SECONDS:-20}
cc=${FUZZ_CC:-clang}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(ingest query otlp hll tz jwt)

fail() { echo "fuzz: $*" >&2; exit 1; }

command -v "$cc" >/dev/null 2>&1 ||
	fail "$cc not found; install clang and libclang-rt-14-dev to fuzz"
command -v pkg-config >/dev/null 2>&1 || fail "pkg-config not found"
deps=$(pkg-config --cflags --libs json-c libcrypto zlib 2>/dev/null) ||
	fail "json-c, libcrypto or zlib development files not found (pkg-config)"

keep=${FUZZ_DIR:+1}
out=${FUZZ_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/tally-fuzz.XXXXXX")}
mkdir -p "$out" || fail "cannot create $out"
case "$out/" in "$src"/*) fail "FUZZ_DIR must be outside the source tree ($src)" ;; esac

# The runtime is a separate package on Debian: check it links before blaming the code.
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	> "$out/probe.c"
"$cc" -fsanitize=fuzzer "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1 ||
	fail "$cc cannot link -fsanitize=fuzzer (missing libclang-rt-14-dev?): $(head -3 "$out/probe.log")"

# shellcheck disable=SC2054 # the commas belong to -fsanitize=
flags=(-g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I"$src/include")
parsers=(app/ingest/json_strict.c app/ingest/fields.c app/ingest/batch.c
	app/ingest/timestamp.c app/core/util.c app/llm/llm_fields.c)

declare -A sources=(
	[ingest]="tests/fuzz/fuzz_ingest.c ${parsers[*]}"
	[query]="tests/fuzz/fuzz_query.c app/http/query.c app/http/router.c app/core/util.c"
	[otlp]="tests/fuzz/fuzz_otlp.c app/llm/otlp_pb.c app/llm/otlp_map.c ${parsers[*]}"
	[hll]="tests/fuzz/fuzz_hll.c app/core/hll.c app/core/util.c"
	[tz]="tests/fuzz/fuzz_tz.c app/core/tz.c app/core/util.c"
	[jwt]="tests/fuzz/fuzz_jwt.c app/auth/jwt_verify.c app/ingest/json_strict.c app/core/util.c"
)
# pkg-config names a target needs beyond the common ones, looked up only when it is built
declare -A packages=(
	[jwt]="libjwt"
)

failed=0
for t in "${targets[@]}"; do
	[ -n "${sources[$t]:-}" ] || fail "unknown target '$t' (ingest, query, otlp, hll, tz, jwt)"
	extra=
	if [ -n "${packages[$t]:-}" ]; then
		# shellcheck disable=SC2086 # a list of names
		extra=$(pkg-config --cflags --libs ${packages[$t]} 2>/dev/null) ||
			fail "fuzz_$t needs the development files of ${packages[$t]} (pkg-config)"
	fi
	srcs=()
	for f in ${sources[$t]}; do srcs+=("$src/$f"); done
	echo "==> building fuzz_$t"
	# shellcheck disable=SC2086
	if ! "$cc" "${flags[@]}" "${srcs[@]}" $extra $deps -lm -o "$out/fuzz_$t" 2>"$out/build-$t.log"; then
		cat "$out/build-$t.log" >&2
		fail "fuzz_$t does not build"
	fi

	corpus=$out/corpus-$t
	crashes=$out/crashes-$t
	rm -rf "$corpus" "$crashes"
	mkdir -p "$corpus" "$crashes"
	cp "$src/tests/fuzz/corpus/$t/"* "$corpus/" 2>/dev/null || true
	dict=()
	[ -f "$src/tests/fuzz/$t.dict" ] && dict=(-dict="$src/tests/fuzz/$t.dict")

	echo "==> fuzzing fuzz_$t for ${seconds}s (corpus: $(find "$corpus" -type f | wc -l) seeds)"
	"$out/fuzz_$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
		"${dict[@]}" "$corpus" >"$out/fuzz-$t.log" 2>&1
	rc=$?
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$out/fuzz-$t.log" | sed 's/^/    /'
	if [ $rc -ne 0 ] || [ -n "$(ls -A "$crashes")" ]; then
		failed=1
		echo "!! fuzz_$t found a problem (exit $rc); log: $out/fuzz-$t.log"
		grep -E 'ERROR: |runtime error|SUMMARY' "$out/fuzz-$t.log" | head -5 | sed 's/^/    /'
		for c in "$crashes"/*; do
			[ -e "$c" ] || continue
			echo "    reproducer: $c"
			echo "    replay:     $out/fuzz_$t $c"
		done
	else
		echo "    no crash"
	fi
done
[ $failed -eq 0 ] || exit 1
if [ -n "$keep" ]; then
	echo "fuzz: all targets clean (binaries, corpus and logs in $out)"
else
	rm -rf "$out"
	echo "fuzz: all targets clean"
fi
