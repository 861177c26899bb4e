// SPDX-License-Identifier: BSD-2-Clause
/* A file's identity (fileid.h). */
#define _GNU_SOURCE
#include "fileid.h"

#include <errno.h>
#include <stdio.h>
#include <sys/sysmacros.h>

int file_id__stat(const char *path, struct file_id *id)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*id = file_id__of_stat(&st);
	return 0;
}

bool file_id__is(const struct file_id *id, const char *path)
{
	struct file_id now;

	return !file_id__stat(path, &now) && now.dev == id->dev && now.ino == id->ino;
}

int file_id__mapped_at(const struct file_id *id, pid_t pid, uint64_t off, uint64_t *addr)
{
	unsigned long long start, end, foff, ino;
	unsigned int maj, mnr;
	char path[64], line[512];
	int err = -EAGAIN;
	FILE *f;

	/* proc_pid_maps(5): start-end perms offset major:minor inode path */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	while (err && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu", &start, &end, &foff, &maj, &mnr,
			   &ino) != 6)
			continue;
		if (makedev(maj, mnr) == id->dev && ino == (unsigned long long)id->ino &&
		    off >= foff && off < foff + (end - start)) {
			*addr = start + (off - foff);
			err = 0;
		}
	}
	fclose(f);
	return err;
}
