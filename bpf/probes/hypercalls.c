/* SPDX-License-Identifier: MIT */
/*
 * hypercalls: from a hypercall's kvm:kvm_exit to the same thread's next
 * kvm:kvm_entry — the time KVM spends handling it — keyed by the number an
 * event fired while handling it gives: x86 kvm_exit(VMCALL/VMMCALL), the
 * number from kvm:kvm_hypercall; arm64 kvm_exit(HVC64/SMC64), the SMCCC
 * function ID from kvm:kvm_hvc_arm64. A hypercall no event numbered keeps
 * its exit's key, "<exit> (no number)". kvm_pvm (no kvm_exit/kvm_entry, no
 * hypercall event): PVM's hypercall handler pvm_handle_hypercall, entry ->
 * return, keyed by the guest's rax (fentry/fexit, where the kernel has the
 * function under its own name and allows fentry). With
 * ks_probe_host.functions, SVM/VMX plan their exit handler for
 * VMMCALL/VMCALL exits the same way (validated in the x86 testbed against
 * the tracepoint plan, tests/probe-funcs).
 *
 * The BPF program: hypercalls.bpf.c. Keys: ks_probe_shared.h (KS_HC_NR, and
 * exits' KS_EXIT_* for the unnumbered).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "probe_desc.h"

static void plan_hypercalls(struct ks_disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_PVM) {
		/* kvm_exit/kvm_entry never fire, PVM's hypercalls (int $0x1b) emit no
		 * event and kvm:kvm_hypercall covers only KVM_HC_*: PVM's handler */
		const char *fn = "pvm_handle_hypercall";
		char why[200];
		const char *home;
		if (!ks_disc_fentry_ok(d, fn, &home, why, sizeof(why))) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry never fire and PVM's "
				    "hypercalls emit no event, and %s", why);
			return;
		}
		ks_plan_set(p, true, "fentry:pvm_handle_hypercall", "fexit:pvm_handle_hypercall");
		ks_plan_why(p, "kvm_pvm (no kvm_exit/kvm_entry, no hypercall event): PVM's hypercall "
			    "handler, entry -> return (BTF: %s; BPF only); key: the number in the "
			    "guest's rax", home);
		return;
	}
	if (d->functions && (d->be == KS_KVM_SVM || d->be == KS_KVM_VMX)) {
		bool svm = d->be == KS_KVM_SVM;
		const char *fn = svm ? "svm_handle_exit" : "vmx_handle_exit";
		char why[200], s[96], e[96];
		const char *home;
		if (!ks_disc_fentry_ok(d, fn, &home, why, sizeof(why))) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "asked for the functions, and %s", why);
			return;
		}
		snprintf(s, sizeof(s), "fentry:%s", fn);
		snprintf(e, sizeof(e), "fexit:%s", fn);
		ks_plan_set(p, true, s, e);
		ks_plan_why(p, "asked for the functions: %s entry -> return for %s exits (BTF: %s; "
			    "BPF only); key: the number in the guest's rax", fn,
			    svm ? "VMMCALL" : "VMCALL", home);
		return;
	}
	if (d->be == KS_KVM_GUNYAH) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "KVM-on-Gunyah: guest HVCs (PSCI, SMCCC) are handled inside Gunyah "
			    "and never reach KVM");
		return;
	}
	if (ks_disc_no_kvm(d, p))
		return;
	bool ex = ks_disc_has_event(d, "kvm", "kvm_exit");
	bool en = ks_disc_has_event(d, "kvm", "kvm_entry");
	if (d->be == KS_KVM_ARM64) {
		bool hvc = ks_disc_has_event(d, "kvm", "kvm_hvc_arm64");
		if (!ex || !en || !hvc) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "missing kvm:%s",
				    !ex ? "kvm_exit" : !en ? "kvm_entry" : "kvm_hvc_arm64");
			return;
		}
		ks_plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		ks_plan_why(p, "arm64: kvm_exit with esr_ec HVC64 (0x16) or SMC64 (0x17) -> next "
			    "kvm_entry on the same thread; key: SMCCC function ID (r0) from "
			    "kvm:kvm_hvc_arm64");
		return;
	}
	if (ks_disc_x86(d) || d->be == KS_KVM_UNKNOWN) {
		if (!ex || !en) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "missing kvm:%s", !ex ? "kvm_exit" : "kvm_entry");
			return;
		}
		bool nr = ks_disc_has_event(d, "kvm", "kvm_hypercall");
		ks_plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		ks_plan_why(p, "x86: kvm_exit with reason VMCALL (VMX 18) or VMMCALL (SVM 0x81) -> "
			    "next kvm_entry on the same thread; key: %s",
			    nr ? "hypercall number (nr) from kvm:kvm_hypercall (KVM_HC_*)"
			       : "exit reason (no kvm:kvm_hypercall event for the number)");
		return;
	}
	ks_plan_set(p, false, NULL, NULL);
	ks_plan_why(p, "unknown KVM backend");
}

/* the number in hex, as SMCCC and KVM_HC_* are written */
static void key_name(uint64_t key, char *buf, size_t len)
{
	char base[KS_PROBE_KEY_LEN];

	if (key & KS_HC_NR) {
		snprintf(buf, len, "0x%" PRIx64, (uint64_t)(key & KS_HC_NR_MASK));
		return;
	}
	ks_exit_key_name(key, base, sizeof(base));
	snprintf(buf, len, "%.*s (no number)", KS_PROBE_KEY_LEN - 13, base);
}

KS_BPF_SKELETON(hypercalls);

/* ---- tracefs: hypercalls.bpf.c's rules, in userspace. Most entries follow
 * no hypercall: they are no anomaly (nor an event). */

enum { HC_EXIT, HC_ENTRY, HC_HVC, HC_HYPERCALL };
enum { F_REASON = 1, F_ISA = 2, F_ESR = 4, F_RET = 8 };   /* kvm_exit's fields, below */

static const struct ks_tf_event tf_events[] = {
	[HC_EXIT] = { .from = KS_TF_START, .fields = { "exit_reason", "isa", "esr_ec", "ret" } },
	[HC_ENTRY] = { .from = KS_TF_END },
	/* the number (without it: keyed by the exit) */
	[HC_HVC] = { .sys = "kvm", .name = "kvm_hvc_arm64", .optional = true,
		     .fields = { "r0" }, .need = 1 },
	[HC_HYPERCALL] = { .sys = "kvm", .name = "kvm_hypercall", .optional = true,
			   .fields = { "nr" }, .need = 1 },
};

struct hypercalls_tf {
	bool arm64;   /* kvm_exit has esr_ec */
};

static int tf_resolve(struct ks_tf *t, char *err, size_t errlen)
{
	struct hypercalls_tf *h = t->priv;
	struct ks_tf_ev *e = &t->ev[HC_EXIT];

	h->arm64 = e->fields & F_ESR;
	if (!(e->fields & (F_REASON | F_ESR))) {
		snprintf(err, errlen, "%s:%s has neither exit_reason nor esr_ec", e->sys, e->name);
		return -ENOENT;
	}
	t->ev[h->arm64 ? HC_HYPERCALL : HC_HVC].on = false;   /* the other arch's number */
	/* only the hypercalls' exits in the buffer; checked again when decoding */
	snprintf(e->filter, sizeof(e->filter), "%s",
		 h->arm64 ? "esr_ec == 0x16 || esr_ec == 0x17"
			  : "exit_reason == 18 || exit_reason == 0x81");
	return 0;
}

/* A hypercall's kvm_exit: its key as hypercalls.bpf.c encodes it; false: another exit */
static bool hypercall_exit(const struct ks_tf *t, const struct ks_tf_rec *r, uint64_t *key)
{
	const struct hypercalls_tf *h = t->priv;

	if (h->arm64) {
		uint64_t ret = (r->have & F_RET) ? r->v[3] : KS_ARM_EXCEPTION_TRAP;
		uint64_t ec = r->v[2] & 0xff;
		if (!(r->have & F_ESR) || (ret & 0x7fffffff) != KS_ARM_EXCEPTION_TRAP ||
		    (ec != KS_ESR_EC_HVC64 && ec != KS_ESR_EC_SMC64))
			return false;
		*key = KS_EXIT_ARM64 | (ret & 0xff) << 8 | ec;
		return true;
	}
	if (!(r->have & F_REASON))
		return false;
	uint64_t v = r->v[0], isa = (r->have & F_ISA) ? r->v[1] : 0;
	/* no isa field: 18 is no SVM exit KVM takes, 0x81 no VMX one */
	if (!((v == KS_VMX_EXIT_VMCALL && isa != KS_X86_ISA_SVM) ||
	      (v == KS_SVM_EXIT_VMMCALL && isa != KS_X86_ISA_VMX)))
		return false;
	if (!isa)
		isa = v == KS_VMX_EXIT_VMCALL ? KS_X86_ISA_VMX : KS_X86_ISA_SVM;
	*key = (isa & 0xffff) << 32 | (uint32_t)v;
	return true;
}

static void tf_decode(struct ks_tf *t, int ev, const struct ks_tf_rec *r)
{
	const struct hypercalls_tf *h = t->priv;
	struct ks_tf_thread *th;
	uint64_t key;

	if (ev == HC_EXIT) {
		if (!hypercall_exit(t, r, &key) || !(th = ks_tf_thread(t, r->tid)))
			return;
		t->acc.events++;
		ks_tf_open(t, th, r->ts, key);
	} else if (ev == HC_ENTRY) {
		if ((th = ks_tf_thread(t, r->tid)))
			ks_tf_close(t, th, r->ts);
	} else if ((r->have & 1) && (th = ks_tf_thread(t, r->tid)) && th->pending &&
		   !(th->key & KS_HC_NR)) {
		t->acc.events++;
		uint64_t nr = h->arm64 ? r->v[0] & 0xffffffffu : r->v[0];   /* SMCCC: w0 */
		th->key = KS_HC_NR | (nr & KS_HC_NR_MASK);
	}
}

const struct ks_probe_desc ks_probe_hypercalls = {
	.name = "hypercalls",
	.plan = plan_hypercalls,
	.key_name = key_name,
	.bpf = KS_BPF_SKEL(hypercalls),
	.tf = { KS_TF_EVENTS(tf_events), .priv_size = sizeof(struct hypercalls_tf),
		.resolve = tf_resolve, .decode = tf_decode },
};
