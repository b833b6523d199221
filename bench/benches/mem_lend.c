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

static const uint64_t sizes_default[] = { 16, 64, 256 };
static const uint64_t sizes_quick[] = { 16, 64 };

static int expect_sync(struct ks_ctx *c, struct ks_vcpu *v, uint64_t code, struct ks_ucall *uc)
{
	if (ks_vcpu_run_to_ucall(v, uc) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", v->err);
		return -1;
	}
	if (uc->cmd != KS_UC_SYNC || uc->args[0] != code) {
		ks_vcpu_bad_ucall(v, uc, code == KS_SYNC_REGION_PLEASE ? "SYNC(REGION_PLEASE)" :
								      "SYNC(REGION_DONE)");
		snprintf(c->err, sizeof(c->err), "%s", v->err);
		return -1;
	}
	return 0;
}

static void name_for(char *out, size_t len, const char *what, bool gmem, uint64_t mib)
{
	snprintf(out, len, "%s%s_%lluM", what, gmem ? "_gmem" : "", (unsigned long long)mib);
}

static int run_size(const struct ks_bench *b, struct ks_ctx *c, bool gmem, uint64_t mib)
{
	char n_lend[KS_NAME_LEN], n_add[KS_NAME_LEN], n_del[KS_NAME_LEN];
	uint64_t reps = ks_default_batches(c, 10, 3), warm = 1, size = mib << 20;
	enum ks_backing backing = gmem ? KS_BACKING_GUEST_MEMFD : KS_BACKING_ANON;
	struct ks_session s;
	struct ks_ucall uc;
	int rc = -1;

	name_for(n_lend, sizeof(n_lend), "mem_lend", gmem, mib);
	name_for(n_add, sizeof(n_add), "memslot_add", gmem, mib);
	name_for(n_del, sizeof(n_del), "memslot_delete", gmem, mib);
	struct ks_result *r = ks_result_add(c->res, n_lend, b->family, "ns/page");
	if (!r)
		return -1;
	snprintf(r->what, sizeof(r->what), "%s", b->what);
	ks_result_param_num(r, "region_mib", (double)mib);
	ks_result_param_num(r, "repetitions", (double)reps);
	ks_result_param_str(r, "backing", gmem ? "guest_memfd (mmap, shared)" :
						 "anonymous, MADV_NOHUGEPAGE");
	ks_result_param_num(r, "touch_stride", PAGE);
	if (ks_session_open(c, &s, KS_G_MEM_TOUCH, false) < 0) {
		ks_result_fail(r, "failed", "%s", c->err);
		return -1;
	}
	struct ks_mailbox *mb = s.vm.mb;
	if (size > s.vm.arch->layout->region_max) {
		ks_result_fail(r, "failed", "region of %llu MiB exceeds the guest's lend window",
			       (unsigned long long)mib);
		goto out;
	}
	mb->region_size = size;
	mb->region_stride = PAGE;
	mb->region_count = warm + reps;

	double *add_ns = calloc(reps, sizeof(double)), *del_ns = calloc(reps, sizeof(double));
	double *per_page = calloc(reps, sizeof(double));
	uint64_t *raw = calloc(reps, sizeof(uint64_t));
	if (!add_ns || !del_ns || !per_page || !raw) {
		free(add_ns), free(del_ns), free(per_page), free(raw);
		ks_result_fail(r, "failed", "out of memory");
		goto out;
	}
	uint64_t hz = s.vm.arch->guest_tick_hz(&s.vcpu);
	if (!hz)
		hz = c->host->guest_tick_hz;
	if (ks_vcpu_watchdog_arm(&s.vcpu, c->opts->watchdog_s) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s.vcpu.err);
		goto fail_free;
	}
	for (uint64_t i = 0; i < warm + reps; i++) {
		struct ks_memslot *slot = &s.vm.slots[LEND_SLOT];

		if (i == warm) {
			ks_perf_phase_begin(c);
			ks_progress_phase(c->progress, reps, NULL);
		}
		if (i > warm)
			ks_progress_advance(c->progress, i - warm);
		if (expect_sync(c, &s.vcpu, KS_SYNC_REGION_PLEASE, &uc) < 0)
			goto fail_free;
		*slot = (struct ks_memslot){ .slot = LEND_SLOT, .gpa = s.vm.arch->layout->region_gpa,
					     .size = size, .backing = backing };
		if (ks_memslot_map(&s.vm, slot) < 0) {
			snprintf(c->err, sizeof(c->err), "%s", s.vm.err);
			goto fail_free;
		}
		uint64_t t0 = ks_now_ns();
		int set = ks_vm_set_slot(&s.vm, slot);
		uint64_t t1 = ks_now_ns();
		if (set < 0) {
			snprintf(c->err, sizeof(c->err), "%s", s.vm.err);
			goto fail_free;
		}
		if (expect_sync(c, &s.vcpu, KS_SYNC_REGION_DONE, &uc) < 0)
			goto fail_free;
		uint64_t t2 = ks_now_ns();
		int unset = ks_vm_unset_slot(&s.vm, slot);
		uint64_t t3 = ks_now_ns();
		ks_memslot_unmap(slot);
		if (unset < 0) {
			snprintf(c->err, sizeof(c->err), "%s", s.vm.err);
			goto fail_free;
		}
		if (i < warm)
			continue;
		uint64_t k = i - warm;
		raw[k] = uc.args[1];
		per_page[k] = ks_ticks_to_ns(uc.args[1], hz) / (double)(size / PAGE);
		add_ns[k] = (double)(t1 - t0);
		del_ns[k] = (double)(t3 - t2);
	}
	/* the memslot_add/delete results share this phase (ks_perf_benchmark_end) */
	ks_perf_phase_end(c, r);
	if (ks_vcpu_run_to_ucall(&s.vcpu, &uc) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s.vcpu.err);
		goto fail_free;
	}
	if (uc.cmd != KS_UC_DONE) {
		ks_vcpu_bad_ucall(&s.vcpu, &uc, "DONE");
		snprintf(c->err, sizeof(c->err), "%s", s.vcpu.err);
		goto fail_free;
	}
	ks_vcpu_watchdog_disarm(&s.vcpu);
	r->raw_ticks = raw;
	r->nraw = reps;
	r->tick_hz = hz;
	r->ops_per_raw = size / PAGE;
	ks_result_set_samples(r, per_page, reps);
	if (r->has_summary) {
		ks_result_metric(r, "throughput_median", "GiB/s",
				 ks_gib_per_s(size, r->summary.median * (double)(size / PAGE)));
		ks_result_metric(r, "throughput_best", "GiB/s",
				 ks_gib_per_s(size, r->summary.min * (double)(size / PAGE)));
	}
	struct ks_result *ra = ks_result_add(c->res, n_add, b->family, "ns");
	if (ra) {
		snprintf(ra->what, sizeof(ra->what),
			 "KVM_SET_USER_MEMORY_REGION%s adding a %llu MiB slot (host-timed)",
			 gmem ? "2" : "", (unsigned long long)mib);
		ks_result_param_num(ra, "region_mib", (double)mib);
		ks_result_set_samples(ra, add_ns, reps);
	} else {
		free(add_ns);
	}
	struct ks_result *rd = ks_result_add(c->res, n_del, b->family, "ns");
	if (rd) {
		snprintf(rd->what, sizeof(rd->what),
			 "deleting the %llu MiB slot after the guest touched it all (host-timed)",
			 (unsigned long long)mib);
		ks_result_param_num(rd, "region_mib", (double)mib);
		ks_result_set_samples(rd, del_ns, reps);
	} else {
		free(del_ns);
	}
	rc = 0;
	goto out;
fail_free:
	free(add_ns), free(del_ns), free(per_page), free(raw);
	ks_result_fail(r, ks_interrupted ? "interrupted" : "failed", "%s", c->err);
out:
	ks_session_close(&s);
	return rc;
}

static int run_mem_lend(const struct ks_bench *b, struct ks_ctx *c)
{
	bool gmem = b->spec != NULL;
	const uint64_t *sizes = c->opts->quick ? sizes_quick : sizes_default;
	size_t n = c->opts->quick ? sizeof(sizes_quick) / sizeof(sizes_quick[0]) :
				    sizeof(sizes_default) / sizeof(sizes_default[0]);
	int rc = 0;

	for (size_t i = 0; i < n && !ks_interrupted; i++)
		if (run_size(b, c, gmem, sizes[i]) < 0)
			rc = -1;
	return rc;
}

static bool avail_gmem(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len) ||
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

static const int gmem_marker = 1;

const struct ks_bench ks_bench_mem_lend = {
	.name = "mem_lend", .family = "memory", .in_default = true,
	.what = "guest first-touch of fresh anonymous memory, one write per 4 KiB page",
	.available = ks_avail_kvm, .run = run_mem_lend, .spec = NULL,
};
const struct ks_bench ks_bench_mem_lend_gmem = {
	.name = "mem_lend_gmem", .family = "memory", .in_default = true,
	.what = "guest first-touch of fresh guest_memfd memory, one write per 4 KiB page",
	.available = avail_gmem, .run = run_mem_lend, .spec = &gmem_marker,
};
