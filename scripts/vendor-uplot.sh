#!/usr/bin/env bash
# Vendor uPlot (the dashboard's chart library) into nginx/static/dash/vendor/uplot/.
# The files are committed, so running tally needs no Node.js; this script is
# only for moving to another version: change VERSION and INTEGRITY (from
# `npm view uplot@<version> dist.integrity`), run it, commit the result.
set -euo pipefail
VERSION=1.6.32
INTEGRITY='sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=='

top=$(cd "$(dirname "$0")/.." && pwd)
dest="$top/nginx/static/dash/vendor/uplot"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
tarball=$(npm pack --silent "uplot@$VERSION")
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
	echo "vendor-uplot: $tarball integrity mismatch" >&2
	echo "  expected $INTEGRITY" >&2
	echo "  got      $got" >&2
	exit 1
fi
tar -xzf "$tarball"
mkdir -p "$dest"
cp package/dist/uPlot.iife.min.js package/dist/uPlot.min.css package/LICENSE "$dest/"
echo "$VERSION" > "$dest/VERSION"
echo "vendored uPlot $VERSION into ${dest#"$top"/}"
