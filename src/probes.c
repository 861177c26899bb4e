// SPDX-License-Identifier: BSD-2-Clause
#include "probes.h"

#include <errno.h>
#include <stdio.h>

#include "goelf.h"

static const struct probe_spec probe_set[] = {
	{.sym = "runtime.casgstatus", .prog = "casgstatus", .required = true},
};

int probes__resolve(const struct goelf *ge, struct probe_site *sites, size_t max, char *err,
		    size_t errlen)
{
	size_t i, n = sizeof(probe_set) / sizeof(probe_set[0]);

	if (n > max)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		struct probe_site *s = &sites[i];

		s->spec = &probe_set[i];
		s->found = !goelf__func_addr(ge, s->spec->sym, &s->vaddr) &&
			   !goelf__vaddr_to_offset(ge, s->vaddr, &s->file_off);
		if (!s->found && s->spec->required) {
			snprintf(err, errlen, "%s not found in the binary", s->spec->sym);
			return -ENOENT;
		}
	}
	return (int)n;
}
