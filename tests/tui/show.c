// SPDX-License-Identifier: BSD-2-Clause
/*
 * Render one view of the fake scenario to stdout, to look at it:
 *   tui_show VIEW COLSxROWS [ascii] [+alloc] [+hist] [+gc] [keys...]
 * VIEW: the start of a view's name (goroutines group lifetime allocations
 * gc meters detail help; anything else: the list); +alloc adds
 * allocation events and their histogram, +hist the histogram alone, +gc GC
 * cycles. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"
#include "views.h"

int main(int argc, char **argv)
{
	struct tui_theme th;
	struct tui_model m;
	struct fake *f;
	unsigned int more = 0;
	int cols = 80, rows = 24, v, i;
	bool ascii = false;
	char *text;

	if (argc < 3 || sscanf(argv[2], "%dx%d", &cols, &rows) != 2) {
		fprintf(stderr, "usage: %s VIEW COLSxROWS [ascii] [keys...]\n", argv[0]);
		return 2;
	}
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "ascii"))
			ascii = true;
		else if (!strcmp(argv[i], "+alloc"))
			more |= FAKE_ALLOC_EVENTS | FAKE_ALLOC_HIST;
		else if (!strcmp(argv[i], "+hist"))
			more |= FAKE_ALLOC_HIST;
		else if (!strcmp(argv[i], "+gc"))
			more |= FAKE_GC;
	}
	render__init(!ascii);
	theme__init(&th, TUI_SCHEME_256, ascii ? TUI_GLYPHS_ASCII : TUI_GLYPHS_UTF8);
	f = fake__new();
	fake__add(f, more);
	fake__model(f, &m, &th, 30);
	for (v = 0; v < TUI_V_N; v++)
		if (!strncmp(views__get(v)->name, argv[1], strlen(argv[1]))) {
			m.view = (enum tui_view_id)v;
			break;
		}
	text = render__frame(&m, cols, rows); /* lays out the list: strip width, page */
	free(text);
	for (i = 3; i < argc; i++) {
		const char *k = argv[i];

		if (!strcmp(k, "ascii") || k[0] == '+')
			continue;
		if (!strcmp(k, "down"))
			tui__key(&m, KEY_DOWN);
		else if (!strcmp(k, "enter"))
			tui__key(&m, '\n');
		else
			for (; *k; k++)
				tui__key(&m, *k);
		text = render__frame(&m, cols, rows);
		free(text);
	}
	text = render__frame(&m, cols, rows);
	fputs(text, stdout);
	free(text);
	model__free(&m);
	fake__free(f);
	render__end();
	return 0;
}
