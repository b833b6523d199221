/* SPDX-License-Identifier: MIT */
/*
 * The progress line: nothing at all unless stderr is a terminal; on a
 * terminal (a pty here) it shows the benchmark, samples so far (counted
 * from a guest-style sample buffer) and the time left, and is erased at the
 * end.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "progress.h"

/* Point stderr at `fd`; returns the saved descriptor. */
static int redirect_stderr(int fd)
{
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	return saved;
}

static void restore_stderr(int saved)
{
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
}

static void test_off_when_stderr_is_not_a_terminal(void **state)
{
	struct ks_progress p;
	char path[] = "/tmp/kvmscope-progress.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	int saved = redirect_stderr(fd);
	bool on = ks_progress_start(&p, 3, true);
	restore_stderr(saved);
	assert_false(on);
	assert_int_equal(lseek(fd, 0, SEEK_END), 0);   /* not a byte written */
	close(fd);
}

/* Everything the pty master can read within `ms`. */
static size_t drain(int master, char *buf, size_t len, int ms)
{
	size_t n = 0;
	struct pollfd pfd = { .fd = master, .events = POLLIN };

	while (n + 1 < len && poll(&pfd, 1, ms) > 0) {
		ssize_t r = read(master, buf + n, len - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return n;
}

static void test_draws_on_a_terminal_and_erases_itself(void **state)
{
	struct ks_progress p;
	static uint64_t samples[1000];   /* zero: nothing taken yet */
	char out[8192];

	int master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		skip();   /* no pty support in this environment */
	int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	const char *term = getenv("TERM");
	char *saved_term = term ? strdup(term) : NULL;
	setenv("TERM", "xterm", 1);

	int saved = redirect_stderr(slave);
	bool on = ks_progress_start(&p, 4, true);
	if (on) {
		ks_progress_bench(&p, "hyp_call", 2);
		ks_progress_phase(&p, 1000, samples);
		for (int i = 0; i < 250; i++)
			samples[i] = 1000 + (uint64_t)i;   /* as the guest would, in order */
		samples[100] = 0;   /* a batch shorter than a tick: must not stall the count */
		usleep(1200 * 1000);
		ks_progress_hide(&p);
		ks_progress_stop(&p);
	}
	restore_stderr(saved);
	if (saved_term)
		setenv("TERM", saved_term, 1);
	else
		unsetenv("TERM");
	free(saved_term);
	assert_true(on);
	drain(master, out, sizeof(out), 200);
	close(slave);
	close(master);

	printf("  pty got: ");
	for (const char *c = out; *c; c++)
		printf(*c == '\033' ? "\\e" : *c == '\r' ? "\\r" : "%c", *c);
	printf("\n");
	assert_non_null(strstr(out, "\r\033[K[2/4] hyp_call  250/1000 samples"));
	assert_non_null(strstr(out, "s left"));
	/* it ends erased: the last thing written is the erase sequence */
	size_t n = strlen(out);
	assert_true(n >= 4 && !strcmp(out + n - 4, "\r\033[K"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_when_stderr_is_not_a_terminal),
		cmocka_unit_test(test_draws_on_a_terminal_and_erases_itself),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
