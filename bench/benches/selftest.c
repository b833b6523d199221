/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the harness, not measurements (not in the default suite):
 * a guest that takes an exception must fail the run naming the vector and
 * PC; a guest that spins without exiting must be stopped by the watchdog.
 */
#include "benches.h"

static const struct ks_batch_spec spec_fault = {
	.gbench = KS_G_FAULT, .batch_size = 1, .batch_size_quick = 1,
	.batches = 1, .batches_quick = 1,
};
static const struct ks_batch_spec spec_hang = {
	.gbench = KS_G_HANG, .batch_size = 1, .batch_size_quick = 1,
	.batches = 1, .batches_quick = 1,
};

const struct ks_bench ks_bench_selftest_fault = {
	.name = "selftest_fault", .family = "selftest",
	.what = "guest executes UD2: the run must fail with the vector and guest PC",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_fault,
};
const struct ks_bench ks_bench_selftest_hang = {
	.name = "selftest_hang", .family = "selftest",
	.what = "guest spins forever without exiting: the watchdog must stop it",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_hang,
};
