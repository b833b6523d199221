/* SPDX-License-Identifier: MIT */
/* Shared by the benchmark files: availability checks that explain themselves. */
#ifndef KS_BENCHES_H
#define KS_BENCHES_H

#include "bench.h"

bool ks_avail_kvm(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_irqchip(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_ioeventfd(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_guest_gic(const struct ks_bench *b, const struct ks_host *h, char *why, size_t len);
bool ks_avail_memory_after_start(const struct ks_host *h, char *why, size_t len);
bool ks_avail_vcpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_host_cpus(const struct ks_host *h, int n, char *why, size_t len);
bool ks_avail_cap(const struct ks_host *h, long cap, const char *name, char *why, size_t len);

/*
 * A one-way result and its round trip (ipi, vm_switch), at the end of a
 * record hook: r takes `raw` (n signed counter readings, one per operation;
 * r owns it from the call on, also on failure) and a new result `rtt_name`
 * the round trips, `rtt_ticks` converted to ns. r must not be used after.
 */
int ks_oneway_with_rtt(struct ks_run *run, struct ks_result *r, uint64_t *raw,
		       const uint64_t *rtt_ticks, size_t n, const char *rtt_name,
		       const char *rtt_what);

/* An exit-count expectation names an arch stat field (ks_arch_ops). */
#define STAT(field) (&ks_arch.field)

#endif
