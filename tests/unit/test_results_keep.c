/* SPDX-License-Identifier: MIT */
/*
 * Nothing measured is lost when the results file cannot be written
 * (bench/results_keep.c), without root or /dev/kvm: the asked file's
 * directory is missing (ENOENT), so the results go to $TMPDIR's fallback,
 * said once over several rewrites; once the directory exists the asked file
 * is written and the fallback removed; with no $TMPDIR and the current
 * directory deleted, nothing can be kept, and that is said once too.
 * (tests/integration/full_disk.sh does it for real: ENOSPC on a tmpfs.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench.h"
#include "results_keep.h"

static char base[] = "/tmp/kvmscope-keep.XXXXXX";
static char start_dir[4096];
static struct ks_host host;
static struct ks_results rs;
static char *argv0[] = { "kvmscope", "run", NULL };

static int setup(void **state)
{
	static const double ns[] = { 30.0, 31.25, 32.5 };
	double *s = malloc(sizeof(ns));

	if (!mkdtemp(base) || !getcwd(start_dir, sizeof(start_dir)) || !s)
		return -1;
	ks_host_probe(&host, NULL);
	ks_results_start(&rs, 2, argv0);
	rs.complete = true;
	memcpy(s, ns, sizeof(ns));
	ks_result_set_samples(ks_result_add(&rs, "hyp_call", "hypercall", "ns"), s, 3);
	return 0;
}

static int teardown(void **state)
{
	char cmd[4200];

	if (chdir(start_dir) != 0)
		return -1;
	ks_results_free(&rs);
	ks_host_release(&host);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	return system(cmd) == 0 ? 0 : -1;
}

/* stderr into a file while fn runs, then read back */
static int saved_stderr = -1;
static char err_path[4200];

static void capture_start(void)
{
	snprintf(err_path, sizeof(err_path), "%s/stderr", base);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(freopen(err_path, "w", stderr) != NULL);
}

static char *capture_end(void)
{
	static char buf[16384];
	FILE *f;
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(saved_stderr, 2), 2);
	close(saved_stderr);
	f = fopen(err_path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_fallback_then_asked(void **state)
{
	char asked[4400], dir[4200], tmpdir[4200], *err;
	struct ks_results_keep k;
	struct ks_run_opts o = { .cpu = -1 };
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/missing", base);
	snprintf(asked, sizeof(asked), "%s/r.json", dir);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", base);
	assert_int_equal(mkdir(tmpdir, 0755), 0);
	setenv("TMPDIR", tmpdir, 1);
	ks_results_keep_init(&k, asked, "kvmscope run");

	capture_start();
	for (int i = 0; i < 3; i++)   /* three rewrites, as after three benchmarks */
		assert_int_equal(ks_results_keep_write(&k, &rs, &host, &o), KS_KEPT_FALLBACK);
	err = capture_end();
	assert_int_equal(count(err, "(ENOENT)"), 1);
	assert_int_equal(count(err, asked), 1);
	assert_int_equal(count(err, "the results are kept in "), 1);
	assert_int_equal(strncmp(k.fallback, tmpdir, strlen(tmpdir)), 0);
	assert_non_null(strstr(k.fallback, "/kvmscope-fallback-"));
	assert_int_equal(stat(k.fallback, &st), 0);
	assert_true(st.st_size > 0);
	assert_int_equal(k.asked_errno, ENOENT);

	char line[16384];
	FILE *f = fmemopen(line, sizeof(line), "w");
	ks_results_keep_print(&k, f, true);
	fclose(f);
	assert_non_null(strstr(line, "NOT "));
	assert_non_null(strstr(line, "(ENOENT)"));

	/* room again: the asked file is written, the fallback's older copy removed */
	char fb[sizeof(k.fallback)];
	snprintf(fb, sizeof(fb), "%s", k.fallback);
	assert_int_equal(mkdir(dir, 0755), 0);
	capture_start();
	assert_int_equal(ks_results_keep_write(&k, &rs, &host, &o), KS_KEPT_ASKED);
	err = capture_end();
	assert_int_equal(count(err, "written after all"), 1);
	assert_int_equal(stat(asked, &st), 0);
	assert_int_not_equal(stat(fb, &st), 0);
	assert_string_equal(k.fallback, "");
	unsetenv("TMPDIR");
}

static void test_nowhere(void **state)
{
	char asked[4200], gone[4200], tmpdir[4200], *err;
	struct ks_results_keep k;
	struct ks_run_opts o = { .cpu = -1 };

	snprintf(asked, sizeof(asked), "%s/missing-too/r.json", base);
	snprintf(tmpdir, sizeof(tmpdir), "%s/no-such-tmpdir", base);
	snprintf(gone, sizeof(gone), "%s/cwd-deleted", base);
	setenv("TMPDIR", tmpdir, 1);
	/* a current directory that no longer exists: nothing can be created in it */
	assert_int_equal(mkdir(gone, 0755), 0);
	assert_int_equal(chdir(gone), 0);
	assert_int_equal(rmdir(gone), 0);
	ks_results_keep_init(&k, asked, "kvmscope run");

	capture_start();
	for (int i = 0; i < 2; i++)
		assert_int_equal(ks_results_keep_write(&k, &rs, &host, &o), KS_KEPT_NOWHERE);
	err = capture_end();
	assert_int_equal(chdir(start_dir), 0);
	assert_int_equal(count(err, "(ENOENT)"), 3);   /* asked, $TMPDIR, current dir: once each */
	assert_int_equal(count(err, "nor could the results be kept in a fallback file"), 1);
	assert_string_equal(k.fallback, "");
	unsetenv("TMPDIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fallback_then_asked),
		cmocka_unit_test(test_nowhere),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
