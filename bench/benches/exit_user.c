/* SPDX-License-Identifier: MIT */
/*
 * Exits to userspace: the full round trip guest -> KVM -> kvmscope's run
 * loop (a null device) -> KVM -> guest, for port I/O and MMIO, both ways.
 * The host also times each round trip between consecutive KVM_RUN returns.
 */
#include "benches.h"

#define USER_EXIT_SPEC(gb, stat)                                          \
	{                                                                 \
		.gbench = gb, .batch_size = 8, .batch_size_quick = 8,     \
		.batches = 1000, .batches_quick = 100,                    \
		.host_round_trips = true,                                 \
		.expect = { { STAT(stat), 1 },                     \
			    { STAT(stat_all_exits), 1 } },          \
	}

static const struct ks_batch_spec spec_pio_out = USER_EXIT_SPEC(KS_G_PIO_OUT, stat_pio_exits);
static const struct ks_batch_spec spec_pio_in = USER_EXIT_SPEC(KS_G_PIO_IN, stat_pio_exits);
static const struct ks_batch_spec spec_mmio_write = USER_EXIT_SPEC(KS_G_MMIO_WRITE, stat_mmio_exits);
static const struct ks_batch_spec spec_mmio_read = USER_EXIT_SPEC(KS_G_MMIO_READ, stat_mmio_exits);

const struct ks_bench ks_bench_pio_out_user = {
	.name = "pio_out_user", .family = "exit_user", .in_default = true,
	.what = "OUT to a port the VMM emulates: KVM_EXIT_IO round trip through userspace",
	.available = ks_avail_pio, .run = ks_run_batch, .spec = &spec_pio_out,
};
const struct ks_bench ks_bench_pio_in_user = {
	.name = "pio_in_user", .family = "exit_user", .in_default = true,
	.what = "IN from a port the VMM emulates: KVM_EXIT_IO round trip with data returned",
	.available = ks_avail_pio, .run = ks_run_batch, .spec = &spec_pio_in,
};
const struct ks_bench ks_bench_mmio_write_user = {
	.name = "mmio_write_user", .family = "exit_user", .in_default = true,
	.what = "store to a GPA with no memslot: KVM_EXIT_MMIO round trip through userspace",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_mmio_write,
};
const struct ks_bench ks_bench_mmio_read_user = {
	.name = "mmio_read_user", .family = "exit_user", .in_default = true,
	.what = "load from a GPA with no memslot: KVM_EXIT_MMIO round trip with data returned",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_mmio_read,
};
