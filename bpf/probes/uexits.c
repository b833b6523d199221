/* SPDX-License-Identifier: MIT */
/*
 * uexits: from kvm:kvm_userspace_exit (KVM_RUN is about to return to the
 * VMM) to that thread's next ioctl(KVM_RUN) (syscalls:sys_enter_ioctl with
 * cmd == 0xae80, or raw_syscalls:sys_enter where the syscall events are
 * missing): the time the VMM spent in userspace handling the exit, keyed
 * by KVM_EXIT_* (or the error when KVM_RUN failed).
 *
 * The BPF program: uexits.bpf.c. Keys: ks_probe_shared.h (KS_UEXIT_ERRNO).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "probe_desc.h"

static void plan_uexits(struct ks_disc *d, struct ks_probe_plan *p)
{
	if (!ks_disc_has_event(d, "kvm", "kvm_userspace_exit")) {
		if (ks_disc_no_kvm(d, p))
			return;
		ks_plan_set(p, false, NULL, NULL);
		ks_plan_why(p, "no kvm:kvm_userspace_exit event in this kernel");
		return;
	}
	if (ks_disc_has_event(d, "syscalls", "sys_enter_ioctl") &&
	    ks_disc_event_has_field(d, "syscalls", "sys_enter_ioctl", "cmd")) {
		ks_plan_set(p, true, "tracepoint:kvm:kvm_userspace_exit",
			    "tracepoint:syscalls:sys_enter_ioctl");
		ks_plan_why(p, "end: the same thread's next ioctl(KVM_RUN) (cmd == 0xae80); key: "
			    "KVM_EXIT_* from the reason field");
	} else if (ks_disc_has_event(d, "raw_syscalls", "sys_enter")) {
		ks_plan_set(p, true, "tracepoint:kvm:kvm_userspace_exit",
			    "tracepoint:raw_syscalls:sys_enter");
		ks_plan_why(p, "no syscalls:sys_enter_ioctl (CONFIG_FTRACE_SYSCALLS?): end is "
			    "raw_syscalls:sys_enter with id == __NR_ioctl and args[1] == KVM_RUN, "
			    "checked in userspace (every syscall is traced: costly without a pid)");
	} else {
		ks_plan_set(p, false, "tracepoint:kvm:kvm_userspace_exit", NULL);
		ks_plan_why(p, "no syscall entry event (syscalls:sys_enter_ioctl or "
			    "raw_syscalls:sys_enter) to see the next KVM_RUN");
	}
}

static void key_name(uint64_t key, char *buf, size_t len)
{
	if (key & KS_UEXIT_ERRNO)
		ks_kvm_uexit_key(buf, len, 0, -(int)(uint32_t)key);
	else
		ks_kvm_uexit_key(buf, len, (uint32_t)key, 0);
}

KS_BPF_SKELETON(uexits);

/* ---- tracefs: the same spans, paired in userspace */

enum { UX_START, UX_END };
enum { F_REASON = 1, F_ERRNO = 2 };           /* kvm_userspace_exit's */
enum { F_CMD = 1, F_ID = 2, F_ARG1 = 4 };     /* the end event's */

static const struct ks_tf_event tf_events[] = {
	[UX_START] = { .from = KS_TF_START, .fields = { "reason", "errno" }, .need = F_REASON },
	/* sys_enter_ioctl (cmd), or raw_syscalls:sys_enter (id, args[1]) */
	[UX_END] = { .from = KS_TF_END, .fields = { "cmd", "id", "args[1]" } },
};

struct uexits_tf {
	bool raw;   /* the end is raw_syscalls:sys_enter */
};

static int tf_resolve(struct ks_tf *t, char *err, size_t errlen)
{
	struct uexits_tf *u = t->priv;
	const struct ks_tf_ev *e = &t->ev[UX_END];

	u->raw = !strcmp(e->sys, "raw_syscalls");
	if (u->raw && (e->fields & (F_ID | F_ARG1)) != (F_ID | F_ARG1)) {
		snprintf(err, errlen, "raw_syscalls:sys_enter has no id/args fields");
		return -ENOENT;
	}
	if (u->raw && t->pid <= 0) {
		snprintf(err, errlen, "uexits via raw_syscalls:sys_enter needs a pid (it would "
				      "trace every syscall on the system)");
		return -ENOTSUP;
	}
	if (!u->raw && !(e->fields & F_CMD)) {
		snprintf(err, errlen, "%s:%s has no cmd field", e->sys, e->name);
		return -ENOENT;
	}
	if (!u->raw)   /* only KVM_RUN in the buffer; still checked when decoding */
		snprintf(t->ev[UX_END].filter, sizeof(t->ev[UX_END].filter), "cmd == 0x%x",
			 KS_KVM_RUN);
	return 0;
}

static bool is_kvm_run(const struct ks_tf *t, const struct ks_tf_rec *r)
{
	const struct uexits_tf *u = t->priv;

	if (!u->raw)
		return (r->have & F_CMD) && (uint32_t)r->v[0] == KS_KVM_RUN;
	/* raw_syscalls:sys_enter: id == __NR_ioctl && args[1] == KVM_RUN */
	return (r->have & (F_ID | F_ARG1)) == (F_ID | F_ARG1) && r->v[1] == SYS_ioctl &&
	       (uint32_t)r->v[2] == KS_KVM_RUN;
}

static void tf_decode(struct ks_tf *t, int ev, const struct ks_tf_rec *r)
{
	struct ks_tf_thread *th;

	t->acc.events++;
	if (ev == UX_START && (r->have & F_REASON)) {
		int32_t e = (r->have & F_ERRNO) ? (int32_t)(uint32_t)r->v[1] : 0;
		/* as uexits.bpf.c keys it */
		uint64_t key = e < 0 ? KS_UEXIT_ERRNO | (uint32_t)(0u - (uint32_t)e)
				     : (uint64_t)(uint32_t)r->v[0];
		if ((th = ks_tf_thread(t, r->tid)))
			ks_tf_start(t, th, r->ts, key);
	} else if (ev == UX_END && is_kvm_run(t, r) && (th = ks_tf_thread(t, r->tid))) {
		ks_tf_end(t, th, r->ts);
	}
}

const struct ks_probe_desc ks_probe_uexits = {
	.name = "uexits",
	.plan = plan_uexits,
	.key_name = key_name,
	.bpf = KS_BPF_SKEL(uexits),
	.tf = { KS_TF_EVENTS(tf_events), .priv_size = sizeof(struct uexits_tf),
		.resolve = tf_resolve, .decode = tf_decode },
};
