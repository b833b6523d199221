#!/usr/bin/env python3
"""Judge `kvmscope probe` live mode from the files live_probe wrote in the
testbed's out directory (the guest has no python).

  check.py OUTDIR BACKEND...

Per backend:
- every child exited 0 and each probe said it was attached;
- each probe printed at least one interval report and ends with exactly one
  final report (the "final picture"), with a table, an events line with
  nothing lost, and a bpftrace-style histogram for the expected key:
  uexits KVM_EXIT_IO, exits io+user (SVM's IO exit, which went to the VMM);
- when the VMM ended before the probes took their final snapshot, the
  counts are exact: uexits' KVM_EXIT_IO matches the exits the VMM's run loop
  serviced (pio_user + ucalls, within the identify exit and each vCPU
  thread's last exit, which has no next KVM_RUN), and exits' io+user equals
  uexits' KVM_EXIT_IO;
- tracefs (instances, events, filters, options) and the number of loaded
  BPF programs are the same after as before.
A backend that cannot run in the testbed is skipped; exit 77 if none ran.
"""
import json
import os
import re
import sys

EXPECTED_KEY = {"uexits": "KVM_EXIT_IO", "exits": "io+user"}


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def summary(path):
    d = {}
    for line in read(path).splitlines():
        k, _, v = line.partition("=")
        d[k] = v
    return d


def parse_reports(text, probe):
    """[(kind, seconds, {key: count}, events_line, hist_keys)] in order."""
    reports = []
    head = re.compile(rf"^(interval|final) {re.escape(probe)} at ([0-9.]+) s:$")
    cur = None
    for line in text.splitlines():
        m = head.match(line)
        if m:
            cur = {"kind": m.group(1), "at": float(m.group(2)), "keys": {}, "events": None,
                   "hists": {}}
            reports.append(cur)
            continue
        if cur is None:
            continue
        if line.startswith("events "):
            ev = re.match(r"events (\d+), lost (\d+), unpaired (\d+)", line)
            cur["events"] = tuple(int(x) for x in ev.groups()) if ev else None
        elif line.startswith("@") and line.endswith(" (ns):"):
            cur["hist"] = line[1:-len(" (ns):")]
            cur["hists"][cur["hist"]] = 0
        elif line.startswith("[") and "|" in line and cur.get("hist"):
            cur["hists"][cur["hist"]] += int(line.split("|")[0].split(")")[-1])
        elif cur["events"] is None and line and not line.startswith("KEY "):
            parts = line.split()
            if len(parts) >= 6 and parts[1].isdigit():
                cur["keys"][parts[0]] = int(parts[1])
    return reports


def check_backend(out, be, fails):
    pre = os.path.join(out, f"live-{be}")
    try:
        s = summary(pre + ".summary")
    except OSError as e:
        fails.append(f"{be}: no summary ({e}): live_probe did not get this far")
        return False
    probes = [p for p in EXPECTED_KEY if f"{p}.status" in s]
    for p in probes:
        err = read(f"{pre}-{p}.err")
        if "cannot run here" in err:
            print(f"SKIP {be}: {err.strip().splitlines()[-1]}")
            return False
    for who in ["vmm"] + probes:
        if s.get(f"{who}.status") != "0":
            fails.append(f"{be} {who}: exit status {s.get(who + '.status')}")
    vmm_end = float(s.get("vmm.ended", "inf"))
    try:
        vmm = json.load(open(pre + "-vmm.json"))
        ex = vmm["results"][0]["host_exits"]
        serviced = ex["pio_user"] + ex["ucalls"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        fails.append(f"{be}: the VMM's results: {e}")
        serviced = None

    finals = {}
    for p in probes:
        attached = float(s.get(f"{p}.attached", "0"))
        if attached <= 0:
            fails.append(f"{be} {p}: never said it was attached")
            continue
        reps = parse_reports(read(f"{pre}-{p}.txt"), p)
        kinds = [r["kind"] for r in reps]
        if "interval" not in kinds:
            fails.append(f"{be} {p}: no interval report")
        if kinds.count("final") != 1 or kinds[-1] != "final":
            fails.append(f"{be} {p}: reports {kinds}: want intervals then one final")
            continue
        fin = reps[-1]
        key = EXPECTED_KEY[p]
        n = fin["keys"].get(key, 0)
        hist = fin["hists"].get(key, 0)
        ev = fin["events"]
        print(f"{be} {p}: final at {fin['at']} s: {fin['keys']}; events/lost/unpaired {ev}; "
              f"histogram @{key} total {hist}")
        if n <= 0:
            fails.append(f"{be} {p}: no {key} in the final table ({fin['keys']})")
        if hist != n:
            fails.append(f"{be} {p}: histogram @{key} holds {hist}, table says {n}")
        if ev is None:
            fails.append(f"{be} {p}: no events line in the final report")
        elif ev[1]:
            fails.append(f"{be} {p}: {ev[1]} events lost")
        # the final snapshot is taken `at` seconds after attaching
        finals[p] = (n, vmm_end + 1.0 < attached + fin["at"])

    if "uexits" in finals and serviced is not None:
        n, whole = finals["uexits"]
        if whole:
            if abs(n - serviced) > 2:
                fails.append(f"{be} uexits: KVM_EXIT_IO {n}, the VMM serviced {serviced}")
            else:
                print(f"{be} uexits: KVM_EXIT_IO {n} vs the VMM's {serviced} serviced exits: ok")
            if "exits" in finals and finals["exits"][1]:
                if finals["exits"][0] != n:
                    fails.append(f"{be} exits: io+user {finals['exits'][0]} != uexits' "
                                 f"KVM_EXIT_IO {n}")
                else:
                    print(f"{be} exits: io+user {n} == uexits' KVM_EXIT_IO: ok")
        else:
            print(f"{be}: the VMM outlived the probes' duration: counts checked nonzero only")

    before, after = read(pre + "-tracefs-before.txt"), read(pre + "-tracefs-after.txt")
    if before != after:
        fails.append(f"{be}: tracefs/BPF state changed (diff {pre}-tracefs-before.txt "
                     f"{pre}-tracefs-after.txt)")
    elif "kvmscope-" in before.split("== tracing_on")[0]:
        fails.append(f"{be}: a kvmscope instance existed before the probes started")
    else:
        print(f"{be}: tracefs and BPF state restored")
    return True


def main():
    out, backends = sys.argv[1], sys.argv[2:]
    fails, checked = [], 0
    for be in backends:
        checked += check_backend(out, be, fails)
    for f in fails:
        print("FAIL:", f)
    if fails:
        return 1
    if not checked:
        print("SKIP: no probe backend could run in the testbed")
        return 77
    print(f"PASS ({checked} backends)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
