// SPDX-License-Identifier: BSD-2-Clause
/*
 * Meters over the whole session (docs/METERS.md). The OVH estimate is
 * hits/s x the cost of one hit, per probe: the trap, calibrated here on
 * functions of our own, plus the program's run time, from the kernel's BPF
 * statistics. A trap on an instruction the kernel single-steps costs about
 * four times one it emulates (docs/OVERHEAD.md), so each probe is priced by
 * the kind of instruction its site is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "meters.h"
#include "budget.h"
#include "clock.h"
#include "outfile.h"

#define MAX_PROBES 32

/* The calibration targets: each starts with the instruction whose trap is timed. */
#if defined(__x86_64__)
__asm__(".text\n"
	".p2align 4\n.globl xg_calib_emulated\n.type xg_calib_emulated,@function\n"
	"xg_calib_emulated:\n nop\n ret\n"
	".p2align 4\n.globl xg_calib_stepped\n.type xg_calib_stepped,@function\n"
	"xg_calib_stepped:\n sub $0x18,%rsp\n add $0x18,%rsp\n ret\n");
#define HAVE_CALIB 1
#elif defined(__aarch64__)
/* arm64 emulates branches and single-steps everything else, nop included. */
__asm__(".text\n"
	".p2align 4\n.globl xg_calib_emulated\n.type xg_calib_emulated,%function\n"
	"xg_calib_emulated:\n b 1f\n1: ret\n"
	".p2align 4\n.globl xg_calib_stepped\n.type xg_calib_stepped,%function\n"
	"xg_calib_stepped:\n nop\n ret\n");
#define HAVE_CALIB 1
#endif

#ifdef HAVE_CALIB
void xg_calib_emulated(void);
void xg_calib_stepped(void);
#endif

struct mprobe {
	char prog[64];
	char sites[256];
	int fd;
	bool stepped, mixed;
	uint64_t ns0, cnt0; /* at attach */
	uint64_t ns, cnt;   /* at the last sample */
	uint64_t pns, pcnt; /* at the last meter line */
	double est_ns;	    /* estimated target ns since attach */
	double est0_ns;	    /* est_ns when the hit cost became known */
};

struct meters {
	struct meters_opts o;
	struct mprobe p[MAX_PROBES];
	int n;
	bool started, stats;
	struct meters_counts first, last, printed;
	double est_ns, printed_est_ns; /* all probes */
	/*
	 * The hit cost comes from a calibration in the background: OVH is known
	 * from OVH_TS on (the sample it arrived at), EST0_NS the estimate then.
	 */
	uint64_t ovh_ts;
	uint64_t cpu_at_ovh; /* the target's CPU time then */
	double est0_ns;
	double ovh_max;
	/* The cost as a share of the target's own CPU time: last sample, highest, over budget. */
	double cost_pct, cost_max;
	bool over;
	uint64_t ewp_max;
	unsigned int samples;
};

static int prog_stats(int fd, uint64_t *run_ns, uint64_t *run_cnt)
{
	struct bpf_prog_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)) < 0)
		return -errno;
	*run_ns = info.run_time_ns;
	*run_cnt = info.run_cnt;
	return 0;
}

#ifdef HAVE_CALIB
/* The file and file offset of our own code at ADDR, from /proc/self/maps. */
static int self_file_off(uintptr_t addr, char *path, size_t len, uint64_t *off)
{
	char line[4352];
	FILE *f = fopen("/proc/self/maps", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, foff;
		char perms[8];
		int pos = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &start, &end, perms, &foff, &pos) <
			    4 ||
		    addr < start || addr >= end || !pos)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (line[pos] != '/' || strlen(line + pos) >= len)
			break;
		strcpy(path, line + pos);
		*off = addr - start + foff;
		err = 0;
		break;
	}
	fclose(f);
	return err;
}

static int uprobe_pmu(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int type = -1;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", &type) != 1)
		type = -EINVAL;
	fclose(f);
	return type;
}

/* A uprobe on FN in this thread running PROG_FD: its perf fd, or -errno. */
static int probe_self(void (*fn)(void), int prog_fd, int pmu)
{
	struct perf_event_attr a;
	char path[4096];
	uint64_t off = 0;
	int fd, err;

	err = self_file_off((uintptr_t)fn, path, sizeof(path), &off);
	if (err)
		return err;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = (uint32_t)pmu;
	a.config1 = (uint64_t)(uintptr_t)path;
	a.config2 = off;
	a.disabled = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) || ioctl(fd, PERF_EVENT_IOC_ENABLE, 0)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* *STOP set: the time is of no use, and the caller wants us gone soon. */
static double ns_per_call(void (*fn)(void), int calls, const volatile bool *stop)
{
	uint64_t t0 = xg_mono_ns();
	int i;

	for (i = 0; i < calls; i++) {
		if (stop && !(i & 255) && *stop)
			break;
		fn();
	}
	return (double)(xg_mono_ns() - t0) / calls;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}
#endif

int meters__calibrate(int prog_fd, int calls, int rounds, const volatile bool *stop,
		      struct meters_calib *out)
{
	out->emulated_ns = out->stepped_ns = -1;
	out->prog_ns = 0;
#ifdef HAVE_CALIB
	double emu[16], step[16];
	uint64_t ns0 = 0, cnt0 = 0, ns1 = 0, cnt1 = 0;
	union bpf_attr a;
	int pmu = uprobe_pmu(), stats_fd, r, fd, err = 0;

	if (pmu < 0)
		return pmu;
	if (rounds > 16)
		rounds = 16;
	/* The program's own run time, to count it once: the kernel measures it in LAT. */
	memset(&a, 0, sizeof(a));
	a.enable_stats.type = BPF_STATS_RUN_TIME;
	stats_fd = (int)syscall(SYS_bpf, BPF_ENABLE_STATS, &a, sizeof(a));
	prog_stats(prog_fd, &ns0, &cnt0);
	for (r = 0; r < rounds && !err; r++) {
		double bare;

		if (stop && *stop) {
			err = -ECANCELED;
			break;
		}
		bare = ns_per_call(xg_calib_emulated, calls, stop);
		fd = probe_self(xg_calib_emulated, prog_fd, pmu);
		if (fd < 0) {
			err = fd;
			break;
		}
		emu[r] = ns_per_call(xg_calib_emulated, calls, stop) - bare;
		close(fd);
		bare = ns_per_call(xg_calib_stepped, calls, stop);
		fd = probe_self(xg_calib_stepped, prog_fd, pmu);
		if (fd < 0) {
			err = fd;
			break;
		}
		step[r] = ns_per_call(xg_calib_stepped, calls, stop) - bare;
		close(fd);
	}
	if (!err && stop && *stop)
		err = -ECANCELED;
	if (stats_fd >= 0 && !prog_stats(prog_fd, &ns1, &cnt1) && cnt1 > cnt0)
		out->prog_ns = (double)(ns1 - ns0) / (double)(cnt1 - cnt0);
	if (stats_fd >= 0)
		close(stats_fd);
	if (err)
		return err;
	out->emulated_ns = median(emu, rounds);
	out->stepped_ns = median(step, rounds);
	return 0;
#else
	(void)prog_fd;
	(void)calls;
	(void)rounds;
	(void)stop;
	return -EOPNOTSUPP;
#endif
}

struct meters *meters__new(const struct meters_opts *opts)
{
	struct meters *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->o = *opts;
	m->ovh_max = -1;
	m->cost_pct = m->cost_max = -1;
	return m;
}

void meters__free(struct meters *m)
{
	free(m);
}

int meters__add_probe(struct meters *m, const char *prog, int prog_fd, const char *site,
		      bool stepped)
{
	struct mprobe *p = NULL;
	size_t l;
	int i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->p[i].prog, prog))
			p = &m->p[i];
	if (!p) {
		if (m->n == MAX_PROBES)
			return -E2BIG;
		p = &m->p[m->n++];
		snprintf(p->prog, sizeof(p->prog), "%s", prog);
		p->fd = prog_fd;
		p->stepped = stepped;
		if (prog_stats(prog_fd, &p->ns0, &p->cnt0))
			p->ns0 = p->cnt0 = 0;
		p->ns = p->pns = p->ns0;
		p->cnt = p->pcnt = p->cnt0;
	} else if (p->stepped != stepped) {
		/* One count for both kinds of site: price them all as the dearer one. */
		p->mixed = true;
		p->stepped = true;
	}
	l = strlen(p->sites);
	if (l + 1 < sizeof(p->sites))
		snprintf(p->sites + l, sizeof(p->sites) - l, "%s%s", l ? "," : "", site);
	return 0;
}

static bool calibrated(const struct meters *m)
{
	return m->o.calib.emulated_ns >= 0 && m->o.calib.stepped_ns >= 0;
}

void meters__set_calib(struct meters *m, const struct meters_calib *calib)
{
	int i;

	m->o.calib = *calib;
	m->ovh_ts = m->started ? m->last.ts : 0;
	m->cpu_at_ovh = m->started ? m->last.cpu_ns : 0;
	m->est0_ns = m->est_ns;
	for (i = 0; i < m->n; i++)
		m->p[i].est0_ns = m->p[i].est_ns;
}

/* The trap cost of one hit of P, without the run time the kernel counts. */
static double trap_ns(const struct meters *m, const struct mprobe *p)
{
	double ns = p->stepped ? m->o.calib.stepped_ns : m->o.calib.emulated_ns;

	ns -= m->o.calib.prog_ns;
	return ns > 0 ? ns : 0;
}

static bool ovh_known(const struct meters *m)
{
	return m->o.no_probes || (m->stats && calibrated(m));
}

static bool sampled(const struct meters_counts *c)
{
	return c->sample[0] && strcmp(c->sample, "all");
}

/* "1.2%", "140% OVER_BUDGET=5%" past the budget; COST and CPU in ns per second. */
static void cost_text(double cost, double cpu, double budget_pct, char *buf, size_t len)
{
	double pct = budget__share_pct(cost, cpu - cost);

	if (isinf(pct) || pct > 1e6)
		snprintf(buf, len, ">1e6%%");
	else
		snprintf(buf, len, "%.2g%%", pct);
	if (budget__over(budget_pct, cost, cpu - cost))
		snprintf(buf + strlen(buf), len - strlen(buf), " OVER_BUDGET=%g%%", budget_pct);
}

/* The interval's cost share (EST ns over DT s), from the target's CPU time at C and before. */
static void sample_cost(struct meters *m, const struct meters_counts *c, double est, double dt)
{
	double cost = est / dt, cpu;

	m->cost_pct = -1;
	m->over = false;
	if (!ovh_known(m) || dt <= 0 || !c->cpu_ns || !m->last.cpu_ns || c->cpu_ns < m->last.cpu_ns)
		return;
	cpu = (double)(c->cpu_ns - m->last.cpu_ns) / dt;
	m->cost_pct = budget__share_pct(cost, cpu - cost);
	if (isinf(m->cost_pct) || m->cost_pct > 1e6)
		m->cost_pct = 1e6;
	m->over = budget__over(m->o.budget_pct, cost, cpu - cost);
	if (m->cost_pct > m->cost_max)
		m->cost_max = m->cost_pct;
}

double meters__cost_pct(const struct meters *m, bool *over)
{
	*over = m->over;
	return m->cost_pct;
}

static void print_line(struct meters *m, const struct meters_counts *c)
{
	const struct meters_counts *b = &m->printed;
	double dt = (double)(c->ts - b->ts) / 1e9, t = (double)(c->ts - m->first.ts) / 1e9;
	uint64_t records = c->records - b->records, hits = 0, run_ns = 0;
	char lat[32] = "n/a", ovh[32] = "n/a", cost[48] = "n/a";
	int i;

	for (i = 0; i < m->n; i++) {
		hits += m->p[i].cnt - m->p[i].pcnt;
		run_ns += m->p[i].ns - m->p[i].pns;
		m->p[i].pcnt = m->p[i].cnt;
		m->p[i].pns = m->p[i].ns;
	}
	if (m->stats && hits)
		snprintf(lat, sizeof(lat), "%.0fns", (double)run_ns / (double)hits);
	if (ovh_known(m)) {
		/* Calibrated since the last line: over the part of it with a known cost. */
		bool since = m->ovh_ts > b->ts;
		double odt = since ? (double)(c->ts - m->ovh_ts) / 1e9 : dt;
		double est = m->est_ns - (since ? m->est0_ns : m->printed_est_ns);

		if (odt > 0)
			snprintf(ovh, sizeof(ovh), "%.1f%%", est / odt / 1e7);
		if (odt > 0 && c->cpu_ns && b->cpu_ns && c->cpu_ns >= b->cpu_ns)
			cost_text(est / odt, (double)(c->cpu_ns - b->cpu_ns) / dt, m->o.budget_pct,
				  cost, sizeof(cost));
	}
	fprintf(m->o.line_out,
		"xgotop-tui: t=%.0fs RPS=%.0f PPS=%.0f EWP=%llu PRC=%.0fns LAT=%s HITS=%.0f/s "
		"OVH=%s "
		"DROP=%llu (%.0f/s) CAPTURE=%s COST=%s%s%s\n",
		t, records / dt, (double)(c->events - b->events) / dt, (unsigned long long)c->ewp,
		records ? (double)(c->proc_ns - b->proc_ns) / (double)records : 0.0, lat,
		(double)hits / dt, ovh, (unsigned long long)c->drops,
		(double)(c->drops - b->drops) / dt, c->capture[0] ? c->capture : "n/a", cost,
		sampled(c) ? " SAMPLE=" : "", sampled(c) ? c->sample : "");
	fflush(m->o.line_out);
	m->printed = *c;
	m->printed_est_ns = m->est_ns;
}

bool meters__totals(const struct meters *m, uint64_t *hits, uint64_t *run_ns)
{
	int i;

	*hits = *run_ns = 0;
	for (i = 0; m->stats && i < m->n; i++) {
		*hits += m->p[i].cnt - m->p[i].cnt0;
		*run_ns += m->p[i].ns - m->p[i].ns0;
	}
	return m->stats;
}

double meters__sample(struct meters *m, const struct meters_counts *c, double *lat_ns)
{
	uint64_t hits = 0, run_ns = 0;
	double est = 0, dt;
	int i;

	*lat_ns = -1;
	m->stats = c->stats;
	if (!m->started) {
		m->started = true;
		m->first = m->last = m->printed = *c;
		return -1;
	}
	dt = (double)(c->ts - m->last.ts) / 1e9;
	for (i = 0; i < m->n; i++) {
		struct mprobe *p = &m->p[i];
		uint64_t ns, cnt;

		if (prog_stats(p->fd, &ns, &cnt) || cnt < p->cnt || ns < p->ns)
			continue;
		hits += cnt - p->cnt;
		run_ns += ns - p->ns;
		p->est_ns += (double)(cnt - p->cnt) * trap_ns(m, p) + (double)(ns - p->ns);
		est += (double)(cnt - p->cnt) * trap_ns(m, p) + (double)(ns - p->ns);
		p->ns = ns;
		p->cnt = cnt;
	}
	m->est_ns += est;
	sample_cost(m, c, est, dt);
	m->last = *c;
	m->samples++;
	if (c->ewp > m->ewp_max)
		m->ewp_max = c->ewp;
	if (c->stats && hits)
		*lat_ns = (double)run_ns / (double)hits;
	if (m->o.line_s > 0 && (double)(c->ts - m->printed.ts) >= m->o.line_s * 1e9 - 1e7)
		print_line(m, c);
	if (!ovh_known(m) || dt <= 0)
		return -1;
	est = est / dt / 1e7;
	if (est > m->ovh_max)
		m->ovh_max = est;
	return est;
}

/* NAME as a JSON string: our site names are Go symbols, escaped all the same. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A figure, or null when unknown (negative) or undefined. */
static void json_num(FILE *f, const char *key, double v, bool known)
{
	fprintf(f, "\"%s\": ", key);
	if (known && v >= 0 && v == v)
		fprintf(f, "%.3f", v);
	else
		fputs("null", f);
}

/* The session's cost share: all estimated cost over the target's own CPU time. */
static double session_cost(const struct meters *m)
{
	double cost = m->est_ns - m->est0_ns, cpu, share;
	uint64_t c0 = m->ovh_ts > m->first.ts ? m->cpu_at_ovh : m->first.cpu_ns;

	if (!c0 || m->last.cpu_ns < c0)
		return -1;
	cpu = (double)(m->last.cpu_ns - c0);
	share = budget__share_pct(cost, cpu - cost);
	return share > 1e6 ? 1e6 : share;
}

int meters__write_summary(const struct meters *m, const char *path, bool force)
{
	const struct meters_counts *a = &m->first, *b = &m->last;
	double dur = (double)(b->ts - a->ts) / 1e9;
	uint64_t records = b->records - a->records, hits = 0, run_ns = 0;
	/* OVH over the part of the session with a known hit cost. */
	double odur = (double)(b->ts - (m->ovh_ts > a->ts ? m->ovh_ts : a->ts)) / 1e9;
	bool rates = dur > 0, ovh = ovh_known(m) && odur > 0;
	FILE *f;
	int i, fd, err = 0;

	fd = outfile__create(path, force);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		return err;
	}
	for (i = 0; i < m->n; i++) {
		hits += m->p[i].cnt - m->p[i].cnt0;
		run_ns += m->p[i].ns - m->p[i].ns0;
	}
	fprintf(f, "{\n  \"duration_s\": %.3f,\n", dur);
	/* Records and events count what -sample kept. */
	fputs("  \"sample\": ", f);
	json_str(f, b->sample[0] ? b->sample : "all");
	fputs(",\n", f);
	fprintf(f, "  \"records\": %llu, ", (unsigned long long)records);
	json_num(f, "rps", records / dur, rates);
	fprintf(f, ",\n  \"events\": %llu, ", (unsigned long long)(b->events - a->events));
	json_num(f, "pps", (double)(b->events - a->events) / dur, rates);
	fputs(",\n  ", f);
	json_num(f, "prc_ns", (double)(b->proc_ns - a->proc_ns) / (double)records, records > 0);
	fprintf(f, ", \"ewp_max\": %llu,\n", (unsigned long long)m->ewp_max);
	fprintf(f, "  \"drops\": %llu, ", (unsigned long long)b->drops);
	json_num(f, "drops_per_s", (double)b->drops / dur, rates);
	fprintf(f, ",\n  \"hits\": %llu, ", (unsigned long long)hits);
	json_num(f, "hits_per_s", (double)hits / dur, rates && m->stats);
	fputs(", ", f);
	json_num(f, "lat_ns", (double)run_ns / (double)hits, m->stats && hits);
	fputs(",\n  ", f);
	json_num(f, "ovh_pct", (m->est_ns - m->est0_ns) / odur / 1e7, ovh);
	fputs(", ", f);
	json_num(f, "ovh_pct_max", m->ovh_max, ovh);
	fputs(",\n  \"capture\": ", f);
	json_str(f, b->capture[0] ? b->capture : "unknown");
	fputs(", ", f);
	json_num(f, "budget_pct", m->o.budget_pct, m->o.budget_pct > 0);
	fputs(", ", f);
	json_num(f, "cost_pct", session_cost(m), ovh && a->cpu_ns && b->cpu_ns > a->cpu_ns);
	fputs(", ", f);
	json_num(f, "cost_pct_max", m->cost_max, m->cost_max >= 0);
	fputs(",\n  \"hit_cost\": {", f);
	json_num(f, "emulated_ns", m->o.calib.emulated_ns, calibrated(m));
	fputs(", ", f);
	json_num(f, "stepped_ns", m->o.calib.stepped_ns, calibrated(m));
	fputs(", ", f);
	json_num(f, "calib_prog_ns", m->o.calib.prog_ns, calibrated(m));
	fputs("},\n  \"probes\": [", f);
	for (i = 0; i < m->n; i++) {
		const struct mprobe *p = &m->p[i];
		uint64_t ph = p->cnt - p->cnt0;

		fputs(i ? ",\n    {" : "\n    {", f);
		fputs("\"program\": ", f);
		json_str(f, p->prog);
		fputs(", \"sites\": ", f);
		json_str(f, p->sites);
		fprintf(f, ", \"site_kind\": \"%s\", \"hits\": %llu, ",
			p->mixed     ? "mixed"
			: p->stepped ? "single-stepped"
				     : "emulated",
			(unsigned long long)ph);
		json_num(f, "hits_per_s", (double)ph / dur, rates && m->stats);
		fputs(", ", f);
		json_num(f, "lat_ns", (double)(p->ns - p->ns0) / (double)ph, m->stats && ph);
		fputs(", ", f);
		json_num(f, "ovh_pct", (p->est_ns - p->est0_ns) / odur / 1e7, ovh);
		fputc('}', f);
	}
	fputs(m->n ? "\n  ]\n}\n" : "]\n}\n", f);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
