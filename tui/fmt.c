// SPDX-License-Identifier: BSD-2-Clause
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define US 1000ull
#define MS (1000ull * US)
#define S  (1000ull * MS)

char *fmt_dur(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / S;

	if (ns < US)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 10 * US)
		snprintf(buf, len, "%llu.%lluus", (unsigned long long)(ns / US),
			 (unsigned long long)(ns % US / 100));
	else if (ns < MS)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / US));
	else if (ns < 10 * MS)
		snprintf(buf, len, "%llu.%llums", (unsigned long long)(ns / MS),
			 (unsigned long long)(ns % MS / (100 * US)));
	else if (ns < S)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / MS));
	else if (ns < 10 * S)
		snprintf(buf, len, "%llu.%02llus", (unsigned long long)s,
			 (unsigned long long)(ns % S / (10 * MS)));
	else if (ns < 60 * S)
		snprintf(buf, len, "%llu.%llus", (unsigned long long)s,
			 (unsigned long long)(ns % S / (100 * MS)));
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", (unsigned long long)(s / 60),
			 (unsigned long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", (unsigned long long)(s / 3600),
			 (unsigned long long)(s % 3600 / 60));
	else if (s < 100 * 86400ull)
		snprintf(buf, len, "%llud%02lluh", (unsigned long long)(s / 86400),
			 (unsigned long long)(s % 86400 / 3600));
	else
		snprintf(buf, len, "%llud", (unsigned long long)(s / 86400));
	return buf;
}

char *fmt_scale(char *buf, size_t len, uint64_t ns)
{
	if (ns >= 60 * S && ns % (60 * S) == 0)
		snprintf(buf, len, "%llumin", (unsigned long long)(ns / (60 * S)));
	else if (ns >= S && ns % S == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ns / S));
	else if (ns >= MS && ns % MS == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / MS));
	else if (ns >= US && ns % US == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / US));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	return buf;
}

char *fmt_count(char *buf, size_t len, double v)
{
	static const char units[] = " kMGTP";
	int u = 0;

	if (v < 0)
		v = 0;
	if (v < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	/* Truncate: 9.996k must not print as "10.00k". */
	if (v < 10)
		snprintf(buf, len, "%d.%02d%c", (int)v, (int)(v * 100) % 100, units[u]);
	else if (v < 100)
		snprintf(buf, len, "%d.%d%c", (int)v, (int)(v * 10) % 10, units[u]);
	else
		snprintf(buf, len, "%d%c", (int)v, units[u]);
	return buf;
}

char *fmt_rate(char *buf, size_t len, double v)
{
	if (v > 0 && v < 10) {
		snprintf(buf, len, "%d.%d", (int)v, (int)(v * 10) % 10);
		return buf;
	}
	return fmt_count(buf, len, v);
}

char *fmt_clock(char *buf, size_t len, int64_t wall_ns, int ms)
{
	time_t t = (time_t)(wall_ns / 1000000000ll);
	struct tm tm;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, len, "??:??:??");
		return buf;
	}
	if (ms)
		snprintf(buf, len, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(wall_ns / 1000000 % 1000));
	else
		snprintf(buf, len, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

char *fmt_offset(char *buf, size_t len, int64_t ns)
{
	char d[16];

	if (ns == 0) {
		snprintf(buf, len, "now");
		return buf;
	}
	fmt_dur(d, sizeof(d), (uint64_t)(ns < 0 ? -ns : ns));
	snprintf(buf, len, "%c%s", ns < 0 ? '-' : '+', d);
	return buf;
}

static int is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t fmt_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += !is_cont((unsigned char)*s);
	return w;
}

size_t fmt_width_n(const char *s, size_t n)
{
	size_t w = 0, i;

	for (i = 0; i < n && s[i]; i++)
		w += !is_cont((unsigned char)s[i]);
	return w;
}

const char *fmt_tail(const char *s, size_t width, int *cut)
{
	size_t w = fmt_width(s);
	const char *p = s;

	*cut = w > width;
	if (!*cut)
		return s;
	/* Skip W - WIDTH code points. */
	for (w -= width; *p && w; w--)
		for (p++; *p && is_cont((unsigned char)*p); p++)
			;
	return p;
}

size_t fmt_head_bytes(const char *s, size_t width)
{
	const char *p = s;

	while (*p && width) {
		for (p++; *p && is_cont((unsigned char)*p); p++)
			;
		width--;
	}
	return (size_t)(p - s);
}
