/* SPDX-License-Identifier: MIT */
/* A session: one fresh VM with the guest loaded and one vCPU, per benchmark. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "bench.h"
#include "fault_inject.h"

int ks_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0 ? 0 : -1;
}

uint64_t ks_default_batches(const struct ks_ctx *c, uint64_t normal, uint64_t quick)
{
	if (c->opts->samples)
		return c->opts->samples;
	return c->opts->quick ? quick : normal;
}

int ks_session_open(struct ks_ctx *c, struct ks_session *s, const char *routine, bool irqchip,
		    int nvcpus)
{
	memset(s, 0, sizeof(*s));
	if (ks_vm_create(&c->host->kvm, &s->vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		return -1;
	}
	s->vm_open = true;
	ks_fault_point("vm_setup");   /* test hook: a signal while the VM is being built */
	s->vm.guest_backend = c->host->facts.backend.guest_backend;
	if (ks_vm_load_guest(&s->vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		goto fail;
	}
	int index = ks_vm_routine(&s->vm, routine);
	if (index < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		goto fail;
	}
	/*
	 * arm64 (irqchip_always): every real VMM creates the vGIC, and KVM runs a
	 * VM without one as a "userspace irqchip" VM: every exit, even an HVC KVM
	 * answers itself, also runs kvm_timer_should_notify_user() and
	 * kvm_timer_sync_user() -> irq_set_irqchip_state() (an MMIO write to the
	 * GIC redistributor), and under nVHE each world switch flips ICC_SRE_EL1
	 * (__vgic_v3_activate_traps). Measured in the arm64 testbed: +417
	 * emulated instructions per HVC exit (VHE), +440 (nVHE), 1.18x
	 * kvm-unit-tests' hvc; with the vGIC 1.00x (results/README.md). A backend
	 * without an in-kernel irqchip (KVM-on-Gunyah) gets none.
	 */
	if (!irqchip && s->vm.arch->irqchip_always && !c->host->facts.backend.limits.no_irqchip)
		irqchip = true;
	/* the hypervisor's own GIC (Gunyah) stands in for an in-kernel one */
	if (irqchip && c->host->facts.backend.limits.no_irqchip &&
	    c->host->facts.backend.limits.gic_in_hypervisor)
		irqchip = false;
	/* The irqchip must exist before the vCPU (x86: the LAPIC comes with it). */
	if (irqchip && ks_vm_create_irqchip(&s->vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		goto fail;
	}
	if (ks_vcpu_create(&s->vm, &s->vcpu, 0) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vcpu.err);
		goto fail;
	}
	s->vcpu_open = true;
	if (nvcpus > 1) {
		if (ks_vcpu_create(&s->vm, &s->vcpu1, 1) < 0) {
			snprintf(c->err, sizeof(c->err), "%s", s->vcpu1.err);
			goto fail;
		}
		s->vcpu1_open = true;
	}
	if (irqchip && s->vm.arch->irqchip_ready(&s->vm) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", s->vm.err);
		goto fail;
	}
	/* every vCPU's interrupt controller accepts interrupts (x86: LAPIC enabled) */
	struct ks_vcpu *vcpus[] = { &s->vcpu, s->vcpu1_open ? &s->vcpu1 : NULL };
	for (size_t i = 0; irqchip && i < 2 && vcpus[i]; i++) {
		if (s->vm.arch->irq_setup_vcpu(vcpus[i]) < 0) {
			snprintf(c->err, sizeof(c->err), "%s", vcpus[i]->err);
			goto fail;
		}
	}
	s->vm.mb->routine = (uint32_t)index;
	return 0;
fail:
	ks_session_close(s);
	return -1;
}

int ks_session_eventfd(struct ks_ctx *c, struct ks_session *s)
{
	if (s->nefd >= (int)(sizeof(s->efd) / sizeof(s->efd[0]))) {
		snprintf(c->err, sizeof(c->err), "too many eventfds in one session");
		return -1;
	}
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0) {
		snprintf(c->err, sizeof(c->err), "eventfd: %s", strerror(errno));
		return -1;
	}
	s->efd[s->nefd++] = fd;
	return fd;
}

void ks_session_close(struct ks_session *s)
{
	for (int i = 0; i < s->nefd; i++)
		close(s->efd[i]);
	s->nefd = 0;
	if (s->vcpu1_open)
		ks_vcpu_destroy(&s->vcpu1);
	if (s->vcpu_open)
		ks_vcpu_destroy(&s->vcpu);
	if (s->vm_open)
		ks_vm_destroy(&s->vm);
	s->vcpu1_open = s->vcpu_open = s->vm_open = false;
}
