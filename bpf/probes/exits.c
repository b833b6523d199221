/* SPDX-License-Identifier: MIT */
/*
 * exits: from kvm:kvm_exit to the same thread's next kvm:kvm_entry — the
 * time KVM spends handling an exit (the handling cost, NOT perf kvm stat's
 * arm64 entry->exit pairing, which measures guest run time), keyed by exit
 * reason: x86 VMX/SVM exit reasons, arm64 exception classes of traps. An
 * exit that went out to the VMM on the way (kvm:kvm_userspace_exit in
 * between) is keyed "<reason>+user".
 *
 * Where kvm_exit/kvm_entry never fire (kvm_pvm) or do not exist
 * (KVM-on-Gunyah), the backend's own functions, found through BTF and
 * attached with fentry/fexit (BPF backend; the kernel must allow them — a
 * kernel under lockdown refuses, and the plan then says so):
 *   kvm_pvm    pvm_handle_exit, entry -> return: the exit handler alone (a
 *              part of what kvm_exit -> kvm_entry spans elsewhere), one
 *              span per exit it handles; key: PVM's exit_reason ("pvm:N"),
 *              "+user" when the handler returns 0 (the exit goes to the VMM)
 *   Gunyah     gunyah_hypercall_vcpu_run, return -> next call: from Gunyah
 *              handing the vCPU back to the host to the host running it
 *              again (kvm_exit -> kvm_entry's counterpart); key: the
 *              hypercall's vcpu state ("gunyah VMMIO_WRITE", ...)
 *   SVM/VMX    svm_handle_exit / vmx_handle_exit, as for PVM — planned only
 *              when asked (ks_probe_host.functions): the x86 testbed runs it
 *              next to the tracepoint plan on the same VM and requires equal
 *              counts per key (tests/probe-funcs), which validates the
 *              function plans' pairing and keys where it can be checked.
 *
 * The BPF program: exits.bpf.c. Keys: ks_probe_shared.h (KS_EXIT_*).
 */
#include <errno.h>
#include <stdio.h>

#include "probe_desc.h"

/* The backend's own exit handler, entry -> return (fentry/fexit): where
 * kvm_exit/kvm_entry never fire, and to check those plans against it. */
static void plan_handler(struct ks_disc *d, struct ks_probe_plan *p, const char *fn,
			 const char *lead, const char *key)
{
	char why[200], s[96], e[96];
	const char *home;

	if (!ks_disc_fentry_ok(d, fn, &home, why, sizeof(why))) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "%s, and %s", lead, why);
		return;
	}
	snprintf(s, sizeof(s), "fentry:%s", fn);
	snprintf(e, sizeof(e), "fexit:%s", fn);
	ks_plan_set(p, true, s, e);
	ks_plan_why(p, "%s: %s entry -> return instead (BTF: %s; BPF only): the handler "
		    "alone, one span per exit off the fast path; key: %s, '+user' if it goes "
		    "to the VMM", lead, fn, home, key);
}

static void plan_exits(struct ks_disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_PVM) {
		/* the events are there, they just never fire: PVM's exit handler */
		plan_handler(d, p, "pvm_handle_exit",
			     "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry exist but never fire under PVM",
			     "PVM's exit_reason");
		return;
	}
	if (d->be == KS_KVM_GUNYAH) {
		/* guest traps are handled inside Gunyah at EL2; what reaches KVM comes
		 * back from the vcpu_run hypercall (WFI, MMIO, page faults, preemption) */
		const char *fn = "gunyah_hypercall_vcpu_run";
		char why[200];
		const char *home;
		if (!ks_disc_fentry_ok(d, fn, &home, why, sizeof(why))) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "KVM-on-Gunyah: no kvm:kvm_exit/kvm:kvm_entry events, and %s",
				    why);
			return;
		}
		ks_plan_set(p, true, "fexit:gunyah_hypercall_vcpu_run",
			    "fentry:gunyah_hypercall_vcpu_run");
		ks_plan_why(p, "KVM-on-Gunyah (no kvm_exit/kvm_entry): from the vcpu_run hypercall's "
			    "return to the next call on the same thread (BTF: %s; BPF only); key: "
			    "its vcpu state (MMIO, page fault, WFI, ...), '+user' via the VMM", home);
		return;
	}
	if (d->functions && (d->be == KS_KVM_SVM || d->be == KS_KVM_VMX)) {
		bool svm = d->be == KS_KVM_SVM;
		plan_handler(d, p, svm ? "svm_handle_exit" : "vmx_handle_exit",
			     "asked for the functions", svm ? "SVM exit code" : "VMX exit reason");
		return;
	}
	if (ks_disc_no_kvm(d, p))
		return;
	bool ex = ks_disc_has_event(d, "kvm", "kvm_exit");
	bool en = ks_disc_has_event(d, "kvm", "kvm_entry");
	if (!ex || !en) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "no kvm:%s event in this kernel (a KVM port without exit "
			    "tracepoints, e.g. KVM-on-Gunyah)", !ex ? "kvm_exit" : "kvm_entry");
		return;
	}
	ks_plan_set(p, true, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
	const char *split = ks_disc_has_event(d, "kvm", "kvm_userspace_exit")
		? "; exits that went to userspace on the way are keyed '<reason>+user'"
		: "";
	if (d->be == KS_KVM_ARM64)
		ks_plan_why(p, "arm64: kvm_exit -> next kvm_entry on the same thread (handling "
			    "cost, not perf kvm stat's entry->exit pairing); key: exception class "
			    "(esr_ec) of traps, else IRQ/SERROR/ILLEGAL%s", split);
	else if (ks_disc_event_has_field(d, "kvm", "kvm_exit", "isa"))
		ks_plan_why(p, "%s: kvm_exit -> next kvm_entry on the same thread; key: "
			    "exit_reason decoded by the event's isa field (VMX or SVM codes)%s",
			    ks_kvm_backend_name(d->be), split);
	else
		ks_plan_why(p, "%s: kvm_exit -> next kvm_entry on the same thread; key: "
			    "exit_reason (no isa field: decoded as %s)%s",
			    ks_kvm_backend_name(d->be), d->be == KS_KVM_SVM ? "SVM" : "VMX", split);
}

KS_BPF_SKELETON(exits);

/* ---- tracefs: the same spans, paired in userspace */

enum { EX_EXIT, EX_ENTRY, EX_UEXIT };
enum { F_REASON = 1, F_ISA = 2, F_ESR = 4, F_RET = 8 };   /* kvm_exit's fields, below */

static const struct ks_tf_event tf_events[] = {
	[EX_EXIT] = { .from = KS_TF_START, .fields = { "exit_reason", "isa", "esr_ec", "ret" } },
	[EX_ENTRY] = { .from = KS_TF_END },
	/* to tell exits that went out to the VMM apart ("<reason>+user") */
	[EX_UEXIT] = { .sys = "kvm", .name = "kvm_userspace_exit", .optional = true,
		       .fields = { "reason" } },
};

struct exits_tf {
	uint32_t default_isa;   /* x86 kvm_exit without an isa field */
};

static int tf_resolve(struct ks_tf *t, char *err, size_t errlen)
{
	struct exits_tf *x = t->priv;
	unsigned f = t->ev[EX_EXIT].fields;

	if (!(f & (F_REASON | F_ESR))) {
		snprintf(err, errlen, "%s:%s has neither exit_reason nor esr_ec", t->ev[EX_EXIT].sys,
			 t->ev[EX_EXIT].name);
		return -ENOENT;
	}
	if (!(f & (F_ISA | F_ESR)))
		x->default_isa = ks_probe_host_backend() == KS_KVM_SVM ? KS_X86_ISA_SVM
								      : KS_X86_ISA_VMX;
	return 0;
}

/* kvm_exit's key, as exits.bpf.c encodes it; false: no reason to key by */
static bool exit_key(const struct ks_tf *t, const struct ks_tf_rec *r, uint64_t *key)
{
	const struct exits_tf *x = t->priv;

	if (t->ev[EX_EXIT].fields & F_ESR) {   /* arm64 */
		if (!(r->have & F_ESR))
			return false;
		uint64_t ret = (r->have & F_RET) ? r->v[3] : 0;
		*key = KS_EXIT_ARM64 | (ret & 0xff) << 8 | (r->v[2] & 0xff);
		return true;
	}
	if (!(r->have & F_REASON))
		return false;
	uint64_t isa = (r->have & F_ISA) ? r->v[1] : x->default_isa;
	*key = (isa & 0xffff) << 32 | (uint32_t)r->v[0];
	return true;
}

static void tf_decode(struct ks_tf *t, int ev, const struct ks_tf_rec *r)
{
	struct ks_tf_thread *th;
	uint64_t key;

	t->acc.events++;
	if (ev == EX_EXIT) {
		if (exit_key(t, r, &key) && (th = ks_tf_thread(t, r->tid)))
			ks_tf_start(t, th, r->ts, key);
	} else if (ev == EX_ENTRY) {
		if ((th = ks_tf_thread(t, r->tid)))
			ks_tf_end(t, th, r->ts);
	} else if (ev == EX_UEXIT && (r->have & 1) && (th = ks_tf_thread(t, r->tid)) &&
		   th->pending) {
		th->key |= KS_EXIT_USER;   /* this exit went out to the VMM */
	}
}

const struct ks_probe_desc ks_probe_exits = {
	.name = "exits",
	.plan = plan_exits,
	.key_name = ks_exit_key_name,
	.bpf = KS_BPF_SKEL(exits),
	.tf = { KS_TF_EVENTS(tf_events), .priv_size = sizeof(struct exits_tf),
		.resolve = tf_resolve, .decode = tf_decode },
};
