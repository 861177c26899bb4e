// SPDX-License-Identifier: BSD-2-Clause
/*
 * The recording writer: it cuts frames, compresses them and hands them to
 * its sinks, a file (--record) and the flight recorder's ring (flight.c).
 * docs/FORMAT.md is the specification; comments say why.
 */
#define _GNU_SOURCE
#include "rec_writer.h"
#include "outfile.h"
#include "stackset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct record_writer *record__open(const struct record_opts *opts)
{
	struct record_writer *w = calloc(1, sizeof(*w));
	int err = -ENOMEM;

	if (!w)
		return NULL;
	w->o = *opts;
	w->fd = -1;
	if (!w->o.level)
		w->o.level = REC_DEFAULT_LEVEL;
	if (!w->o.frame_ns)
		w->o.frame_ns = DEFAULT_FRAME_NS;
	if (!w->o.frame_bytes)
		w->o.frame_bytes = DEFAULT_FRAME_BYTES;
	if (!w->o.keyframe_ns)
		w->o.keyframe_ns = DEFAULT_KEYFRAME_NS;
	if (!w->o.keep_exited_ns)
		w->o.keep_exited_ns = GT_DEFAULT_KEEP_NS;
	if (!w->o.max_spans)
		w->o.max_spans = GT_DEFAULT_MAX_SPANS;
	if (w->o.history_ns && !w->o.history_bytes)
		w->o.history_bytes = DEFAULT_HISTORY_BYTES;
	w->o.path = NULL;
	w->o.history_dir = NULL;
	if (opts->path) {
		w->path = strdup(opts->path);
		if (!w->path)
			goto fail;
	}
	if (opts->history_dir)
		w->dir = strdup(opts->history_dir);
	else if (opts->path && strchr(opts->path, '/'))
		w->dir = strndup(opts->path, strrchr(opts->path, '/') - opts->path + 1);
	else
		w->dir = strdup(".");
	w->cctx = ZSTD_createCCtx();
	if (!w->dir || !w->cctx)
		goto fail;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, w->o.level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
		err = -EINVAL;
		goto fail;
	}
	if (w->path) {
		w->fd = outfile__create(w->path, opts->force);
		if (w->fd < 0) {
			err = w->fd;
			goto fail;
		}
	}
	return w;
fail:
	ZSTD_freeCCtx(w->cctx);
	free(w->path);
	free(w->dir);
	free(w);
	errno = -err;
	return NULL;
}

/* Compress RAW into a unit: info skippable frame, then the zstd frame. In w->out. */
int record__make_unit(struct record_writer *w, const struct buf *raw, struct rec_frame_info *fi)
{
	size_t bound = ZSTD_compressBound(raw->len), z;

	w->out.len = 0;
	if (raw->oom || !buf_reserve(&w->out, 8 + REC_INFO_SIZE + bound))
		return -ENOMEM;
	z = ZSTD_compress2(w->cctx, w->out.p + 8 + REC_INFO_SIZE, bound, raw->p, raw->len);
	if (ZSTD_isError(z))
		return -EIO;
	fi->major = REC_MAJOR;
	fi->minor = REC_MINOR;
	fi->zsize = (uint32_t)z;
	fi->raw_size = (uint32_t)raw->len;
	le32(w->out.p, REC_SKIP_INFO);
	le32(w->out.p + 4, REC_INFO_SIZE);
	rec_frame_info__put(fi, w->out.p + 8);
	w->out.len = 8 + REC_INFO_SIZE + z;
	return 0;
}

static int file_append(struct record_writer *w, const uint8_t *p, size_t n,
		       const struct rec_frame_info *fi)
{
	int err;

	if (w->fd < 0 || w->file_err)
		return w->file_err;
	if (fi && w->n_idx == w->cap_idx) {
		size_t cap = w->cap_idx ? w->cap_idx * 2 : 256;
		struct rec_idx_entry *v = realloc(w->idx, cap * sizeof(*v));

		if (!v)
			return w->file_err = -ENOMEM;
		w->idx = v;
		w->cap_idx = cap;
	}
	err = outfile__write_all(w->fd, p, n);
	if (err)
		return w->file_err = err;
	if (fi) {
		w->idx[w->n_idx] = (struct rec_idx_entry){.off = w->file_off, .fi = *fi};
		w->idx[w->n_idx].events_before = w->n_idx ? w->idx[w->n_idx - 1].events_before +
								    w->idx[w->n_idx - 1].fi.n_events
							  : 0;
		w->n_idx++;
	}
	w->file_off += n;
	w->st.file_bytes += n;
	return 0;
}

void record__frame_ts(struct record_writer *w, uint64_t ts)
{
	if (!w->fi_has_ts) {
		w->fi.first_ts = w->fi.last_ts = ts;
		w->fi_has_ts = true;
	} else {
		if (ts < w->fi.first_ts)
			w->fi.first_ts = ts;
		if (ts > w->fi.last_ts)
			w->fi.last_ts = ts;
	}
	if (ts > w->max_ts)
		w->max_ts = ts;
}

/* The string's id, its definition put in the frame when new. */
uint32_t record__frame_str(struct record_writer *w, const char *s, int *err)
{
	bool added;
	uint32_t id = wdict__str(&w->dict, s, &added, err);

	if (added) {
		if (!w->fi.str_n)
			w->fi.str_first = id;
		w->fi.str_n++;
		rec_put_string_def(&w->frame, &w->scratch, id, w->dict.str[id - 1]);
	}
	return id;
}

int record__frame_begin(struct record_writer *w, uint64_t base_ts, bool keyframe)
{
	w->frame.len = 0;
	w->frame.oom = false;
	w->stk_gen++; /* stacks are defined again in each frame that uses them */
	memset(&w->fi, 0, sizeof(w->fi));
	w->fi_has_ts = false;
	w->fi.seq = w->seq;
	w->n_content = 0;
	w->scratch.len = 0;
	put_varint(&w->scratch, w->seq);
	put_varint(&w->scratch, base_ts);
	put_ctl(&w->frame, REC_CTL_FRAME, &w->scratch);
	codec_reset(&w->c, base_ts);
	return keyframe ? record__put_keyframe(w, base_ts) : 0;
}

/* Compress the frame and hand it to the sinks; the next one begins right away unless LAST. */
int record__frame_finish(struct record_writer *w, uint32_t extra_flags, bool last)
{
	uint64_t elapsed;
	bool kf;
	int err, ferr;

	w->fi.flags |= extra_flags;
	err = record__make_unit(w, &w->frame, &w->fi);
	if (err)
		return err;
	w->st.frames++;
	w->st.raw_bytes += w->frame.len;
	w->group_bytes += w->out.len;
	if (w->fi.flags & REC_FF_KEYFRAME)
		w->kf_bytes = w->out.len;
	else if (w->kf_continues)
		w->kf_bytes += w->out.len;
	ferr = file_append(w, w->out.p, w->out.len, &w->fi);
	err = record__ring_push(w, w->out.p, w->out.len, &w->fi);
	w->seq++;
	w->frame.len = 0;
	if (last)
		return ferr ? ferr : err;
	/*
	 * The table now holds exactly the events written: the moment for a
	 * keyframe, when one is due by time, or when the flight recorder's
	 * current group grows past a quarter of its memory.
	 */
	elapsed = w->max_ts - w->last_kf_ts;
	kf = ((elapsed >= w->o.keyframe_ns || w->st.events - w->kf_events >= KF_EVENTS) &&
	      (w->group_bytes >= 3 * w->kf_bytes ||
	       elapsed >= KF_MAX_INTERVALS * w->o.keyframe_ns)) ||
	     (w->o.history_ns && w->group_bytes >= w->o.history_bytes / 4);
	if (!err)
		err = record__frame_begin(w, w->max_ts, kf);
	return ferr ? ferr : err;
}

static int cut_if_due(struct record_writer *w, uint64_t now)
{
	if (!w->n_content)
		return 0;
	if (w->frame.len < w->o.frame_bytes && now < w->first_content_ts + w->o.frame_ns)
		return 0;
	return record__frame_finish(w, 0, false);
}

static void content_added(struct record_writer *w, uint64_t ts)
{
	if (!w->n_content++)
		w->first_content_ts = ts;
	record__frame_ts(w, ts);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int record__begin(struct record_writer *w, const struct record_meta *m)
{
	struct rec_header *h = &w->hdr;
	struct timespec ts;
	struct utsname u;
	char host[256] = "", offsets[512];

	if (w->begun)
		return -EALREADY;
	h->major = REC_MAJOR;
	h->minor = REC_MINOR;
	h->tool = strdup("xgotop-tui " XG_VERSION);
	h->pid = m->pid;
	h->path = dup_or_null(m->path);
	h->go_version = dup_or_null(m->go_version);
	h->arch = dup_or_null(m->arch);
	h->mod_path = dup_or_null(m->mod_path);
	h->probes = dup_or_null(m->probes);
	h->mode = dup_or_null(m->mode);
	if (m->off) {
		rec_offsets__format(m->off, offsets, sizeof(offsets));
		h->offsets = strdup(offsets);
	}
	h->off_source = dup_or_null(m->off_source);
	h->wait_source = dup_or_null(m->wait_source);
	if (!gethostname(host, sizeof(host) - 1))
		h->host = strdup(host);
	if (!uname(&u))
		h->kernel = strdup(u.release);
	h->wall_ns = m->wall_ns;
	h->mono_ns = m->mono_ns;
	if (!h->wall_ns) {
		clock_gettime(CLOCK_REALTIME, &ts);
		h->wall_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	}
	if (!h->mono_ns) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		h->mono_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	}
	h->keep_exited_ns = w->o.keep_exited_ns;
	h->max_spans = w->o.max_spans;
	h->frame_ns = w->o.frame_ns;
	h->keyframe_ns = w->o.keyframe_ns;
	w->begun = true;
	w->max_ts = h->mono_ns;
	w->last_kf_ts = h->mono_ns;
	if (w->fd >= 0) {
		struct buf raw = {0};
		size_t bound;
		int err;

		rec_header__put(&raw, &w->scratch, h);
		bound = ZSTD_compressBound(raw.len);
		w->out.len = 0;
		if (raw.oom || !buf_reserve(&w->out, bound)) {
			buf_free(&raw);
			return -ENOMEM;
		}
		w->out.len = ZSTD_compress2(w->cctx, w->out.p, bound, raw.p, raw.len);
		buf_free(&raw);
		if (ZSTD_isError(w->out.len))
			return -EIO;
		err = file_append(w, w->out.p, w->out.len, NULL);
		if (err)
			return err;
	}
	/* The first frame starts with a keyframe, even an empty one: a group starts there. */
	return record__frame_begin(w, h->mono_ns, true);
}

int record__event(struct record_writer *w, const struct gev *ev)
{
	int err;

	if (!w->begun)
		return -EINVAL;
	err = rec_enc__event(w, ev);
	if (err)
		return err;
	w->fi.n_events++;
	w->st.events++;
	content_added(w, ev->ts);
	return cut_if_due(w, ev->ts);
}

int record__meters(struct record_writer *w, const struct xg_meters *m)
{
	if (!w->begun)
		return -EINVAL;
	w->meters = *m;
	w->have_meters = true;
	w->scratch.len = 0;
	rec_meters__put(&w->scratch, w->c.base_ts, m, true);
	put_ctl(&w->frame, REC_CTL_METERS, &w->scratch);
	if (w->frame.oom)
		return -ENOMEM;
	content_added(w, m->ts);
	return cut_if_due(w, m->ts);
}

int record__sweep(struct record_writer *w, const struct stackset *set)
{
	uint64_t ts = stackset__sweep_ts(set);
	int err;

	if (!w->begun)
		return -EINVAL;
	if (!ts)
		return 0;
	err = rec_stack__put_sweep(w, set);
	if (err)
		return err;
	content_added(w, ts);
	return cut_if_due(w, ts);
}

int record__tick(struct record_writer *w, uint64_t now)
{
	if (!w || !w->begun)
		return 0;
	return cut_if_due(w, now);
}

int record__flush(struct record_writer *w)
{
	if (!w || !w->begun || !w->n_content)
		return 0;
	return record__frame_finish(w, 0, false);
}

static int finish_file(struct record_writer *w)
{
	struct buf b = {0};
	int err;

	w->scratch.len = 0;
	put_varint(&w->scratch, w->st.events);
	put_ctl(&w->frame, REC_CTL_END, &w->scratch);
	w->n_content++;
	err = record__frame_finish(w, REC_FF_END, true);
	if (w->fd < 0 || w->file_err)
		return err ? err : w->file_err;
	rec_index__put(&b, w->idx, w->n_idx, w->file_off);
	if (b.oom)
		err = -ENOMEM;
	else
		err = file_append(w, b.p, b.len, NULL);
	buf_free(&b);
	if (!err && fdatasync(w->fd) && errno != EINVAL)
		err = -errno;
	return err;
}

int record__close(struct record_writer *w)
{
	int err = 0;

	if (!w)
		return 0;
	if (w->begun)
		err = finish_file(w);
	if (w->fd >= 0) {
		if (close(w->fd) && !err)
			err = -errno;
		/* Nothing was recorded (the session never started): leave no empty file. */
		if (!w->begun)
			unlink(w->path);
	}
	if (!err)
		err = w->file_err;
	record__ring_free(w);
	free(w->idx);
	free(w->kf_entries);
	free(w->stk_mark);
	buf_free(&w->frame);
	buf_free(&w->scratch);
	buf_free(&w->kf);
	buf_free(&w->out);
	wdict__free(&w->dict);
	rec_header__free(&w->hdr);
	ZSTD_freeCCtx(w->cctx);
	free(w->path);
	free(w->dir);
	free(w);
	return err;
}

void record__stats(const struct record_writer *w, struct record_stats *out)
{
	*out = w->st;
	record__ring_stats(w, out);
}
