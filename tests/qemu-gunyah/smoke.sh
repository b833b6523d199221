#!/usr/bin/env bash
# smoke.sh: build (or find in the cache) Gunyah + its driver, cross-build the
# smoke VMM, boot the Gunyah testbed and run it: a guest VM through
# /dev/gunyah with real MMIO exits, a doorbell interrupt, PSCI SYSTEM_OFF and
# teardown.  Passes only on exits actually observed (gunyah_smoke's checks,
# then its JSON: timed exits == requested, status exit, vendor UID).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
N=${KVMSCOPE_GUNYAH_SMOKE_EXITS:-100}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-gunyah-smoke.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)
bout=$(bash "$HERE/build-gunyah.sh")
rc=$?
[ $rc -eq 77 ] && { echo "$bout" | grep '^SKIP:' | tail -n1; exit 77; }
[ $rc -eq 0 ] || { echo "FAIL: build-gunyah.sh exited $rc"; exit 1; }
echo "build-gunyah: $(($(date +%s) - t0)) s"
hypdir=$(echo "$bout" | sed -n 's/^GUNYAH_HYPDIR=//p')
bash "$HERE/build-smoke.sh" "$work/bin" "$hypdir/libfdt" >/dev/null || { echo "FAIL: build-smoke.sh"; exit 1; }
bash "$HERE/testbed.sh" --timeout 600 --out "$work/out" -- "$work/bin/gunyah_smoke" -n "$N" -o smoke.json \
	> "$work/console.txt" 2>&1
rc=$?
grep -av 'kvmscope-init: module .*: loaded' "$work/console.txt"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: gunyah_smoke in the Gunyah testbed exited $rc"; exit 1; }
j=$work/out/smoke.json
[ -f "$j" ] || { echo "FAIL: no smoke.json"; exit 1; }
python3 - "$j" "$N" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1])); n = int(sys.argv[2])
r = d["rounds"][0]
bad = []
if not d["pass"]: bad.append("gunyah_smoke reported failed checks")
if r["exits"]["timed"] != n: bad.append("timed exits %d != %d" % (r["exits"]["timed"], n))
if r["exits"]["status"] != 1: bad.append("no VM status exit")
if r["exits"]["mmio_read"] < 3: bad.append("too few MMIO reads")
if r["guest"]["vendor_hyp_uid"] != "c1d58fcd-a453-5fdb-9265-ce36673d5f14": bad.append("vendor UID " + r["guest"]["vendor_hyp_uid"])
if bad:
    print("FAIL: " + "; ".join(bad)); sys.exit(1)
print("exits: %(mmio_write)d MMIO writes, %(mmio_read)d reads, %(status)d status" % r["exits"],
      "| MMIO exit median %.1f us (TCG)" % r["mmio_exit_us"]["median"],
      "| irq:", "INTID %d" % r["irq"]["intid"] if r["irq"]["count"] else "none")
PY
echo PASS
