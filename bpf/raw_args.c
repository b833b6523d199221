/* SPDX-License-Identifier: MIT */
/*
 * The raw tracepoint arguments kvmscope's BPF programs read (their KS_RAW
 * handlers, bpf/vmlinux/ks_probe.bpf.h), and the check that this kernel
 * passes them so.
 *
 * A classic tracepoint program reads the event's record, whose format the
 * kernel describes; a tp_btf/raw_tp program reads the arguments of the
 * trace_<event>() call instead, and those have changed across kernels
 * (x86 kvm_exit was (exit_reason, vcpu, isa) until 5.13 and is (vcpu, isa)
 * since). The kernel's BTF has each one as the typedef btf_trace_<event>, a
 * pointer to a function (void *, arg0, arg1, ...): the loader uses a raw
 * flavor only when those arguments are what the handler expects, and falls
 * back to the classic tracepoint otherwise. An event not listed here is
 * never attached raw: a new handler that reads arguments must say which.
 *
 * The layouts are facts from the kernel's TP_PROTO()s (include/trace/events
 * and arch/x86/kvm/trace.h, arch/arm64/kvm/trace_arm.h, virt/kvm's), written
 * in the mini-language below, and only the arguments read are checked.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "raw_args.h"

/*
 * Per argument read, comma-separated: "#" an integer (int, enum, bool),
 * "S*" a pointer to struct S; "" when the handler reads none.
 */
struct raw_layout {
	const char *tp;
	const char *args;
};

static const struct raw_layout layouts[] = {
#if defined(__x86_64__)
	{ "kvm_exit", "kvm_vcpu*,#" },               /* (vcpu, isa) since 5.14 */
	{ "kvm_entry", "kvm_vcpu*" },                /* (vcpu[, force_immediate_exit]) */
	{ "kvm_hypercall", "#" },                    /* (nr, a0, a1, a2, a3) */
	{ "kvm_page_fault", "kvm_vcpu*" },           /* (vcpu, fault_address, error_code) */
#elif defined(__aarch64__)
	{ "kvm_exit", "#,#" },                       /* (ret, esr_ec, vcpu_pc) */
	{ "kvm_hvc_arm64", "#,#" },                  /* (vcpu_pc, r0, imm) */
	{ "kvm_guest_fault", "" },
	{ "kvm_entry", "" },
#endif
	{ "kvm_userspace_exit", "#,#" },             /* (reason, errno) */
	{ "sys_enter", "pt_regs*,#" },               /* (regs, id) */
	{ "kvm_msi_set_irq", "" },
	{ "kvm_set_irq", "" },
	{ "kvm_vcpu_wakeup", "" },
};

/* BTF of vmlinux and the KVM modules, loaded once per process. */
static const char *const modules[] = { "kvm", "kvm_intel", "kvm_amd", "kvm_pvm" };
static struct btf *vmlinux, *mods[sizeof(modules) / sizeof(modules[0])];
static int vmlinux_err;
static pthread_once_t btf_once = PTHREAD_ONCE_INIT;

static void load_btf(void)
{
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		vmlinux_err = errno ? errno : ENOENT;
		return;
	}
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
		mods[i] = btf__load_module_btf(modules[i], vmlinux);   /* NULL: not loaded */
}

/* The type behind typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 id, __u32 *out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_const(t) || btf_is_volatile(t) ||
		     btf_is_restrict(t) || btf_is_type_tag(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (out)
		*out = id;
	return t;
}

/* One argument against its spec ("#", "S*"). */
static bool arg_is(const struct btf *btf, __u32 type, const char *spec, size_t len)
{
	const struct btf_type *t = skip_mods(btf, type, NULL);

	if (!t)
		return false;
	if (len == 1 && spec[0] == '#')
		return btf_is_int(t) || btf_is_enum(t) || btf_is_enum64(t);
	if (len < 2 || spec[len - 1] != '*' || !btf_is_ptr(t))
		return false;
	const struct btf_type *s = skip_mods(btf, t->type, NULL);
	const char *name = s && btf_is_struct(s) ? btf__name_by_offset(btf, s->name_off) : NULL;
	return name && strlen(name) == len - 1 && !strncmp(name, spec, len - 1);
}

int ks_raw_args_check(const char *tp, char *why, size_t len)
{
	const struct raw_layout *l = NULL;
	char tname[128];

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]) && !l; i++)
		if (!strcmp(layouts[i].tp, tp))
			l = &layouts[i];
	if (!l) {
		snprintf(why, len, "no raw argument layout known for %s (bpf/raw_args.c)", tp);
		return -ENOENT;
	}
	pthread_once(&btf_once, load_btf);
	if (!vmlinux) {
		snprintf(why, len, "the kernel's BTF could not be read: %s", strerror(vmlinux_err));
		return -vmlinux_err;
	}
	snprintf(tname, sizeof(tname), "btf_trace_%s", tp);
	const struct btf *btf = vmlinux;
	__s32 id = btf__find_by_name_kind(vmlinux, tname, BTF_KIND_TYPEDEF);
	for (size_t i = 0; id < 0 && i < sizeof(modules) / sizeof(modules[0]); i++)
		if (mods[i] && (id = btf__find_by_name_kind(mods[i], tname, BTF_KIND_TYPEDEF)) >= 0)
			btf = mods[i];
	if (id < 0) {
		snprintf(why, len, "no %s in the kernel's BTF (vmlinux, KVM modules)", tname);
		return -ENOENT;
	}
	/* typedef -> pointer -> FUNC_PROTO (void *, args...) */
	const struct btf_type *t = skip_mods(btf, (__u32)id, NULL);
	const struct btf_type *fp = t && btf_is_ptr(t) ? skip_mods(btf, t->type, NULL) : NULL;
	if (!fp || !btf_is_func_proto(fp)) {
		snprintf(why, len, "%s is not a function pointer in BTF", tname);
		return -EINVAL;
	}
	const struct btf_param *p = btf_params(fp);
	int n = btf_vlen(fp), i = 1;   /* p[0]: the probe's data pointer */
	for (const char *a = l->args; *a; i++) {
		size_t al = strcspn(a, ",");
		if (i >= n || !arg_is(btf, p[i].type, a, al)) {
			snprintf(why, len, "raw %s: argument %d is not %.*s here (BTF %s)", tp, i - 1,
				 (int)al, a, tname);
			return -EINVAL;
		}
		a += al + (a[al] == ',');
	}
	return 0;
}
