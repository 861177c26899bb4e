// SPDX-License-Identifier: BSD-2-Clause
/*
 * The framing of a recording (docs/FORMAT.md): the header record, the
 * frame-info skippable frame before each data frame, the seek index and
 * the checksum over headers and indexes.
 */
#define _GNU_SOURCE
#include "rec_format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void rec_offsets__format(const struct xg_offsets *o, char *out, size_t len)
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

void rec_header__put(struct buf *raw, struct buf *payload, const struct rec_header *h)
{
	put_bytes(raw, REC_MAGIC, REC_MAGIC_LEN);
	put_u8(raw, REC_MAJOR & 0xff);
	put_u8(raw, REC_MAJOR >> 8);
	put_u8(raw, REC_MINOR & 0xff);
	put_u8(raw, REC_MINOR >> 8);
	payload->len = 0;
	encode_header(payload, h);
	put_ctl(raw, REC_CTL_HEADER, payload);
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

/* The index skippable frame and the footer. */
void rec_index__put(struct buf *b, const struct rec_idx_entry *e, size_t n, uint64_t index_off)
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
