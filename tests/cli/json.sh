#!/usr/bin/env bash
# `info --json` and `list --json`: valid JSON on stdout carrying the same
# facts as the tables (backend, /dev/kvm state and reason; every benchmark
# with its availability and reason), and the same exit codes.
set -u
: "${KVMSCOPE:?}"
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to parse the JSON"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-json.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$KVMSCOPE" info >"$work/info.txt" 2>&1; rc_text=$?
"$KVMSCOPE" info --json >"$work/info.json" 2>"$work/info.err"; rc_json=$?
[ $rc_text -eq $rc_json ] || fail "info exits $rc_text, info --json $rc_json"
"$KVMSCOPE" list >"$work/list.txt" 2>&1 || fail "list exited $?"
"$KVMSCOPE" list --json >"$work/list.json" 2>"$work/list.err" || fail "list --json exited $?"

python3 - "$work" "$rc_json" <<'PY' || exit 1
import json, re, sys
work, rc = sys.argv[1], int(sys.argv[2])
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
info = json.load(open(work + "/info.json"))
text = open(work + "/info.txt").read()
for k in ("arch", "kernel", "backend", "kvm", "clock", "online_cpus", "tracing"):
    if k not in info: fail("info --json lacks " + k)
be = re.search(r"^backend: +(\S+)", text, re.M).group(1)
if info["backend"]["name"] != be: fail("backend %s in JSON, %s in the table" % (info["backend"]["name"], be))
kvm = info["kvm"]
if kvm["available"] != (rc == 0): fail("kvm.available=%s but exit %d" % (kvm["available"], rc))
if not kvm["available"]:
    why = re.search(r"^device: +\S+ unusable: (.*)$", text, re.M).group(1)
    if kvm["error"] != why: fail("kvm.error %r differs from the table's %r" % (kvm["error"], why))
else:
    if not isinstance(kvm["api_version"], int) or not kvm["capabilities"]: fail("kvm details missing")
print("info --json: backend %s, kvm available %s, exit %d" % (be, kvm["available"], rc))

lst = json.load(open(work + "/list.json"))
names = re.findall(r"^(\S+) +\S+ +(?:yes|no) +(runs|cannot run: .*)$", open(work + "/list.txt").read(), re.M)
if lst["backend"] != be: fail("list --json backend %s" % lst["backend"])
if [b["name"] for b in lst["benchmarks"]] != [n for n, _ in names]:
    fail("list --json names differ from the table")
for b, (n, here) in zip(lst["benchmarks"], names):
    for k in ("name", "family", "what", "default", "available", "reason"):
        if k not in b: fail("%s lacks %s" % (n, k))
    if b["available"] != (here == "runs"): fail("%s: available=%s, table says %s" % (n, b["available"], here))
    if b["available"] != (b["reason"] is None): fail("%s: reason must be null exactly when available" % n)
    if not b["available"] and here != "cannot run: " + b["reason"]: fail("%s: reason differs" % n)
print("list --json: %d benchmarks, %d available here" % (len(lst["benchmarks"]), sum(b["available"] for b in lst["benchmarks"])))
PY
[ -s "$work/info.err" ] && fail "info --json wrote to stderr: $(cat "$work/info.err")"
echo PASS
