/* SPDX-License-Identifier: MIT */
/* kvmscope: what does a virtualization backend cost? One binary, subcommands. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "doc.h"

#ifndef KVMSCOPE_VERSION
#define KVMSCOPE_VERSION "0.0.0"
#endif
#ifndef KVMSCOPE_GIT
#define KVMSCOPE_GIT "unknown"
#endif

/* Each command's summary, options and examples live in its page (doc/). */
static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "info", ks_cmd_info },
	{ "list", ks_cmd_list },
	{ "run", ks_cmd_run },
	{ "probe", ks_cmd_probe },
	{ "report", ks_cmd_report },
	{ "compare", ks_cmd_compare },
	{ "export", ks_cmd_export },
};

int ks_cli_host_command(int argc, char **argv, const char *cmd,
			void (*text)(const struct ks_host *h), int (*json)(const struct ks_host *h),
			bool kvm_status)
{
	struct ks_host h;
	bool as_json = false;
	const char *device = NULL;
	int rc = KS_EXIT_OK;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			ks_doc_print_help(stdout, ks_doc_find(cmd));
			return KS_EXIT_OK;
		} else if (!strcmp(argv[i], "--json")) {
			as_json = true;
		} else if (!strncmp(argv[i], "--device=", 9) && argv[i][9]) {
			device = argv[i] + 9;
		} else if (!strcmp(argv[i], "--device")) {
			if (i + 1 >= argc || !*argv[i + 1]) {
				fprintf(stderr, "kvmscope %s: option --device needs a device node "
					"(/dev/kvm, /dev/gunyah) or kvm or gunyah\n", cmd);
				return KS_EXIT_USAGE;
			}
			device = argv[++i];
		} else {
			fprintf(stderr, "kvmscope %s: unexpected argument '%s' (see kvmscope %s "
				"--help)\n", cmd, argv[i], cmd);
			return KS_EXIT_USAGE;
		}
	}
	ks_host_probe(&h, device);
	if (as_json) {
		if (json(&h) < 0)
			rc = KS_EXIT_FAIL;
	} else {
		text(&h);
	}
	/* everything was printed; the status says whether the device can be used */
	if (kvm_status && rc == KS_EXIT_OK && !h.kvm_ok)
		rc = KS_EXIT_NO_KVM;
	ks_host_release(&h);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: kvmscope <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct ks_cmd_doc *d = ks_doc_find(cmds[i].name);
		fprintf(f, "  %-8s %s\n", cmds[i].name, d ? d->summary : "(no documentation yet)");
	}
	fprintf(f, "\n`kvmscope <command> --help` for a command's options and examples; "
		   "`kvmscope --help` for exit codes.\n");
}

/* Hidden: `kvmscope __man [CMD]` prints a page as roff (what the build installs). */
static int print_man(int argc, char **argv)
{
	const struct ks_cmd_doc *d = ks_doc_find(argc > 0 ? argv[0] : "kvmscope");
	if (!d) {
		fprintf(stderr, "kvmscope __man: no page for '%s'\n", argv[0]);
		return KS_EXIT_USAGE;
	}
	ks_doc_print_man(stdout, d, KVMSCOPE_VERSION, "");
	return KS_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KS_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		ks_doc_print_help(stdout, ks_doc_find("kvmscope"));
		return KS_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		/* `kvmscope help CMD` is `kvmscope CMD --help` */
		const struct ks_cmd_doc *d = ks_doc_find(argc > 2 ? argv[2] : "kvmscope");
		if (!d) {
			fprintf(stderr, "kvmscope help: unknown command '%s'\n\n", argv[2]);
			usage(stderr);
			return KS_EXIT_USAGE;
		}
		ks_doc_print_help(stdout, d);
		return KS_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kvmscope %s (%s)\n", KVMSCOPE_VERSION, KVMSCOPE_GIT);
		return KS_EXIT_OK;
	}
	if (!strcmp(argv[1], "__man"))
		return print_man(argc - 2, argv + 2);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 2, argv + 2);
	fprintf(stderr, "kvmscope: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return KS_EXIT_USAGE;
}
