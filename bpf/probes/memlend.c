/* SPDX-License-Identifier: MIT */
/*
 * memlend: the cost of resolving one guest page fault, first touches
 * included: kvm:kvm_page_fault (x86) / kvm:kvm_guest_fault (arm64) -> the
 * same thread's next kvm:kvm_entry; where kvm_entry never fires (kvm_pvm)
 * the shadow MMU fault handler kvm_mmu_page_fault, entry -> return; on
 * KVM-on-Gunyah gunyah_handle_page_fault, entry -> return (the per-fault
 * donation). Key "fault", "fault+user" when the fault went out to the VMM.
 *
 * The BPF program: memlend.bpf.c. Keys: ks_probe_shared.h (KS_MEMLEND_FAULT).
 */
#include <stdio.h>

#include "probe_desc.h"

static void plan_memlend(struct ks_disc *d, struct ks_probe_plan *p)
{
	if (d->be == KS_KVM_GUNYAH) {
		const char *fn = "gunyah_handle_page_fault";
		const char *home = ks_disc_btf_func_home(d, fn);
		if (home) {
			ks_plan_set(p, true, "fentry:gunyah_handle_page_fault",
				    "fexit:gunyah_handle_page_fault");
			ks_plan_why(p, "KVM-on-Gunyah: each first guest touch faults and KVM donates "
				    "the folio (gunyah_hypercall_memextent_donate inside); BTF in %s; "
				    "key: donate", home);
		} else if (ks_disc_aff_has(d, fn)) {
			ks_plan_set(p, true, "kprobe:gunyah_handle_page_fault",
				    "kretprobe:gunyah_handle_page_fault");
			ks_plan_why(p, "KVM-on-Gunyah: per-fault donation, entry -> return (no BTF for "
				    "it: kprobes); key: donate");
		} else {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "KVM-on-Gunyah: %s is not traceable here (%s; no BTF FUNC "
				    "either)", fn, ks_disc_aff_readable(d)
							   ? "not in available_filter_functions"
							   : "available_filter_functions unreadable");
		}
		return;
	}
	if (ks_disc_no_kvm(d, p))
		return;
	if (d->be == KS_KVM_PVM) {
		const char *fn = "kvm_mmu_page_fault";
		const char *home = ks_disc_btf_func_home(d, fn);
		if (!home) {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "kvm_pvm: kvm_entry never fires, so a fault can't be paired "
				    "with the re-entry, and %s is not in BTF for fentry/fexit", fn);
			return;
		}
		ks_plan_set(p, true, "fentry:kvm_mmu_page_fault", "fexit:kvm_mmu_page_fault");
		ks_plan_why(p, "kvm_pvm: kvm_entry never fires; the shadow MMU fault handler "
			    "instead, entry -> return (BTF in %s; fentry/fexit: BPF backend only%s); "
			    "key: fault", home,
			    !ks_disc_aff_readable(d)
				    ? "; available_filter_functions unreadable, so not verified as "
				      "attachable"
			    : ks_disc_aff_has(d, fn) ? ""
						     : "; not in available_filter_functions: fentry "
						       "may be refused");
		return;
	}
	const char *fault = d->be == KS_KVM_ARM64 ? "kvm_guest_fault" : "kvm_page_fault";
	bool f = ks_disc_has_event(d, "kvm", fault);
	if (!f || !ks_disc_has_event(d, "kvm", "kvm_entry")) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "missing kvm:%s", !f ? fault : "kvm_entry");
		return;
	}
	char s[96];
	snprintf(s, sizeof(s), "tracepoint:kvm:%s", fault);
	ks_plan_set(p, true, s, "tracepoint:kvm:kvm_entry");
	ks_plan_why(p, "%s -> next kvm_entry on the same thread (stage-2 / nested page fault-in "
		    "of guest memory; on native KVM this is what memory lending compares with); "
		    "key: fault", fault);
}

static void key_name(uint64_t key, char *buf, size_t len)
{
	snprintf(buf, len, "fault%s", (key & KS_EXIT_USER) ? "+user" : "");
}

KS_BPF_SKELETON(memlend);

/* ---- tracefs (the tracepoint plans; function entry/return: BPF only):
 * memlend.bpf.c's rules, in userspace. Most entries follow no fault: they
 * are no anomaly (nor an event). */

enum { ML_FAULT, ML_ENTRY, ML_UEXIT };

static const struct ks_tf_event tf_events[] = {
	[ML_FAULT] = { .from = KS_TF_START },
	[ML_ENTRY] = { .from = KS_TF_END },
	/* to tell faults that went out to the VMM apart ("fault+user") */
	[ML_UEXIT] = { .sys = "kvm", .name = "kvm_userspace_exit", .optional = true },
};

static void tf_decode(struct ks_tf *t, int ev, const struct ks_tf_rec *r)
{
	struct ks_tf_thread *th = ks_tf_thread(t, r->tid);

	if (!th)
		return;
	if (ev == ML_FAULT) {
		t->acc.events++;
		ks_tf_open(t, th, r->ts, KS_MEMLEND_FAULT);
	} else if (ev == ML_ENTRY) {
		ks_tf_close(t, th, r->ts);
	} else if (ev == ML_UEXIT && th->pending) {
		t->acc.events++;
		th->key |= KS_EXIT_USER;   /* this fault went out to the VMM (MMIO) */
	}
}

const struct ks_probe_desc ks_probe_memlend = {
	.name = "memlend",
	.plan = plan_memlend,
	.key_name = key_name,
	.bpf = KS_BPF_SKEL(memlend),
	.tf = { KS_TF_EVENTS(tf_events), .decode = tf_decode },
};
