#!/bin/sh
# End-to-end tests: each tests/e2e/*.test.js file starts a real stack
# (nginx + the tally-worker pool under spawn-fcgi + SQLite) in a temporary
# directory on free loopback ports and talks HTTP to it.
#
# Prints TAP on stdout (one top-level line per test case) for automake's
# tap-driver; everything else goes to stderr. `make check` sets TALLY_BIN
# (build dir, holds tally-worker and tallyctl) and TALLY_SRC (source dir,
# holds scripts/stack.sh and nginx/); both default to the repository root.
#
#   tests/e2e/run.sh [FILE.test.js ...]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TALLY_SRC=${TALLY_SRC:-$(cd "$here/../.." && pwd)}
TALLY_BIN=${TALLY_BIN:-$TALLY_SRC}
export TALLY_SRC TALLY_BIN

bail() { echo "Bail out! $*"; exit 1; }

command -v node >/dev/null 2>&1 || bail "node (>= 20) is not installed"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || bail "node >= 20 is needed, found $(node --version)"
[ -x "$TALLY_BIN/tally-worker" ] || bail "no $TALLY_BIN/tally-worker: build first (make)"
[ -f "$TALLY_SRC/scripts/stack.sh" ] || bail "no $TALLY_SRC/scripts/stack.sh"

tmp=""
cleanup() { [ -z "$tmp" ] || rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

# The suite runs where its dependencies can be installed: in place, or (when
# the source tree is read-only, as under make distcheck) in a temporary copy.
dir=$here
needs_install() {
	[ ! -d "$1/node_modules" ] || [ ! -f "$1/node_modules/.package-lock.json" ] ||
		[ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]
}
if needs_install "$dir"; then
	# read-only: not writable, or (for root, who may write anyway) no write bit
	if [ ! -w "$dir" ] || [ -n "$(find "$dir" -maxdepth 0 ! -perm -u+w)" ] ||
		{ [ -d "$dir/node_modules" ] && [ ! -w "$dir/node_modules" ]; }; then
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/tally-e2e-src.XXXXXX")
		for f in "$here"/* "$here"/.gitignore; do
			[ -e "$f" ] || continue
			[ "$(basename "$f")" = node_modules ] && continue
			cp -R "$f" "$tmp/"
		done
		chmod -R u+w "$tmp"
		dir=$tmp
	fi
	echo "e2e: npm ci in $dir" >&2
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
		bail "npm ci failed in $dir (is the npm registry reachable?)"
fi

cd "$dir"
if [ $# -gt 0 ]; then
	files=$*
else
	files=$(ls ./*.test.js)
fi

# TAP is the verdict: a failing case is a "not ok" line. A non-zero exit
# without a plan means the runner itself broke.
out=${tmp:-$(mktemp -d "${TMPDIR:-/tmp}/tally-e2e-out.XXXXXX")}
[ -n "$tmp" ] || tmp=$out
# shellcheck disable=SC2086
{ node --test --test-reporter=tap --test-concurrency=1 $files; echo $? > "$out/rc"; } | tee "$out/tap.txt"
if grep -q '^1\.\.[0-9]' "$out/tap.txt"; then
	exit 0
fi
echo "Bail out! the node test runner exited with status $(cat "$out/rc" 2>/dev/null) and printed no plan"
exit 1
