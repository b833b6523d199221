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
import json
import sys

PAIRS = {
    "irqfd_halted": ["write->inject", "inject->wakeup", "wakeup->entry", "write->entry"],
    "irqfd": ["write->inject", "inject->entry", "write->entry"],
}


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
        if name not in PAIRS:
            continue
        if r.get("status") != "ok":
            fails.append(f"{backend} {name}: status {r.get('status')}: {r.get('reason')}")
            continue
        params = r.get("params", {})
        if isinstance(params, list):
            params = {p.get("key"): p.get("value") for p in params}
        n = int(params.get("interrupts", 0))
        want = n + n // 10 + 1
        probes = {p["probe"]: p for p in r.get("probes", [])}
        if not probes:
            print(f"SKIP {backend} {name}: no probes attached (backend unusable in the testbed?)")
            continue
        p = probes.get("irqfd")
        if p is None:
            fails.append(f"{backend} {name}: the {backend} backend attached "
                         f"{', '.join(sorted(probes))} but not irqfd (a build without "
                         f"irqfd.bpf.c? add irqfd to _ks_bpf_programs)")
            continue
        backend = p.get("backend", backend)
        counts = {k["key"]: k["count"] for k in p.get("keys", [])}
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
        print("SKIP: no backend could run the irqfd probe in the testbed")
        return 77
    print(f"PASS ({checked} benchmark runs checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
