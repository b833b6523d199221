#!/usr/bin/env python3
"""Check the hypercalls probe in kvmscope results files (run --probes).

For hyp_call, the hypercalls probe's count for kvmscope's no-op hypercall
(key "0xffff") must equal the vCPU's hypercalls stat (vcpu_stats.hypercalls:
counted from vCPU creation, so over the same window as the probe: set-up,
warm-up and measurement). A backend that is not usable in the testbed (e.g. a
build without the BPF backend) is skipped; exit 77 if none could be checked.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-x86"))
from probe_results import check_lost, finish, key_counts, probe_runs  # noqa: E402

KEY = "0xffff"


def check(path, fails):
    checked = 0
    for backend, name, r, p in probe_runs(path, {"hyp_call"}, "hypercalls", fails):
        counts = key_counts(p)
        stat = r.get("vcpu_stats", {}).get("hypercalls")
        got = counts.get(KEY, 0)
        print(f"{backend} {name}: hypercalls {counts}; {KEY} {got} == vcpu_stats.hypercalls "
              f"{stat}; unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        checked += 1
        if not stat or got != stat:
            fails.append(f"{backend} {name}: {KEY} counted {got}, vcpu_stats.hypercalls {stat}")
        check_lost(p, backend, name, fails)
    return checked


def main():
    fails = []
    checked = sum(check(path, fails) for path in sys.argv[1:])
    return finish(fails, checked, "hypercalls")


if __name__ == "__main__":
    sys.exit(main())
