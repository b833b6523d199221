/* SPDX-License-Identifier: MIT */
/* Ping rounds into a guest-host clock offset (clock_ping.h). */
#include "clock_ping.h"
#include "bench.h"

#define ANSWER_NS 1000000000ULL   /* give up on one ping after 1 s */

static bool echoed(struct ks_mailbox *mb, uint64_t k, const volatile int *vcpu_finished)
{
	uint64_t t0 = ks_now_ns();

	while (__atomic_load_n(&mb->guest_seq, __ATOMIC_ACQUIRE) != k) {
		if ((vcpu_finished && *vcpu_finished) || ks_interrupted ||
		    ks_now_ns() - t0 > ANSWER_NS)
			return false;
		ks_arch.cpu_relax();
	}
	return true;
}

bool ks_clock_ping(struct ks_mailbox *mb, uint64_t *seq, const volatile int *vcpu_finished,
		   uint64_t rounds, uint64_t (*ticks)(void), struct ks_clock_sync *out)
{
	*out = (struct ks_clock_sync){ 0 };
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t k = ++*seq;
		uint64_t h0 = ticks();
		mb->host_seq = k;
		if (!echoed(mb, k, vcpu_finished))
			return false;
		uint64_t h1 = ticks();
		/* stored before guest_seq: the acquire in echoed() ordered it */
		uint64_t g = mb->guest_stamp;
		ks_clock_sync_round(out, h0, g, h1);
	}
	return true;
}
