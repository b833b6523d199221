/* SPDX-License-Identifier: MIT */
/* Shared by the benchmark files: availability checks that explain themselves. */
#ifndef KS_BENCHES_H
#define KS_BENCHES_H

#include "bench.h"

bool ks_avail_kvm(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_irqchip(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_guest_gic(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_memory_after_start(const struct ks_host *h, char *why, size_t len);
bool ks_avail_vcpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_host_cpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_cap(const struct ks_host *h, long cap, const char *name, char *why, size_t len);

/* An exit-count expectation names an arch stat field (ks_arch_ops). */
#define STAT(field) (&ks_arch.field)

#endif
