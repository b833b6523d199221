#!/usr/bin/env python3
"""Check the memlend probe in kvmscope results files (run --probes).

For mem_lend_16M, every 4 KiB page of the 16 MiB is first touched (and so
faulted in) once per repetition and once in the warm-up: the memlend probe's
total count over all its keys ("fault", "fault+user") must be at least
16 MiB / 4 KiB * (repetitions + 1) = 4096 * 4 = 16384 (--quick: 3
repetitions; larger pages would give fewer faults and fail this). The bpf and
tracefs totals must be within 1 % of each other. A backend that is not usable
in the testbed (e.g. a build without the BPF backend) is skipped; exit 77 if
none could be checked.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-x86"))
from probe_results import check_lost, finish, key_counts, probe_runs  # noqa: E402

BENCH = "mem_lend_16M"
PAGES = 16 * 1024 * 1024 // 4096
REPS = 3   # --quick
MIN_COUNT = PAGES * (REPS + 1)
TOLERANCE = 0.01


def check(path, fails, totals):
    for backend, name, r, p in probe_runs(path, {BENCH}, "memlend", fails):
        counts = key_counts(p)
        total = sum(counts.values())
        print(f"{backend} {name}: memlend {counts}; total {total} >= {MIN_COUNT}; "
              f"unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        totals[backend] = total
        if total < MIN_COUNT:
            fails.append(f"{backend} {name}: memlend counted {total} faults, "
                         f"expected >= {MIN_COUNT} ({PAGES} pages x {REPS + 1} runs)")
        check_lost(p, backend, name, fails)
    try:
        with open(path) as f:
            present = any(r.get("name") == BENCH for r in json.load(f).get("results", []))
    except (OSError, ValueError):
        present = True   # probe_runs reported the load error
    if not present:
        fails.append(f"no {BENCH} result in {path}")


def main():
    fails, totals = [], {}
    for path in sys.argv[1:]:
        check(path, fails, totals)
    if "bpf" in totals and "tracefs" in totals:
        a, b = totals["bpf"], totals["tracefs"]
        diff = abs(a - b) / max(a, b, 1)
        print(f"bpf {a} vs tracefs {b}: {diff * 100:.3f} % apart (<= {TOLERANCE * 100:g} %)")
        if diff > TOLERANCE:
            fails.append(f"bpf total {a} and tracefs total {b} differ by {diff * 100:.3f} %")
    return finish(fails, len(totals), "memlend")


if __name__ == "__main__":
    sys.exit(main())
