/* SPDX-License-Identifier: MIT */
/*
 * Memory lend / fault-in. For each region size the host lends the guest a
 * fresh memslot (anonymous memory, or guest_memfd) and the guest writes one
 * byte per 4 KiB page, timing the whole region: every touch is a stage-2
 * (or shadow) fault that KVM resolves by allocating and mapping a page; on
 * the KVM-on-Gunyah port the same touch donates the page to the guest.
 * The host times KVM_SET_USER_MEMORY_REGION for adding and deleting the slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benches.h"

#define LEND_SLOT 1
#define PAGE 4096ULL

/*
 * Region sizes, MiB. Small ones, repeated: the per-page cost does not depend
 * on the size, a repetition's cost does, and reaching a tight CI of the
 * median takes many repetitions (each a fresh memslot). The sizes still span
 * 16x for the memslot add/delete costs, which do grow with the size.
 */
static const uint64_t sizes_default[] = { 1, 4, 16 };
static const uint64_t sizes_quick[] = { 4, 16 };

static int expect_sync(struct ks_run *run, uint64_t code, struct ks_ucall *uc)
{
	struct ks_vcpu *v = &run->s.vcpu;

	if (ks_vcpu_run_to_ucall(v, uc) < 0) {
		snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
		return -1;
	}
	if (uc->cmd != KS_UC_SYNC || uc->args[0] != code) {
		ks_vcpu_bad_ucall(v, uc, code == KS_SYNC_REGION_PLEASE ? "SYNC(REGION_PLEASE)" :
								      "SYNC(REGION_DONE)");
		snprintf(run->c->err, sizeof(run->c->err), "%s", v->err);
		return -1;
	}
	return 0;
}

static void name_for(char *out, size_t len, const char *what, bool gmem, uint64_t mib)
{
	snprintf(out, len, "%s%s_%lluM", what, gmem ? "_gmem" : "", (unsigned long long)mib);
}

/* The benchmark's spec: what backs the lent memory. */
struct lend_backing {
	bool gmem;   /* guest_memfd, else anonymous memory */
};

/* One region size: a session of its own. */
struct lend {
	bool gmem;
	uint64_t mib, size, reps, warm;   /* reps: the first round, then all taken */
	size_t cap;                 /* the arrays' room */
	uint64_t *raw;              /* guest ticks per region */
	double *add_ns, *del_ns;    /* host-timed memslot add / delete */
	double *page_ns;            /* adaptive: ns per page so far */
};

/* Room for n measured regions in every array. */
static int grow(struct ks_run *run, struct lend *l, size_t n)
{
	if (n <= l->cap)
		return 0;
	uint64_t *raw = realloc(l->raw, n * sizeof(*raw));
	if (raw)
		l->raw = raw;
	double *a = realloc(l->add_ns, n * sizeof(*a));
	if (a)
		l->add_ns = a;
	double *d = realloc(l->del_ns, n * sizeof(*d));
	if (d)
		l->del_ns = d;
	double *p = realloc(l->page_ns, n * sizeof(*p));
	if (p)
		l->page_ns = p;
	if (!raw || !a || !d || !p) {
		snprintf(run->c->err, sizeof(run->c->err), "out of memory for %zu regions", n);
		return -1;
	}
	l->cap = n;
	return 0;
}

static int setup(struct ks_run *run, struct ks_result *r)
{
	struct lend *l = run->priv;
	struct ks_mailbox *mb = run->s.vm.mb;

	ks_result_param_num(r, "region_mib", (double)l->mib);
	ks_result_param_str(r, "backing", l->gmem ? "guest_memfd (mmap, shared)" :
						    "anonymous, MADV_NOHUGEPAGE");
	ks_result_param_num(r, "touch_stride", PAGE);
	if (l->size > run->s.vm.arch->layout->region_max) {
		snprintf(run->c->err, sizeof(run->c->err),
			 "region of %llu MiB exceeds the guest's lend window",
			 (unsigned long long)l->mib);
		return -1;
	}
	mb->region_size = l->size;
	mb->region_stride = PAGE;
	mb->region_count = l->warm + l->reps;
	return grow(run, l, l->reps);
}

/* After `taken` measured regions: how many more for the precision target.
 * The three results of a region share the rounds: each must get there. */
static int next_round(struct ks_run *run, struct lend *l, uint64_t taken, uint64_t elapsed,
		      uint64_t *more)
{
	const double *series[3] = { l->page_ns, l->add_ns, l->del_ns };
	const size_t ns[3] = { taken, taken, taken };

	*more = ks_precision_more(&run->prec, series, ns, 3, taken, elapsed);
	return *more ? grow(run, l, taken + *more) : 0;
}

/* Per region: lend it when the guest asks, time adding and deleting the slot. */
static int measure(struct ks_run *run, struct ks_result *r)
{
	struct lend *l = run->priv;
	struct ks_vm *vm = &run->s.vm;
	struct ks_ucall uc;
	const uint64_t pages = l->size / PAGE;
	uint64_t planned = l->warm + l->reps, t0 = 0, paused = 0;

	if (ks_run_watchdog(run, &run->s.vcpu) < 0)
		return -1;
	for (uint64_t i = 0; i < planned; i++) {
		struct ks_memslot *slot = &vm->slots[LEND_SLOT];

		if (i == l->warm) {
			ks_run_phase_begin(run, NULL, planned - l->warm, NULL);
			t0 = ks_now_ns();
		}
		if (i > l->warm)
			ks_progress_advance(run->c->progress, i - l->warm);
		if (expect_sync(run, KS_SYNC_REGION_PLEASE, &uc) < 0)
			return -1;
		*slot = (struct ks_memslot){ .slot = LEND_SLOT, .gpa = vm->arch->layout->region_gpa,
					     .size = l->size,
					     .backing = l->gmem ? KS_BACKING_GUEST_MEMFD :
								  KS_BACKING_ANON };
		if (ks_memslot_map(vm, slot) < 0) {
			snprintf(run->c->err, sizeof(run->c->err), "%s", vm->err);
			return -1;
		}
		uint64_t ta = ks_now_ns();
		int set = ks_vm_set_slot(vm, slot);
		uint64_t tb = ks_now_ns();
		if (set < 0) {
			snprintf(run->c->err, sizeof(run->c->err), "%s", vm->err);
			return -1;
		}
		if (expect_sync(run, KS_SYNC_REGION_DONE, &uc) < 0)
			return -1;
		uint64_t tc = ks_now_ns();
		int unset = ks_vm_unset_slot(vm, slot);
		uint64_t td = ks_now_ns();
		ks_memslot_unmap(slot);
		if (unset < 0) {
			snprintf(run->c->err, sizeof(run->c->err), "%s", vm->err);
			return -1;
		}
		if (i < l->warm)
			continue;
		uint64_t k = i - l->warm;
		l->raw[k] = uc.args[1];
		l->page_ns[k] = ks_ticks_to_ns(uc.args[1], run->hz) / (double)pages;
		l->add_ns[k] = (double)(tb - ta);
		l->del_ns[k] = (double)(td - tc);
		if (i + 1 < planned)
			continue;
		/* the guest waits in its REGION_DONE: it reads region_count on return */
		uint64_t ts = ks_now_ns(), more;
		if (next_round(run, l, k + 1, ts - t0 - paused, &more) < 0)
			return -1;
		planned += more;
		run->s.vm.mb->region_count = planned;
		ks_progress_total(run->c->progress, planned - l->warm);
		paused += ks_now_ns() - ts;
	}
	l->reps = planned - l->warm;
	/* the memslot_add/delete results share this phase (ks_perf_benchmark_end) */
	ks_run_phase_end(run, 0);
	return ks_run_expect(run, &run->s.vcpu, KS_UC_DONE, "DONE");
}

static int record(struct ks_run *run, struct ks_result *r)
{
	struct lend *l = run->priv;
	char n_add[KS_NAME_LEN], n_del[KS_NAME_LEN];
	const uint64_t pages = l->size / PAGE;

	ks_result_param_num(r, "repetitions", (double)l->reps);
	if (ks_run_take_ticks(run, r, l->raw, l->reps, pages) < 0) {
		l->raw = NULL;   /* the result owns it */
		return -1;
	}
	l->raw = NULL;
	if (r->has_summary) {
		ks_result_metric(r, "throughput_median", "GiB/s",
				 ks_gib_per_s(l->size, r->summary.median * (double)pages));
		ks_result_metric(r, "throughput_best", "GiB/s",
				 ks_gib_per_s(l->size, r->summary.min * (double)pages));
	}
	name_for(n_add, sizeof(n_add), "memslot_add", l->gmem, l->mib);
	name_for(n_del, sizeof(n_del), "memslot_delete", l->gmem, l->mib);
	struct ks_result *ra = ks_run_add_result(run, n_add, "ns",
		"KVM_SET_USER_MEMORY_REGION%s adding a %llu MiB slot (host-timed)",
		l->gmem ? "2" : "", (unsigned long long)l->mib);
	if (ra) {
		ks_result_param_num(ra, "region_mib", (double)l->mib);
		ks_result_set_samples(ra, l->add_ns, l->reps);
		l->add_ns = NULL;
	}
	struct ks_result *rd = ks_run_add_result(run, n_del, "ns",
		"deleting the %llu MiB slot after the guest touched it all (host-timed)",
		(unsigned long long)l->mib);
	if (rd) {
		ks_result_param_num(rd, "region_mib", (double)l->mib);
		ks_result_set_samples(rd, l->del_ns, l->reps);
		l->del_ns = NULL;
	}
	return 0;
}

static void teardown(struct ks_run *run)
{
	struct lend *l = run->priv;

	free(l->raw);
	free(l->add_ns);
	free(l->del_ns);
	free(l->page_ns);
}

static int run_size(const struct ks_bench *b, struct ks_ctx *c, bool gmem, uint64_t mib,
		    double time_share)
{
	char name[KS_NAME_LEN];
	/* sampling to a target, a first round just big enough for a CI: the
	 * rounds after it fit the time left (a 16 MiB repetition can take 0.5 s) */
	struct lend l = { .gmem = gmem, .mib = mib, .size = mib << 20, .warm = 1,
			  .reps = c->opts->precision > 0 ? 6 : ks_default_batches(c, 10, 3) };
	const struct ks_run_desc d = {
		.name = name, .unit = "ns/page",
		.setup = setup, .measure = measure, .record = record, .teardown = teardown,
		.priv = &l, .time_share = time_share,   /* the sizes share the benchmark's cap */
	};

	name_for(name, sizeof(name), "mem_lend", gmem, mib);
	return ks_run(b, c, &d);
}

static int run_mem_lend(const struct ks_bench *b, struct ks_ctx *c)
{
	bool gmem = ((const struct lend_backing *)b->spec)->gmem;
	const uint64_t *sizes = c->opts->quick ? sizes_quick : sizes_default;
	size_t n = c->opts->quick ? sizeof(sizes_quick) / sizeof(sizes_quick[0]) :
				    sizeof(sizes_default) / sizeof(sizes_default[0]);
	int rc = 0;
	uint64_t t0 = ks_now_ns();

	/* the sizes share the benchmark's --max-time */
	for (size_t i = 0; i < n && !ks_interrupted; i++)
		if (run_size(b, c, gmem, sizes[i], ks_run_time_share(c, t0, i, n)) < 0)
			rc = -1;
	return rc;
}

/* Slots are added while the guest runs: not where memory goes only up front. */
static bool avail_anon(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	return ks_avail_kvm(b, h, why, len) && ks_avail_memory_after_start(h, why, len);
}

static bool avail_gmem(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!avail_anon(b, h, why, len) ||
	    !ks_avail_cap(h, KVM_CAP_USER_MEMORY2, "KVM_CAP_USER_MEMORY2", why, len) ||
	    !ks_avail_cap(h, KVM_CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD", why, len))
		return false;
	uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	if (h->vm_caps_guest_memfd_flags < 0 ||
	    ((uint64_t)h->vm_caps_guest_memfd_flags & want) != want) {
		snprintf(why, len, "guest_memfd here cannot be mapped by the host "
			 "(KVM_CAP_GUEST_MEMFD_FLAGS = %ld, need MMAP|INIT_SHARED, Linux 6.18+)",
			 h->vm_caps_guest_memfd_flags);
		return false;
	}
	return true;
}

static const struct lend_backing anon = { .gmem = false }, gmem = { .gmem = true };

KS_BENCH(mem_lend,
	.name = "mem_lend", .family = "memory", .order = 600, .in_default = true,
	.what = "guest first-touch of fresh anonymous memory, one write per 4 KiB page",
	.routine = "mem_touch", .available = avail_anon, .run = run_mem_lend, .spec = &anon);

KS_BENCH(mem_lend_gmem,
	.name = "mem_lend_gmem", .family = "memory", .order = 610, .in_default = true,
	.what = "guest first-touch of fresh guest_memfd memory, one write per 4 KiB page",
	.routine = "mem_touch", .available = avail_gmem, .run = run_mem_lend, .spec = &gmem);
