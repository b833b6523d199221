/* SPDX-License-Identifier: MIT */
/*
 * Exits to userspace: the full round trip guest -> KVM -> kvmscope's run
 * loop (a null device) -> KVM -> guest, for port I/O and MMIO, both ways.
 * The host also times each round trip between consecutive KVM_RUN returns.
 */
#include "benches.h"

#define USER_EXIT_SPEC(stat)                                              \
	{                                                                 \
		.batch_size = 8, .batch_size_quick = 8,                   \
		.batches = 1000, .batches_quick = 100,                    \
		.host_round_trips = true,                                 \
		.expect = { { STAT(stat), 1 },                            \
			    { STAT(stat_all_exits), 1 } },                \
	}

static const struct ks_batch_spec spec_pio = USER_EXIT_SPEC(stat_pio_exits);
static const struct ks_batch_spec spec_mmio = USER_EXIT_SPEC(stat_mmio_exits);

KS_BENCH(pio_out_user,
	.name = "pio_out_user", .family = "exit_user", .order = 200, .in_default = true,
	.what = "OUT to a port the VMM emulates: KVM_EXIT_IO round trip through userspace",
	.routine = "pio_out", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_pio);

KS_BENCH(pio_in_user,
	.name = "pio_in_user", .family = "exit_user", .order = 210, .in_default = true,
	.what = "IN from a port the VMM emulates: KVM_EXIT_IO round trip with data returned",
	.routine = "pio_in", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_pio);

KS_BENCH(mmio_write_user,
	.name = "mmio_write_user", .family = "exit_user", .order = 220, .in_default = true,
	.what = "store to a GPA with no memslot: KVM_EXIT_MMIO round trip through userspace",
	.routine = "mmio_write", .available = ks_avail_kvm, .run = ks_run_batch,
	.spec = &spec_mmio);

KS_BENCH(mmio_read_user,
	.name = "mmio_read_user", .family = "exit_user", .order = 230, .in_default = true,
	.what = "load from a GPA with no memslot: KVM_EXIT_MMIO round trip with data returned",
	.routine = "mmio_read", .available = ks_avail_kvm, .run = ks_run_batch,
	.spec = &spec_mmio);
