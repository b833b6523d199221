/* SPDX-License-Identifier: MIT */
/*
 * Results as LAVA test cases, straight from the in-memory results: one
 * line per result, named `<suite>-<result>`, with the median as the
 * measurement. Inside a LAVA test shell (`lava-test-case` on PATH) the
 * helper itself records each case, run without a shell; elsewhere the same
 * cases are printed as the <LAVA_SIGNAL_TESTCASE ...> lines the helper
 * would send, or as plain `name result value unit` lines.
 */
#ifndef KS_LAVA_EMIT_H
#define KS_LAVA_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ks_result;
struct ks_results;

enum ks_emit {
	KS_EMIT_NONE,
	KS_EMIT_LAVA,     /* lava-test-case when on PATH, else signal lines */
	KS_EMIT_SIGNAL,   /* <LAVA_SIGNAL_TESTCASE ...> lines */
	KS_EMIT_PLAIN,    /* name result value unit */
};

/* "<suite>-<name>" with every byte LAVA does not allow in a test case name
 * (anything but letters, digits, '.', '_', '-') replaced by '_'. */
void ks_lava_case_id(char *out, size_t len, const char *suite, const char *name);
/* pass (ran), fail (failed), skip (unsupported here), unknown (interrupted) */
const char *ks_lava_result(const struct ks_result *r);
/* Where `lava-test-case` is on PATH; false when it is not (outside LAVA). */
bool ks_lava_tool(char *path, size_t len);
/* Emit every result of `rs`. -1 when a lava-test-case run failed. */
int ks_lava_emit(FILE *f, const struct ks_results *rs, enum ks_emit how, const char *suite);

#endif
