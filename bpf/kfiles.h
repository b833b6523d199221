/* SPDX-License-Identifier: MIT */
/*
 * kfiles.h - parsers for the kernel files probe discovery reads: a trace
 * event's format file, available_filter_functions, BTF (vmlinux and a
 * module's split BTF) and a device tree's compatible list.
 *
 * Pure functions over bytes in memory, apart from discovery's file access,
 * so they can be unit-tested and fuzzed (tests/fuzz/fuzz_kfiles.c): the
 * files come from the kernel, but discover_at() also reads fixture trees,
 * and a container or a broken kernel can show anything.
 */
#ifndef KS_KFILES_H
#define KS_KFILES_H

#include <stdbool.h>
#include <stddef.h>

/* Does a trace event format text (NUL-terminated) declare field `name`?
 * ("field:unsigned int cmd;", "field:unsigned long args[6];") */
bool ks_kf_format_has_field(const char *fmt, const char *name);

/* available_filter_functions (NUL-terminated): is `fn` one of its names?
 * Lines are "name", "name [module]" or "name [module]\tops". */
bool ks_kf_aff_has(const char *aff, const char *fn);

/* /proc/kallsyms (NUL-terminated; "addr type name" or "addr type name\t[module]"
 * lines): 1 when a symbol is named exactly fn, else 0, and `variant` (may be
 * NULL) receives a compiler-made variant of it ("fn.isra.0", "fn.constprop.0")
 * if there is one, "" otherwise. fentry attaches by the exact name only. */
int ks_kf_kallsyms_find(const char *ks, const char *fn, char *variant, size_t vlen);

/* Does BTF b[0..len) have a FUNC named fn?  base (may be NULL) is vmlinux's
 * BTF when b is a module's split BTF, whose string offsets continue
 * vmlinux's.  A malformed blob is "no". */
bool ks_kf_btf_has_func(const char *b, size_t len, const char *base, size_t base_len,
			const char *fn);

/* A device tree "compatible" value c[0..len) (NUL-separated strings, the
 * last one possibly unterminated): is any string one of `names` (NULL-
 * terminated), exactly or versioned ("<name>-<version>", as
 * "qcom,gunyah-hypervisor-1.0")? The rule bench/vmm/arm64/detect_arm64.c
 * applies to the /hypervisor node. */
bool ks_kf_compat_match(const char *c, size_t len, const char *const *names);

#endif
