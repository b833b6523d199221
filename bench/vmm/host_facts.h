/* SPDX-License-Identifier: MIT */
/*
 * Host facts: what this machine is, detected once per process and shared by
 * everything that reports or depends on it: `kvmscope info`, the results
 * file's "environment" (one writer for both: bench/host_json.c) and probe
 * discovery (bpf/discover.c can take it as its input instead of looking
 * again: see the report of the change that added this module).
 *
 * ks_host_facts_collect() reads files only (the kernel, the CPU, tracefs and
 * BTF, the KVM modules' parameters, the clock source, memory settings); the
 * backend needs /dev/kvm and a guest, so ks_host_probe() (bench/host.c)
 * fills `backend` through the arch's detect_backend. Nothing here changes
 * after that: a long run writes the environment it started in.
 */
#ifndef KS_HOST_FACTS_H
#define KS_HOST_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend_id.h"

/*
 * What a backend can do, as far as benchmarks care. Benchmarks decide
 * availability from these, never from a backend's name, so a new backend
 * only has to describe itself here.
 */
struct ks_backend_limits {
	int max_vcpus;            /* 0: no limit known */
	bool no_irqchip;          /* no in-kernel interrupt controller */
	bool gic_in_hypervisor;   /* the hypervisor emulates a GIC the guest programs
				     itself, at the VMM's addresses (Gunyah) */
	bool no_ioeventfd;        /* ioeventfd advertised but not wired up */
	bool irqfd_is_doorbell;   /* irqfd GSIs are doorbell labels: no routing */
	bool memory_at_start;     /* memory can be given only before the VM starts */
	bool no_spurious_eoi;     /* an EOI of INTID 1023 crashes the hypervisor's GIC */
	bool halt_wakeup_lost;    /* a vCPU halted in WFI may miss an irqfd's wake-up */
	char why[200];            /* the backend's reason, for "not supported" */
};

/* What is behind /dev/kvm, as far as the host can tell. */
struct ks_backend_info {
	enum ks_backend_id id;
	char name[32];        /* ks_backend_name(id): vmx, svm, pvm, kvm-vhe, kvm-gunyah, gunyah, ... */
	char front[16];       /* the interface driven: "kvm" (/dev/kvm) or "gunyah" (/dev/gunyah) */
	char device[64];      /* the device node */
	char detail[600];     /* how it was decided */
	uint32_t guest_backend;   /* enum ks_gbackend: what the guest is told */
	struct ks_backend_limits limits;
	bool nested;          /* the host itself runs under a hypervisor */
	char hypervisor[64];  /* the host's own hypervisor, if any */
	char guest_seen[128]; /* what an identify guest reported (UID, signature) */
};

/* tracefs and BTF, as found (before kvmscope mounted or changed anything);
 * tracefs located from /proc/mounts as probe discovery locates it. */
struct ks_tracing_facts {
	char dir[128];        /* the tracing directory with events/, "" if none */
	char state[160];      /* "mounted at /sys/kernel/tracing", "not mounted (...)", ... */
	bool kvm_events;      /* events/kvm/ is there */
	bool btf_vmlinux;     /* /sys/kernel/btf/vmlinux: kernel BTF for CO-RE and fentry */
};

/* The hypervisor modules whose presence is recorded (NULL-terminated):
 * KVM's, its vendor backends', Gunyah's. */
extern const char *const ks_hyp_modules[];
#define KS_HYP_MODULES_MAX 8

/* One parameter of a loaded KVM module (/sys/module/<module>/parameters/). */
struct ks_module_param {
	char module[16];
	char name[64];
	char value[256];
};

struct ks_host_facts {
	char hostname[256];
	struct {
		char sysname[65], release[65], version[65];
		char cmdline[4096];    /* /proc/cmdline */
	} kernel;
	struct {
		char model[256];       /* "unknown" where /proc/cpuinfo names none */
		long online;
		bool has_max_freq;     /* cpufreq gives the maximum: */
		uint64_t max_freq_khz;
		char governor[64];     /* cpufreq; "": none */
	} cpu;
	struct ks_backend_info backend;
	bool module_loaded[KS_HYP_MODULES_MAX];   /* per ks_hyp_modules[]: /sys/module/<name> */
	struct ks_tracing_facts tracing;
	char clocksource[64];          /* the host's current clocksource */
	struct {
		char thp_enabled[128];
		long page_size;
	} memory;
	/* every parameter of the loaded modules in ks_kvm_modules[], by module
	 * in that order, then by name */
	struct ks_module_param *params;
	size_t nparams;
};

/* The KVM modules whose parameters are recorded (NULL-terminated). */
extern const char *const ks_kvm_modules[];

/*
 * Fill *f from the files under `root` (NULL or "": this system; a fixture
 * directory in tests) and the running system's uname, hostname and CPU
 * count. Never fails: what cannot be read stays empty. Leaves f->backend
 * zeroed (unknown). Free with ks_host_facts_free.
 */
void ks_host_facts_collect(struct ks_host_facts *f, const char *root);
void ks_host_facts_free(struct ks_host_facts *f);

/* Is hypervisor module `name` (one of ks_hyp_modules[]) loaded? */
bool ks_host_facts_module(const struct ks_host_facts *f, const char *name);
/* A parameter's value, NULL if the module or parameter was not there. */
const char *ks_host_facts_param(const struct ks_host_facts *f, const char *module,
				const char *name);

#endif
