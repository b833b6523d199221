/* SPDX-License-Identifier: MIT */
/*
 * CHECK(cond, fmt, ...): one line "ok: ..." or "FAIL: ...", counted in
 * passes and fails; for the probe checkers that run as one static program
 * (uexits_check.c here, ../probe-funcs/funcs_check.c).  Needs <stdio.h>.
 */
#ifndef KVMSCOPE_TESTS_CHECK_H
#define KVMSCOPE_TESTS_CHECK_H

static int fails, passes;

#define CHECK(cond, ...)                                                               \
	do {                                                                           \
		if (cond) {                                                            \
			printf("ok: ");                                                \
			passes++;                                                      \
		} else {                                                               \
			printf("FAIL: ");                                              \
			fails++;                                                       \
		}                                                                      \
		printf(__VA_ARGS__);                                                   \
		putchar('\n');                                                         \
	} while (0)

#endif
