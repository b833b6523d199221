/* SPDX-License-Identifier: MIT */
/*
 * Every documented command, in the order of kvmscope(1). A new command's
 * page (ks_doc_report, ks_doc_compare, ks_doc_export, ...) is listed here
 * and in KVMSCOPE_MAN_COMMANDS (bench/CMakeLists.txt).
 */
#include <string.h>

#include "doc.h"

extern const struct ks_cmd_doc ks_doc_kvmscope, ks_doc_info, ks_doc_list, ks_doc_run,
	ks_doc_probe, ks_doc_report, ks_doc_compare, ks_doc_export;

const struct ks_cmd_doc *const ks_docs[] = {
	&ks_doc_kvmscope,
	&ks_doc_info,
	&ks_doc_list,
	&ks_doc_run,
	&ks_doc_probe,
	&ks_doc_report,
	&ks_doc_compare,
	&ks_doc_export,
	NULL,
};

const struct ks_cmd_doc *ks_doc_find(const char *name)
{
	for (int i = 0; ks_docs[i]; i++)
		if (!strcmp(ks_docs[i]->name, name))
			return ks_docs[i];
	return NULL;
}
