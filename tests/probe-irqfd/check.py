#!/usr/bin/env python3
"""Check the irqfd probe in kvmscope results files (run --probes).

For irqfd_halted and irqfd, the irqfd probe must have seen every injected
interrupt, warm-up included (the benchmark's interrupts + interrupts/10 + 1,
as bench/benches/irqfd.c runs them), through each stage pair:
  halted:   write->inject, inject->wakeup, wakeup->entry, write->entry
  spinning: write->inject, inject->entry, write->entry (no wake-up: the vCPU
            never blocks, the injection kicks it out of the guest)
with out_of_order == 0. A backend that is not usable in the testbed (e.g. a
build without the BPF backend) is skipped; exit 77 if none could be checked.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-x86"))
from probe_results import check_lost, finish, key_counts, probe_runs  # noqa: E402

PAIRS = {
    "irqfd_halted": ["write->inject", "inject->wakeup", "wakeup->entry", "write->entry"],
    "irqfd": ["write->inject", "inject->entry", "write->entry"],
}


def check(path, fails):
    checked = 0
    hint = " (a build without bpf/probes/irqfd.bpf.c, or without the BPF backend?)"
    for backend, name, r, p in probe_runs(path, PAIRS, "irqfd", fails, hint):
        params = r.get("params", {})
        if isinstance(params, list):
            params = {q.get("key"): q.get("value") for q in params}
        n = int(params.get("interrupts", 0))
        want = n + n // 10 + 1
        counts = key_counts(p)
        ooo = p.get("out_of_order")
        line = ", ".join(f"{k} {counts.get(k, 0)}" for k in PAIRS[name])
        print(f"{backend} {name}: interrupts {n} + warm-up {want - n} = {want}; {line}; "
              f"out_of_order {ooo}; unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        checked += 1
        for k in PAIRS[name]:
            if counts.get(k, 0) < want:
                fails.append(f"{backend} {name}: {k} seen {counts.get(k, 0)} times, "
                             f"want >= {want}")
        if ooo is None or ooo != 0:
            fails.append(f"{backend} {name}: out_of_order {ooo}, want 0")
        check_lost(p, backend, name, fails)
    return checked


def main():
    fails = []
    checked = sum(check(path, fails) for path in sys.argv[1:])
    return finish(fails, checked, "irqfd")


if __name__ == "__main__":
    sys.exit(main())
