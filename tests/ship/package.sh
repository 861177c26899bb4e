#!/usr/bin/env bash
# The .deb (fixture of ship.deb and ship.lintian): cpack makes DEB, named as
# Debian names packages, whose only dependency is libc6 with a version bound
# (dpkg-shlibdeps), holding the binary, the man page, the changelog (its
# first entry is this version) and the copyright file.
#
#   package.sh CPACK_CONFIG DEB   (DEB: the path the package must have)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 CPACK_CONFIG DEB" >&2; exit 2; }
config=$1 deb=$2 dir=${2%/*}
for t in cpack dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null || fail "no $t (cmake, dpkg-dev: bootstrap.sh installs them)"
done
rm -rf "$dir" && mkdir -p "$dir" || fail "cannot create $dir"
cpack --config "$config" -B "$dir" >"$dir/cpack.log" 2>&1 || { show "$dir/cpack.log"; fail "cpack failed"; }
[ -f "$deb" ] || { ls "$dir"; fail "no ${deb##*/} made"; }

dpkg-deb -I "$deb" | tee "$dir/info" || fail "dpkg-deb -I failed"
field() { dpkg-deb -f "$deb" "$1"; }
name=${deb##*/}
[ "$(field Package)_$(field Version)_$(field Architecture).deb" = "$name" ] ||
	fail "the control fields do not give the name $name"
depends=$(field Depends)
[[ $depends =~ ^libc6\ \(\>=\ [0-9]+\.[0-9]+\)$ ]] ||
	fail "Depends: '$depends', want libc6 (>= VERSION) alone"
[ -n "$(field Maintainer)" ] && [ -n "$(field Description)" ] || fail "no Maintainer or Description"

dpkg-deb -c "$deb" | awk '{print $6}' | grep -v '/$' | sort >"$dir/files"
want="./usr/bin/xgotop-tui
./usr/share/doc/xgotop-tui/changelog.Debian.gz
./usr/share/doc/xgotop-tui/copyright
./usr/share/lintian/overrides/xgotop-tui
./usr/share/man/man1/xgotop-tui.1.gz"
[ "$(cat "$dir/files")" = "$want" ] || { cat "$dir/files"; fail "the package's files differ from: $want"; }

rm -rf "$dir/x" && dpkg-deb -x "$deb" "$dir/x" || fail "dpkg-deb -x failed"
top=$(zcat "$dir/x/usr/share/doc/xgotop-tui/changelog.Debian.gz" | head -1)
[[ $top == "xgotop-tui ($(field Version)) "* ]] ||
	fail "the changelog's first entry is '$top', not version $(field Version) (dist/changelog)"
echo "ship.package: $name, $(stat -c %s "$deb") bytes, Depends: $depends"
