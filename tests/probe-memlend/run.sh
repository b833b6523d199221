#!/usr/bin/env bash
# The memlend probe in the x86 QEMU testbed: check.py wants the probe's total
# count (all keys) for mem_lend_16M to cover every 4 KiB page of the 16 MiB
# over the repetitions and the warm-up, and the two backends to agree within 1 %.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static tests/probe-memlend/run.sh [--out DIR]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$HERE/../qemu-x86/probe_check.sh" memlend "$HERE/check.py" "$@" -- mem_lend
