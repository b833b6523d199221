#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_irq_race.py RESULTS.json: judge a run of irqfd and irqfd_halted made
with the irq_race test hook (KVMSCOPE_FAULT=irq_race:N). The guest lingered
in the race windows of its wait paths while the host fired; every interrupt
must have been taken (both results ok: no hang, no lost wake-up, no
watchdog), the windows must really have been exercised, and no one-way
sample may lie below its clock error bound. Shared by the host integration
test and the x86 and arm64 QEMU testbeds."""
import json
import sys


def metric(r, key):
    m = r.get("metrics", {}).get(key)
    return None if m is None else m.get("value")


def main():
    doc = json.load(open(sys.argv[1]))
    bad = []
    hook = doc.get("run", {}).get("fault_injection") or ""
    if not hook.startswith("irq_race"):
        bad.append("run.fault_injection does not record the irq_race hook: %r" % hook)
    backend = doc["environment"]["backend"]["name"]
    byname = {r["name"]: r for r in doc["results"]}
    for name in ("irqfd", "irqfd_halted"):
        r = byname.get(name)
        if r is None:
            bad.append("%s: no result" % name)
            continue
        if r["status"] != "ok":
            bad.append("%s: %s: %s" % (name, r["status"], r.get("reason")))
            continue
        masked, pending = metric(r, "race_masked"), metric(r, "race_masked_pending")
        enabled, delivered = metric(r, "race_enabled"), metric(r, "race_enabled_delivered")
        print("  %-13s masked window %s (interrupt pending in it: %s), enabled window %s "
              "(taken in it: %s); rejected samples %s, clock offset moves %s, "
              "min %.0f ns, median %.0f ns, %.1f s"
              % (name, masked, pending, enabled, delivered, metric(r, "rejected_samples"),
                 metric(r, "clock_offset_moves"), r["summary"]["min"], r["summary"]["median"],
                 r["seconds"]))
        if not masked or not pending:
            bad.append("%s: the masked window was never exercised with the interrupt "
                       "pending (race_masked %s, race_masked_pending %s)" % (name, masked, pending))
        # only a halting wait with a point between enabling and halting has the
        # enabled window: PVM's critical region; "sti; hlt" and arm64's WFI have none
        if name == "irqfd_halted" and backend == "pvm" and not delivered:
            bad.append("%s: the interrupt never landed in PVM's enabled window "
                       "(race_enabled %s, taken in it %s)" % (name, enabled, delivered))
        if (name == "irqfd" or backend != "pvm") and enabled:
            bad.append("%s: lingered %s times in an enabled window this wait path does "
                       "not have" % (name, enabled))
        err = metric(r, "clock_offset_error_max") or 0
        if r["summary"]["min"] < -err - 1:
            bad.append("%s: one-way min %.1f ns below the clock error bound -%.1f ns"
                       % (name, r["summary"]["min"], err))
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
