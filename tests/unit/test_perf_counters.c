/* SPDX-License-Identifier: MIT */
/*
 * Host perf counters on this machine: the software counters always count
 * (threads started after opening included: `inherit`), and every hardware
 * counter either counts or names its errno and what it means. Which of the
 * two happens depends on the machine's PMU; the test prints it.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "perf_counters.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct burner {
	uint64_t wall_ns;   /* in: how long to spin */
	uint64_t cpu_ns;    /* out: the CPU time the thread got (it may be preempted) */
};

static void *burn(void *arg)
{
	struct burner *b = arg;
	struct timespec ts;
	uint64_t until = now_ns() + b->wall_ns;
	volatile uint64_t x = 0;
	while (now_ns() < until)
		x++;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	b->cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return NULL;
}

static void test_counts_this_thread_and_its_children(void **state)
{
	struct ks_perf_set s;
	struct ks_perf_reading a, b;
	struct ks_perf_record rec;
	struct burner bu = { .wall_ns = 50 * 1000 * 1000 };
	pthread_t th;

	ks_perf_open(&s);
	ks_perf_read(&s, &a);
	/* a thread started after opening, which burns 50 ms and exits */
	assert_int_equal(pthread_create(&th, NULL, burn, &bu), 0);
	pthread_join(th, NULL);
	for (int i = 0; i < 5; i++)
		usleep(1000);   /* each sleep is a context switch */
	ks_perf_read(&s, &b);
	ks_perf_diff(&s, &a, &b, "measured_phase", &rec);
	ks_perf_close(&s);

	assert_true(rec.valid);
	assert_string_equal(rec.scope, "measured_phase");
	for (int i = 0; i < KS_PERF_N; i++) {
		const struct ks_perf_value *v = &rec.c[i];
		if (v->supported)
			printf("  %-20s %llu %s (running %.2f)\n", ks_perf_defs[i].name,
			       (unsigned long long)v->value, ks_perf_defs[i].unit, v->running);
		else
			printf("  %-20s unsupported: %s\n", ks_perf_defs[i].name, v->why);
	}
	const struct ks_perf_value *tc = &rec.c[KS_PERF_TASK_CLOCK];
	const struct ks_perf_value *cs = &rec.c[KS_PERF_CONTEXT_SWITCHES];
	assert_true(tc->supported);
	assert_true(cs->supported);
	/* the child's CPU time is in: inherit works */
	printf("  child thread CPU time %llu ns\n", (unsigned long long)bu.cpu_ns);
	assert_true(bu.cpu_ns > 1000000);
	assert_true(tc->value >= bu.cpu_ns);
	assert_true(cs->value >= 5);
	for (int i = 0; i < KS_PERF_N; i++) {
		if (rec.c[i].supported)
			continue;
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "perf_event_open(%s): E", ks_perf_defs[i].name);
		/* either it could not be opened (errno named) or it never ran */
		assert_true(!strncmp(rec.c[i].why, prefix, strlen(prefix)) ||
			    strstr(rec.c[i].why, "never on the PMU"));
	}
}

static void test_explain_names_errno_and_meaning(void **state)
{
	char buf[KS_PERF_WHY_LEN];

	ks_perf_explain(buf, sizeof(buf), &ks_perf_defs[KS_PERF_CYCLES], ENOENT, false);
	assert_string_equal(buf, "perf_event_open(cycles): ENOENT (No such file or directory) "
				 "\u2014 no hardware PMU event here (the kernel drives no PMU on "
				 "this CPU, as in a VM without a virtual PMU)");
	/* the PMU is there (cycles opened), this event is not (QEMU's arm64 PMU) */
	ks_perf_explain(buf, sizeof(buf), &ks_perf_defs[KS_PERF_INSTRUCTIONS], ENOENT, true);
	assert_string_equal(buf, "perf_event_open(instructions): ENOENT (No such file or "
				 "directory) \u2014 this PMU does not count this event (not in its "
				 "event map: the CPU, or its emulation, does not implement it)");
	ks_perf_explain(buf, sizeof(buf), &ks_perf_defs[KS_PERF_CYCLES_GUEST], EOPNOTSUPP, true);
	assert_non_null(strstr(buf, "EOPNOTSUPP"));
	assert_non_null(strstr(buf, "cannot count guest and host apart"));
	ks_perf_explain(buf, sizeof(buf), &ks_perf_defs[KS_PERF_TASK_CLOCK], EACCES, false);
	assert_non_null(strstr(buf, "kernel.perf_event_paranoid="));
	/* an errno without a special meaning still names itself */
	ks_perf_explain(buf, sizeof(buf), &ks_perf_defs[KS_PERF_TASK_CLOCK], EIO, false);
	assert_string_equal(buf, "perf_event_open(task_clock): EIO (Input/output error)");
}

static void test_multiplexed_values_are_scaled(void **state)
{
	struct ks_perf_set s;
	struct ks_perf_reading a = { 0 }, b = { 0 };
	struct ks_perf_record rec;

	memset(&s, 0, sizeof(s));
	for (int i = 0; i < KS_PERF_N; i++)
		s.fd[i] = 100 + i;   /* "open": never used by ks_perf_diff */
	for (int i = 0; i < KS_PERF_N; i++) {
		a.ok[i] = b.ok[i] = true;
		b.value[i] = 1000;
		b.enabled[i] = 200;
		b.running[i] = i == KS_PERF_CYCLES ? 50 : (i == KS_PERF_INSTRUCTIONS ? 0 : 200);
	}
	ks_perf_diff(&s, &a, &b, "benchmark", &rec);
	assert_true(rec.c[KS_PERF_CYCLES].supported);
	assert_int_equal(rec.c[KS_PERF_CYCLES].value, 4000);
	assert_true(rec.c[KS_PERF_CYCLES].running == 0.25);
	assert_false(rec.c[KS_PERF_INSTRUCTIONS].supported);
	assert_non_null(strstr(rec.c[KS_PERF_INSTRUCTIONS].why, "never on the PMU"));
	assert_int_equal(rec.c[KS_PERF_TASK_CLOCK].value, 1000);
	assert_true(rec.c[KS_PERF_TASK_CLOCK].running == 1.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_this_thread_and_its_children),
		cmocka_unit_test(test_explain_names_errno_and_meaning),
		cmocka_unit_test(test_multiplexed_values_are_scaled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
