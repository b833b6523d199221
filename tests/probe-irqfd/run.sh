#!/usr/bin/env bash
# The irqfd probe in the x86 QEMU testbed: check.py wants every injected
# interrupt's stage pairs seen (count >= the benchmark's interrupts +
# warm-up) and none out of order, with both backends.
#   KVMSCOPE_STATIC=build/bench/kvmscope-static tests/probe-irqfd/run.sh [--out DIR]
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$HERE/../qemu-x86/probe_check.sh" irqfd "$HERE/check.py" "$@" -- irqfd_halted irqfd
