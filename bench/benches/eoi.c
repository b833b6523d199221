/* SPDX-License-Identifier: MIT */
/*
 * eoi_spurious: the operation kvm-unit-tests' arm/micro-bench calls "eoi"
 * (eoi_exec): an EOI write of the spurious INTID 1023, which the GICv3 CPU
 * interface ignores, so nothing traps: ICC_EOIR1_EL1 <- 1023; isb, timed in
 * batches like every batch benchmark. It is there to be set against
 * kvm-unit-tests. kvmscope's own `eoi` (from the irqfd benchmark) is another
 * operation: the EOI of the real, active interrupt inside its handler, one
 * per sample, in a window opened and closed by counter reads (in the arm64
 * testbed 288-320 ns against 58-60 ns for this one; results/README.md).
 * Arches without the routine (x86: no such register) list it unavailable.
 */
#include <stdio.h>

#include "benches.h"

static int setup(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	ks_result_param_str(r, "mechanism",
			    "ICC_EOIR1_EL1 write of INTID 1023 (ignored, no trap), then isb");
	return 0;
}

static const struct ks_batch_spec spec = {
	.need_irqchip = true,
	.batch_size = 32, .batch_size_quick = 32,
	.batches = 1000, .batches_quick = 100, .setup = setup,
	.expect = { { STAT(stat_all_exits), 0 } },
};

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_guest_gic(b, h, why, len))
		return false;
	if (h->facts.backend.limits.no_spurious_eoi) {
		snprintf(why, len, "not supported on this backend: its GIC emulation does not survive "
			 "an EOI of the spurious INTID 1023 (Gunyah: \"Assert failed in "
			 "vgic_icc_irq_deactivate ... dstate != NULL\", the hypervisor stops)");
		return false;
	}
	return true;
}

KS_BENCH(eoi_spurious,
	.name = "eoi_spurious", .family = "irq", .order = 560, .in_default = true,
	.what = "EOI write of the spurious INTID 1023 (kvm-unit-tests micro-bench's eoi)",
	.routine = "eoi_spurious", .available = avail, .run = ks_run_batch,
	.spec = &spec);
