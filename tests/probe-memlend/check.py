#!/usr/bin/env python3
"""Check the memlend probe in kvmscope results files (run --probes).

The probes attach around a whole benchmark, so the histograms of the
mem_lend benchmark (every region size it runs: mem_lend_4M, mem_lend_16M
...) are stored in its first result. Every 4 KiB page of each region is
first touched (and so faulted in) once per repetition and once in the
warm-up: the memlend probe's total count over all its keys ("fault",
"fault+user") must be at least the sum over the sizes of
size / 4 KiB * (repetitions + 1), e.g. 16 MiB: 4096 * 4 = 16384 (--quick: 3
repetitions; larger pages would give fewer faults and fail this). The bpf and
tracefs totals must be within 1 % of each other. A backend that is not usable
in the testbed (e.g. a build without the BPF backend) is skipped; exit 77 if
none could be checked.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-x86"))
from probe_results import check_lost, finish, key_counts, probe_runs  # noqa: E402

SIZE = re.compile(r"^mem_lend_(\d+)M$")
REPS = 3   # --quick
TOLERANCE = 0.01


def sizes(path):
    """The mem_lend results in the file, in order: [(name, MiB)]."""
    try:
        with open(path) as f:
            names = [r.get("name", "") for r in json.load(f).get("results", [])]
    except (OSError, ValueError):
        return []   # probe_runs reports the load error
    return [(n, int(m.group(1))) for n in names if (m := SIZE.match(n))]


def check(path, fails, totals):
    lent = sizes(path)
    if not lent:
        fails.append(f"no mem_lend_<N>M result in {path}")
        return
    BENCH = lent[0][0]   # the benchmark's first result holds its probes
    PAGES = sum(mib * 256 for _, mib in lent)
    MIN_COUNT = PAGES * (REPS + 1)
    for backend, name, r, p in probe_runs(path, {BENCH}, "memlend", fails):
        counts = key_counts(p)
        total = sum(counts.values())
        print(f"{backend} {name}: memlend {counts}; total {total} >= {MIN_COUNT}; "
              f"unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        totals[backend] = total
        if total < MIN_COUNT:
            fails.append(f"{backend} {name}: memlend counted {total} faults, "
                         f"expected >= {MIN_COUNT} ({PAGES} pages of "
                         f"{', '.join(n for n, _ in lent)} x {REPS + 1} runs)")
        check_lost(p, backend, name, fails)


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
