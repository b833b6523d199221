/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run_args.h"

int ks_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ks_parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "--opt=value" or "--opt value"; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *arg, const char *eq)
{
	if (eq)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int ks_parse_run_args(int argc, char **argv, struct ks_run_args *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->opts.cpu = -1;
	a->opts.watchdog_s = 60;
	a->opts.precision = KS_DEFAULT_PRECISION;
	a->opts.max_time_s = KS_DEFAULT_MAX_TIME;
	a->suite_name = "kvmscope";
	bool names_only = false, precision_given = false;

	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];
		if (names_only || arg[0] != '-' || arg[1] == 0) {
			if (a->nnames >= KS_MAX_SELECT) {
				snprintf(err, errlen, "too many benchmark names (at most %d)",
					 KS_MAX_SELECT);
				return -1;
			}
			a->names[a->nnames++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			names_only = true;
			continue;
		}
		const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		size_t klen = eq ? (size_t)(eq - arg) : strlen(arg);
#define IS(s, l) ((klen == strlen(l) && strncmp(arg, l, klen) == 0) || strcmp(arg, s) == 0)
		const char *v;
		uint64_t n;
		if (IS("-h", "--help")) {
			a->help = true;
		} else if (IS("-q", "--quick")) {
			a->opts.quick = true;
		} else if (IS("-v", "--verbose")) {
			a->opts.verbose = true;
		} else if (IS("--no-perf", "--no-perf")) {
			a->opts.no_perf = true;
		} else if (IS("--no-progress", "--no-progress")) {
			a->opts.no_progress = true;
		} else if (IS("--lava", "--lava")) {
			a->emit = KS_EMIT_LAVA;
		} else if (IS("--emit", "--emit")) {
			v = opt_value(argc, argv, &i, arg, eq);
			if (v && !strcmp(v, "lava"))
				a->emit = KS_EMIT_LAVA;
			else if (v && !strcmp(v, "signal"))
				a->emit = KS_EMIT_SIGNAL;
			else if (v && !strcmp(v, "plain"))
				a->emit = KS_EMIT_PLAIN;
			else {
				snprintf(err, errlen, "option --emit takes lava, signal or plain, "
					 "got '%s'", v ? v : "");
				return -1;
			}
		} else if (IS("--suite-name", "--suite-name")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) || !*v) {
				snprintf(err, errlen, "option --suite-name needs a name");
				return -1;
			}
			a->suite_name = v;
		} else if (IS("--soak", "--soak")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) ||
			    ks_parse_u64(v, 1, 1000000, &n)) {
				snprintf(err, errlen, "option --soak needs a number of iterations from "
					 "1 to 1000000, got '%s'", v ? v : "");
				return -1;
			}
			a->opts.soak = (unsigned)n;
			a->opts.probes = true;   /* a soak is with the probes attached */
		} else if (IS("-P", "--probes")) {
			a->opts.probes = true;
		} else if (IS("--probe-backend", "--probe-backend")) {
			v = opt_value(argc, argv, &i, arg, eq);
			if (v && !strcmp(v, "bpf"))
				a->opts.probe_backend = KS_PB_BPF;
			else if (v && !strcmp(v, "tracefs"))
				a->opts.probe_backend = KS_PB_TRACEFS;
			else if (v && !strcmp(v, "auto"))
				a->opts.probe_backend = KS_PB_AUTO;
			else {
				snprintf(err, errlen, "option --probe-backend takes auto, bpf or tracefs, "
					 "got '%s'", v ? v : "");
				return -1;
			}
		} else if (IS("--device", "--device")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) || !*v) {
				snprintf(err, errlen, "option --device needs a device node (/dev/kvm, "
					 "/dev/gunyah) or kvm or gunyah");
				return -1;
			}
			a->opts.device = v;
		} else if (IS("-o", "--output")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) || !*v) {
				snprintf(err, errlen, "option %.*s needs a file name", (int)klen, arg);
				return -1;
			}
			a->opts.out = v;
		} else if (IS("-c", "--cpu")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) || ks_parse_u64(v, 0, 4095, &n)) {
				snprintf(err, errlen, "option %.*s needs a CPU number (0..4095), got '%s'",
					 (int)klen, arg, v ? v : "");
				return -1;
			}
			a->opts.cpu = (int)n;
		} else if (IS("-n", "--samples")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) ||
			    ks_parse_u64(v, 1, 1000000, &n)) {
				snprintf(err, errlen,
					 "option %.*s needs a whole number from 1 to 1000000, got '%s'",
					 (int)klen, arg, v ? v : "");
				return -1;
			}
			a->opts.samples = n;
		} else if (IS("--precision", "--precision")) {
			char pct[32] = "";
			if ((v = opt_value(argc, argv, &i, arg, eq)) && strlen(v) < sizeof(pct)) {
				snprintf(pct, sizeof(pct), "%s", v);
				size_t l = strlen(pct);
				if (l > 1 && pct[l - 1] == '%')   /* "1%" is 1 */
					pct[l - 1] = 0;
			}
			if (!v || ks_parse_seconds(pct, 0, 100, &a->opts.precision)) {
				snprintf(err, errlen, "option %.*s needs a percentage from 0 (off) to 100, "
					 "got '%s'", (int)klen, arg, v ? v : "");
				return -1;
			}
			precision_given = true;
		} else if (IS("--max-time", "--max-time")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) ||
			    ks_parse_seconds(v, 0.1, 86400, &a->opts.max_time_s)) {
				snprintf(err, errlen, "option --max-time needs seconds from 0.1 to 86400, "
					 "got '%s'", v ? v : "");
				return -1;
			}
		} else if (IS("-w", "--watchdog")) {
			if (!(v = opt_value(argc, argv, &i, arg, eq)) ||
			    ks_parse_seconds(v, 0.1, 86400, &a->opts.watchdog_s)) {
				snprintf(err, errlen,
					 "option %.*s needs seconds from 0.1 to 86400, got '%s'",
					 (int)klen, arg, v ? v : "");
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown option '%s' (see kvmscope run --help)", arg);
			return -1;
		}
#undef IS
	}
	/* --samples N is N samples, no more; --quick is a smoke run unless asked */
	if (a->opts.samples && precision_given && a->opts.precision > 0) {
		snprintf(err, errlen, "--samples takes a fixed number of samples and --precision "
			 "samples until a target: give one of them (--precision 0 is fixed samples)");
		return -1;
	}
	if (a->opts.samples || (a->opts.quick && !precision_given))
		a->opts.precision = 0;
	return 0;
}
