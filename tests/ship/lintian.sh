#!/usr/bin/env bash
# lintian on the .deb: no error and no warning (dist/lintian-overrides says
# why the static libraries are there); pedantic and info tags are printed.
# Run as nobody when we are root (lintian advises against root). Not with
# --show-overrides: lintian 2.116 then counts overridden tags in --fail-on.
#
#   lintian.sh DEB
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 DEB" >&2; exit 2; }
deb=$1
[ -f "$deb" ] || fail "no $deb: the fixture ship.package makes it"
command -v lintian >/dev/null || fail "no lintian: apt-get install lintian (bootstrap.sh does)"
w=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$w"' EXIT
cp "$deb" "$w/" && chmod 755 "$w" && chmod 644 "$w/${deb##*/}" || fail "cannot copy $deb"
as=()
if [ "$(id -u)" -eq 0 ]; then
	command -v runuser >/dev/null || fail "no runuser (util-linux)"
	as=(runuser -u nobody -- env HOME="$w")
fi
(cd "$w" && "${as[@]}" lintian --fail-on error,warning --pedantic -I \
	"$w/${deb##*/}") >"$w/out" 2>&1
st=$?
cat "$w/out"
[ $st -eq 0 ] || fail "lintian: exit $st (errors or warnings above)"
grep -q '^[EW]: ' "$w/out" && fail "lintian reports errors or warnings (above)"
echo "ship.lintian: no error, no warning"
