/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A file's identity, device and inode: what tells "the binary we analysed"
 * from another file of the same name (a deploy renamed over it, an exec),
 * in stat(2) and in /proc/PID/maps alike.
 */
#ifndef XG_FILEID_H
#define XG_FILEID_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

struct file_id {
	dev_t dev;
	ino_t ino;
};

static inline struct file_id file_id__of_stat(const struct stat *st)
{
	return (struct file_id){.dev = st->st_dev, .ino = st->st_ino};
}

/* The identity of the file PATH names now: 0 or -errno. */
int file_id__stat(const char *path, struct file_id *id);
/* PATH names the file ID now. */
bool file_id__is(const struct file_id *id, const char *path);
/*
 * Where process PID maps offset OFF of the file ID (/proc/PID/maps): *ADDR.
 * 0; -EAGAIN when it maps no such offset of that file (a launched child
 * before its exec); -ESRCH when PID is gone; else -errno.
 */
int file_id__mapped_at(const struct file_id *id, pid_t pid, uint64_t off, uint64_t *addr);

#endif
