/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The waits go1.19 enters without naming them first: call sites of
 * casgstatus(gp, _Grunning, _Gwaiting) after which the runtime sets
 * gp.waitreason, or never does (the goroutine then carries the reason of
 * its previous wait, or none). The reason read at the casgstatus probe is
 * wrong there; the function that called casgstatus says which wait it is.
 * From go1.20 every one of them goes through casGToWaiting, which sets the
 * reason first. Pure: reads the goelf only.
 */
#ifndef XGOTOP_WAITSITES_H
#define XGOTOP_WAITSITES_H

#include <stdint.h>

struct goelf;

#define WAIT_SITES_MAX 8

struct wait_site {
	uint64_t start, end; /* [start, end) of the calling function, link-time */
	const char *reason;  /* the wait-reason string that names the wait */
};

/*
 * The sites of release go MAJOR.MINOR found in GE, into OUT (WAIT_SITES_MAX
 * rows at most). Returns how many (0 for releases that need none).
 */
int wait_sites__find(const struct goelf *ge, int major, int minor, struct wait_site *out);

/*
 * Where casgstatus's return address is at the probe site VADDR (link-time,
 * inside runtime.casgstatus): *IN_LR when in the link register (arm64
 * before the prologue), else at SP + *SP_OFF. 0, or -ENOENT without a pcsp
 * value there.
 */
int wait_sites__return_address(const struct goelf *ge, uint64_t vaddr, int *in_lr,
			       uint32_t *sp_off);

#endif /* XGOTOP_WAITSITES_H */
