/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every file xgotop-tui writes (--record, --jsonl, --metrics, --export -o,
 * the flight recorder's saves) is opened here, by one set of rules: we run
 * as root, in directories others may write to, on paths others may plant.
 */
#ifndef XGOTOP_OUTFILE_H
#define XGOTOP_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Open PATH to write, never following a symbolic link in its last part.
 * A new file is created 0644 and, under sudo, given to SUDO_UID:SUDO_GID.
 * An existing one is refused (-EEXIST) unless FORCE, which truncates it
 * and leaves its owner alone; except, without FORCE, a character device
 * (/dev/null) and an empty regular file of ours (a recording killed before
 * its first frame) are taken as they are: writing them loses nothing.
 * A directory is -EISDIR, a symbolic link -ELOOP even with FORCE. Returns
 * the fd or a negative errno; never blocks on a FIFO without FORCE.
 */
int outfile__create(const char *path, bool force);

/* What -ERR from outfile__create means, for "xgotop-tui: cannot write F: WHY". */
const char *outfile__why(int err);

/*
 * Would outfile__create(PATH, FORCE) refuse? 0 or its -errno, touching
 * nothing: lets a session fail before it starts rather than at its end.
 */
int outfile__check(const char *path, bool force);

/*
 * Write all N bytes of BUF to FD, through EINTR, short writes and EAGAIN (a
 * shared stdout may have been left non-blocking). 0 or a negative errno.
 */
int outfile__write_all(int fd, const void *buf, size_t n);

#endif /* XGOTOP_OUTFILE_H */
