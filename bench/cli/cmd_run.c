/* SPDX-License-Identifier: MIT */
/*
 * kvmscope run: select benchmarks, run each under the watchdog, print a
 * table row as each finishes, and rewrite the results file atomically after
 * every benchmark, so Ctrl-C, a hung guest or a crash keeps what was measured
 * (marked incomplete until the run ends normally).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"
#include "lava_emit.h"
#include "probes_attach.h"
#include "results_keep.h"
#include "run_args.h"
#include "soak.h"

static bool selected(const struct ks_bench *b, const struct ks_run_args *a)
{
	if (a->nnames == 0)
		return b->in_default;
	for (int i = 0; i < a->nnames; i++)
		if (!strcmp(a->names[i], b->name) || !strcmp(a->names[i], b->family) ||
		    (!strcmp(a->names[i], "all") && b->in_default))
			return true;
	return false;
}

static int check_names(const struct ks_run_args *a)
{
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);

	for (int i = 0; i < a->nnames; i++) {
		bool known = !strcmp(a->names[i], "all");
		for (size_t j = 0; j < n && !known; j++)
			known = !strcmp(a->names[i], all[j]->name) ||
				!strcmp(a->names[i], all[j]->family);
		if (!known) {
			fprintf(stderr, "kvmscope run: unknown benchmark or family '%s' "
				"(see kvmscope list)\n", a->names[i]);
			return -1;
		}
	}
	return 0;
}

static void print_header(void)
{
	printf("%-24s %-8s %12s %7s %12s %12s %8s %5s %5s  %s\n", "BENCHMARK", "UNIT", "MEDIAN",
	       "+-CI", "P99", "MIN", "SAMPLES", "CSW", "IPC", "STATUS");
}

/* The perf columns: context switches in the measured phase, and IPC. */
static void perf_cells(const struct ks_result *r, char *csw, char *ipc, size_t len)
{
	const struct ks_perf_value *cs = &r->perf.c[KS_PERF_CONTEXT_SWITCHES];
	const struct ks_perf_value *cy = &r->perf.c[KS_PERF_CYCLES];
	const struct ks_perf_value *in = &r->perf.c[KS_PERF_INSTRUCTIONS];

	snprintf(csw, len, "-");
	snprintf(ipc, len, "-");
	if (r->perf.valid && cs->supported)
		snprintf(csw, len, "%llu", (unsigned long long)cs->value);
	if (r->perf.valid && cy->supported && in->supported && cy->value)
		snprintf(ipc, len, "%.2f", (double)in->value / (double)cy->value);
}

static void print_row(const struct ks_result *r)
{
	if (r->has_summary && !strcmp(r->status, "ok")) {
		const char *flag = "";
		char csw[24], ipc[24];
		for (int i = 0; i < r->nchecks; i++)
			if (!strcmp(r->checks[i].verdict, "mismatch"))
				flag = " (exit count mismatch)";
		perf_cells(r, csw, ipc, sizeof(csw));
		/* the 95 % CI of the median, +-% of it; '*' short of the target */
		char ci[24] = "-";
		const struct ks_result_precision *p = &r->precision;
		if (p->has && isfinite(p->half))
			snprintf(ci, sizeof(ci), "%.2f%%%s", 100 * p->half,
				 p->target > 0 && p->half > p->target ? "*" : "");
		printf("%-24s %-8s %12.1f %7s %12.1f %12.1f %8zu %5s %5s  ok%s\n", r->name, r->unit,
		       r->summary.median, ci, r->summary.p99, r->summary.min, r->summary.n, csw, ipc,
		       flag);
	} else {
		printf("%-24s %-8s %12s %7s %12s %12s %8s %5s %5s  %s: %s\n", r->name, r->unit, "-",
		       "-", "-", "-", "-", "-", "-", r->status, r->reason);
	}
	fflush(stdout);
}

/*
 * The harness's own cost against the cheapest operation measured, and the
 * cheapest in-kernel exit: stored on the `empty` result and printed.
 */
static void summarize_run(struct ks_results *rs)
{
	struct ks_result *empty = NULL, *cheapest = NULL, *kernel = NULL;

	for (size_t i = 0; i < rs->n; i++) {
		struct ks_result *r = &rs->items[i];
		if (strcmp(r->status, "ok") || !r->has_summary || strcmp(r->unit, "ns"))
			continue;
		if (!strcmp(r->name, "empty")) {
			empty = r;
			continue;
		}
		if (!strcmp(r->family, "selftest") || strstr(r->name, "memslot_"))
			continue;
		if (!cheapest || r->summary.median < cheapest->summary.median)
			cheapest = r;
		if (!strcmp(r->family, "exit_kernel") &&
		    (!kernel || r->summary.median < kernel->summary.median))
			kernel = r;
	}
	if (empty && cheapest) {
		double pct = 100.0 * empty->summary.median / cheapest->summary.median;
		ks_result_metric(empty, "share_of_cheapest", "%", pct);
		ks_result_param_str(empty, "cheapest", cheapest->name);
		printf("harness: the timing loop costs %.2f ns per operation = %.3f %% of the cheapest "
		       "operation measured (%s, %.1f ns)\n", empty->summary.median, pct,
		       cheapest->name, cheapest->summary.median);
	}
	if (kernel)
		printf("cheapest in-kernel exit here: %s (%.1f ns)\n", kernel->name,
		       kernel->summary.median);
}

/* The results short of the precision target, and why (after the table). */
static void print_precision_note(const struct ks_results *rs, const struct ks_run_opts *o)
{
	int shown = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct ks_result_precision *p = &rs->items[i].precision;
		if (!p->has || p->target <= 0 || p->half <= p->target)
			continue;
		if (!shown++)
			printf("precision: * short of +-%g %%:\n", o->precision);
		printf("  %s: %s\n", rs->items[i].name, p->why[0] ? p->why : p->stop);
	}
}

/* Once per run: why the IPC column is empty, if a hardware counter is out. */
static void print_perf_note(const struct ks_results *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct ks_perf_record *p = &rs->items[i].perf;
		if (!p->valid)
			continue;
		if (!p->c[KS_PERF_CYCLES].supported)
			printf("perf: no IPC column: %s\n", p->c[KS_PERF_CYCLES].why);
		else if (!p->c[KS_PERF_INSTRUCTIONS].supported)
			printf("perf: no IPC column: %s\n", p->c[KS_PERF_INSTRUCTIONS].why);
		return;
	}
}

static bool nothing_ran(const struct ks_results *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->items[i].status, "unsupported"))
			return false;
	return true;
}

static void default_output(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "kvmscope-%Y%m%dT%H%M%SZ.json", &tm);
}

/* What one pass over the selected benchmarks needs. */
struct suite {
	struct ks_ctx *c;
	const struct ks_run_args *a;
	struct ks_host *h;
	struct ks_results *rs;
	struct ks_results_keep *keep;   /* the -o file, or a fallback when it fails */
	int nselected;
	bool probe_note_shown;   /* a probe fallback is said once per run */
	int rc;
};

/* Run every selected benchmark once, rewriting the results file after each. */
static void run_suite(struct suite *su)
{
	struct ks_ctx *c = su->c;
	const struct ks_run_args *a = su->a;
	struct ks_results *rs = su->rs;
	int index = 0;
	size_t n;
	const struct ks_bench *const *all = ks_bench_all(&n);

	for (size_t i = 0; i < n && !ks_interrupted; i++) {
		const struct ks_bench *b = all[i];
		char why[512] = "";
		size_t first = rs->n;

		if (!selected(b, a))
			continue;
		ks_progress_bench(c->progress, b->name, ++index);
		if (!ks_bench_available(b, su->h, why, sizeof(why))) {
			struct ks_result *r = ks_result_add(rs, b->name, b->family, "-");
			if (r) {
				snprintf(r->what, sizeof(r->what), "%s", b->what);
				ks_result_fail(r, "unsupported", "%s", why);
			}
		} else {
			struct timespec t0, t1;
			struct ks_attached_probes ap = { .n = 0 };
			c->err[0] = 0;
			if (a->opts.probes) {
				int prc = ks_probes_begin(&a->opts, &ap);
				/* nothing attachable, or BPF fell back to tracefs: said once */
				if ((prc < 0 || ap.note[0]) && !su->probe_note_shown) {
					fprintf(stderr, "kvmscope run: --probes: %s\n", ap.note);
					su->probe_note_shown = true;
				}
			}
			/* opened after the probes: their own work is not counted */
			struct ks_perf_set ps;
			if (!a->opts.no_perf) {
				ks_perf_open(&ps);
				c->perf = &ps;
			}
			clock_gettime(CLOCK_MONOTONIC, &t0);
			b->run(b, c);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (c->perf) {
				ks_perf_benchmark_end(c, rs->items + first, rs->n - first);
				ks_perf_close(&ps);
				c->perf = NULL;
			}
			ks_probes_end(&ap, rs->n > first ? &rs->items[first] : NULL);
			double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
			for (size_t j = first; j < rs->n; j++)
				rs->items[j].seconds = secs;
		}
		ks_progress_hide(c->progress);   /* rows and errors go where the line was */
		for (size_t j = first; j < rs->n; j++) {
			print_row(&rs->items[j]);
			if (!strcmp(rs->items[j].status, "failed"))
				su->rc = KS_EXIT_FAIL;
		}
		/* a failure is said once; the exit status comes from the last write */
		ks_results_keep_write(su->keep, rs, su->h, &a->opts);
		ks_progress_show(c->progress);
	}
}

int ks_cmd_run(int argc, char **argv)
{
	struct ks_run_args a;
	struct ks_host h;
	struct ks_results rs = { 0 };
	char err[512], outbuf[128];

	if (ks_parse_run_args(argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "kvmscope run: %s\n", err);
		return KS_EXIT_USAGE;
	}
	if (a.help) {
		ks_doc_print_help(stdout, ks_doc_find("run"));
		return KS_EXIT_OK;
	}
	if (check_names(&a) < 0)
		return KS_EXIT_USAGE;
	if (!a.opts.out) {
		default_output(outbuf, sizeof(outbuf));
		a.opts.out = outbuf;
	}
	/* a lab's console is a log, even when it is a terminal */
	if (a.emit != KS_EMIT_NONE)
		a.opts.no_progress = true;
	ks_vmm_install_signal_handlers();
	/* probes are stopped on every path, Ctrl-C included: see ks_probes_end */
	ks_host_probe(&h, a.opts.device);
	if (a.opts.cpu >= h.facts.cpu.online) {
		fprintf(stderr, "kvmscope run: --cpu %d: this machine has CPUs 0..%ld\n", a.opts.cpu,
			h.facts.cpu.online - 1);
		ks_host_release(&h);
		return KS_EXIT_USAGE;
	}
	if (ks_pin_self(a.opts.cpu) < 0)
		fprintf(stderr, "kvmscope run: warning: could not pin to CPU %d\n", a.opts.cpu);
	/* main() passed argv + 2: record the whole command line */
	ks_results_start(&rs, argc + 2, argv - 2);
	snprintf(rs.incomplete_reason, sizeof(rs.incomplete_reason), "run in progress");

	char prec[96];
	if (a.opts.precision > 0)
		snprintf(prec, sizeof(prec), "medians to +-%g %% (95 %% CI, at most %g s a benchmark)",
			 a.opts.precision, a.opts.max_time_s);
	else
		snprintf(prec, sizeof(prec), "fixed samples");
	printf("kvmscope run: backend %s, %s mode, %s, results -> %s\n", h.facts.backend.name,
	       a.opts.quick ? "quick" : "full", prec, a.opts.out);
	if (!h.kvm_ok)
		fprintf(stderr, "kvmscope run: %s\n", h.kvm_err);

	struct ks_ctx c = { .host = &h, .opts = &a.opts, .res = &rs };
	struct ks_results_keep keep;
	ks_results_keep_init(&keep, a.opts.out, "kvmscope run");
	struct suite su = { .c = &c, .a = &a, .h = &h, .rs = &rs, .keep = &keep, .rc = KS_EXIT_OK };
	struct ks_progress progress;
	size_t nb;
	const struct ks_bench *const *all = ks_bench_all(&nb);
	for (size_t i = 0; i < nb; i++)
		su.nselected += selected(all[i], &a);

	/* --soak: what the process holds before anything ran is the baseline */
	struct ks_soak soak;
	unsigned iterations = a.opts.soak ? a.opts.soak : 1;
	if (a.opts.soak) {
		if (ks_soak_init(&soak, a.opts.soak) < 0) {
			fprintf(stderr, "kvmscope run: --soak: out of memory\n");
			ks_host_release(&h);
			return KS_EXIT_FAIL;
		}
		ks_soak_sample(&soak, 0);
		rs.soak = &soak;
	}
	for (unsigned it = 1; it <= iterations && !ks_interrupted; it++) {
		if (a.opts.soak) {
			/* only medians are kept across iterations: the file holds the last one */
			ks_results_free(&rs);
			printf("soak: iteration %u of %u\n", it, iterations);
		}
		print_header();
		/* started before any benchmark thread: its perf counters don't count it */
		if (ks_progress_start(&progress, su.nselected, !a.opts.no_progress))
			c.progress = &progress;
		run_suite(&su);
		if (c.progress) {
			ks_progress_stop(c.progress);   /* clears the line */
			c.progress = NULL;
		}
		summarize_run(&rs);
		if (a.opts.soak && !ks_interrupted) {
			ks_soak_add_medians(&soak, it, &rs);
			ks_soak_sample(&soak, it);
		}
	}
	int rc = su.rc;
	print_precision_note(&rs, &a.opts);
	print_perf_note(&rs);
	if (a.opts.soak)
		ks_soak_print(stdout, &soak);
	rs.complete = !ks_interrupted;
	if (ks_interrupted)
		snprintf(rs.incomplete_reason, sizeof(rs.incomplete_reason),
			 "interrupted by a signal; results up to that point are kept");
	enum ks_kept kept = ks_results_keep_write(&keep, &rs, &h, &a.opts);
	ks_results_keep_print(&keep, stdout, rs.complete);
	/* the cases are reported after the file is safe, from what is in memory */
	if (ks_lava_emit(stdout, &rs, a.emit, a.suite_name) < 0 && rc == KS_EXIT_OK)
		rc = KS_EXIT_FAIL;
	if (ks_interrupted)
		rc = KS_EXIT_INTERRUPTED;
	else if (kept != KS_KEPT_ASKED)   /* not where asked: in a fallback, or lost */
		rc = kept == KS_KEPT_FALLBACK ? KS_EXIT_NOT_SAVED : KS_EXIT_FAIL;
	else if (!h.kvm_ok)
		rc = KS_EXIT_NO_KVM;
	else if (rc == KS_EXIT_OK && nothing_ran(&rs))
		rc = KS_EXIT_SKIP;   /* every selected benchmark is unsupported here */
	ks_results_free(&rs);
	if (a.opts.soak)
		ks_soak_free(&soak);
	ks_host_release(&h);
	return rc;
}
