/* SPDX-License-Identifier: MIT */
/*
 * The guest-host clock offset from ping rounds (bench/clock_sync.c): the
 * intersection of the rounds' intervals keeps the best bound however slow
 * later rounds are, restarts when the offset moves (counted, with how far),
 * and a one-way sample below the interval contradicts it. The rounds are
 * synthetic: a guest counter `off` ticks ahead of the host's, answers
 * stamped anywhere inside each round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock_sync.h"

/* One round: host sends at h0, the guest stamps at host time h0 + a (its
 * counter then reads h0 + a + off), the echo comes back at h0 + rtt. */
static bool round_at(struct ks_clock_sync *s, uint64_t h0, uint64_t a, uint64_t rtt, int64_t off)
{
	return ks_clock_sync_round(s, h0, h0 + a + (uint64_t)off, h0 + rtt);
}

static void test_slow_rounds_never_widen(void **state)
{
	struct ks_clock_sync s = { 0 };
	const int64_t off = -25;   /* PVM here: guest TSC 25 ticks behind the host's */

	assert_true(round_at(&s, 1000, 70, 150, off));          /* a fast round: +-75 */
	assert_int_equal(ks_clock_sync_error(&s), 75);
	/* a busy host: rounds of 26 ms (54 M ticks), the guest answering anywhere */
	for (uint64_t k = 0; k < 100; k++)
		assert_true(round_at(&s, 2000000 + k * 60000000, (k * 7919) % 54000000, 54000000, off));
	/* never wider than the fast round's (one answered at once may even tighten it) */
	uint64_t e = ks_clock_sync_error(&s);
	assert_true(e <= 75);
	int64_t est = ks_clock_sync_offset(&s);
	assert_true(est - (int64_t)e <= off && off <= est + (int64_t)e);
	assert_int_equal(s.resets, 0);
	/* rounds that agree only tighten it */
	assert_true(round_at(&s, 9000000000ULL, 10, 40, off));
	assert_true(ks_clock_sync_error(&s) <= 20);
	est = ks_clock_sync_offset(&s);
	assert_true(est - 20 <= off && off <= est + 20);
}

static void test_moved_offset_restarts(void **state)
{
	struct ks_clock_sync s = { 0 };

	assert_true(round_at(&s, 1000, 50, 100, 0));
	assert_true(round_at(&s, 5000, 50, 100, 0));
	/* the offset jumps by 10000 ticks: no interval agrees with the old one */
	assert_false(round_at(&s, 9000, 50, 100, 10000));
	assert_int_equal(s.resets, 1);
	assert_true(s.max_jump >= 10000 - 200 && s.max_jump <= 10000);
	int64_t est = ks_clock_sync_offset(&s);
	assert_true(est - 50 <= 10000 && 10000 <= est + 50);
	assert_true(round_at(&s, 13000, 20, 100, 10000));      /* and it holds again */
	assert_int_equal(s.rounds, 4);
}

static void test_one_way_and_contradiction(void **state)
{
	struct ks_clock_sync s = { 0 };
	const int64_t off = 1000000;
	bool contra;

	assert_true(round_at(&s, 0, 40, 100, off));   /* offset in [off - 60, off + 40] */
	/* an interrupt sent at host 5000, handled 30000 ticks later */
	int64_t ow = ks_clock_sync_one_way(&s, 5000, 5000 + 30000 + off, &contra);
	assert_false(contra);
	assert_true(ow >= 30000 - 50 && ow <= 30000 + 50);
	/* a handler stamp right at the send: slightly negative is within the bound */
	ow = ks_clock_sync_one_way(&s, 5000, 5000 + off - 40, &contra);
	assert_false(contra);
	assert_true(ow < 0 && ow >= -(int64_t)ks_clock_sync_error(&s));
	/* a stamp before the send on every offset the round allows: contradicts */
	ow = ks_clock_sync_one_way(&s, 5000, 5000 + off - 200, &contra);
	assert_true(contra);
	assert_true(ow < -(int64_t)ks_clock_sync_error(&s));
}

static void test_wraps_and_extremes(void **state)
{
	struct ks_clock_sync s = { 0 };
	bool contra;
	/* counters near 2^64 wrap: only differences count */
	uint64_t h0 = UINT64_MAX - 50;
	assert_true(ks_clock_sync_round(&s, h0, h0 + 40 - 7, h0 + 100));   /* off = -7 */
	int64_t est = ks_clock_sync_offset(&s);
	assert_true(est - 50 <= -7 && -7 <= est + 50);
	int64_t ow = ks_clock_sync_one_way(&s, h0 + 200, h0 + 200 + 500 - 7, &contra);
	assert_false(contra);
	assert_true(ow >= 450 && ow <= 550);
	/* an odd width rounds the bound up */
	struct ks_clock_sync t = { 0 };
	ks_clock_sync_round(&t, 0, 10, 3);
	assert_int_equal(ks_clock_sync_error(&t), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_rounds_never_widen),
		cmocka_unit_test(test_moved_offset_restarts),
		cmocka_unit_test(test_one_way_and_contradiction),
		cmocka_unit_test(test_wraps_and_extremes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
