// SPDX-License-Identifier: BSD-2-Clause
/*
 * Counts uprobe hits, no BPF: perf uprobe counters, one per site and CPU,
 * on a private copy of the command's binary (so that only this run hits
 * them). Not per-task counters: a uprobe PMU event cannot be inherited by
 * new threads (the kernel reads its path again, from the new thread's
 * memory, and clone fails with EFAULT).
 *
 *   xg-hits [-l LEVEL] [-e] [-s SYM]... [-f FUNC]... -- CMD [ARGS...]
 *
 * -l: the sites probes.c chooses for LEVEL (default states); -e: at entries.
 * -s SYM: also a counter at the entry of SYM (e.g. xgotop's six probes).
 * -f FUNC: every instruction of FUNC from its entry to the site probes.c
 *          chooses for it, one counter each: with a stack check, the entry
 *          and the check's branch count morestack's re-entries too, the
 *          chosen site counts calls.
 * Prints "SITE VADDR MODE INSN HITS" per site, then "total HITS", and
 * exits with the command's status. Needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "goelf.h"
#include "probes.h"

#define MAX_COUNTERS 256

#define MAX_CPUS 64

struct counter {
	char name[160];
	uint64_t vaddr, off;
	const char *mode;
	char insn[48];
	int fd[MAX_CPUS];
};

static struct counter counters[MAX_COUNTERS];
static int n_counters;

static const char *mode_name(enum insn_uprobe m)
{
	return m == INSN_UPROBE_EMULATED  ? "emulated"
	       : m == INSN_UPROBE_STEPPED ? "stepped"
					  : "refused";
}

static struct counter *add(const char *name, uint64_t vaddr, const struct goelf *ge)
{
	struct counter *c;

	if (n_counters == MAX_COUNTERS) {
		fprintf(stderr, "xg-hits: too many sites\n");
		exit(2);
	}
	c = &counters[n_counters++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->vaddr = vaddr;
	c->mode = "?";
	if (goelf__vaddr_to_offset(ge, vaddr, &c->off)) {
		fprintf(stderr, "xg-hits: no file offset for %s\n", name);
		exit(2);
	}
	return c;
}

static int uprobe_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int t = -1;

	if (!f || fscanf(f, "%d", &t) != 1)
		t = -1;
	if (f)
		fclose(f);
	return t;
}

/* Every instruction of FUNC from its entry to its chosen site. */
static void add_func(const struct goelf *ge, const struct probe_opts *opts, const char *func)
{
	enum insn_arch arch = goelf__arch(ge) == GOELF_ARCH_ARM64 ? INSN_ARM64 : INSN_X86_64;
	const char *names[1] = {func};
	struct probe_site s;
	uint64_t pc;
	uint8_t code[16];

	if (probes__place_funcs(ge, opts, names, 1, &s, 1) != 1 || !s.found) {
		fprintf(stderr, "xg-hits: no function %s\n", func);
		exit(2);
	}
	for (pc = s.func; pc <= s.vaddr;) {
		struct insn in;
		struct counter *c;
		char name[160];

		if (goelf__read(ge, pc, code, sizeof(code)) ||
		    insn__decode(arch, code, sizeof(code), pc, &in)) {
			fprintf(stderr, "xg-hits: cannot decode %s+0x%llx\n", func,
				(unsigned long long)(pc - s.func));
			exit(2);
		}
		snprintf(name, sizeof(name), pc == s.func ? "%s" : "%s+0x%llx", func,
			 (unsigned long long)(pc - s.func));
		c = add(name, pc, ge);
		c->mode = mode_name(insn__uprobe(arch, code, &in, &opts->kernel));
		insn__text(arch, code, &in, c->insn, sizeof(c->insn));
		if (pc == s.vaddr)
			strncat(c->name, " (chosen)", sizeof(c->name) - strlen(c->name) - 1);
		pc += in.len;
	}
}

int main(int argc, char **argv)
{
	struct probe_opts opts = {.level = PROBES_DEFAULT, .kernel = probes__running_kernel()};
	const char *syms[64], *funcs[64];
	int nsyms = 0, nfuncs = 0, c, i, go[2], status, type;
	bool level = false;
	char path[4096], copy[] = "/tmp/xg-hits-XXXXXX", name[160], err[256];
	int ncpu = (int)sysconf(_SC_NPROCESSORS_CONF), cpu, in, out;
	ssize_t got;
	struct goelf *ge;
	uint64_t total = 0;
	pid_t pid;

	while ((c = getopt(argc, argv, "+l:es:f:")) != -1) {
		switch (c) {
		case 'l':
			if (probes__parse_level(optarg, &opts.level))
				return 2;
			level = true;
			break;
		case 'e':
			opts.entry_only = true;
			level = true;
			break;
		case 's':
			if (nsyms < 64)
				syms[nsyms++] = optarg;
			break;
		case 'f':
			if (nfuncs < 64)
				funcs[nfuncs++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: xg-hits [-l LEVEL] [-e] [-s SYM]... [-f FUNC]... -- CMD\n");
		return 2;
	}
	if (!realpath(argv[optind], path)) {
		fprintf(stderr, "xg-hits: %s: %s\n", argv[optind], strerror(errno));
		return 2;
	}
	ge = goelf__open(path);
	if (!ge) {
		fprintf(stderr, "xg-hits: cannot read %s\n", path);
		return 2;
	}
	if (level || (!nsyms && !nfuncs)) {
		struct probe_site sites[PROBES_MAX];
		int n = probes__resolve(ge, &opts, sites, PROBES_MAX, err, sizeof(err));

		if (n < 0) {
			fprintf(stderr, "xg-hits: %s\n", err);
			return 2;
		}
		for (i = 0; i < n; i++) {
			struct counter *k;

			if (!sites[i].found)
				continue;
			k = add(probes__site_name(&sites[i], name, sizeof(name)), sites[i].vaddr,
				ge);
			k->mode = mode_name(sites[i].mode);
			snprintf(k->insn, sizeof(k->insn), "%s", sites[i].insn);
		}
	}
	for (i = 0; i < nsyms; i++) {
		uint64_t v;

		if (goelf__func_addr(ge, syms[i], &v)) {
			fprintf(stderr, "xg-hits: no function %s\n", syms[i]);
			return 2;
		}
		add(syms[i], v, ge)->mode = "entry";
	}
	for (i = 0; i < nfuncs; i++)
		add_func(ge, &opts, funcs[i]);

	type = uprobe_type();
	if (type < 0 || pipe(go) || ncpu < 1 || ncpu > MAX_CPUS) {
		fprintf(stderr, "xg-hits: no uprobe PMU\n");
		return 2;
	}
	in = open(path, O_RDONLY);
	out = mkstemp(copy);
	if (in < 0 || out < 0) {
		fprintf(stderr, "xg-hits: cannot copy %s: %s\n", path, strerror(errno));
		return 2;
	}
	while ((got = read(in, err, sizeof(err))) > 0)
		if (write(out, err, (size_t)got) != got)
			return 2;
	fchmod(out, 0755);
	close(in);
	close(out);
	pid = fork();
	if (pid == 0) {
		char b;

		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		execv(copy, argv + optind);
		_exit(127);
	}
	close(go[0]);
	for (i = 0; i < n_counters; i++) {
		for (cpu = 0; cpu < ncpu; cpu++) {
			struct perf_event_attr a;

			memset(&a, 0, sizeof(a));
			a.size = sizeof(a);
			a.type = (uint32_t)type;
			a.config1 = (uint64_t)(uintptr_t)copy;
			a.config2 = counters[i].off;
			counters[i].fd[cpu] = (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1,
							   PERF_FLAG_FD_CLOEXEC);
			if (counters[i].fd[cpu] < 0) {
				fprintf(stderr, "xg-hits: cannot probe %s: %s\n", counters[i].name,
					strerror(errno));
				kill(pid, SIGKILL);
				unlink(copy);
				return 2;
			}
		}
	}
	if (write(go[1], "g", 1) != 1)
		return 2;
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	unlink(copy);
	for (i = 0; i < n_counters; i++) {
		uint64_t n = 0, v;

		for (cpu = 0; cpu < ncpu; cpu++)
			if (read(counters[i].fd[cpu], &v, sizeof(v)) == sizeof(v))
				n += v;
		total += n;
		printf("%s\t0x%llx\t%s\t%s\t%llu\n", counters[i].name,
		       (unsigned long long)counters[i].vaddr, counters[i].mode, counters[i].insn,
		       (unsigned long long)n);
	}
	printf("total\t\t\t\t%llu\n", (unsigned long long)total);
	goelf__free(ge);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
