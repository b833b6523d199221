/* SPDX-License-Identifier: MIT */
/*
 * The harness's own cost: a batch whose loop body is empty, timed exactly
 * like every other batch. Every figure can be read against it.
 */
#include "benches.h"

static const struct ks_batch_spec spec_empty = {
	.batch_size = 1000, .batch_size_quick = 1000,
	.batches = 2000, .batches_quick = 200,
	.expect = { { STAT(stat_all_exits), 0 } },
};

KS_BENCH(empty,
	.name = "empty", .family = "harness", .order = 100, .in_default = true,
	.what = "one iteration of the guest timing loop with no operation (no exit)",
	.routine = "empty", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_empty);
