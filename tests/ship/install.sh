#!/usr/bin/env bash
# cmake --install into an empty prefix: bin/xgotop-tui (the built one, runs),
# share/man/man1/xgotop-tui.1.gz (docs/xgotop-tui.1), and under
# share/doc/xgotop-tui/ the changelog and the copyright file.
#
#   install.sh BUILD_DIR WORKDIR
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR WORKDIR" >&2; exit 2; }
build=$1 w=$2
rm -rf "$w" && mkdir -p "$w" || fail "cannot create $w"
cmake --install "$build" --prefix "$w/prefix" >"$w/install.log" 2>&1 ||
	{ show "$w/install.log"; fail "cmake --install failed"; }
cat "$w/install.log"
(cd "$w/prefix" && find . -type f | sort) >"$w/files"
want="./bin/xgotop-tui
./share/doc/xgotop-tui/changelog.Debian.gz
./share/doc/xgotop-tui/copyright
./share/lintian/overrides/xgotop-tui
./share/man/man1/xgotop-tui.1.gz"
[ "$(cat "$w/files")" = "$want" ] || { cat "$w/files"; fail "installed files differ from: $want"; }
cmp "$w/prefix/bin/xgotop-tui" "$build/xgotop-tui" || fail "the installed binary is not the built one"
"$w/prefix/bin/xgotop-tui" --version | head -1 | grep -q '^xgotop-tui [0-9]' || fail "the installed binary does not run"
gzip -t "$w/prefix/share/man/man1/xgotop-tui.1.gz" || fail "the man page is not gzip"
gzip -t "$w/prefix/share/doc/xgotop-tui/changelog.Debian.gz" || fail "the changelog is not gzip"
zcat "$w/prefix/share/man/man1/xgotop-tui.1.gz" | cmp - "$e2e_root/docs/xgotop-tui.1" ||
	fail "the installed man page is not docs/xgotop-tui.1"
echo "ship.install: $(wc -l <"$w/files") files under the prefix"
