// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE
#include "stacks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "goelf.h"
#include "grow.h"
#include "gotables.h"
#include "gpoll.h"
#include "gsnap.h"

#define BATCH	   512	      /* iovecs per process_vm_readv (IOV_MAX is 1024) */
#define STACK_READ 8192	      /* first read of a stack: parked stacks are mostly smaller */
#define MAX_FRAMES (1u << 16) /* deeper is reported as too deep */
#define MAX_GS	   (1u << 24)
#define NO_PTRACE                                                                             \
	"cannot read the memory of pid %d: %s (--stacks needs ptrace access: the same user, " \
	"or CAP_SYS_PTRACE)"
#define XREAD	 65536
#define G_WINDOW 320 /* bytes of a g read: every field below ends before it */

struct stacks_target {
	pid_t pid;
	struct goelf *ge;
	struct go_tables tabs;
	struct tb_rules rules;
	struct g_layout gl; /* where the fields gsnap__read reads are */
	uint64_t allgs, bias;
	uint64_t reads, bytes;
	struct tb_cache *cache;
	uint8_t xbuf[XREAD]; /* deep stacks: see mem_read */
};

/* A distinct physical stack of a sweep: its frames in the sweep's frame array. */
struct dstack {
	size_t first;
	uint32_t n;
	uint64_t hash;
};

struct stk_sweep {
	struct stk_g *gs;
	size_t n;
	struct tb_frame *frames; /* each distinct stack's, once */
	size_t nframes, cap_frames;
	struct dstack *stk;
	size_t n_stk, cap_stk;
	uint32_t *slot; /* open addressing over stk: index + 1, 0 empty; a power of two */
	size_t cap_slot;
	uint32_t last; /* the stack interned last: the next goroutine's, mostly */
	struct stk_stats st;
};

static uint64_t u64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static int vm_readv2(struct stacks_target *t, struct iovec *local, size_t nl, struct iovec *remote,
		     size_t nr)
{
	size_t i, total = 0;
	ssize_t got;

	for (i = 0; i < nl; i++)
		total += local[i].iov_len;
	t->reads++;
	got = process_vm_readv(t->pid, local, nl, remote, nr, 0);
	if (got < 0)
		return -errno;
	t->bytes += (uint64_t)got;
	return (size_t)got == total ? 0 : -EFAULT;
}

static int vm_readv(struct stacks_target *t, struct iovec *local, struct iovec *remote, size_t n)
{
	return vm_readv2(t, local, n, remote, n);
}

static int vm_read(struct stacks_target *t, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = {buf, len}, r = {(void *)(uintptr_t)addr, len};

	return vm_readv(t, &l, &r, 1);
}

static int find_bias(struct stacks_target *t)
{
	char path[64], line[512], exe[4096];
	ssize_t n;
	FILE *f;
	int err = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)t->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &off, &pos) < 3 ||
		    !pos || off)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line + pos, exe)) {
			t->bias = goelf__is_pie(t->ge) ? start - goelf__load_base(t->ge) : 0;
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

struct stacks_target *stacks__open(pid_t pid, char *err, size_t errlen)
{
	struct stacks_target *t = calloc(1, sizeof(*t));
	char path[64], msg[256];
	const char *how;
	int major, minor, rc;
	uint64_t probe;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->pid = pid;
	t->cache = tb_cache__new();
	if (!t->cache) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	t->ge = goelf__open_err(path, msg, sizeof(msg));
	if (!t->ge && (errno == EACCES || errno == EPERM)) {
		/* /proc/PID/exe is behind the same ptrace check as the memory */
		snprintf(err, errlen, NO_PTRACE, (int)pid, strerror(errno));
		goto fail;
	}
	if (!t->ge) {
		snprintf(err, errlen, "cannot open the binary of pid %d: %s", (int)pid, msg);
		goto fail;
	}
	if (!goelf__go_version(t->ge) ||
	    go_version_parse(goelf__go_version(t->ge), &major, &minor) ||
	    tb__rules(major, minor, &t->rules)) {
		snprintf(err, errlen, "pid %d: not a Go 1.19 to 1.26 binary", (int)pid);
		goto fail;
	}
	if (goelf__arch(t->ge) != GOELF_ARCH_AMD64) {
		snprintf(err, errlen, "--stacks: only x86-64 targets are supported");
		goto fail;
	}
	if (go_tables__load(t->ge, path, &t->tabs, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s", msg);
		goto fail;
	}
	if (g_layout__init(&t->gl, minor, t->tabs.off.g_goid) || t->gl.len > G_WINDOW ||
	    t->gl.lockedm + 8 > G_WINDOW || t->tabs.off.g_waitreason >= G_WINDOW ||
	    t->tabs.off.g_gopc + 8 > G_WINDOW || t->tabs.off.g_startpc + 8 > G_WINDOW ||
	    t->tabs.off.g_parent_goid + 8 > G_WINDOW || t->tabs.off.g_waitsince + 8 > G_WINDOW) {
		snprintf(err, errlen, "pid %d: runtime.g fields beyond what --stacks reads",
			 (int)pid);
		goto fail;
	}
	if (poll__find_allgs(t->ge, &t->allgs, &how)) {
		snprintf(err, errlen, "cannot find runtime.allgs in the binary of pid %d",
			 (int)pid);
		goto fail;
	}
	if ((rc = find_bias(t))) {
		snprintf(err, errlen, "cannot find the mapping of pid %d's binary: %s", (int)pid,
			 strerror(-rc));
		goto fail;
	}
	rc = vm_read(t, t->allgs + t->bias, &probe, sizeof(probe));
	if (rc) {
		snprintf(err, errlen, NO_PTRACE, (int)pid, strerror(-rc));
		goto fail;
	}
	return t;
fail:
	stacks__close(t);
	return NULL;
}

const char *stacks__bottom_func(const struct stacks_target *t, const struct stk_g *g,
				const struct goelf *ge)
{
	/* Up to MAX_INLINE logical frames a physical one, more than any stack holds inlined. */
	size_t cap = g->tb.nframes * 8 + 8, n, i;
	const char *name = NULL;
	struct tb_lframe *l;

	if (g->tb.state != TB_G_STACK || g->tb.end != TB_END_TOP || !g->tb.nframes)
		return NULL;
	l = malloc(cap * sizeof(*l));
	if (!l)
		return NULL;
	n = tb__logical(ge, t->bias, &t->rules, g->tb.frames, g->tb.nframes, l, cap);
	/* Fewer logical frames than physical: a PC outside every function; cap: cut short. */
	for (i = n < cap && n >= g->tb.nframes ? n : 0; i-- > 0 && !name;)
		if (l[i].shown)
			name = l[i].func;
	free(l);
	return name;
}

void stacks__close(struct stacks_target *t)
{
	if (!t)
		return;
	go_tables__free(&t->tabs);
	goelf__free(t->ge);
	tb_cache__free(t->cache);
	free(t);
}

/* The stack bytes of one goroutine, read once; anything else is read from the process. */
struct stk_mem {
	struct stacks_target *t;
	uint64_t lo;
	const uint8_t *buf;
	size_t len;
	uint64_t hi;  /* g.stack.hi: deeper reads stop there */
	uint64_t xlo; /* what xbuf holds: [xlo, xlo + xlen) */
	size_t xlen;
};

static int mem_read(uint64_t addr, void *buf, size_t len, void *ctx)
{
	struct stk_mem *m = ctx;
	struct stacks_target *t = m->t;
	size_t n;

	if (addr >= m->lo && len <= m->len && addr - m->lo <= m->len - len) {
		memcpy(buf, m->buf + (addr - m->lo), len);
		return 0;
	}
	if (addr >= m->xlo && len <= m->xlen && addr - m->xlo <= m->xlen - len) {
		memcpy(buf, t->xbuf + (addr - m->xlo), len);
		return 0;
	}
	/* past the first STACK_READ bytes of a deep stack: the next 64 KiB of it at once */
	n = addr < m->hi && m->hi - addr < XREAD ? (size_t)(m->hi - addr) : XREAD;
	if (len <= n && !vm_read(t, addr, t->xbuf, n)) {
		m->xlo = addr;
		m->xlen = n;
		memcpy(buf, t->xbuf, len);
		return 0;
	}
	return vm_read(t, addr, buf, len);
}

/* What the printers read of a frame: its PC and function ids, not its SP. */
static uint64_t frames_hash(const struct tb_frame *f, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ n;
	size_t i;

	for (i = 0; i < n; i++) {
		h = (h ^ f[i].pc) * 1099511628211ull;
		h = (h ^ ((uint64_t)f[i].funcid << 8 | f[i].callee_funcid)) * 1099511628211ull;
	}
	return h;
}

static bool same_frames(const struct tb_frame *a, const struct tb_frame *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i].pc != b[i].pc || a[i].funcid != b[i].funcid ||
		    a[i].callee_funcid != b[i].callee_funcid)
			return false;
	return true;
}

static int grow_slots(struct stk_sweep *s)
{
	size_t cap = s->cap_slot ? s->cap_slot * 2 : 256, i, j;
	uint32_t *slot = calloc(cap, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (i = 0; i < s->n_stk; i++) {
		for (j = s->stk[i].hash & (cap - 1); slot[j]; j = (j + 1) & (cap - 1))
			;
		slot[j] = (uint32_t)i + 1;
	}
	free(s->slot);
	s->slot = slot;
	s->cap_slot = cap;
	return 0;
}

/*
 * The N frames F as one of S's distinct stacks: its index in *ID. Parked
 * goroutines mostly share a few stacks; each is kept once, not once a
 * goroutine (at 1M goroutines parked on one channel, 120 MB of frames).
 */
static int intern_stack(struct stk_sweep *s, const struct tb_frame *f, size_t n, uint32_t *id)
{
	struct dstack *d = s->n_stk ? &s->stk[s->last] : NULL;
	uint64_t h;
	size_t j, i;

	if (d && d->n == n && same_frames(s->frames + d->first, f, n)) {
		*id = s->last;
		return 0;
	}
	h = frames_hash(f, n);
	if ((s->n_stk + 1) * 2 > s->cap_slot && grow_slots(s))
		return -ENOMEM;
	for (j = h & (s->cap_slot - 1); s->slot[j]; j = (j + 1) & (s->cap_slot - 1)) {
		d = &s->stk[s->slot[j] - 1];
		if (d->hash == h && d->n == n && same_frames(s->frames + d->first, f, n)) {
			*id = s->last = s->slot[j] - 1;
			return 0;
		}
	}
	if (xg_grow((void **)&s->stk, &s->cap_stk, s->n_stk + 1, sizeof(*s->stk)) ||
	    xg_grow((void **)&s->frames, &s->cap_frames, s->nframes + n, sizeof(*s->frames)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		s->frames[s->nframes + i] = f[i];
		s->frames[s->nframes + i].sp = 0; /* differs from goroutine to goroutine */
	}
	s->stk[s->n_stk] = (struct dstack){s->nframes, (uint32_t)n, h};
	s->nframes += n;
	s->slot[j] = (uint32_t)++s->n_stk;
	*id = s->last = (uint32_t)s->n_stk - 1;
	return 0;
}

/* Walk G (its window W just read) with the stack bytes STK; frames appended to S. */
static int walk(struct stacks_target *t, struct stk_sweep *s, struct stk_g *g, const uint8_t *w,
		const uint8_t *stk, size_t stklen, struct tb_frame *tmp)
{
	struct gsnap n;
	struct tb_start st = {0};
	struct stk_mem m = {t, 0, stk, stklen, 0, 0, 0};
	size_t cnt;
	int err;

	gsnap__read(&t->gl, w, &n);
	st.stack_lo = n.lo;
	st.stack_hi = n.hi;
	if (n.sys_sp) {
		st.pc = n.sys_pc;
		st.sp = n.sys_sp;
		st.syscall = true;
	} else {
		st.pc = n.sched_pc;
		st.sp = n.sched_sp;
	}
	m.lo = st.sp;
	m.hi = n.hi;
	cnt = tb__unwind(t->ge, t->bias, &t->rules, &st, mem_read, &m, tmp, MAX_FRAMES, &g->tb.end,
			 t->cache);
	g->stack = STK_G_NOSTACK;
	/* s->frames may move: tb.frames is set when the goroutine is done */
	if (cnt && (err = intern_stack(s, tmp, cnt, &g->stack)))
		return err;
	g->tb.nframes = cnt;
	g->tb.state = cnt && g->tb.end == TB_END_TOP ? TB_G_STACK : TB_G_BAD;
	return 0;
}

/* User and system CPU time of this thread, ns. */
static void thread_cpu(uint64_t *user, uint64_t *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	*user = (uint64_t)ru.ru_utime.tv_sec * 1000000000ull + (uint64_t)ru.ru_utime.tv_usec * 1000;
	*sys = (uint64_t)ru.ru_stime.tv_sec * 1000000000ull + (uint64_t)ru.ru_stime.tv_usec * 1000;
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Fill G from window W (no stack yet). False: dead, or not a goroutine Go lists. */
static bool fill_g(struct stacks_target *t, struct stk_g *g, uint64_t gaddr, const uint8_t *w,
		   uint64_t now)
{
	const struct xg_offsets *o = &t->tabs.off;
	uint32_t st = u32(w + t->gl.status);
	uint32_t base = st & ~0x1000u;

	memset(g, 0, sizeof(*g));
	g->stack = STK_G_NOSTACK;
	if (base == 6 || base == 0 || base == 11 || base > 11)
		return false;
	g->gaddr = gaddr;
	g->tb.goid = u64(w + o->g_goid);
	g->tb.status = st;
	g->tb.waitreason = go_tables__waitreason(&t->tabs, w[o->g_waitreason]);
	g->waitsince = tb__waitsince(st, (int64_t)u64(w + o->g_waitsince), now);
	if (g->waitsince)
		g->tb.wait_minutes = ((int64_t)now - g->waitsince) / 60000000000ll;
	g->tb.locked = u64(w + t->gl.lockedm) != 0;
	g->tb.gopc = u64(w + o->g_gopc);
	g->tb.parent_goid = o->g_parent_goid ? u64(w + o->g_parent_goid) : 0;
	g->startpc = u64(w + o->g_startpc);
	g->system = tb__system_goroutine(t->ge, t->bias, &t->rules, g->startpc, t->cache);
	return true;
}

/*
 * The sweep's big buffers, populated at once: the kernel writes every page
 * of them, and taking those faults one by one cost about a fifth of a
 * 100k-goroutine sweep (bench/stacks.sh, perf).
 */
static void *big_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void big_free(void *p, size_t len)
{
	if (p)
		munmap(p, len);
}

static int by_addr(const void *a, const void *b, void *ctx)
{
	const uint64_t *ptrs = ctx;
	uint64_t x = ptrs[*(const size_t *)a], y = ptrs[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

/*
 * Whether the LEN stack bytes at SP, read again into BUF, differ from SEEN
 * (what the walk used); a read that fails reads as zeros, as the first did.
 */
static bool stack_moved(struct stacks_target *t, uint64_t sp, const uint8_t *seen, uint8_t *buf,
			size_t len)
{
	if (vm_read(t, sp, buf, len))
		memset(buf, 0, len);
	return memcmp(seen, buf, len) != 0;
}

/*
 * Read G again (the fields that say where it is only: W2) until two reads
 * agree with W, the window its walk used: one that moved is read whole
 * and walked again, alone, up to STACKS_RETRIES times, then reported as
 * changed. Moved includes ran and parked again at the same PC and SP, its
 * frames rewritten under the read (g.trackingSeq: what it cannot see is
 * in gsnap.c), and MOVED: its stack's bytes differed when read again. A
 * stack read again here is read twice, and moved if the two differ.
 * g->gaddr 0: it ended; g->tries 0: its g could not be read at all. 0 or
 * -ENOMEM.
 */
static int settle(struct stacks_target *t, struct stk_sweep *s, struct stk_g *g, uint8_t *w,
		  uint8_t *w2, bool moved, uint64_t now, struct tb_frame *tmp, uint8_t **scratch)
{
	uint64_t gaddr = g->gaddr;
	struct gsnap a, b;
	int rc;

	gsnap__read(&t->gl, w, &a);
	gsnap__read(&t->gl, w2, &b);
	while ((moved || !gsnap__same(&a, &b)) && g->tries <= STACKS_RETRIES) {
		unsigned int tries = g->tries + 1;
		uint64_t sp;

		moved = false;
		if (vm_read(t, gaddr, w, G_WINDOW))
			break;
		gsnap__read(&t->gl, w, &a);
		if (!fill_g(t, g, gaddr, w, now)) {
			g->gaddr = 0; /* it ended */
			return 0;
		}
		g->tries = tries;
		sp = a.sys_sp ? a.sys_sp : a.sched_sp;
		if ((a.status & ~0x1000u) == 2) {
			g->tb.state = TB_G_RUNNING;
		} else if (sp >= a.lo && sp < a.hi) {
			size_t l = a.hi - sp < STACK_READ ? a.hi - sp : STACK_READ;

			/* the stack, then the same bytes again after the walk */
			if (!*scratch && !(*scratch = malloc(2 * STACK_READ)))
				return -ENOMEM;
			if (vm_read(t, sp, *scratch, l))
				memset(*scratch, 0, l);
			if ((rc = walk(t, s, g, w, *scratch, l, tmp)))
				return rc;
			moved = stack_moved(t, sp, *scratch, *scratch + STACK_READ, l);
		} else {
			g->tb.state = TB_G_BAD;
		}
		if (vm_read(t, gaddr, w2, t->gl.len))
			memset(w2, 0xfe, t->gl.len);
		gsnap__read(&t->gl, w2, &b);
	}
	/*
	 * Moved, or read again and its walk failed: it moved while its stack
	 * was read, in a way the snapshot misses (gsnap.c: trackingSeq
	 * wrapped, or a path around casgstatus). Not a stack Go could not
	 * read (e2e.stacks_churn: "unreadable" for a churner read again).
	 */
	if (moved || !gsnap__same(&a, &b) || (g->tries > 1 && g->tb.state == TB_G_BAD))
		g->tb.state = TB_G_CHANGED;
	return 0;
}

/* G's frames in S (its stack's), none for a running or changed one. */
static void point_frames(struct stk_sweep *s, struct stk_g *g)
{
	if (g->tb.state == TB_G_RUNNING || g->tb.state == TB_G_CHANGED || !g->tb.nframes)
		g->stack = STK_G_NOSTACK;
	if (g->stack == STK_G_NOSTACK)
		g->tb.nframes = 0;
	g->tb.frames = g->tb.nframes ? s->frames + s->stk[g->stack].first : NULL;
}

/*
 * Reads of many small ranges, one iovec each in the order given. The
 * kernel's cost is per remote iovec (a lock, a page walk) and per page
 * pinned: a range that starts less than SPAN_GAP after the one before
 * joins its remote iovec, the bytes between read into a sink (T's xbuf,
 * hot in the cache). Neighbours mostly are that close: gs sit side by side
 * in their spans, and so do parked 2 KiB stacks in allgs order (87% of
 * them within 2 KiB for 100k parked goroutines, bench/stacks.sh). A batch
 * that fails is read range by range; a range that cannot be read is FILL.
 */
#define SPAN_GAP 2048
#define LOC_MAX	 1024 /* IOV_MAX */

struct span {
	uint64_t addr;
	uint8_t *dst;
	size_t len;
};

static void flush_spans(struct stacks_target *t, struct iovec *loc, size_t nl, struct iovec *rem,
			size_t nr, const struct span *sp, size_t n, int fill)
{
	size_t j;

	if (!nr || !vm_readv2(t, loc, nl, rem, nr))
		return;
	for (j = 0; j < n; j++)
		if (vm_read(t, sp[j].addr, sp[j].dst, sp[j].len))
			memset(sp[j].dst, fill, sp[j].len);
}

static void read_spans(struct stacks_target *t, const struct span *sp, size_t n, int fill)
{
	struct iovec loc[LOC_MAX], rem[BATCH];
	size_t i, nl = 0, nr = 0, from = 0;
	uint64_t end = 0;

	for (i = 0; i < n; i++) {
		bool join;

		if (nr == BATCH || nl + 2 > LOC_MAX) {
			flush_spans(t, loc, nl, rem, nr, sp + from, i - from, fill);
			nl = nr = 0;
			from = i;
		}
		join = nr && sp[i].addr >= end && sp[i].addr - end <= SPAN_GAP;
		if (join && sp[i].addr > end)
			loc[nl++] = (struct iovec){t->xbuf, sp[i].addr - end};
		if (join)
			rem[nr - 1].iov_len += (sp[i].addr - end) + sp[i].len;
		else
			rem[nr++] = (struct iovec){(void *)(uintptr_t)sp[i].addr, sp[i].len};
		loc[nl++] = (struct iovec){sp[i].dst, sp[i].len};
		end = sp[i].addr + sp[i].len;
	}
	flush_spans(t, loc, nl, rem, nr, sp + from, n - from, fill);
}

/*
 * The first LEN bytes of every g (ORDER: their indexes by address) into
 * WIN, at a LEN stride (the second read keeps only what gsnap__same compares);
 * SP: room for N spans. A g that cannot be read is FILL.
 */
static void read_windows(struct stacks_target *t, const uint64_t *ptrs, const size_t *order,
			 size_t n, uint8_t *win, uint32_t len, int fill, struct span *sp)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!ptrs[order[i]]) {
			memset(win + order[i] * len, fill, len);
			continue;
		}
		sp[k++] = (struct span){ptrs[order[i]], win + order[i] * len, len};
	}
	read_spans(t, sp, k, fill);
}

/*
 * Goroutines a sweep reads at a time: its windows and stacks are buffers of
 * a batch, not of every goroutine (1M parked goroutines took 0.95 GB of
 * transient buffers at once, three times the state table; 16k took ~15 MB,
 * 4096 take ~4 MB, for the same sweep time: bench/README.md, issue 12).
 */
#define SWEEP_BATCH 4096

/* A batch's buffers, for up to cap goroutines; stk grows to the largest batch's stacks. */
struct sweep_bufs {
	size_t cap, stk_len;
	uint8_t *win, *win2, *stk, *scratch, *moved;
	size_t *slen, *start, *soff, *order;
	struct span *spans;
	struct tb_frame *tmp;
};

static int bufs__alloc(struct sweep_bufs *b, const struct stacks_target *t, size_t cap)
{
	b->cap = cap;
	b->win = big_alloc(cap * G_WINDOW);
	b->win2 = big_alloc(cap * t->gl.len);
	b->slen = calloc(cap, sizeof(*b->slen));
	b->start = calloc(cap, sizeof(*b->start));
	b->soff = calloc(cap, sizeof(*b->soff));
	b->order = calloc(cap, sizeof(*b->order));
	b->moved = calloc(cap, 1);
	b->spans = malloc(cap * sizeof(*b->spans));
	b->tmp = malloc(MAX_FRAMES * sizeof(*b->tmp));
	return b->win && b->win2 && b->slen && b->start && b->soff && b->order && b->moved &&
			       b->spans && b->tmp
		       ? 0
		       : -ENOMEM;
}

static void bufs__free(struct sweep_bufs *b, const struct stacks_target *t)
{
	big_free(b->win, b->cap * G_WINDOW);
	big_free(b->win2, b->cap * t->gl.len);
	big_free(b->stk, b->stk_len);
	free(b->moved);
	free(b->slen);
	free(b->start);
	free(b->soff);
	free(b->order);
	free(b->spans);
	free(b->tmp);
	free(b->scratch);
}

/* Steps 1 and 2 for the N g's at PTRS (their entries GS): windows, then the stacks. */
static int batch_read(struct stacks_target *t, struct stk_g *gs, const uint64_t *ptrs, size_t n,
		      struct sweep_bufs *b, uint64_t *now)
{
	size_t i, k, total;

	memset(b->slen, 0, n * sizeof(*b->slen));
	for (i = 0; i < n; i++)
		b->order[i] = i;
	/* allgs is mostly in address order already (gs are allocated in turn). */
	for (i = 1; i < n && ptrs[i - 1] <= ptrs[i]; i++)
		;
	if (i < n)
		qsort_r(b->order, n, sizeof(*b->order), by_addr, (void *)ptrs);
	read_windows(t, ptrs, b->order, n, b->win, G_WINDOW, 0xff, b->spans);
	*now = now_ns(CLOCK_MONOTONIC); /* the runtime's nanotime() is CLOCK_MONOTONIC */
	for (i = 0, total = 0; i < n; i++) {
		struct stk_g *g = &gs[i];
		struct gsnap sn;

		g->gaddr = 0; /* fill_g says whether it is a goroutine */
		if (!ptrs[i] || !fill_g(t, g, ptrs[i], b->win + i * G_WINDOW, *now))
			continue;
		gsnap__read(&t->gl, b->win + i * G_WINDOW, &sn);
		b->start[i] = sn.sys_sp ? sn.sys_sp : sn.sched_sp;
		if ((sn.status & ~0x1000u) == 2 || b->start[i] < sn.lo || b->start[i] >= sn.hi) {
			g->tb.state = (sn.status & ~0x1000u) == 2 ? TB_G_RUNNING : TB_G_BAD;
			continue;
		}
		b->slen[i] = sn.hi - b->start[i] < STACK_READ ? sn.hi - b->start[i] : STACK_READ;
		b->soff[i] = total;
		total += b->slen[i];
	}
	/*
	 * Kept from batch to batch: mapping and populating it again cost each
	 * batch as much as reading its stacks (100k parked goroutines, perf).
	 */
	if (total > b->stk_len || !b->stk) {
		big_free(b->stk, b->stk_len);
		b->stk_len = total > STACK_READ ? total : STACK_READ;
		b->stk = big_alloc(b->stk_len);
		if (!b->stk) {
			b->stk_len = 0;
			return -ENOMEM;
		}
	}
	for (i = 0, k = 0; i < n; i++)
		if (b->slen[i])
			b->spans[k++] = (struct span){b->start[i], b->stk + b->soff[i], b->slen[i]};
	read_spans(t, b->spans, k, 0);
	return 0;
}

/*
 * Whether G is in a state g.trackingSeq may not count a move out of
 * (gsnap.c): in a system call, preempted by the GC, or a coroutine.
 */
static bool seq_blind(const struct stk_g *g)
{
	uint32_t st = g->tb.status & ~0x1000u;
	const char *r = g->tb.waitreason;

	return st == 3 || st == 9 ||
	       (st == 4 && r && (!strcmp(r, "coroutine") || !strcmp(r, "preempted")));
}

/*
 * Steps 3 and 4 for the same batch: walk, then read every g again and
 * settle. The stack of a goroutine whose g may not say it ran (seq_blind:
 * few) is read again too, before its g: bytes that differ say it moved.
 */
static int batch_walk(struct stacks_target *t, struct stk_sweep *s, struct stk_g *gs,
		      const uint64_t *ptrs, size_t n, struct sweep_bufs *b, uint64_t now)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		struct stk_g *g = &gs[i];

		b->moved[i] = 0;
		if (!g->gaddr || !b->slen[i])
			continue;
		g->tries = 1;
		rc = walk(t, s, g, b->win + i * G_WINDOW, b->stk + b->soff[i], b->slen[i], b->tmp);
		if (rc)
			return rc;
	}
	for (i = 0; i < n; i++) {
		if (!gs[i].gaddr || !b->slen[i] || !seq_blind(&gs[i]))
			continue;
		if (!b->scratch && !(b->scratch = malloc(2 * STACK_READ)))
			return -ENOMEM;
		b->moved[i] =
			stack_moved(t, b->start[i], b->stk + b->soff[i], b->scratch, b->slen[i]);
	}
	read_windows(t, ptrs, b->order, n, b->win2, t->gl.len, 0xfe, b->spans);
	for (i = 0; i < n; i++) {
		struct stk_g *g = &gs[i];

		if (!g->gaddr)
			continue;
		rc = settle(t, s, g, b->win + i * G_WINDOW, b->win2 + i * t->gl.len, b->moved[i],
			    now, b->tmp, &b->scratch);
		if (rc)
			return rc;
		s->st.retried += g->tries > 1;
	}
	return 0;
}

/* The LEN goroutines read at GS, compacted, each pointed at its frames: how many are left. */
static size_t finish_gs(struct stk_sweep *s, struct stk_g *gs, size_t len)
{
	size_t i, k;

	for (i = 0, k = 0; i < len; i++) {
		struct stk_g *g = &gs[i];

		if (!g->gaddr)
			continue;
		gs[k] = *g;
		g = &gs[k++];
		point_frames(s, g);
		s->st.stacks += g->tb.state == TB_G_STACK;
		s->st.changed += g->tb.state == TB_G_CHANGED;
	}
	s->st.listed += k;
	return k;
}

/* The sweep's figures, from BASE (see sweep_run). */
static void sweep_stats(struct stacks_target *t, struct stk_sweep *s, size_t len,
			const uint64_t *base)
{
	s->st.gs = len;
	s->st.distinct = s->n_stk;
	s->st.reads = t->reads - base[0];
	s->st.bytes = t->bytes - base[1];
	s->st.cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - base[2];
	thread_cpu(&s->st.user_ns, &s->st.sys_ns);
	s->st.user_ns -= base[3];
	s->st.sys_ns -= base[4];
	s->st.wall_ns = now_ns(CLOCK_MONOTONIC) - base[5];
}

/* runtime.allgs of T: its array into *PTRS (LEN entries, and one more). */
static int read_allgs(struct stacks_target *t, uint64_t **ptrs, uint64_t *len, char *err,
		      size_t errlen)
{
	uint8_t hdr[24];
	uint64_t arr;
	int rc = vm_read(t, t->allgs + t->bias, hdr, sizeof(hdr));

	if (rc) {
		snprintf(err, errlen, "cannot read runtime.allgs of pid %d: %s", (int)t->pid,
			 strerror(-rc));
		return rc;
	}
	arr = u64(hdr);
	*len = u64(hdr + 8);
	if (*len > MAX_GS || *len > u64(hdr + 16) || (*len && !arr)) {
		snprintf(err, errlen, "runtime.allgs of pid %d is being updated: try again",
			 (int)t->pid);
		return -EAGAIN;
	}
	*ptrs = calloc(*len + 1, 8);
	if (!*ptrs)
		return -ENOMEM;
	if (*len && (rc = vm_read(t, arr, *ptrs, *len * 8)))
		snprintf(err, errlen, "cannot read the goroutine table of pid %d: %s", (int)t->pid,
			 strerror(-rc));
	return rc;
}

/*
 * A sweep into S: every goroutine kept in S->gs (FN NULL), or each batch
 * handed to FN and dropped. 0 or -errno.
 */
static int sweep_run(struct stacks_target *t, struct stk_sweep *s, stk_batch_fn fn, void *ctx,
		     char *err, size_t errlen)
{
	/* reads, bytes, thread CPU, user, system, wall at the start */
	uint64_t base[6] = {t->reads, t->bytes, now_ns(CLOCK_THREAD_CPUTIME_ID),
			    0,	      0,	now_ns(CLOCK_MONOTONIC)};
	struct sweep_bufs b = {0};
	uint64_t *ptrs = NULL, len = 0, now;
	size_t from, n, batch;
	int rc;

	thread_cpu(&base[3], &base[4]);
	rc = read_allgs(t, &ptrs, &len, err, errlen);
	if (rc)
		goto done;
	rc = -ENOMEM;
	batch = (len < SWEEP_BATCH ? len : SWEEP_BATCH) + 1;
	s->gs = calloc(fn ? batch : len + 1, sizeof(*s->gs));
	if (!s->gs || bufs__alloc(&b, t, batch))
		goto done;
	/* Batch by batch: each g's second read comes after its batch's walk only. */
	for (from = 0, rc = 0; from < len && !rc; from += n) {
		struct stk_g *gs = fn ? s->gs : s->gs + from;

		n = len - from < SWEEP_BATCH ? len - from : SWEEP_BATCH;
		rc = batch_read(t, gs, ptrs + from, n, &b, &now);
		if (!rc)
			rc = batch_walk(t, s, gs, ptrs + from, n, &b, now);
		if (!rc && fn)
			rc = fn(gs, finish_gs(s, gs, n), ctx);
	}
	if (!rc && !fn)
		s->n = finish_gs(s, s->gs, len);
	sweep_stats(t, s, len, base);
done:
	if (rc == -ENOMEM && !*err)
		snprintf(err, errlen, "out of memory");
	free(ptrs);
	bufs__free(&b, t);
	return rc;
}

/* A new sweep into *OUT (NULL on failure): see sweep_run. */
static int sweep_new(struct stacks_target *t, stk_batch_fn fn, void *ctx, struct stk_sweep **out,
		     char *err, size_t errlen)
{
	struct stk_sweep *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = sweep_run(t, s, fn, ctx, err, errlen);
	if (rc)
		stk_sweep__free(s);
	else
		*out = s;
	return rc;
}

int stacks__sweep(struct stacks_target *t, struct stk_sweep **out, char *err, size_t errlen)
{
	return sweep_new(t, NULL, NULL, out, err, errlen);
}

int stacks__sweep_each(struct stacks_target *t, stk_batch_fn fn, void *ctx, struct stk_stats *st,
		       char *err, size_t errlen)
{
	struct stk_sweep *s;
	int rc = sweep_new(t, fn, ctx, &s, err, errlen);

	if (!rc && st)
		*st = s->st;
	stk_sweep__free(s);
	return rc;
}

int stacks__read_g(struct stacks_target *t, uint64_t gaddr, uint64_t goid, struct stk_sweep **out)
{
	uint8_t w[G_WINDOW], w2[G_WINDOW], *scratch = NULL;
	struct stk_sweep *s = calloc(1, sizeof(*s));
	struct tb_frame *tmp = malloc(MAX_FRAMES * sizeof(*tmp));
	struct stk_g *g;
	int rc = -ENOMEM;

	*out = NULL;
	if (!s || !tmp || !(s->gs = calloc(1, sizeof(*s->gs))))
		goto fail;
	/* Two windows that differ: settle reads and walks it from scratch. */
	memset(w, 0xff, sizeof(w));
	memset(w2, 0xfe, sizeof(w2));
	g = &s->gs[0];
	g->gaddr = gaddr;
	if ((rc = settle(t, s, g, w, w2, false, now_ns(CLOCK_MONOTONIC), tmp, &scratch)))
		goto fail;
	/* Gone: it ended, or its g is another goroutine's now (gs are reused). */
	rc = !g->tries ? -EFAULT : -ESRCH;
	if (!g->tries || !g->gaddr || g->tb.goid != goid)
		goto fail;
	point_frames(s, g);
	s->n = 1;
	s->st.gs = s->st.listed = 1;
	s->st.stacks = g->tb.state == TB_G_STACK;
	s->st.changed = g->tb.state == TB_G_CHANGED;
	s->st.retried = g->tries > 1;
	*out = s;
	rc = 0;
	goto done;
fail:
	stk_sweep__free(s);
done:
	free(scratch);
	free(tmp);
	return rc;
}

void stk_sweep__free(struct stk_sweep *s)
{
	if (!s)
		return;
	free(s->gs);
	free(s->frames);
	free(s->stk);
	free(s->slot);
	free(s);
}

size_t stk_sweep__n(const struct stk_sweep *s)
{
	return s->n;
}

size_t stk_sweep__n_stacks(const struct stk_sweep *s)
{
	return s->n_stk;
}

const struct stk_g *stk_sweep__g(const struct stk_sweep *s, size_t i)
{
	return i < s->n ? &s->gs[i] : NULL;
}

void stk_sweep__stats(const struct stk_sweep *s, struct stk_stats *out)
{
	*out = s->st;
}

/* One stack of the grouped form: its profile PCs and how many goroutines share them. */
struct group {
	uint64_t *pcs;
	size_t n;
	size_t count;
	char *key;
};

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	/* pprof's keysByCount: count descending, then the key string */
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->key, ((const struct group *)b)->key);
}

static int print_grouped(FILE *out, const struct stacks_target *t, const struct stk_sweep *s)
{
	struct group *gr = calloc(s->n + 1, sizeof(*gr));
	size_t prof_depth = t->rules.minor >= 23 ? 128 : 32;
	size_t i, j, n = 0, total = 0, k;
	int rc = -ENOMEM;

	if (!gr)
		return rc;
	for (i = 0; i < s->n; i++) {
		const struct stk_g *g = &s->gs[i];
		size_t cap = g->tb.nframes * 4 + 1, len = 0;
		uint64_t *pcs;
		char *key;

		if (g->system || g->tb.state != TB_G_STACK)
			continue;
		pcs = malloc(cap * sizeof(*pcs));
		key = malloc(cap * 19 + 2);
		if (!pcs || !key) {
			free(pcs);
			free(key);
			goto done;
		}
		/*
		 * GoroutineProfile keeps 32 PCs (StackRecord.Stack0, 1.22.12
		 * mprof.go:1416) until go1.23, then debug.profstackdepth, 128.
		 */
		gr[n].n = tb__profile_pcs(t->ge, t->bias, &t->rules, &g->tb, pcs,
					  cap < prof_depth ? cap : prof_depth);
		key[0] = 0;
		for (j = 0; j < gr[n].n; j++)
			len += (size_t)sprintf(key + len, " %#llx", (unsigned long long)pcs[j]);
		gr[n].pcs = pcs;
		gr[n].key = key;
		gr[n].count = 1;
		n++;
		total++;
	}
	qsort(gr, n, sizeof(*gr), key_cmp);
	for (i = 0, k = 0; i < n; i++) {
		if (k && !strcmp(gr[k - 1].key, gr[i].key)) {
			gr[k - 1].count++;
			free(gr[i].pcs);
			free(gr[i].key);
			continue;
		}
		gr[k++] = gr[i];
	}
	n = k;
	qsort(gr, n, sizeof(*gr), group_cmp);
	fprintf(out, "goroutine profile: total %zu\n", total);
	for (i = 0; i < n; i++) {
		fprintf(out, "%zu @%s\n", gr[i].count, gr[i].key);
		tb__print_record(out, t->ge, t->bias, gr[i].pcs, gr[i].n);
	}
	rc = 0;
done:
	for (i = 0; i < n; i++) {
		free(gr[i].pcs);
		free(gr[i].key);
	}
	free(gr);
	return rc;
}

int stacks__print(FILE *out, const struct stacks_target *t, const struct stk_sweep *s, int debug)
{
	size_t i;
	bool first = true;
	int rc;

	if (debug == 1)
		return print_grouped(out, t, s);
	for (i = 0; i < s->n; i++) {
		const struct stk_g *g = &s->gs[i];

		if (g->system)
			continue;
		/* runtime.Stack separates goroutines with a blank line, none before the first */
		if (!first)
			fputc('\n', out);
		first = false;
		rc = tb__print_g(out, t->ge, t->bias, &t->rules, &g->tb);
		if (rc)
			return rc;
	}
	return 0;
}

size_t stacks__frames(const struct stacks_target *t, const struct stk_g *g, struct tb_lframe *out,
		      size_t max)
{
	size_t n, i, k = 0;

	if (g->tb.state != TB_G_STACK)
		return 0;
	n = tb__logical(t->ge, t->bias, &t->rules, g->tb.frames, g->tb.nframes, out, max);
	/*
	 * What Go's dump prints: its hidden runtime frames and wrappers left
	 * out; a runtime goroutine's all kept (Go hides it, and every frame of it).
	 */
	for (i = 0; i < n; i++)
		if (out[i].shown || g->system)
			out[k++] = out[i];
	return k;
}

const char *stacks__func_name(const struct stacks_target *t, const struct tb_lframe *l, char *buf,
			      size_t len)
{
	return tb__func_name(&t->rules, l->func, !l->inlined, buf, len);
}
