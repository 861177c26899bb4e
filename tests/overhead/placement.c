// SPDX-License-Identifier: BSD-2-Clause
/*
 * Prints where probes.c puts each probe of a level in Go binaries, one line
 * per site, and with -f FUNC (repeatable) the placement of any function
 * as if it were probed with casgstatus's registers:
 *
 *   xg-placement [-l lifecycle|states|all] [-k 6.18] [-e] [-f FUNC]... BINARY...
 *   BINARY  SITE  VADDR  MODE  INSN  WHY
 *
 * -k pretends the running kernel is that release; -e places at entries.
 * Exit status 1 when a binary cannot be read or a probe cannot be resolved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goelf.h"
#include "probes.h"

static const char *mode_name(enum insn_uprobe m)
{
	return m == INSN_UPROBE_EMULATED  ? "emulated"
	       : m == INSN_UPROBE_STEPPED ? "stepped"
					  : "refused";
}

int main(int argc, char **argv)
{
	struct probe_opts opts = {.level = PROBES_DEFAULT, .kernel = probes__running_kernel()};
	const char *funcs[64];
	int nfuncs = 0, c, rc = 0;

	while ((c = getopt(argc, argv, "l:k:ef:")) != -1) {
		switch (c) {
		case 'l':
			if (probes__parse_level(optarg, &opts.level)) {
				fprintf(stderr, "xg-placement: unknown level %s\n", optarg);
				return 2;
			}
			break;
		case 'k':
			if (insn__kernel_parse(optarg, &opts.kernel)) {
				fprintf(stderr, "xg-placement: bad kernel release %s\n", optarg);
				return 2;
			}
			break;
		case 'e':
			opts.entry_only = true;
			break;
		case 'f':
			if (nfuncs < 64)
				funcs[nfuncs++] = optarg;
			break;
		default:
			fprintf(stderr, "usage: xg-placement [-l LEVEL] [-k REL] [-e] [-f FUNC]... "
					"BINARY...\n");
			return 2;
		}
	}
	for (; optind < argc; optind++) {
		const char *path = argv[optind];
		struct probe_site sites[PROBES_MAX];
		struct goelf *ge = goelf__open(path);
		char err[256], name[160];
		int n, i;

		if (!ge) {
			fprintf(stderr, "xg-placement: cannot read %s: %s\n", path,
				strerror(errno));
			rc = 1;
			continue;
		}
		if (nfuncs)
			n = probes__place_funcs(ge, &opts, funcs, nfuncs, sites, PROBES_MAX);
		else
			n = probes__resolve(ge, &opts, sites, PROBES_MAX, err, sizeof(err));
		if (n < 0) {
			fprintf(stderr, "xg-placement: %s: %s\n", path,
				n == -ENOENT ? err : strerror(-n));
			rc = 1;
		}
		for (i = 0; i < n; i++) {
			const struct probe_site *s = &sites[i];

			if (!s->found) {
				printf("%s\t%s\t-\tmissing\t-\t-\n", path, s->fname);
				continue;
			}
			printf("%s\t%s\t0x%llx\t%s\t%s\t%s\n", path,
			       probes__site_name(s, name, sizeof(name)),
			       (unsigned long long)s->vaddr, mode_name(s->mode), s->insn, s->why);
		}
		goelf__free(ge);
	}
	return rc;
}
