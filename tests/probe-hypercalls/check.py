#!/usr/bin/env python3
"""Check the hypercalls probe in kvmscope results files (run --probes).

For hyp_call, the hypercalls probe's count for kvmscope's no-op hypercall
(key "0xffff") must equal the vCPU's hypercalls stat (vcpu_stats.hypercalls:
counted from vCPU creation, so over the same window as the probe: set-up,
warm-up and measurement). A backend that is not usable in the testbed (e.g. a
build without the BPF backend) is skipped; exit 77 if none could be checked.
"""
import json
import sys

KEY = "0xffff"


def check(path):
    fails, checked = [], 0
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{path}: {e}"], 0
    backend = path.rsplit("r-", 1)[-1].split(".")[0]
    for r in doc.get("results", []):
        name = r.get("name")
        if name != "hyp_call":
            continue
        if r.get("status") != "ok":
            fails.append(f"{backend} {name}: status {r.get('status')}: {r.get('reason')}")
            continue
        probes = {p["probe"]: p for p in r.get("probes", [])}
        if not probes:
            print(f"SKIP {backend} {name}: no probes attached (backend unusable in the testbed?)")
            continue
        p = probes.get("hypercalls")
        if p is None:
            fails.append(f"{backend} {name}: the {backend} backend attached "
                         f"{', '.join(sorted(probes))} but not hypercalls")
            continue
        backend = p.get("backend", backend)
        counts = {k["key"]: k["count"] for k in p.get("keys", [])}
        stat = r.get("vcpu_stats", {}).get("hypercalls")
        got = counts.get(KEY, 0)
        print(f"{backend} {name}: hypercalls {counts}; {KEY} {got} == vcpu_stats.hypercalls "
              f"{stat}; unpaired {p.get('unpaired')}; lost {p.get('lost')}; "
              f"events {p.get('events_seen')}")
        checked += 1
        if not stat or got != stat:
            fails.append(f"{backend} {name}: {KEY} counted {got}, vcpu_stats.hypercalls {stat}")
        if p.get("lost"):
            fails.append(f"{backend} {name}: {p.get('lost')} events lost")
    return fails, checked


def main():
    fails, checked = [], 0
    for path in sys.argv[1:]:
        f, c = check(path)
        fails += f
        checked += c
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    if not checked:
        print("SKIP: no backend could run the hypercalls probe in the testbed")
        return 77
    print(f"PASS ({checked} benchmark runs checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
