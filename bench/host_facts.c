/* SPDX-License-Identifier: MIT */
/* Host facts, collected once: see host_facts.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "host_facts.h"
#include "probe.h"   /* ks_tracefs_locate_at */

const char *const ks_kvm_modules[] = { "kvm", "kvm_amd", "kvm_intel", "kvm_pvm", NULL };
/* sized so that a longer list does not compile: module_loaded[] holds them */
const char *const ks_hyp_modules[KS_HYP_MODULES_MAX + 1] = {
	"kvm", "kvm_intel", "kvm_amd", "kvm_pvm", "gunyah", "gunyah_rsc_mgr", NULL };

#define MAX_PARAMS_PER_MODULE 128

struct at {
	const char *root;   /* "" for this system */
};

static void path_at(const struct at *a, char *out, size_t len, const char *path)
{
	snprintf(out, len, "%s%s", a->root, path);
}

static bool exists_at(const struct at *a, const char *path)
{
	char p[PATH_MAX];
	struct stat st;

	path_at(a, p, sizeof(p), path);
	return stat(p, &st) == 0;
}

/* First line of a small file, trailing newline stripped; "" if unreadable. */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	buf[0] = 0;
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

static void read_line_at(const struct at *a, const char *path, char *buf, size_t len)
{
	char p[PATH_MAX];

	path_at(a, p, sizeof(p), path);
	read_line(p, buf, len);
}

static void cpu_model(const struct at *a, char *buf, size_t len)
{
	char p[PATH_MAX], line[512];

	snprintf(buf, len, "unknown");
	path_at(a, p, sizeof(p), "/proc/cpuinfo");
	FILE *f = fopen(p, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* x86: "model name"; arm64: no model name, "CPU implementer"/"CPU part" */
		if (strncmp(line, "model name", 10) == 0) {
			char *c = strchr(line, ':');
			if (c) {
				c += 1 + (c[1] == ' ');
				c[strcspn(c, "\n")] = 0;
				snprintf(buf, len, "%s", c);
			}
			break;
		}
	}
	fclose(f);
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct ks_module_param *)x)->name,
		      ((const struct ks_module_param *)y)->name);
}

/*
 * Every parameter of the KVM modules that are loaded, as the kernel shows it
 * in /sys/module/<mod>/parameters/: a comparison must see that one side ran
 * with kvm_amd.npt=0 or kvm_intel.ept=0, not only the kvm.ko knobs.
 */
static void module_params(const struct at *a, struct ks_host_facts *f)
{
	for (int m = 0; ks_kvm_modules[m]; m++) {
		char rel[128], dir[PATH_MAX], p[PATH_MAX + 64];
		snprintf(rel, sizeof(rel), "/sys/module/%s/parameters", ks_kvm_modules[m]);
		path_at(a, dir, sizeof(dir), rel);
		DIR *d = opendir(dir);
		if (!d)
			continue;
		struct ks_module_param *np = realloc(f->params, (f->nparams + MAX_PARAMS_PER_MODULE) *
							       sizeof(*np));
		if (!np) {
			closedir(d);
			return;
		}
		f->params = np;
		struct ks_module_param *first = f->params + f->nparams;
		size_t n = 0;
		for (struct dirent *e; (e = readdir(d)) && n < MAX_PARAMS_PER_MODULE;) {
			if (e->d_name[0] == '.')
				continue;
			struct ks_module_param *q = &first[n++];
			snprintf(q->module, sizeof(q->module), "%s", ks_kvm_modules[m]);
			snprintf(q->name, sizeof(q->name), "%.63s", e->d_name);
		}
		closedir(d);
		/* sorted, so two files list them in the same order */
		qsort(first, n, sizeof(*first), by_name);
		for (size_t i = 0; i < n; i++) {
			snprintf(p, sizeof(p), "%s/%s", dir, first[i].name);
			read_line(p, first[i].value, sizeof(first[i].value));
		}
		f->nparams += n;
	}
}

static bool has_events(const struct at *a, const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/events", dir);
	return exists_at(a, p);
}

/* tracefs (where its events are; the words `kvmscope info` prints), BTF. */
static void tracing(const struct at *a, struct ks_tracing_facts *t)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char dir[PATH_MAX];
	/* located as probe discovery locates it (bpf/tracefs_mount.c) */
	int rc = ks_tracefs_locate_at(a->root, dir, sizeof(dir));
	bool unreadable = rc == -EACCES;

	if (rc == 0 && strlen(dir) < sizeof(t->dir))
		snprintf(t->dir, sizeof(t->dir), "%s", dir);
	for (size_t i = 0; rc == -ENOENT && i < sizeof(dirs) / sizeof(dirs[0]) && !t->dir[0]; i++)
		if (has_events(a, dirs[i]))   /* no mount table (a fixture root) */
			snprintf(t->dir, sizeof(t->dir), "%s", dirs[i]);
	if (t->dir[0])
		snprintf(t->state, sizeof(t->state), "mounted at %s", t->dir);
	else if (unreadable)
		snprintf(t->state, sizeof(t->state),
			 "mounted, but its events/ cannot be read by this user");
	else
		snprintf(t->state, sizeof(t->state), "%s", exists_at(a, "/sys/kernel/tracing") ?
			 "not mounted (mount -t tracefs nodev /sys/kernel/tracing)" : "not available");
	if (t->dir[0]) {
		char p[256];
		snprintf(p, sizeof(p), "%s/events/kvm", t->dir);
		t->kvm_events = exists_at(a, p);
	}
	t->btf_vmlinux = exists_at(a, "/sys/kernel/btf/vmlinux");
}

void ks_host_facts_collect(struct ks_host_facts *f, const char *root)
{
	struct at a = { .root = root ? root : "" };
	struct utsname u;
	char buf[64];

	memset(f, 0, sizeof(*f));
	gethostname(f->hostname, sizeof(f->hostname) - 1);
	if (uname(&u) == 0) {
		snprintf(f->kernel.sysname, sizeof(f->kernel.sysname), "%s", u.sysname);
		snprintf(f->kernel.release, sizeof(f->kernel.release), "%s", u.release);
		snprintf(f->kernel.version, sizeof(f->kernel.version), "%s", u.version);
	}
	read_line_at(&a, "/proc/cmdline", f->kernel.cmdline, sizeof(f->kernel.cmdline));
	cpu_model(&a, f->cpu.model, sizeof(f->cpu.model));
	f->cpu.online = sysconf(_SC_NPROCESSORS_ONLN);
	/* the CPU clock for cycle figures in reports; absent without cpufreq */
	read_line_at(&a, "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", buf, sizeof(buf));
	f->cpu.has_max_freq = buf[0] != 0;
	f->cpu.max_freq_khz = strtoull(buf, NULL, 10);
	read_line_at(&a, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", f->cpu.governor,
		     sizeof(f->cpu.governor));
	snprintf(f->backend.name, sizeof(f->backend.name), "%s", ks_backend_name(KS_BACKEND_UNKNOWN));
	for (int i = 0; ks_hyp_modules[i] && i < KS_HYP_MODULES_MAX; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "/sys/module/%s", ks_hyp_modules[i]);
		f->module_loaded[i] = exists_at(&a, rel);
	}
	tracing(&a, &f->tracing);
	read_line_at(&a, "/sys/devices/system/clocksource/clocksource0/current_clocksource",
		     f->clocksource, sizeof(f->clocksource));
	read_line_at(&a, "/sys/kernel/mm/transparent_hugepage/enabled", f->memory.thp_enabled,
		     sizeof(f->memory.thp_enabled));
	f->memory.page_size = sysconf(_SC_PAGESIZE);
	module_params(&a, f);
}

void ks_host_facts_free(struct ks_host_facts *f)
{
	free(f->params);
	f->params = NULL;
	f->nparams = 0;
}

bool ks_host_facts_module(const struct ks_host_facts *f, const char *name)
{
	for (int i = 0; ks_hyp_modules[i] && i < KS_HYP_MODULES_MAX; i++)
		if (!strcmp(ks_hyp_modules[i], name))
			return f->module_loaded[i];
	return false;
}

const char *ks_host_facts_param(const struct ks_host_facts *f, const char *module,
				const char *name)
{
	for (size_t i = 0; i < f->nparams; i++)
		if (!strcmp(f->params[i].module, module) && !strcmp(f->params[i].name, name))
			return f->params[i].value;
	return NULL;
}
