// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading recordings: the file's frames, from its seek index or by
 * scanning, and the records in them. docs/FORMAT.md is the specification;
 * the reader trusts nothing in the file: every length is checked against
 * what is there, every frame is decompressed with its checksum, and what
 * does not check out is reported and skipped.
 */
#define _GNU_SOURCE
#include "rec_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "rec_bytes.h"

#define HEADER_MAX_RAW (1u << 20)
#define FIRST_BUF      (256u << 10)
#define SKIPPABLE_MASK 0xFFFFFFF0u
#define SKIPPABLE_BASE 0x184D2A50u

struct rframe {
	uint64_t off;  /* of the frame-info skippable frame, or of the data frame if it has none */
	uint64_t zoff; /* of the data frame */
	struct rec_frame_info fi;
	uint64_t events_before;
	uint64_t max_ts; /* largest timestamp up to and including this frame */
	bool dict_loaded;
	bool bad;
	bool orphan;	 /* its frame info was lost: fi comes from decoding it */
	bool count_told; /* its events disagree with fi.n_events, and we said so */
};

struct rec_reader {
	const uint8_t *data;
	size_t size;
	void *map;
	struct rec_reader_opts o;
	struct rec_header hdr;
	bool hdr_ok;
	bool has_index;
	bool index_warned;
	struct rframe *f;
	size_t n, cap;
	size_t dict_upto; /* frames before this one have their definitions loaded */
	struct rec_dict *dict;
	ZSTD_DCtx *dctx;
	uint8_t *scratch; /* decompressed frames read for their definitions only */
	size_t scratch_cap;
	uint64_t start, end, n_events;
	uint64_t unknown_records;
	bool warned_unknown;
};

struct rec_iter {
	struct rec_reader *r;
	size_t next; /* the next frame to open */
	size_t cur;  /* the frame being read */
	bool active;
	uint8_t *raw;
	size_t cap;
	struct rec_dec dec;
	uint64_t n_ev;	   /* events of the current frame so far */
	bool unknown_seen; /* records of a newer version in it: they may be events */
};

static void warn(struct rec_reader *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!r->o.warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->o.warn(r->o.ctx, msg);
}

static double secs(const struct rec_reader *r, uint64_t ts)
{
	return ts > r->start ? (ts - r->start) / 1e9 : 0;
}

/* [OFF, OFF + LEN) of the file is about to be read: in one request, not page by page. */
static void will_need(const struct rec_reader *r, uint64_t off, uint64_t len)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start = off / page * page;

	if (r->map && off < r->size && len)
		madvise((uint8_t *)r->map + start, off - start + len, MADV_WILLNEED);
}

/* *BUF to at least NEED bytes (doubling from FIRST_BUF, at most LIMIT): 0, -E2BIG or -ENOMEM. */
static int grow(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
	size_t c = *cap ? *cap : FIRST_BUF;
	uint8_t *p;

	if (need > limit)
		return -E2BIG;
	while (c < need)
		c *= 2;
	if (c > limit)
		c = limit;
	if (c == *cap)
		return 0;
	p = realloc(*buf, c);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = c;
	return 0;
}

/*
 * Decompress the zstd frame at [OFF, OFF + ZSIZE) into *BUF (grown as the
 * output comes, up to LIMIT: a damaged size field cannot claim memory).
 * The frame's checksum is verified. Its length, or -EBADMSG / -E2BIG / -ENOMEM.
 */
static long decompress(struct rec_reader *r, uint64_t off, uint64_t zsize, uint8_t **buf,
		       size_t *cap, size_t limit)
{
	const uint8_t *src = r->data + off;
	ZSTD_inBuffer in = {src, zsize, 0};
	unsigned long long size;
	size_t len = 0;
	int err;

	will_need(r, off, zsize);
	size = ZSTD_getFrameContentSize(src, zsize);
	/*
	 * The writer says each frame's size: decoded in one call, straight
	 * into *BUF (streamed, zstd decodes into a window of its own and copies
	 * out). ZSIZE must be that one frame, as the streamed loop checks.
	 */
	if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR && size <= limit) {
		size_t ret = ZSTD_findFrameCompressedSize(src, zsize);

		if (ZSTD_isError(ret) || ret != zsize)
			return -EBADMSG;
		err = grow(buf, cap, size ? size : 1, limit);
		if (err)
			return err;
		ret = ZSTD_decompressDCtx(r->dctx, *buf, *cap, src, zsize);
		return ZSTD_isError(ret) ? -EBADMSG : (long)ret;
	}
	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	for (;;) {
		ZSTD_outBuffer out;
		size_t ret;

		if (len == *cap) {
			if (*cap >= limit)
				return -E2BIG;
			err = grow(buf, cap, *cap + 1, limit);
			if (err)
				return err;
		}
		out = (ZSTD_outBuffer){*buf, *cap, len};
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		len = out.pos;
		if (ZSTD_isError(ret))
			return -EBADMSG;
		if (ret == 0)
			break;
		if (in.pos == in.size && out.pos < out.size)
			return -EBADMSG; /* the frame is cut short */
	}
	if (in.pos != in.size)
		return -EBADMSG;
	return (long)len;
}

static int add_frame(struct rec_reader *r, const struct rframe *f)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct rframe *v = realloc(r->f, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->f = v;
		r->cap = cap;
	}
	r->f[r->n++] = *f;
	return 0;
}

/* A valid frame info at P, followed by the start of a zstd frame that fits the file? */
static int info_at(const struct rec_reader *r, size_t p, struct rec_frame_info *fi)
{
	if (r->size - p < 8 + REC_INFO_SIZE || rd32(r->data + p) != REC_SKIP_INFO ||
	    rd32(r->data + p + 4) != REC_INFO_SIZE ||
	    rec_frame_info__parse(r->data + p + 8, REC_INFO_SIZE, fi))
		return -EBADMSG;
	return 0;
}

/*
 * A data frame whose info was lost: decode it to learn what the info would
 * have said. Its definitions go to the dictionary on the way.
 */
static int orphan_frame(struct rec_reader *r, size_t p, size_t zs, struct rframe *f)
{
	struct rec_dec *dec = malloc(sizeof(*dec));
	struct rec_item it;
	bool have_ts = false;
	long len;
	int ret;

	if (!dec)
		return -ENOMEM;
	memset(f, 0, sizeof(*f));
	f->off = f->zoff = p;
	f->fi.zsize = (uint32_t)zs;
	f->orphan = true;
	f->dict_loaded = true;
	len = decompress(r, p, zs, &r->scratch, &r->scratch_cap, REC_MAX_FRAME_RAW);
	if (len < 0 || len < 2 || r->scratch[0] != REC_CTL_FRAME) {
		free(dec);
		return -EBADMSG;
	}
	f->fi.raw_size = (uint32_t)len;
	rec_dec__init(dec, r->scratch, len, r->dict);
	while ((ret = rec_dec__next(dec, &it)) > 0) {
		uint64_t ts;

		if (it.kind == REC_ITEM_EVENT)
			ts = it.ev.ts, f->fi.n_events++;
		else if (it.kind == REC_ITEM_METERS)
			ts = it.meters.ts;
		else if (it.kind == REC_ITEM_KEYFRAME && it.kf_first)
			ts = f->fi.kf_ts = it.kf_ts, f->fi.flags |= REC_FF_KEYFRAME;
		else if (it.kind == REC_ITEM_END) {
			f->fi.flags |= REC_FF_END;
			continue;
		} else {
			continue;
		}
		if (!have_ts || ts < f->fi.first_ts)
			f->fi.first_ts = ts;
		if (!have_ts || ts > f->fi.last_ts)
			f->fi.last_ts = ts;
		have_ts = true;
	}
	free(dec);
	return 0;
}

/* The next offset at or after FROM where a frame info or a zstd frame may start. */
static size_t resync(const struct rec_reader *r, size_t from)
{
	struct rec_frame_info fi;
	size_t i;

	for (i = from; i + 4 <= r->size; i++) {
		uint32_t m = rd32(r->data + i);

		if (m == REC_ZSTD_MAGIC || (m == REC_SKIP_INFO && !info_at(r, i, &fi)))
			return i;
	}
	return r->size;
}

/* Walk the frames from offset P, as the writer laid them out, recovering from damage. */
static int scan(struct rec_reader *r, size_t p)
{
	int err;

	while (p < r->size) {
		struct rframe f = {0};
		uint32_t m = r->size - p >= 4 ? rd32(r->data + p) : 0;
		size_t zs;

		if (!info_at(r, p, &f.fi)) {
			f.off = p;
			f.zoff = p + 8 + REC_INFO_SIZE;
			if (f.fi.zsize > r->size - f.zoff) {
				warn(r,
				     "the recording ends inside frame %zu (it was cut short: was "
				     "the "
				     "recorder killed?): replaying up to its last complete frame",
				     r->n);
				return 0;
			}
			if (f.fi.zsize < 4 || rd32(r->data + f.zoff) != REC_ZSTD_MAGIC) {
				warn(r, "frame %zu at offset %zu is damaged: skipped", r->n, p);
				p = resync(r, p + 1);
				continue;
			}
			err = add_frame(r, &f);
			if (err)
				return err;
			p = f.zoff + f.fi.zsize;
			continue;
		}
		if (r->size - p >= 8 && (m & SKIPPABLE_MASK) == SKIPPABLE_BASE) {
			uint64_t len = rd32(r->data + p + 4);

			if (m == REC_SKIP_INDEX && len > r->size - p - 8) {
				warn(r,
				     "the seek index is cut short: rebuilt by scanning the frames");
				r->index_warned = true;
				return 0;
			}
			if (m == REC_SKIP_INDEX) {
				/* The index comes last: anything after it is not ours. */
				if (p + 8 + len < r->size)
					warn(r,
					     "%zu bytes after the end of the recording are ignored",
					     r->size - p - 8 - (size_t)len);
				return 0;
			}
			if (m != REC_SKIP_INFO && m != REC_SKIP_INDEX && len <= r->size - p - 8) {
				p += 8 + len; /* someone else's skippable frame */
				continue;
			}
		}
		if (m == REC_ZSTD_MAGIC) {
			zs = ZSTD_findFrameCompressedSize(r->data + p, r->size - p);
			if (ZSTD_isError(zs)) {
				size_t next = resync(r, p + 1);

				if (next == r->size)
					warn(r,
					     "the recording ends inside frame %zu (it was cut "
					     "short: "
					     "was the recorder killed?): replaying up to its last "
					     "complete frame",
					     r->n);
				else
					warn(r, "%zu damaged bytes at offset %zu skipped", next - p,
					     p);
				p = next;
				continue;
			}
			err = orphan_frame(r, p, zs, &f);
			if (err == -ENOMEM)
				return err;
			if (err) {
				warn(r, "%zu damaged bytes at offset %zu skipped", zs, p);
			} else {
				warn(r,
				     "the description of frame %zu at offset %zu was damaged: "
				     "frame "
				     "read without it",
				     r->n, p);
				err = add_frame(r, &f);
				if (err)
					return err;
			}
			p += zs;
			continue;
		}
		{
			size_t next = resync(r, p + 1);

			warn(r, "%zu damaged bytes at offset %zu skipped", next - p, p);
			p = next;
		}
	}
	return 0;
}

/* The seek index at the end of the file: 0 when present and consistent with the frames. */
static int load_index(struct rec_reader *r)
{
	const uint8_t *d = r->data, *c, *e;
	uint64_t off, len, n, i;

	if (r->size < REC_FOOTER_SIZE + 8 || memcmp(d + r->size - 8, REC_FOOTER_MAGIC, 8))
		return -ENOENT;
	off = rd64(d + r->size - REC_FOOTER_SIZE);
	if (off > r->size - 8 - REC_FOOTER_SIZE || rd32(d + off) != REC_SKIP_INDEX)
		return -EBADMSG;
	len = rd32(d + off + 4);
	if (off + 8 + len != r->size || len < 12 + 24 + 4 + REC_FOOTER_SIZE)
		return -EBADMSG;
	c = d + off + 8;
	if (memcmp(c, REC_INDEX_MAGIC, 4) ||
	    rd32(c + len - REC_FOOTER_SIZE - 4) != rec_crc32(c, len - REC_FOOTER_SIZE - 4))
		return -EBADMSG;
	if ((c[4] | c[5] << 8) > REC_MAJOR)
		return -EBADMSG;
	n = rd32(c + 8);
	if (n > (len - 12 - 24 - 4 - REC_FOOTER_SIZE) / REC_INDEX_ENTRY)
		return -EBADMSG;
	for (i = 0; i < n; i++) {
		struct rframe f = {0};

		e = c + 12 + i * REC_INDEX_ENTRY;
		f.off = rd64(e);
		if (f.off >= off || info_at(r, f.off, &f.fi) || f.fi.first_ts != rd64(e + 8) ||
		    f.fi.last_ts != rd64(e + 16) || f.fi.n_events != rd32(e + 40) ||
		    f.fi.flags != rd32(e + 44))
			goto bad;
		f.zoff = f.off + 8 + REC_INFO_SIZE;
		if (f.fi.zsize > off - f.zoff || rd32(d + f.zoff) != REC_ZSTD_MAGIC ||
		    (r->n && f.off < r->f[r->n - 1].zoff + r->f[r->n - 1].fi.zsize))
			goto bad;
		if (add_frame(r, &f))
			return -ENOMEM;
	}
	return 0;
bad:
	r->n = 0;
	return -EBADMSG;
}

static void finish_open(struct rec_reader *r)
{
	uint64_t before = 0, max = 0;
	bool have = false;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct rframe *f = &r->f[i];

		f->events_before = before;
		before += f->fi.n_events;
		if (f->fi.first_ts || f->fi.last_ts) {
			if (!have || f->fi.first_ts < r->start)
				r->start = f->fi.first_ts;
			if (f->fi.last_ts > max)
				max = f->fi.last_ts;
			have = true;
		}
		f->max_ts = max;
	}
	r->end = max;
	r->n_events = before;
}

static struct rec_reader *open_common(struct rec_reader *r, char *err, size_t errlen)
{
	size_t p = 0;
	bool zstd_start = false;
	int ret;

	r->dict = rec_dict__new();
	r->dctx = ZSTD_createDCtx();
	if (!r->dict || !r->dctx) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		goto fail;
	}
	if (!r->size) {
		snprintf(err, errlen,
			 "is empty (its recorder stopped before the first frame): "
			 "nothing to replay");
		errno = ENODATA;
		goto fail;
	}
	if (r->size < 4 && !memcmp(r->data, "\x28\xb5\x2f\xfd", r->size)) {
		snprintf(err, errlen,
			 "is cut short inside its header (the recording stopped as it "
			 "started): nothing to read");
		errno = ENODATA;
		goto fail;
	}
	if (r->size >= 4 && rd32(r->data) == REC_ZSTD_MAGIC) {
		size_t zs = ZSTD_findFrameCompressedSize(r->data, r->size);

		zstd_start = true;
		if (!ZSTD_isError(zs)) {
			uint8_t *raw = NULL;
			size_t cap = 0;
			long len = decompress(r, 0, zs, &raw, &cap, HEADER_MAX_RAW);

			ret = len < 0 ? -EBADMSG : rec_header__parse(raw, len, &r->hdr);
			free(raw);
			if (ret == -EPROTONOSUPPORT) {
				snprintf(err, errlen,
					 "was written by a newer xgotop-tui (recording format "
					 "%u.%u; "
					 "this one reads %d.x and older): upgrade xgotop-tui to "
					 "read it",
					 r->hdr.major, r->hdr.minor, REC_MAJOR);
				errno = EPROTONOSUPPORT;
				goto fail;
			}
			if (ret == -EPROTO) {
				snprintf(err, errlen,
					 "is not an xgotop-tui recording (a zstd file of another "
					 "kind)");
				errno = EPROTO;
				goto fail;
			}
			if (ret == -ENOMEM) {
				snprintf(err, errlen, "out of memory");
				errno = ENOMEM;
				goto fail;
			}
			r->hdr_ok = !ret;
			p = zs;
		} else if (resync(r, 1) == r->size) {
			snprintf(err, errlen,
				 "is cut short inside its header (the recording stopped "
				 "as it started): nothing to read");
			errno = ENODATA;
			goto fail;
		} else {
			p = 1;
		}
	}
	if (!r->hdr_ok) {
		rec_header__free(&r->hdr);
		if (r->size < 4 || rd32(r->data) != REC_SKIP_INFO)
			p = resync(r, p);
	}

	ret = load_index(r);
	if (ret == -ENOMEM)
		goto oom;
	r->has_index = !ret;
	r->index_warned = ret == -EBADMSG;
	if (r->index_warned)
		warn(r, "the seek index is damaged: rebuilt by scanning the frames");
	if (!r->has_index) {
		/* Every byte, in order. */
		if (r->map)
			madvise(r->map, r->size, MADV_SEQUENTIAL);
		ret = scan(r, p);
		if (r->map)
			madvise(r->map, r->size, MADV_RANDOM);
		if (ret == -ENOMEM)
			goto oom;
	}
	if (!r->n && !r->hdr_ok) {
		snprintf(err, errlen,
			 zstd_start ? "is not an xgotop-tui recording, or is damaged "
				      "beyond use"
				    : "is not an xgotop-tui recording (not a zstd file)");
		errno = EPROTO;
		goto fail;
	}
	if (!r->hdr_ok)
		warn(r, "the header is damaged: the target's details are unknown; %zu frames found",
		     r->n);
	finish_open(r);
	if (!r->n)
		warn(r, "the recording holds no events (it stopped before its first frame)");
	else if (rec_reader__complete(r) && !r->has_index && !r->index_warned)
		warn(r, "the recording has no seek index: rebuilt by scanning the frames");
	else if (!rec_reader__complete(r))
		warn(r,
		     "the recording was not closed (no end mark%s): %llu events over %.1f s could "
		     "be read",
		     r->has_index ? "" : ", no seek index", (unsigned long long)r->n_events,
		     secs(r, r->end));
	return r;
oom:
	snprintf(err, errlen, "out of memory");
	errno = ENOMEM;
fail:
	rec_reader__free(r);
	return NULL;
}

struct rec_reader *rec_reader__open_mem(const void *buf, size_t len,
					const struct rec_reader_opts *opts, char *err,
					size_t errlen)
{
	struct rec_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->data = buf;
	r->size = len;
	if (opts)
		r->o = *opts;
	return open_common(r, err, errlen);
}

struct rec_reader *rec_reader__open(const char *path, const struct rec_reader_opts *opts, char *err,
				    size_t errlen)
{
	struct rec_reader *r;
	struct stat st;
	void *map = NULL;
	int fd, e;

	/* Not to hang on a FIFO with no writer: it is refused below, as any non-file. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot be opened: %s", strerror(e));
		errno = e;
		return NULL;
	}
	if (fstat(fd, &st)) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "cannot be read: %s", strerror(e));
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		if (S_ISDIR(st.st_mode))
			snprintf(err, errlen, "is a directory");
		else
			snprintf(err, errlen,
				 "is not a regular file (a recording is read by seeking in it: "
				 "copy it to a file first)");
		errno = EINVAL;
		return NULL;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			e = errno;
			close(fd);
			snprintf(err, errlen, "cannot be read: %s", strerror(e));
			errno = e;
			return NULL;
		}
		/*
		 * The reader says what it reads (will_need): opening a closed
		 * file reads a page from each frame of it (its info, checked
		 * against the index), and readahead there read most of the file
		 * (a 1.1 GB recording out of the page cache: 1.2-1.8 s to the
		 * first screen, 0.15-0.3 s without).
		 */
		madvise(map, st.st_size, MADV_RANDOM);
	}
	close(fd);
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (map)
			munmap(map, st.st_size);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->map = map;
	r->data = map;
	r->size = st.st_size;
	if (opts)
		r->o = *opts;
	return open_common(r, err, errlen);
}

void rec_reader__free(struct rec_reader *r)
{
	if (!r)
		return;
	if (r->map)
		munmap(r->map, r->size);
	rec_header__free(&r->hdr);
	rec_dict__free(r->dict);
	ZSTD_freeDCtx(r->dctx);
	free(r->scratch);
	free(r->f);
	free(r);
}

const struct rec_header *rec_reader__header(const struct rec_reader *r)
{
	return &r->hdr;
}

bool rec_reader__has_header(const struct rec_reader *r)
{
	return r->hdr_ok;
}

bool rec_reader__has_index(const struct rec_reader *r)
{
	return r->has_index;
}

bool rec_reader__complete(const struct rec_reader *r)
{
	return r->n && (r->f[r->n - 1].fi.flags & REC_FF_END);
}

size_t rec_reader__n_frames(const struct rec_reader *r)
{
	return r->n;
}

const struct rec_frame_info *rec_reader__frame(const struct rec_reader *r, size_t i)
{
	return i < r->n ? &r->f[i].fi : NULL;
}

uint64_t rec_reader__events_before(const struct rec_reader *r, size_t i)
{
	return i < r->n ? r->f[i].events_before : r->n_events;
}

uint64_t rec_reader__n_events(const struct rec_reader *r)
{
	return r->n_events;
}

uint64_t rec_reader__start(const struct rec_reader *r)
{
	return r->start;
}

uint64_t rec_reader__end(const struct rec_reader *r)
{
	return r->end;
}

const struct rec_dict *rec_reader__dict(const struct rec_reader *r)
{
	return r->dict;
}

static void frame_damaged(struct rec_reader *r, size_t i, long err)
{
	struct rframe *f = &r->f[i];

	f->bad = true;
	f->dict_loaded = true;
	warn(r, "frame %zu (at %.1f s, offset %llu) is damaged (%s): its %u events are skipped", i,
	     secs(r, f->fi.first_ts), (unsigned long long)f->off,
	     err == -E2BIG    ? "too large"
	     : err == -ENOMEM ? "out of memory"
			      : "checksum or data",
	     f->fi.n_events);
}

/*
 * Strings and sites are defined once per file, where first used: before
 * reading frame I out of order, read the definitions of the frames before it.
 */
static void load_dict_before(struct rec_reader *r, size_t i)
{
	struct rec_dec *dec = NULL;

	for (; r->dict_upto < i; r->dict_upto++) {
		struct rframe *f = &r->f[r->dict_upto];
		uint64_t want = (uint64_t)f->fi.str_n + f->fi.site_n, seen = 0;
		struct rec_item it;
		long len;

		if (f->dict_loaded || f->bad || !want)
			continue;
		if (!dec) {
			dec = malloc(sizeof(*dec));
			if (!dec)
				return;
		}
		len = decompress(r, f->zoff, f->fi.zsize, &r->scratch, &r->scratch_cap,
				 REC_MAX_FRAME_RAW);
		if (len < 0) {
			frame_damaged(r, r->dict_upto, len);
			continue;
		}
		rec_dec__init(dec, r->scratch, len, r->dict);
		while (seen < want && rec_dec__next(dec, &it) > 0)
			seen += it.kind == REC_ITEM_DICT;
		f->dict_loaded = true;
	}
	free(dec);
}

struct rec_iter *rec_iter__new(struct rec_reader *r, size_t frame)
{
	struct rec_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->r = r;
	it->next = frame;
	it->cur = frame;
	return it;
}

void rec_iter__free(struct rec_iter *it)
{
	if (!it)
		return;
	free(it->raw);
	free(it);
}

size_t rec_iter__frame(const struct rec_iter *it)
{
	return it->cur;
}

/*
 * A frame read to its end: did it hold the events its description counts?
 * Fewer is loss (a frame cut inside its data, or crafted) that the totals,
 * the seek positions and the replay's progress would otherwise hide.
 */
static void check_count(struct rec_reader *r, const struct rec_iter *it)
{
	struct rframe *f = &r->f[it->cur];

	if (it->n_ev == f->fi.n_events || f->count_told || it->unknown_seen)
		return;
	f->count_told = true;
	if (it->n_ev < f->fi.n_events)
		warn(r,
		     "frame %zu (at %.1f s) holds %llu events where its description counts %u: "
		     "%llu events are missing",
		     it->cur, secs(r, f->fi.first_ts), (unsigned long long)it->n_ev, f->fi.n_events,
		     (unsigned long long)(f->fi.n_events - it->n_ev));
	else
		warn(r,
		     "frame %zu (at %.1f s) holds %llu events where its description counts %u: "
		     "event totals and positions shown are off",
		     it->cur, secs(r, f->fi.first_ts), (unsigned long long)it->n_ev,
		     f->fi.n_events);
}

size_t rec_iter__next_events(struct rec_iter *it, struct gev *evs, size_t max, uint64_t t)
{
	size_t n;

	if (!it->active)
		return 0;
	n = rec_dec__next_events(&it->dec, evs, max, t);
	it->n_ev += n;
	return n;
}

int rec_iter__next(struct rec_iter *it, struct rec_item *item)
{
	struct rec_reader *r = it->r;
	int ret;

	for (;;) {
		if (!it->active) {
			struct rframe *f;
			long len;

			if (it->next >= r->n)
				return 0;
			f = &r->f[it->next];
			if (f->bad) {
				it->next++;
				continue;
			}
			load_dict_before(r, it->next);
			len = decompress(r, f->zoff, f->fi.zsize, &it->raw, &it->cap,
					 REC_MAX_FRAME_RAW);
			if (len < 0) {
				frame_damaged(r, it->next++, len);
				continue;
			}
			rec_dec__init(&it->dec, it->raw, len, r->dict);
			it->cur = it->next++;
			/* Read while this one is decoded. */
			if (it->next < r->n)
				will_need(r, r->f[it->next].off,
					  r->f[it->next].zoff - r->f[it->next].off +
						  r->f[it->next].fi.zsize);
			it->active = true;
			it->n_ev = 0;
			it->unknown_seen = false;
		}
		ret = rec_dec__next(&it->dec, item);
		if (ret > 0) {
			it->n_ev += item->kind == REC_ITEM_EVENT;
			if (item->kind == REC_ITEM_UNKNOWN) {
				it->unknown_seen = true;
				r->unknown_records++;
				if (!r->warned_unknown) {
					r->warned_unknown = true;
					warn(r,
					     "records of a newer format version are skipped "
					     "(recording format %u.%u)",
					     r->hdr.major, r->hdr.minor);
				}
			}
			return 1;
		}
		if (ret < 0 && !r->f[it->cur].bad) {
			r->f[it->cur].bad = true;
			warn(r,
			     "frame %zu (at %.1f s) is damaged at byte %zu: the rest of it is "
			     "skipped",
			     it->cur, secs(r, r->f[it->cur].fi.first_ts),
			     (size_t)(it->dec.p - it->raw));
		}
		if (!ret)
			check_count(r, it);
		r->f[it->cur].dict_loaded = true;
		if (it->cur == r->dict_upto)
			r->dict_upto++;
		it->active = false;
	}
}

uint64_t rec_reader__frame_max_ts(const struct rec_reader *r, size_t i)
{
	return r->f[i].max_ts;
}

size_t rec_reader__frame_at(const struct rec_reader *r, uint64_t t)
{
	size_t lo = 0, hi = r->n;

	/* The first frame whose largest timestamp so far reaches T. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->f[mid].max_ts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

long rec_reader__keyframe_before(const struct rec_reader *r, size_t limit, uint64_t t)
{
	long i;

	if (!r->n)
		return -1;
	if (limit >= r->n)
		limit = r->n - 1;
	for (i = (long)limit; i >= 0; i--) {
		const struct rframe *f = &r->f[i];

		if ((f->fi.flags & REC_FF_KEYFRAME) && !f->bad && f->fi.kf_ts <= t)
			return i;
	}
	return -1;
}
