#!/usr/bin/env python3
"""Check probe_overhead's results (kvmscope run probe_overhead, x86 testbed
with bpftrace staged): every result ok, the numbers sane.

  check.py RESULTS.json

- probe_overhead_uexits_bpftrace and probe_overhead_exits_bpftrace exist and
  are ok: bpftrace really ran the one-liners;
- every result: as many samples as pairs, a baseline (median without) of a
  plausible exit round trip (1 us .. 10 ms under TCG), an overhead that is
  finite and within [-baseline, 5 x baseline] (emulated timings are noisy,
  a negative figure is noise, not a failure);
- bpftrace paired about one span per measured exit (warm-up and set-up
  exits add a little), and for uexits about half the raw events kvmscope's
  own uexits probe took (two events per span) — the same exits seen;
- kvmscope's probes lost no events.
Prints the table of figures. Exit 0 PASS, 1 FAIL.
"""
import json
import math
import sys


def metrics(r):
    return {k: v["value"] for k, v in r.get("metrics", {}).items()}


def main():
    path = sys.argv[1]
    try:
        doc = json.load(open(path))
    except (OSError, ValueError) as e:
        print(f"FAIL: {path}: {e}")
        return 1
    res = {r["name"]: r for r in doc.get("results", []) if r["name"].startswith("probe_overhead_")}
    fails = []
    for want in ("probe_overhead_uexits_bpftrace", "probe_overhead_exits_bpftrace"):
        if want not in res:
            fails.append(f"{want}: missing")
    print(f"{'RESULT':36} {'STATUS':8} {'OVERHEAD/EXIT':>14} {'BASELINE':>10} {'EVENTS/EXIT':>12}")
    for name, r in res.items():
        m = metrics(r)
        if r.get("status") != "ok":
            fails.append(f"{name}: {r.get('status')}: {r.get('reason')}")
            print(f"{name:36} {r.get('status'):8}")
            continue
        base, over = m.get("median_without", 0), m.get("overhead_per_exit", float("nan"))
        per = m.get("probe_spans_per_exit", m.get("probe_events_per_exit"))
        print(f"{name:36} {'ok':8} {over / 1000:11.2f} us {base / 1000:7.2f} us {per:12.3f}")
        pairs = r.get("params", {}).get("pairs")
        if len(r.get("samples", [])) != pairs:
            fails.append(f"{name}: {len(r.get('samples', []))} samples for {pairs} pairs")
        if not 1e3 <= base <= 1e7:
            fails.append(f"{name}: baseline {base} ns is not an exit round trip")
        if not math.isfinite(over) or not -base <= over <= 5 * base:
            fails.append(f"{name}: overhead {over} ns against a {base} ns baseline")
        if m.get("probe_events_lost"):
            fails.append(f"{name}: {m['probe_events_lost']} events lost")
        if name.endswith("_bpftrace"):
            if not 0.95 <= per <= 1.5:
                fails.append(f"{name}: {per} spans per measured exit (want ~1)")
            if not m.get("attach_s", 0) > 0:
                fails.append(f"{name}: no attach time")
    bt, own = res.get("probe_overhead_uexits_bpftrace"), res.get("probe_overhead_uexits_bpf")
    if bt and own and bt.get("status") == own.get("status") == "ok":
        spans, events = metrics(bt)["probe_spans_per_exit"], metrics(own)["probe_events_per_exit"]
        if abs(spans - events / 2) > 0.05 * spans:
            fails.append(f"uexits: bpftrace paired {spans} spans per exit, kvmscope's bpf probe "
                         f"took {events} events per exit (want two per span)")
        else:
            print(f"uexits: bpftrace {spans:.3f} spans per exit, kvmscope {events:.3f} events: "
                  "the same exits seen")
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    print(f"PASS ({len(res)} results)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
