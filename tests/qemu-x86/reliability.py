#!/usr/bin/env python3
"""Judge the cases ks_reliability ran in the testbed (reliability.sh).

reliability.py OUT GROUP...   OUT/cases/<case>/{rc,out.txt,before.txt,after.txt,r.json}

For every case: the system state kvmscope leaves (tracefs mount, instances,
top-level events, triggers, filters, tracer, kprobe/uprobe events; BPF
programs, maps and links by id) is what it found; any results file is valid
JSON and marked incomplete exactly when the run was interrupted; no
temporary file is left. Then what each case must show: exit status, the
messages, and what the results file kept.
"""
import json
import os
import re
import sys

HOOK = "test hook armed: KVMSCOPE_FAULT="


def res(doc, name):
    for r in doc.get("results", []):
        if r.get("name") == name:
            return r
    return None


class Case:
    def __init__(self, d):
        self.dir = d
        self.name = os.path.basename(d)
        self.problems = []
        with open(os.path.join(d, "rc")) as f:
            lines = f.read().split("\n")
        self.rc, self.secs = lines[0], float(lines[1] or 0)
        m = re.match(r"peak bpf objects (\d+), tracefs instances (-?\d+)",
                     lines[2] if len(lines) > 2 else "")
        self.peak_bpf, self.peak_inst = (int(m[1]), int(m[2])) if m else (0, -1)
        with open(os.path.join(d, "out.txt"), "rb") as f:
            self.raw = f.read()
        self.out = self.raw.decode("utf-8", "replace")
        self.doc = None
        p = os.path.join(d, "r.json")
        if os.path.exists(p):
            try:
                with open(p) as f:
                    self.doc = json.load(f)
            except ValueError as e:
                self.bad(f"r.json is not valid JSON: {e}")

    def bad(self, why):
        self.problems.append(why)

    def exit(self, want):
        if self.rc != str(want):
            self.bad(f"exit status {self.rc}, want {want}")

    def says(self, pattern):
        if not re.search(pattern, self.out):
            self.bad(f"output lacks /{pattern}/")

    def status(self, name, want, reason=None):
        r = res(self.doc or {}, name)
        if not r:
            self.bad(f"r.json has no result {name}")
            return None
        if r.get("status") != want:
            self.bad(f"{name}: status {r.get('status')} ({r.get('reason')}), want {want}")
        if reason and not re.search(reason, r.get("reason") or ""):
            self.bad(f"{name}: reason '{r.get('reason')}' lacks /{reason}/")
        return r

    def complete(self, want):
        if self.doc is None:
            self.bad("no r.json")
        elif self.doc.get("complete") is not want:
            self.bad(f"complete is {self.doc.get('complete')}, want {want}")


def state(path):
    with open(path) as f:
        return f.read().splitlines()


def common(c):
    """What every case must leave: the system as found, no temp files."""
    before = state(os.path.join(c.dir, "before.txt"))
    after = state(os.path.join(c.dir, "after.txt"))
    # The top-level ring buffer starts unexpanded ("7 (expanded: 1408)") and the
    # kernel expands it, once and for good, the first time any trace event is
    # enabled in any instance (tracing_update_buffers()): no tool can put that
    # back, so it is not compared then. Its size is compared in every later case.
    if any(re.match(r"buffer_size_kb: \d+ \(expanded: \d+\)$", x) for x in before):
        before = [x for x in before if not x.startswith("buffer_size_kb: ")]
        after = [x for x in after if not x.startswith("buffer_size_kb: ")]
    if before != after:
        gone = [x for x in before if x not in after]
        new = [x for x in after if x not in before]
        c.bad(f"system state changed: gone {gone[:6]}, new {new[:6]}")
    for f in os.listdir(c.dir):
        if ".tmp." in f:
            c.bad(f"temporary file left: {f}")
    if c.doc is not None:
        if c.doc.get("schema") != "kvmscope-results":
            c.bad("r.json is not a kvmscope results file")
        interrupted = c.rc == "130"
        if c.doc.get("complete") is interrupted:
            c.bad(f"complete is {c.doc.get('complete')} with exit {c.rc}")
        if interrupted and not c.doc.get("incomplete_reason"):
            c.bad("interrupted, but no incomplete_reason")
    if c.rc in ("timeout",) or c.rc.startswith("signal"):
        c.bad(f"kvmscope did not exit by itself: {c.rc}")
    if b"\x1b" in c.raw:
        c.bad("a raw escape byte reached the terminal output")


CAPS = (r"BPF tracing needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: this process "
        r"\(uid {uid}\) lacks CAP_BPF, CAP_PERFMON, and CAP_SYS_ADMIN")


def guest_faults(c):
    c.exit(1)
    c.complete(True)
    c.status("empty", "ok")
    c.status("selftest_fault", "failed",
             r"guest took an unexpected exception: vector 6 \(#UD\) at pc 0x[0-9a-f]+")
    c.status("selftest_hang", "failed",
             r"watchdog: the guest made no progress report within 3\.0 s")
    c.status("selftest_badcall", "failed",
             r"ucall doorbell rung with a corrupt message \(cmd 0xdeadbeefcafef00d is no "
             r"command; args 0x1111 0x2222\)")
    c.status("selftest_badmbox", "failed",
             r"the guest overwrote the mailbox header \(magic 0x0, want 0x45504f435343534b")
    # the hostile text arrives escaped, on one line
    c.says(r"guest: \\x1b\[2J\\x1b\]0;owned\\x07\\x0akvmscope run: forged line\\x0d\\x")


def eintr_eagain(c):
    c.exit(0)
    c.says(re.escape(HOOK + "kvm_run_eintr:3,kvm_run_eagain:5"))
    if c.doc and c.doc["run"].get("fault_injection") != "kvm_run_eintr:3,kvm_run_eagain:5":
        c.bad("run.fault_injection does not record the hook")
    for name in ("hyp_call", "pio_out_user"):
        r = c.status(name, "ok")
        if r:
            ex = r.get("host_exits", {})
            if not (ex.get("eintr", 0) > 0 and ex.get("eagain", 0) > 0):
                c.bad(f"{name}: host_exits {ex} shows no retried EINTR/EAGAIN")


def eagain_storm(c):
    c.exit(1)
    c.status("hyp_call", "failed",
             r"KVM_RUN failed with EAGAIN 1000 times in a row \(retried each time\)")


def memslot(c):
    c.exit(1)
    c.status("empty", "failed",
             r"mmap of 1125899906842624 bytes for memslot 0: Cannot allocate memory")
    c.status("hyp_call", "ok")


def kvm_missing(c):
    c.exit(4)
    c.says(r"cannot open /dev/kvm: No such file or directory \(no KVM on this kernel")


def kvm_no_access(c):
    c.exit(4)
    c.says(r"cannot open /dev/kvm: Permission denied \(read/write permission needed: "
           r"/dev/kvm is mode 0000 owner 0 group 0; this process is uid 65534")


def bpf_load(c):
    c.exit(0)
    c.says(r"starting uexits with the bpf backend: loading the uexits BPF programs failed: "
           r"Operation not permitted.*injected by the KVMSCOPE_FAULT=bpf_load test hook")
    c.says(r"falling back to the tracefs backend")
    c.says(r"uexits via tracefs")
    c.says(r"final uexits")


def caps_dropped(c):
    c.exit(0)
    c.says(r"not using BPF: " + CAPS.format(uid=0))
    c.says(r"uexits via tracefs")


def caps_dropped_bpf(c):
    c.exit(77)
    c.says(r"the BPF backend cannot run here: " + CAPS.format(uid=0))


def tracefs_gone(backend):
    def check(c):
        c.exit(0)
        c.says(rf"uexits via {backend}")
        c.says(r"final uexits")
        with open(os.path.join(c.dir, "before.txt")) as f:
            if "tracefs: not mounted" not in f.read():
                c.bad("tracefs was mounted before the case: the case did not test anything")
    return check


def tracefs_no_admin(c):
    c.exit(77)
    c.says(r"the tracefs backend cannot run here: tracefs is not mounted and mounting one "
           r"failed: fsopen\(tracefs\): Operation not permitted; a private directory mount: "
           r"Operation not permitted \(mounting needs CAP_SYS_ADMIN")


def nobody_run(c):
    c.exit(0)
    c.complete(True)
    c.status("empty", "ok")
    c.status("hyp_call", "ok")


def nobody_probe(c):
    c.exit(77)
    c.says(r"no probe backend can run here: bpf: " + CAPS.format(uid=65534))
    c.says(r"tracefs: the tracefs backend needs root, or CAP_DAC_OVERRIDE, to create ftrace "
           r"instances and read trace_pipe_raw: this process is uid 65534")


def nobody_probe_tracefs(c):
    c.exit(77)
    c.says(r"the tracefs backend cannot run here: the tracefs backend needs root, or "
           r"CAP_DAC_OVERRIDE")


def interrupted(first_ok, then, status="interrupted"):
    def check(c):
        c.exit(130)
        c.complete(False)
        c.says(r"results: r\.json \(incomplete\)")
        for n in first_ok:
            c.status(n, "ok")
        if then:
            c.status(then, status)
    return check


FOREIGN = ["enabled: sched/sched_process_exit = 1", "filter: kvm/kvm_exit = exit_reason != 0",
           "trigger: kvm/kvm_hypercall = stacktrace:count=5", "instance: foreign",
           "kprobe_events: p:kprobes/ks_foreign_kp kvm_vcpu_ioctl"]


def foreign(check):
    """Someone else's tracefs state was there before (and so, after)."""
    def both(c):
        check(c)
        before = state(os.path.join(c.dir, "before.txt"))
        for x in FOREIGN:
            if not any(line.startswith(x) for line in before):
                c.bad(f"the foreign tracefs state was not set up: no '{x}' before")
    return both


def with_probes(check, backend):
    def both(c):
        check(c)
        attached(c, backend)
    return both


def results_write(c):
    interrupted(["empty"], None)(c)
    if c.doc and res(c.doc, "hyp_call"):
        c.bad("hyp_call ran after the signal")


def outside_run(c):
    c.exit(130)
    c.complete(False)
    oks = [r for r in (c.doc or {}).get("results", []) if r.get("status") == "ok"]
    if not oks:
        c.bad("nothing measured was kept")
    if not any(r.get("probes") for r in oks):
        c.bad("no kept result carries probe histograms")


def attached(c, backend):
    """While it ran, the probes were there (the after-snapshot then shows them gone)."""
    if backend == "bpf" and c.peak_bpf == 0:
        c.bad("no BPF object was ever seen while it ran: nothing was attached")
    if backend == "tracefs" and c.peak_inst < 1:
        c.bad("no ftrace instance was ever seen while it ran: nothing was attached")


def probe_stopped(probe, backend, seen=True):
    """seen=False: signalled right after attaching, it may be gone before the
    driver's next look (every 50 ms); "via" says the start succeeded."""
    def check(c):
        c.exit(0)
        c.says(rf"{probe} via {backend}")
        c.says(rf"final {probe}")
        if seen:
            attached(c, backend)
    return check


def soak(c, n):
    c.exit(0)
    c.complete(True)
    s = (c.doc or {}).get("soak")
    if not s:
        c.bad("no soak object in r.json")
        return
    if s.get("completed") != n or len(s.get("samples", [])) != n + 1:
        c.bad(f"soak completed {s.get('completed')} of {n} with {len(s.get('samples', []))} "
              "samples")
    g = s.get("growth", {})
    for k in ("fds", "bpf_objects", "perf_events", "tracefs_instances"):
        if g.get(k) != 0:
            c.bad(f"soak: {k} grew by {g.get(k)} after the first iteration")
    after1 = s["samples"][1] if len(s.get("samples", [])) > 1 else None
    for x in s.get("samples", [])[1:]:
        held = x["bpf_progs"] + x["bpf_maps"] + x["bpf_links"] + x["btf"]
        if held:
            c.bad(f"soak: {held} BPF objects held between iterations (iteration "
                  f"{x['iteration']})")
    # allocator arenas settle in the first iterations: bound, don't forbid
    if after1 and g.get("rss_kib", 0) > max(4096, after1["rss_kib"] // 5):
        c.bad(f"soak: RSS grew by {g.get('rss_kib')} KiB after the first iteration")
    if not s.get("medians"):
        c.bad("soak: no median series")
    probed = [r for r in c.doc.get("results", []) if r.get("probes")]
    if not probed:
        c.bad("soak: the last iteration's results carry no probe histograms")
    print("\n".join(line for line in c.out.splitlines() if line.startswith("soak:")))


CASES = {
    "faults": {
        "guest_faults": guest_faults,
        "kvm_run_eintr_eagain": eintr_eagain,
        "kvm_run_eagain_storm": eagain_storm,
        "memslot_enomem": memslot,
        "kvm_missing": kvm_missing,
        "kvm_no_access": kvm_no_access,
        "bpf_load_fails": bpf_load,
        "bpf_caps_dropped": caps_dropped,
        "bpf_caps_dropped_bpf_only": caps_dropped_bpf,
        # where nobody has tracefs mounted, kvmscope's instance lives in its own
        # detached mount, which no other process can see (tracefs_mount.c):
        # "via tracefs" and the final table are what shows it attached
        "tracefs_unmounted_tracefs": tracefs_gone("tracefs"),
        "tracefs_unmounted_bpf": with_probes(tracefs_gone("bpf"), "bpf"),
        "tracefs_unmounted_no_admin": tracefs_no_admin,
    },
    "privs": {
        "nobody_run_kvm_666": nobody_run,
        "nobody_probe": nobody_probe,
        "nobody_probe_tracefs": nobody_probe_tracefs,
    },
    "interrupts": {
        "run_sigterm_vm_setup": interrupted(["empty"], "hyp_call"),
        "run_sigint_mid_bench_probes": with_probes(interrupted(["empty"], "hyp_call"), "bpf"),
        "run_sigterm_results_write": results_write,
        # the 7th BPF probe attached: in hyp_call's set (or cpuid's), never empty's
        "run_sigint_probe_attach_bpf": with_probes(interrupted(["empty"], None), "bpf"),
        "run_sigterm_probe_attach_tracefs":
            foreign(with_probes(interrupted([], "empty"), "tracefs")),
        "run_sigterm_outside_probes": with_probes(outside_run, "bpf"),
        "probe_bpf_sigterm_attach": probe_stopped("uexits", "bpf", seen=False),
        "probe_tracefs_sigint_attach": probe_stopped("uexits", "tracefs", seen=False),
        "probe_bpf_sigint_outside": foreign(probe_stopped("exits", "bpf")),
        "probe_tracefs_sigterm_outside": foreign(probe_stopped("exits", "tracefs")),
        "probe_tracefs_sigterm_loop": probe_stopped("uexits", "tracefs"),
    },
}


def main():
    out, groups = sys.argv[1], sys.argv[2:]
    failed = passed = 0
    for g in groups:
        todo = ({"soak": lambda c, n=int(g[5:].split(":")[0]): soak(c, n)}
                if g.startswith("soak=") else CASES.get(g))
        for cases in CASES.values():   # a single case by its name
            if todo is None and g in cases:
                todo = {g: cases[g]}
        if todo is None:
            print(f"FAIL: unknown group {g}")
            failed += 1
            continue
        for name, check in todo.items():
            d = os.path.join(out, "cases", name)
            if not os.path.exists(os.path.join(d, "rc")):
                print(f"FAIL {name}: the case did not run (no {d}/rc)")
                failed += 1
                continue
            c = Case(d)
            common(c)
            check(c)
            if c.problems:
                failed += 1
                print(f"FAIL {name} (exit {c.rc}, {c.secs:.1f} s):")
                for p in c.problems:
                    print(f"    {p}")
                print("    --- out.txt ---")
                for line in c.out.splitlines()[-25:]:
                    print(f"    | {line}")
            else:
                passed += 1
                print(f"ok   {name} (exit {c.rc}, {c.secs:.1f} s; while it ran: up to "
                      f"{c.peak_bpf} BPF objects, {c.peak_inst} ftrace instances)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
