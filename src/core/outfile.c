// SPDX-License-Identifier: BSD-2-Clause
/* Opening output files: the rules are in outfile.h; here, why each step is as it is. */
#define _GNU_SOURCE
#include "outfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A decimal id below (id_t)-1, which fchown takes as "leave it". */
static bool parse_id(const char *s, uint32_t *out)
{
	unsigned long long v = 0;
	const char *p;

	if (!s || !*s || strlen(s) > 10)
		return false;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (unsigned int)(*p - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The user who ran sudo, when we are root under sudo and both ids are sane. */
static bool sudo_user(uid_t *uid, gid_t *gid)
{
	uint32_t u, g;

	if (geteuid() != 0 || !parse_id(getenv("SUDO_UID"), &u) ||
	    !parse_id(getenv("SUDO_GID"), &g))
		return false;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return true;
}

/* Ours to reuse: regular, empty, one link, owned by us or by the user who ran sudo. */
static bool empty_and_ours(const struct stat *st)
{
	uid_t uid;
	gid_t gid;

	if (!S_ISREG(st->st_mode) || st->st_size != 0 || st->st_nlink != 1)
		return false;
	return st->st_uid == geteuid() || (sudo_user(&uid, &gid) && st->st_uid == uid);
}

static int blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* PATH exists: see what it is without following it, truncating it or waiting on a FIFO. */
static int open_existing(const char *path, bool force)
{
	struct stat st;
	int fd, e;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP || e == EISDIR)
			return -e;
		/* A FIFO no one reads (ENXIO), or one we may not write: it exists all the same. */
		if (!force)
			return -EEXIST;
		if (e != ENXIO)
			return -e;
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	if (S_ISCHR(st.st_mode) || empty_and_ours(&st))
		return blocking(fd);
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return force ? -EINVAL : -EEXIST;
	}
	if (!force) {
		close(fd);
		return -EEXIST;
	}
	if (S_ISREG(st.st_mode) && ftruncate(fd, 0) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return blocking(fd);
}

int outfile__create(const char *path, bool force)
{
	uid_t uid;
	gid_t gid;
	int fd;

	/*
	 * O_EXCL creates or fails, and fails on any symbolic link, dangling or
	 * not: a planted link can neither redirect nor create a root-owned file.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? open_existing(path, force) : -errno;
	/* Best effort: the file is complete either way; the user may chown it. */
	if (sudo_user(&uid, &gid) && fchown(fd, uid, gid))
		errno = 0;
	return fd;
}

const char *outfile__why(int err)
{
	switch (err) {
	case -EEXIST:
		return "it exists (add --force to overwrite it)";
	case -ELOOP:
		return "it is a symbolic link (refused even with --force)";
	case -EISDIR:
		return "it is a directory";
	case -EINVAL:
		return "it is not a regular file";
	default:
		return strerror(-err);
	}
}

int outfile__check(const char *path, bool force)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISCHR(st.st_mode) || empty_and_ours(&st))
		return 0;
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		return force ? -EINVAL : -EEXIST;
	return force ? 0 : -EEXIST;
}

int outfile__write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd pfd = {.fd = fd, .events = POLLOUT};

				if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
					return -errno;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}
