/* SPDX-License-Identifier: MIT */
/* The raw tracepoint arguments kvmscope's BPF handlers read (raw_args.c). */
#ifndef KS_RAW_ARGS_H
#define KS_RAW_ARGS_H

#include <stddef.h>

/* May a tp_btf/raw_tp handler of raw tracepoint `tp` ("kvm_exit") run on
 * this kernel? 0, or -errno and why (its arguments differ, no BTF, ...). */
int ks_raw_args_check(const char *tp, char *why, size_t len);

#endif
