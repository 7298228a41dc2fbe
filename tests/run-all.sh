#!/usr/bin/env bash
# The whole suite, as `./quickstart.sh test` runs it: `make check` (C unit
# tests, end-to-end tests against nginx + the worker pool + SQLite, systemd
# checks), the unit tests again under ASan+UBSan, and a bounded fuzz run.
# Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
passed=0
failed=0

count() {   # adds the PASS/FAIL totals of an automake test-suite.log
	local log=$1 p f
	p=$(sed -n 's/^# PASS: *\([0-9]*\).*/\1/p' "$log" | head -1)
	f=$(sed -n 's/^# FAIL: *\([0-9]*\).*/\1/p' "$log" | head -1)
	x=$(sed -n 's/^# ERROR: *\([0-9]*\).*/\1/p' "$log" | head -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${x:-0}))
}

stage() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

stage "make check"
make -j2 check
rc=$?
if [ -f test-suite.log ]; then count test-suite.log; else failed=$((failed + 1)); fi
[ $rc -eq 0 ] || { cat test-suite.log 2>/dev/null | tail -80; }

stage "unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
# A clean copy of the distributed sources (make distdir), built apart with
# sanitizers: the source tree itself may be configured in place.
san=$(mktemp -d /tmp/tally-sanitize.XXXXXX)
if make -s distdir distdir="$san/src" >/dev/null && mkdir -p "$san/build" && \
	( cd "$san/build" && "$san/src/configure" -q --enable-sanitizers CC=gcc && \
	  make -j2 >/dev/null && ASAN_OPTIONS=detect_leaks=1 make check-unit ); then :; fi
if [ -f "$san/build/test-suite.log" ]; then count "$san/build/test-suite.log"; else failed=$((failed + 1)); fi
rm -rf "$san"

stage "fuzzing the parsers (bounded)"
if tests/fuzz/run.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
