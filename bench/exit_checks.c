/* SPDX-License-Identifier: MIT */
/*
 * Exit-count cross-checks: the vCPU's binary stats snapshot at the start of
 * a measured phase and compared with what the operations should have cost
 * at its end; and the whole benchmark's counters, for the record. A vCPU
 * without stats (Gunyah's driver keeps none) is checked against the run
 * loop's own count for the exits it services itself (user MMIO/PIO), and
 * every other check says why it is unavailable.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

void ks_record_vcpu_stats(struct ks_vcpu *v, struct ks_result *r)
{
	const char *names[] = { ks_arch.stat_all_exits, ks_arch.stat_pio_exits,
				ks_arch.stat_mmio_exits, ks_arch.stat_kernel_mmio_exits,
				ks_arch.stat_hypercalls, ks_arch.stat_halt_exits,
				ks_arch.stat_irq_injections };

	r->nvcpu_stats = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t val;
		int idx = v->has_stats ? ks_stats_index(&v->stats, names[i]) : -1;
		if (idx < 0 || ks_stats_read(&v->stats, idx, &val) < 0 ||
		    r->nvcpu_stats >= (int)(sizeof(r->vcpu_stats) / sizeof(r->vcpu_stats[0])))
			continue;
		snprintf(r->vcpu_stats[r->nvcpu_stats].name, sizeof(r->vcpu_stats[0].name), "%s",
			 names[i]);
		r->vcpu_stats[r->nvcpu_stats++].value = val;
	}
}

/* What an expectation's stat field stands for, where the arch has none. */
static const char *stat_label(const char *const *field)
{
	if (field == &ks_arch.stat_irq_injections)
		return "irq_injections";
	if (field == &ks_arch.stat_pio_exits)
		return "pio_exits";
	if (field == &ks_arch.stat_halt_exits)
		return "halt_exits";
	if (field == &ks_arch.stat_hypercalls)
		return "hypercalls";
	return "vcpu_stat";
}

/* What the run loop counts itself, for a stat that counts the same exits. */
#define KS_CHECK_TALLY (-2)
static const uint64_t *tally_for(struct ks_vcpu *v, const char *stat)
{
	if (!stat[0])
		return NULL;
	if (!strcmp(stat, ks_arch.stat_mmio_exits))
		return &v->tally.mmio_user;
	if (!strcmp(stat, ks_arch.stat_pio_exits))
		return &v->tally.pio_user;
	return NULL;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ks_checks_begin(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s)
{
	s->t0_ns = mono_ns();
	for (int i = 0; i < KS_MAX_CHECKS; i++) {
		s->idx[i] = -1;
		s->before[i] = 0;
		if (!e[i].stat || !**e[i].stat)
			continue;
		if (!v->has_stats) {
			const uint64_t *t = tally_for(v, *e[i].stat);
			if (t) {
				s->idx[i] = KS_CHECK_TALLY;
				s->before[i] = *t;
			}
			continue;
		}
		s->idx[i] = ks_stats_index(&v->stats, *e[i].stat);
		if (s->idx[i] >= 0 && ks_stats_read(&v->stats, s->idx[i], &s->before[i]) < 0)
			s->idx[i] = -1;
	}
}

/*
 * Exit-count cross-check. The stats are read after the PHASE_BEGIN and
 * PHASE_END exits were counted, so the delta covers the measured operations
 * plus the phase's doorbells (PHASE_END and the adaptive rounds' questions,
 * when they count towards this stat) plus any background exits (timer
 * interrupts, preemption). Those can only add.
 */
static void checks_end(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
		       uint64_t ops, uint64_t doorbells, struct ks_result *r, const char *who)
{
	for (int i = 0; i < KS_MAX_CHECKS && r->nchecks < KS_MAX_CHECKS; i++) {
		if (!e[i].stat)
			continue;
		if (!**e[i].stat) {
			/* the arch's KVM keeps no such stat: say so, so the result
			 * shows the check could not be made, and why */
			struct ks_exit_check *c = &r->checks[r->nchecks++];
			snprintf(c->stat, sizeof(c->stat), "%s", stat_label(e[i].stat));
			snprintf(c->verdict, sizeof(c->verdict), "unavailable");
			snprintf(c->note, sizeof(c->note), "%.95s", !v->has_stats ? v->stats_why :
				 "KVM keeps no vCPU stat that counts these on this arch");
			continue;
		}
		struct ks_exit_check *c = &r->checks[r->nchecks++];
		snprintf(c->stat, sizeof(c->stat), "%s%s%s", who ? who : "", who ? ":" : "",
			 *e[i].stat);
		if (s->idx[i] == KS_CHECK_TALLY) {
			/* exactly the null-device exits the loop serviced: no doorbell,
			 * no background exits (those are never this kind) */
			snprintf(c->stat, sizeof(c->stat), "%.6s%srun_loop.%.16s", who ? who : "",
				 who ? ":" : "", *e[i].stat);
			c->expected = ops * e[i].per_op;
			c->observed = *tally_for(v, *e[i].stat) - s->before[i];
			snprintf(c->verdict, sizeof(c->verdict), "%s",
				 c->observed == c->expected ? "exact" : "mismatch");
			snprintf(c->note, sizeof(c->note), "no vCPU stats here: the run loop's own "
				 "count of the exits it serviced");
			continue;
		}
		/* the phase's ucall doorbells (PHASE_END, the adaptive rounds'
		 * questions) are themselves exits of these kinds, on the vCPU that
		 * rings them: the main one */
		bool doorbell = !who && (!strcmp(*e[i].stat, ks_arch.stat_all_exits) ||
					 !strcmp(*e[i].stat, ks_arch.stat_doorbell));
		c->expected = ops * e[i].per_op + (doorbell ? doorbells : 0);
		uint64_t after = 0;
		if (!v->has_stats || s->idx[i] < 0 ||
		    ks_stats_read(&v->stats, s->idx[i], &after) < 0) {
			snprintf(c->verdict, sizeof(c->verdict), "unavailable");
			snprintf(c->note, sizeof(c->note), "%.95s",
				 v->has_stats ? "this kernel has no such vCPU stat" :
				 v->stats_why[0] ? v->stats_why : "no binary stats fd on this kernel");
			continue;
		}
		c->observed = after - s->before[i];
		uint64_t slack = c->expected / 50 + 16;   /* 2 % + 16 background exits */
		/*
		 * The all-exits stat also counts timer ticks, IPIs and host
		 * preemption, whose number grows with wall time, not with the
		 * operations: a slow (emulated, traced, loaded) phase gets more.
		 * Allow one per millisecond on top; the specific stats (io, mmio,
		 * hvc) stay within the tight bound.
		 */
		if (!strcmp(*e[i].stat, ks_arch.stat_all_exits))
			slack += (mono_ns() - s->t0_ns) / 1000000;
		if (c->observed == c->expected) {
			snprintf(c->verdict, sizeof(c->verdict), "exact");
		} else if (c->observed > c->expected && c->observed <= c->expected + slack) {
			snprintf(c->verdict, sizeof(c->verdict), "match");
			snprintf(c->note, sizeof(c->note), "%llu extra: background exits",
				 (unsigned long long)(c->observed - c->expected));
		} else if (c->observed == 0 && c->expected > 0) {
			snprintf(c->verdict, sizeof(c->verdict), "not-counted");
			snprintf(c->note, sizeof(c->note),
				 "the stat did not move: this backend does not count these exits in it");
		} else {
			snprintf(c->verdict, sizeof(c->verdict), "mismatch");
			snprintf(c->note, sizeof(c->note), "off by %+lld",
				 (long long)(c->observed - c->expected));
		}
	}
}

void ks_checks_end(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
		   uint64_t ops, uint64_t doorbells, struct ks_result *r)
{
	checks_end(v, e, s, ops, doorbells, r, NULL);
}

void ks_checks_end_peer(struct ks_vcpu *v, const struct ks_stat_expect *e, struct ks_stat_snap *s,
			uint64_t ops, struct ks_result *r, const char *who)
{
	checks_end(v, e, s, ops, 0, r, who);
}
