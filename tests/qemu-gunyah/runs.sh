#!/usr/bin/env bash
# runs.sh fault|hang|teardown: kvmscope through /dev/gunyah several times in
# one boot of the Gunyah testbed (gunyah_runs.c), then what the driver left:
#   fault     selftest_fault: the guest's UDF fails the run (exit 1) naming
#             the exception class and the guest PC; the VM is torn down
#   hang      selftest_hang: the watchdog stops a guest spinning under Gunyah
#             (the signal sets the run page's immediate_exit); the run ends
#             cleanly (exit 1, the failure in the results file) and the VM,
#             still running, is stopped, reset and reclaimed
#   teardown  4 rounds of hyp_call, mmio_write_user, irqfd, mem_lend_upfront
#             (about 8 VMs each): no lent memory leaks, no "Failed to
#             reclaim", no kernel WARNING
# MemFree (read after dropping the page cache: gunyah_runs.c) after the
# last round must be within 32 MiB of after the second. It swings by up to
# 12.7 MB from one round to the next with nothing leaked (the allocator's
# per-CPU lists, the driver's caches), so it catches what a round lends
# coming back or not (3 regions of 16 MiB and about 8 VMs of 4 MiB: over
# 80 MiB in two rounds), not one VM; that one VM's parcels came back is
# what the RM's reclaim says, checked next.
# Every round is checked for the RM having reclaimed what it lent: the
# driver logs "Failed to reclaim" otherwise (tests/qemu-gunyah/README.md).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
what=${1:?fault, hang or teardown}
: "${KVMSCOPE_ARM64:?}"
CC=${KVMSCOPE_AARCH64_CC:-aarch64-linux-gnu-gcc}
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
command -v "$CC" >/dev/null || { echo "SKIP: $CC not installed"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-gunyah-runs.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$CC" -static -O2 -Wall -Wextra -Werror -o "$work/gunyah_runs" "$HERE/gunyah_runs.c" 2>"$work/cc.err" ||
	{ cat "$work/cc.err"; echo "SKIP: $CC cannot build a static program (libc6-dev-arm64-cross?)"; exit 77; }
# kvmscope comes over the output share: the program's cwd in the HLOS
mkdir -p "$work/out"
cp "$KVMSCOPE_ARM64" "$work/out/kvmscope"
case $what in
fault)    n=3; want=1; args=(run selftest_fault --watchdog 20 -o r%d.json)
          say='unexpected exception: vector 0 \(unknown instruction / UDF\) at pc 0x[0-9a-f]+' ;;
hang)     n=3; want=1; args=(run selftest_hang --watchdog 3 -o r%d.json)
          say='watchdog: the guest made no progress report within 3.0 s and was stopped' ;;
teardown) n=4; want=0; args=(run --quick hyp_call mmio_write_user irqfd mem_lend_upfront -o r%d.json)
          say='' ;;
*) echo "usage: $0 fault|hang|teardown"; exit 2 ;;
esac
bash "$HERE/testbed.sh" --timeout 900 --out "$work/out" -- "$work/gunyah_runs" -n "$n" \
	-o runs.json ./kvmscope "${args[@]}" > "$work/console.txt" 2>&1
rc=$?
grep -av 'kvmscope-init: module .*: loaded' "$work/console.txt"
[ $rc -eq 77 ] && exit 77
[ -f "$work/out/runs.json" ] || { echo "FAIL: no runs.json (testbed exit $rc)"; exit 1; }
if [ -n "$say" ]; then
	grep -Eq "$say" "$work/console.txt" || { echo "FAIL: no message matching: $say"; exit 1; }
fi
python3 - "$work/out" "$n" "$want" "$what" <<'PY' || exit 1
import json, os, sys
out, n, want, what = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
d = json.load(open(os.path.join(out, "runs.json")))
bad = []
for i, r in enumerate(d["rounds"]):
    if r["status"] != want:
        bad.append("round %d: kvmscope exited %d, want %d" % (i, r["status"], want))
    f = os.path.join(out, "r%d.json" % i)
    if not os.path.exists(f):
        bad.append("round %d: no results file" % i)
        continue
    res = json.load(open(f))
    if res["environment"]["backend"]["name"] != "gunyah":
        bad.append("round %d: backend %s" % (i, res["environment"]["backend"]["name"]))
    st = [x["status"] for x in res["results"]]
    if want and "failed" not in st:
        bad.append("round %d: the results file lacks the failure" % i)
    if not want and any(s != "ok" for s in st):
        bad.append("round %d: %s" % (i, [(x["name"], x["status"]) for x in res["results"] if x["status"] != "ok"]))
k = d["kernel"]
if k["reclaim_failed"] or k["warnings"] or k["bugs"]:
    bad.append("kernel: %d reclaim failures, %d WARNINGs, %d BUG/Oops" %
               (k["reclaim_failed"], k["warnings"], k["bugs"]))
after = [r["memfree_after_kb"] for r in d["rounds"]]
drop = after[1] - after[-1]
if drop > 32768:
    bad.append("MemFree fell %d kB from the second round to the last: lent memory not coming back" % drop)
print("%s: %d rounds, exit %s; MemFree after each round %s kB (%+d kB from the second); "
      "%d reclaim failures, %d WARNINGs; the driver's IRQs %s" %
      (what, n, [r["status"] for r in d["rounds"]], after, -drop, k["reclaim_failed"],
       k["warnings"], d["rounds"][-1]["irqs"]))
if bad:
    print("FAIL: " + "; ".join(bad)); sys.exit(1)
PY
echo PASS
