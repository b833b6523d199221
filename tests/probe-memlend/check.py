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
import sys

BENCH = "mem_lend_16M"
PAGES = 16 * 1024 * 1024 // 4096
REPS = 3   # --quick
MIN_COUNT = PAGES * (REPS + 1)
TOLERANCE = 0.01


def check(path):
    fails, totals = [], {}
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{path}: {e}"], totals
    backend = path.rsplit("r-", 1)[-1].split(".")[0]
    seen = False
    for r in doc.get("results", []):
        name = r.get("name")
        if name != BENCH:
            continue
        seen = True
        if r.get("status") != "ok":
            fails.append(f"{backend} {name}: status {r.get('status')}: {r.get('reason')}")
            continue
        probes = {p["probe"]: p for p in r.get("probes", [])}
        if not probes:
            print(f"SKIP {backend} {name}: no probes attached (backend unusable in the testbed?)")
            continue
        p = probes.get("memlend")
        if p is None:
            fails.append(f"{backend} {name}: the {backend} backend attached "
                         f"{', '.join(sorted(probes))} but not memlend")
            continue
        backend = p.get("backend", backend)
        counts = {k["key"]: k["count"] for k in p.get("keys", [])}
        total = sum(counts.values())
        print(f"{backend} {name}: memlend {counts}; total {total} >= {MIN_COUNT}; "
              f"unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        totals[backend] = total
        if total < MIN_COUNT:
            fails.append(f"{backend} {name}: memlend counted {total} faults, "
                         f"expected >= {MIN_COUNT} ({PAGES} pages x {REPS + 1} runs)")
        if p.get("lost"):
            fails.append(f"{backend} {name}: {p.get('lost')} events lost")
    if not seen:
        fails.append(f"{backend}: no {BENCH} result in {path}")
    return fails, totals


def main():
    fails, totals = [], {}
    for path in sys.argv[1:]:
        f, t = check(path)
        fails += f
        totals.update(t)
    if "bpf" in totals and "tracefs" in totals:
        a, b = totals["bpf"], totals["tracefs"]
        diff = abs(a - b) / max(a, b, 1)
        print(f"bpf {a} vs tracefs {b}: {diff * 100:.3f} % apart (<= {TOLERANCE * 100:g} %)")
        if diff > TOLERANCE:
            fails.append(f"bpf total {a} and tracefs total {b} differ by {diff * 100:.3f} %")
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    if not totals:
        print("SKIP: no backend could run the memlend probe in the testbed")
        return 77
    print(f"PASS ({len(totals)} benchmark runs checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
