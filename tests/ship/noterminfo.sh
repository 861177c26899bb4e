#!/bin/sh
# noterminfo.sh CMD [ARG...]: CMD on a host that has no terminfo database, as
# a server without ncurses-base: an empty tmpfs over each directory ncurses
# searches (Debian's libtinfo: /etc/terminfo:/lib/terminfo:/usr/share/terminfo).
# Run it in a mount namespace of its own (unshare -m), as root.
for d in /etc/terminfo /lib/terminfo /usr/share/terminfo /usr/lib/terminfo; do
	[ -d "$d" ] || continue
	mount -t tmpfs -o size=64k,mode=755 none "$d" || { echo "FAIL: cannot hide $d" >&2; exit 1; }
	[ -z "$(ls -A "$d")" ] || { echo "FAIL: $d is not empty after the mount" >&2; exit 1; }
done
exec "$@"
