// SPDX-License-Identifier: BSD-2-Clause
/*
 * The session meters without a kernel: the headless line's figures over its
 * interval, and the --metrics summary (rates, drops, unknowns as null, site
 * kinds of probes sharing a program).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "meters.h"

#define SEC 1000000000ull

static char *slurp(FILE *f)
{
	static char buf[8192];
	size_t n;

	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	return buf;
}

static void test_line_over_its_interval(void **state)
{
	FILE *out = tmpfile();
	struct meters_opts o = {.line_s = 2, .line_out = out, .no_probes = true};
	struct meters *m;
	struct meters_counts c = {.ts = 10 * SEC};
	double lat, ovh;

	(void)state;
	assert_non_null(out);
	m = meters__new(&o);
	assert_non_null(m);
	assert_true(meters__sample(m, &c, &lat) < 0); /* the baseline */
	c.ts += SEC;
	c.records = 1000;
	c.events = 1500;
	c.proc_ns = 500000;
	ovh = meters__sample(m, &c, &lat);
	assert_true(ovh == 0); /* no probes: nothing runs in the target */
	assert_true(lat < 0);
	assert_string_equal(slurp(out), ""); /* not due yet */
	c.ts += SEC;
	c.records = 3000;
	c.events = 4500;
	c.proc_ns = 1500000;
	c.drops = 10;
	c.ewp = 7;
	meters__sample(m, &c, &lat);
	assert_string_equal(slurp(out),
			    "xgotop-tui: t=2s RPS=1500 PPS=2250 EWP=7 PRC=500ns LAT=n/a "
			    "HITS=0/s OVH=0.0% DROP=10 (5/s) CAPTURE=n/a COST=n/a\n");
	meters__free(m);
	fclose(out);
}

static void test_summary(void **state)
{
	char path[] = "/tmp/xg-test-meters.XXXXXX";
	struct meters_opts o = {.calib = {.emulated_ns = 1000, .stepped_ns = 4000, .prog_ns = 50}};
	struct meters_counts c = {.ts = 5 * SEC, .stats = true};
	struct meters *m = meters__new(&o);
	double lat;
	char *s;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_non_null(m);
	/* Sites of one program are one probe; kinds that differ are priced as stepped. */
	assert_int_equal(meters__add_probe(m, "lc", -1, "runtime.newproc1+0x20", false), 0);
	assert_int_equal(meters__add_probe(m, "lc", -1, "runtime.goexit0+0x10", true), 0);
	assert_int_equal(meters__add_probe(m, "casg", -1, "runtime.casgstatus", false), 0);
	meters__sample(m, &c, &lat);
	c.ts += 4 * SEC;
	c.records = 400;
	c.events = 800;
	c.proc_ns = 40000;
	c.drops = 2;
	meters__sample(m, &c, &lat);
	assert_int_equal(meters__write_summary(m, path, false), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	s = slurp(f);
	fclose(f);
	unlink(path);
	assert_non_null(strstr(s, "\"duration_s\": 4.000,"));
	assert_non_null(strstr(s, "\"records\": 400, \"rps\": 100.000"));
	assert_non_null(strstr(s, "\"events\": 800, \"pps\": 200.000"));
	assert_non_null(strstr(s, "\"prc_ns\": 100.000"));
	assert_non_null(strstr(s, "\"drops\": 2, \"drops_per_s\": 0.500"));
	/* No hits: LAT is unknown, OVH is zero (calibrated, statistics on). */
	assert_non_null(strstr(s, "\"lat_ns\": null"));
	assert_non_null(strstr(s, "\"ovh_pct\": 0.000"));
	assert_non_null(strstr(s, "\"emulated_ns\": 1000.000, \"stepped_ns\": 4000.000"));
	assert_non_null(strstr(s, "\"program\": \"lc\", \"sites\": "
				  "\"runtime.newproc1+0x20,runtime.goexit0+0x10\", "
				  "\"site_kind\": \"mixed\""));
	assert_non_null(strstr(s, "\"program\": \"casg\", \"sites\": \"runtime.casgstatus\", "
				  "\"site_kind\": \"emulated\""));
	meters__free(m);
}

static void test_unknown_without_calibration(void **state)
{
	struct meters_opts o = {.calib = {.emulated_ns = -1, .stepped_ns = -1}};
	struct meters_counts c = {.ts = SEC, .stats = true};
	struct meters *m = meters__new(&o);
	double lat;

	(void)state;
	assert_non_null(m);
	meters__sample(m, &c, &lat);
	c.ts += SEC;
	assert_true(meters__sample(m, &c, &lat) < 0);
	meters__free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_over_its_interval),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_unknown_without_calibration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
