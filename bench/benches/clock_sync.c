/* SPDX-License-Identifier: MIT */
/* A guest counter against the host's, NTP-style (clock_sync.h). */
#include "clock_sync.h"
#include "bench.h"

#define ANSWER_NS 1000000000ULL   /* give up on one ping after 1 s */

static bool echoed(struct ks_mailbox *mb, uint64_t k, const volatile int *vcpu_finished)
{
	uint64_t t0 = ks_now_ns();

	while (mb->guest_seq != k) {
		if ((vcpu_finished && *vcpu_finished) || ks_interrupted ||
		    ks_now_ns() - t0 > ANSWER_NS)
			return false;
		ks_arch.cpu_relax();
	}
	return true;
}

bool ks_clock_sync(struct ks_mailbox *mb, uint64_t *seq, const volatile int *vcpu_finished,
		   uint64_t rounds, uint64_t (*ticks)(void), struct ks_clock_sync *out)
{
	out->best_rtt = UINT64_MAX;
	out->offset = 0;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t k = ++*seq;
		uint64_t h0 = ticks();
		mb->host_seq = k;
		if (!echoed(mb, k, vcpu_finished))
			return false;
		uint64_t h1 = ticks();
		uint64_t g = __atomic_load_n(&mb->guest_stamp, __ATOMIC_ACQUIRE);
		if (h1 - h0 < out->best_rtt) {
			out->best_rtt = h1 - h0;
			out->offset = (int64_t)(g - (h0 + (h1 - h0) / 2));
		}
	}
	return true;
}
