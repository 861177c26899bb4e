// SPDX-License-Identifier: BSD-2-Clause
/*
 * The flight recorder: the most recent frames in memory, whole keyframe
 * groups of them, and their save to a file of its own on request.
 */
#define _GNU_SOURCE
#include "rec_writer.h"
#include "outfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct unit *ring_at(struct record_writer *w, size_t i)
{
	return &w->ring[(w->ring_head + i) % w->ring_cap];
}

static void ring_drop_front(struct record_writer *w)
{
	struct unit *u = ring_at(w, 0);

	w->ring_bytes -= u->len;
	free(u->buf);
	u->buf = NULL;
	w->ring_head = (w->ring_head + 1) % w->ring_cap;
	w->ring_n--;
}

/*
 * Keep whole keyframe groups, so that what is kept always starts with a
 * keyframe: drop the oldest group when the rest still covers the window,
 * or when over the memory bound.
 */
static void ring_trim(struct record_writer *w)
{
	while (w->ring_n > 1) {
		uint64_t newest = ring_at(w, w->ring_n - 1)->fi.last_ts;
		size_t next = 1;

		while (next < w->ring_n && !(ring_at(w, next)->fi.flags & REC_FF_KEYFRAME))
			next++;
		if (next == w->ring_n)
			return;
		if (w->ring_bytes <= w->o.history_bytes &&
		    newest < ring_at(w, next)->fi.kf_ts + w->o.history_ns)
			return;
		while (next--)
			ring_drop_front(w);
	}
}

int record__ring_push(struct record_writer *w, const uint8_t *p, size_t n,
		      const struct rec_frame_info *fi)
{
	struct unit *u;

	if (!w->o.history_ns)
		return 0;
	/* A ring must start with a keyframe; frames before the first one are of no use. */
	if (!w->ring_n && !(fi->flags & REC_FF_KEYFRAME))
		return 0;
	if (w->ring_n == w->ring_cap) {
		size_t cap = w->ring_cap ? w->ring_cap * 2 : 64, i;
		struct unit *v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (i = 0; i < w->ring_n; i++)
			v[i] = *ring_at(w, i);
		free(w->ring);
		w->ring = v;
		w->ring_cap = cap;
		w->ring_head = 0;
	}
	u = &w->ring[(w->ring_head + w->ring_n) % w->ring_cap];
	u->buf = malloc(n);
	if (!u->buf)
		return -ENOMEM;
	memcpy(u->buf, p, n);
	u->len = n;
	u->fi = *fi;
	w->ring_n++;
	w->ring_bytes += n;
	ring_trim(w);
	return 0;
}

void record__ring_stats(const struct record_writer *w, struct record_stats *out)
{
	out->ring_bytes = w->ring_bytes;
	out->ring_frames = w->ring_n;
	out->ring_span_ns = 0;
	if (w->ring_n) {
		const struct unit *a = &w->ring[w->ring_head];
		const struct unit *b = &w->ring[(w->ring_head + w->ring_n - 1) % w->ring_cap];

		if (b->fi.last_ts > a->fi.kf_ts)
			out->ring_span_ns = b->fi.last_ts - a->fi.kf_ts;
	}
}

void record__ring_free(struct record_writer *w)
{
	size_t i;

	for (i = 0; i < w->ring_n; i++)
		free(ring_at(w, i)->buf);
	free(w->ring);
}

/* ---- saving the ring --------------------------------------------------------------- */

/* A data frame of the flight recorder's save: the whole dictionary. */
static int dict_unit(struct record_writer *w, uint64_t base_ts, struct buf *raw,
		     struct rec_frame_info *fi)
{
	uint32_t i;

	raw->len = 0;
	w->scratch.len = 0;
	put_varint(&w->scratch, 0);
	put_varint(&w->scratch, base_ts);
	put_ctl(raw, REC_CTL_FRAME, &w->scratch);
	for (i = 0; i < w->dict.n_str; i++)
		rec_put_string_def(raw, &w->scratch, i + 1, w->dict.str[i]);
	for (i = 0; i < w->dict.n_site; i++)
		rec_put_site_def(raw, &w->scratch, i + 1, &w->dict.site[i]);
	memset(fi, 0, sizeof(*fi));
	fi->flags = REC_FF_DICT;
	fi->str_first = w->dict.n_str ? 1 : 0;
	fi->str_n = w->dict.n_str;
	fi->site_first = w->dict.n_site ? 1 : 0;
	fi->site_n = w->dict.n_site;
	return record__make_unit(w, raw, fi);
}

static int save_append(int fd, uint64_t *off, struct rec_idx_entry **idx, size_t *n,
		       const uint8_t *p, size_t len, const struct rec_frame_info *fi)
{
	int err = outfile__write_all(fd, p, len);

	if (err)
		return err;
	if (fi) {
		struct rec_idx_entry *e = &(*idx)[*n];

		*e = (struct rec_idx_entry){.off = *off, .fi = *fi};
		e->events_before =
			*n ? (*idx)[*n - 1].events_before + (*idx)[*n - 1].fi.n_events : 0;
		(*n)++;
	}
	*off += len;
	return 0;
}

/*
 * The target's name, as part of a file name: the exe path is the target's
 * to choose, and a name with ESC or a newline in it would reach the
 * operator's terminal and scripts the day they list the directory.
 */
static void name_part(const char *base, char *out, size_t len)
{
	size_t i;

	for (i = 0; base[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)base[i];

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					 (c >= '0' && c <= '9') || c == '.' || c == '_' ||
					 c == '-' || c == '+'
				 ? (char)c
				 : '_';
	}
	out[i] = '\0';
}

static int create_recent(struct record_writer *w, char *path, size_t path_len)
{
	const char *base = w->hdr.path ? strrchr(w->hdr.path, '/') : NULL;
	/* name fits the longest name the formats below can produce */
	char stamp[32], name[128], safe[41];
	struct tm tm;
	time_t now = time(NULL);
	int i, fd = -EEXIST;

	base = base ? base + 1 : w->hdr.path ? w->hdr.path : "session";
	name_part(base, safe, sizeof(safe));
	base = safe;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (i = 0; i < 100 && fd == -EEXIST; i++) {
		if (i)
			snprintf(name, sizeof(name), "xgotop-%.40s-%u-%s-%d.zst", base, w->hdr.pid,
				 stamp, i + 1);
		else
			snprintf(name, sizeof(name), "xgotop-%.40s-%u-%s.zst", base, w->hdr.pid,
				 stamp);
		if ((size_t)snprintf(path, path_len, "%s%s%s", w->dir,
				     w->dir[strlen(w->dir) - 1] == '/' ? "" : "/",
				     name) >= path_len)
			return -ENAMETOOLONG;
		fd = outfile__create(path, false);
	}
	return fd;
}

int record__save_recent(struct record_writer *w, char *path, size_t path_len)
{
	struct buf raw = {0}, hdr = {0}, idx_buf = {0};
	struct rec_frame_info fi;
	struct rec_idx_entry *idx = NULL;
	uint64_t off = 0, events = 0;
	size_t n = 0, i, bound;
	int fd = -1, err;

	if (!w || !w->o.history_ns || !w->begun)
		return -ENOTSUP;
	err = record__flush(w);
	if (err && err != w->file_err)
		return err;
	if (!w->ring_n)
		return -ENODATA;
	idx = calloc(w->ring_n + 2, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	fd = create_recent(w, path, path_len);
	if (fd < 0) {
		err = fd;
		goto cleanup;
	}

	/* The header, marked as a flight-recorder save. */
	w->hdr.flags |= REC_HF_RECENT;
	rec_header__put(&raw, &hdr, &w->hdr);
	w->hdr.flags &= ~(uint64_t)REC_HF_RECENT;
	bound = ZSTD_compressBound(raw.len);
	w->out.len = 0;
	err = -ENOMEM;
	if (raw.oom || hdr.oom || !buf_reserve(&w->out, bound))
		goto cleanup;
	w->out.len = ZSTD_compress2(w->cctx, w->out.p, bound, raw.p, raw.len);
	err = -EIO;
	if (ZSTD_isError(w->out.len))
		goto cleanup;
	err = save_append(fd, &off, &idx, &n, w->out.p, w->out.len, NULL);
	if (err)
		goto cleanup;

	/* Every string and site so far: the ring lost the frames that defined some. */
	err = dict_unit(w, ring_at(w, 0)->fi.kf_ts, &raw, &fi);
	if (!err)
		err = save_append(fd, &off, &idx, &n, w->out.p, w->out.len, &fi);
	for (i = 0; !err && i < w->ring_n; i++) {
		const struct unit *u = ring_at(w, i);

		err = save_append(fd, &off, &idx, &n, u->buf, u->len, &u->fi);
		events += u->fi.n_events;
	}
	if (err)
		goto cleanup;

	/* A closing frame, so that the save reads as cleanly ended. */
	raw.len = 0;
	w->scratch.len = 0;
	put_varint(&w->scratch, w->seq);
	put_varint(&w->scratch, w->max_ts);
	put_ctl(&raw, REC_CTL_FRAME, &w->scratch);
	w->scratch.len = 0;
	put_varint(&w->scratch, events);
	put_ctl(&raw, REC_CTL_END, &w->scratch);
	memset(&fi, 0, sizeof(fi));
	fi.flags = REC_FF_END;
	fi.seq = w->seq;
	err = record__make_unit(w, &raw, &fi);
	if (!err)
		err = save_append(fd, &off, &idx, &n, w->out.p, w->out.len, &fi);
	if (err)
		goto cleanup;
	rec_index__put(&idx_buf, idx, n, off);
	err = idx_buf.oom ? -ENOMEM : outfile__write_all(fd, idx_buf.p, idx_buf.len);
	if (!err && fdatasync(fd) && errno != EINVAL)
		err = -errno;
cleanup:
	if (fd >= 0) {
		if (close(fd) && !err)
			err = -errno;
		if (err)
			unlink(path);
	}
	buf_free(&raw);
	buf_free(&hdr);
	buf_free(&idx_buf);
	free(idx);
	return err;
}
