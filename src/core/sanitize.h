/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strings from a target (exe path, function and file names, build info) or
 * from a file (a recording's header) on their way to a terminal or a text
 * output: what could move the cursor, retitle or clear the operator's
 * terminal, or start a new line becomes a visible escape. JSONL and the
 * Perfetto export escape for JSON instead and do not use this.
 */
#ifndef XGOTOP_SANITIZE_H
#define XGOTOP_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Room for a path of PATH_MAX bytes with some escapes; longer ends in "...". */
#define SANITIZE_MAX 4096

/*
 * S made safe to print, in BUF (LEN bytes, at least 4), NUL-terminated.
 * C0 controls (CR, LF, ESC, ...) and DEL become \xHH; C1 controls and the
 * Unicode line separators and bidirectional overrides become \uHHHH; a byte
 * that is not part of valid UTF-8 becomes U+FFFD. Valid UTF-8 is kept. A
 * result longer than LEN is cut at a character and ends in "...". NULL is "".
 * Returns BUF.
 */
char *sanitize__str(char *buf, size_t len, const char *s);

/* True when S prints as itself (sanitize__str would copy it unchanged). */
bool sanitize__clean(const char *s);

/* S sanitised in a buffer that lives until the end of the enclosing statement's block. */
#define SAN(s) sanitize__str((char[SANITIZE_MAX]){""}, SANITIZE_MAX, (s))

#endif /* XGOTOP_SANITIZE_H */
