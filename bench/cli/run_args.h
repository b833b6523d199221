/* SPDX-License-Identifier: MIT */
/* `kvmscope run` option parsing: pure, so it is unit-tested alone.
 * The options are documented in doc/doc_run.c (--help and kvmscope-run(1)). */
#ifndef KS_RUN_ARGS_H
#define KS_RUN_ARGS_H

#include <stddef.h>
#include "bench.h"
#include "lava_emit.h"

#define KS_MAX_SELECT 64
#define KS_DEFAULT_PRECISION 1.0   /* %: the 95 % CI of each median within +-1 % */
#define KS_DEFAULT_MAX_TIME 5.0    /* s a benchmark may sample to reach it */

struct ks_run_args {
	struct ks_run_opts opts;
	const char *names[KS_MAX_SELECT];  /* benchmark or family names; none: default suite */
	int nnames;
	bool help;
	enum ks_emit emit;         /* --emit / --lava: results as LAVA test cases */
	const char *suite_name;    /* their prefix (default "kvmscope") */
};

/* 0 on success; -1 with a message naming the offending option in `err`. */
int ks_parse_run_args(int argc, char **argv, struct ks_run_args *a, char *err, size_t errlen);

/* Strict number parsing: whole string, in range. 0 ok, -1 bad. */
int ks_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int ks_parse_seconds(const char *s, double min, double max, double *out);


#endif
