/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where each uprobe goes. The only place that decides probe sites: the
 * loader attaches what probes__resolve returns. Today every probe sits at
 * its function's entry; moving probes onto instructions the kernel can
 * emulate (GO-RUNTIME-NOTES.md) happens here and nowhere else.
 */
#ifndef XGOTOP_PROBES_H
#define XGOTOP_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct goelf;

struct probe_spec {
	const char *sym;  /* Go function, e.g. "runtime.casgstatus" */
	const char *prog; /* BPF program name in bpf/xgotop.bpf.c */
	bool required;	  /* without it there is nothing to trace */
};

struct probe_site {
	const struct probe_spec *spec;
	uint64_t vaddr;	   /* link-time address of the probed instruction */
	uint64_t file_off; /* what the uprobe API takes */
	bool found;
};

#define PROBES_MAX 16

/*
 * Resolve the sites of every probe in the set. Returns the number of sites
 * written to SITES (missing optional symbols have found == false), or
 * -ENOENT when a required symbol is missing (ERR then names it).
 */
int probes__resolve(const struct goelf *ge, struct probe_site *sites, size_t max, char *err,
		    size_t errlen);

#endif /* XGOTOP_PROBES_H */
