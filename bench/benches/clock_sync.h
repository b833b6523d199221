/* SPDX-License-Identifier: MIT */
/*
 * A guest counter against the host's, NTP-style, through the mailbox ping
 * (host_seq -> the guest's serve-ping loop stamps guest_stamp and echoes
 * guest_seq): offset = guest stamp - midpoint of the host's round trip, and
 * it is wrong by at most half that round trip; the best of `rounds` is kept.
 * The guest spins in its ping loop on one CPU while the host pings from
 * another, so a round trip is two cache-line transfers, not two exits.
 * irqfd.c does the same with its own copy (to be folded into this one).
 */
#ifndef KS_CLOCK_SYNC_H
#define KS_CLOCK_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "ks_guest_abi.h"

struct ks_clock_sync {
	int64_t offset;       /* guest ticks - host ticks */
	uint64_t best_rtt;    /* ticks: the offset's error is at most half of it */
};

/*
 * Ping `rounds` times (sequence numbers from *seq); false when the guest did
 * not answer within 1 s, when *vcpu_finished (NULL: not watched) says its
 * vCPU stopped, or on SIGINT/SIGTERM.
 */
bool ks_clock_sync(struct ks_mailbox *mb, uint64_t *seq, const volatile int *vcpu_finished,
		   uint64_t rounds, uint64_t (*ticks)(void), struct ks_clock_sync *out);

#endif
