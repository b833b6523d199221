/* SPDX-License-Identifier: MIT */
/*
 * funcs_check: the function-based plans of exits and hypercalls (the
 * backend's own exit handler, fentry/fexit: what kvm_pvm and KVM-on-Gunyah
 * get, where kvm_exit/kvm_entry never fire) against the tracepoint plans,
 * on one VMM run where both can be attached: KVM on SVM in the x86 testbed.
 *
 *   funcs_check KVMSCOPE [ARGS...]
 *
 * For exits and for hypercalls it attaches, with the BPF backend, for all
 * processes:
 *   tp       the tracepoint plan, the classic tracepoint (the exit reason
 *            from the kernel's own kvm_exit record)
 *   raw      the same plan, raw (tp_btf or raw_tp: the reason read where
 *            the vendor module keeps it)
 *   fn       the function plan (ks_probe_host.functions: svm_handle_exit
 *            entry -> return)
 * then runs KVMSCOPE ARGS (default: run --quick pio_out_user hyp_call cpuid
 * mem_lend -o funcs.json) and requires equal counts, key by key:
 *   - raw == tp exactly (same events, keys read two ways);
 *   - fn == tp, except that a VM's last exit never re-enters: its
 *     tracepoint span stays open (kvm_exit without kvm_entry) while the
 *     handler returned; those are "+user" exits (the VMM stopped after
 *     them), so the fn - tp differences are on "+user" keys and sum to the
 *     tracepoint plan's open spans.
 * memlend (no function plan on SVM) only has raw == tp checked: its raw
 * handlers, like exits', tell "+user" from the vCPU's KVM_RUN count.
 * Exit: 0 pass, 1 fail, 77 skip (no BPF backend, or fentry refused here).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "../probe-bpf/check.h"

enum { TP, RAW, FN, NPLANS };
static const char *const plan_name[NPLANS] = { "tp", "raw", "fn" };

struct probe_run {
	const char *probe;
	bool no_fn;   /* no function plan to compare (memlend: classic vs raw only) */
	struct ks_probe_plan plan[NPLANS];
	void *st[NPLANS];
	struct ks_probe_snapshot snap[NPLANS];
};

static uint64_t count_of(const struct ks_probe_snapshot *s, const char *key)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, key))
			return s->keys[i].count;
	return 0;
}

static uint64_t total(const struct ks_probe_snapshot *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->nkeys; i++)
		n += s->keys[i].count;
	return n;
}

/* Discover and start the three plans of one probe; 77 when the function
 * plan cannot run here, 1 on another failure. */
static int start(struct probe_run *r)
{
	char err[600];
	struct ks_probe_host fn_host = { .functions = true };

	if (ks_probe_discover(r->probe, &r->plan[TP]) < 0 || !r->plan[TP].available) {
		printf("FAIL: %s: the tracepoint plan is unavailable: %s\n", r->probe,
		       r->plan[TP].why);
		return 1;
	}
	r->plan[RAW] = r->plan[TP];
	if (r->no_fn)
		r->plan[FN] = r->plan[TP];   /* a third copy, raw: compared to nothing */
	else if (ks_probe_discover_host(&fn_host, r->probe, &r->plan[FN]) < 0 ||
	    !r->plan[FN].available || strncmp(r->plan[FN].start_event, "fentry:", 7)) {
		printf("SKIP: %s: no function plan here: %s\n", r->probe, r->plan[FN].why);
		return 77;
	}
	for (int k = 0; k < NPLANS; k++) {
		/* tp: the classic tracepoint; raw: the loader's cheapest raw flavor */
		setenv("KVMSCOPE_BPF_ATTACH", k == TP ? "tracepoint" : "auto", 1);
		if (ks_probe_bpf.start(&r->plan[k], 0, &r->st[k], err, sizeof(err)) < 0) {
			printf("FAIL: %s %s (%s -> %s): %s\n", r->probe, plan_name[k],
			       r->plan[k].start_event, r->plan[k].end_event, err);
			return 1;
		}
	}
	unsetenv("KVMSCOPE_BPF_ATTACH");
	for (int k = 0; k < NPLANS; k++)
		printf("%s %-3s %s -> %s\n", r->probe, plan_name[k], r->plan[k].start_event,
		       r->plan[k].end_event);
	return 0;
}

static void snap_stop(struct probe_run *r)
{
	for (int k = 0; k < NPLANS; k++) {
		if (ks_probe_bpf.snapshot(r->st[k], &r->snap[k]) < 0)
			memset(&r->snap[k], 0, sizeof(r->snap[k]));
		ks_probe_bpf.stop(r->st[k]);
	}
}

static void compare(const struct probe_run *r)
{
	const struct ks_probe_snapshot *tp = &r->snap[TP], *raw = &r->snap[RAW], *fn = &r->snap[FN];

	printf("\n%s: %-28s %10s %10s %10s   (attached as %s / %s / %s)\n", r->probe, "key", "tp",
	       "raw", "fn", tp->attach, raw->attach, fn->attach);
	/* every key any plan saw, once */
	const struct ks_probe_snapshot *all[] = { tp, raw, fn };
	const char *keys[256];
	int nk = 0;
	for (int k = 0; k < NPLANS; k++)
		for (size_t i = 0; i < all[k]->nkeys; i++) {
			int j = 0;
			while (j < nk && strcmp(keys[j], all[k]->keys[i].key))
				j++;
			if (j == nk && nk < 256)
				keys[nk++] = all[k]->keys[i].key;
		}
	uint64_t user_extra = 0;
	bool keys_ok = true, raw_ok = true;
	for (int j = 0; j < nk; j++) {
		uint64_t a = count_of(tp, keys[j]), b = count_of(raw, keys[j]), c = count_of(fn, keys[j]);
		printf("%s: %-28s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n", r->probe, keys[j], a, b,
		       c);
		raw_ok &= a == b;
		if (strstr(keys[j], "+user") && c >= a)
			user_extra += c - a;
		else
			keys_ok &= a == c;
	}
	printf("%s: tp open %" PRIu64 ", unpaired %" PRIu64 "; fn open %" PRIu64 ", unpaired %" PRIu64
	       "\n", r->probe, tp->open, tp->unpaired, fn->open, fn->unpaired);
	CHECK(total(tp) > 0, "%s: the tracepoint plan saw %" PRIu64 " spans", r->probe, total(tp));
	CHECK(raw_ok && total(raw) == total(tp),
	      "%s: raw (%s) == classic tracepoint, key by key (%" PRIu64 " spans)", r->probe,
	      raw->attach, total(raw));
	if (r->no_fn)
		return;
	CHECK(keys_ok, "%s: function plan == tracepoint plan on every key but +user", r->probe);
	CHECK(user_extra == tp->open,
	      "%s: the function plan's extra +user spans (%" PRIu64 ") are the tracepoint plan's "
	      "open spans (%" PRIu64 ": last exits with no re-entry)", r->probe, user_extra, tp->open);
	CHECK(total(fn) == total(tp) + tp->open,
	      "%s: function plan spans %" PRIu64 " == tracepoint spans %" PRIu64 " + open %" PRIu64,
	      r->probe, total(fn), total(tp), tp->open);
	CHECK(fn->lost == 0 && tp->lost == 0 && raw->lost == 0, "%s: nothing lost", r->probe);
}

int main(int argc, char **argv)
{
	char why[512];

	if (argc < 2) {
		fprintf(stderr, "usage: funcs_check KVMSCOPE [ARGS...]\n");
		return 2;
	}
	if (!ks_probe_bpf.usable(why, sizeof(why))) {
		printf("SKIP: the BPF backend cannot run here: %s\n", why);
		return 77;
	}
	struct probe_run runs[] = { { .probe = "exits" }, { .probe = "hypercalls" },
				    { .probe = "memlend", .no_fn = true } };
	int n = (int)(sizeof(runs) / sizeof(runs[0]));
	for (int i = 0; i < n; i++) {
		int rc = start(&runs[i]);
		if (rc) {
			for (int j = 0; j <= i; j++)
				for (int k = 0; k < NPLANS; k++)
					ks_probe_bpf.stop(runs[j].st[k]);
			return rc;
		}
	}

	char *def[] = { argv[1], "run", "--quick", "pio_out_user", "hyp_call", "cpuid", "mem_lend",
			"-o", "funcs.json", NULL };
	char **cargv = argc > 2 ? argv + 1 : def;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execv(cargv[0], cargv);
		fprintf(stderr, "funcs_check: exec %s: %s\n", cargv[0], strerror(errno));
		_exit(127);
	}
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	CHECK(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s ran (status 0x%x)", cargv[0],
	      st);
	for (int i = 0; i < n; i++)
		snap_stop(&runs[i]);
	for (int i = 0; i < n; i++)
		compare(&runs[i]);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < NPLANS; k++)
			ks_probe_snapshot_free(&runs[i].snap[k]);
	printf("%d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
