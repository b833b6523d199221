#!/usr/bin/env python3
"""Check probe_overhead's results (kvmscope run probe_overhead, x86 testbed
with bpftrace staged): every result ok, the numbers sane, kvmscope's BPF
probes at most half bpftrace's cost.

  check.py RESULTS.json

- probe_overhead_uexits_bpftrace and probe_overhead_exits_bpftrace exist and
  are ok: bpftrace really ran the one-liners;
- every result: as many samples (paired differences) as pairs, at least 6
  (a 95 % interval needs them), the overhead (their median) inside its
  reported 95 % CI [overhead_ci_lo, overhead_ci_hi], a baseline (median
  without) of a plausible exit round trip (1 us .. 10 ms under TCG), an
  overhead within [-baseline, 5 x baseline] (emulated timings are noisy, a
  negative figure is noise, not a failure);
- uexits' and exits' bpftrace paired about one span per measured exit
  (warm-up and set-up exits add a little), and for uexits about half the
  raw events kvmscope's own uexits probe took (two events per span) — the
  same exits seen (hypercalls' and memlend's spans never start in this
  workload: what they cost it is their programs' filtering);
- kvmscope's probes lost no events;
- the cost criterion (issue 13): for uexits and exits, the upper end of the
  BPF probe's overhead CI is at most 0.5 x the bpftrace one-liner's median;
  for every probe with a one-liner (also hypercalls and memlend; irqfd pairs
  its stages across threads and has none) kvmscope/bpftrace is reported with
  its CI (hypercalls' and memlend's are not held to 0.5x: why at the check).
Prints the table of figures. Exit 0 PASS, 1 FAIL.
"""
import json
import math
import sys

CRITERION = 0.5


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
    print(f"{'RESULT':34} {'STATUS':6} {'OVERHEAD/EXIT (95% CI)':>30} {'BASELINE':>10} "
          f"{'PAIRS':>5} {'EV/EXIT':>7}  ATTACH")
    for name, r in res.items():
        m = metrics(r)
        if r.get("status") != "ok":
            fails.append(f"{name}: {r.get('status')}: {r.get('reason')}")
            print(f"{name:34} {r.get('status'):6}")
            continue
        base, over = m.get("median_without", 0), m.get("overhead_per_exit", float("nan"))
        lo, hi = m.get("overhead_ci_lo", float("nan")), m.get("overhead_ci_hi", float("nan"))
        per = m.get("probe_spans_per_exit", m.get("probe_events_per_exit"))
        params = r.get("params", {})
        pairs = params.get("pairs")
        how = params.get("attach", "bpftrace" if "bpftrace" in params else "")
        print(f"{name:34} {'ok':6} {over / 1000:8.2f} us [{lo / 1000:7.2f}, {hi / 1000:7.2f}] "
              f"{base / 1000:7.2f} us {int(pairs or 0):5} {per:7.3f}  {how}")
        if len(r.get("samples", [])) != pairs or not pairs or pairs < 6:
            fails.append(f"{name}: {len(r.get('samples', []))} samples for {pairs} pairs")
        if not (lo <= over <= hi):
            fails.append(f"{name}: overhead {over} ns outside its CI [{lo}, {hi}]")
        if not 1e3 <= base <= 1e7:
            fails.append(f"{name}: baseline {base} ns is not an exit round trip")
        if not math.isfinite(over) or not -base <= over <= 5 * base:
            fails.append(f"{name}: overhead {over} ns against a {base} ns baseline")
        if m.get("probe_events_lost"):
            fails.append(f"{name}: {m['probe_events_lost']} events lost")
        # uexits' and exits' spans are the workload's exits (hypercalls' and
        # memlend's never start in it: their cost is the programs' filtering)
        if name in ("probe_overhead_uexits_bpftrace", "probe_overhead_exits_bpftrace"):
            if not 0.95 <= per <= 1.5:
                fails.append(f"{name}: {per} spans per measured exit (want ~1)")
        if name.endswith("_bpftrace"):
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
    # every probe with a one-liner here (irqfd has none: its stages pair across
    # threads); the 0.5x criterion holds uexits and exits. hypercalls' and
    # memlend's ratios are reported, not held to it: in this workload their
    # spans never start, what they cost is one raw-tracepoint program on
    # every kvm_entry (about 3.8 us an exit under TCG, measured: memlend_bpf),
    # and that dispatch alone is near half of bpftrace's whole cost for them
    for probe in ("uexits", "exits", "hypercalls", "memlend"):
        held = probe in ("uexits", "exits")
        bt, own = res.get(f"probe_overhead_{probe}_bpftrace"), res.get(f"probe_overhead_{probe}_bpf")
        if not (bt and own and bt.get("status") == own.get("status") == "ok"):
            if own and own.get("status") == "ok" and probe in ("hypercalls", "memlend"):
                fails.append(f"{probe}: the bpf probe ran but its bpftrace one-liner did not: "
                             f"{bt and bt.get('reason')}")
            continue
        mb, mo = metrics(bt), metrics(own)
        limit = CRITERION * mb["overhead_per_exit"]
        ratio = mo.get("vs_bpftrace", float("nan"))
        rlo, rhi = mo.get("vs_bpftrace_lo", float("nan")), mo.get("vs_bpftrace_hi", float("nan"))
        print(f"{probe}: kvmscope bpf / bpftrace = {ratio:.2f} (95% CI {rlo:.2f} .. {rhi:.2f}); "
              f"bpf CI upper {mo['overhead_ci_hi'] / 1000:.2f} us vs {CRITERION} x bpftrace "
              f"median {limit / 1000:.2f} us")
        if not mo["overhead_ci_hi"] <= limit and not held:
            print(f"{probe}: above {CRITERION} x bpftrace (reported, not held: see check.py)")
        elif not mo["overhead_ci_hi"] <= limit:
            fails.append(f"{probe}: the BPF probe's overhead CI reaches {mo['overhead_ci_hi']:.0f} "
                         f"ns, above {CRITERION} x bpftrace's median ({limit:.0f} ns)")
        if not math.isfinite(ratio):
            fails.append(f"{probe}: no kvmscope/bpftrace ratio reported")
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    print(f"PASS ({len(res)} results)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
