#!/usr/bin/env bash
# The hypercalls probe in the x86 QEMU testbed: check.py wants the probe's
# count for kvmscope's no-op hypercall (0xffff) to equal the vCPU's
# hypercalls stat over the benchmark, with both backends.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static tests/probe-hypercalls/run.sh [--out DIR]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$HERE/../qemu-x86/probe_check.sh" hypercalls "$HERE/check.py" "$@" -- hyp_call
