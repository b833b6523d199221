/* SPDX-License-Identifier: MIT */
/*
 * test_atomic_file.c - unit tests for analysis/atomic_file.{h,c}.
 *
 * Each test gets a fresh directory from mkdtemp() under $TMPDIR (or /tmp)
 * and the teardown checks it can be emptied and removed.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L /* mkdtemp, dirent, chdir */
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic_file.h"

struct fixture {
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(fx->dir, sizeof(fx->dir), "%s/ks_atomic_test.XXXXXX", tmp);
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

/* Remove everything (one level; subdirectories must be empty) and the dir. */
static int teardown(void **state)
{
	struct fixture *fx = *state;
	DIR *d = opendir(fx->dir);
	struct dirent *de;
	char p[PATH_MAX + 256];
	int rc = 0;

	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(p, sizeof(p), "%s/%s", fx->dir, de->d_name);
			if (unlink(p) != 0 && rmdir(p) != 0)
				rc = -1;
		}
		closedir(d);
	}
	if (rmdir(fx->dir) != 0)
		rc = -1;
	free(fx);
	return rc;
}

/* Number of entries in dir (excluding . and ..); name of the last one seen. */
static int count_entries(const char *dir, char *last, size_t lastsz)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		if (last)
			snprintf(last, lastsz, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static void read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_commit_creates_file(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32], buf[256], name[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/result.json", fx->dir);
	assert_int_equal(ks_atomic_open(&af, path), 0);
	assert_non_null(af.f);
	assert_string_equal(af.path, path);

	/* Temp file lives in the same directory as ".result.json.tmp.XXXXXX". */
	assert_int_equal(strncmp(af.tmp_path, fx->dir, strlen(fx->dir)), 0);
	assert_int_equal(strncmp(af.tmp_path + strlen(fx->dir), "/.result.json.tmp.", 18), 0);
	assert_int_equal(strlen(af.tmp_path), strlen(path) + 1 + strlen(".tmp.XXXXXX"));
	assert_true(file_exists(af.tmp_path));
	assert_false(file_exists(path)); /* not visible before commit */

	fputs("{\"ok\":true}\n", af.f);
	assert_int_equal(ks_atomic_commit(&af), 0);
	/* struct is reset after commit */
	assert_null(af.f);
	assert_null(af.path);
	assert_null(af.tmp_path);

	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "{\"ok\":true}\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* No temp file left behind: only result.json */
	assert_int_equal(count_entries(fx->dir, name, sizeof(name)), 1);
	assert_string_equal(name, "result.json");

	/* abort after a successful commit is a no-op (must not delete the file) */
	ks_atomic_abort(&af);
	assert_true(file_exists(path));
}

static void test_commit_replaces_existing(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32], buf[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data.txt", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old\n", f);
	fclose(f);

	assert_int_equal(ks_atomic_open(&af, path), 0);
	fputs("new content\n", af.f);
	fflush(af.f);
	/* readers still see the old file until commit */
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(ks_atomic_commit(&af), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "new content\n");
	assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/aborted.json", fx->dir);
	assert_int_equal(ks_atomic_open(&af, path), 0);
	fputs("partial", af.f);
	errno = 1234;
	ks_atomic_abort(&af);
	assert_int_equal(errno, 1234); /* errno preserved */
	assert_null(af.f);
	assert_null(af.tmp_path);
	assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
	/* idempotent */
	ks_atomic_abort(&af);
	ks_atomic_abort(&af);
	assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
}

static void test_nonexistent_directory(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/no/such/dir/out.json", fx->dir);
	memset(&af, 0xA5, sizeof(af)); /* open must not rely on initialization */
	errno = 0;
	assert_int_equal(ks_atomic_open(&af, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(af.f);
	assert_null(af.path);
	assert_null(af.tmp_path);
	/* commit on a failed open fails cleanly, abort is harmless */
	errno = 0;
	assert_int_equal(ks_atomic_commit(&af), -1);
	assert_int_equal(errno, EBADF);
	ks_atomic_abort(&af);
	assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
}

/* rename() onto an existing directory fails -> commit must clean up. */
static void test_commit_failure_cleans_up(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32], name[256];

	snprintf(path, sizeof(path), "%s/target", fx->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(ks_atomic_open(&af, path), 0);
	fputs("data", af.f);
	assert_int_equal(count_entries(fx->dir, NULL, 0), 2); /* target + tmp */
	errno = 0;
	assert_int_equal(ks_atomic_commit(&af), -1);
	assert_int_equal(errno, EISDIR);
	/* temp unlinked, only the directory remains */
	assert_int_equal(count_entries(fx->dir, name, sizeof(name)), 1);
	assert_string_equal(name, "target");
	/* abort after failed commit: safe, keeps errno */
	ks_atomic_abort(&af);
	assert_int_equal(errno, EISDIR);
	assert_null(af.f);
	assert_null(af.tmp_path);
}

static void test_invalid_paths(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32];

	errno = 0;
	assert_int_equal(ks_atomic_open(&af, ""), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(ks_atomic_open(&af, NULL), -1);
	assert_int_equal(errno, EINVAL);
	snprintf(path, sizeof(path), "%s/", fx->dir);
	assert_int_equal(ks_atomic_open(&af, path), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(af.tmp_path);
	assert_int_equal(ks_atomic_open(NULL, "x"), -1);
	ks_atomic_abort(NULL);
	assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
}

/* A bare file name (no '/') uses the current directory. */
static void test_relative_bare_name(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char cwd[PATH_MAX], buf[64];
	int rc;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fx->dir), 0);
	rc = ks_atomic_open(&af, "bare.txt");
	if (rc == 0) {
		rc = strncmp(af.tmp_path, ".bare.txt.tmp.", 14) == 0 ? 0 : -2;
		fputs("bare", af.f);
		if (ks_atomic_commit(&af) != 0)
			rc = -3;
	}
	assert_int_equal(chdir(cwd), 0); /* restore before any assertion can abort */
	assert_int_equal(rc, 0);
	{
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/bare.txt", fx->dir);
		read_file(p, buf, sizeof(buf));
	}
	assert_string_equal(buf, "bare");
	assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
}

/* Large content survives intact (exercises stdio buffering + fsync). */
static void test_large_content(void **state)
{
	struct fixture *fx = *state;
	struct ks_atomic_file af;
	char path[PATH_MAX + 32];
	struct stat st;
	const size_t lines = 100000;

	snprintf(path, sizeof(path), "%s/big.txt", fx->dir);
	assert_int_equal(ks_atomic_open(&af, path), 0);
	for (size_t i = 0; i < lines; i++)
		fprintf(af.f, "%09zu\n", i); /* 10 bytes per line */
	assert_int_equal(ks_atomic_commit(&af), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, (off_t)(lines * 10));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_commit_creates_file),
		T(test_commit_replaces_existing),
		T(test_abort_leaves_nothing),
		T(test_nonexistent_directory),
		T(test_commit_failure_cleans_up),
		T(test_invalid_paths),
		T(test_relative_bare_name),
		T(test_large_content),
	};
#undef T
	return cmocka_run_group_tests_name("atomic_file", tests, NULL, NULL);
}
