#!/usr/bin/env bash
# The built binary needs no shared library beyond glibc's libc and libm and
# the loader (ldd lists the vdso too), by ldd and by its NEEDED entries; its
# --version says it was linked statically.
#
#   ldd.sh TRACER
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

[ $# -eq 1 ] || { echo "usage: $0 TRACER" >&2; exit 2; }
tracer=$1
need_tracer "$tracer"
command -v ldd >/dev/null || fail "no ldd (libc-bin)"
command -v readelf >/dev/null || fail "no readelf (binutils)"

out=$(ldd "$tracer" 2>&1) || { echo "$out"; fail "ldd failed"; }
echo "$out"
allowed='^[[:space:]]*(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|/lib6?4?/ld-linux[-a-z0-9_.]*\.so\.[0-9]+)[[:space:]]'
extra=$(grep -Ev "$allowed" <<<"$out")
[ -z "$extra" ] || fail "ldd lists libraries beyond libc, libm and the loader (configure with XG_STATIC=ON): $extra"
grep -q 'libc\.so\.6' <<<"$out" || fail "ldd does not list libc.so.6: not the dynamic glibc binary expected"

needed=$(readelf -d "$tracer" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo $needed)"
for lib in $needed; do
	case $lib in
	libc.so.6 | libm.so.6 | ld-linux*.so.*) ;;
	*) fail "NEEDED $lib: only libc, libm and the loader may be" ;;
	esac
done

ver=$("$tracer" --version) || fail "--version failed"
echo "$ver"
grep -q '^build: static (libbpf [0-9]' <<<"$ver" || fail "--version does not say 'build: static (libbpf ...'"
grep -Eq '; commit ([0-9a-f]{12}(-dirty)?|unknown);' <<<"$ver" || fail "--version names no commit"
echo "ship.ldd: only glibc is shared"
