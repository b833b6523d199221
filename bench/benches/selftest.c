/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the harness, not measurements (not in the default suite):
 * a guest that takes an exception must fail the run naming the vector and
 * PC; a guest that spins without exiting must be stopped by the watchdog;
 * a guest that corrupts its message channel (garbage ucall, hostile text,
 * an overwritten mailbox header) must fail with the corruption named.
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

static const struct ks_batch_spec spec_bad_ucall = {
	.gbench = KS_G_BAD_UCALL, .batch_size = 1, .batch_size_quick = 1,
	.batches = 1, .batches_quick = 1,
};
static const struct ks_batch_spec spec_bad_mailbox = {
	.gbench = KS_G_BAD_MAILBOX, .batch_size = 1, .batch_size_quick = 1,
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
const struct ks_bench ks_bench_selftest_bad_ucall = {
	.name = "selftest_badcall", .family = "selftest",
	.what = "guest prints escape sequences and binary, then rings the doorbell with a "
		"garbage ucall: the host must print the text escaped and name the corruption",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_bad_ucall,
};
const struct ks_bench ks_bench_selftest_bad_mailbox = {
	.name = "selftest_badmbox", .family = "selftest",
	.what = "guest overwrites the mailbox header (magic, ABI version, sample buffer): the "
		"host must name the corruption and never trust those fields",
	.available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_bad_mailbox,
};
