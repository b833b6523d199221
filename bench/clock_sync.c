/* SPDX-License-Identifier: MIT */
/* The guest-host counter offset from ping rounds: see clock_sync.h. */
#include "clock_sync.h"

bool ks_clock_sync_round(struct ks_clock_sync *s, uint64_t h0, uint64_t g, uint64_t h1)
{
	/* counters are compared modulo 2^64: differences, never absolute values */
	int64_t lo = (int64_t)(g - h1), hi = (int64_t)(g - h0);

	s->rounds++;
	if (!s->have) {
		s->lo = lo;
		s->hi = hi;
		s->have = true;
		return true;
	}
	if (lo > s->hi || hi < s->lo) {
		uint64_t jump = lo > s->hi ? (uint64_t)(lo - s->hi) : (uint64_t)(s->lo - hi);
		if (jump > s->max_jump)
			s->max_jump = jump;
		s->resets++;
		s->lo = lo;
		s->hi = hi;
		return false;
	}
	if (lo > s->lo)
		s->lo = lo;
	if (hi < s->hi)
		s->hi = hi;
	return true;
}

int64_t ks_clock_sync_offset(const struct ks_clock_sync *s)
{
	/* lo + (hi - lo) / 2 without overflow; hi >= lo always */
	return s->lo + (int64_t)((uint64_t)(s->hi - s->lo) / 2);
}

uint64_t ks_clock_sync_error(const struct ks_clock_sync *s)
{
	uint64_t w = (uint64_t)(s->hi - s->lo);
	return w / 2 + (w & 1);
}

int64_t ks_clock_sync_one_way(const struct ks_clock_sync *s, uint64_t h, uint64_t g,
			      bool *contradicts)
{
	int64_t d = (int64_t)(g - h);

	*contradicts = d < s->lo;
	return d - ks_clock_sync_offset(s);
}
