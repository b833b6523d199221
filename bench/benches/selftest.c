/* SPDX-License-Identifier: MIT */
/*
 * Self-tests of the harness, not measurements (not in the default suite):
 * a guest that takes an exception must fail the run naming the vector and
 * PC; a guest that spins without exiting must be stopped by the watchdog;
 * a guest that corrupts its message channel (garbage ucall, hostile text,
 * an overwritten mailbox header) must fail with the corruption named.
 */
#include "benches.h"

/* One batch of one operation: the guest fails (or hangs) before it matters. */
static const struct ks_batch_spec spec_once = {
	.batch_size = 1, .batch_size_quick = 1,
	.batches = 1, .batches_quick = 1,
};

KS_BENCH(selftest_fault,
	.name = "selftest_fault", .family = "selftest", .order = 900,
	.what = "guest executes UD2: the run must fail with the vector and guest PC",
	.routine = "fault", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_once);

KS_BENCH(selftest_hang,
	.name = "selftest_hang", .family = "selftest", .order = 910,
	.what = "guest spins forever without exiting: the watchdog must stop it",
	.routine = "hang", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_once);

KS_BENCH(selftest_bad_ucall,
	.name = "selftest_badcall", .family = "selftest", .order = 920,
	.what = "guest prints escape sequences and binary, then rings the doorbell with a "
		"garbage ucall: the host must print the text escaped and name the corruption",
	.routine = "bad_ucall", .available = ks_avail_kvm, .run = ks_run_batch, .spec = &spec_once);

KS_BENCH(selftest_bad_mailbox,
	.name = "selftest_badmbox", .family = "selftest", .order = 930,
	.what = "guest overwrites the mailbox header (magic, ABI version, sample buffer): the "
		"host must name the corruption and never trust those fields",
	.routine = "bad_mailbox", .available = ks_avail_kvm, .run = ks_run_batch,
	.spec = &spec_once);
