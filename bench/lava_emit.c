/* SPDX-License-Identifier: MIT */
/* Results as LAVA test cases: see lava_emit.h. */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "lava_emit.h"

extern char **environ;

static bool allowed(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static void sanitize(char *s)
{
	for (; *s; s++)
		if (!allowed((unsigned char)*s))
			*s = '_';
}

void ks_lava_case_id(char *out, size_t len, const char *suite, const char *name)
{
	snprintf(out, len, "%s-%s", suite, name);
	sanitize(out);
}

const char *ks_lava_result(const struct ks_result *r)
{
	if (!strcmp(r->status, "ok"))
		return "pass";
	if (!strcmp(r->status, "unsupported"))
		return "skip";
	if (!strcmp(r->status, "interrupted"))
		return "unknown";
	return "fail";
}

bool ks_lava_tool(char *path, size_t len)
{
	const char *p = getenv("PATH");

	while (p && *p) {
		size_t n = strcspn(p, ":");
		if (n > 0 && (size_t)snprintf(path, len, "%.*s/lava-test-case", (int)n, p) < len &&
		    access(path, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* One test case: its id, result, and (for a result that ran) value and unit. */
struct tcase {
	char id[KS_NAME_LEN + 64];
	const char *result;
	bool has_value;
	char value[48];
	char unit[20];
};

static void describe(const struct ks_result *r, const char *suite, struct tcase *t)
{
	ks_lava_case_id(t->id, sizeof(t->id), suite, r->name);
	t->result = ks_lava_result(r);
	t->has_value = !strcmp(t->result, "pass") && r->has_summary;
	snprintf(t->value, sizeof(t->value), "%.3f", r->summary.median);
	/* units travel as one word after UNITS= and --units */
	snprintf(t->unit, sizeof(t->unit), "%s", r->unit);
	for (char *c = t->unit; *c; c++)
		if (*c == ' ' || *c == '=' || *c == '>' || *c == '<' || *c < 0x20)
			*c = '_';
}

/* Run lava-test-case with argv (no shell: the arguments are never parsed). */
static int run_tool(const char *tool, char *const argv[])
{
	pid_t pid;
	int st;

	int rc = posix_spawn(&pid, tool, NULL, NULL, argv, environ);
	if (rc != 0) {
		fprintf(stderr, "kvmscope: cannot run %s: %s\n", tool, strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "kvmscope: %s %s failed (status %d)\n", tool, argv[1],
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

int ks_lava_emit(FILE *f, const struct ks_results *rs, enum ks_emit how, const char *suite)
{
	char tool[4096];
	bool use_tool = how == KS_EMIT_LAVA && ks_lava_tool(tool, sizeof(tool));
	int rc = 0;

	if (how == KS_EMIT_NONE)
		return 0;
	for (size_t i = 0; i < rs->n; i++) {
		struct tcase t;
		describe(&rs->items[i], suite, &t);
		/* LAVA refuses a job that reports one test case twice */
		for (size_t j = 0, dup = 1; j < i; j++)
			if (!strcmp(rs->items[j].name, rs->items[i].name))
				snprintf(t.id + strlen(t.id), sizeof(t.id) - strlen(t.id), "-%zu", ++dup);
		switch (how) {
		case KS_EMIT_PLAIN:
			fprintf(f, "%s %s %s %s\n", t.id, t.result, t.has_value ? t.value : "-",
				t.has_value ? t.unit : "-");
			break;
		case KS_EMIT_LAVA:
			if (use_tool) {
				char *argv[] = { "lava-test-case", t.id, "--result", (char *)t.result,
						 "--measurement", t.value, "--units", t.unit, NULL };
				if (!t.has_value)
					argv[4] = NULL;
				fprintf(f, "lava-test-case %s --result %s", t.id, t.result);
				if (t.has_value)
					fprintf(f, " --measurement %s --units %s", t.value, t.unit);
				fputc('\n', f);
				fflush(f);   /* the command line before what the helper prints */
				if (run_tool(tool, argv) < 0)
					rc = -1;
				break;
			}
			/* outside LAVA: the lines the helper would send */
			__attribute__((fallthrough));
		case KS_EMIT_SIGNAL:
			fprintf(f, "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=%s RESULT=%s", t.id, t.result);
			if (t.has_value)
				fprintf(f, " MEASUREMENT=%s UNITS=%s", t.value, t.unit);
			fprintf(f, ">\n");
			break;
		case KS_EMIT_NONE:
			break;
		}
	}
	fflush(f);
	return rc;
}
