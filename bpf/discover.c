/* SPDX-License-Identifier: MIT */
/*
 * Probe discovery: which kernel events each probe would use on THIS kernel,
 * or precisely why it can't run. Each probe's rules are its descriptor's
 * plan() (bpf/probes/X.c); here is what they may ask about the host: trace
 * events and their fields, available_filter_functions, BTF (vmlinux and the
 * KVM modules' split BTF), and the KVM backend.
 *
 * On this system (no root), a plan that looks possible is then tried
 * (prove.c): available means a backend really attached it here.
 *
 * The host facts (backend, tracefs directory, BTF presence, a root for
 * fixtures: struct ks_probe_host) are an input: the host-facts module finds
 * them once and hands them in (ks_probe_set_host, ks_probe_discover_host).
 * What is not given is found here — the fallback that fixture tests and
 * callers passing nothing use: the backend from the device tree's
 * /hypervisor node, /sys/module and the kvm events; tracefs with
 * ks_tracefs_locate() (mounted for the time of discovery if nobody has).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* PATH_MAX with -std=c11 too */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kfiles.h"
#include "probe_desc.h"

/* ------------------------------------------------------------ the host facts */

static struct {
	bool set;
	struct ks_probe_host h;
	char tracefs[PATH_MAX], root[PATH_MAX];
} given;

void ks_probe_set_host(const struct ks_probe_host *h)
{
	memset(&given, 0, sizeof(given));
	if (!h)
		return;
	given.set = true;
	given.h = *h;
	if (h->tracefs) {
		snprintf(given.tracefs, sizeof(given.tracefs), "%s", h->tracefs);
		given.h.tracefs = given.tracefs;
	}
	if (h->root) {
		snprintf(given.root, sizeof(given.root), "%s", h->root);
		given.h.root = given.root;
	}
}

const char *ks_kvm_backend_name(enum ks_kvm_backend be)
{
	switch (be) {
	case KS_KVM_DETECT: return "not detected";
	case KS_KVM_NONE: return "none";
	case KS_KVM_VMX: return "x86 VMX (kvm_intel)";
	case KS_KVM_SVM: return "x86 SVM (kvm_amd)";
	case KS_KVM_PVM: return "x86 PVM (kvm_pvm)";
	case KS_KVM_X86: return "x86";
	case KS_KVM_ARM64: return "arm64 native KVM";
	case KS_KVM_GUNYAH: return "arm64 KVM-on-Gunyah";
	default: return "unknown";
	}
}

/* ------------------------------------------------------ looking around */

static void pathf(const struct ks_disc *d, char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void pathf(const struct ks_disc *d, char *out, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	ks_path(out, len, "%s%s", d->root, rel);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Read a whole file (binary safe, NUL-terminated). NULL + errno on failure. */
static char *slurp(const char *p, size_t *lenp)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *b;

	if (fd < 0)
		return NULL;
	b = malloc(cap);
	while (b) {
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				errno = ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			free(b);
			b = NULL;
			errno = e;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (b) {
		b[n] = 0;
		if (lenp)
			*lenp = n;
	}
	return b;
}

bool ks_disc_has_event(const struct ks_disc *d, const char *sys, const char *ev)
{
	char p[PATH_MAX];
	ks_path(p, sizeof(p), "%s/events/%s/%s", d->tracing, sys, ev);
	return is_dir(p);
}

bool ks_disc_event_has_field(const struct ks_disc *d, const char *sys, const char *ev,
			     const char *field)
{
	char p[PATH_MAX];
	ks_path(p, sizeof(p), "%s/events/%s/%s/format", d->tracing, sys, ev);
	char *f = slurp(p, NULL);
	bool r = f && ks_kf_format_has_field(f, field);
	free(f);
	return r;
}

/* available_filter_functions: "name", "name [module]" or "name [module]\tops" lines. */
bool ks_disc_aff_readable(struct ks_disc *d)
{
	if (!d->aff_loaded) {
		char p[PATH_MAX];
		ks_path(p, sizeof(p), "%s/available_filter_functions", d->tracing);
		d->aff = slurp(p, NULL);
		d->aff_loaded = true;
	}
	return d->aff != NULL;
}

bool ks_disc_aff_has(struct ks_disc *d, const char *fn)
{
	return ks_disc_aff_readable(d) && ks_kf_aff_has(d->aff, fn);
}

/* The modules whose split BTF may hold a KVM function. */
static const char *const kvm_mods[] = { "kvm", "kvm_intel", "kvm_amd", "kvm_pvm", "gunyah",
					"gunyah_hypercall", "gunyah_vcpu", "gunyah_rsc_mgr", NULL };

const char *ks_disc_btf_func_home(struct ks_disc *d, const char *fn)
{
	char p[PATH_MAX];
	if (d->btf == KS_BTF_ABSENT)
		return NULL;
	if (!d->btf_loaded) {
		pathf(d, p, sizeof(p), "/sys/kernel/btf/vmlinux");
		d->btf_vmlinux = slurp(p, &d->btf_vmlinux_len);
		d->btf_loaded = true;
	}
	if (!d->btf_vmlinux)
		return NULL;
	if (ks_kf_btf_has_func(d->btf_vmlinux, d->btf_vmlinux_len, NULL, 0, fn))
		return "vmlinux";
	for (int i = 0; kvm_mods[i]; i++) {
		size_t len;
		pathf(d, p, sizeof(p), "/sys/kernel/btf/%s", kvm_mods[i]);
		char *m = slurp(p, &len);
		bool hit = m && ks_kf_btf_has_func(m, len, d->btf_vmlinux, d->btf_vmlinux_len, fn);
		free(m);
		if (hit)
			return kvm_mods[i];
	}
	return NULL;
}

bool ks_disc_fentry_ok(struct ks_disc *d, const char *fn, const char **home, char *why,
		       size_t len)
{
	*home = ks_disc_btf_func_home(d, fn);
	if (!*home) {
		snprintf(why, len, "%s is not in BTF (vmlinux, KVM modules)%s", fn,
			 d->btf == KS_BTF_ABSENT ? ": the kernel has no BTF" : "");
		return false;
	}
	if (!d->ksyms_loaded) {
		char p[PATH_MAX];
		pathf(d, p, sizeof(p), "/proc/kallsyms");
		d->ksyms = slurp(p, NULL);
		d->ksyms_loaded = true;
	}
	char variant[128];
	if (d->ksyms && !ks_kf_kallsyms_find(d->ksyms, fn, variant, sizeof(variant))) {
		if (variant[0])
			snprintf(why, len, "%s exists only as %s (a copy the compiler made with "
				 "another calling convention): fentry cannot attach to it", fn,
				 variant);
		else
			snprintf(why, len, "%s is in BTF but not in /proc/kallsyms (inlined?)", fn);
		return false;
	}
	return true;
}

bool ks_disc_x86(const struct ks_disc *d)
{
	return d->be == KS_KVM_VMX || d->be == KS_KVM_SVM || d->be == KS_KVM_X86;
}

/* ------------------------------------------------ the fallback detector */

static bool module_present(const struct ks_disc *d, const char *m)
{
	char p[PATH_MAX];
	pathf(d, p, sizeof(p), "/sys/module/%s", m);
	return is_dir(p);
}

/* The /hypervisor node says Gunyah: "qcom,gunyah-hypervisor" or
 * "gunyah-hypervisor", exactly or versioned (detect_arm64.c's rule). */
static bool gunyah_in_dt(const struct ks_disc *d)
{
	static const char *const gunyah[] = { "qcom,gunyah-hypervisor", "gunyah-hypervisor",
					      NULL };
	static const char *const where[] = { "/proc/device-tree/hypervisor/compatible",
					     "/sys/firmware/devicetree/base/hypervisor/compatible" };
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		char p[PATH_MAX];
		size_t len = 0;
		pathf(d, p, sizeof(p), "%s", where[i]);
		char *c = slurp(p, &len);
		if (!c)
			continue;
		bool r = ks_kf_compat_match(c, len, gunyah);
		free(c);
		return r;
	}
	return false;
}

static enum ks_kvm_backend detect_backend(const struct ks_disc *d)
{
	if (gunyah_in_dt(d))
		return KS_KVM_GUNYAH;
	if (module_present(d, "kvm_intel"))
		return KS_KVM_VMX;
	if (module_present(d, "kvm_amd"))
		return KS_KVM_SVM;
	if (module_present(d, "kvm_pvm"))
		return KS_KVM_PVM;
	if (ks_disc_has_event(d, "kvm", "kvm_exit")) {
		if (ks_disc_event_has_field(d, "kvm", "kvm_exit", "esr_ec"))
			return KS_KVM_ARM64;
		if (ks_disc_event_has_field(d, "kvm", "kvm_exit", "exit_reason"))
			return KS_KVM_X86;   /* vendor module not visible in /sys/module */
		return KS_KVM_UNKNOWN;
	}
	if (d->kvm_events || module_present(d, "kvm"))
		/* KVM without kvm_exit: the Gunyah port (no DT node visible?) or unknown */
		return ks_disc_has_event(d, "kvm", "kvm_hvc_arm64") ? KS_KVM_ARM64
								     : KS_KVM_UNKNOWN;
	return KS_KVM_NONE;
}

enum ks_kvm_backend ks_probe_host_backend(void)
{
	if (given.set && given.h.backend != KS_KVM_DETECT)
		return given.h.backend;
	struct ks_disc d;
	memset(&d, 0, sizeof(d));
	if (given.set && given.h.root)
		snprintf(d.root, sizeof(d.root), "%s", given.h.root);
	if (given.set && given.h.tracefs)
		snprintf(d.tracing, sizeof(d.tracing), "%s", given.h.tracefs);
	else if (ks_tracefs_locate(d.tracing, sizeof(d.tracing)) < 0)
		d.tracing[0] = 0;   /* no events to look at: modules and DT only */
	d.kvm_events = ks_disc_has_event(&d, "kvm", "kvm_userspace_exit") ||
		       ks_disc_has_event(&d, "kvm", "kvm_exit");
	return detect_backend(&d);
}

/* ------------------------------------------------------------ the plans */

void ks_plan_set(struct ks_probe_plan *p, bool avail, const char *start, const char *end)
{
	p->available = avail;
	snprintf(p->start_event, sizeof(p->start_event), "%s", start ? start : "");
	snprintf(p->end_event, sizeof(p->end_event), "%s", end ? end : "");
}

void ks_plan_why(struct ks_probe_plan *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

bool ks_disc_no_kvm(const struct ks_disc *d, struct ks_probe_plan *p)
{
	if (d->be != KS_KVM_NONE && d->kvm_events)
		return false;
	ks_plan_set(p, false, NULL, NULL);
	if (d->be == KS_KVM_NONE)
		ks_plan_why(p, "KVM is not loaded (no /sys/module/kvm, no kvm:* events)");
	else
		ks_plan_why(p, "no kvm:* trace events in this kernel (%s/events/kvm)", d->tracing);
	return true;
}

static int discover(const struct ks_probe_host *h, const char *probe,
		    struct ks_probe_plan *plan, enum ks_kvm_backend *backend)
{
	static const struct ks_probe_host none;
	struct ks_disc d;
	bool held = false;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	memset(&d, 0, sizeof(d));
	if (!h)
		h = given.set ? &given.h : &none;
	if (!probe) {
		snprintf(plan->why, sizeof(plan->why), "no probe named");
		return -EINVAL;
	}
	const struct ks_probe_desc *desc = ks_probe_desc_find(probe);
	plan->probe = desc ? desc->name : probe;
	if (h->root && *h->root)
		snprintf(d.root, sizeof(d.root), "%s", h->root);
	if (h->tracefs) {
		snprintf(d.tracing, sizeof(d.tracing), "%s", h->tracefs);
	} else if (d.root[0]) {
		ks_path(d.tracing, sizeof(d.tracing), "%s/sys/kernel/tracing", d.root);
	} else {
		char err[200];
		rc = ks_tracefs_acquire(d.tracing, sizeof(d.tracing), err, sizeof(err));
		if (rc < 0) {
			ks_plan_why(plan, "%s", err);
			return rc;
		}
		held = true;
	}
	d.btf = h->btf;
	d.functions = h->functions;
	d.kvm_events = ks_disc_has_event(&d, "kvm", "kvm_userspace_exit") ||
		       ks_disc_has_event(&d, "kvm", "kvm_exit");
	d.be = h->backend != KS_KVM_DETECT ? h->backend : detect_backend(&d);
	if (desc) {
		desc->plan(&d, plan);
		if (!d.root[0] && !h->untried)
			ks_probe_prove(plan);   /* this system: available only if it attaches */
	} else {
		ks_plan_why(plan, "unknown probe '%s'", probe);
		rc = -EINVAL;
	}
	if (held)
		ks_tracefs_release();
	if (backend)
		*backend = d.be;
	free(d.aff);
	free(d.btf_vmlinux);
	free(d.ksyms);
	return rc;
}

int ks_probe_discover_host(const struct ks_probe_host *h, const char *probe,
			   struct ks_probe_plan *plan)
{
	return discover(h, probe, plan, NULL);
}

int ks_probe_discover_at(const char *root, const char *probe, struct ks_probe_plan *plan,
			 enum ks_kvm_backend *backend)
{
	struct ks_probe_host h = { .root = root };
	return discover(&h, probe, plan, backend);
}

int ks_probe_discover(const char *probe, struct ks_probe_plan *plan)
{
	return discover(NULL, probe, plan, NULL);
}
