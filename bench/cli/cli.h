/* SPDX-License-Identifier: MIT */
#ifndef KS_CLI_H
#define KS_CLI_H

#include <stdbool.h>

/* Exit codes shared by every subcommand (documented in kvmscope(1): doc/doc_kvmscope.c). */
enum {
	KS_EXIT_OK = 0,
	KS_EXIT_FAIL = 1,       /* a benchmark failed, or the command did */
	KS_EXIT_USAGE = 2,
	KS_EXIT_NOT_SAVED = 3,  /* the results file is not where asked: kept in a fallback */
	KS_EXIT_NO_KVM = 4,     /* /dev/kvm missing or unusable: nothing could run */
	KS_EXIT_SKIP = 77,      /* nothing asked for can run here (automake/ctest skip) */
	KS_EXIT_INTERRUPTED = 130,
};

struct ks_host;
/*
 * `kvmscope CMD [--json]` for the commands that print what the host probe
 * found (info, list): parse the options, probe once, print as text or JSON.
 * With `kvm_status`, exit 4 when /dev/kvm is unusable (after printing).
 */
int ks_cli_host_command(int argc, char **argv, const char *cmd,
			void (*text)(const struct ks_host *h), int (*json)(const struct ks_host *h),
			bool kvm_status);

int ks_cmd_info(int argc, char **argv);
int ks_cmd_list(int argc, char **argv);
int ks_cmd_run(int argc, char **argv);
int ks_cmd_probe(int argc, char **argv);
int ks_cmd_report(int argc, char **argv);
int ks_cmd_compare(int argc, char **argv);
int ks_cmd_export(int argc, char **argv);

#endif
