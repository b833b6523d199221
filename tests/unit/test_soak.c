/* SPDX-License-Identifier: MIT */
/* The soak record: what the process holds (fds, RSS), median series, JSON. */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "bench.h"
#include "soak.h"

static void test_self_sample(void **state)
{
	struct ks_soak_sample a, b;

	ks_soak_read_self(&a);
	int fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	ks_soak_read_self(&b);
	close(fd);
	assert_int_equal(b.fds, a.fds + 1);   /* the directory's own fd is not counted */
	assert_true(a.rss_kib > 0);
	assert_int_equal(a.bpf_progs + a.bpf_maps + a.bpf_links + a.btf, 0);
}

static void one_result(struct ks_results *rs, const char *name, double median)
{
	struct ks_result *r = ks_result_add(rs, name, "harness", "ns");
	double *v = malloc(3 * sizeof(double));
	v[0] = median - 1, v[1] = median, v[2] = median + 1;
	ks_result_set_samples(r, v, 3);
}

static void test_series_and_json(void **state)
{
	struct ks_soak s;
	struct ks_results rs = { 0 };

	assert_int_equal(ks_soak_init(&s, 3), 0);
	ks_soak_sample(&s, 0);
	for (unsigned it = 1; it <= 2; it++) {   /* 2 of 3: as if interrupted */
		ks_results_free(&rs);
		one_result(&rs, "empty", it == 1 ? 10 : 12);
		ks_soak_add_medians(&s, it, &rs);
		ks_soak_sample(&s, it);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	jw_t *w = jw_new(f, 0);
	jw_begin_object(w);
	ks_soak_write_json(w, &s);
	jw_end_object(w);
	assert_int_equal(jw_finish(w), 0);
	fclose(f);
	json_error_t je;
	json_t *root = json_loads(buf, 0, &je);
	assert_non_null(root);
	json_t *soak = json_object_get(root, "soak");
	assert_int_equal(json_integer_value(json_object_get(soak, "iterations")), 3);
	assert_int_equal(json_integer_value(json_object_get(soak, "completed")), 2);
	assert_int_equal(json_array_size(json_object_get(soak, "samples")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(soak, "growth"),
							    "fds")), 0);
	json_t *m = json_array_get(json_object_get(soak, "medians"), 0);
	assert_string_equal(json_string_value(json_object_get(m, "name")), "empty");
	assert_int_equal(json_array_size(json_object_get(m, "per_iteration")), 2);
	assert_true(fabs(json_real_value(json_object_get(m, "median")) - 11) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(m, "spread_pct")) - 200.0 / 11) < 1e-9);
	/* halves: 10 then 12 */
	assert_true(fabs(json_real_value(json_object_get(m, "drift_pct")) - 20.0) < 1e-9);
	assert_true(fabs(json_real_value(json_object_get(m, "rcv_pct")) - 100 * 1.4826 / 11) < 1e-9);
	json_decref(root);
	free(buf);
	ks_results_free(&rs);
	ks_soak_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_sample),
		cmocka_unit_test(test_series_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
