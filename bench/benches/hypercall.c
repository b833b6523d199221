/* SPDX-License-Identifier: MIT */
/*
 * Hypercall cost: the backend's cheapest guest->hypervisor call.
 *   x86, a number nobody implements, so only the round trip is measured:
 *     VMX: VMCALL, SVM: VMMCALL (KVM answers -KVM_ENOSYS = -1000);
 *     PVM: int $0x1b (answers -ENOSYS = -38). Never VMCALL on PVM: it livelocks.
 *   arm64: HVC #0 with SMCCC_VERSION, answered in-kernel by KVM — and by
 *     Gunyah itself on the KVM-on-Gunyah port (it never reaches KVM there).
 * The guest records what the call returned; a value the arch does not
 * expect (ks_arch_ops.hypercall_ret_ok) is reported.
 */
#include <stdio.h>

#include "benches.h"

static int setup(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	struct ks_mailbox *mb = s->vm.mb;

	const char *insn = NULL;
	mb->hypercall_nr = s->vm.arch->hypercall(s->vm.guest_backend, &insn);
	if (!insn) {
		snprintf(c->err, sizeof(c->err), "no hypercall known for this backend");
		return -1;
	}
	ks_result_param_str(r, "instruction", insn);
	ks_result_param_num(r, "hypercall_nr", (double)mb->hypercall_nr);
	return 0;
}

/* What the guest's first call returned, against what the arch says it should. */
static int after(struct ks_ctx *c, struct ks_session *s, struct ks_result *r)
{
	int64_t got = (int64_t)s->vm.mb->hypercall_ret;

	ks_result_param_num(r, "hypercall_ret", (double)got);
	if (!s->vm.arch->hypercall_ret_ok(s->vm.guest_backend, got))
		ks_result_param_str(r, "note", "unexpected hypercall return value");
	return 0;
}

static const struct ks_batch_spec spec = {
	.batch_size = 32, .batch_size_quick = 32,
	.batches = 1000, .batches_quick = 100, .setup = setup, .after = after,
	.expect = { { STAT(stat_hypercalls), 1 }, { STAT(stat_all_exits), 1 } },
};

static bool avail(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len)
{
	if (!ks_avail_kvm(b, h, why, len))
		return false;
	if (h->facts.backend.guest_backend == KS_GB_UNKNOWN) {
		snprintf(why, len, "backend unknown (%s): no safe hypercall instruction to use",
			 h->facts.backend.detail);
		return false;
	}
	return true;
}

KS_BENCH(hyp_call,
	.name = "hyp_call", .family = "hypercall", .order = 400, .in_default = true,
	.what = "no-op hypercall round trip (VMCALL / VMMCALL / PVM int $0x1b)",
	.routine = "hypercall", .available = avail, .run = ks_run_batch, .spec = &spec);
