/* SPDX-License-Identifier: MIT */
/*
 * Each probe descriptor's tracefs half (bpf/probes/X.c) without a kernel:
 * records as the tracefs backend hands them to decode() (the numbers the
 * descriptor asked for), through resolve() and the userspace pairing
 * (bpf/pair.c), to the snapshot's keys. The keys come out of the same
 * key_name() the BPF backend names its in-kernel keys with, so a key seen
 * here is the key BPF reports for the same event.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "probe_desc.h"

/* A started probe as the backend leaves it after resolving: events[i] found
 * with the fields in fields[i] (bits), named after the plan. */
static struct ks_tf *tf_new(const char *probe, const unsigned *fields, const char *start,
			    const char *end, pid_t pid)
{
	const struct ks_probe_desc *d = ks_probe_desc_find(probe);
	assert_non_null(d);
	struct ks_tf *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->desc = d;
	t->pid = pid;
	t->priv = calloc(1, d->tf.priv_size ? d->tf.priv_size : 1);
	for (int i = 0; i < d->tf.nevents; i++) {
		const struct ks_tf_event *e = &d->tf.events[i];
		const char *spec = e->from == KS_TF_START ? start : e->from == KS_TF_END ? end : NULL;
		if (spec)
			sscanf(spec, "%31[^:]:%63s", t->ev[i].sys, t->ev[i].name);
		else
			snprintf(t->ev[i].sys, sizeof(t->ev[i].sys), "%s", e->sys);
		t->ev[i].on = true;
		t->ev[i].fields = fields[i];
	}
	return t;
}

static void tf_done(struct ks_tf *t)
{
	ks_tf_free(t);
	free(t);
}

static void rec(struct ks_tf *t, int ev, uint64_t ts, int tid, unsigned have, ...)
{
	struct ks_tf_rec r = { .ts = ts, .tid = tid, .have = have };
	va_list ap;
	va_start(ap, have);
	for (int f = 0; f < KS_TF_MAX_FIELDS; f++)
		if (have & (1u << f))
			r.v[f] = va_arg(ap, unsigned long long);
	va_end(ap);
	t->desc->tf.decode(t, ev, &r);
}

static const struct ks_probe_key_stats *key(const struct ks_tf *t, const char *name)
{
	for (size_t i = 0; i < t->acc.nkeys; i++)
		if (!strcmp(t->acc.keys[i].key, name))
			return &t->acc.keys[i];
	print_message("no key '%s' among %zu:", name, t->acc.nkeys);
	for (size_t i = 0; i < t->acc.nkeys; i++)
		print_message(" '%s'", t->acc.keys[i].key);
	print_message("\n");
	return NULL;
}

static void want(const struct ks_tf *t, const char *name, uint64_t count, uint64_t sum)
{
	const struct ks_probe_key_stats *k = key(t, name);
	assert_non_null(k);
	assert_int_equal(k->count, count);
	assert_int_equal(k->sum_ns, sum);
}

static void resolve_ok(struct ks_tf *t)
{
	char err[256] = "";
	if (t->desc->tf.resolve)
		assert_int_equal(t->desc->tf.resolve(t, err, sizeof(err)), 0);
}

/* exits: event 0 kvm_exit (exit_reason, isa, esr_ec, ret), 1 kvm_entry,
 * 2 kvm_userspace_exit (reason) */
static void test_exits(void **state)
{
	(void)state;
	const unsigned x86[] = { 1 | 2, 0, 1 };
	struct ks_tf *t = tf_new("exits", x86, "kvm:kvm_exit", "kvm:kvm_entry", 1);
	resolve_ok(t);
	rec(t, 0, 100, 7, 1 | 2, 30ULL, (unsigned long long)KS_X86_ISA_VMX);
	rec(t, 2, 110, 7, 1, 2ULL);   /* out to the VMM */
	rec(t, 1, 150, 7, 0);
	rec(t, 0, 200, 7, 1 | 2, 10ULL, (unsigned long long)KS_X86_ISA_VMX);
	rec(t, 1, 210, 7, 0);
	rec(t, 0, 300, 8, 1 | 2, 0x7bULL, (unsigned long long)KS_X86_ISA_SVM);
	rec(t, 1, 301, 8, 0);
	want(t, "IO_INSTRUCTION+user", 1, 50);
	want(t, "CPUID", 1, 10);
	want(t, "io", 1, 1);
	assert_int_equal(t->acc.events, 7);
	assert_int_equal(t->acc.unpaired, 0);
	tf_done(t);

	/* arm64: the exception class of traps, as the BPF key encodes it */
	const unsigned arm[] = { 4 | 8, 0, 1 };
	t = tf_new("exits", arm, "kvm:kvm_exit", "kvm:kvm_entry", 1);
	resolve_ok(t);
	rec(t, 0, 0, 7, 4 | 8, 0x16ULL, 0x80000002ULL);   /* HVC64, SError pending too */
	rec(t, 1, 40, 7, 0);
	want(t, "HVC64", 1, 40);
	char name[KS_PROBE_KEY_LEN];
	t->desc->key_name(KS_EXIT_ARM64 | 2 << 8 | 0x24 | KS_EXIT_USER, name, sizeof(name));
	assert_string_equal(name, "DABT_LOW+user");
	tf_done(t);

	/* neither exit_reason nor esr_ec: refused */
	const unsigned none[] = { 0, 0, 0 };
	t = tf_new("exits", none, "kvm:kvm_exit", "kvm:kvm_entry", 1);
	char err[256];
	assert_true(t->desc->tf.resolve(t, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "neither exit_reason nor esr_ec"));
	tf_done(t);
}

/* uexits: event 0 kvm_userspace_exit (reason, errno), 1 the end (cmd, id, args[1]) */
static void test_uexits(void **state)
{
	(void)state;
	const unsigned ioctl[] = { 1 | 2, 1 };
	struct ks_tf *t = tf_new("uexits", ioctl, "kvm:kvm_userspace_exit",
				 "syscalls:sys_enter_ioctl", 0);
	resolve_ok(t);
	assert_string_equal(t->ev[1].filter, "cmd == 0xae80");
	rec(t, 0, 0, 5, 1 | 2, 2ULL, 0ULL);
	rec(t, 1, 3, 5, 1, 0x1234ULL);          /* another ioctl: not the end */
	rec(t, 1, 7, 5, 1, (unsigned long long)KS_KVM_RUN);
	rec(t, 0, 10, 5, 1 | 2, 0ULL, (unsigned long long)(uint32_t)-EINTR);
	rec(t, 1, 12, 5, 1, (unsigned long long)KS_KVM_RUN);
	rec(t, 1, 20, 5, 1, (unsigned long long)KS_KVM_RUN);   /* no start: orphan */
	want(t, "KVM_EXIT_IO", 1, 7);
	want(t, "KVM_RUN -EINTR", 1, 2);
	assert_int_equal(t->acc.events, 6);
	tf_done(t);

	/* raw_syscalls:sys_enter: needs a pid, checks id == ioctl and args[1] */
	const unsigned raw[] = { 1 | 2, 2 | 4 };
	t = tf_new("uexits", raw, "kvm:kvm_userspace_exit", "raw_syscalls:sys_enter", 0);
	char err[256];
	assert_int_equal(t->desc->tf.resolve(t, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "needs a pid"));
	tf_done(t);
}

/* hypercalls: 0 kvm_exit, 1 kvm_entry, 2 kvm_hvc_arm64 (r0), 3 kvm_hypercall (nr) */
static void test_hypercalls(void **state)
{
	(void)state;
	const unsigned x86[] = { 1, 0, 1, 1 };   /* no isa field */
	struct ks_tf *t = tf_new("hypercalls", x86, "kvm:kvm_exit", "kvm:kvm_entry", 1);
	resolve_ok(t);
	assert_false(t->ev[2].on);   /* the arm64 number event is left out on x86 */
	assert_string_equal(t->ev[0].filter, "exit_reason == 18 || exit_reason == 0x81");
	rec(t, 1, 5, 9, 0);               /* an entry after no hypercall: nothing */
	rec(t, 0, 10, 9, 1, 18ULL);
	rec(t, 3, 12, 9, 1, 5ULL);        /* KVM_HC_KICK_CPU-ish: numbered */
	rec(t, 1, 30, 9, 0);
	rec(t, 0, 40, 9, 1, 18ULL);       /* no number event */
	rec(t, 1, 44, 9, 0);
	rec(t, 0, 50, 9, 1, 30ULL);       /* not a hypercall */
	want(t, "0x5", 1, 20);
	want(t, "VMCALL (no number)", 1, 4);
	assert_int_equal(t->acc.nkeys, 2);
	assert_int_equal(t->acc.unpaired, 0);
	tf_done(t);

	const unsigned arm[] = { 4 | 8, 0, 1, 1 };
	t = tf_new("hypercalls", arm, "kvm:kvm_exit", "kvm:kvm_entry", 1);
	resolve_ok(t);
	assert_false(t->ev[3].on);
	rec(t, 0, 0, 9, 4 | 8, 0x16ULL, 2ULL);
	rec(t, 2, 1, 9, 1, 0xffffffff84000000ULL);   /* SMCCC: w0 only */
	rec(t, 1, 9, 9, 0);
	want(t, "0x84000000", 1, 9);
	tf_done(t);
}

/* irqfd: 0 inject, 1 wakeup, 2 sys_enter_write (count), 3 kvm_entry */
static void test_irqfd(void **state)
{
	(void)state;
	const unsigned f[] = { 0, 0, 1, 0 };
	struct ks_tf *t = tf_new("irqfd", f, "kvm:kvm_msi_set_irq", "kvm:kvm_vcpu_wakeup", 1);
	resolve_ok(t);
	rec(t, 2, 1, 1, 1, 8ULL);     /* the eventfd write (a stamp of 0 means none) */
	rec(t, 0, 10, 1, 0);
	rec(t, 1, 30, 2, 0);          /* the vCPU thread */
	rec(t, 3, 35, 2, 0);
	rec(t, 2, 40, 1, 1, 100ULL);  /* not an eventfd write */
	want(t, "write->inject", 1, 9);
	want(t, "inject->wakeup", 1, 20);
	want(t, "wakeup->entry", 1, 5);
	want(t, "write->entry", 1, 34);
	assert_int_equal(t->acc.events, 4);
	assert_int_equal(t->acc.out_of_order, 0);
	tf_done(t);
	assert_non_null(ks_probe_desc_find("irqfd")->needs_pid);
}

/* memlend: 0 the fault, 1 kvm_entry, 2 kvm_userspace_exit */
static void test_memlend(void **state)
{
	(void)state;
	const unsigned f[] = { 0, 0, 0 };
	struct ks_tf *t = tf_new("memlend", f, "kvm:kvm_page_fault", "kvm:kvm_entry", 1);
	resolve_ok(t);
	rec(t, 0, 0, 3, 0);
	rec(t, 2, 3, 3, 0);            /* MMIO: out to the VMM */
	rec(t, 1, 10, 3, 0);
	rec(t, 0, 20, 3, 0);
	rec(t, 1, 25, 3, 0);
	rec(t, 1, 40, 3, 0);           /* read before its fault (another CPU's buffer) */
	rec(t, 0, 38, 3, 0);
	want(t, "fault+user", 1, 10);
	want(t, "fault", 2, 7);
	assert_int_equal(t->acc.unpaired, 0);
	tf_done(t);
}

/* The one list: every name has a descriptor, in probes.def's order. */
static void test_the_list(void **state)
{
	(void)state;
	const char *const order[] = { "exits", "uexits", "hypercalls", "irqfd", "memlend", NULL };
	for (int i = 0; order[i]; i++) {
		assert_non_null(ks_probe_names[i]);
		assert_string_equal(ks_probe_names[i], order[i]);
		assert_ptr_equal(ks_probe_desc_find(order[i]), ks_probe_descs[i]);
		assert_non_null(ks_probe_descs[i]->plan);
		assert_non_null(ks_probe_descs[i]->key_name);
		assert_non_null(ks_probe_descs[i]->tf.decode);
	}
	assert_null(ks_probe_names[5]);
	assert_null(ks_probe_descs[5]);
	assert_null(ks_probe_desc_find("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exits),     cmocka_unit_test(test_uexits),
		cmocka_unit_test(test_hypercalls), cmocka_unit_test(test_irqfd),
		cmocka_unit_test(test_memlend),   cmocka_unit_test(test_the_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
