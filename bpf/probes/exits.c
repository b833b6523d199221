/* SPDX-License-Identifier: MIT */
/*
 * exits: from kvm:kvm_exit to the same thread's next kvm:kvm_entry — the
 * time KVM spends handling an exit (the handling cost, NOT perf kvm stat's
 * arm64 entry->exit pairing, which measures guest run time), keyed by exit
 * reason: x86 VMX/SVM exit reasons, arm64 exception classes of traps. An
 * exit that went out to the VMM on the way (kvm:kvm_userspace_exit in
 * between) is keyed "<reason>+user". Unavailable under PVM (the events
 * exist but never fire) and KVM-on-Gunyah (no such events).
 *
 * The BPF program: exits.bpf.c. Keys: ks_probe_shared.h (KS_EXIT_*).
 */
#include <errno.h>
#include <stdio.h>

#include "probe_desc.h"

static void plan_exits(struct ks_disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_PVM) {
		/* exact reason: the events are there, they just never fire */
		ks_plan_set(p, false, "tracepoint:kvm:kvm_exit", "tracepoint:kvm:kvm_entry");
		ks_plan_why(p, "kvm_pvm: kvm:kvm_exit/kvm:kvm_entry exist but never fire under PVM");
		return;
	}
	if (d->be == KS_KVM_GUNYAH) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "KVM-on-Gunyah: no kvm:kvm_exit/kvm:kvm_entry events (guest traps "
			    "are handled inside Gunyah at EL2; only WFI, MMIO and page faults "
			    "reach KVM)");
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
