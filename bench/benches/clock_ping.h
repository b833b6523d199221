/* SPDX-License-Identifier: MIT */
/*
 * Ping rounds through the mailbox (host_seq -> the guest's serve-ping loop
 * stamps guest_stamp and echoes guest_seq), each added to a ks_clock_sync
 * (bench/clock_sync.h: the offset as the intersection of the rounds'
 * intervals, its error half the intersection's width). The guest spins in
 * its ping loop on one CPU while the host pings from another, so a round
 * trip is two cache-line transfers, not two exits. For a guest whose vCPU
 * runs on a kvmscope vCPU thread, irqfd.c pings through that thread's
 * progress-judged waits instead; this one waits 1 s of wall clock per ping.
 */
#ifndef KS_CLOCK_PING_H
#define KS_CLOCK_PING_H

#include <stdbool.h>
#include <stdint.h>

#include "clock_sync.h"
#include "ks_guest_abi.h"

/*
 * `rounds` pings (sequence numbers from *seq) into a fresh *out; false when
 * the guest did not answer within 1 s, when *vcpu_finished (NULL: not
 * watched) says its vCPU stopped, or on SIGINT/SIGTERM.
 */
bool ks_clock_ping(struct ks_mailbox *mb, uint64_t *seq, const volatile int *vcpu_finished,
		   uint64_t rounds, uint64_t (*ticks)(void), struct ks_clock_sync *out);

#endif
