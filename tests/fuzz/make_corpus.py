#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the fuzz targets' seed corpora and dictionaries (tests/fuzz/corpus/,
tests/fuzz/*.dict) from the repository's fixtures and published results.

Run from anywhere; it rewrites only what it generates (regression inputs
that a soak found are kept in corpus/<target>/regress-*, untouched).
Seeds are small on purpose: libFuzzer caps inputs at the largest seed, and a
smoke run replays them all.
"""
import json
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")
PUBLISHED = os.path.join(ROOT, "results", "published", "2026-11-28-x86-testbed-halt-poll")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def out(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(target):
    d = os.path.join(CORPUS, target)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if not n.startswith("regress-"):
                os.unlink(os.path.join(d, n))


def trim(v, keep):
    """Every list of numbers cut to `keep` values; everything else kept."""
    if isinstance(v, list):
        if len(v) > keep and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
            return v[:keep]
        return [trim(x, keep) for x in v]
    if isinstance(v, dict):
        return {k: trim(x, keep) for k, x in v.items()}
    return v


def trimmed(path, keep=24, results=None):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    d = trim(d, keep)
    if results is not None:
        d["results"] = [r for r in d["results"] if r["name"] in results]
    return json.dumps(d, indent=1, ensure_ascii=False).encode()


CLASSIC = {"hyp_call", "mmio_read_lapic", "mmio_read_vgic", "eoi", "outl_to_kernel",
           "mmio_write_kernel", "irqfd"}
FEW = {"pio_out_user", "hyp_call", "irqfd", "mmio_read_vgic", "eoi"}


def with_probes_perf(doc):
    """A run with --probes and perf counters: what report_probes.c and the
    perf section read (results/README.md), on its first ok benchmark."""
    d = json.loads(doc)
    for r in d["results"]:
        if r["status"] == "ok":
            r["probes"] = [
                {"probe": "uexits", "backend": "bpf", "lost": 0, "unpaired": 2, "events": 40,
                 "keys": [{"key": "KVM_EXIT_IO", "count": 20, "mean_ns": 812.5, "p50_ns_upper": 1023,
                           "p99_ns_upper": 2047, "max_ns": 1900, "hist": [0, 0, 3, 17]}]},
                {"probe": "exits", "backend": "tracefs", "lost": 1, "unpaired": 0, "keys": []},
            ]
            r["perf"] = {
                "cycles": {"value": 123456789, "unit": "count"},
                "instructions": {"unsupported": "perf_event_open(instructions): ENOENT"},
                "context_switches": {"value": 3, "unit": "count"},
                "task_clock": {"value": 2.5e8, "unit": "ns"},
            }
            break
    return json.dumps(d, indent=1).encode()


def results_seeds():
    """Results files for fuzz_resultset: small (a mutation of a big seed is
    slow to run), covering every section the report renders."""
    a1 = os.path.join(PUBLISHED, "a1.json")
    hostile = os.path.join(FIXTURES, "results", "hostile-strings.json")
    seeds = {
        "published-a1-few.json": trimmed(a1, 12, FEW),
        "published-a1-classic.json": trimmed(a1, 8, CLASSIC),
        "hostile-strings-few.json": trimmed(hostile, 8, FEW),
    }
    seeds["probes-perf.json"] = with_probes_perf(trimmed(a1, 8, {"pio_out_user", "hyp_call"}))
    # incomplete run, an empty result list
    d = json.loads(seeds["published-a1-few.json"])
    d["complete"] = False
    d["incomplete_reason"] = "interrupted by a signal; results up to that point are kept"
    seeds["incomplete.json"] = json.dumps(d, indent=1).encode()
    d["results"] = []
    seeds["no-results.json"] = json.dumps(d, indent=1).encode()
    return seeds


def extreme_seeds(few):
    """Numbers at the edges for the statistics: huge and subnormal samples,
    one sample, constant and all-zero sides, mismatched units, a duplicate
    benchmark name (refused), infinite metrics and odd parameters."""
    base = json.loads(few)

    def ok(d):
        return [r for r in d["results"] if r["status"] == "ok"]

    def dump(d):
        return json.dumps(d).encode()
    seeds = {}
    d = json.loads(few)
    for r in ok(d):
        r["samples"] = [1e308] * 5 + [-1e308] * 5
    seeds["extreme-huge.json"] = dump(d)
    for r in ok(d):
        r["samples"] = [5e-324, 1e-320, 0, -0.0]
    seeds["extreme-subnormal.json"] = dump(d)
    d = json.loads(few)
    d["results"] = d["results"] + d["results"]
    seeds["extreme-dup-names.json"] = dump(d)   # refused: a name twice
    d = json.loads(few)
    for r in d["results"]:
        r["metrics"] = {"x": {"value": "@INF@", "unit": "ns"}, "y": {"value": None}}
        r["params"] = {"region_mib": 1e308, "interrupts": -5, "s": "str"}
    d["environment"]["clock"]["host_tick_hz"] = 1e308
    d["environment"]["clock"]["guest_tick_hz"] = -1
    # JSON has no infinity, but 1e999 is a valid number that overflows
    seeds["extreme-metrics.json"] = dump(d).replace(b'"@INF@"', b"1e999")
    a, b = json.loads(few), json.loads(few)
    for r in ok(a):
        r["samples"] = [7.0] * 10
    for r in ok(b):
        r["samples"] = [7.0] * 10
    seeds["pair-constant"] = dump(a) + b"\0" + dump(b)
    for r in ok(a):
        r["samples"] = [0.0] * 3
    for r in ok(b):
        r["samples"] = [1.0]
        r["unit"] = "ns/page"
    seeds["pair-one-sample-units"] = dump(a) + b"\0" + dump(b)
    return seeds


def json_edge_cases():
    return {
        "empty-object.json": "{}",
        "scalars.json": '[null, true, false, 0, -0, 1.5e3, -2E-2, 1e999, -1e999, 123456789012345678901234567890, 0.000000000000000000000001]',
        "strings.json": r'["", "\u0000nul", "\ud83d\ude00", "\u00e9\t\n\"\\\/", "\ud800", "\udc00x", "caf\u00e9"]',
        "dup-keys.json": '{"a": 1, "a": [1,2,3], "b": {"a": null}, "a": "last"}',
        "numarr.json": "[1, 2.5, -3e10, 4, 5, 6, 7, 8, 9, 10]",
        "mixed-arr.json": '[1, "two", 3, [4], {"five": 5}]',
        "deep-64.json": "[" * 64 + "]" * 64,
        "deep-65.json": "[" * 65 + "]" * 65,
        "bad-trailing-comma.json": '{"a": [1, 2,], }',
        "bad-leading-zero.json": "[01]",
        "bad-control.json": '["a\x01b"]',
        "bad-truncated.json": '{"schema": "kvmscope-results", "schema_version": 1, "complete": tru',
        "bad-utf8.json": b'["\xff\xfe", "\xc0\xaf"]',
        "bom.json": b"\xef\xbb\xbf{}",
        "whitespace.json": " \t\r\n[ 1 ,\n 2 ]\n ",
    }


def run_args_seeds():
    argvs = [
        ["--quick"],
        ["hyp_call", "irqfd", "--cpu", "1", "--samples", "5000", "-o", "hv.json"],
        ["exit_user", "-q", "-v", "--no-perf", "--no-progress"],
        ["--cpu=3", "--samples=10", "--watchdog=0.5", "--output=x.json"],
        ["-c", "4095", "-n", "1000000", "-w", "86400"],
        ["-c", "4096"], ["-n", "0"], ["-w", "0.05"], ["-w", "nan"], ["-w", "1e999"], ["-n", "-1"],
        ["--emit", "lava"], ["--emit=signal"], ["--emit", "plain"], ["--emit", "bogus"], ["--lava"],
        ["--suite-name", "rb3-gunyah", "--lava"], ["--suite-name="],
        ["-P", "--probe-backend", "bpf"], ["--probes", "--probe-backend=tracefs"], ["--probe-backend", "auto"],
        ["--", "-q", "--cpu"], ["-"], ["--help"], ["-h"], ["--unknown"], ["--cpu"], ["-o"],
        ["--quick=1"], ["-qv"],
        ["n%d" % i for i in range(65)],
    ]
    return {"argv-%02d" % i: b"\0".join(a.encode() for a in argv) for i, argv in enumerate(argvs)}


def arm64_seeds():
    fx = os.path.join(FIXTURES, "arm64")

    def rd(n):
        with open(os.path.join(fx, n), "rb") as f:
            return f.read()
    SEP = b"\xff\xfe"
    uid_g = b"c1d58fcd-a453-5fdb-9265-ce36673d5f14"
    uid_k = b"28b46fb6-2ec5-11e9-a9ca-4b564d003a74"
    gy_compat = rd("fixture-gunyah-hypervisor-compatible.bin")
    combos = {
        "gunyah-all": (1, b"console=ttyMSM0", rd("fixture-gunyah-rb3gen2-dmesg.txt"), gy_compat, uid_g),
        "gunyah-old-compat": (1, b"", rd("fixture-gunyah-rb3gen2-dmesg.txt"),
                              rd("fixture-gunyah-hypervisor-compatible-old.bin"), None),
        "vhe": (0, b"root=/dev/sda1", rd("fixture-vhe-dmesg.txt"), None, uid_k),
        "nvhe": (0, rd("fixture-nvhe-cmdline.txt"), rd("fixture-nvhe-dmesg.txt"), None, None),
        "nvhe-old": (0, b"", rd("fixture-nvhe-old-dmesg.txt"), None, None),
        "protected": (0, rd("fixture-protected-cmdline.txt"), rd("fixture-protected-dmesg.txt"), b"", None),
        "no-el2": (2, b"", rd("fixture-no-el2-dmesg.txt"), None, None),
        "xen": (42, b"kvm-arm.mode=\"nested\" id_aa64mmfr1.vh=0", b"", rd("fixture-xen-hypervisor-compatible.bin"),
                b"{garbage}"),
        "contradiction": (0, b"kvm-arm.mode=protected", rd("fixture-vhe-dmesg.txt"), gy_compat, uid_g),
        "cmdline-only": (0, b"kvm_arm.mode=none kvm-arm.mode=nvhe", None, None, None),
    }
    seeds = {}
    for name, (api, cmd, log, compat, uid) in combos.items():
        parts = [cmd, log, compat, uid]
        while parts and parts[-1] is None:
            parts.pop()
        seeds[name] = bytes([api]) + SEP.join(p if p is not None else b"" for p in parts)
    return seeds


HOSTILE_STRINGS = [
    "6.1'; system(\"touch PWNED\"); '\n<script>alert(1)</script>",
    "quiet `id` $(id) | [x](javascript:alert(1)) \x1b[2J",
    "Evil\u202eCPU & \"quoted\" \\ backslash",
    "svm<img src=x onerror=alert(1)>",
    "caf\u00e9 \U0001F600 \u009b31m C1 CSI",
    "tab\there\rcr\x7fdel",
    "plain-name_1.2",
    "",
]


def escape_seeds():
    seeds = {}
    for i, s in enumerate(HOSTILE_STRINGS):
        for size in (0, 1, 8, 200):
            seeds["s%02d-len%03d" % (i, size)] = bytes([size]) + s.encode("utf-8")
    seeds["bad-utf8"] = bytes([64]) + b"\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xc2\x9b\xe2\x82"
    return seeds


def btf(types, strs):
    """A BTF blob: header, type section, string section (little endian)."""
    t = b"".join(types)
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(t), len(t), len(strs))
    return hdr + t + strs


def kfiles_seeds():
    lookups = ["esr_ec", "exit_reason", "isa", "cmd", "args", "id", "ret", "gsi", "r0", "nr",
               "kvm_mmu_page_fault", "gunyah_handle_page_fault", "kvm_vcpu_ioctl", "handle_exit",
               "gunyah", "qcom,gunyah-hypervisor", "x"]

    def sel(mode, name):
        return bytes([mode | (lookups.index(name) << 3), 0x80])
    hdr = ("name: kvm_exit\nID: 1\nformat:\n"
           "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
           "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n")
    x86 = hdr + ("\tfield:unsigned int exit_reason;\toffset:8;\tsize:4;\tsigned:0;\n"
                 "\tfield:u32 isa;\toffset:24;\tsize:4;\tsigned:0;\n\nprint fmt: \"reason %s\"\n")
    arm = hdr + "\tfield:int ret;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:unsigned int esr_ec;\toffset:12;\tsize:4;\tsigned:0;\n"
    raw = hdr + "\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n"
    aff = ("do_one_initcall\nkvm_vcpu_ioctl [kvm]\nkvm_mmu_page_fault [kvm]\tops: x\n"
           "handle_exit [kvm_intel]\n__traceiter_kvm_exit\n")
    # vmlinux-like: INT, FUNC_PROTO, FUNC "kvm_vcpu_ioctl", STRUCT with 2 members, ENUM
    strs = b"\0int\0kvm_vcpu_ioctl\0s\0a\0b\0E\0V\0"
    def ty(name_off, kind, vlen, size_or_type):
        return struct.pack("<III", name_off, (kind << 24) | vlen, size_or_type)
    types = [ty(1, 1, 0, 4) + struct.pack("<I", 32),
             ty(0, 13, 1, 1) + struct.pack("<II", 0, 1),
             ty(5, 12, 0, 2),
             ty(20, 4, 2, 8) + struct.pack("<III", 22, 1, 0) + struct.pack("<III", 24, 1, 32),
             ty(26, 6, 1, 4) + struct.pack("<Ii", 28, 7)]
    vmlinux = btf(types, strs)
    # a module's split BTF: its names continue vmlinux's string offsets
    mstrs = b"\0handle_exit\0"
    module = btf([ty(len(strs) + 1, 12, 0, 2)], mstrs)
    gy = b"qcom,gunyah-hypervisor-1.0\0qcom,gunyah-hypervisor\0simple-bus\0"
    return {
        "format-x86-exit_reason": sel(0, "exit_reason") + x86.encode(),
        "format-x86-isa": sel(0, "isa") + x86.encode(),
        "format-arm64-esr_ec": sel(0, "esr_ec") + arm.encode(),
        "format-raw-args": sel(0, "args") + raw.encode(),
        "aff-kvm_vcpu_ioctl": sel(1, "kvm_vcpu_ioctl") + aff.encode(),
        "aff-page-fault": sel(1, "kvm_mmu_page_fault") + aff.encode(),
        "btf-vmlinux": sel(2, "kvm_vcpu_ioctl") + vmlinux,
        "btf-split": bytes([3 | (lookups.index("handle_exit") << 3), 255 * len(module) // (len(module) + len(vmlinux))])
                     + module + vmlinux,
        "btf-truncated": sel(2, "kvm_vcpu_ioctl") + vmlinux[:-9],
        "compat-gunyah": sel(5, "gunyah") + gy,
        "compat-unterminated": sel(5, "gunyah") + b"simple-bus\0qcom,guny",
        "compat-xen": sel(5, "gunyah") + b"xen,xen-4.17\0xen,xen\0",
    }


def write_dict(name, tokens):
    with open(os.path.join(HERE, name), "w") as f:
        f.write("# generated by make_corpus.py: tokens libFuzzer splices into inputs\n")
        for t in sorted(set(tokens)):
            esc = "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else "\\x%02x" % ord(c) for c in t)
            f.write('"%s"\n' % esc)


def json_dict():
    keys = set()
    for fn in ("resultset.c", "report.c", "report_env.c", "report_classic.c", "report_compare.c",
               "report_probes.c", "report_plots.c"):
        with open(os.path.join(ROOT, "analysis", fn)) as f:
            keys |= set(re.findall(r'"([a-z_][a-z0-9_]*)"', f.read()))
    toks = ['"%s"' % k for k in keys]
    toks += ["{", "}", "[", "]", ":", ",", "true", "false", "null", "-0", "1e999", "0.5",
             "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\\"", "\\\\", "\\n",
             '"kvmscope-results"', '"ok"', '"failed"', '"unsupported"', '"interrupted"', '"ns"']
    return toks


def guest_image_seeds():
    """Guest images as the host reads them (ks_guest_abi.h): a 72-byte header
    at GPA 0x100000 (the boot word, then magic...), the routine table (32-byte
    entries) and the names; the first byte doubles as the fuzzer's choice of
    the name looked up."""
    gpa, magic = 0x100000, 0x45504f435343534b
    # the version the host accepts: the one ks_guest_abi.h defines
    abi = open(os.path.join(ROOT, "guests", "include", "ks_guest_abi.h")).read()
    version = int(re.search(r"#define KS_ABI_VERSION (\d+)", abi).group(1))

    def image(names, size=0x400, table=0x60, strings=0x100, kinds=None, end=None):
        img = bytearray(size)
        img[0:72] = struct.pack("<9Q", 0, magic, version, gpa, gpa + 0x300, gpa + (end or size),
                                gpa + 0x380, gpa + table, len(names))
        off = strings
        for i, n in enumerate(names):
            img[off:off + len(n) + 1] = n.encode() + b"\0"
            kind = (kinds or [1] * len(names))[i]
            img[table + 32 * i:table + 32 * (i + 1)] = struct.pack(
                "<QQQII", gpa + off, gpa + 0x300 + 4 * i, gpa + 0x3c0 if n == "ipi" else 0, kind, 0)
            off += 32
        return bytes(img)

    seeds = {
        "valid-three": image(["empty", "irq_wait", "ipi"], kinds=[1, 2, 2]),
        "valid-one": image(["hypercall"], kinds=[2]),
        "no-routines": image([]),
        "bad-kind": image(["empty", "fault"], kinds=[1, 9]),
        "duplicate": image(["empty", "empty"]),
        "table-past-end": image(["empty", "ipi"], end=0x80),
    }
    s = bytearray(image(["identify"], kinds=[2]))
    s[0x100:0x100 + 40] = b"i" * 40   # a name with no NUL within 32 bytes
    seeds["unterminated-name"] = bytes(s)
    s = bytearray(image(["mem_touch"], kinds=[2]))
    s[16:24] = struct.pack("<Q", 1)   # an image from before the routine table
    seeds["abi-v1"] = bytes(s)
    return seeds


def main():
    for t in ("fuzz_json_read", "fuzz_resultset", "fuzz_run_args", "fuzz_arm64_detect",
              "fuzz_escape", "fuzz_kfiles", "fuzz_export", "fuzz_guest_image"):
        clean(t)
    rs = results_seeds()
    for n, d in rs.items():
        out("fuzz_resultset", n, d)
        out("fuzz_json_read", n, d)
    for n, d in extreme_seeds(rs["published-a1-few.json"]).items():
        out("fuzz_resultset", n, d)
    # the published runs whole but for their samples: the reader's seeds only
    for n in ("a1", "b1"):
        out("fuzz_json_read", "published-%s-trimmed.json" % n, trimmed(os.path.join(PUBLISHED, n + ".json")))
    # two sets in one input: a comparison (cut at the NUL byte); the same
    # backend and kernel, so they also pool as two runs of one set
    three = {"pio_out_user", "hyp_call", "irqfd"}
    a1 = trimmed(os.path.join(PUBLISHED, "a1.json"), 8, three)
    b1 = trimmed(os.path.join(PUBLISHED, "b1.json"), 8, three)
    out("fuzz_resultset", "pair-a1-b1", a1 + b"\0" + b1)
    out("fuzz_resultset", "pair-hostile-a1", trimmed(os.path.join(FIXTURES, "results", "hostile-strings.json"), 6, three)
        + b"\0" + a1)
    for n, d in json_edge_cases().items():
        out("fuzz_json_read", n, d)
    for n, d in run_args_seeds().items():
        out("fuzz_run_args", n, d)
    for n, d in arm64_seeds().items():
        out("fuzz_arm64_detect", n, d)
    for n, d in escape_seeds().items():
        out("fuzz_escape", n, d)
    for n, d in kfiles_seeds().items():
        out("fuzz_kfiles", n, d)
    for n, d in guest_image_seeds().items():
        out("fuzz_guest_image", n, d)
    # export takes the same files as report
    rdir = os.path.join(CORPUS, "fuzz_resultset")
    for n in sorted(os.listdir(rdir)):
        if not n.startswith("regress-"):
            with open(os.path.join(rdir, n), "rb") as f:
                out("fuzz_export", n, f.read())
    write_dict("json.dict", json_dict())
    write_dict("run_args.dict", ["--quick", "--verbose", "--no-perf", "--no-progress", "--lava",
                                 "--emit", "--emit=", "lava", "signal", "plain", "--suite-name",
                                 "--probes", "--probe-backend", "bpf", "tracefs", "auto", "--output",
                                 "--cpu", "--cpu=", "--samples", "--samples=", "--watchdog",
                                 "--watchdog=", "--help", "-q", "-v", "-P", "-o", "-c", "-n", "-w",
                                 "-h", "--", "\0", "4095", "1000000", "86400", "0.1", "1e-1"])
    write_dict("arm64_detect.dict", [
        "\xff\xfe", "Running under Gunyah hypervisor", "KVM for Gunyah is available!",
        "HYP mode not available", "CPU: All CPU(s) started at EL2", "CPU: All CPU(s) started at EL1",
        "CPU: CPUs started in inconsistent modes", "VHE mode initialized successfully",
        "Hyp nVHE mode initialized successfully", "Hyp hVHE mode initialized successfully",
        "Hyp mode initialized successfully", "Protected nVHE mode initialized successfully",
        "kvm-arm.mode=", "kvm_arm.mode=", "nvhe", "protected", "nested", "none",
        "id_aa64mmfr1.vh=0", "qcom,gunyah-hypervisor", "gunyah-hypervisor", "-1.0", "simple-bus",
        "c1d58fcd-a453-5fdb-9265-ce36673d5f14", "28b46fb6-2ec5-11e9-a9ca-4b564d003a74", "\n", "\0"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
