/* SPDX-License-Identifier: MIT */
/*
 * The offset between the guest's counter and the host's (guest ticks -
 * host ticks), bounded by ping rounds, NTP style: the host stamps h0, pings,
 * the guest stamps g, the host sees the echo and stamps h1. The guest's
 * stamp happened between the host's two, so h0 <= g - offset <= h1: the
 * offset lies in [g - h1, g - h0]. A constant offset lies in every round's
 * interval, so the intersection of all of them bounds it as tightly as the
 * best round ever did, however slow the later rounds are (a busy host makes
 * rounds slow, never wrong). When the intersection becomes empty, the
 * offset moved (a vCPU migrated to a CPU whose counter differs, a counter
 * that drifts): it restarts from the new round and the move is counted.
 *
 * The estimate is the middle of the interval, its error bound half the
 * interval's width. A one-way time from a host stamp h (before the event)
 * to a guest stamp g (after it) is g - offset - h; if g - h is below the
 * interval's low end, the guest saw the event before the host caused it on
 * every offset the rounds allow: the sample contradicts the calibration.
 */
#ifndef KS_CLOCK_SYNC_H
#define KS_CLOCK_SYNC_H

#include <stdbool.h>
#include <stdint.h>

struct ks_clock_sync {
	bool have;           /* at least one round */
	int64_t lo, hi;      /* the offset lies in [lo, hi] (ticks) */
	uint64_t rounds;
	uint64_t resets;     /* the intersection became empty: the offset moved */
	uint64_t max_jump;   /* the largest move seen: gap between old and new interval */
};

/* Add one round (host h0 <= guest g <= host h1 in real time). false when it
 * contradicted the intersection so far, which restarted from it. */
bool ks_clock_sync_round(struct ks_clock_sync *s, uint64_t h0, uint64_t g, uint64_t h1);
/* The offset's estimate (the middle) and its error bound (half the width,
 * rounded up), in ticks. */
int64_t ks_clock_sync_offset(const struct ks_clock_sync *s);
uint64_t ks_clock_sync_error(const struct ks_clock_sync *s);
/* The one-way time from host stamp h to guest stamp g, in ticks (may be < 0
 * within the error bound); *contradicts when g - h < lo (see above). */
int64_t ks_clock_sync_one_way(const struct ks_clock_sync *s, uint64_t h, uint64_t g,
			      bool *contradicts);

#endif
