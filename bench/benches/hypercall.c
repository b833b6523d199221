/* SPDX-License-Identifier: MIT */
/*
 * Hypercall cost: the backend's cheapest guest->hypervisor call, with a
 * number nobody implements so that only the round trip is measured.
 *   VMX: VMCALL, SVM: VMMCALL (KVM answers -KVM_ENOSYS = -1000);
 *   PVM: int $0x1b (answers -ENOSYS = -38). Never VMCALL on PVM: it livelocks.
 * The guest records what the call returned; a surprise is reported.
 */
#include <stdio.h>

#include "benches.h"
#include "ks_layout.h"

static int setup(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	struct ks_mailbox *mb = s->vm.mb;

	switch (s->vm.guest_backend) {
	case KS_GB_X86_PVM:
		mb->hypercall_nr = KS_PVM_HC_NOP_PROBE;
		ks_result_param_str(r, "instruction", "int $0x1b (PVM)");
		break;
	case KS_GB_X86_VMX:
		mb->hypercall_nr = KS_KVM_HC_NOP_PROBE;
		ks_result_param_str(r, "instruction", "vmcall");
		break;
	case KS_GB_X86_SVM:
		mb->hypercall_nr = KS_KVM_HC_NOP_PROBE;
		ks_result_param_str(r, "instruction", "vmmcall");
		break;
	default:
		snprintf(c->err, sizeof(c->err), "no hypercall known for this backend");
		return -1;
	}
	ks_result_param_num(r, "hypercall_nr", (double)mb->hypercall_nr);
	return 0;
}

static int after(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	int64_t got = (int64_t)s->vm.mb->hypercall_ret;
	int64_t want = s->vm.guest_backend == KS_GB_X86_PVM ? -38 : -1000;

	ks_result_param_num(r, "hypercall_ret", (double)got);
	if (got != want)
		ks_result_param_str(r, "note", "unexpected hypercall return value");
	return 0;
}

static const struct ks_batch_spec spec = {
	.gbench = KS_G_HYPERCALL, .batch_size = 32, .batch_size_quick = 32,
	.batches = 1000, .batches_quick = 100, .setup = setup, .after = after,
	.expect = { { STAT(stat_hypercalls), 1 }, { STAT(stat_all_exits), 1 } },
};

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_x86(b, h, why, len))
		return false;
	if (h->backend.guest_backend == KS_GB_UNKNOWN) {
		snprintf(why, len, "backend unknown (%s): no safe hypercall instruction to use",
			 h->backend.detail);
		return false;
	}
	return true;
}

const struct ks_bench ks_bench_hyp_call = {
	.name = "hyp_call", .family = "hypercall", .in_default = true,
	.what = "no-op hypercall round trip (VMCALL / VMMCALL / PVM int $0x1b)",
	.available = avail, .run = ks_run_batch, .spec = &spec,
};
