/* SPDX-License-Identifier: MIT */
/*
 * results_keep.c - the results file, or a fallback when it cannot be
 * written (results_keep.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "results_keep.h"

void ks_results_keep_init(struct ks_results_keep *k, const char *asked, const char *who)
{
	memset(k, 0, sizeof(*k));
	k->asked = asked;
	k->who = who;
}

/* <dir>/kvmscope-fallback-<UTC start>-<pid>.json: one name per run and directory. */
static int fallback_name(char *buf, size_t len, const char *dir, const struct ks_results *rs)
{
	time_t t = (time_t)rs->started_s;
	char stamp[32] = "";
	struct tm tm;
	int n;

	if (gmtime_r(&t, &tm))
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	n = snprintf(buf, len, "%s/kvmscope-fallback-%s-%ld.json", dir, stamp, (long)getpid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The asked file is written again: the fallback's older copy would only mislead. */
static void drop_fallback(struct ks_results_keep *k)
{
	if (!k->fallback[0])
		return;
	if (unlink(k->fallback) == 0)
		fprintf(stderr, "%s: %s is written after all; the fallback %s is removed\n", k->who,
			k->asked, k->fallback);
	k->fallback[0] = 0;
}

enum ks_kept ks_results_keep_write(struct ks_results_keep *k, const struct ks_results *rs,
				   const struct ks_host *h, const struct ks_run_opts *o)
{
	char why[2][PATH_MAX + 160], path[PATH_MAX], cwd[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	const char *dirs[2];

	if (ks_results_write(rs, h, o, k->asked, k->asked_err, sizeof(k->asked_err)) == 0) {
		drop_fallback(k);
		k->asked_written = true;
		k->asked_errno = 0;
		k->told_asked = false;   /* a new failure later is news */
		return k->where = KS_KEPT_ASKED;
	}
	k->asked_errno = errno;
	if (!k->told_asked) {
		fprintf(stderr, "%s: %s\n", k->who, k->asked_err);
		k->told_asked = true;
	}

	/* $TMPDIR (as mktemp, /tmp without it), else the current directory */
	dirs[0] = tmp && *tmp ? tmp : "/tmp";
	dirs[1] = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	for (int i = 0; i < 2; i++) {
		if (i && !strcmp(dirs[1], dirs[0])) {   /* $TMPDIR is here: tried already */
			snprintf(why[1], sizeof(why[1]), "the current directory is %s too", dirs[0]);
			break;
		}
		if (fallback_name(path, sizeof(path), dirs[i], rs) < 0) {
			snprintf(why[i], sizeof(why[i]), "%s: the path is too long", dirs[i]);
			continue;
		}
		if (ks_results_write(rs, h, o, path, why[i], sizeof(why[i])) < 0)
			continue;
		if (strcmp(path, k->fallback)) {   /* new, or moved: say where, once */
			if (k->fallback[0])
				unlink(k->fallback);
			snprintf(k->fallback, sizeof(k->fallback), "%s", path);
			fprintf(stderr, "%s: the results are kept in %s instead\n", k->who, path);
		}
		k->told_nowhere = false;
		return k->where = KS_KEPT_FALLBACK;
	}
	if (!k->told_nowhere) {
		fprintf(stderr, "%s: nor could the results be kept in a fallback file: %s; %s%s%s\n",
			k->who, why[0], why[1],
			k->fallback[0] ? "; an earlier snapshot stays in " : "",
			k->fallback);
		k->told_nowhere = true;
	}
	return k->where = KS_KEPT_NOWHERE;
}

void ks_results_keep_print(const struct ks_results_keep *k, FILE *f, bool complete)
{
	const char *inc = complete ? "" : " (incomplete)";
	/* a rewrite that failed left the asked file as the last one that worked */
	const char *stale = k->asked_written ? "; it keeps an earlier snapshot" : "";

	switch (k->where) {
	case KS_KEPT_ASKED:
		fprintf(f, "results: %s%s\n", k->asked, inc);
		break;
	case KS_KEPT_FALLBACK:
		fprintf(f, "results: %s%s, NOT %s: %s%s\n", k->fallback, inc, k->asked,
			k->asked_err, stale);
		break;
	case KS_KEPT_NOWHERE:
		fprintf(f, "results: not written in full: %s%s%s%s\n", k->asked_err, stale,
			k->fallback[0] ? "; an earlier snapshot is in " : "", k->fallback);
		break;
	}
}
