/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Session recordings, docs/FORMAT.md: a zstd stream of independent frames,
 * each preceded by a small skippable frame that describes it, and a seek
 * index in a skippable frame at the end.
 *
 * This header owns the format. The data flow, by file:
 *   writing: writer.c cuts frames and hands them to its sinks, a file
 *            (--record) and the flight recorder's ring (flight.c); into a
 *            frame go events (encoder.c), the definitions of the strings
 *            and sites they use (wdict.c) and keyframes (keyframe.c);
 *   both:    format.c (header, frame info, index), codec.c, and the
 *            internal headers rec_bytes.h, rec_format.h;
 *   reading: decoder.c (records back to items, pure: buffers in, structs
 *            out) with dict.c; whole files are read by reader.c
 *            (rec_reader.h) and replayed by replay.c (replay.h).
 */
#ifndef XGOTOP_RECORD_H
#define XGOTOP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gevent.h"
#include "gtable.h"
#include "source.h"

struct xg_offsets;

/* Format version: a reader loads every minor of its major, and older majors. */
#define REC_MAJOR 1
#define REC_MINOR 4

/* The decompressed stream starts with these 8 bytes, then u16 major, u16 minor. */
#define REC_MAGIC     "XGOTOPRC"
#define REC_MAGIC_LEN 8
/* zstd skippable frames (0x184D2A50..5F): one before each data frame, one for the index. */
#define REC_SKIP_INFO	 0x184D2A5Bu
#define REC_SKIP_INDEX	 0x184D2A5Cu
#define REC_ZSTD_MAGIC	 0xFD2FB528u
#define REC_INFO_MAGIC	 "XGFI"
#define REC_INFO_SIZE	 72 /* content of the frame-info skippable frame */
#define REC_INDEX_MAGIC	 "XGIX"
#define REC_INDEX_ENTRY	 64
#define REC_FOOTER_MAGIC "XGSEEK01" /* the file's last 8 bytes when it has an index */
#define REC_FOOTER_SIZE	 16	    /* u64 offset of the index frame, then the magic */

/* Decoder limits: anything beyond is damage, not data. */
#define REC_MAX_FRAME_RAW (256u << 20)
#define REC_MAX_STRING	  (1u << 20)
#define REC_MAX_SPANS	  1024

/* Control records: tag byte 00tttttt, varint payload length, payload. */
enum rec_ctl {
	REC_CTL_HEADER = 1,
	REC_CTL_FRAME = 2,
	REC_CTL_STRING = 3,
	REC_CTL_SITE = 4,
	REC_CTL_METERS = 5,
	REC_CTL_KEYFRAME = 6,
	REC_CTL_END = 7,
	REC_CTL_EVENT =
		8, /* an event in full: kinds of its own, or fields the compact form lacks */
	REC_CTL_STACK = 9,  /* 1.3: a stack's frames, defined once per frame that uses it */
	REC_CTL_SWEEP = 10, /* 1.3: every goroutine's stack id at one sweep */
};

/* Header fields (varint key, varint length, bytes); unknown keys are skipped. */
enum rec_hdr_key {
	REC_HDR_TOOL = 1,    /* "xgotop-tui 0.1.0" */
	REC_HDR_WALL_NS = 2, /* CLOCK_REALTIME when recording started, ns */
	REC_HDR_MONO_NS = 3, /* CLOCK_MONOTONIC at the same instant: the events' clock */
	REC_HDR_PID = 4,     /* 0 with -b */
	REC_HDR_PATH = 5,
	REC_HDR_GO_VERSION = 6,
	REC_HDR_ARCH = 7,
	REC_HDR_MOD_PATH = 8,
	REC_HDR_PROBES = 9,
	REC_HDR_MODE = 10,	  /* "pid", "binary" or "launch" */
	REC_HDR_OFFSETS = 11,	  /* "g_goid=152,g_m=48,..." */
	REC_HDR_OFF_SOURCE = 12,  /* "dwarf", "table go1.22" */
	REC_HDR_WAIT_SOURCE = 13, /* "binary", "table go1.22" */
	REC_HDR_HOST = 14,	  /* hostname */
	REC_HDR_KERNEL = 15,	  /* uname -r */
	REC_HDR_FLAGS = 16,	  /* REC_HF_* */
	REC_HDR_KEEP_EXITED = 17, /* gtable_opts.keep_exited_ns of the recorder's table */
	REC_HDR_MAX_SPANS = 18,	  /* gtable_opts.max_spans */
	REC_HDR_FRAME_NS = 19,	  /* the writer's frame span limit */
	REC_HDR_KEYFRAME_NS = 20, /* and keyframe interval */
};

enum rec_hdr_flags {
	REC_HF_RECENT = 1u << 0, /* saved by the flight recorder: starts with a keyframe */
};

/* Frame-info flags (also in the index). */
enum rec_frame_flags {
	REC_FF_KEYFRAME = 1u << 0, /* the frame starts with a state-table keyframe */
	REC_FF_DICT = 1u << 1,	   /* strings and sites only (flight-recorder saves) */
	REC_FF_END = 1u << 2,	   /* the last frame of a cleanly closed recording */
};

/* ---- header ---------------------------------------------------------------- */

/* What the recording says about its session. Strings may be NULL. */
struct record_meta {
	uint32_t pid;
	const char *path;
	const char *go_version;
	const char *arch;
	const char *mod_path;
	const char *probes;
	const char *mode;
	const struct xg_offsets *off;
	const char *off_source;
	const char *wait_source;
	uint64_t wall_ns; /* 0: now */
	uint64_t mono_ns; /* 0: now */
};

/* A decoded header; strings are owned by whoever decoded it (rec_header__free). */
struct rec_header {
	uint16_t major, minor;
	char *tool;
	uint64_t wall_ns, mono_ns;
	uint32_t pid;
	char *path, *go_version, *arch, *mod_path, *probes, *mode, *offsets;
	char *off_source, *wait_source, *host, *kernel;
	uint64_t flags;
	uint64_t keep_exited_ns, max_spans;
	uint64_t frame_ns, keyframe_ns;
};

/*
 * Parse the decompressed header frame BUF: magic, version, header record.
 * 0; -EPROTO when BUF does not start with the magic; -EPROTONOSUPPORT for a
 * newer major (H->major/minor are then set); -EBADMSG when damaged.
 */
int rec_header__parse(const void *buf, size_t len, struct rec_header *h);
void rec_header__free(struct rec_header *h);

/* ---- frame info and index ---------------------------------------------------- */

/* The content of the skippable frame before each data frame, and an index entry. */
struct rec_frame_info {
	uint16_t major, minor;
	uint32_t seq;
	uint32_t flags;	   /* REC_FF_* */
	uint32_t zsize;	   /* compressed size of the data frame that follows */
	uint32_t raw_size; /* its decompressed size */
	uint32_t n_events;
	uint64_t first_ts;  /* smallest and largest timestamp of its records */
	uint64_t last_ts;   /* (0, 0 when it has none) */
	uint32_t str_first; /* string ids defined in it: [str_first, str_first + str_n) */
	uint32_t str_n;
	uint32_t site_first;
	uint32_t site_n;
	uint64_t kf_ts; /* REC_FF_KEYFRAME: the keyframe's ts */
};

/* 0, or -EBADMSG (bad magic or checksum). */
int rec_frame_info__parse(const void *buf, size_t len, struct rec_frame_info *out);
void rec_frame_info__put(const struct rec_frame_info *fi, uint8_t out[REC_INFO_SIZE]);

uint32_t rec_crc32(const void *buf, size_t len);

/* ---- the record codec ------------------------------------------------------ */

/* Strings and creation sites, by id; shared by every frame of a file. */
struct rec_dict;

struct rec_site {
	uint64_t startpc, gopc;
	const char *func, *created_by, *file;
	int line;
};

struct rec_dict *rec_dict__new(void);
void rec_dict__free(struct rec_dict *d);
/* NULL for 0, and for ids never defined (damage). */
const char *rec_dict__str(const struct rec_dict *d, uint64_t id);
const struct rec_site *rec_dict__site(const struct rec_dict *d, uint64_t id);
uint32_t rec_dict__n_strings(const struct rec_dict *d);
/* References to ids that were never defined (a damaged or lost frame). */
uint64_t rec_dict__missing(const struct rec_dict *d);

/* One goroutine of a keyframe: what the state table knew of it. */
struct rec_kf_entry {
	uint32_t pid;
	uint64_t goid;
	uint64_t parent;
	const char *func, *created_by, *file;
	int line;
	uint64_t created_ts, exited_ts; /* 0: not seen / alive */
	uint8_t state;
	int reason;
	const char *reason_str;
	uint64_t state_since;
	uint64_t transitions;
	uint64_t ns_in_state[GT_NSTATES];
	uint32_t n_spans; /* oldest first; points into the decoder, valid until the next item */
	const struct gstate_span *spans;
};

enum rec_item_kind {
	REC_ITEM_EVENT = 1,
	REC_ITEM_METERS,
	REC_ITEM_FRAME,	   /* start of a frame: the codec state was reset */
	REC_ITEM_KEYFRAME, /* a keyframe chunk starts: kf_ts, kf_first, maybe meters */
	REC_ITEM_KF_ENTRY,
	REC_ITEM_END,	  /* clean end of the recording */
	REC_ITEM_DICT,	  /* a string or site definition (already added to the dict) */
	REC_ITEM_UNKNOWN, /* a control record of a newer minor version, skipped */
	REC_ITEM_STACK,	  /* 1.3: raw, raw_len: rec_stack__parse */
	REC_ITEM_SWEEP,	  /* 1.3: raw, raw_len, frame_base_ts: rec_sweep__begin */
};

struct rec_item {
	enum rec_item_kind kind;
	struct gev ev;		 /* EVENT */
	struct xg_meters meters; /* METERS; KEYFRAME when has_meters */
	bool has_meters;
	uint64_t kf_ts;		/* KEYFRAME */
	bool kf_first;		/* KEYFRAME: first chunk of a keyframe (the table restarts) */
	struct rec_kf_entry kf; /* KF_ENTRY */
	uint64_t frame_seq, frame_base_ts; /* FRAME */
	uint64_t total_events;		   /* END */
	const uint8_t *raw; /* STACK, SWEEP: the payload, valid until the next item */
	size_t raw_len;
};

/*
 * Codec state, reset by each FRAME record so that frames decode on their
 * own: the predictions events are coded against (docs/FORMAT.md).
 */
#define REC_MTF_GOIDS 28
#define REC_MTF_TIDS  7

struct rec_codec {
	uint64_t prev_ts, base_ts, prev_goid, prev_create_goid;
	uint32_t prev_pid;
	uint8_t n_mtf, n_tids;
	bool pm_on; /* the last transition to running carried its P and M */
	/*
	 * The lists hold their entries in slots that never move; the order is
	 * a byte per rank (the slot of rank r), so that moving an entry to the
	 * front shifts a few bytes, not the entries (the memmoves of 16-byte
	 * entries were a sixth of decoding). Whole words: see order_to_front.
	 */
	uint8_t mtf_order[(REC_MTF_GOIDS + 7) / 8 * 8];
	uint8_t tid_order[(REC_MTF_TIDS + 7) / 8 * 8];
	/*
	 * The low byte of each slot's goid (mtf_tag): the encoder's search
	 * tests eight slots a word and reads the entries of those that match
	 * only (a scan of the entries was its first symbol, perf).
	 */
	uint8_t mtf_tag[(REC_MTF_GOIDS + 7) / 8 * 8];
	struct rec_mtf {
		uint64_t goid;
		uint32_t pid;
		uint8_t from, to;
	} mtf[REC_MTF_GOIDS];
	/* A thread runs one M, and mostly keeps its P: they are predicted by thread. */
	struct rec_tid {
		uint32_t tid;
		int32_t p;
		int64_t m;
	} tids[REC_MTF_TIDS];
};

/* Decodes the records of one decompressed data frame. */
struct rec_dec {
	const uint8_t *p, *end;
	struct rec_dict *dict;
	struct rec_codec c;
	bool in_frame;
	const uint8_t *kf_end; /* end of the keyframe record being read */
	uint64_t kf_left;      /* its entries still to read */
	uint64_t kf_ts;
	/* Keyframe entries are coded against the previous one of the record. */
	uint64_t kf_goid, kf_parent, kf_start;
	uint32_t kf_pid;
	struct gstate_span spans[REC_MAX_SPANS];
};

void rec_dec__init(struct rec_dec *d, const void *buf, size_t len, struct rec_dict *dict);
/*
 * The next item: 1, 0 at the end of the buffer, -EBADMSG when the bytes do
 * not decode (the rest of the buffer is then unusable). Strings of items
 * point into the dict, which outlives them.
 */
int rec_dec__next(struct rec_dec *d, struct rec_item *it);
/*
 * The next records into EVS (at most MAX) while they are events in the
 * compact form (the fast path of replay): how many, the last of them the
 * first whose time is after T, if one is. It stops before any other record,
 * and before an event that does not decode (rec_dec__next tells it).
 * The fields of struct gev after m (other kinds') are not written: the
 * caller keeps them zero (batch slots that only this function fills).
 */
size_t rec_dec__next_events(struct rec_dec *d, struct gev *evs, size_t max, uint64_t t);

/* ---- stack sweeps (stackrec.c, format 1.3) --------------------------------- */

struct stackset;
struct stk_frame;
struct stk_entry;

/* A STACK item: its id and frames (strings from DICT) into OUT (STK_MAX_FRAMES). 0 or -EBADMSG. */
int rec_stack__parse(const struct rec_dict *d, const struct rec_item *it, uint32_t *id,
		     struct stk_frame *out, uint32_t *n);

/* Reading a SWEEP item's goroutines. */
struct rec_sweep_rd {
	const uint8_t *p, *end;
	uint64_t ts, left, goid;
	uint32_t pid;
	const struct rec_dict *dict;
};

/* 0 or -EBADMSG; R->ts is the sweep's time, R->left its goroutines; reasons from D (may be NULL).
 */
int rec_sweep__begin(struct rec_sweep_rd *r, const struct rec_item *it, const struct rec_dict *d);
/*
 * The next goroutine (its stack: the file's id; its reason not in E but in
 * *REASON_STR, D's string): 1, 0 at the end, -EBADMSG.
 */
int rec_sweep__next(struct rec_sweep_rd *r, struct stk_entry *e, const char **reason_str);

/*
 * A recording's sweeps into a stackset: feed it every item in file order
 * (FRAME forgets the frame's stack ids, STACK interns one, SWEEP becomes
 * SET's current sweep); other items are ignored. 0, or -errno for the
 * item (a damaged sweep is dropped whole; what follows still applies).
 */
struct rec_stacks {
	uint32_t *local; /* file id - 1 -> SET's id, 0: not defined in this frame */
	size_t cap;
};
int rec_stacks__apply(struct rec_stacks *m, const struct rec_dict *d, const struct rec_item *it,
		      struct stackset *set);
void rec_stacks__free(struct rec_stacks *m);

/* ---- the writer ------------------------------------------------------------ */

struct record_opts {
	const char *path; /* NULL: no file, the flight recorder only */
	bool force;	  /* replace PATH if it exists (never through a symlink) */
	/* The live state table, read for keyframes; NULL: none (replay cannot seek fast). */
	const struct gtable *table;
	uint64_t history_ns;	 /* flight recorder: keep this much; 0: off */
	uint64_t history_bytes;	 /* and at most this many compressed bytes (0: 64 MiB) */
	const char *history_dir; /* where save_recent writes; NULL: PATH's directory, else cwd */
	int level;		 /* zstd level; 0: REC_DEFAULT_LEVEL */
	uint64_t frame_ns;	 /* a frame spans at most this (0: 1 s) ... */
	size_t frame_bytes;	 /* ... and this many raw bytes (0: 1 MiB) */
	uint64_t keyframe_ns;	 /* keyframe interval (0: 10 s) */
	uint64_t keep_exited_ns; /* TABLE's gtable_opts.keep_exited_ns (0: its default, 30 s) */
	uint32_t max_spans;	 /* TABLE's gtable_opts.max_spans (0: its default, 16) */
};

/*
 * zstd level 2: on a live go1.26 churn's frames, 17% less CPU per event to
 * encode and compress than level 3 for 2% more bytes (level 1: 7% more;
 * bench/README.md, "Issue 14: the tracer's sinks").
 */
#define REC_DEFAULT_LEVEL 2

struct record_writer;

/*
 * Create the file (O_EXCL and O_NOFOLLOW unless FORCE, then O_NOFOLLOW;
 * owned by SUDO_UID:SUDO_GID when run as root under sudo) and/or the flight
 * recorder. NULL and errno (EEXIST: exists and not FORCE; ELOOP: a symlink).
 */
struct record_writer *record__open(const struct record_opts *opts);
/* Write the header. Must come before anything else. 0 or -errno. */
int record__begin(struct record_writer *w, const struct record_meta *meta);
/*
 * Append one event; the table (opts.table) must already include it, as
 * keyframes are taken between events. 0 or -errno (a sticky write error
 * of the file; the flight recorder goes on).
 */
int record__event(struct record_writer *w, const struct gev *ev);
int record__meters(struct record_writer *w, const struct xg_meters *m);
/* SET's current sweep, its stacks defined in the frame first (format 1.3). 0 or -errno. */
int record__sweep(struct record_writer *w, const struct stackset *set);
/* Write the current frame if it is due (NOW on the events' clock). 0 or -errno. */
int record__tick(struct record_writer *w, uint64_t now);
/* Write the current frame now. */
int record__flush(struct record_writer *w);
/*
 * Flight recorder: write the recent history (from its oldest keyframe) to a
 * new file in opts.history_dir and put its path in PATH. 0 or -errno
 * (-ENOTSUP without a flight recorder, -ENODATA when it is still empty).
 */
int record__save_recent(struct record_writer *w, char *path, size_t path_len);
/* Write the last frame, the end mark and the seek index, and close. First error. NULL ok. */
int record__close(struct record_writer *w);

struct record_stats {
	uint64_t events;
	uint64_t frames;
	uint64_t keyframes;
	uint64_t raw_bytes;  /* before compression */
	uint64_t file_bytes; /* written to the file */
	uint64_t ring_bytes; /* held by the flight recorder */
	uint64_t ring_frames;
	uint64_t ring_span_ns; /* event time the flight recorder covers */
};

void record__stats(const struct record_writer *w, struct record_stats *out);

#endif /* XGOTOP_RECORD_H */
