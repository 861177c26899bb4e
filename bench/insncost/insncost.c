// SPDX-License-Identifier: BSD-2-Clause
/*
 * What one uprobe hit costs on the running kernel, by the instruction the
 * probe sits on: a tiny function per instruction kind, called in a loop
 * with a perf uprobe counter (no BPF program) on that instruction. Rounds
 * are interleaved; the median of each kind is printed, with its ratio to
 * the single-stepped `sub $N,%rsp` that Go functions used to start with.
 * x86-64 only. Needs root.
 *
 *   insncost [CALLS [ROUNDS]]      (default 100000 5)
 *
 * An emulated kind costs about the same as `nop`; a single-stepped one
 * about as much as `sub`. Prints, never asserts.
 */
#define _GNU_SOURCE
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if !defined(__x86_64__)
int main(void)
{
	fprintf(stderr, "insncost: x86-64 only\n");
	return 0;
}
#else

/* Each function starts with the instruction under test; a *_at label marks it when not first. */
__asm__(".text\n"
	".globl ic_none\nic_none: ret\n"
	".globl ic_sub\nic_sub: sub $0x18,%rsp\n add $0x18,%rsp\n ret\n"
	".globl ic_mov\nic_mov: mov %rax,%rdx\n ret\n"
	".globl ic_push\nic_push: push %rbp\n pop %rbp\n ret\n"
	".globl ic_nop\nic_nop: nop\n ret\n"
	".globl ic_nop5\nic_nop5: .byte 0x0f,0x1f,0x44,0x00,0x00\n ret\n"
	".globl ic_jcc\nic_jcc: cmp %rsp,%rsp\n.globl ic_jcc_at\nic_jcc_at: jne 1f\n1: ret\n"
	".globl ic_call\nic_call: .globl ic_call_at\nic_call_at: call ic_none\n ret\n");

void ic_none(void), ic_sub(void), ic_mov(void), ic_push(void), ic_nop(void), ic_nop5(void),
	ic_jcc(void), ic_jcc_at(void), ic_call(void), ic_call_at(void);

struct kind {
	const char *name;
	void (*fn)(void);
	void *site;
	double ns[64];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int uprobe_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "r");
	int t = -1;

	if (f && fscanf(f, "%d", &t) != 1)
		t = -1;
	if (f)
		fclose(f);
	return t;
}

/* File offset of a code address of this program, through /proc/self/maps. */
static uint64_t file_offset(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long s, e, o;
	char line[512], perm[8];
	uint64_t off = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %7s %llx", &s, &e, perm, &o) == 4 &&
		    (uintptr_t)addr >= s && (uintptr_t)addr < e) {
			off = (uintptr_t)addr - s + o;
			break;
		}
	}
	if (f)
		fclose(f);
	return off;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct kind kinds[] = {
		{"none", ic_none, NULL, {0}},	 {"sub", ic_sub, ic_sub, {0}},
		{"mov", ic_mov, ic_mov, {0}},	 {"push", ic_push, ic_push, {0}},
		{"nop", ic_nop, ic_nop, {0}},	 {"nop5", ic_nop5, ic_nop5, {0}},
		{"jcc", ic_jcc, ic_jcc_at, {0}}, {"call", ic_call, ic_call_at, {0}},
	};
	int n = argc > 1 ? atoi(argv[1]) : 100000, rounds = argc > 2 ? atoi(argv[2]) : 5;
	int type = uprobe_type(), k, r, i, nk = sizeof(kinds) / sizeof(kinds[0]);
	char path[4096];
	ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
	double base = 0;
	struct utsname_ish {
		char release[128];
	} rel = {""};
	FILE *osr = fopen("/proc/sys/kernel/osrelease", "r");

	if (osr) {
		if (!fgets(rel.release, sizeof(rel.release), osr))
			rel.release[0] = '\0';
		rel.release[strcspn(rel.release, "\n")] = '\0';
		fclose(osr);
	}
	if (type < 0 || len < 0 || n < 1 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "insncost: needs the uprobe PMU (root); usage: insncost [CALLS "
				"[ROUNDS]]\n");
		return 1;
	}
	path[len] = '\0';
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < nk; k++) {
			struct perf_event_attr a;
			int fd = -1;
			uint64_t t0, count = 0;

			if (kinds[k].site) {
				memset(&a, 0, sizeof(a));
				a.size = sizeof(a);
				a.type = (uint32_t)type;
				a.config1 = (uint64_t)(uintptr_t)path;
				a.config2 = file_offset(kinds[k].site);
				fd = (int)syscall(SYS_perf_event_open, &a, getpid(), -1, -1, 0);
				if (fd < 0) {
					perror("insncost: perf_event_open");
					return 1;
				}
			}
			for (i = 0; i < 1000; i++)
				kinds[k].fn();
			t0 = now_ns();
			for (i = 0; i < n; i++)
				kinds[k].fn();
			kinds[k].ns[r] = (double)(now_ns() - t0) / n;
			if (fd >= 0) {
				if (read(fd, &count, sizeof(count)) != sizeof(count) ||
				    count < (uint64_t)n) {
					fprintf(stderr, "insncost: %s: %llu hits for %d calls\n",
						kinds[k].name, (unsigned long long)count, n);
					return 1;
				}
				close(fd);
			}
		}
	}
	printf("kernel %s, %d calls x %d rounds, median ns per call with a uprobe on:\n",
	       rel.release, n, rounds);
	for (k = 0; k < nk; k++)
		qsort(kinds[k].ns, (size_t)rounds, sizeof(double), cmp_d);
	base = kinds[1].ns[rounds / 2];
	for (k = 0; k < nk; k++) {
		double m = kinds[k].ns[rounds / 2];

		printf("  %-5s %9.1f ns   %5.2fx of sub%s\n", kinds[k].name, m, m / base,
		       kinds[k].site ? "" : "   (no probe)");
	}
	return 0;
}
#endif
