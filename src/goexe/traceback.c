// SPDX-License-Identifier: BSD-2-Clause
/*
 * Go's traceback, from outside. Citations are runtime/traceback.go of the
 * release named (~/.cache/xgotop-tui/go/<ver>/src/runtime).
 *
 * Unwinding (1.26.8 :367 resolveInternal, :447 next; 1.19.13 :32
 * gentraceback): fp = sp + pcsp(pc) + ptrsize; the caller's pc is the word
 * at fp - ptrsize unless the function is TOPFRAME or SPWRITE (then the walk
 * ends); its sp is fp. The innermost frame of a goroutine in a syscall
 * ignores SPWRITE. After sigpanic (and from go1.21 asyncPreempt and
 * debugCallV2: isInjectedCall, 1.26.8 :441) the caller's pc is not a
 * return address, so it is symbolized as is instead of pc - 1.
 *
 * Printing: tracebackothers (1.26.8 :1283) skips dead and system
 * goroutines; goroutineheader (:1223); a running goroutine gets "goroutine
 * running on other thread; stack unavailable". traceback1 (1.26.8 :829,
 * 1.19.13 :836): go1.19-1.20 walk 100 physical frames and say
 * "...additional frames elided..." when exactly 100 frames were printed;
 * go1.21+ print the first 50 and last 50 logical frames and "...N frames
 * elided..." between. Both print again with runtime frames when nothing
 * was shown. showfuncinfo (1.26.8 :1129, 1.19.13 :946) hides wrappers (but
 * not those that called a panic), and functions without a dot or in package
 * runtime unless exported (go1.23+: and a method of an exported type,
 * :1172); runtime.gopanic is shown as "panic" when not the first frame;
 * go1.25+ show runFinalizers/runCleanups. printcreatedby (1.26.8 :780,
 * 1.19.13 :780): not for goroutine 1 nor a hidden creator; "in goroutine N"
 * from go1.21.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "traceback.h"
#include "goelf.h"
#include "gofunc.h"

#define PTRSIZE		  8
#define PCDATA_INLTREEIDX 2
#define MAX_INLINE	  64  /* deeper inline chains than this are corrupt data */
#define OLD_MAX_FRAMES	  100 /* _TracebackMaxFrames, 1.19.13 runtime2.go:1032 */
#define INNER_FRAMES	  50  /* tracebackInnerFrames, 1.21.13 traceback.go:29 */
#define OUTER_FRAMES	  50  /* tracebackOuterFrames, :33 */

int tb__rules(int major, int minor, struct tb_rules *r)
{
	memset(r, 0, sizeof(*r));
	if (major != 1 || minor < 19 || minor > 26)
		return -ENOTSUP;
	r->major = major;
	r->minor = minor;
	/*
	 * funcID numbering: 1.19.13 symtab.go:330 and 1.21.13
	 * internal/abi/symtab.go:47 (no corostart); 1.22.12 added corostart
	 * (abi/symtab.go:47); 1.25.14 replaced runfinq by runFinalizers and
	 * runCleanups (abi/symtab.go:47).
	 */
	r->id_asyncpreempt = 3;
	r->id_cgocallback = 4;
	if (minor <= 21) {
		r->id_debugcall = 5;
		r->id_gopanic = 9;
		r->id_handleasync = 10;
		r->id_panicwrap = 14;
		r->id_runfinq = 16;
		r->id_runtime_main = 17;
		r->id_sigpanic = 18;
		r->id_wrapper = 21;
		r->id_corostart = 0xff;
	} else {
		r->id_corostart = 5;
		r->id_debugcall = 6;
		r->id_gopanic = 10;
		r->id_handleasync = 11;
		r->id_panicwrap = 15;
		r->id_runtime_main = 17;
		if (minor <= 24) {
			r->id_runtime_main = 18;
			r->id_runfinq = 17;
			r->id_sigpanic = 19;
			r->id_wrapper = 22;
		} else {
			r->id_runfinq = 18;
			r->id_runcleanups = 19;
			r->id_sigpanic = 20;
			r->id_wrapper = 23;
		}
	}
	r->unwinder121 = minor >= 21;
	r->print_name = minor >= 21;
	r->created_in = minor >= 21;
	r->exported_rcvr = minor >= 23;
	r->show_finalizers = minor >= 25;
	return 0;
}

static bool injected(const struct tb_rules *r, uint8_t id)
{
	if (id == r->id_sigpanic)
		return true;
	return r->unwinder121 && (id == r->id_asyncpreempt || id == r->id_debugcall);
}

#define CACHE_SLOTS 8192 /* a power of 2 */

struct tb_slot {
	uint64_t pc; /* link-time; 0: empty */
	struct go_func f;
	int32_t delta;
	bool found, has_delta;
};

struct tb_cache {
	struct tb_slot slot[CACHE_SLOTS];
};

struct tb_cache *tb_cache__new(void)
{
	return calloc(1, sizeof(struct tb_cache));
}

void tb_cache__free(struct tb_cache *c)
{
	free(c);
}

/* gofunc__find and, when DELTA, gofunc__spdelta at link-time PC, through C. */
static int lookup(const struct goelf *ge, struct tb_cache *c, uint64_t pc, struct go_func *f,
		  int32_t *delta)
{
	struct tb_slot *s;

	if (!c) {
		if (gofunc__find(ge, pc, f))
			return -ENOENT;
		return delta ? gofunc__spdelta(ge, f, pc, delta) : 0;
	}
	s = &c->slot[(pc * 0x9e3779b97f4a7c15ull) >> 51 & (CACHE_SLOTS - 1)];
	if (s->pc != pc || !pc) {
		s->pc = pc;
		s->found = !gofunc__find(ge, pc, &s->f);
		s->has_delta = false;
	}
	if (!s->found)
		return -ENOENT;
	*f = s->f;
	if (!delta)
		return 0;
	if (!s->has_delta) {
		if (gofunc__spdelta(ge, &s->f, pc, &s->delta))
			return -ENOENT;
		s->has_delta = true;
	}
	*delta = s->delta;
	return 0;
}

static int rd64(tb_read_fn read, void *ctx, uint64_t addr, uint64_t *v)
{
	return read(addr, v, sizeof(*v), ctx);
}

size_t tb__unwind(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		  const struct tb_start *st, tb_read_fn read, void *ctx, struct tb_frame *out,
		  size_t max, enum tb_end *end, struct tb_cache *cache)
{
	uint64_t pc = st->pc, sp = st->sp, fp, lr;
	uint8_t callee = 0;
	struct go_func f;
	size_t n = 0;
	int32_t delta;

	if (goelf__arch(ge) != GOELF_ARCH_AMD64) {
		*end = TB_END_BADPC; /* TODO(issue 15): arm64 keeps the return address in LR */
		return 0;
	}
	if (sp < st->stack_lo || sp >= st->stack_hi) {
		*end = TB_END_BADSP;
		return 0;
	}
	if (!pc) {
		/* A nil function call: start in the caller (initAt, 1.26.8 :300). */
		if (rd64(read, ctx, sp, &pc)) {
			*end = TB_END_READ;
			return 0;
		}
		sp += PTRSIZE;
	}
	if (pc < bias || lookup(ge, cache, pc - bias, &f, NULL)) {
		*end = TB_END_BADPC;
		return 0;
	}
	for (;;) {
		uint8_t flag = f.flag;

		if (n == max) {
			*end = TB_END_TOO_DEEP;
			return n;
		}
		if (lookup(ge, cache, pc - bias, &f, &delta)) {
			/* f.pcsp == 0: finishInternal, the end of the walk */
			*end = TB_END_TOP;
			return n;
		}
		if (delta < 0 || sp + (uint64_t)delta + PTRSIZE > st->stack_hi) {
			*end = TB_END_BADSP;
			return n;
		}
		fp = sp + (uint64_t)delta + PTRSIZE;
		out[n].pc = pc;
		out[n].sp = sp;
		out[n].funcid = f.funcid;
		out[n].callee_funcid = callee;
		n++;
		if (f.funcid == r->id_cgocallback || (n == 1 && st->syscall))
			flag &= (uint8_t)~GOFUNC_FLAG_SPWRITE;
		if (flag & (GOFUNC_FLAG_TOPFRAME | GOFUNC_FLAG_SPWRITE)) {
			*end = TB_END_TOP;
			return n;
		}
		if (rd64(read, ctx, fp - PTRSIZE, &lr)) {
			*end = TB_END_READ;
			return n;
		}
		if (!lr) {
			*end = TB_END_TOP;
			return n;
		}
		if (pc == lr && sp == fp) {
			*end = TB_END_BADSP;
			return n;
		}
		callee = f.funcid;
		if (lr < bias || lookup(ge, cache, lr - bias, &f, NULL)) {
			*end = TB_END_BADPC;
			return n;
		}
		pc = lr;
		sp = fp;
	}
}

/* The PC Go symbolizes for a physical frame (u.symPC, 1.26.8 :617). */
static uint64_t sym_pc(const struct tb_rules *r, const struct tb_frame *fr, uint64_t entry)
{
	if (!injected(r, fr->callee_funcid) && fr->pc > entry)
		return fr->pc - 1;
	return fr->pc;
}

static bool exported_runtime(const struct tb_rules *r, const char *name)
{
	const char *s, *dot, *rcvr = NULL;
	size_t rlen = 0;

	if (strncmp(name, "runtime.", 8))
		return false;
	s = name + 8;
	if (!r->exported_rcvr)
		return *s >= 'A' && *s <= 'Z';
	dot = strrchr(s, '.');
	if (dot) {
		rcvr = s;
		rlen = (size_t)(dot - s);
		s = dot + 1;
		if (rlen >= 3 && rcvr[0] == '(' && rcvr[1] == '*' && rcvr[rlen - 1] == ')') {
			rcvr += 2;
			rlen -= 3;
		}
	}
	return *s >= 'A' && *s <= 'Z' && (!rlen || (rcvr[0] >= 'A' && rcvr[0] <= 'Z'));
}

static bool showfuncinfo(const struct tb_rules *r, const char *name, uint8_t funcid, bool first,
			 uint8_t callee)
{
	if (funcid == r->id_wrapper && callee != r->id_gopanic && callee != r->id_sigpanic &&
	    callee != r->id_panicwrap)
		return false;
	if (r->show_finalizers && (funcid == r->id_runfinq || funcid == r->id_runcleanups))
		return true;
	if (!name)
		return false;
	if (!strcmp(name, "runtime.gopanic") && !first)
		return true;
	return strchr(name, '.') && (strncmp(name, "runtime.", 8) || exported_runtime(r, name));
}

size_t tb__logical(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		   const struct tb_frame *frames, size_t n, struct tb_lframe *out, size_t max)
{
	uint8_t callee = 0;
	size_t i, k = 0, shown = 0;

	for (i = 0; i < n && k < max; i++) {
		const struct tb_frame *fr = &frames[i];
		struct go_func f;
		uint64_t pc;
		int depth;

		if (gofunc__find(ge, fr->pc - bias, &f))
			break;
		pc = sym_pc(r, fr, f.entry + bias) - bias;
		for (depth = 0; depth < MAX_INLINE && k < max; depth++) {
			int32_t ix = gofunc__pcdata(ge, &f, PCDATA_INLTREEIDX, pc);
			struct tb_lframe *l = &out[k];
			struct go_inl inl;

			memset(l, 0, sizeof(*l));
			if (ix < 0 || gofunc__inl(ge, &f, ix, &inl))
				break;
			l->func = inl.name;
			l->funcid = inl.funcid;
			l->inlined = true;
			l->pc = pc + bias;
			l->entry = f.entry + bias;
			if (gofunc__fileline(ge, &f, pc, &l->file, &l->line))
				l->file = NULL;
			l->shown = showfuncinfo(r, l->func, l->funcid, shown == 0, callee);
			shown += l->shown;
			callee = l->funcid;
			k++;
			pc = f.entry + inl.parent_pc;
		}
		if (k == max)
			break;
		memset(&out[k], 0, sizeof(out[k]));
		out[k].func = f.name;
		out[k].funcid = f.funcid;
		out[k].pc = pc + bias;
		out[k].entry = f.entry + bias;
		out[k].off = fr->pc - (f.entry + bias);
		out[k].noargs = f.args == 0;
		if (gofunc__fileline(ge, &f, pc, &out[k].file, &out[k].line))
			out[k].file = NULL;
		out[k].shown = showfuncinfo(r, f.name, f.funcid, shown == 0, callee);
		shown += out[k].shown;
		callee = f.funcid;
		k++;
	}
	return k;
}

/* TODO(input): use the terminal-output sanitiser of src/core once merged. */
static void put_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "?");

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

/* printFuncName (go1.21+, 1.26.8 :771): "panic", or shapes as "[...]"; older: the name. */
const char *tb__func_name(const struct tb_rules *r, const char *name, bool physical, char *buf,
			  size_t len)
{
	const char *i, *j;

	if (name && !strcmp(name, "runtime.gopanic") && (physical || r->print_name))
		return "panic";
	if (!r->print_name || !name || !(i = strchr(name, '[')) || !(j = strrchr(name, ']')) ||
	    j <= i)
		return name;
	snprintf(buf, len, "%.*s[...]%s", (int)(i - name), name, j + 1);
	return buf;
}

static void put_func(FILE *out, const struct tb_rules *r, const char *name, bool physical)
{
	char buf[1024];

	/* Escaped as every string of the target (put_str). */
	put_str(out, tb__func_name(r, name, physical, buf, sizeof(buf)));
}

static void put_frame(FILE *out, const struct tb_rules *r, const struct tb_lframe *l)
{
	put_func(out, r, l->func, !l->inlined);
	/* printArgs prints nothing without arguments (1.26.8 traceback.go:705) */
	fputs(l->noargs ? "()\n\t" : "(...)\n\t", out);
	put_str(out, l->file);
	fprintf(out, ":%d", l->line);
	if (!l->inlined && l->off)
		fprintf(out, " +0x%llx", (unsigned long long)l->off);
	fputc('\n', out);
}

const char *tb__status_name(uint32_t status)
{
	/* gStatusStrings, 1.26.8 traceback.go:1196 ("leaked" from 1.26) */
	static const char *const names[] = {
		"idle", "runnable",	  "running",   "syscall",   "waiting", "moribund_unused",
		"dead", "enqueue_unused", "copystack", "preempted", "leaked",  "deadextra"};

	status &= ~0x1000u;
	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "???";
}

int64_t tb__waitsince(uint32_t status, int64_t waitsince, uint64_t now)
{
	status &= ~0x1000u;
	if ((status != 4 && status != 3) || waitsince <= 0 || (uint64_t)waitsince > now)
		return 0;
	return waitsince;
}

static void put_header(FILE *out, const struct tb_g *g)
{
	uint32_t st = g->status & ~0x1000u;

	fprintf(out, "goroutine %llu [", (unsigned long long)g->goid);
	if (st == 4 && g->waitreason && *g->waitreason)
		put_str(out, g->waitreason);
	else
		fputs(tb__status_name(st), out);
	if (g->status & 0x1000u)
		fputs(" (scan)", out);
	if ((st == 4 || st == 3) && g->wait_minutes >= 1)
		fprintf(out, ", %lld minutes", (long long)g->wait_minutes);
	if (g->locked)
		fputs(", locked to thread", out);
	fputs("]:\n", out);
}

static void put_created_by(FILE *out, const struct goelf *ge, uint64_t bias,
			   const struct tb_rules *r, const struct tb_g *g)
{
	struct go_func f;
	const char *file = NULL;
	uint64_t pc = g->gopc, tracepc;
	int line = 0;

	if (!pc || pc < bias || g->goid == 1 || gofunc__find(ge, pc - bias, &f))
		return;
	/* go1.19-1.20 pass funcID_normal for the creator (1.19.13 traceback.go:784) */
	if (!showfuncinfo(r, f.name, r->unwinder121 ? f.funcid : 0, false, 0))
		return;
	tracepc = pc - bias;
	if (tracepc > f.entry)
		tracepc -= 1; /* sys.PCQuantum on amd64 */
	if (gofunc__fileline(ge, &f, tracepc, &file, &line))
		file = NULL;
	fputs("created by ", out);
	if (r->print_name)
		put_func(out, r, f.name, true);
	else
		put_str(out, f.name);
	if (r->created_in && g->parent_goid)
		fprintf(out, " in goroutine %llu", (unsigned long long)g->parent_goid);
	fputs("\n\t", out);
	put_str(out, file);
	fprintf(out, ":%d", line);
	if (pc - bias > f.entry)
		fprintf(out, " +0x%llx", (unsigned long long)(pc - bias - f.entry));
	fputc('\n', out);
}

static void put_frames(FILE *out, const struct tb_rules *r, struct tb_lframe *l, size_t n, bool all)
{
	size_t i, total = 0, k = 0;

	for (i = 0; i < n; i++)
		total += all || l[i].shown;
	for (i = 0; i < n; i++) {
		if (!all && !l[i].shown)
			continue;
		if (r->unwinder121 && total > INNER_FRAMES + OUTER_FRAMES && k == INNER_FRAMES)
			fprintf(out, "...%zu frames elided...\n",
				total - INNER_FRAMES - OUTER_FRAMES);
		if (!r->unwinder121 || total <= INNER_FRAMES + OUTER_FRAMES || k < INNER_FRAMES ||
		    k >= total - OUTER_FRAMES)
			put_frame(out, r, &l[i]);
		k++;
	}
	if (!r->unwinder121 && total == OLD_MAX_FRAMES)
		fputs("...additional frames elided...\n", out);
}

/* Every logical frame of FRAMES (malloc'd, *N of them), however deep the inlining. */
static struct tb_lframe *all_logical(const struct goelf *ge, uint64_t bias,
				     const struct tb_rules *r, const struct tb_frame *frames,
				     size_t n, size_t *nl)
{
	size_t cap = n * 4 + 8;

	for (;;) {
		struct tb_lframe *l = malloc(cap * sizeof(*l));

		if (!l)
			return NULL;
		*nl = tb__logical(ge, bias, r, frames, n, l, cap);
		if (*nl < cap || cap >= (n + 1) * (MAX_INLINE + 1))
			return l;
		free(l);
		cap *= 2;
	}
}

int tb__print_g(FILE *out, const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		const struct tb_g *g)
{
	size_t n = g->nframes, nl, i;
	struct tb_lframe *l;
	bool any = false;

	put_header(out, g);
	if (g->state != TB_G_STACK) {
		if (g->state == TB_G_RUNNING)
			fputs("\tgoroutine running on other thread; stack unavailable\n", out);
		else if (g->state == TB_G_CHANGED)
			fputs("\tgoroutine changed while read; stack unavailable (xgotop-tui)\n",
			      out);
		else
			fputs("\tgoroutine stack unreadable (xgotop-tui)\n", out);
		put_created_by(out, ge, bias, r, g);
		return 0;
	}
	/* go1.19-1.20 walk at most 100 physical frames */
	if (!r->unwinder121 && n > OLD_MAX_FRAMES)
		n = OLD_MAX_FRAMES;
	l = all_logical(ge, bias, r, g->frames, n, &nl);
	if (!l)
		return -ENOMEM;
	for (i = 0; i < nl; i++)
		any |= l[i].shown;
	put_frames(out, r, l, nl, !any);
	free(l);
	put_created_by(out, ge, bias, r, g);
	return 0;
}

size_t tb__profile_pcs(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
		       const struct tb_g *g, uint64_t *out, size_t max)
{
	size_t nl, i, k = 0;
	struct tb_lframe *l = all_logical(ge, bias, r, g->frames, g->nframes, &nl);
	uint8_t callee = 0;

	if (!l)
		return 0;
	/* tracebackPCs, 1.26.8 :668: wrappers elided, return PCs (uf.pc + 1) */
	for (i = 0; i < nl && k < max; i++) {
		if (!(l[i].funcid == r->id_wrapper && callee != r->id_gopanic &&
		      callee != r->id_sigpanic && callee != r->id_panicwrap))
			out[k++] = l[i].pc + 1;
		callee = l[i].funcid;
	}
	free(l);
	return k;
}

/* One "#" line of printStackRecord: up to three tab-terminated cells and the last. */
struct rec_line {
	char cell[3][512];
	size_t ncells; /* tab-terminated cells */
	char last[1024];
};

/*
 * pprof writes through text/tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
 * (printCountProfile, runtime/pprof/pprof.go): a column of consecutive
 * lines is as wide as its widest cell plus one, rounded up to 8, and
 * padded with tabs.
 */
static void put_tabbed(FILE *out, const struct rec_line *l, size_t n)
{
	size_t i, j, c;
	size_t *width = calloc(n ? n * 3 : 1, sizeof(*width));

	if (!width)
		return;
	for (c = 0; c < 3; c++) {
		for (i = 0; i < n;) {
			size_t max = 1;

			if (l[i].ncells <= c) {
				i++;
				continue;
			}
			for (j = i; j < n && l[j].ncells > c; j++)
				if (strlen(l[j].cell[c]) + 1 > max)
					max = strlen(l[j].cell[c]) + 1;
			max = (max + 7) / 8 * 8;
			for (; i < j; i++)
				width[i * 3 + c] = max;
		}
	}
	for (i = 0; i < n; i++) {
		for (c = 0; c < l[i].ncells; c++) {
			size_t len = strlen(l[i].cell[c]), pad = width[i * 3 + c] - len;

			fputs(l[i].cell[c], out);
			for (j = 0; j < (pad + 7) / 8; j++)
				fputc('\t', out);
		}
		fputs(l[i].last, out);
		fputc('\n', out);
	}
	free(width);
}

/* S escaped into BUF (LEN bytes), shapes as "[...]" when NAME. */
static void esc(char *buf, size_t len, const char *s, bool name)
{
	char *p = NULL;
	size_t sz = 0;
	FILE *m = open_memstream(&p, &sz);
	struct tb_rules pr = {.print_name = true};

	buf[0] = 0;
	if (!m)
		return;
	if (name)
		put_func(m, &pr, s, false);
	else
		put_str(m, s);
	fclose(m);
	snprintf(buf, len, "%s", p ? p : "");
	free(p);
}

/* pprof's printStackRecord (runtime/pprof/pprof.go), over runtime.CallersFrames. */
void tb__print_record(FILE *out, const struct goelf *ge, uint64_t bias, const uint64_t *pcs,
		      size_t n)
{
	struct rec_line *lines = calloc(n ? n : 1, sizeof(*lines));
	size_t i, k;
	bool all;

	if (!lines)
		return;
	for (all = false;; all = true) {
		bool show = all;

		for (i = 0, k = 0; i < n; i++) {
			uint64_t pc = pcs[i] - 1 - bias;
			struct rec_line *l = &lines[k];
			struct go_func f;
			const char *name = NULL, *file = NULL;
			char fn[400];
			int line = 0;

			if (!gofunc__find(ge, pc, &f)) {
				int32_t ix = gofunc__pcdata(ge, &f, PCDATA_INLTREEIDX, pc);
				struct go_inl inl;

				name = f.name;
				if (ix >= 0 && !gofunc__inl(ge, &f, ix, &inl))
					name = inl.name;
				if (gofunc__fileline(ge, &f, pc, &file, &line))
					file = NULL;
			}
			memset(l, 0, sizeof(*l));
			if (!name) {
				show = true;
				strcpy(l->cell[0], "#");
				snprintf(l->last, sizeof(l->last), "%#llx",
					 (unsigned long long)(pc + bias));
				l->ncells = 1;
				k++;
			} else if (strcmp(name, "runtime.goexit") &&
				   (show || (strncmp(name, "runtime.", 8) &&
					     strncmp(name, "internal/runtime/", 17)))) {
				show = true;
				strcpy(l->cell[0], "#");
				snprintf(l->cell[1], sizeof(l->cell[1]), "%#llx",
					 (unsigned long long)(pc + bias));
				esc(fn, sizeof(fn), name, true);
				snprintf(l->cell[2], sizeof(l->cell[2]), "%s+%#llx", fn,
					 (unsigned long long)(pc - f.entry));
				esc(fn, sizeof(fn), file, false);
				snprintf(l->last, sizeof(l->last), "%s:%d", fn, line);
				l->ncells = 3;
				k++;
			}
		}
		if (show || all)
			break;
	}
	put_tabbed(out, lines, k);
	free(lines);
	fputc('\n', out);
}

bool tb__system_goroutine(const struct goelf *ge, uint64_t bias, const struct tb_rules *r,
			  uint64_t startpc, struct tb_cache *cache)
{
	struct go_func f;

	if (startpc < bias || lookup(ge, cache, startpc - bias, &f, NULL))
		return false;
	if (f.funcid == r->id_runtime_main || f.funcid == r->id_corostart ||
	    f.funcid == r->id_handleasync)
		return false;
	/*
	 * The finalizer and cleanup goroutines count as user goroutines only
	 * while they run user code (fingStatus, g.runningCleanups): we take
	 * them as parked in the runtime, their usual state.
	 */
	return f.name && !strncmp(f.name, "runtime.", 8);
}
