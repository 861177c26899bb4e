// SPDX-License-Identifier: BSD-2-Clause
/*
 * Checks a --export perfetto file against the recording it came from:
 *   perfetto_check RECORDING TRACE.json
 * The JSON must parse (a strict RFC 8259 parser, here), hold a traceEvents
 * array, name one track per goroutine of the recording ("gN func" when its
 * creation was recorded), give each track non-overlapping state slices in
 * order, and end the track of an exited goroutine at its exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("FAIL: perfetto_check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* ---- a small strict JSON parser into a tree ------------------------------------ */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype t;
	double num;
	char *str;	   /* J_STR; key names of J_OBJ members in keys */
	struct jval *kids; /* J_ARR, J_OBJ */
	char **keys;
	size_t n;
};

struct jp {
	const char *p, *end;
};

static void ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static void parse_value(struct jp *j, struct jval *v, int depth);

static char *parse_string(struct jp *j)
{
	size_t cap = 32, n = 0;
	char *s = malloc(cap);

	if (j->p >= j->end || *j->p != '"')
		fail("JSON: string expected at byte %td", j->p - (j->end - 0));
	j->p++;
	for (;;) {
		unsigned char c;

		if (j->p >= j->end)
			fail("JSON: unterminated string");
		c = (unsigned char)*j->p++;
		if (c == '"')
			break;
		if (c < 0x20)
			fail("JSON: control character in a string");
		if (c == '\\') {
			if (j->p >= j->end)
				fail("JSON: bad escape");
			c = (unsigned char)*j->p++;
			if (c == 'u') {
				int i;

				for (i = 0; i < 4; i++)
					if (j->p >= j->end ||
					    !strchr("0123456789abcdefABCDEF", *j->p++))
						fail("JSON: bad \\u escape");
				c = '?';
			} else if (!strchr("\"\\/bfnrt", c)) {
				fail("JSON: bad escape \\%c", c);
			}
		} else if (c >= 0x80) {
			/* Well-formed UTF-8 only. */
			int more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1, i;

			if (more < 0 || c > 0xf4)
				fail("JSON: invalid UTF-8");
			for (i = 0; i < more; i++)
				if (j->p >= j->end || ((unsigned char)*j->p++ & 0xc0) != 0x80)
					fail("JSON: invalid UTF-8");
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		s[n++] = (char)c;
	}
	s[n] = '\0';
	return s;
}

static void add_kid(struct jval *v, char *key, int depth, struct jp *j)
{
	if ((v->n & (v->n - 1)) == 0) {
		size_t cap = v->n ? v->n * 2 : 1;

		v->kids = realloc(v->kids, cap * sizeof(*v->kids));
		v->keys = realloc(v->keys, cap * sizeof(*v->keys));
	}
	v->keys[v->n] = key;
	parse_value(j, &v->kids[v->n], depth + 1);
	v->n++;
}

static void jval_free(struct jval *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->keys[i]);
		jval_free(&v->kids[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->str);
}

static void parse_value(struct jp *j, struct jval *v, int depth)
{
	memset(v, 0, sizeof(*v));
	if (depth > 64)
		fail("JSON: nested too deep");
	ws(j);
	if (j->p >= j->end)
		fail("JSON: value expected");
	if (*j->p == '{') {
		v->t = J_OBJ;
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return;
		}
		for (;;) {
			char *key;

			ws(j);
			key = parse_string(j);
			ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				fail("JSON: ':' expected");
			add_kid(v, key, depth, j);
			ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == '}') {
				j->p++;
				return;
			}
			fail("JSON: ',' or '}' expected");
		}
	}
	if (*j->p == '[') {
		v->t = J_ARR;
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return;
		}
		for (;;) {
			add_kid(v, NULL, depth, j);
			ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				return;
			}
			fail("JSON: ',' or ']' expected");
		}
	}
	if (*j->p == '"') {
		v->t = J_STR;
		v->str = parse_string(j);
		return;
	}
	if (!strncmp(j->p, "true", 4) || !strncmp(j->p, "null", 4)) {
		v->t = *j->p == 't' ? J_BOOL : J_NULL;
		j->p += 4;
		return;
	}
	if (!strncmp(j->p, "false", 5)) {
		v->t = J_BOOL;
		j->p += 5;
		return;
	}
	{
		/* RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
		const char *s = j->p;
		char *e;

		if (*s == '-')
			s++;
		if (s >= j->end || *s < '0' || *s > '9' ||
		    (*s == '0' && s + 1 < j->end && s[1] >= '0' && s[1] <= '9'))
			fail("JSON: bad value at \"%.20s\"", j->p);
		v->t = J_NUM;
		v->num = strtod(j->p, &e);
		if (e == j->p || (e[-1] == '.'))
			fail("JSON: bad number");
		j->p = e;
	}
}

static const struct jval *get(const struct jval *o, const char *key)
{
	size_t i;

	if (o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return &o->kids[i];
	return NULL;
}

static double num(const struct jval *o, const char *key)
{
	const struct jval *v = get(o, key);

	if (!v || v->t != J_NUM)
		fail("event without a numeric \"%s\"", key);
	return v->num;
}

static bool plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* ---- what the recording says ------------------------------------------------------ */

struct g {
	uint32_t pid;
	uint64_t goid;
	const char *func; /* from its creation */
	bool created;
	uint64_t exited; /* ts, 0: alive */
	bool named;
	double last_end; /* of its slices, us */
	size_t slices;
};

struct gs {
	struct g *v;
	size_t n, cap;
};

static struct g *find(struct gs *gs, uint32_t pid, uint64_t goid, bool add)
{
	size_t i;

	/* Linear: the samples have hundreds of goroutines, not millions. */
	for (i = gs->n; i-- > 0;)
		if (gs->v[i].goid == goid && gs->v[i].pid == pid)
			return &gs->v[i];
	if (!add)
		return NULL;
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 256;
		gs->v = realloc(gs->v, gs->cap * sizeof(*gs->v));
	}
	gs->v[gs->n] = (struct g){.pid = pid, .goid = goid, .last_end = -1};
	return &gs->v[gs->n++];
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		fail("cannot read %s: %s", path, strerror(errno));
	p = malloc(n + 1);
	if (!p || fread(p, 1, n, f) != (size_t)n)
		fail("cannot read %s", path);
	fclose(f);
	p[n] = '\0';
	*len = n;
	return p;
}

int main(int argc, char **argv)
{
	struct gs gs = {0}, aux = {0};
	struct rec_reader *r;
	struct rec_iter *it;
	struct rec_item item;
	struct jval root;
	const struct jval *evs;
	struct jp j;
	char err[256], *text;
	size_t len, i, named = 0, slices = 0, counters = 0, gc_slices = 0;
	uint64_t t0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s RECORDING TRACE.json\n", argv[0]);
		return 2;
	}
	r = rec_reader__open(argv[1], NULL, err, sizeof(err));
	if (!r)
		fail("%s %s", argv[1], err);
	t0 = rec_reader__start(r);
	it = rec_iter__new(r, 0);
	while (rec_iter__next(it, &item) > 0) {
		struct g *g;

		if (item.kind == REC_ITEM_KF_ENTRY) {
			g = find(&gs, item.kf.pid, item.kf.goid, true);
			g->func = item.kf.func;
			g->created = item.kf.func != NULL;
			continue;
		}
		if (item.kind != REC_ITEM_EVENT)
			continue;
		/* A process's mark (gap, capture) or counters (heap, histograms, GC): no track. */
		if (gev_kind_info(item.ev.kind) &&
		    gev_kind_info(item.ev.kind)->scope != GEV_SCOPE_GOROUTINE)
			continue;
		g = find(&gs, item.ev.pid, item.ev.goid, true);
		if (item.ev.kind == GEV_CREATE && !g->exited && !g->func) {
			g->func = item.ev.func;
			g->created = true;
		}
		if (item.ev.kind == GEV_EXIT && !g->exited)
			g->exited = item.ev.ts;
	}
	rec_iter__free(it);

	text = slurp(argv[2], &len);
	j = (struct jp){text, text + len};
	parse_value(&j, &root, 0);
	ws(&j);
	if (j.p != j.end)
		fail("JSON: trailing bytes after the top-level value");
	evs = get(&root, "traceEvents");
	if (!evs || evs->t != J_ARR)
		fail("no traceEvents array");
	if (!get(&root, "displayTimeUnit"))
		fail("no displayTimeUnit");

	for (i = 0; i < evs->n; i++) {
		const struct jval *e = &evs->kids[i], *ph = get(e, "ph"), *name = get(e, "name");
		struct g *g;
		double ts, dur;

		if (!ph || ph->t != J_STR || !name || name->t != J_STR)
			fail("event %zu without ph and name", i);
		if (!strcmp(ph->str, "M")) {
			const struct jval *args = get(e, "args"), *n;

			if (strcmp(name->str, "thread_name"))
				continue;
			n = args ? get(args, "name") : NULL;
			g = find(&gs, (uint32_t)num(e, "pid"), (uint64_t)num(e, "tid"), false);
			if (!g && n && n->t == J_STR &&
			    (!strcmp(n->str, "GC") || !strcmp(n->str, "stop the world"))) {
				/* The GC tracks of a process: remembered as goroutine-less tracks.
				 */
				g = find(&aux, (uint32_t)num(e, "pid"), (uint64_t)num(e, "tid"),
					 true);
				g->named = true;
				continue;
			}
			if (!g)
				fail("a track for goroutine %.0f, not in the recording",
				     num(e, "tid"));
			if (g->named)
				fail("goroutine %llu named twice", (unsigned long long)g->goid);
			if (!n || n->t != J_STR)
				fail("thread_name without args.name");
			{
				char want[4096];

				if (g->created && g->func)
					snprintf(want, sizeof(want), "g%llu %s",
						 (unsigned long long)g->goid, g->func);
				else
					snprintf(want, sizeof(want), "g%llu",
						 (unsigned long long)g->goid);
				/* Escapes do not read back as they were: compare plain names only.
				 */
				if (strcmp(n->str, want) && plain(want))
					fail("track of goroutine %llu is named \"%s\", want \"%s\"",
					     (unsigned long long)g->goid, n->str, want);
			}
			g->named = true;
			named++;
		} else if (!strcmp(ph->str, "X") &&
			   find(&aux, (uint32_t)num(e, "pid"), (uint64_t)num(e, "tid"), false)) {
			if (num(e, "ts") < 0 || num(e, "dur") < 0)
				fail("GC slice with a negative time");
			gc_slices++;
		} else if (!strcmp(ph->str, "i")) {
			if (!find(&aux, (uint32_t)num(e, "pid"), (uint64_t)num(e, "tid"), false))
				fail("an instant off the GC tracks");
			num(e, "ts");
		} else if (!strcmp(ph->str, "X")) {
			g = find(&gs, (uint32_t)num(e, "pid"), (uint64_t)num(e, "tid"), false);
			if (!g || !g->named)
				fail("a slice on a track that was not named first (tid %.0f)",
				     num(e, "tid"));
			ts = num(e, "ts");
			dur = num(e, "dur");
			if (ts < 0 || dur <= 0)
				fail("slice with ts %f dur %f", ts, dur);
			if (ts + 0.0015 < g->last_end)
				fail("slices of goroutine %llu overlap or are out of order",
				     (unsigned long long)g->goid);
			if (g->exited && ts + dur > (g->exited - t0) / 1e3 + 0.0015)
				fail("goroutine %llu has a slice after its exit",
				     (unsigned long long)g->goid);
			g->last_end = ts + dur;
			g->slices++;
			slices++;
		} else if (!strcmp(ph->str, "C")) {
			counters++;
		} else {
			fail("unexpected phase \"%s\"", ph->str);
		}
	}
	for (i = 0; i < gs.n; i++)
		if (!gs.v[i].named)
			fail("goroutine %llu has no track", (unsigned long long)gs.v[i].goid);
	if (!slices)
		fail("no state slices");
	printf("perfetto_check: %zu goroutines, %zu tracks, %zu slices, %zu GC slices, %zu counter "
	       "samples: OK\n",
	       gs.n, named, slices, gc_slices, counters);
	jval_free(&root);
	free(text);
	free(gs.v);
	free(aux.v);
	rec_reader__free(r);
	return 0;
}
