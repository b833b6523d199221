/* SPDX-License-Identifier: MIT */
/*
 * fuzz_run_args - `kvmscope run` option parsing (bench/cli/run_args.h).
 *
 * The input is split into argv on NUL bytes (as the kernel hands a command
 * line over); each argument is its own exact-size allocation, so a read
 * past an argument's end is an ASan finding.  Checked: success or an error
 * message, the names kept point at arguments, numbers are in their ranges.
 */
#include <math.h>

#include "fuzz_common.h"
#include "run_args.h"

#define MAX_ARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	size_t i = 0;

	while (i < size && argc < MAX_ARGS) {
		const uint8_t *nul = memchr(data + i, 0, size - i);
		size_t n = nul ? (size_t)(nul - (data + i)) : size - i;

		argv[argc++] = fz_strndup(data + i, n);
		i += n + 1;
	}
	argv[argc] = NULL;

	struct ks_run_args a;
	char err[256];
	err[0] = 0;
	int rc = ks_parse_run_args(argc, argv, &a, err, sizeof err);
	if (rc == 0) {
		FZ_CHECK(a.nnames >= 0 && a.nnames <= KS_MAX_SELECT, "nnames %d", a.nnames);
		for (int k = 0; k < a.nnames; k++) {
			int found = 0;
			for (int j = 0; j < argc && !found; j++)
				found = a.names[k] == argv[j];
			FZ_CHECK(found, "name %d is not an argument", k);
		}
		FZ_CHECK(a.opts.cpu >= -1 && a.opts.cpu <= 4095, "cpu %d", a.opts.cpu);
		FZ_CHECK(a.opts.samples <= 1000000, "samples %llu", (unsigned long long)a.opts.samples);
		FZ_CHECK(a.opts.watchdog_s >= 0.1 && a.opts.watchdog_s <= 86400 &&
			 isfinite(a.opts.watchdog_s), "watchdog %g", a.opts.watchdog_s);
		FZ_CHECK(a.suite_name && *a.suite_name, "empty suite name");
	} else {
		FZ_CHECK(rc == -1 && err[0], "failed without a message (rc %d)", rc);
	}

	/* the number parsers alone, on every argument */
	for (int k = 0; k < argc; k++) {
		uint64_t u;
		double d;
		if (ks_parse_u64(argv[k], 3, 4095, &u) == 0)
			FZ_CHECK(u >= 3 && u <= 4095, "u64 %llu out of range", (unsigned long long)u);
		if (ks_parse_seconds(argv[k], 0.1, 86400, &d) == 0)
			FZ_CHECK(d >= 0.1 && d <= 86400, "seconds %g out of range", d);
	}
	for (int k = 0; k < argc; k++)
		free(argv[k]);
	return 0;
}
