// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
#include "gpoll.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "goelf.h"
#include "insn.h"
#include "traceback.h"

/* Reads per process_vm_readv call (the kernel's IOV_MAX is 1024). */
#define BATCH 512
/* More gs than any program has: a bigger length is a torn or wrong read. */
#define MAX_GS (1u << 24)

struct gslot {
	uint64_t g;
	uint64_t goid;
	int64_t waitsince;
	/*
	 * The last goroutine that ended on this g, said so: read alive again
	 * (the probes saw its end before casgstatus stored it), it is not new.
	 */
	uint64_t gone_goid;
	uint8_t status;
	uint8_t reason;
	bool alive;
	bool creating; /* known alive, read dead: newproc1 is making it (poller__sample_known) */
};

/* A g as the current read found it (diff_one, adopt_known). */
struct gread {
	uint64_t goid, waitsince, startpc, gopc, parent;
	uint32_t status; /* as read: XG_GSCAN not masked */
	uint8_t reason;
	bool ok; /* its window was read */
};

struct poller {
	struct poll_layout l;
	uint32_t pid;
	uint64_t bias;
	poll_read_fn read;
	void *read_ctx;
	struct gslot *slots;
	size_t n_slots, cap_slots;
	uint64_t *ptrs;
	size_t cap_ptrs;
	/*
	 * The fields of each g of the current read, taken out of its window
	 * (win_len bytes, read a batch at a time into WIN): 48 bytes a g where
	 * its window is 176 (go1.26): 1M goroutines take 130 MB less.
	 */
	struct gread *rd;
	size_t cap_rd;
	uint8_t *win; /* BATCH windows */
	uint32_t win_lo, win_len;
	struct poll_stats st;
};

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

struct poller *poller__new(const struct poll_layout *l, uint32_t pid, uint64_t bias,
			   poll_read_fn read, void *read_ctx)
{
	struct poller *p;
	uint32_t offs[7] = {l->g_status,  l->g_goid, l->g_waitreason, l->g_waitsince,
			    l->g_startpc, l->g_gopc, l->g_parent_goid};
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t i;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->l = *l;
	p->pid = pid;
	p->bias = bias;
	p->read = read;
	p->read_ctx = read_ctx;
	/* One read per g covers every field: [lowest offset, highest + 8). */
	for (i = 0; i < 7; i++) {
		if (i == 6 && !offs[i])
			continue;
		if (offs[i] < lo)
			lo = offs[i];
		if (offs[i] + 8 > hi)
			hi = offs[i] + 8;
	}
	p->win_lo = lo;
	p->win_len = hi - lo;
	p->win = malloc((size_t)BATCH * p->win_len);
	if (!p->win) {
		free(p);
		return NULL;
	}
	return p;
}

void poller__free(struct poller *p)
{
	if (!p)
		return;
	free(p->slots);
	free(p->ptrs);
	free(p->rd);
	free(p->win);
	free(p);
}

static int grow(void **buf, size_t *cap, size_t want, size_t elem)
{
	void *n;

	if (want <= *cap)
		return 0;
	n = realloc(*buf, want * elem);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = want;
	return 0;
}

/* The fields of the window W of a g into *R. */
static void take_fields(const struct poller *p, const uint8_t *w, struct gread *r)
{
	r->status = get_u32(w + (p->l.g_status - p->win_lo));
	r->goid = get_u64(w + (p->l.g_goid - p->win_lo));
	r->reason = w[p->l.g_waitreason - p->win_lo];
	r->waitsince = get_u64(w + (p->l.g_waitsince - p->win_lo));
	r->parent = p->l.g_parent_goid ? get_u64(w + (p->l.g_parent_goid - p->win_lo)) : 0;
	r->startpc = get_u64(w + (p->l.g_startpc - p->win_lo));
	r->gopc = get_u64(w + (p->l.g_gopc - p->win_lo));
}

/* Read the field windows of gs [from, to), falling back to one read each when a batch fails. */
static int read_windows(struct poller *p, size_t from, size_t to)
{
	struct poll_iov iov[BATCH];
	size_t i, n = to - from;
	int err;

	if (!n || n > BATCH)
		return 0;
	for (i = 0; i < n; i++) {
		iov[i].addr = p->ptrs[from + i] + p->win_lo;
		iov[i].buf = p->win + i * p->win_len;
		iov[i].len = p->win_len;
	}
	err = p->read(iov, n, p->read_ctx);
	if (err == -ESRCH)
		return err;
	for (i = 0; i < n; i++) {
		struct gread *r = &p->rd[from + i];

		r->ok = !err || !p->read(&iov[i], 1, p->read_ctx);
		if (r->ok)
			take_fields(p, iov[i].buf, r);
	}
	return 0;
}

static int emit_ev(poll_emit_fn emit, void *ctx, const struct gev *ev)
{
	return emit(ev, ctx);
}

static void ev_init(struct gev *ev, const struct poller *p, enum gev_kind kind, uint64_t ts,
		    uint64_t goid)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->ts = ts;
	ev->pid = p->pid;
	ev->goid = goid;
	ev->reason = GEV_NO_REASON;
}

static int emit_state(const struct poller *p, poll_emit_fn emit, void *ctx, uint64_t ts,
		      uint64_t goid, uint8_t from, uint8_t to, int reason, bool inferred)
{
	struct gev ev;

	ev_init(&ev, p, GEV_STATE, ts, goid);
	ev.from = from;
	ev.to = to;
	ev.reason = to == XG_G_WAITING ? reason : GEV_NO_REASON;
	ev.inferred = inferred;
	return emit_ev(emit, ctx, &ev);
}

static int emit_exit(const struct poller *p, poll_emit_fn emit, void *ctx, uint64_t ts,
		     const struct gslot *s)
{
	struct gev ev;
	int err = emit_state(p, emit, ctx, ts, s->goid, s->status, XG_G_DEAD, GEV_NO_REASON, false);

	if (err)
		return err;
	ev_init(&ev, p, GEV_EXIT, ts, s->goid);
	ev.from = s->status;
	ev.to = XG_G_DEAD;
	return emit_ev(emit, ctx, &ev);
}

static bool alive(uint8_t status)
{
	return status != XG_G_IDLE && status != XG_G_DEAD && status != XG_G_DEADEXTRA;
}

/* Compare g I as just read with what we knew, emit the difference, remember the new. */
static int diff_one(struct poller *p, size_t i, uint64_t ts, poll_emit_fn emit, void *ctx)
{
	const struct gread *w = &p->rd[i];
	struct gslot *s = &p->slots[i], now = {.g = p->ptrs[i]};
	uint32_t raw = w->status & ~(uint32_t)XG_GSCAN;
	int err;

	if (raw >= XG_G_NSTATES) {
		p->st.skipped++;
		return 0; /* torn or not a g: keep what we knew */
	}
	now.status = (uint8_t)raw;
	now.alive = alive(now.status);
	now.goid = w->goid;
	now.reason = w->reason;
	now.waitsince = (int64_t)w->waitsince;
	if (now.goid > p->st.max_goid)
		p->st.max_goid = now.goid;

	if (s->g != now.g) {
		/* A slot of allgs never changes; if it did, what it held is gone. */
		if (s->alive && (err = emit_exit(p, emit, ctx, ts, s)))
			return err;
		memset(s, 0, sizeof(*s));
		s->g = now.g;
	}
	/* Still being made: its create is out, its first state comes with a later read. */
	if (s->creating && !now.alive && now.goid == s->goid)
		return 0;
	now.gone_goid = s->gone_goid;
	if (s->alive && (!now.alive || now.goid != s->goid)) {
		err = emit_exit(p, emit, ctx, ts, s);
		if (err)
			return err;
		s->alive = false;
		now.gone_goid = s->goid;
	}
	if (now.alive && !s->alive && now.gone_goid && now.goid == now.gone_goid) {
		now.alive = false; /* ended already, not stored yet */
	} else if (now.alive && !s->alive) {
		struct gev ev;

		ev_init(&ev, p, GEV_CREATE, ts, now.goid);
		ev.from = XG_G_DEAD;
		ev.to = now.status;
		ev.reason = now.status == XG_G_WAITING ? now.reason : GEV_NO_REASON;
		ev.parent = w->parent;
		ev.startpc = w->startpc;
		ev.gopc = w->gopc;
		/* (g_waitsince is g_goid where the release's offset is unknown.) */
		if (p->l.g_waitsince != p->l.g_goid)
			ev.waitsince = (uint64_t)tb__waitsince(now.status, now.waitsince, ts);
		err = emit_ev(emit, ctx, &ev);
		if (err)
			return err;
	} else if (now.alive && now.status != s->status) {
		err = emit_state(p, emit, ctx, ts, now.goid, s->status, now.status, now.reason,
				 false);
		if (err)
			return err;
		p->st.changes++;
	} else if (now.alive && now.status == XG_G_WAITING &&
		   (now.reason != s->reason || (s->waitsince && now.waitsince != s->waitsince))) {
		/* Waiting both times, but not the same wait: it ran in between. */
		err = emit_state(p, emit, ctx, ts, now.goid, XG_G_WAITING, XG_G_RUNNING,
				 GEV_NO_REASON, true);
		if (!err)
			err = emit_state(p, emit, ctx, ts, now.goid, XG_G_RUNNING, XG_G_WAITING,
					 now.reason, false);
		if (err)
			return err;
		p->st.changes++;
	}
	*s = now;
	return 0;
}

/* Read allgs and the field window of each g: *LEN gs (0: nothing to read this time). */
static int read_table(struct poller *p, size_t *n)
{
	uint8_t hdr[24];
	struct poll_iov iov = {p->l.allgs + p->bias, hdr, sizeof(hdr)};
	uint64_t arr, len;
	size_t i;
	int err;

	*n = 0;
	err = p->read(&iov, 1, p->read_ctx);
	if (err)
		return err;
	arr = get_u64(hdr);
	len = get_u64(hdr + 8);
	if (len > MAX_GS || len > get_u64(hdr + 16) || (len && !arr))
		return 0; /* caught allgadd mid-append: next time */
	if (grow((void **)&p->ptrs, &p->cap_ptrs, len ? len : 1, sizeof(*p->ptrs)) ||
	    grow((void **)&p->rd, &p->cap_rd, len ? len : 1, sizeof(*p->rd)) ||
	    grow((void **)&p->slots, &p->cap_slots, len ? len : 1, sizeof(*p->slots)))
		return -ENOMEM;
	if (len) {
		iov.addr = arr;
		iov.buf = p->ptrs;
		iov.len = len * sizeof(*p->ptrs);
		err = p->read(&iov, 1, p->read_ctx);
		if (err)
			return err == -ESRCH ? err : 0;
	}
	for (i = 0; i < len; i += BATCH) {
		err = read_windows(p, i, i + BATCH < len ? i + BATCH : len);
		if (err)
			return err;
	}
	if (len > p->n_slots) {
		memset(p->slots + p->n_slots, 0, (len - p->n_slots) * sizeof(*p->slots));
		p->n_slots = len;
	}
	*n = len;
	return 0;
}

/* Compare every g read with what we knew; ADOPT (may be NULL) first seeds each slot. */
static int diff_all(struct poller *p, size_t len, uint64_t ts, poll_emit_fn emit, void *ctx,
		    int (*adopt)(struct poller *p, size_t i, void *actx), void *actx)
{
	size_t i, live = 0;
	int err;

	for (i = 0; i < len; i++) {
		if (!p->rd[i].ok || !p->ptrs[i]) {
			p->st.skipped++;
			continue;
		}
		err = adopt ? adopt(p, i, actx) : 0;
		if (!err)
			err = diff_one(p, i, ts, emit, ctx);
		if (err)
			return err;
	}
	for (i = 0; i < p->n_slots; i++)
		live += p->slots[i].alive;
	p->st.samples++;
	p->st.gs = len;
	p->st.live = live;
	p->st.bytes = 24 + len * (sizeof(*p->ptrs) + p->win_len);
	return 0;
}

int poller__sample(struct poller *p, uint64_t ts, poll_emit_fn emit, void *ctx)
{
	size_t len;
	int err = read_table(p, &len);

	return err ? err : diff_all(p, len, ts, emit, ctx, NULL, NULL);
}

/* What poller__sample_known matches the first read with. */
struct known_ctx {
	struct poll_known *alive;
	size_t n;
	poll_ended_fn ended;
	void *ended_ctx;
};

static int cmp_known(const void *a, const void *b)
{
	const struct poll_known *x = a, *y = b;

	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

static int g_creating(struct poller *p, uint64_t g, bool *creating);

/* Slot I as the probes left it: a goroutine they said is alive, or said has ended. */
static int adopt_known(struct poller *p, size_t i, void *actx)
{
	struct known_ctx *k = actx;
	const struct gread *w = &p->rd[i];
	uint32_t raw = w->status & ~(uint32_t)XG_GSCAN;
	struct poll_known key = {.goid = w->goid}, *f;
	struct gslot *s = &p->slots[i];
	bool creating = false;
	int err;

	if (raw >= XG_G_NSTATES || !key.goid)
		return 0;
	f = k->n ? bsearch(&key, k->alive, k->n, sizeof(key), cmp_known) : NULL;
	*s = (struct gslot){.g = p->ptrs[i], .goid = key.goid};
	if (f) {
		f->seen = true;
		s->alive = true;
		s->status = f->state;
		/* Its wait as read: the probes said waiting, the read cannot say since when. */
		s->reason = w->reason;
		s->waitsince = (int64_t)w->waitsince;
		/* Read dead: it ended since, or newproc1 has not stored its first status yet. */
		if (!alive((uint8_t)raw) && (err = g_creating(p, s->g, &creating)))
			return err == -ESRCH ? err : 0;
		s->creating = creating;
	} else if (alive((uint8_t)raw) && k->ended(key.goid, k->ended_ctx)) {
		s->gone_goid = key.goid;
	}
	return 0;
}

int poller__sample_known(struct poller *p, uint64_t ts, struct poll_known *alive_gs, size_t n,
			 poll_ended_fn ended, void *ended_ctx, poll_emit_fn emit, void *ctx)
{
	struct known_ctx k = {alive_gs, n, ended, ended_ctx};
	size_t len, i;
	int err = read_table(p, &len);

	if (err)
		return err;
	if (n)
		qsort(alive_gs, n, sizeof(*alive_gs), cmp_known);
	err = diff_all(p, len, ts, emit, ctx, adopt_known, &k);
	/* Known alive and on no g: its g runs another goroutine now. */
	for (i = 0; i < n && !err; i++) {
		struct gslot gone = {.goid = alive_gs[i].goid, .status = alive_gs[i].state};

		if (!alive_gs[i].seen)
			err = emit_exit(p, emit, ctx, ts, &gone);
	}
	return err;
}

void poller__each_alive(const struct poller *p, poll_emit_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < p->n_slots; i++) {
		const struct gslot *s = &p->slots[i];
		struct gev ev;

		if (!s->alive)
			continue;
		ev_init(&ev, p, GEV_CREATE, 0, s->goid);
		ev.from = XG_G_DEAD;
		ev.to = s->status;
		ev.reason = s->status == XG_G_WAITING ? s->reason : GEV_NO_REASON;
		if (fn(&ev, ctx))
			return;
	}
}

void poller__trim(struct poller *p)
{
	free(p->ptrs);
	p->ptrs = NULL;
	p->cap_ptrs = 0;
	free(p->rd);
	p->rd = NULL;
	p->cap_rd = 0;
}

void poller__stats(const struct poller *p, struct poll_stats *out)
{
	*out = p->st;
}

/*
 * g.sched.pc: runtime.g starts with stack (16 bytes), stackguard0 and 1,
 * _panic, _defer and m, then sched, a gobuf whose sp and pc come first, in
 * every release from go1.19 to go1.26 (runtime2.go; src/live/stacks.c
 * reads the same two fields).
 */
#define G_SCHED_PC 64

/* Its goid, status, sched.pc and start PC, read now into W[4]. */
static int read_g4(struct poller *p, uint64_t g, uint64_t w[4])
{
	struct poll_iov iov[4];

	memset(w, 0, 4 * sizeof(*w));
	/* A g of allgs stays a g (gs are never freed). */
	iov[0] = (struct poll_iov){g + p->l.g_goid, &w[0], 8};
	iov[1] = (struct poll_iov){g + p->l.g_status, &w[1], 4};
	iov[2] = (struct poll_iov){g + G_SCHED_PC, &w[2], 8};
	iov[3] = (struct poll_iov){g + p->l.g_startpc, &w[3], 8};
	return p->read(iov, 4, p->read_ctx);
}

/*
 * newproc1 points sched.pc at the start function and stores the goid before
 * casgstatus makes it runnable; a goroutine that ran and ended left sched.pc
 * in goexit1 (mcall saved it): one read dead with these equal is being created.
 */
static bool being_created(const uint64_t w[4])
{
	return ((uint32_t)w[1] & ~(uint32_t)XG_GSCAN) == XG_G_DEAD && w[3] && w[2] == w[3];
}

static int g_creating(struct poller *p, uint64_t g, bool *creating)
{
	uint64_t w[4];
	int err = read_g4(p, g, w);

	*creating = !err && being_created(w);
	return err;
}

int poller__reread(struct poller *p, uint64_t goid, uint8_t *status)
{
	uint64_t w[4];
	size_t i;
	int err;

	for (i = 0; i < p->n_slots; i++)
		if (p->slots[i].g && p->slots[i].goid == goid)
			break;
	if (i == p->n_slots)
		return -ENOENT;
	err = read_g4(p, p->slots[i].g, w);
	if (err)
		return err;
	*status = (uint8_t)((uint32_t)w[1] & ~(uint32_t)XG_GSCAN);
	if (w[0] != goid || *status >= XG_G_NSTATES)
		*status = XG_G_DEAD; /* its g runs another goroutine now, or is torn: it ended */
	else if (being_created(w))
		*status = XG_G_RUNNABLE;
	return 0;
}

/* ---- finding runtime.allgs ------------------------------------------------------------ */

struct refs {
	uint64_t a[256];
	size_t n;
};

static void add_ref(struct refs *r, uint64_t addr)
{
	if (r->n < sizeof(r->a) / sizeof(r->a[0]))
		r->a[r->n++] = addr;
}

static bool has_ref(const struct refs *r, uint64_t addr)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->a[i] == addr)
			return true;
	return false;
}

/* arm64: adrp xN, page; then add/ldr/str/ldp/stp through xN give page + offset. */
static void a64_refs(uint32_t w, uint64_t page[32], bool have[32], struct refs *r)
{
	unsigned int rn = (w >> 5) & 31, rd = w & 31;

	if (!have[rn])
		return;
	if ((w & 0xff800000) == 0x91000000) { /* add xd, xn, #imm{, lsl 12} */
		uint64_t imm = (w >> 10) & 0xfff;

		add_ref(r, page[rn] + (((w >> 22) & 1) ? imm << 12 : imm));
	} else if ((w & 0x3b000000) == 0x39000000) { /* ldr/str unsigned offset */
		add_ref(r, page[rn] + (((w >> 10) & 0xfff) << (w >> 30)));
	} else if ((w & 0x3a000000) == 0x28000000 && ((w >> 23) & 3) == 2) { /* ldp/stp offset */
		int64_t imm = (int64_t)((w >> 15) & 0x7f);
		unsigned int scale = (w >> 31) ? 3 : 2;

		if (imm & 0x40)
			imm -= 0x80;
		add_ref(r, page[rn] + (uint64_t)(imm << scale));
		add_ref(r, page[rn] + (uint64_t)(imm << scale) + (1u << scale));
	}
	(void)rd;
}

int poll__find_allgs(const struct goelf *ge, uint64_t *vaddr, const char **how)
{
	enum insn_arch arch = goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
	uint64_t start, end, pc, size, page[32] = {0};
	bool have[32] = {false};
	struct refs r = {.n = 0};
	uint8_t *code;
	size_t i;

	if (!goelf__sym_addr(ge, "runtime.allgs", vaddr, &size)) {
		*how = "symtab";
		return 0;
	}
	/*
	 * Stripped: allgadd appends to allgs, so its code reads the pointer,
	 * length and capacity of the slice: three references 8 bytes apart.
	 */
	if (goelf__func_range(ge, "runtime.allgadd", &start, &end) || end <= start ||
	    end - start > 65536)
		return -ENOENT;
	code = malloc(end - start);
	if (!code)
		return -ENOMEM;
	if (goelf__read(ge, start, code, end - start)) {
		free(code);
		return -ENOENT;
	}
	for (pc = start; pc < end;) {
		struct insn in;

		if (insn__decode(arch, code + (pc - start), end - pc, pc, &in))
			break;
		if (arch == INSN_X86_64 && in.has_ref) {
			add_ref(&r, in.ref);
		} else if (arch == INSN_ARM64) {
			unsigned int rd = in.word & 31;

			a64_refs(in.word, page, have, &r);
			if ((in.word & 0x9f000000) == 0x90000000) {
				page[rd] = in.ref;
				have[rd] = true;
			} else {
				for (i = 0; i < 32; i++)
					if (in.writes & INSN_REG(i))
						have[i] = false;
			}
		}
		pc += in.len;
	}
	free(code);
	for (i = 0; i < r.n; i++) {
		if (has_ref(&r, r.a[i] + 8) && has_ref(&r, r.a[i] + 16)) {
			*vaddr = r.a[i];
			*how = "runtime.allgadd code";
			return 0;
		}
	}
	return -ENOENT;
}

int poll__layout(const struct goelf *ge, const struct xg_offsets *off, struct poll_layout *l,
		 char *err, size_t errlen)
{
	const char *how;

	memset(l, 0, sizeof(*l));
	if (poll__find_allgs(ge, &l->allgs, &how)) {
		snprintf(err, errlen,
			 "cannot find runtime.allgs (no symbol table, and "
			 "runtime.allgadd does not show it)");
		return -ENOENT;
	}
	if (!off->g_goid || !off->g_waitreason || !off->g_startpc || !off->g_gopc) {
		snprintf(err, errlen, "the offsets of runtime.g are unknown");
		return -ENOENT;
	}
	l->g_goid = off->g_goid;
	l->g_status = off->g_goid - 8;
	l->g_waitreason = off->g_waitreason;
	l->g_waitsince = off->g_waitsince ? off->g_waitsince : off->g_goid;
	l->g_startpc = off->g_startpc;
	l->g_gopc = off->g_gopc;
	l->g_parent_goid = off->g_parent_goid;
	return 0;
}

/* ---- the poll source ------------------------------------------------------------------ */

struct poll_src {
	const struct goelf *ge;
	struct file_id bin; /* the target binary */
	pid_t pid;
	uint64_t period_ns, next;
	struct poll_layout l;
	const char *how;
	char howbuf[64];
	struct poller *p;
	uint64_t bias;
};

static int vm_read(const struct poll_iov *iov, size_t n, void *ctx)
{
	struct poll_src *s = ctx;
	struct iovec local[BATCH], remote[BATCH];
	size_t i, total = 0;
	ssize_t got;

	if (n > BATCH)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		local[i].iov_base = iov[i].buf;
		local[i].iov_len = iov[i].len;
		remote[i].iov_base = (void *)(uintptr_t)iov[i].addr;
		remote[i].iov_len = iov[i].len;
		total += iov[i].len;
	}
	got = process_vm_readv(s->pid, local, n, remote, n, 0);
	if (got < 0)
		return -errno;
	return (size_t)got == total ? 0 : -EFAULT;
}

int poll__find_bias(const struct goelf *ge, const struct file_id *id, pid_t pid, uint64_t *bias)
{
	uint64_t start;
	/* A launched child runs the tracer's own binary until it execs ours. */
	int err = file_id__mapped_at(id, pid, 0, &start);

	if (!err)
		*bias = goelf__is_pie(ge) ? start - goelf__load_base(ge) : 0;
	return err;
}

static int find_bias(struct poll_src *s, uint64_t *bias)
{
	return poll__find_bias(s->ge, &s->bin, s->pid, bias);
}

struct poll_src *poll_src__open(const struct goelf *ge, const char *path,
				const struct xg_offsets *off, pid_t pid, double hz, char *err,
				size_t errlen)
{
	struct poll_src *s = calloc(1, sizeof(*s));
	int e;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e = file_id__stat(path, &s->bin);
	if (e) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-e));
		free(s);
		return NULL;
	}
	s->ge = ge;
	s->pid = pid;
	s->period_ns = (uint64_t)(1e9 / hz);
	if (poll__layout(ge, off, &s->l, err, errlen)) {
		free(s);
		return NULL;
	}
	poll__find_allgs(ge, &s->l.allgs, &s->how);
	snprintf(s->howbuf, sizeof(s->howbuf), "runtime.allgs from %s", s->how);
	return s;
}

void poll_src__free(struct poll_src *s)
{
	if (!s)
		return;
	poller__free(s->p);
	free(s);
}

/* The poller, once the target's binary is mapped: 0, -EAGAIN before, or -errno. */
static int src_poller(struct poll_src *s)
{
	uint64_t bias;
	int err;

	if (s->p)
		return 0;
	err = find_bias(s, &bias);
	if (err)
		return err;
	s->bias = bias;
	s->p = poller__new(&s->l, (uint32_t)s->pid, bias, vm_read, s);
	return s->p ? 0 : -ENOMEM;
}

/* A runtime not started yet has nothing mapped at allgs to read: not an error. */
static int sampled(struct poll_src *s, uint64_t now, int err)
{
	s->next = (s->next && now - s->next < s->period_ns ? s->next : now) + s->period_ns;
	return err == -EFAULT || err == -EIO ? 0 : err;
}

int poll_src__pump(struct poll_src *s, uint64_t now, int *next_ms, poll_emit_fn emit, void *ctx)
{
	int err = 0;

	if (now >= s->next) {
		err = src_poller(s);
		if (err == -EAGAIN)
			err = 0;
		else if (err)
			return err;
		err = sampled(s, now, s->p ? poller__sample(s->p, now, emit, ctx) : 0);
	}
	*next_ms = (int)((s->next - now + 999999) / 1000000);
	return err;
}

int poll_src__sample_now(struct poll_src *s, uint64_t now, poll_emit_fn emit, void *ctx)
{
	s->next = 0;
	return poll_src__pump(s, now, &(int){0}, emit, ctx);
}

int poll_src__sample_known(struct poll_src *s, uint64_t now, struct poll_known *alive, size_t n,
			   poll_ended_fn ended, void *ended_ctx, poll_emit_fn emit, void *ctx)
{
	int err = src_poller(s);

	if (err)
		return err;
	return sampled(s, now,
		       poller__sample_known(s->p, now, alive, n, ended, ended_ctx, emit, ctx));
}

void poll_src__each_alive(const struct poll_src *s, poll_emit_fn fn, void *ctx)
{
	if (s->p)
		poller__each_alive(s->p, fn, ctx);
}

void poll_src__reset(struct poll_src *s)
{
	poller__free(s->p);
	s->p = NULL;
	s->next = 0;
}

void poll_src__trim(struct poll_src *s)
{
	if (s->p)
		poller__trim(s->p);
}

int poll_src__reread(struct poll_src *s, uint64_t goid, uint8_t *status)
{
	return s->p ? poller__reread(s->p, goid, status) : -ENOENT;
}

void poll_src__stats(const struct poll_src *s, struct poll_stats *out)
{
	if (s->p)
		poller__stats(s->p, out);
	else
		memset(out, 0, sizeof(*out));
}

int poll_src__bias(const struct poll_src *s, uint64_t *bias)
{
	if (!s->p)
		return -EAGAIN;
	*bias = s->bias;
	return 0;
}

const char *poll_src__how(const struct poll_src *s)
{
	return s->howbuf;
}
