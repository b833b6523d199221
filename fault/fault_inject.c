/* SPDX-License-Identifier: MIT */
/*
 * The KVMSCOPE_FAULT test hook (see fault_inject.h): parsed once, then each
 * hook site asks ks_fault_take() or ks_fault_point(). With the variable
 * unset every call is one relaxed load of an empty table.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_inject.h"

#define MAX_FAULTS 16

struct fault {
	char name[32];     /* the fault, or the point of a signal fault */
	int sig;           /* signal faults: SIGINT or SIGTERM */
	bool every;        /* every n-th pass (kvm_run_*), else only the n-th */
	long n;
	long passes;       /* atomically counted: vCPU threads may race here */
};

static struct fault faults[MAX_FAULTS];
static int nfaults;
static const char *spec;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *const rated[] = { "kvm_run_eintr", "kvm_run_eagain", "irq_race", NULL };
static const char *const once_at[] = { "memslot_huge", "bpf_load", NULL };
static const char *const points[] = { "vm_setup", "mid_bench", "results_write",
				      "probe_attach", "probe_loop", NULL };

static bool known(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

/* "name[:N]" or "sigint@point[:K]" into faults[]; false: malformed. */
static bool parse_one(char *tok)
{
	struct fault f = { .n = 1 };
	char *colon = strchr(tok, ':'), *at = strchr(tok, '@');

	if (colon) {
		char *end;
		*colon = 0;
		f.n = strtol(colon + 1, &end, 10);
		if (*end || f.n < 1)
			return false;
	}
	if (at) {
		*at = 0;
		if (!strcmp(tok, "sigint"))
			f.sig = SIGINT;
		else if (!strcmp(tok, "sigterm"))
			f.sig = SIGTERM;
		else
			return false;
		tok = at + 1;
		if (!known(points, tok))
			return false;
	} else if (known(rated, tok)) {
		f.every = true;
	} else if (!known(once_at, tok)) {
		return false;
	}
	if (nfaults >= MAX_FAULTS || strlen(tok) >= sizeof(f.name))
		return false;
	snprintf(f.name, sizeof(f.name), "%s", tok);
	faults[nfaults++] = f;
	return true;
}

static void parse(void)
{
	const char *env = getenv("KVMSCOPE_FAULT");
	char buf[512];

	if (!env || !*env)
		return;
	spec = env;
	snprintf(buf, sizeof(buf), "%s", env);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char orig[64];
		snprintf(orig, sizeof(orig), "%s", tok);
		if (!parse_one(tok))
			fprintf(stderr, "kvmscope: KVMSCOPE_FAULT: ignoring '%s' (faults: "
				"kvm_run_eintr, kvm_run_eagain, irq_race [:N], memslot_huge, bpf_load [:K]; "
				"sigint@ or sigterm@ vm_setup, mid_bench, results_write, "
				"probe_attach, probe_loop [:K])\n", orig);
	}
	/* never silent: a faulted run is a test, not a measurement */
	fprintf(stderr, "kvmscope: test hook armed: KVMSCOPE_FAULT=%s\n", env);
}

bool ks_fault_take(const char *name)
{
	pthread_once(&once, parse);
	for (int i = 0; i < nfaults; i++) {
		struct fault *f = &faults[i];
		if (f->sig || strcmp(f->name, name))
			continue;
		long pass = __atomic_add_fetch(&f->passes, 1, __ATOMIC_RELAXED);
		return f->every ? pass % f->n == 0 : pass == f->n;
	}
	return false;
}

void ks_fault_point(const char *point)
{
	pthread_once(&once, parse);
	for (int i = 0; i < nfaults; i++) {
		struct fault *f = &faults[i];
		if (!f->sig || strcmp(f->name, point))
			continue;
		/* process-directed, like a kill from outside: any thread may take it */
		if (__atomic_add_fetch(&f->passes, 1, __ATOMIC_RELAXED) == f->n) {
			fprintf(stderr, "kvmscope: test hook: %s at %s\n",
				f->sig == SIGINT ? "SIGINT" : "SIGTERM", point);
			kill(getpid(), f->sig);
		}
	}
}

const char *ks_fault_spec(void)
{
	pthread_once(&once, parse);
	return spec;
}
