/* SPDX-License-Identifier: MIT */
/* kvmscope: what does a virtualization backend cost? One binary, subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef KVMSCOPE_VERSION
#define KVMSCOPE_VERSION "0.0.0"
#endif
#ifndef KVMSCOPE_GIT
#define KVMSCOPE_GIT "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{ "info", ks_cmd_info, "what is behind /dev/kvm here: arch, backend, API, caps, clocks" },
	{ "list", ks_cmd_list, "the benchmarks, and whether each can run here (and why not)" },
	{ "run", ks_cmd_run, "run benchmarks, print a table, write a results file" },
	{ "probe", ks_cmd_probe, "watch KVM in the host kernel live: histograms per exit reason" },
	{ "report", ks_cmd_report, "one results file -> Markdown, HTML and plots (no root needed)" },
	{ "compare", ks_cmd_compare, "results files vs a baseline: differences with CIs and tests" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmscope <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n`kvmscope <command> --help` for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kvmscope %s (%s)\n", KVMSCOPE_VERSION, KVMSCOPE_GIT);
		return KS_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "kvmscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return KS_EXIT_USAGE;
}
