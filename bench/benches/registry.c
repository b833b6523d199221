/* SPDX-License-Identifier: MIT */
/* The benchmark table, in the order the default suite runs it. */
#include <string.h>

#include "benches.h"

const struct ks_bench *const ks_benches[] = {
	&ks_bench_empty,
	&ks_bench_pio_out_user,
	&ks_bench_pio_in_user,
	&ks_bench_mmio_write_user,
	&ks_bench_mmio_read_user,
	&ks_bench_outl_to_kernel,
	&ks_bench_mmio_write_kernel,
	&ks_bench_inb_from_kernel,
	&ks_bench_mmio_read_lapic,
	&ks_bench_mmio_read_vgic,
	&ks_bench_cpuid,
	&ks_bench_rdmsr,
	&ks_bench_hyp_call,
	&ks_bench_irqfd,
	&ks_bench_irqfd_halted,
	&ks_bench_ipi,
	&ks_bench_mem_lend,
	&ks_bench_mem_lend_gmem,
	&ks_bench_probe_overhead,
	&ks_bench_selftest_fault,
	&ks_bench_selftest_hang,
	&ks_bench_selftest_bad_ucall,
	&ks_bench_selftest_bad_mailbox,
};
const size_t ks_benches_count = sizeof(ks_benches) / sizeof(ks_benches[0]);

const struct ks_bench *ks_bench_find(const char *name)
{
	for (size_t i = 0; i < ks_benches_count; i++)
		if (strcmp(ks_benches[i]->name, name) == 0)
			return ks_benches[i];
	return NULL;
}
