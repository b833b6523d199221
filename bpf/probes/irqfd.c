/* SPDX-License-Identifier: MIT */
/*
 * irqfd: one injected interrupt's stages, in order, across the writer's and
 * the vCPU's threads: the eventfd write (syscalls:sys_enter_write, 8 bytes;
 * optional) -> injection (kvm:kvm_msi_set_irq / kvm:kvm_set_irq, or the
 * Gunyah doorbell send) -> kvm:kvm_vcpu_wakeup of the halted vCPU -> back in
 * the guest (kvm:kvm_entry; optional). The threads differ, so stages pair
 * by order: one interrupt in flight, one vCPU — which needs one process.
 *
 * The BPF program: irqfd.bpf.c. Keys: ks_probe_shared.h (KS_IRQFD_*).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "probe_desc.h"

static void plan_irqfd(struct ks_disc *d, struct ks_probe_plan *p)
{
	const char *bell = "gunyah_hypercall_bell_send";

	if (d->be == KS_KVM_GUNYAH) {
		if (ks_disc_aff_has(d, bell) && ks_disc_has_event(d, "kvm", "kvm_vcpu_wakeup")) {
			ks_plan_set(p, true, "kprobe:gunyah_hypercall_bell_send",
				    "tracepoint:kvm:kvm_vcpu_wakeup");
			ks_plan_why(p, "KVM-on-Gunyah: irqfd injection rings a Gunyah doorbell (no "
				    "kvm:kvm_set_irq); doorbell send -> the vCPU's wakeup (unverified "
				    "on vendor kernels); key: inject->wakeup");
		} else {
			ks_plan_set(p, false, NULL, NULL);
			ks_plan_why(p, "KVM-on-Gunyah: injection bypasses kvm_set_irq (no "
				    "kvm:kvm_set_irq event) and %s",
				    !ks_disc_aff_readable(d)
					    ? "available_filter_functions is unreadable, so the "
					      "doorbell function can't be found"
				    : ks_disc_aff_has(d, bell)
					    ? "there is no kvm:kvm_vcpu_wakeup event"
					    : "gunyah_hypercall_bell_send is not a traceable function");
		}
		return;
	}
	if (ks_disc_no_kvm(d, p))
		return;
	const char *inject = NULL;
	if (ks_disc_x86(d) || d->be == KS_KVM_PVM) {
		if (ks_disc_has_event(d, "kvm", "kvm_msi_set_irq"))
			inject = "tracepoint:kvm:kvm_msi_set_irq";
		else if (ks_disc_has_event(d, "kvm", "kvm_set_irq"))
			inject = "tracepoint:kvm:kvm_set_irq";
	} else if (ks_disc_has_event(d, "kvm", "kvm_set_irq")) {
		inject = "tracepoint:kvm:kvm_set_irq";
	}
	if (!inject || !ks_disc_has_event(d, "kvm", "kvm_vcpu_wakeup")) {
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "missing %s",
			    !inject ? "an injection event (kvm:kvm_set_irq / kvm:kvm_msi_set_irq)"
				    : "kvm:kvm_vcpu_wakeup");
		return;
	}
	ks_plan_set(p, true, inject, "tracepoint:kvm:kvm_vcpu_wakeup");
	/* the optional stages around inject -> wakeup: both backends add these when
	 * the events exist (the write as an 8-byte write() of the target's threads) */
	bool wr = ks_disc_has_event(d, "syscalls", "sys_enter_write") &&
		  ks_disc_event_has_field(d, "syscalls", "sys_enter_write", "count");
	bool en = d->be != KS_KVM_PVM && ks_disc_has_event(d, "kvm", "kvm_entry");
	ks_plan_why(p, "stages: %s -> inject (%s) -> wakeup (halted vCPU) -> %s; paired by order "
		    "across threads (one interrupt in flight, one vCPU); keys: "
		    "%sinject->wakeup%s",
		    wr ? "write (sys_enter_write, 8 bytes)" : "[no write stage]", inject + 15,
		    en ? "entry (kvm_entry)"
		    : d->be == KS_KVM_PVM ? "[no entry: PVM]" : "[no kvm_entry]",
		    wr ? "write->inject, " : "", en ? ", wakeup|inject->entry" : "");
	if (wr && en) {
		size_t l = strlen(p->why);
		snprintf(p->why + l, sizeof(p->why) - l, ", write->entry");
	}
}

static void key_name(uint64_t key, char *buf, size_t len)
{
	static const char *const names[] = {
		[KS_IRQFD_WRITE_INJECT] = "write->inject",
		[KS_IRQFD_INJECT_WAKEUP] = "inject->wakeup",
		[KS_IRQFD_WAKEUP_ENTRY] = "wakeup->entry",
		[KS_IRQFD_WRITE_ENTRY] = "write->entry",
		[KS_IRQFD_INJECT_ENTRY] = "inject->entry",
	};
	if (key < sizeof(names) / sizeof(names[0]))
		snprintf(buf, len, "%s", names[key]);
	else
		snprintf(buf, len, "stage%" PRIu64, key);
}

KS_BPF_SKELETON(irqfd);

/* ---- tracefs: irqfd.bpf.c's rules, in userspace; records arrive merged in
 * timestamp order. A pair whose end precedes its start is out of order (and
 * not recorded). */

enum { IQ_INJECT, IQ_WAKEUP, IQ_WRITE, IQ_ENTRY };

static const struct ks_tf_event tf_events[] = {
	[IQ_INJECT] = { .from = KS_TF_START },
	[IQ_WAKEUP] = { .from = KS_TF_END },
	/* the optional stages, as discovery's why lists them; only the 8-byte
	 * writes (eventfd) in the buffer, checked again */
	[IQ_WRITE] = { .sys = "syscalls", .name = "sys_enter_write", .optional = true,
		       .fields = { "count" }, .need = 1, .filter = "count == 8" },
	[IQ_ENTRY] = { .sys = "kvm", .name = "kvm_entry", .optional = true },
};

/* the one interrupt in flight (inflight: injected, not yet back in the guest) */
struct irqfd_tf {
	bool write_pending, writes_seen, inflight, woken;
	uint64_t ts_write, ts_inject, ts_inject_write, ts_wakeup;
};

static void pair(struct ks_tf *t, uint64_t key, uint64_t from, uint64_t to)
{
	if (to < from)
		t->acc.out_of_order++;
	else
		ks_tf_span(t, key, from, to);
}

static void tf_decode(struct ks_tf *t, int ev, const struct ks_tf_rec *r)
{
	struct irqfd_tf *q = t->priv;

	if (ev == IQ_WRITE) {
		if (!(r->have & 1) || r->v[0] != 8)
			return;
		t->acc.events++;
		if (q->write_pending)
			t->acc.unpaired++;   /* the previous write was never injected */
		q->write_pending = q->writes_seen = true;
		q->ts_write = r->ts;
	} else if (ev == IQ_INJECT) {
		t->acc.events++;
		if (q->inflight && !q->write_pending)
			return;   /* a second event of the same injection */
		/* (in flight, but a new write since: that one was done without an
		 * entry event, as under kvm_pvm, which has no kvm_entry) */
		q->ts_inject_write = 0;
		if (q->write_pending) {
			q->ts_inject_write = q->ts_write;
			q->write_pending = false;
			pair(t, KS_IRQFD_WRITE_INJECT, q->ts_write, r->ts);
		} else if (q->writes_seen) {
			t->acc.out_of_order++;   /* injected, but its write was not seen first */
		}
		q->inflight = true;
		q->woken = false;
		q->ts_inject = r->ts;
	} else if (ev == IQ_WAKEUP) {
		t->acc.events++;
		if (!q->inflight) {
			t->acc.unpaired++;   /* woken, but no interrupt in flight */
			return;
		}
		if (q->woken)
			return;
		pair(t, KS_IRQFD_INJECT_WAKEUP, q->ts_inject, r->ts);
		q->woken = true;
		q->ts_wakeup = r->ts;
	} else if (ev == IQ_ENTRY) {
		if (!q->inflight)
			return;   /* an entry with no interrupt in flight: not ours */
		t->acc.events++;
		if (q->woken)
			pair(t, KS_IRQFD_WAKEUP_ENTRY, q->ts_wakeup, r->ts);
		else
			pair(t, KS_IRQFD_INJECT_ENTRY, q->ts_inject, r->ts);
		if (q->ts_inject_write)
			pair(t, KS_IRQFD_WRITE_ENTRY, q->ts_inject_write, r->ts);
		q->inflight = false;
	}
}

const struct ks_probe_desc ks_probe_irqfd = {
	.name = "irqfd",
	.needs_pid = "its stages are paired by order within one VMM",
	.plan = plan_irqfd,
	.key_name = key_name,
	.bpf = KS_BPF_SKEL(irqfd),
	.bpf_counts_events = true,   /* its stages pair across threads, not as spans */
	.tf = { KS_TF_EVENTS(tf_events), .priv_size = sizeof(struct irqfd_tf),
		.decode = tf_decode },
};
