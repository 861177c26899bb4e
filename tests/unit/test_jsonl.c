// SPDX-License-Identifier: BSD-2-Clause
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "jsonl.h"
#include "xgotop_event.h"

static struct gev ev_create(void)
{
	return (struct gev){.kind = GEV_CREATE,
			    .ts = 1000,
			    .pid = 42,
			    .tid = 43,
			    .goid = 18,
			    .reason = GEV_NO_REASON,
			    .parent = 1,
			    .startpc = 0x4a2b10,
			    .gopc = 0x4a2000,
			    .func = "main.worker",
			    .created_by = "main.main",
			    .file = "/src/main.go",
			    .line = 42};
}

static struct gev ev_state(uint8_t from, uint8_t to)
{
	return (struct gev){.kind = GEV_STATE,
			    .ts = 2500,
			    .pid = 42,
			    .tid = 43,
			    .goid = 18,
			    .from = from,
			    .to = to,
			    .reason = GEV_NO_REASON};
}

static void check_line(const struct gev *ev, const char *want)
{
	char buf[4096];
	int n = jsonl__format(ev, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

static void test_golden_create(void **state)
{
	struct gev ev = ev_create();

	(void)state;
	check_line(&ev, "{\"event\":\"create\",\"ts\":1000,\"pid\":42,\"goid\":18,\"parent\":1,"
			"\"func\":\"main.worker\",\"created_by\":\"main.main\","
			"\"file\":\"/src/main.go\",\"line\":42,\"startpc\":\"0x4a2b10\","
			"\"gopc\":\"0x4a2000\",\"tid\":43}\n");
	ev.func = NULL;
	ev.created_by = NULL;
	ev.file = NULL;
	ev.line = 0;
	ev.startpc = 0;
	ev.gopc = UINT64_MAX;
	ev.parent = 0;
	ev.ts = UINT64_MAX;
	check_line(&ev,
		   "{\"event\":\"create\",\"ts\":18446744073709551615,\"pid\":42,\"goid\":18,"
		   "\"parent\":0,\"func\":null,\"created_by\":null,\"file\":null,\"line\":null,"
		   "\"startpc\":\"0x0\",\"gopc\":\"0xffffffffffffffff\",\"tid\":43}\n");
	/* Found at attach, blocked since Go's g.waitsince: that time, after the state. */
	ev = ev_create();
	ev.existing = true;
	ev.to = XG_G_WAITING;
	ev.reason = 9;
	ev.reason_str = "select";
	ev.waitsince = 400;
	check_line(&ev, "{\"event\":\"create\",\"ts\":1000,\"pid\":42,\"goid\":18,\"parent\":1,"
			"\"func\":\"main.worker\",\"created_by\":\"main.main\","
			"\"file\":\"/src/main.go\",\"line\":42,\"startpc\":\"0x4a2b10\","
			"\"gopc\":\"0x4a2000\",\"existing\":true,\"state\":\"waiting\","
			"\"reason\":\"select\",\"waitsince\":400,\"tid\":43}\n");
}

static void test_golden_state(void **state)
{
	struct gev ev = ev_state(XG_G_RUNNABLE, XG_G_RUNNING);

	(void)state;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"runnable\",\"to\":\"running\",\"tid\":43}\n");
	/* A reason is written only with to == waiting. */
	ev.reason = 3;
	ev.reason_str = "select";
	ev.inferred = true;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"runnable\",\"to\":\"running\",\"inferred\":true,\"tid\":43}\n");

	ev = ev_state(XG_G_RUNNING, XG_G_WAITING);
	ev.reason = 7;
	ev.reason_str = "chan receive";
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"running\",\"to\":\"waiting\",\"reason\":\"chan receive\","
			"\"tid\":43}\n");
	ev.reason_str = NULL;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"running\",\"to\":\"waiting\",\"reason\":\"#7\",\"tid\":43}\n");
	ev.reason = GEV_NO_REASON;
	ev.inferred = true;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"running\",\"to\":\"waiting\",\"reason\":null,"
			"\"inferred\":true,\"tid\":43}\n");

	ev = ev_state(XG_G_SYSCALL, 200);
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"syscall\",\"to\":\"unknown\",\"tid\":43}\n");
}

static void test_golden_running_pm(void **state)
{
	struct gev ev = ev_state(XG_G_RUNNABLE, XG_G_RUNNING);

	(void)state;
	ev.has_pm = true;
	ev.p = 1;
	ev.m = 5;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"runnable\",\"to\":\"running\",\"p\":1,\"m\":5,\"tid\":43}\n");
	ev.p = -1;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"runnable\",\"to\":\"running\",\"p\":null,\"m\":5,"
			"\"tid\":43}\n");
	/* Only on transitions to running. */
	ev = ev_state(XG_G_RUNNING, XG_G_RUNNABLE);
	ev.has_pm = true;
	check_line(&ev, "{\"event\":\"state\",\"ts\":2500,\"pid\":42,\"goid\":18,"
			"\"from\":\"running\",\"to\":\"runnable\",\"tid\":43}\n");
}

static void test_golden_alloc(void **state)
{
	struct gev ev = {.kind = GEV_ALLOC, .ts = 3000, .pid = 42, .tid = 43, .goid = 18};

	(void)state;
	ev.alloc.kind = XG_AK_SLICE;
	ev.alloc.size = 192;
	ev.alloc.bucket = 14;
	ev.alloc.type = "int64";
	check_line(&ev, "{\"event\":\"alloc\",\"ts\":3000,\"pid\":42,\"goid\":18,"
			"\"kind\":\"slice\",\"size\":192,\"class\":14,\"type\":\"int64\","
			"\"tid\":43}\n");
	ev.alloc.kind = XG_AK_MAP;
	ev.alloc.type = NULL;
	ev.alloc.has_hint = true;
	ev.alloc.hint = 80;
	check_line(&ev, "{\"event\":\"alloc\",\"ts\":3000,\"pid\":42,\"goid\":18,"
			"\"kind\":\"map\",\"size\":192,\"class\":14,\"type\":null,\"hint\":80,"
			"\"tid\":43}\n");
	ev.alloc.kind = 200;
	ev.alloc.has_hint = false;
	ev.alloc.bucket = XG_ALLOC_LARGE;
	ev.goid = 0;
	check_line(&ev, "{\"event\":\"alloc\",\"ts\":3000,\"pid\":42,\"goid\":0,"
			"\"kind\":\"other\",\"size\":192,\"class\":68,\"type\":null,\"tid\":43}\n");
}

static void test_golden_gc(void **state)
{
	struct gev ev = {.kind = GEV_GC, .ts = 4000, .pid = 42, .tid = 43, .goid = 1};

	(void)state;
	ev.gc.phase = XG_GC_STW_START;
	ev.gc.reason = GEV_NO_REASON;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"stw_start\",\"cycle\":null,\"reason\":null,\"tid\":43}\n");
	ev.gc.reason = 2;
	ev.gc.reason_str = "GC sweep termination";
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"stw_start\",\"cycle\":null,"
			"\"reason\":\"GC sweep termination\",\"tid\":43}\n");
	ev.gc.phase = XG_GC_STW_END;
	ev.gc.cycle = 3;
	ev.gc.reason = 17;
	ev.gc.reason_str = NULL;
	ev.gc.dur_ns = 1234;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"stw_end\",\"cycle\":3,\"reason\":\"#17\",\"stw_ns\":1234,"
			"\"tid\":43}\n");
	ev.gc.phase = XG_GC_START;
	ev.gc.trigger = 2;
	ev.gc.procs = 4;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"start\",\"cycle\":3,\"trigger\":\"cycle\",\"procs\":4,"
			"\"tid\":43}\n");
	ev.gc.phase = XG_GC_MARK_TERM;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"mark_termination\",\"cycle\":3,\"tid\":43}\n");
	ev.gc.phase = XG_GC_SWEEP;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"sweep\",\"cycle\":3,\"tid\":43}\n");
	ev.gc.phase = XG_GC_END;
	ev.gc.dur_ns = 5500;
	ev.gc.n_stw = 2;
	ev.gc.stw_ns = 850;
	ev.gc.stw_max_ns = 500;
	ev.gc.mark_ns = 5000;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"end\",\"cycle\":3,\"dur_ns\":5500,\"stw\":2,\"stw_ns\":850,"
			"\"stw_max_ns\":500,\"mark_ns\":5000,\"tid\":43}\n");
	ev.gc.phase = 77;
	check_line(&ev, "{\"event\":\"gc\",\"ts\":4000,\"pid\":42,\"goid\":1,"
			"\"phase\":\"unknown\",\"cycle\":3,\"tid\":43}\n");
}

static void test_golden_alloc_hist(void **state)
{
	struct gev ev = {.kind = GEV_ALLOC_HIST, .ts = 5000, .pid = 42};

	(void)state;
	ev.hist.bucket = 62;
	ev.hist.class_size = 20480;
	ev.hist.count = 3;
	ev.hist.bytes = 60024;
	check_line(&ev, "{\"event\":\"alloc_hist\",\"ts\":5000,\"pid\":42,\"goid\":0,"
			"\"class\":62,\"class_size\":20480,\"count\":3,\"bytes\":60024,"
			"\"tid\":0}\n");
}

static void test_golden_exit(void **state)
{
	struct gev ev = {.kind = GEV_EXIT, .ts = 7000, .pid = 42, .tid = 43, .goid = 18};

	(void)state;
	check_line(&ev, "{\"event\":\"exit\",\"ts\":7000,\"pid\":42,\"goid\":18,\"tid\":43}\n");
	ev.kind = 0;
	assert_int_equal(jsonl__format(&ev, (char[64]){0}, 64), -EINVAL);
}

static void test_numbers(void **state)
{
	static const uint64_t values[] = {0,
					  9,
					  10,
					  99,
					  100,
					  101,
					  999,
					  1000,
					  4294967295u,
					  4294967296u,
					  1ull << 53,
					  (1ull << 53) + 1,
					  UINT64_MAX - 1,
					  UINT64_MAX};
	/* Then every digit count's and every hex length's first and last values, and around them.
	 */
	uint64_t v[sizeof(values) / sizeof(values[0]) + 5 * 20 + 3 * 64], p10 = 1;
	char buf[256], want[256];
	unsigned int i, n_v = 0;
	int n;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		v[n_v++] = values[i];
	for (i = 0; i < 20; i++, p10 *= 10) {
		v[n_v++] = p10 - 1;
		v[n_v++] = p10;
		v[n_v++] = p10 + 1;
		v[n_v++] = p10 * 9 - 1; /* wraps for 10^19: any value will do */
		v[n_v++] = p10 + 12345678;
	}
	for (i = 0; i < 64; i++) {
		v[n_v++] = (1ull << i) - 1;
		v[n_v++] = 1ull << i;
		v[n_v++] = (1ull << i) * 3 / 2 + 1;
	}
	for (i = 0; i < n_v; i++) {
		const uint64_t x = v[i];
		struct gev ev = {
			.kind = GEV_EXIT, .ts = x, .pid = (uint32_t)x, .goid = x, .tid = 1};

		snprintf(want, sizeof(want),
			 "{\"event\":\"exit\",\"ts\":%llu,\"pid\":%u,\"goid\":%llu,\"tid\":1}\n",
			 (unsigned long long)x, (uint32_t)x, (unsigned long long)x);
		n = jsonl__format(&ev, buf, sizeof(buf));
		assert_int_equal(n, strlen(want));
		assert_memory_equal(buf, want, n);

		ev = ev_create();
		ev.startpc = x;
		snprintf(want, sizeof(want), "\"startpc\":\"0x%llx\"", (unsigned long long)x);
		n = jsonl__format(&ev, buf, sizeof(buf) - 1);
		assert_true(n > 0);
		buf[n] = 0;
		assert_non_null(strstr(buf, want));
	}
}

/* Format a create event with FUNC = IN and compare the func value with WANT (JSON text). */
static void check_escape(const char *in, const char *want)
{
	struct gev ev = ev_create();
	char expect[1024];

	ev.func = in;
	snprintf(expect, sizeof(expect),
		 "{\"event\":\"create\",\"ts\":1000,\"pid\":42,\"goid\":18,\"parent\":1,"
		 "\"func\":%s,\"created_by\":\"main.main\",\"file\":\"/src/main.go\",\"line\":42,"
		 "\"startpc\":\"0x4a2b10\",\"gopc\":\"0x4a2000\",\"tid\":43}\n",
		 want);
	check_line(&ev, expect);
}

static void test_escaping(void **state)
{
	(void)state;
	check_escape("", "\"\"");
	check_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
	check_escape("C:\\go\\src", "\"C:\\\\go\\\\src\"");
	check_escape("a\x01\x1f\n\t\rb", "\"a\\u0001\\u001f\\u000a\\u0009\\u000db\"");
	check_escape("del\x7f/ok", "\"del\x7f/ok\"");
	/* Valid UTF-8 passes through: 2, 3 and 4 byte sequences. */
	check_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e",
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\"");
	check_escape("\xef\xbf\xbf\xf4\x8f\xbf\xbf", "\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
	/* Invalid bytes: one U+FFFD per maximal ill-formed subpart. */
	check_escape("a\x80z", "\"a\\ufffdz\"");
	check_escape("\xff\xfe", "\"\\ufffd\\ufffd\"");
	check_escape("\xc0\xaf", "\"\\ufffd\\ufffd\"");			      /* overlong '/' */
	check_escape("\xc1\xbf", "\"\\ufffd\\ufffd\"");			      /* overlong */
	check_escape("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");	      /* overlong */
	check_escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	      /* surrogate */
	check_escape("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	check_escape("\xf5\x80", "\"\\ufffd\\ufffd\"");
	check_escape("x\xe2\x82", "\"x\\ufffd\"");	     /* truncated at the end */
	check_escape("\xe2\x82y", "\"\\ufffdy\"");	     /* truncated in the middle */
	check_escape("\xf0\x9f\x98\"", "\"\\ufffd\\\"\"");   /* truncated before a quote */
	check_escape("\xc3\xa9\xa9", "\"\xc3\xa9\\ufffd\""); /* extra continuation */
}

static void test_enospc(void **state)
{
	struct gev evs[3] = {ev_create(), ev_state(XG_G_RUNNING, XG_G_WAITING)};
	char full[1024], buf[1024 + 16];
	unsigned int k;
	size_t len;

	(void)state;
	evs[1].reason_str = "sync.Mutex.Lock";
	evs[2] = (struct gev){.kind = GEV_EXIT, .ts = 1, .pid = 2, .goid = 3};
	evs[0].func = "quote\"and\x01control";
	for (k = 0; k < 3; k++) {
		int n = jsonl__format(&evs[k], full, sizeof(full));

		assert_true(n > 0);
		for (len = 0; len < (size_t)n; len++) {
			memset(buf, 0xa5, sizeof(buf));
			assert_int_equal(jsonl__format(&evs[k], buf, len), -ENOSPC);
			/* Nothing is written past LEN. */
			assert_int_equal((unsigned char)buf[len], 0xa5);
		}
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(jsonl__format(&evs[k], buf, n), n);
		assert_memory_equal(buf, full, n);
		assert_int_equal((unsigned char)buf[n], 0xa5);
	}
}

/* A minimal JSON reader: enough to prove structure, key quoting and string contents. */
struct jp {
	const char *p;
	const char *end;
	char keys[32][32];
	int n_keys;
	char func[512]; /* decoded value of "func" */
	size_t func_len;
};

static bool jp_string(struct jp *j, char *out, size_t cap, size_t *out_len)
{
	size_t n = 0;

	if (j->p >= j->end || *j->p != '"')
		return false;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = *j->p++;
		unsigned int u = 0;
		int i;

		if (c < 0x20)
			return false; /* raw control characters are not allowed */
		if (c == '\\') {
			if (j->p >= j->end)
				return false;
			c = *j->p++;
			switch (c) {
			case '"':
			case '\\':
			case '/':
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'u':
				if (j->end - j->p < 4)
					return false;
				for (i = 0; i < 4; i++) {
					char h = *j->p++;

					u <<= 4;
					if (h >= '0' && h <= '9')
						u |= h - '0';
					else if (h >= 'a' && h <= 'f')
						u |= h - 'a' + 10;
					else if (h >= 'A' && h <= 'F')
						u |= h - 'A' + 10;
					else
						return false;
				}
				/* Only \u00XX and U+FFFD are expected from the writer. */
				if (u == 0xfffd) {
					if (out && n + 3 <= cap)
						memcpy(out + n, "\xef\xbf\xbd", 3);
					n += 3;
					continue;
				}
				if (u >= 0x80)
					return false;
				c = u;
				break;
			default:
				return false;
			}
		}
		if (out && n < cap)
			out[n] = c;
		n++;
	}
	if (j->p >= j->end)
		return false;
	j->p++;
	if (out_len)
		*out_len = n;
	return true;
}

static bool jp_value(struct jp *j, int depth);

static bool jp_object(struct jp *j, int depth)
{
	j->p++; /* '{' */
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		char key[32] = "";
		size_t klen = 0;
		bool is_func;

		if (!jp_string(j, key, sizeof(key) - 1, &klen))
			return false;
		key[klen < sizeof(key) - 1 ? klen : sizeof(key) - 1] = 0;
		if (depth == 0 && j->n_keys < 32)
			strcpy(j->keys[j->n_keys++], key);
		if (j->p >= j->end || *j->p++ != ':')
			return false;
		is_func = depth == 0 && strcmp(key, "func") == 0;
		if (is_func && j->p < j->end && *j->p == '"') {
			if (!jp_string(j, j->func, sizeof(j->func), &j->func_len))
				return false;
		} else if (!jp_value(j, depth + 1)) {
			return false;
		}
		if (j->p >= j->end)
			return false;
		if (*j->p == '}') {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool jp_literal(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

static bool jp_value(struct jp *j, int depth)
{
	const char *start;

	if (j->p >= j->end || depth > 16)
		return false;
	switch (*j->p) {
	case '{':
		return jp_object(j, depth);
	case '"':
		return jp_string(j, NULL, 0, NULL);
	case 't':
		return jp_literal(j, "true");
	case 'f':
		return jp_literal(j, "false");
	case 'n':
		return jp_literal(j, "null");
	}
	start = j->p;
	if (*j->p == '-')
		j->p++;
	/* Integers only in our schema, without leading zeros. */
	if (j->p < j->end && *j->p == '0') {
		j->p++;
	} else {
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > start && (j->p[-1] >= '0' && j->p[-1] <= '9');
}

/* One line: a single object, then '\n', then nothing. */
static bool jp_line(struct jp *j, const char *line, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->p = line;
	j->end = line + len;
	if (!len || line[len - 1] != '\n' || *j->p != '{')
		return false;
	j->end--;
	return jp_object(j, 0) && j->p == j->end;
}

/* Well-formed UTF-8 (Unicode table 3-7), decoded by a different route than the writer's. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		int k, len;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

static void test_round_trip(void **state)
{
	static const char *const create_keys[] = {"event",  "ts",      "pid",	     "goid",
						  "parent", "func",    "created_by", "file",
						  "line",   "startpc", "gopc",	     "tid"};
	static const char *const state_keys[] = {"event", "ts",	    "pid",	"goid", "from",
						 "to",	  "reason", "inferred", "tid"};
	uint64_t rng = 0x243f6a8885a308d3ull;
	char line[4096], in[200];
	struct gev ev;
	struct jp j;
	int n, i, k;

	(void)state;
	ev = ev_state(XG_G_RUNNING, XG_G_WAITING);
	ev.reason_str = "GC assist \"marking\"";
	ev.inferred = true;
	n = jsonl__format(&ev, line, sizeof(line));
	assert_true(jp_line(&j, line, n));
	assert_int_equal(j.n_keys, 9);
	for (k = 0; k < 9; k++)
		assert_string_equal(j.keys[k], state_keys[k]);

	/* Random bytes as strings: always one valid object, in valid UTF-8. */
	for (i = 0; i < 20000; i++) {
		size_t len = 0, m;

		ev = ev_create();
		while (len < sizeof(in) - 1) {
			unsigned char c;

			rng ^= rng >> 12;
			rng ^= rng << 25;
			rng ^= rng >> 27;
			c = (rng * 0x2545f4914f6cdd1dull) >> 56;
			if (!c || (rng & 63) == 0)
				break;
			/* Half the strings stay valid UTF-8, to check they come back intact. */
			if (i % 2 && c >= 0x80)
				c &= 0x7f;
			in[len++] = c ? c : 'x';
		}
		in[len] = 0;
		ev.func = in;
		ev.file = in;
		n = jsonl__format(&ev, line, sizeof(line));
		assert_true(n > 0);
		assert_true(jp_line(&j, line, n));
		assert_true(utf8_valid((const unsigned char *)line, n));
		assert_int_equal(j.n_keys, 12);
		for (k = 0; k < 12; k++)
			assert_string_equal(j.keys[k], create_keys[k]);
		m = j.func_len;
		if (utf8_valid((const unsigned char *)in, len)) {
			assert_int_equal(m, len);
			assert_memory_equal(j.func, in, len);
		}
	}
}

static char *tmp_path(void)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	assert_true(asprintf(&path, "%s/test_jsonl.XXXXXX", dir ? dir : "/tmp") > 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
	*len = n;
	return buf;
}

static void test_writer_file(void **state)
{
	char *path = tmp_path(), *got, *want, *big;
	size_t want_len = 0, want_cap = 64 << 20, got_len;
	struct jsonl_writer *w;
	struct gev ev;
	uint64_t i;
	int n;

	(void)state;
	want = malloc(want_cap);
	big = malloc(600 * 1024 + 1);
	assert_non_null(want);
	assert_non_null(big);
	memset(big, 'f', 600 * 1024);
	big[600 * 1024] = 0;

	w = jsonl__open(path, false);
	assert_non_null(w);
	/* Enough lines to cross the buffer many times, and one longer than it. */
	for (i = 0; i < 100000; i++) {
		ev = i % 3 == 0 ? ev_create() : ev_state(XG_G_RUNNABLE, XG_G_RUNNING);
		ev.goid = i;
		if (i == 5001) /* a create */
			ev.func = big;
		assert_int_equal(jsonl__write(w, &ev), 0);
		n = jsonl__format(&ev, want + want_len, want_cap - want_len);
		assert_true(n > 0);
		want_len += n;
		if (i == 7)
			assert_int_equal(jsonl__flush(w), 0);
	}
	assert_int_equal(jsonl__close(w), 0);
	got = slurp(path, &got_len);
	assert_true(want_len > 600 * 1024);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);

	/* Reopening is refused, but with force, which truncates. */
	errno = 0;
	assert_null(jsonl__open(path, false));
	assert_int_equal(errno, EEXIST);
	w = jsonl__open(path, true);
	assert_non_null(w);
	assert_int_equal(jsonl__close(w), 0);
	free(got);
	got = slurp(path, &got_len);
	assert_int_equal(got_len, 0);

	free(got);
	free(want);
	free(big);
	unlink(path);
	free(path);
}

static void test_writer_epipe(void **state)
{
	struct gev ev = ev_create();
	struct jsonl_writer *w;
	int p[2], i, saved;

	(void)state;
	assert_true(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
	assert_int_equal(pipe(p), 0);
	/* "-" on a pipe (--jsonl - | head): its reader goes away. */
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(p[1], STDOUT_FILENO) >= 0);
	close(p[1]);
	w = jsonl__open("-", false);
	assert_non_null(w);
	close(p[0]);
	assert_int_equal(jsonl__write(w, &ev), 0); /* buffered */
	assert_int_equal(jsonl__flush(w), -EPIPE);
	assert_int_equal(jsonl__write(w, &ev), -EPIPE);
	for (i = 0; i < 10000; i++)
		assert_int_equal(jsonl__write(w, &ev), -EPIPE);
	assert_int_equal(jsonl__close(w), -EPIPE);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
}

static void test_writer_enospc(void **state)
{
	struct gev ev = ev_create();
	struct jsonl_writer *w;

	(void)state;
	w = jsonl__open("/dev/full", false);
	if (!w)
		fail_msg("cannot open /dev/full: %s", strerror(errno));
	assert_int_equal(jsonl__write(w, &ev), 0);
	assert_int_equal(jsonl__flush(w), -ENOSPC);
	assert_int_equal(jsonl__write(w, &ev), -ENOSPC);
	assert_int_equal(jsonl__close(w), -ENOSPC);

	/* The error surfaces at close too when nothing flushed before. */
	w = jsonl__open("/dev/full", false);
	assert_non_null(w);
	assert_int_equal(jsonl__write(w, &ev), 0);
	assert_int_equal(jsonl__close(w), -ENOSPC);
}

static void test_writer_open(void **state)
{
	struct jsonl_writer *w;

	(void)state;
	errno = 0;
	assert_null(jsonl__open("/nonexistent-xgotop-dir/out.jsonl", false));
	assert_int_equal(errno, ENOENT);
	assert_int_equal(jsonl__close(NULL), 0);
	/* "-" is stdout, which close leaves open. */
	w = jsonl__open("-", false);
	assert_non_null(w);
	assert_int_equal(jsonl__close(w), 0);
	assert_true(fcntl(STDOUT_FILENO, F_GETFD) != -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_create),	  cmocka_unit_test(test_golden_state),
		cmocka_unit_test(test_golden_exit),	  cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_golden_running_pm), cmocka_unit_test(test_golden_alloc),
		cmocka_unit_test(test_golden_gc),	  cmocka_unit_test(test_golden_alloc_hist),
		cmocka_unit_test(test_escaping),	  cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_round_trip),	  cmocka_unit_test(test_writer_file),
		cmocka_unit_test(test_writer_epipe),	  cmocka_unit_test(test_writer_enospc),
		cmocka_unit_test(test_writer_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
