/* SPDX-License-Identifier: MIT */
/* Internal to the benchmark table. */
#ifndef KS_BENCHES_H
#define KS_BENCHES_H

#include "bench.h"

bool ks_avail_kvm(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_pio(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_x86(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_irqchip(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_vcpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_host_cpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_cap(const struct ks_host *h, long cap, const char *name, char *why, size_t len);

#define STAT(field) (&ks_arch.field)

extern const struct ks_bench ks_bench_empty;
extern const struct ks_bench ks_bench_pio_out_user, ks_bench_pio_in_user,
	ks_bench_mmio_write_user, ks_bench_mmio_read_user;
extern const struct ks_bench ks_bench_outl_to_kernel, ks_bench_mmio_write_kernel,
	ks_bench_inb_from_kernel, ks_bench_cpuid, ks_bench_rdmsr, ks_bench_mmio_read_vgic,
	ks_bench_mmio_read_lapic;
extern const struct ks_bench ks_bench_hyp_call;
extern const struct ks_bench ks_bench_irqfd, ks_bench_irqfd_halted, ks_bench_ipi;
extern const struct ks_bench ks_bench_mem_lend, ks_bench_mem_lend_gmem;
extern const struct ks_bench ks_bench_selftest_fault, ks_bench_selftest_hang;
extern const struct ks_bench ks_bench_selftest_bad_ucall, ks_bench_selftest_bad_mailbox;
extern const struct ks_bench ks_bench_probe_overhead;   /* not in the default suite */

#endif
