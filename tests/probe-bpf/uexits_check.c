/* SPDX-License-Identifier: MIT */
/*
 * uexits_check: the BPF uexits probe against a real VMM run.
 *
 *   uexits_check [--no-probe] [--discover] [--samples] [--runs N] KVMSCOPE [ARGS...]
 *   uexits_check --local
 *
 * Starts the uexits probe (all processes), runs KVMSCOPE ARGS (default:
 * run --quick pio_out_user -o r.json) to completion, snapshots, prints the
 * table and checks the probe's KVM_EXIT_IO count against what the child
 * itself counted in r.json: host_exits (every exit its run loop serviced:
 * pio_user + ucalls are all KVM_EXIT_IO) and exit_checks io_exits (the
 * measured phase only), plus the one identify-guest exit host probing
 * makes. The last exit of a vCPU thread has no next KVM_RUN, so it stays an
 * open span: spans + open spans must equal the child's total.
 *
 * --no-probe  just run the child (the baseline for the overhead comparison)
 * --runs N    run the child N times (r1.json ...), one probe across all runs
 * --probe P   run the exits or memlend probe instead (table only, no exact check)
 * --alternate N  overhead: N runs with the probe and N without, alternating
 * --events S E  override the plan's start and end events
 * --discover  take the plan from ks_probe_discover() instead of the local one
 * --samples   also drain the exact-sample ring and check it saw every span
 * --verbose   libbpf's log on stderr (KVMSCOPE_BPF_VERBOSE=1)
 * --local     no VMM: ioctl(KVM_RUN) on /dev/null (end events without a
 *             start), start/snapshot/stop twice; for hosts without /dev/kvm
 *
 * Exit: 0 pass, 1 fail, 77 skip (the BPF backend can't run here).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "check.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	for (size_t r; buf && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

/* The number after "key": at or after `from` (and before `limit`, if set). */
static bool json_uint(const char *from, const char *limit, const char *key, uint64_t *out)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(from, pat);
	if (!p || (limit && p > limit))
		return false;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	if (end == p)
		return false;
	*out = v;
	return true;
}

struct child_counts {
	uint64_t pio_user, ucalls, mmio_user, runs, eintr;
	uint64_t io_measured;   /* exit_checks io_exits observed */
	double median_ns;
	bool have_tally, have_check, have_median;
};

static bool read_results(const char *path, struct child_counts *c)
{
	char *j = slurp(path);
	if (!j)
		return false;
	const char *h = strstr(j, "\"host_exits\"");
	if (h) {
		const char *end = strchr(h, '}');
		c->have_tally = json_uint(h, end, "pio_user", &c->pio_user) &&
				json_uint(h, end, "ucalls", &c->ucalls) &&
				json_uint(h, end, "kvm_run_calls", &c->runs);
		json_uint(h, end, "mmio_user", &c->mmio_user);
		json_uint(h, end, "eintr", &c->eintr);
	}
	const char *k = strstr(j, "\"stat\": \"io_exits\"");
	if (k) {
		const char *end = strchr(k, '}');
		c->have_check = json_uint(k, end, "observed", &c->io_measured);
	}
	const char *s = strstr(j, "\"median\":");
	if (s) {
		c->median_ns = strtod(s + 9, NULL);
		c->have_median = true;
	}
	free(j);
	return true;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int run_child(char **argv)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return -1;
	}
	if (!pid) {
		execv(argv[0], argv);
		fprintf(stderr, "uexits_check: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct sample_tally {
	uint64_t n, io, bad;
	struct {
		uint32_t tid, tgid;
		uint64_t n, first_ns, last_ns;
	} th[16];
	int nth;
};

static int on_sample(void *ctx, const struct ks_probe_sample *s)
{
	struct sample_tally *t = ctx;
	t->n++;
	t->io += !strcmp(s->key, "KVM_EXIT_IO");
	t->bad += s->dur_ns == 0 || s->dur_ns > 60ULL * 1000000000ULL;
	int k = 0;
	while (k < t->nth && t->th[k].tid != s->tid)
		k++;
	if (k == t->nth && k < 16) {
		t->nth++;
		t->th[k].tid = s->tid;
		t->th[k].tgid = s->tgid;
		t->th[k].first_ns = s->start_ns;
	}
	if (k < 16) {
		t->th[k].n++;
		t->th[k].last_ns = s->start_ns;
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const struct ks_probe_key_stats *find_key(const struct ks_probe_snapshot *s,
						 const char *key);

/* The overhead: runs with and without the probe, alternating in one boot. */
static int alternate(const struct ks_probe_plan *plan, char *kvmscope, int pairs)
{
	double with[50], without[50];
	int nw = 0, nwo = 0;

	for (int r = 0; r < 2 * pairs; r++) {
		bool on = r % 2 == 0;
		void *st = NULL;
		char err[512];
		if (on && ks_probe_bpf.start(plan, 0, &st, err, sizeof(err)) < 0) {
			printf("FAIL: starting %s: %s\n", plan->probe, err);
			return 1;
		}
		char *cargv[] = { kvmscope, "run", "--quick", "pio_out_user", "-o", "alt.json", NULL };
		unlink("alt.json");
		int rc = run_child(cargv);
		struct child_counts c = { 0 };
		bool ok = rc == 0 && read_results("alt.json", &c) && c.have_median;
		if (on) {
			struct ks_probe_snapshot s;
			if (ks_probe_bpf.snapshot(st, &s) == 0) {
				const struct ks_probe_key_stats *io = find_key(&s, "KVM_EXIT_IO");
				printf("uexits_check: probe saw %" PRIu64 " KVM_EXIT_IO spans, mean %.0f ns\n",
				       io ? io->count : 0,
				       io && io->count ? (double)io->sum_ns / (double)io->count : 0.0);
				ks_probe_snapshot_free(&s);
			}
			ks_probe_bpf.stop(st);
		}
		CHECK(ok, "run %d (%s): pio_out_user median %.0f ns", r + 1,
		      on ? "probe attached" : "no probe", c.median_ns);
		if (ok && on && nw < 50)
			with[nw++] = c.median_ns;
		else if (ok && !on && nwo < 50)
			without[nwo++] = c.median_ns;
	}
	if (nw && nwo) {
		double mw = median_of(with, nw), mo = median_of(without, nwo);
		printf("uexits_check: overhead: median of %d run medians with the probe %.0f ns, "
		       "without %.0f ns: %+.0f ns per exit (%+.1f%%)\n", nw, mw, mo, mw - mo,
		       100.0 * (mw - mo) / mo);
	}
	printf("%d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}

static const struct ks_probe_key_stats *find_key(const struct ks_probe_snapshot *s,
						 const char *key)
{
	for (size_t i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].key, key))
			return &s->keys[i];
	return NULL;
}

static void local_plan(struct ks_probe_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->probe = "uexits";
	p->available = true;
	snprintf(p->start_event, sizeof(p->start_event), "tracepoint:kvm:kvm_userspace_exit");
	snprintf(p->end_event, sizeof(p->end_event), "tracepoint:syscalls:sys_enter_ioctl");
}

/* No VMM here: end events only; start/snapshot/stop and a second stop. */
static int local_check(const struct ks_probe_plan *plan)
{
	char err[512];
	void *st = NULL;
	for (int round = 0; round < 2; round++) {
		if (ks_probe_bpf.start(plan, getpid(), &st, err, sizeof(err)) < 0) {
			if (strstr(err, "does not exist on this kernel")) {
				printf("SKIP: %s\n", err);
				return 77;
			}
			printf("FAIL: start: %s\n", err);
			return 1;
		}
		int fd = open("/dev/null", O_RDONLY);
		for (int i = 0; i < 5; i++)
			(void)!ioctl(fd, 0xAE80 /* KVM_RUN */, 0);
		(void)!ioctl(fd, 0x5401 /* TCGETS: not KVM_RUN */, 0);
		close(fd);
		struct ks_probe_snapshot s;
		CHECK(ks_probe_bpf.snapshot(st, &s) == 0, "snapshot");
		ks_probe_print(stdout, &s, "local uexits (no VMM: ioctl(KVM_RUN) on /dev/null)");
		CHECK(s.events == 5 && s.unpaired == 5 && s.nkeys == 0,
		      "5 KVM_RUN ioctls seen as 5 end events without a start (events %" PRIu64
		      ", unpaired %" PRIu64 ", keys %zu)", s.events, s.unpaired, s.nkeys);
		ks_probe_snapshot_free(&s);
		ks_probe_bpf.stop(st);
		ks_probe_bpf.stop(st);   /* idempotent */
		CHECK(ks_probe_bpf.snapshot(st, &s) < 0, "snapshot after stop is refused");
	}
	struct ks_probe_plan bad = *plan;
	bad.probe = "irqfd";
	CHECK(ks_probe_bpf.start(&bad, 0, &st, err, sizeof(err)) < 0 &&
		      strstr(err, "not implemented in the BPF backend yet"),
	      "irqfd refused: %s", err);
	bad = *plan;
	snprintf(bad.end_event, sizeof(bad.end_event), "kprobe:do_vfs_ioctl");
	CHECK(ks_probe_bpf.start(&bad, 0, &st, err, sizeof(err)) < 0, "kprobe end refused: %s",
	      err);
	printf("%d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	bool probe = true, discover = false, samples = false, local = false;
	const char *other = NULL;   /* --probe exits|memlend: print only */
	const char *ev_start = NULL, *ev_end = NULL;
	int runs = 1, i = 1, alt = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--no-probe"))
			probe = false;
		else if (!strcmp(argv[i], "--discover"))
			discover = true;
		else if (!strcmp(argv[i], "--samples"))
			samples = true;
		else if (!strcmp(argv[i], "--local"))
			local = true;
		else if (!strcmp(argv[i], "--verbose"))
			setenv("KVMSCOPE_BPF_VERBOSE", "1", 1);
		else if (!strcmp(argv[i], "--events") && i + 2 < argc) {
			ev_start = argv[++i];
			ev_end = argv[++i];
		} else if (!strcmp(argv[i], "--probe") && i + 1 < argc)
			other = argv[++i];
		else if (!strcmp(argv[i], "--alternate") && i + 1 < argc)
			alt = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else {
			fprintf(stderr, "uexits_check: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if ((!local && i >= argc) || runs < 1 || runs > 50) {
		fprintf(stderr, "usage: uexits_check [--no-probe] [--discover] [--samples] "
				"[--probe exits|memlend] [--events START END] [--runs N] KVMSCOPE [ARGS...] | --local\n");
		return 2;
	}

	char why[256];
	if (probe && !ks_probe_bpf.usable(why, sizeof(why))) {
		printf("SKIP: the BPF backend can't run here: %s\n", why);
		return 77;
	}
	struct ks_probe_plan plan;
	local_plan(&plan);
	if (other && !strcmp(other, "exits")) {
		plan.probe = "exits";
		snprintf(plan.start_event, sizeof(plan.start_event), "tracepoint:kvm:kvm_exit");
		snprintf(plan.end_event, sizeof(plan.end_event), "tracepoint:kvm:kvm_entry");
	} else if (other && !strcmp(other, "memlend")) {
		plan.probe = "memlend";
		snprintf(plan.start_event, sizeof(plan.start_event), "tracepoint:kvm:kvm_page_fault");
		snprintf(plan.end_event, sizeof(plan.end_event), "tracepoint:kvm:kvm_entry");
	} else if (other) {
		fprintf(stderr, "uexits_check: --probe exits|memlend\n");
		return 2;
	}
	if (ev_start) {
		snprintf(plan.start_event, sizeof(plan.start_event), "%s", ev_start);
		snprintf(plan.end_event, sizeof(plan.end_event), "%s", ev_end);
	}
	if (discover) {
		ks_probe_discover(plan.probe, &plan);
		printf("discovered plan: %s, %s -> %s (%s)\n",
		       plan.available ? "available" : "unavailable", plan.start_event,
		       plan.end_event, plan.why);
	}
	if (local)
		return local_check(&plan);

	if (alt > 0 && alt <= 25)
		return alternate(&plan, argv[i], alt);

	void *st = NULL;
	char err[512];
	if (samples)
		ks_probe_bpf_set_samples(1 << 22);
	if (probe && ks_probe_bpf.start(&plan, 0, &st, err, sizeof(err)) < 0) {
		printf("FAIL: starting %s: %s\n", plan.probe, err);
		return 1;
	}
	printf("uexits_check: %s (%s -> %s)\n", probe ? "probe attached" : "no probe",
	       plan.start_event, plan.end_event);

	struct child_counts tot = { 0 };
	double medians[50];
	int nmed = 0;
	bool custom = i + 1 < argc;
	for (int r = 0; r < runs; r++) {
		char out[32];
		snprintf(out, sizeof(out), runs > 1 ? "r%d.json" : "r.json", r + 1);
		char *def[] = { argv[i], "run", "--quick", "pio_out_user", "-o", out, NULL };
		char **cargv = custom ? &argv[i] : def;
		unlink(out);
		double t0 = now_s();
		int rc = run_child(cargv);
		printf("uexits_check: run %d: %s exited %d after %.2f s\n", r + 1, cargv[0], rc,
		       now_s() - t0);
		CHECK(rc == 0, "child run %d succeeded", r + 1);
		struct child_counts c = { 0 };
		if (custom)
			continue;
		if (!read_results(out, &c)) {
			printf("FAIL: cannot read %s\n", out);
			fails++;
			continue;
		}
		tot.pio_user += c.pio_user;
		tot.ucalls += c.ucalls;
		tot.mmio_user += c.mmio_user;
		tot.runs += c.runs;
		tot.eintr += c.eintr;
		tot.io_measured += c.io_measured;
		tot.have_tally = c.have_tally;
		tot.have_check = c.have_check;
		if (c.have_median && nmed < 50)
			medians[nmed++] = c.median_ns;
	}
	for (int a = 0; a < nmed; a++)
		printf("uexits_check: run %d: pio_out_user median %.0f ns (%s)\n", a + 1, medians[a],
		       probe ? "probe attached" : "no probe");

	if (!probe) {
		printf("%d passed, %d failed\n", passes, fails);
		return fails ? 1 : 0;
	}

	struct sample_tally stally = { 0 };
	if (samples)
		for (int got; (got = ks_probe_bpf_poll_samples(st, on_sample, &stally, 0)) > 0;)
			;
	struct ks_probe_snapshot s;
	if (ks_probe_bpf.snapshot(st, &s) < 0) {
		printf("FAIL: snapshot\n");
		ks_probe_bpf.stop(st);
		return 1;
	}
	char title[96];
	snprintf(title, sizeof(title), "%s (BPF) over the child's run(s):", plan.probe);
	ks_probe_print(stdout, &s, title);
	ks_probe_bpf.stop(st);
	ks_probe_bpf.stop(st);   /* idempotent */

	if (other) {
		CHECK(s.nkeys > 0 && s.lost == 0, "%s: %zu keys, events %" PRIu64 ", lost %" PRIu64,
		      plan.probe, s.nkeys, s.events, s.lost);
	} else if (!custom) {
		const struct ks_probe_key_stats *io = find_key(&s, "KVM_EXIT_IO");
		uint64_t n = io ? io->count : 0;
		uint64_t total = tot.pio_user + tot.ucalls;
		printf("uexits_check: probe: KVM_EXIT_IO spans %" PRIu64 ", events %" PRIu64
		       ", unpaired %" PRIu64 " (incl. spans still open), lost %" PRIu64 "\n",
		       n, s.events, s.unpaired, s.lost);
		printf("uexits_check: child: host_exits pio_user %" PRIu64 " + ucalls %" PRIu64
		       " = %" PRIu64 " KVM_EXIT_IO, kvm_run_calls %" PRIu64 ", eintr %" PRIu64
		       "; exit_checks io_exits observed %" PRIu64 " (measured phase only)\n",
		       tot.pio_user, tot.ucalls, total, tot.runs, tot.eintr, tot.io_measured);
		CHECK(n >= 800ULL * (uint64_t)runs, "KVM_EXIT_IO spans %" PRIu64 " >= %d", n,
		      800 * runs);
		CHECK(tot.have_tally, "the child's results have host_exits");
		/*
		 * Per child process, all on its one thread: host probing runs a scratch
		 * VM's identify guest first (1 KVM_RUN, 1 ucall = KVM_EXIT_IO, not in
		 * host_exits), then the benchmark vCPU (host_exits). The thread's first
		 * KVM_RUN closes nothing and its last exit (the final ucall) opens a
		 * span no KVM_RUN closes: spans = (total + 1) - 1 per run, and those
		 * two are the run's unpaired events.
		 */
		uint64_t seen = n + s.unpaired / 2;
		printf("uexits_check: KVM_EXIT_IO exits: probe %" PRIu64 " (%" PRIu64
		       " spans + %" PRIu64 " still open), child %" PRIu64 " (%" PRIu64
		       " benchmark + %d identify)\n", seen, n, s.unpaired / 2,
		       total + (uint64_t)runs, total, runs);
		CHECK(tot.have_tally && n == total && s.unpaired == 2ULL * (uint64_t)runs,
		      "KVM_EXIT_IO spans %" PRIu64 " == the child's %" PRIu64 " exits (+%d "
		      "identify, -%d final still open); unpaired %" PRIu64 " == 2 x %d",
		      n, total, runs, runs, s.unpaired, runs);
		CHECK(s.lost == 0, "nothing lost");
		for (int k = 0; samples && k < stally.nth; k++)
			printf("uexits_check: samples: pid %u tid %u: %" PRIu64
			       " spans over %.3f s\n", stally.th[k].tgid, stally.th[k].tid,
			       stally.th[k].n,
			       (double)(stally.th[k].last_ns - stally.th[k].first_ns) / 1e9);
		if (samples) {
			uint64_t spans = 0;
			for (size_t k = 0; k < s.nkeys; k++)
				spans += s.keys[k].count;
			CHECK(stally.n == spans && stally.bad == 0,
			      "samples: %" PRIu64 " for %" PRIu64 " spans (KVM_EXIT_IO %" PRIu64
			      ", implausible durations %" PRIu64 ")", stally.n, spans, stally.io,
			      stally.bad);
		}
	}
	ks_probe_snapshot_free(&s);
	printf("%d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}
