// SPDX-License-Identifier: BSD-2-Clause
/*
 * Session recordings: the record codec and the writer. docs/FORMAT.md is
 * the specification; comments here say why things are shaped as they are.
 *
 * Events are coded against predictions that cost nothing to keep: a
 * move-to-front list of the goroutines and threads seen last in the frame
 * (a goroutine's events cluster: it is made runnable, runs, parks), the
 * state each of them entered last (the next transition leaves it), deltas
 * of timestamps. What the predictions get right takes two bytes and a
 * timestamp delta; zstd then squeezes the regularities left.
 */
#define _GNU_SOURCE
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "xgotop_event.h"

/* keep in sync with DEFAULT_KEEP_EXITED_NS and DEFAULT_MAX_SPANS in gtable.c */
#define GT_DEFAULT_KEEP_NS   (30ull * 1000000000ull)
#define GT_DEFAULT_MAX_SPANS 16

#define DEFAULT_FRAME_NS      1000000000ull
#define DEFAULT_FRAME_BYTES   (1u << 20)
#define DEFAULT_KEYFRAME_NS   (10ull * 1000000000ull)
#define DEFAULT_HISTORY_BYTES (64ull << 20)
/* A keyframe record carries at most this much, so that no record is huge. */
#define KF_CHUNK_BYTES (256u << 10)
/*
 * Keyframes come every keyframe_ns, but no sooner than the events since the
 * last one cost twice as much as it did (a big table is costly to repeat),
 * and no later than this many intervals (seeking replays at most that much).
 */
#define KF_MAX_INTERVALS 6
/* Dense recordings also get one every this many events (a seek replays no more). */
#define KF_EVENTS 1000000
/* Ids of strings and sites may jump over a lost frame's, by this much at most. */
#define DICT_MAX_GAP 16384u
#define DICT_MAX_IDS (1u << 22)

#define TAG_KIND(t)   ((t) >> 6)
#define TAG_INFERRED  0x20
#define TAG_EXTENDED  0x10
#define TAG_TO_ESCAPE 15
#define G_NEXT	      28 /* goid = previous create's + 1, same pid */
#define G_DELTA	      29 /* goid = previous event's + zigzag delta, same pid */
#define G_FULL	      30 /* pid and goid follow */
#define T_FULL	      7	 /* tid follows */
#define XF_FROM	      1u /* from follows (not the predicted one) */
#define XF_REASON     2u /* reason presence is not the default */
#define XF_CREATE     4u /* creation fields presence is not the default */
#define XF_PM	      8u /* P and M presence is not the default */
#define XF_ALL	      15u
#define NO_PREDICTION 0xff

/* ---- bytes ----------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static bool buf_reserve(struct buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->oom)
		return false;
	if (b->len + n <= b->cap)
		return true;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void put_bytes(struct buf *b, const void *s, size_t n)
{
	if (n && buf_reserve(b, n)) {
		memcpy(b->p + b->len, s, n);
		b->len += n;
	}
}

static void put_u8(struct buf *b, uint8_t v)
{
	if (buf_reserve(b, 1))
		b->p[b->len++] = v;
}

static inline uint8_t *wr_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static void put_varint(struct buf *b, uint64_t v)
{
	if (buf_reserve(b, 10))
		b->len = wr_varint(b->p + b->len, v) - b->p;
}

static inline uint64_t zz(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t unzz(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, v);
	le16(p + 2, v >> 16);
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, v >> 32);
}

static uint16_t rd16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void put_le64(struct buf *b, uint64_t v)
{
	uint8_t t[8];

	le64(t, v);
	put_bytes(b, t, 8);
}

static void put_f64(struct buf *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof(v));
	put_le64(b, v);
}

/* A bounded reader: every get fails once the input runs out. */
struct rd {
	const uint8_t *p, *end;
};

static bool get_u8(struct rd *r, uint8_t *v)
{
	if (r->p >= r->end)
		return false;
	*v = *r->p++;
	return true;
}

static bool get_varint(struct rd *r, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		uint8_t c;

		if (r->p >= r->end)
			return false;
		c = *r->p++;
		if (shift == 63 && c > 1)
			return false;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

static bool get_u32v(struct rd *r, uint32_t *v)
{
	uint64_t x;

	if (!get_varint(r, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool get_intv(struct rd *r, int *v)
{
	uint64_t x;
	int64_t s;

	if (!get_varint(r, &x))
		return false;
	s = unzz(x);
	if (s < INT_MIN || s > INT_MAX)
		return false;
	*v = (int)s;
	return true;
}

static bool get_f64(struct rd *r, double *d)
{
	uint64_t v;

	if (r->end - r->p < 8)
		return false;
	v = rd64(r->p);
	r->p += 8;
	memcpy(d, &v, sizeof(*d));
	return true;
}

/* IEEE 802.3 CRC-32, four bits at a time: only headers and indexes are summed. */
uint32_t rec_crc32(const void *buf, size_t len)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	const uint8_t *p = buf;
	uint32_t c = ~0u;

	while (len--) {
		c ^= *p++;
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return ~c;
}

/* ---- control records ----------------------------------------------------------- */

static void put_ctl(struct buf *b, enum rec_ctl type, const struct buf *payload)
{
	put_u8(b, (uint8_t)type);
	put_varint(b, payload->len);
	put_bytes(b, payload->p, payload->len);
	if (payload->oom)
		b->oom = true;
}

/* ---- header ---------------------------------------------------------------- */

static void hdr_str(struct buf *b, enum rec_hdr_key key, const char *s)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	put_varint(b, key);
	put_varint(b, n);
	put_bytes(b, s, n);
}

static void hdr_u64(struct buf *b, enum rec_hdr_key key, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = wr_varint(tmp, v) - tmp;

	put_varint(b, key);
	put_varint(b, n);
	put_bytes(b, tmp, n);
}

static void format_offsets(const struct xg_offsets *o, char *out, size_t len)
{
	snprintf(out, len,
		 "g_goid=%u,g_m=%u,g_waitreason=%u,g_gopc=%u,g_startpc=%u,m_curg=%u,"
		 "m_procid=%u,m_id=%u,m_p=%u,p_id=%u,g_waitsince=%u,g_parent_goid=%u",
		 o->g_goid, o->g_m, o->g_waitreason, o->g_gopc, o->g_startpc, o->m_curg,
		 o->m_procid, o->m_id, o->m_p, o->p_id, o->g_waitsince, o->g_parent_goid);
}

/* The header record's payload, from the writer's copy of the header. */
static void encode_header(struct buf *payload, const struct rec_header *h)
{
	hdr_str(payload, REC_HDR_TOOL, h->tool);
	hdr_u64(payload, REC_HDR_WALL_NS, h->wall_ns);
	hdr_u64(payload, REC_HDR_MONO_NS, h->mono_ns);
	hdr_u64(payload, REC_HDR_PID, h->pid);
	hdr_str(payload, REC_HDR_PATH, h->path);
	hdr_str(payload, REC_HDR_GO_VERSION, h->go_version);
	hdr_str(payload, REC_HDR_ARCH, h->arch);
	hdr_str(payload, REC_HDR_MOD_PATH, h->mod_path);
	hdr_str(payload, REC_HDR_PROBES, h->probes);
	hdr_str(payload, REC_HDR_MODE, h->mode);
	hdr_str(payload, REC_HDR_OFFSETS, h->offsets);
	hdr_str(payload, REC_HDR_OFF_SOURCE, h->off_source);
	hdr_str(payload, REC_HDR_WAIT_SOURCE, h->wait_source);
	hdr_str(payload, REC_HDR_HOST, h->host);
	hdr_str(payload, REC_HDR_KERNEL, h->kernel);
	hdr_u64(payload, REC_HDR_FLAGS, h->flags);
	hdr_u64(payload, REC_HDR_KEEP_EXITED, h->keep_exited_ns);
	hdr_u64(payload, REC_HDR_MAX_SPANS, h->max_spans);
	hdr_u64(payload, REC_HDR_FRAME_NS, h->frame_ns);
	hdr_u64(payload, REC_HDR_KEYFRAME_NS, h->keyframe_ns);
}

static char *dup_bytes(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

void rec_header__free(struct rec_header *h)
{
	if (!h)
		return;
	free(h->tool);
	free(h->path);
	free(h->go_version);
	free(h->arch);
	free(h->mod_path);
	free(h->probes);
	free(h->mode);
	free(h->offsets);
	free(h->off_source);
	free(h->wait_source);
	free(h->host);
	free(h->kernel);
	memset(h, 0, sizeof(*h));
}

int rec_header__parse(const void *buf, size_t len, struct rec_header *h)
{
	struct rd r = {buf, (const uint8_t *)buf + len}, pl;
	uint64_t plen, key, n, v;
	uint8_t tag;

	memset(h, 0, sizeof(*h));
	if (len < REC_MAGIC_LEN + 4 || memcmp(buf, REC_MAGIC, REC_MAGIC_LEN))
		return -EPROTO;
	h->major = rd16(r.p + REC_MAGIC_LEN);
	h->minor = rd16(r.p + REC_MAGIC_LEN + 2);
	if (h->major > REC_MAJOR)
		return -EPROTONOSUPPORT;
	if (h->major < 1)
		return -EBADMSG;
	r.p += REC_MAGIC_LEN + 4;
	if (!get_u8(&r, &tag) || tag != REC_CTL_HEADER || !get_varint(&r, &plen) ||
	    plen > (uint64_t)(r.end - r.p))
		return -EBADMSG;
	pl = (struct rd){r.p, r.p + plen};
	while (pl.p < pl.end) {
		struct rd f;
		char **s = NULL;

		if (!get_varint(&pl, &key) || !get_varint(&pl, &n) ||
		    n > (uint64_t)(pl.end - pl.p)) {
			rec_header__free(h);
			return -EBADMSG;
		}
		f = (struct rd){pl.p, pl.p + n};
		pl.p += n;
		switch (key) {
		case REC_HDR_TOOL:
			s = &h->tool;
			break;
		case REC_HDR_PATH:
			s = &h->path;
			break;
		case REC_HDR_GO_VERSION:
			s = &h->go_version;
			break;
		case REC_HDR_ARCH:
			s = &h->arch;
			break;
		case REC_HDR_MOD_PATH:
			s = &h->mod_path;
			break;
		case REC_HDR_PROBES:
			s = &h->probes;
			break;
		case REC_HDR_MODE:
			s = &h->mode;
			break;
		case REC_HDR_OFFSETS:
			s = &h->offsets;
			break;
		case REC_HDR_OFF_SOURCE:
			s = &h->off_source;
			break;
		case REC_HDR_WAIT_SOURCE:
			s = &h->wait_source;
			break;
		case REC_HDR_HOST:
			s = &h->host;
			break;
		case REC_HDR_KERNEL:
			s = &h->kernel;
			break;
		default:
			break;
		}
		if (s) {
			free(*s);
			*s = dup_bytes(f.p, n);
			if (!*s) {
				rec_header__free(h);
				return -ENOMEM;
			}
			continue;
		}
		/* Numbers; a field of another shape is from a newer minor: skipped. */
		if (!get_varint(&f, &v) || f.p != f.end)
			continue;
		switch (key) {
		case REC_HDR_WALL_NS:
			h->wall_ns = v;
			break;
		case REC_HDR_MONO_NS:
			h->mono_ns = v;
			break;
		case REC_HDR_PID:
			h->pid = v > UINT32_MAX ? 0 : (uint32_t)v;
			break;
		case REC_HDR_FLAGS:
			h->flags = v;
			break;
		case REC_HDR_KEEP_EXITED:
			h->keep_exited_ns = v;
			break;
		case REC_HDR_MAX_SPANS:
			h->max_spans = v;
			break;
		case REC_HDR_FRAME_NS:
			h->frame_ns = v;
			break;
		case REC_HDR_KEYFRAME_NS:
			h->keyframe_ns = v;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* ---- frame info ------------------------------------------------------------ */

void rec_frame_info__put(const struct rec_frame_info *fi, uint8_t out[REC_INFO_SIZE])
{
	memcpy(out, REC_INFO_MAGIC, 4);
	le16(out + 4, fi->major);
	le16(out + 6, fi->minor);
	le32(out + 8, fi->seq);
	le32(out + 12, fi->flags);
	le32(out + 16, fi->zsize);
	le32(out + 20, fi->raw_size);
	le32(out + 24, fi->n_events);
	le64(out + 28, fi->first_ts);
	le64(out + 36, fi->last_ts);
	le32(out + 44, fi->str_first);
	le32(out + 48, fi->str_n);
	le32(out + 52, fi->site_first);
	le32(out + 56, fi->site_n);
	le64(out + 60, fi->kf_ts);
	le32(out + 68, rec_crc32(out, 68));
}

int rec_frame_info__parse(const void *buf, size_t len, struct rec_frame_info *fi)
{
	const uint8_t *p = buf;

	if (len < REC_INFO_SIZE || memcmp(p, REC_INFO_MAGIC, 4) || rd32(p + 68) != rec_crc32(p, 68))
		return -EBADMSG;
	fi->major = rd16(p + 4);
	fi->minor = rd16(p + 6);
	fi->seq = rd32(p + 8);
	fi->flags = rd32(p + 12);
	fi->zsize = rd32(p + 16);
	fi->raw_size = rd32(p + 20);
	fi->n_events = rd32(p + 24);
	fi->first_ts = rd64(p + 28);
	fi->last_ts = rd64(p + 36);
	fi->str_first = rd32(p + 44);
	fi->str_n = rd32(p + 48);
	fi->site_first = rd32(p + 52);
	fi->site_n = rd32(p + 56);
	fi->kf_ts = rd64(p + 60);
	return 0;
}

/* ---- the dictionary (reader side) ------------------------------------------------ */

struct rec_dict {
	char **str; /* id - 1 */
	uint32_t n_str, cap_str;
	struct rec_site *site;
	uint8_t *site_ok;
	uint32_t n_site, cap_site;
	uint64_t missing;
};

struct rec_dict *rec_dict__new(void)
{
	return calloc(1, sizeof(struct rec_dict));
}

void rec_dict__free(struct rec_dict *d)
{
	uint32_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_str; i++)
		free(d->str[i]);
	free(d->str);
	free(d->site);
	free(d->site_ok);
	free(d);
}

const char *rec_dict__str(const struct rec_dict *d, uint64_t id)
{
	if (!id || id > d->n_str)
		return NULL;
	return d->str[id - 1];
}

const struct rec_site *rec_dict__site(const struct rec_dict *d, uint64_t id)
{
	if (!id || id > d->n_site || !d->site_ok[id - 1])
		return NULL;
	return &d->site[id - 1];
}

uint32_t rec_dict__n_strings(const struct rec_dict *d)
{
	return d->n_str;
}

uint64_t rec_dict__missing(const struct rec_dict *d)
{
	return d->missing;
}

static const char *dict_str(struct rec_dict *d, uint64_t id)
{
	const char *s = rec_dict__str(d, id);

	if (id && !s)
		d->missing++;
	return s;
}

/*
 * Ids are defined densely, in order, once per file; a redefinition (the
 * dictionary frame of a flight-recorder save repeats them) is ignored. A
 * jump means definitions were lost with a damaged frame: bounded, so that
 * damaged bytes cannot claim memory.
 */
static int dict_grow(void **v, uint32_t *cap, size_t size, uint32_t need)
{
	uint32_t c = *cap ? *cap : 256;
	void *p;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	p = realloc(*v, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	memset((char *)p + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
	*v = p;
	*cap = c;
	return 0;
}

static int dict_add_str(struct rec_dict *d, uint64_t id, const uint8_t *s, size_t n)
{
	if (!id || id > DICT_MAX_IDS || id > (uint64_t)d->n_str + DICT_MAX_GAP)
		return -EBADMSG;
	if (id <= d->n_str && d->str[id - 1])
		return 0;
	if (id > d->n_str) {
		if (dict_grow((void **)&d->str, &d->cap_str, sizeof(*d->str), (uint32_t)id))
			return -ENOMEM;
		d->n_str = (uint32_t)id;
	}
	d->str[id - 1] = dup_bytes(s, n);
	return d->str[id - 1] ? 0 : -ENOMEM;
}

static int dict_add_site(struct rec_dict *d, uint64_t id, const struct rec_site *s)
{
	if (!id || id > DICT_MAX_IDS || id > (uint64_t)d->n_site + DICT_MAX_GAP)
		return -EBADMSG;
	if (id <= d->n_site && d->site_ok[id - 1])
		return 0;
	if (id > d->n_site) {
		uint32_t cap = d->cap_site;

		if (dict_grow((void **)&d->site, &cap, sizeof(*d->site), (uint32_t)id))
			return -ENOMEM;
		cap = d->cap_site;
		if (dict_grow((void **)&d->site_ok, &cap, 1, (uint32_t)id))
			return -ENOMEM;
		d->cap_site = cap;
		d->n_site = (uint32_t)id;
	}
	d->site[id - 1] = *s;
	d->site_ok[id - 1] = 1;
	return 0;
}

/* ---- the codec state ----------------------------------------------------------- */

static void codec_reset(struct rec_codec *c, uint64_t base_ts)
{
	memset(c, 0, sizeof(*c));
	c->base_ts = base_ts;
	c->prev_ts = base_ts;
}

static int mtf_find(const struct rec_codec *c, uint32_t pid, uint64_t goid)
{
	int i;

	for (i = 0; i < c->n_mtf; i++)
		if (c->mtf_goid[i] == goid && c->mtf[i].pid == pid)
			return i;
	return -1;
}

/* Move entry RANK (or a new one, -1) to the front; the oldest falls off a full list. */
static void mtf_touch(struct rec_codec *c, int rank, const struct gev *ev)
{
	int i = rank;

	if (i < 0)
		i = c->n_mtf < REC_MTF_GOIDS ? c->n_mtf++ : REC_MTF_GOIDS - 1;
	/* By hand: most events hit the first entries, a memmove call costs more. */
	for (; i > 0; i--) {
		c->mtf_goid[i] = c->mtf_goid[i - 1];
		c->mtf[i] = c->mtf[i - 1];
	}
	c->mtf_goid[0] = ev->goid;
	c->mtf[0] = (struct rec_mtf){.pid = ev->pid, .from = ev->from, .to = ev->to};
}

static int tid_find(const struct rec_codec *c, uint32_t tid)
{
	int i;

	for (i = 0; i < c->n_tids; i++)
		if (c->tids[i].tid == tid)
			return i;
	return -1;
}

static void tid_touch(struct rec_codec *c, int rank, const struct gev *ev, bool pm)
{
	struct rec_tid t = {.tid = ev->tid};
	int i = rank;

	if (i < 0)
		i = c->n_tids < REC_MTF_TIDS ? c->n_tids++ : REC_MTF_TIDS - 1;
	else
		t = c->tids[i];
	if (pm) {
		t.p = ev->p;
		t.m = ev->m;
	}
	for (; i > 0; i--)
		c->tids[i] = c->tids[i - 1];
	c->tids[0] = t;
}

/* P and M travel when a transition to running carries them (and in odd cases). */
static bool has_pm_fields(const struct gev *ev)
{
	return ev->has_pm || ev->p || ev->m;
}

static bool default_pm(const struct rec_codec *c, enum gev_kind kind, uint8_t to)
{
	return kind == GEV_STATE && to == XG_G_RUNNING && c->pm_on;
}

/* What FROM is predicted to be: the state the goroutine entered last, as the codec saw it. */
static uint8_t predict_from(const struct rec_codec *c, enum gev_kind kind, int rank)
{
	if (kind == GEV_CREATE)
		return XG_G_DEAD;
	if (rank < 0)
		return NO_PREDICTION;
	/* An exit repeats the transition to dead that it follows. */
	return kind == GEV_STATE ? c->mtf[rank].to : c->mtf[rank].from;
}

static bool default_reason(enum gev_kind kind, uint8_t to)
{
	return kind != GEV_EXIT && to == XG_G_WAITING;
}

static bool has_reason(const struct gev *ev)
{
	return ev->reason != GEV_NO_REASON || ev->reason_str;
}

static bool has_create_fields(const struct gev *ev)
{
	return ev->parent || ev->startpc || ev->gopc || ev->func || ev->created_by || ev->file ||
	       ev->line;
}

static void codec_after(struct rec_codec *c, const struct gev *ev, int rank, int trank, bool pm)
{
	c->prev_ts = ev->ts;
	c->prev_goid = ev->goid;
	c->prev_pid = ev->pid;
	if (ev->kind == GEV_CREATE)
		c->prev_create_goid = ev->goid;
	if (ev->kind == GEV_STATE && ev->to == XG_G_RUNNING)
		c->pm_on = pm;
	mtf_touch(c, rank, ev);
	tid_touch(c, trank, ev, pm);
}

/* ---- the decoder ------------------------------------------------------------ */

void rec_dec__init(struct rec_dec *d, const void *buf, size_t len, struct rec_dict *dict)
{
	memset(d, 0, offsetof(struct rec_dec, spans));
	d->p = buf;
	d->end = (const uint8_t *)buf + len;
	d->dict = dict;
}

/*
 * The full form of an event (REC_CTL_EVENT): its kind, a bitmap of the
 * fields that are not zero, their values. Bit 0 is the timestamp (a delta
 * to the previous event's), then the fields of struct gev in this order.
 * keep in sync with struct gev (src/gevent.h): a new field goes at the end
 * of the table (older readers ignore what follows the fields they know).
 */
enum fd_type { FD_U, FD_S, FD_STR };

struct fdesc {
	uint16_t off;
	uint8_t type;
	uint8_t size;
};

#define FD(field, type)                                                             \
	{                                                                           \
		offsetof(struct gev, field), type, sizeof(((struct gev *)0)->field) \
	}

static const struct fdesc full_fields[] = {
	FD(pid, FD_U),
	FD(tid, FD_U),
	FD(goid, FD_U),
	FD(from, FD_U),
	FD(to, FD_U),
	FD(inferred, FD_U),
	FD(reason, FD_S),
	FD(reason_str, FD_STR),
	FD(parent, FD_U),
	FD(startpc, FD_U),
	FD(gopc, FD_U),
	FD(func, FD_STR),
	FD(created_by, FD_STR),
	FD(file, FD_STR),
	FD(line, FD_S),
	FD(has_pm, FD_U),
	FD(p, FD_S),
	FD(m, FD_S),
	FD(alloc.kind, FD_U),
	FD(alloc.bucket, FD_U),
	FD(alloc.size, FD_U),
	FD(alloc.type_addr, FD_U),
	FD(alloc.type, FD_STR),
	FD(alloc.has_hint, FD_U),
	FD(alloc.hint, FD_U),
	FD(gc.phase, FD_U),
	FD(gc.cycle, FD_U),
	FD(gc.reason, FD_S),
	FD(gc.reason_str, FD_STR),
	FD(gc.dur_ns, FD_U),
	FD(gc.n_stw, FD_U),
	FD(gc.stw_ns, FD_U),
	FD(gc.stw_max_ns, FD_U),
	FD(gc.mark_ns, FD_U),
	FD(gc.trigger, FD_U),
	FD(gc.procs, FD_U),
	FD(hist.bucket, FD_U),
	FD(hist.class_size, FD_U),
	FD(hist.count, FD_U),
	FD(hist.bytes, FD_U),
	FD(existing, FD_U), /* 1.1 */
};

#define N_FULL_FIELDS (sizeof(full_fields) / sizeof(full_fields[0]))
/* Fields from here on exist only in the full form. */
#define FIRST_FULL_ONLY 18

_Static_assert(N_FULL_FIELDS < 63, "the bitmap of the full form is one varint");

/* The field's value: zero-extended (FD_U), sign-extended (FD_S) or the pointer (FD_STR). */
static uint64_t fd_value(const struct gev *ev, const struct fdesc *f)
{
	const char *p = (const char *)ev + f->off;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (f->size) {
	case 1:
		memcpy(&u8, p, 1);
		return f->type == FD_S ? (uint64_t)(int64_t)(int8_t)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return f->type == FD_S ? (uint64_t)(int64_t)(int16_t)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return f->type == FD_S ? (uint64_t)(int64_t)(int32_t)u32 : u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/* Store V in the field; false when it does not fit (damage). */
static bool fd_put(struct gev *ev, const struct fdesc *f, uint64_t v)
{
	char *p = (char *)ev + f->off;
	int64_t s = (int64_t)v;

	if (f->size < 8) {
		unsigned int bits = f->size * 8;

		if (f->type == FD_S ? s < -(1ll << (bits - 1)) || s >= (1ll << (bits - 1))
				    : v >> bits)
			return false;
	}
	switch (f->size) {
	case 1: {
		uint8_t x = (uint8_t)v;

		memcpy(p, &x, 1);
		break;
	}
	case 2: {
		uint16_t x = (uint16_t)v;

		memcpy(p, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;

		memcpy(p, &x, 4);
		break;
	}
	default:
		memcpy(p, &v, 8);
		break;
	}
	return true;
}

/* Booleans read back as 0 or 1 only. */
static bool fd_is_bool(const struct fdesc *f)
{
	return f->off == offsetof(struct gev, inferred) || f->off == offsetof(struct gev, has_pm) ||
	       f->off == offsetof(struct gev, alloc.has_hint);
}

static int dec_full_event(struct rec_dec *d, struct rd pl, struct rec_item *it)
{
	struct gev *ev = &it->ev;
	uint64_t kind, bits, v;
	size_t i;

	if (!d->in_frame || !get_varint(&pl, &kind) || !kind || kind > INT_MAX ||
	    !get_varint(&pl, &bits))
		return -EBADMSG;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum gev_kind)kind;
	ev->ts = d->c.prev_ts;
	if (bits & 1) {
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		ev->ts += (uint64_t)unzz(v);
	}
	for (i = 0; i < N_FULL_FIELDS; i++) {
		const struct fdesc *f = &full_fields[i];

		if (!((bits >> (i + 1)) & 1))
			continue;
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		if (f->type == FD_STR) {
			const char *str = dict_str(d->dict, v);

			memcpy((char *)ev + f->off, &str, sizeof(str));
			continue;
		}
		if (f->type == FD_S)
			v = (uint64_t)unzz(v);
		if ((fd_is_bool(f) && v > 1) || !fd_put(ev, f, v))
			return -EBADMSG;
	}
	/* Bits past the table are fields of a newer minor: their values are skipped. */
	d->c.prev_ts = ev->ts;
	it->kind = REC_ITEM_EVENT;
	return 1;
}

static int dec_event(struct rec_dec *d, uint8_t tag, struct rec_item *it)
{
	struct rec_codec *c = &d->c;
	struct rd r = {d->p, d->end};
	struct gev *ev = &it->ev;
	uint8_t g, gcode, tcode, pred;
	uint64_t v, xf = 0;
	int rank = -1, trank = -1;
	bool reason, create, pm;

	if (!d->in_frame)
		return -EBADMSG;
	/* Field by field, not memset: this is the hot loop of replay. */
	ev->kind = TAG_KIND(tag) == 1 ? GEV_CREATE : TAG_KIND(tag) == 2 ? GEV_STATE : GEV_EXIT;
	ev->inferred = tag & TAG_INFERRED;
	ev->reason_str = NULL;
	ev->parent = ev->startpc = ev->gopc = 0;
	ev->func = ev->created_by = ev->file = NULL;
	ev->line = 0;
	/* P and M, and the fields of other kinds of events, close the struct. */
	memset(&ev->has_pm, 0, sizeof(*ev) - offsetof(struct gev, has_pm));
	if (!get_u8(&r, &g) || !get_varint(&r, &v))
		return -EBADMSG;
	ev->ts = c->prev_ts + (uint64_t)unzz(v);
	gcode = g >> 3;
	tcode = g & 7;
	if (gcode < G_NEXT) {
		if (gcode >= c->n_mtf)
			return -EBADMSG;
		rank = gcode;
		ev->pid = c->mtf[rank].pid;
		ev->goid = c->mtf_goid[rank];
	} else if (gcode == G_NEXT) {
		ev->pid = c->prev_pid;
		ev->goid = c->prev_create_goid + 1;
	} else if (gcode == G_DELTA) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		ev->pid = c->prev_pid;
		ev->goid = c->prev_goid + (uint64_t)unzz(v);
	} else if (gcode == G_FULL) {
		if (!get_u32v(&r, &ev->pid) || !get_varint(&r, &ev->goid))
			return -EBADMSG;
	} else {
		return -EBADMSG;
	}
	if (tcode < T_FULL) {
		if (tcode >= c->n_tids)
			return -EBADMSG;
		trank = tcode;
		ev->tid = c->tids[trank].tid;
	} else if (!get_u32v(&r, &ev->tid)) {
		return -EBADMSG;
	}
	ev->to = tag & 15;
	if (ev->to == TAG_TO_ESCAPE && !get_u8(&r, &ev->to))
		return -EBADMSG;
	if ((tag & TAG_EXTENDED) && (!get_varint(&r, &xf) || !xf || (xf & ~(uint64_t)XF_ALL)))
		return -EBADMSG;
	pred = predict_from(c, ev->kind, rank);
	if (xf & XF_FROM) {
		if (!get_u8(&r, &ev->from))
			return -EBADMSG;
	} else if (pred == NO_PREDICTION) {
		return -EBADMSG;
	} else {
		ev->from = pred;
	}
	reason = default_reason(ev->kind, ev->to) ^ !!(xf & XF_REASON);
	ev->reason = GEV_NO_REASON;
	if (reason) {
		if (!get_intv(&r, &ev->reason) || !get_varint(&r, &v))
			return -EBADMSG;
		ev->reason_str = dict_str(d->dict, v);
	}
	create = (ev->kind == GEV_CREATE) ^ !!(xf & XF_CREATE);
	if (create) {
		const struct rec_site *s;

		if (!get_varint(&r, &v))
			return -EBADMSG;
		s = rec_dict__site(d->dict, v);
		if (s) {
			ev->startpc = s->startpc;
			ev->gopc = s->gopc;
			ev->func = s->func;
			ev->created_by = s->created_by;
			ev->file = s->file;
			ev->line = s->line;
		} else if (v) {
			d->dict->missing++;
		}
		if (!get_varint(&r, &v))
			return -EBADMSG;
		ev->parent = ev->goid - (uint64_t)unzz(v);
	}
	if (xf & XF_PM) {
		int32_t pp = trank >= 0 ? c->tids[trank].p : 0;
		int64_t pm_m = trank >= 0 ? c->tids[trank].m : 0;
		uint64_t v2;

		if (!get_varint(&r, &v) || !get_varint(&r, &v2))
			return -EBADMSG;
		ev->has_pm = v & 1;
		ev->p = (int32_t)((uint32_t)pp + (uint32_t)unzz(v >> 1));
		ev->m = (int64_t)((uint64_t)pm_m + (uint64_t)unzz(v2));
	} else if (default_pm(c, ev->kind, ev->to)) {
		if (trank < 0)
			return -EBADMSG; /* nothing to predict from */
		ev->has_pm = true;
		ev->p = c->tids[trank].p;
		ev->m = c->tids[trank].m;
	}
	pm = has_pm_fields(ev);
	codec_after(c, ev, rank, trank, pm);
	d->p = r.p;
	it->kind = REC_ITEM_EVENT;
	return 1;
}

/* TAIL: a METERS record, whose payload may end with the sampling fields (1.1). */
static bool get_meters(struct rd *r, uint64_t base, struct xg_meters *m, bool tail)
{
	uint64_t v, len;

	memset(m, 0, sizeof(*m));
	if (!get_varint(r, &v))
		return false;
	m->ts = base + (uint64_t)unzz(v);
	if (!get_f64(r, &m->rps) || !get_f64(r, &m->pps) || !get_varint(r, &m->ewp) ||
	    !get_f64(r, &m->prc_ns) || !get_varint(r, &m->drops) || !get_f64(r, &m->drops_per_s) ||
	    !get_f64(r, &m->lat_ns) || !get_f64(r, &m->ovh_pct))
		return false;
	if (!tail || r->p >= r->end)
		return true;
	if (!get_f64(r, &m->goroutine_rate) || !get_varint(r, &len) ||
	    len > (uint64_t)(r->end - r->p) || len >= sizeof(m->sample))
		return false;
	memcpy(m->sample, r->p, len);
	m->sample[len] = '\0';
	r->p += len;
	return true;
}

/* Time per state that the closed spans of S (N of them, oldest first) account for. */
static void spans_time(const struct gstate_span *s, uint32_t n, uint64_t out[GT_NSTATES])
{
	uint32_t i;

	memset(out, 0, sizeof(uint64_t) * GT_NSTATES);
	for (i = 0; i + 1 < n; i++)
		if (s[i].state < GT_NSTATES)
			out[s[i].state] += s[i + 1].start - s[i].start;
}

/*
 * A keyframe entry (docs/FORMAT.md): deltas to the previous entry of the
 * record and to its own spans, so that what the spans already say (when it
 * started, exited, entered its state, the time per state they cover) costs
 * nothing. Most entries are short-lived goroutines kept after their exit.
 */
static int dec_kf_entry(struct rec_dec *d, struct rec_item *it)
{
	struct rd r = {d->p, d->kf_end};
	struct rec_kf_entry *e = &it->kf;
	uint64_t flags, v, mask, t;
	uint32_t i, n;
	uint8_t s;

	memset(e, 0, sizeof(*e));
	e->reason = GEV_NO_REASON;
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->pid = d->kf_pid + (uint32_t)unzz(v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->goid = d->kf_goid + (uint64_t)unzz(v);
	if (!get_varint(&r, &flags) || (flags & ~31ull) || !get_varint(&r, &v))
		return -EBADMSG;
	e->parent = d->kf_parent + (uint64_t)unzz(v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->func = dict_str(d->dict, v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->created_by = dict_str(d->dict, v);
	if (!get_varint(&r, &v))
		return -EBADMSG;
	e->file = dict_str(d->dict, v);
	if (!get_intv(&r, &e->line) || !get_varint(&r, &e->transitions) || !get_u8(&r, &e->state))
		return -EBADMSG;
	if (flags & 4) {
		if (!get_intv(&r, &e->reason) || !get_varint(&r, &v))
			return -EBADMSG;
		e->reason_str = dict_str(d->dict, v);
	}
	if (!get_u32v(&r, &n) || n > REC_MAX_SPANS)
		return -EBADMSG;
	t = d->kf_start;
	for (i = 0; i < n; i++) {
		if (!get_u8(&r, &s) || !get_varint(&r, &v))
			return -EBADMSG;
		t += (uint64_t)unzz(v);
		d->spans[i] = (struct gstate_span){.start = t, .state = s};
		if (!i)
			d->kf_start = t;
	}
	/* Without spans (the table could not keep any), times are relative to the keyframe. */
	t = n ? d->spans[0].start : d->kf_ts;
	if (flags & 1) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->created_ts = t + (uint64_t)unzz(v);
	}
	t = n ? d->spans[n - 1].start : d->kf_ts;
	if (flags & 2) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->exited_ts = t + (uint64_t)unzz(v);
	}
	e->state_since = t;
	if (flags & 8) {
		if (!get_varint(&r, &v))
			return -EBADMSG;
		e->state_since = t + (uint64_t)unzz(v);
	}
	spans_time(d->spans, n, e->ns_in_state);
	if (flags & 16) {
		if (!get_varint(&r, &mask) || mask >= (1ull << GT_NSTATES))
			return -EBADMSG;
		for (i = 0; i < GT_NSTATES; i++) {
			if (!((mask >> i) & 1))
				continue;
			if (!get_varint(&r, &v))
				return -EBADMSG;
			e->ns_in_state[i] += (uint64_t)unzz(v);
		}
	}
	e->n_spans = n;
	e->spans = d->spans;
	d->kf_pid = e->pid;
	d->kf_goid = e->goid;
	d->kf_parent = e->parent;
	d->p = r.p;
	if (--d->kf_left == 0)
		d->p = d->kf_end; /* what a newer minor appends to a chunk */
	it->kind = REC_ITEM_KF_ENTRY;
	return 1;
}

static int dec_ctl(struct rec_dec *d, uint8_t type, struct rd pl, struct rec_item *it)
{
	uint64_t id, v;
	int err;

	switch (type) {
	case REC_CTL_FRAME:
		if (!get_varint(&pl, &it->frame_seq) || !get_varint(&pl, &it->frame_base_ts))
			return -EBADMSG;
		codec_reset(&d->c, it->frame_base_ts);
		d->in_frame = true;
		it->kind = REC_ITEM_FRAME;
		return 1;
	case REC_CTL_STRING:
		if (!get_varint(&pl, &id) || pl.end - pl.p > REC_MAX_STRING)
			return -EBADMSG;
		err = dict_add_str(d->dict, id, pl.p, pl.end - pl.p);
		if (err)
			return err;
		it->kind = REC_ITEM_DICT;
		return 1;
	case REC_CTL_SITE: {
		struct rec_site s = {0};

		if (!get_varint(&pl, &id) || !get_varint(&pl, &s.startpc) ||
		    !get_varint(&pl, &s.gopc) || !get_varint(&pl, &v))
			return -EBADMSG;
		s.func = dict_str(d->dict, v);
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		s.created_by = dict_str(d->dict, v);
		if (!get_varint(&pl, &v))
			return -EBADMSG;
		s.file = dict_str(d->dict, v);
		if (!get_intv(&pl, &s.line))
			return -EBADMSG;
		err = dict_add_site(d->dict, id, &s);
		if (err)
			return err;
		it->kind = REC_ITEM_DICT;
		return 1;
	}
	case REC_CTL_METERS:
		if (!d->in_frame || !get_meters(&pl, d->c.base_ts, &it->meters, true))
			return -EBADMSG;
		it->kind = REC_ITEM_METERS;
		return 1;
	case REC_CTL_KEYFRAME:
		if (!d->in_frame || !get_varint(&pl, &it->kf_ts) || !get_varint(&pl, &v))
			return -EBADMSG;
		it->kf_first = v & 1;
		it->has_meters = v & 2;
		if (it->has_meters && !get_meters(&pl, d->c.base_ts, &it->meters, false))
			return -EBADMSG;
		if (!get_varint(&pl, &d->kf_left) || d->kf_left > (uint64_t)(pl.end - pl.p))
			return -EBADMSG;
		d->kf_ts = it->kf_ts;
		d->kf_end = pl.end;
		d->kf_pid = 0;
		d->kf_goid = d->kf_parent = 0;
		d->kf_start = it->kf_ts;
		if (!d->kf_left)
			d->p = pl.end;
		else
			d->p = pl.p;
		it->kind = REC_ITEM_KEYFRAME;
		return 1;
	case REC_CTL_END:
		if (!get_varint(&pl, &it->total_events))
			return -EBADMSG;
		it->kind = REC_ITEM_END;
		return 1;
	case REC_CTL_EVENT:
		return dec_full_event(d, pl, it);
	case REC_CTL_HEADER:
		/* Only in the header frame, which rec_header__parse reads. */
		return -EBADMSG;
	default:
		it->kind = REC_ITEM_UNKNOWN;
		return 1;
	}
}

int rec_dec__next(struct rec_dec *d, struct rec_item *it)
{
	struct rd r;
	uint64_t len;
	uint8_t tag;
	int ret;

	if (d->kf_left)
		return dec_kf_entry(d, it);
	r = (struct rd){d->p, d->end};
	if (!get_u8(&r, &tag))
		return 0;
	if (TAG_KIND(tag)) {
		d->p = r.p;
		ret = dec_event(d, tag, it);
		if (ret < 0)
			d->p--;
		return ret;
	}
	if (!tag || !get_varint(&r, &len) || len > (uint64_t)(r.end - r.p))
		return -EBADMSG;
	d->p = r.p + len;
	ret = dec_ctl(d, tag, (struct rd){r.p, r.p + len}, it);
	if (ret < 0)
		d->p = r.p;
	return ret;
}

/* ---- the writer's dictionary: content-keyed, ids in order of first use ------------ */

struct wsite {
	uint64_t startpc, gopc;
	uint32_t func, created_by, file;
	int line;
};

struct wdict {
	char **str; /* id - 1 */
	uint64_t *str_hash;
	uint32_t n_str, cap_str;
	uint32_t *str_idx; /* open addressing: id or 0 */
	uint32_t str_mask;
	struct wsite *site;
	uint64_t *site_hash;
	uint32_t n_site, cap_site;
	uint32_t *site_idx;
	uint32_t site_mask;
};

static uint64_t hash_bytes(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	size_t i;

	/* FNV-1a, then a finalizer so that the low bits index well. */
	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static int index_rehash(uint32_t **idx, uint32_t *mask, const uint64_t *hashes, uint32_t n)
{
	uint32_t cap = *mask ? (*mask + 1) * 2 : 1024, i;
	uint32_t *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		uint32_t pos = (uint32_t)hashes[i] & (cap - 1);

		while (v[pos])
			pos = (pos + 1) & (cap - 1);
		v[pos] = i + 1;
	}
	free(*idx);
	*idx = v;
	*mask = cap - 1;
	return 0;
}

/* The id of S (0 for NULL); *NEW set when it was just added. 0 and *NEW false on ENOMEM too. */
static uint32_t wdict_str(struct wdict *d, const char *s, bool *added, int *err)
{
	size_t n;
	uint64_t h;
	uint32_t pos;

	*added = false;
	if (!s)
		return 0;
	n = strlen(s);
	if (n > REC_MAX_STRING)
		n = REC_MAX_STRING; /* a reader would refuse more; no real name is this long */
	h = hash_bytes(s, n);
	if (d->str_mask) {
		for (pos = (uint32_t)h & d->str_mask; d->str_idx[pos];
		     pos = (pos + 1) & d->str_mask) {
			uint32_t id = d->str_idx[pos];

			if (d->str_hash[id - 1] == h && !strncmp(d->str[id - 1], s, n) &&
			    d->str[id - 1][n] == '\0')
				return id;
		}
	}
	if (d->n_str == d->cap_str) {
		uint32_t cap = d->cap_str ? d->cap_str * 2 : 256;
		char **v = realloc(d->str, cap * sizeof(*v));
		uint64_t *hv;

		if (!v)
			goto oom;
		d->str = v;
		hv = realloc(d->str_hash, cap * sizeof(*hv));
		if (!hv)
			goto oom;
		d->str_hash = hv;
		d->cap_str = cap;
	}
	d->str[d->n_str] = strndup(s, n);
	if (!d->str[d->n_str])
		goto oom;
	d->str_hash[d->n_str] = h;
	d->n_str++;
	if ((uint64_t)d->n_str * 2 > (uint64_t)d->str_mask + 1) {
		if (index_rehash(&d->str_idx, &d->str_mask, d->str_hash, d->n_str)) {
			free(d->str[--d->n_str]);
			goto oom;
		}
	} else {
		for (pos = (uint32_t)h & d->str_mask; d->str_idx[pos];
		     pos = (pos + 1) & d->str_mask)
			;
		d->str_idx[pos] = d->n_str;
	}
	*added = true;
	return d->n_str;
oom:
	*err = -ENOMEM;
	return 0;
}

static uint32_t wdict_site(struct wdict *d, const struct wsite *s, bool *added, int *err)
{
	uint64_t h = hash_bytes(s, sizeof(*s));
	uint32_t pos;

	*added = false;
	if (d->site_mask) {
		for (pos = (uint32_t)h & d->site_mask; d->site_idx[pos];
		     pos = (pos + 1) & d->site_mask) {
			uint32_t id = d->site_idx[pos];

			if (d->site_hash[id - 1] == h && !memcmp(&d->site[id - 1], s, sizeof(*s)))
				return id;
		}
	}
	if (d->n_site == d->cap_site) {
		uint32_t cap = d->cap_site ? d->cap_site * 2 : 256;
		struct wsite *v = realloc(d->site, cap * sizeof(*v));
		uint64_t *hv;

		if (!v)
			goto oom;
		d->site = v;
		hv = realloc(d->site_hash, cap * sizeof(*hv));
		if (!hv)
			goto oom;
		d->site_hash = hv;
		d->cap_site = cap;
	}
	d->site[d->n_site] = *s;
	d->site_hash[d->n_site] = h;
	d->n_site++;
	if ((uint64_t)d->n_site * 2 > (uint64_t)d->site_mask + 1) {
		if (index_rehash(&d->site_idx, &d->site_mask, d->site_hash, d->n_site)) {
			d->n_site--;
			goto oom;
		}
	} else {
		for (pos = (uint32_t)h & d->site_mask; d->site_idx[pos];
		     pos = (pos + 1) & d->site_mask)
			;
		d->site_idx[pos] = d->n_site;
	}
	*added = true;
	return d->n_site;
oom:
	*err = -ENOMEM;
	return 0;
}

static void wdict_free(struct wdict *d)
{
	uint32_t i;

	for (i = 0; i < d->n_str; i++)
		free(d->str[i]);
	free(d->str);
	free(d->str_hash);
	free(d->str_idx);
	free(d->site);
	free(d->site_hash);
	free(d->site_idx);
	memset(d, 0, sizeof(*d));
}

static void put_string_def(struct buf *b, struct buf *scratch, uint32_t id, const char *s)
{
	scratch->len = 0;
	put_varint(scratch, id);
	put_bytes(scratch, s, strlen(s));
	put_ctl(b, REC_CTL_STRING, scratch);
}

static void put_site_def(struct buf *b, struct buf *scratch, uint32_t id, const struct wsite *s)
{
	scratch->len = 0;
	put_varint(scratch, id);
	put_varint(scratch, s->startpc);
	put_varint(scratch, s->gopc);
	put_varint(scratch, s->func);
	put_varint(scratch, s->created_by);
	put_varint(scratch, s->file);
	put_varint(scratch, zz(s->line));
	put_ctl(b, REC_CTL_SITE, scratch);
}

/* ---- the writer ------------------------------------------------------------- */

struct unit {
	uint8_t *buf; /* info skippable frame + data frame, as written */
	size_t len;
	struct rec_frame_info fi;
};

struct idx_entry {
	uint64_t off;
	uint64_t events_before;
	struct rec_frame_info fi;
};

struct record_writer {
	struct record_opts o;
	char *path;
	char *dir;
	int fd;
	int file_err;
	uint64_t file_off;
	struct idx_entry *idx;
	size_t n_idx, cap_idx;

	struct rec_header hdr; /* what record__begin wrote, for flight-recorder saves */
	bool begun;
	ZSTD_CCtx *cctx;
	struct buf frame, scratch, kf, out;
	struct rec_codec c;
	struct wdict dict;

	/* The frame being filled. */
	struct rec_frame_info fi;
	bool fi_has_ts;
	uint32_t seq;
	uint64_t n_content; /* records other than FRAME and KEYFRAME */
	uint64_t first_content_ts;
	uint64_t max_ts; /* largest timestamp written so far */
	uint64_t last_kf_ts;
	uint64_t kf_bytes;  /* compressed size of the last keyframe's frames */
	uint64_t kf_events; /* events written before it */
	bool kf_continues;  /* a keyframe is being split over frames */

	/* The flight recorder: whole frames, oldest first, from a keyframe on. */
	struct unit *ring;
	size_t ring_head, ring_n, ring_cap;
	uint64_t ring_bytes;
	uint64_t group_bytes; /* since the last keyframe */

	struct xg_meters meters;
	bool have_meters;
	const struct gentry **kf_entries;
	size_t kf_cap;
	struct record_stats st;
};

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		ssize_t r = write(fd, p, n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += r;
		n -= r;
	}
	return 0;
}

/* Give a file created as root under sudo to the user who ran sudo. */
static void chown_to_sudo_user(int fd)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char *end;
	unsigned long uid, gid;

	if (geteuid() != 0 || !u || !g)
		return;
	errno = 0;
	uid = strtoul(u, &end, 10);
	if (errno || *end || end == u)
		return;
	gid = strtoul(g, &end, 10);
	if (errno || *end || end == g)
		return;
	/* Best effort: the recording is complete either way. */
	if (fchown(fd, (uid_t)uid, (gid_t)gid))
		return;
}

int record__create_file(const char *path, bool force)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	int fd;

	flags |= force ? O_TRUNC : O_EXCL;
	fd = open(path, flags, 0644);
	if (fd < 0)
		return -errno;
	chown_to_sudo_user(fd);
	return fd;
}

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
		w->fd = record__create_file(w->path, opts->force);
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
static int make_unit(struct record_writer *w, const struct buf *raw, struct rec_frame_info *fi)
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
		struct idx_entry *v = realloc(w->idx, cap * sizeof(*v));

		if (!v)
			return w->file_err = -ENOMEM;
		w->idx = v;
		w->cap_idx = cap;
	}
	err = write_all(w->fd, p, n);
	if (err)
		return w->file_err = err;
	if (fi) {
		w->idx[w->n_idx] = (struct idx_entry){.off = w->file_off, .fi = *fi};
		w->idx[w->n_idx].events_before = w->n_idx ? w->idx[w->n_idx - 1].events_before +
								    w->idx[w->n_idx - 1].fi.n_events
							  : 0;
		w->n_idx++;
	}
	w->file_off += n;
	w->st.file_bytes += n;
	return 0;
}

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

static int ring_push(struct record_writer *w, const uint8_t *p, size_t n,
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

static void frame_ts(struct record_writer *w, uint64_t ts)
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

static int cmp_entry(const void *pa, const void *pb)
{
	const struct gentry *a = *(const struct gentry *const *)pa;
	const struct gentry *b = *(const struct gentry *const *)pb;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->goid < b->goid ? -1 : a->goid > b->goid;
}

static int frame_begin(struct record_writer *w, uint64_t base_ts, bool keyframe);
static int frame_finish(struct record_writer *w, uint32_t extra_flags, bool last);

struct kf_collect {
	struct record_writer *w;
	uint64_t ts;
	size_t n;
	int err;
};

static int kf_collect(const struct gentry *e, void *ctx)
{
	struct kf_collect *k = ctx;
	struct record_writer *w = k->w;

	/*
	 * Live goroutines only. Replay restores a keyframe only to show a time at
	 * least keep_exited_ns after it: goroutines that had exited by the keyframe
	 * have expired from the table by then, and the others are replayed. A busy
	 * server keeps far more exited goroutines than live ones.
	 */
	if (e->exited_ts)
		return 0;
	if (k->n == w->kf_cap) {
		size_t cap = w->kf_cap ? w->kf_cap * 2 : 1024;
		const struct gentry **v = realloc(w->kf_entries, cap * sizeof(*v));

		if (!v) {
			k->err = -ENOMEM;
			return 1;
		}
		w->kf_entries = v;
		w->kf_cap = cap;
	}
	w->kf_entries[k->n++] = e;
	return 0;
}

/* The string's id, its definition put in the frame when new. */
static uint32_t frame_str(struct record_writer *w, const char *s, int *err)
{
	bool added;
	uint32_t id = wdict_str(&w->dict, s, &added, err);

	if (added) {
		if (!w->fi.str_n)
			w->fi.str_first = id;
		w->fi.str_n++;
		put_string_def(&w->frame, &w->scratch, id, w->dict.str[id - 1]);
	}
	return id;
}

/* TAIL: a METERS record: the sampling fields follow (1.1; not in keyframes). */
static void put_meters(struct buf *b, uint64_t base, const struct xg_meters *m, bool tail)
{
	size_t len = strnlen(m->sample, sizeof(m->sample) - 1);

	put_varint(b, zz((int64_t)(m->ts - base)));
	put_f64(b, m->rps);
	put_f64(b, m->pps);
	put_varint(b, m->ewp);
	put_f64(b, m->prc_ns);
	put_varint(b, m->drops);
	put_f64(b, m->drops_per_s);
	put_f64(b, m->lat_ns);
	put_f64(b, m->ovh_pct);
	if (!tail)
		return;
	put_f64(b, m->goroutine_rate);
	put_varint(b, len);
	put_bytes(b, m->sample, len);
}

struct kf_ctx {
	uint32_t pid;
	uint64_t goid, parent, start;
};

static void kf_put_entry(struct record_writer *w, struct buf *b, struct kf_ctx *k,
			 const struct gentry *e, uint64_t ts, int *err)
{
	uint32_t f = frame_str(w, e->func, err), cb = frame_str(w, e->created_by, err);
	uint32_t file = frame_str(w, e->file, err);
	bool reason = e->reason != GEV_NO_REASON || e->reason_str;
	uint32_t rs = reason ? frame_str(w, e->reason_str, err) : 0;
	uint32_t n = e->n_spans > REC_MAX_SPANS ? REC_MAX_SPANS : e->n_spans, i;
	struct gstate_span spans[REC_MAX_SPANS];
	uint64_t covered[GT_NSTATES], mask = 0, first, last, flags;

	for (i = 0; i < n; i++)
		spans[i] = *gentry__span(e, e->n_spans - n + i);
	first = n ? spans[0].start : ts;
	last = n ? spans[n - 1].start : ts;
	spans_time(spans, n, covered);
	for (i = 0; i < GT_NSTATES; i++)
		if (e->ns_in_state[i] != covered[i])
			mask |= 1ull << i;
	flags = (e->created_ts ? 1 : 0) | (e->exited_ts ? 2 : 0) | (reason ? 4 : 0) |
		(e->state_since != last ? 8 : 0) | (mask ? 16 : 0);

	put_varint(b, zz((int32_t)(e->pid - k->pid)));
	put_varint(b, zz((int64_t)(e->goid - k->goid)));
	put_varint(b, flags);
	put_varint(b, zz((int64_t)(e->parent - k->parent)));
	put_varint(b, f);
	put_varint(b, cb);
	put_varint(b, file);
	put_varint(b, zz(e->line));
	put_varint(b, e->transitions);
	put_u8(b, e->state);
	if (reason) {
		put_varint(b, zz(e->reason));
		put_varint(b, rs);
	}
	put_varint(b, n);
	for (i = 0; i < n; i++) {
		put_u8(b, spans[i].state);
		put_varint(b, zz((int64_t)(spans[i].start - (i ? spans[i - 1].start : k->start))));
	}
	if (n)
		k->start = spans[0].start;
	if (e->created_ts)
		put_varint(b, zz((int64_t)(e->created_ts - first)));
	if (e->exited_ts)
		put_varint(b, zz((int64_t)(e->exited_ts - last)));
	if (flags & 8)
		put_varint(b, zz((int64_t)(e->state_since - last)));
	if (mask) {
		put_varint(b, mask);
		for (i = 0; i < GT_NSTATES; i++)
			if ((mask >> i) & 1)
				put_varint(b, zz((int64_t)(e->ns_in_state[i] - covered[i])));
	}
	k->pid = e->pid;
	k->goid = e->goid;
	k->parent = e->parent;
}

static void kf_flush_chunk(struct record_writer *w, uint64_t ts, bool first, size_t n)
{
	w->scratch.len = 0;
	put_varint(&w->scratch, ts);
	put_varint(&w->scratch, (first ? 1 : 0) | (first && w->have_meters ? 2 : 0));
	if (first && w->have_meters)
		put_meters(&w->scratch, w->c.base_ts, &w->meters, false);
	put_varint(&w->scratch, n);
	put_bytes(&w->scratch, w->kf.p, w->kf.len);
	if (w->kf.oom)
		w->scratch.oom = true;
	put_ctl(&w->frame, REC_CTL_KEYFRAME, &w->scratch);
	w->kf.len = 0;
}

/*
 * A keyframe: the state table as the events so far left it, sorted by
 * (pid, goid). Strings it needs are defined first, in the same frame.
 */
static int put_keyframe(struct record_writer *w, uint64_t ts)
{
	struct kf_collect k = {.w = w, .ts = ts};
	struct kf_ctx kc = {.start = ts};
	size_t i, n = 0;
	bool first = true;
	int err = 0;

	if (w->o.table)
		gtable__for_each(w->o.table, kf_collect, &k);
	if (k.err)
		return k.err;
	if (k.n > 1)
		qsort(w->kf_entries, k.n, sizeof(*w->kf_entries), cmp_entry);
	w->kf.len = 0;
	w->fi.flags |= REC_FF_KEYFRAME;
	w->fi.kf_ts = ts;
	frame_ts(w, ts);
	w->last_kf_ts = ts;
	w->kf_events = w->st.events;
	w->group_bytes = 0;
	w->st.keyframes++;
	w->kf_continues = true;
	for (i = 0; i < k.n && !err; i++) {
		/* String definitions go to the frame before the chunk that uses them. */
		kf_put_entry(w, &w->kf, &kc, w->kf_entries[i], ts, &err);
		n++;
		if (w->kf.len < KF_CHUNK_BYTES)
			continue;
		kf_flush_chunk(w, ts, first, n);
		first = false;
		n = 0;
		kc = (struct kf_ctx){.start = ts};
		/* A big table continues in the next frames: no frame grows without bound. */
		if (w->frame.len >= 4 * w->o.frame_bytes && i + 1 < k.n)
			err = frame_finish(w, 0, true);
		if (!err && !w->frame.len) {
			err = frame_begin(w, ts, false);
			frame_ts(w, ts);
		}
	}
	if (!err && (first || n))
		kf_flush_chunk(w, ts, first, n);
	w->kf_continues = false;
	if (err)
		return err;
	return w->frame.oom ? -ENOMEM : 0;
}

static int frame_begin(struct record_writer *w, uint64_t base_ts, bool keyframe)
{
	w->frame.len = 0;
	w->frame.oom = false;
	memset(&w->fi, 0, sizeof(w->fi));
	w->fi_has_ts = false;
	w->fi.seq = w->seq;
	w->n_content = 0;
	w->scratch.len = 0;
	put_varint(&w->scratch, w->seq);
	put_varint(&w->scratch, base_ts);
	put_ctl(&w->frame, REC_CTL_FRAME, &w->scratch);
	codec_reset(&w->c, base_ts);
	return keyframe ? put_keyframe(w, base_ts) : 0;
}

/* Compress the frame and hand it to the sinks; the next one begins right away unless LAST. */
static int frame_finish(struct record_writer *w, uint32_t extra_flags, bool last)
{
	uint64_t elapsed;
	bool kf;
	int err, ferr;

	w->fi.flags |= extra_flags;
	err = make_unit(w, &w->frame, &w->fi);
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
	err = ring_push(w, w->out.p, w->out.len, &w->fi);
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
		err = frame_begin(w, w->max_ts, kf);
	return ferr ? ferr : err;
}

static int cut_if_due(struct record_writer *w, uint64_t now)
{
	if (!w->n_content)
		return 0;
	if (w->frame.len < w->o.frame_bytes && now < w->first_content_ts + w->o.frame_ns)
		return 0;
	return frame_finish(w, 0, false);
}

static void content_added(struct record_writer *w, uint64_t ts)
{
	if (!w->n_content++)
		w->first_content_ts = ts;
	frame_ts(w, ts);
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
		format_offsets(m->off, offsets, sizeof(offsets));
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

		put_bytes(&raw, REC_MAGIC, REC_MAGIC_LEN);
		put_u8(&raw, REC_MAJOR & 0xff);
		put_u8(&raw, REC_MAJOR >> 8);
		put_u8(&raw, REC_MINOR & 0xff);
		put_u8(&raw, REC_MINOR >> 8);
		w->scratch.len = 0;
		encode_header(&w->scratch, h);
		put_ctl(&raw, REC_CTL_HEADER, &w->scratch);
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
	return frame_begin(w, h->mono_ns, true);
}

/* The full form (see dec_full_event): any kind, any field. */
static int put_full_event(struct record_writer *w, const struct gev *ev)
{
	uint64_t bits = 0, vals[N_FULL_FIELDS];
	size_t i;
	int err = 0;

	if (ev->kind <= 0)
		return -EINVAL;
	for (i = 0; i < N_FULL_FIELDS; i++) {
		const struct fdesc *f = &full_fields[i];

		vals[i] = fd_value(ev, f);
		if (f->type == FD_STR && vals[i]) {
			const char *str;

			memcpy(&str, (const char *)ev + f->off, sizeof(str));
			vals[i] = frame_str(w, str, &err);
		}
		if (vals[i])
			bits |= 1ull << (i + 1);
	}
	if (err)
		return err;
	if (ev->ts != w->c.prev_ts)
		bits |= 1;
	w->scratch.len = 0;
	put_varint(&w->scratch, (uint64_t)ev->kind);
	put_varint(&w->scratch, bits);
	if (bits & 1)
		put_varint(&w->scratch, zz((int64_t)(ev->ts - w->c.prev_ts)));
	for (i = 0; i < N_FULL_FIELDS; i++)
		if (vals[i])
			put_varint(&w->scratch,
				   full_fields[i].type == FD_S ? zz((int64_t)vals[i]) : vals[i]);
	put_ctl(&w->frame, REC_CTL_EVENT, &w->scratch);
	w->c.prev_ts = ev->ts;
	return w->frame.oom ? -ENOMEM : 0;
}

/* The compact form has no place for the fields of allocations, GC and histograms. */
static bool needs_full_form(const struct gev *ev)
{
	static const char zeros[sizeof(struct gev)];
	size_t i, tail = full_fields[FIRST_FULL_ONLY].off;

	if (ev->kind != GEV_CREATE && ev->kind != GEV_STATE && ev->kind != GEV_EXIT)
		return true;
	/* Those fields close the struct: all-zero bytes are the common case, checked at once. */
	if (!memcmp((const char *)ev + tail, zeros, sizeof(struct gev) - tail))
		return false;
	for (i = FIRST_FULL_ONLY; i < N_FULL_FIELDS; i++)
		if (fd_value(ev, &full_fields[i]))
			return true;
	return false;
}

int record__event(struct record_writer *w, const struct gev *ev)
{
	struct rec_codec *c = &w->c;
	uint8_t tag, kind, gcode, tcode, pred, *p;
	uint32_t rs = 0, site = 0;
	int rank, trank, err = 0;
	bool reason, create, pm;
	uint64_t xf = 0;

	if (!w->begun)
		return -EINVAL;
	if (needs_full_form(ev)) {
		err = put_full_event(w, ev);
		if (err)
			return err;
		goto done;
	}
	kind = ev->kind == GEV_CREATE ? 1 : ev->kind == GEV_STATE ? 2 : 3;
	reason = has_reason(ev);
	create = has_create_fields(ev);
	/* Definitions first: they must precede the event that uses them. */
	if (reason)
		rs = frame_str(w, ev->reason_str, &err);
	if (create) {
		struct wsite s = {.startpc = ev->startpc, .gopc = ev->gopc, .line = ev->line};
		bool added;

		s.func = frame_str(w, ev->func, &err);
		s.created_by = frame_str(w, ev->created_by, &err);
		s.file = frame_str(w, ev->file, &err);
		site = wdict_site(&w->dict, &s, &added, &err);
		if (added) {
			if (!w->fi.site_n)
				w->fi.site_first = site;
			w->fi.site_n++;
			put_site_def(&w->frame, &w->scratch, site, &s);
		}
	}
	if (err)
		return err;

	rank = mtf_find(c, ev->pid, ev->goid);
	if (rank >= 0)
		gcode = (uint8_t)rank;
	else if (ev->pid == c->prev_pid && ev->goid == c->prev_create_goid + 1)
		gcode = G_NEXT;
	else if (ev->pid == c->prev_pid)
		gcode = G_DELTA;
	else
		gcode = G_FULL;
	trank = tid_find(c, ev->tid);
	tcode = trank >= 0 ? (uint8_t)trank : T_FULL;
	pred = predict_from(c, ev->kind, rank);
	/* A state of 255 is possible (a newer runtime): it never counts as a prediction. */
	if (pred == NO_PREDICTION || ev->from != pred)
		xf |= XF_FROM;
	if (reason != default_reason(ev->kind, ev->to))
		xf |= XF_REASON;
	if (create != (ev->kind == GEV_CREATE))
		xf |= XF_CREATE;
	/*
	 * P and M cost nothing when they are the default's: on a transition to
	 * running, those the thread had last; else absent. Otherwise they follow.
	 */
	pm = has_pm_fields(ev);
	if (default_pm(c, ev->kind, ev->to)
		    ? !(trank >= 0 && ev->has_pm && ev->p == c->tids[trank].p &&
			ev->m == c->tids[trank].m)
		    : pm)
		xf |= XF_PM;
	tag = kind << 6 | (ev->inferred ? TAG_INFERRED : 0) | (xf ? TAG_EXTENDED : 0) |
	      (ev->to < TAG_TO_ESCAPE ? ev->to : TAG_TO_ESCAPE);

	if (!buf_reserve(&w->frame, 128))
		return -ENOMEM;
	p = w->frame.p + w->frame.len;
	*p++ = tag;
	*p++ = gcode << 3 | tcode;
	p = wr_varint(p, zz((int64_t)(ev->ts - c->prev_ts)));
	if (gcode == G_DELTA)
		p = wr_varint(p, zz((int64_t)(ev->goid - c->prev_goid)));
	else if (gcode == G_FULL) {
		p = wr_varint(p, ev->pid);
		p = wr_varint(p, ev->goid);
	}
	if (tcode == T_FULL)
		p = wr_varint(p, ev->tid);
	if (ev->to >= TAG_TO_ESCAPE)
		*p++ = ev->to;
	if (xf) {
		*p++ = (uint8_t)xf;
		if (xf & XF_FROM)
			*p++ = ev->from;
	}
	if (reason) {
		p = wr_varint(p, zz(ev->reason));
		p = wr_varint(p, rs);
	}
	if (create) {
		p = wr_varint(p, site);
		p = wr_varint(p, zz((int64_t)(ev->goid - ev->parent)));
	}
	if (xf & XF_PM) {
		int32_t pp = trank >= 0 ? c->tids[trank].p : 0;
		int64_t pm_m = trank >= 0 ? c->tids[trank].m : 0;

		p = wr_varint(p, zz((int32_t)((uint32_t)ev->p - (uint32_t)pp)) << 1 | ev->has_pm);
		p = wr_varint(p, zz((int64_t)((uint64_t)ev->m - (uint64_t)pm_m)));
	}
	w->frame.len = p - w->frame.p;
	codec_after(c, ev, rank, trank, pm);
done:
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
	put_meters(&w->scratch, w->c.base_ts, m, true);
	put_ctl(&w->frame, REC_CTL_METERS, &w->scratch);
	if (w->frame.oom)
		return -ENOMEM;
	content_added(w, m->ts);
	return cut_if_due(w, m->ts);
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
	return frame_finish(w, 0, false);
}

/* The index skippable frame and the footer. */
static void put_index(struct buf *b, const struct idx_entry *e, size_t n, uint64_t index_off)
{
	uint64_t start = 0, end = 0, total = 0;
	uint8_t t[REC_INDEX_ENTRY];
	size_t i, content_start;

	put_bytes(b, (uint8_t[8]){0}, 8); /* skippable header, filled below */
	content_start = b->len;
	put_bytes(b, REC_INDEX_MAGIC, 4);
	put_u8(b, REC_MAJOR & 0xff);
	put_u8(b, REC_MAJOR >> 8);
	put_u8(b, REC_MINOR & 0xff);
	put_u8(b, REC_MINOR >> 8);
	le32(t, (uint32_t)n);
	put_bytes(b, t, 4);
	for (i = 0; i < n; i++) {
		const struct rec_frame_info *fi = &e[i].fi;

		le64(t, e[i].off);
		le64(t + 8, fi->first_ts);
		le64(t + 16, fi->last_ts);
		le64(t + 24, fi->kf_ts);
		le64(t + 32, e[i].events_before);
		le32(t + 40, fi->n_events);
		le32(t + 44, fi->flags);
		le32(t + 48, fi->str_first);
		le32(t + 52, fi->str_n);
		le32(t + 56, fi->site_first);
		le32(t + 60, fi->site_n);
		put_bytes(b, t, REC_INDEX_ENTRY);
		if (fi->first_ts || fi->last_ts) {
			if (!start || fi->first_ts < start)
				start = fi->first_ts;
			if (fi->last_ts > end)
				end = fi->last_ts;
		}
		total = e[i].events_before + fi->n_events;
	}
	put_le64(b, total);
	put_le64(b, start);
	put_le64(b, end);
	if (b->oom)
		return;
	le32(t, rec_crc32(b->p + content_start, b->len - content_start));
	put_bytes(b, t, 4);
	put_le64(b, index_off);
	put_bytes(b, REC_FOOTER_MAGIC, 8);
	if (b->oom)
		return;
	le32(b->p + content_start - 8, REC_SKIP_INDEX);
	le32(b->p + content_start - 4, (uint32_t)(b->len - content_start));
}

static int finish_file(struct record_writer *w)
{
	struct buf b = {0};
	int err;

	w->scratch.len = 0;
	put_varint(&w->scratch, w->st.events);
	put_ctl(&w->frame, REC_CTL_END, &w->scratch);
	w->n_content++;
	err = frame_finish(w, REC_FF_END, true);
	if (w->fd < 0 || w->file_err)
		return err ? err : w->file_err;
	put_index(&b, w->idx, w->n_idx, w->file_off);
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
	size_t i;

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
	for (i = 0; i < w->ring_n; i++)
		free(ring_at(w, i)->buf);
	free(w->ring);
	free(w->idx);
	free(w->kf_entries);
	buf_free(&w->frame);
	buf_free(&w->scratch);
	buf_free(&w->kf);
	buf_free(&w->out);
	wdict_free(&w->dict);
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

/* ---- flight recorder: saving the ring ---------------------------------------------- */

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
		put_string_def(raw, &w->scratch, i + 1, w->dict.str[i]);
	for (i = 0; i < w->dict.n_site; i++)
		put_site_def(raw, &w->scratch, i + 1, &w->dict.site[i]);
	memset(fi, 0, sizeof(*fi));
	fi->flags = REC_FF_DICT;
	fi->str_first = w->dict.n_str ? 1 : 0;
	fi->str_n = w->dict.n_str;
	fi->site_first = w->dict.n_site ? 1 : 0;
	fi->site_n = w->dict.n_site;
	return make_unit(w, raw, fi);
}

static int save_append(int fd, uint64_t *off, struct idx_entry **idx, size_t *n, const uint8_t *p,
		       size_t len, const struct rec_frame_info *fi)
{
	int err = write_all(fd, p, len);

	if (err)
		return err;
	if (fi) {
		struct idx_entry *e = &(*idx)[*n];

		*e = (struct idx_entry){.off = *off, .fi = *fi};
		e->events_before =
			*n ? (*idx)[*n - 1].events_before + (*idx)[*n - 1].fi.n_events : 0;
		(*n)++;
	}
	*off += len;
	return 0;
}

static int create_recent(struct record_writer *w, char *path, size_t path_len)
{
	const char *base = w->hdr.path ? strrchr(w->hdr.path, '/') : NULL;
	char stamp[32], name[96];
	struct tm tm;
	time_t now = time(NULL);
	int i, fd = -EEXIST;

	base = base ? base + 1 : w->hdr.path ? w->hdr.path : "session";
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
		fd = record__create_file(path, false);
	}
	return fd;
}

int record__save_recent(struct record_writer *w, char *path, size_t path_len)
{
	struct buf raw = {0}, hdr = {0}, idx_buf = {0};
	struct rec_frame_info fi;
	struct idx_entry *idx = NULL;
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
	put_bytes(&raw, REC_MAGIC, REC_MAGIC_LEN);
	put_u8(&raw, REC_MAJOR & 0xff);
	put_u8(&raw, REC_MAJOR >> 8);
	put_u8(&raw, REC_MINOR & 0xff);
	put_u8(&raw, REC_MINOR >> 8);
	w->hdr.flags |= REC_HF_RECENT;
	encode_header(&hdr, &w->hdr);
	w->hdr.flags &= ~(uint64_t)REC_HF_RECENT;
	put_ctl(&raw, REC_CTL_HEADER, &hdr);
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
	err = make_unit(w, &raw, &fi);
	if (!err)
		err = save_append(fd, &off, &idx, &n, w->out.p, w->out.len, &fi);
	if (err)
		goto cleanup;
	put_index(&idx_buf, idx, n, off);
	err = idx_buf.oom ? -ENOMEM : write_all(fd, idx_buf.p, idx_buf.len);
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
