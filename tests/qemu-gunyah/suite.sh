#!/usr/bin/env bash
# suite.sh [gunyah|vhe|nvhe]...: issue 11's command line, exactly, on each
# side of the comparison:
#   tests/qemu-gunyah/testbed.sh --out D -- build-aarch64/bench/kvmscope run --quick -o results.json
# gunyah: Debian's kernel as Gunyah's HLOS, kvmscope on /dev/gunyah; vhe,
# nvhe: the same kernel on the same QEMU machine line without Gunyah
# (--no-gunyah --mode M), KVM at EL2. Each must exit 0 and name its backend
# (gunyah, kvm-vhe, kvm-nvhe); hyp_call, mmio_read_user, mmio_write_user,
# irqfd and mem_lend_upfront_16M must be ok, each with its exit-count
# cross-checks (counted, or "unavailable" with the reason); check_results'
# sanity checks hold for the whole file. Timings are emulated (TCG).
# KVMSCOPE_GUNYAH_KEEP=DIR: each side's results.json is kept as DIR/SIDE.json
# (compare.sh renders the three side by side).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
: "${KVMSCOPE_ARM64:?}" "${CHECK_RESULTS:?}"
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
[ $# -gt 0 ] || set -- gunyah
# the command line of the issue when the binary is the checkout's own
prog=$KVMSCOPE_ARM64
[ "$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")" = "$SRC/build-aarch64/bench/kvmscope" ] &&
	prog=build-aarch64/bench/kvmscope
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-gunyah-suite.XXXXXX")
trap 'rm -rf "$work"' EXIT
for side in "$@"; do
	case $side in
	gunyah) flags=(); want=gunyah ;;
	vhe|nvhe) flags=(--no-gunyah --mode "$side"); want=kvm-$side ;;
	*) echo "usage: $0 [gunyah|vhe|nvhe]..."; exit 2 ;;
	esac
	D=$work/$side
	[ -z "${KVMSCOPE_GUNYAH_KEEP:-}" ] || rm -f "$KVMSCOPE_GUNYAH_KEEP/$side.json"
	echo "== $side: tests/qemu-gunyah/testbed.sh ${flags[*]} --out D -- $prog run --quick -o results.json"
	t0=$(date +%s)
	(cd "$SRC" && tests/qemu-gunyah/testbed.sh "${flags[@]}" --out "$D" -- "$prog" run --quick -o results.json) \
		> "$work/$side.txt" 2>&1
	rc=$?
	grep -av 'kvmscope-init: module .*: loaded\|^\[RM\]' "$work/$side.txt"
	echo "== $side: exit $rc in $(($(date +%s) - t0)) s"
	[ $rc -eq 77 ] && exit 77
	[ $rc -eq 0 ] || { echo "FAIL: $side: kvmscope run --quick exited $rc"; exit 1; }
	"$CHECK_RESULTS" "$D/results.json" --require hyp_call --require mmio_read_user \
		--require mmio_write_user --require irqfd --require mem_lend_upfront_16M > "$work/check.txt" 2>&1 ||
		{ cat "$work/check.txt"; echo "FAIL: $side: check_results"; exit 1; }
	python3 - "$D/results.json" "$want" <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1])); want = sys.argv[2]
bad = []
be = d["environment"]["backend"]
if be["name"] != want:
    bad.append("backend %s, want %s (%s)" % (be["name"], want, be["detail"]))
if be["front"] != ("gunyah" if want == "gunyah" else "kvm"):
    bad.append("front %s" % be["front"])
res = {r["name"]: r for r in d["results"]}
for name in ("hyp_call", "mmio_read_user", "mmio_write_user", "irqfd", "mem_lend_upfront_16M"):
    r = res.get(name)
    if not r or r["status"] != "ok":
        bad.append("%s: %s" % (name, r and r["status"] + ": " + r.get("reason", "")))
        continue
    checks = r.get("exit_checks", [])
    if name != "mem_lend_upfront_16M" and not checks:
        bad.append("%s: no exit-count cross-check, nor a reason there is none" % name)
    for c in checks:
        if c["verdict"] in ("mismatch",) or (c["verdict"] == "unavailable" and not c.get("note")):
            bad.append("%s: %s %s" % (name, c["stat"], c["verdict"]))
    print("  %-22s median %10.1f %-7s checks: %s" % (name, r["summary"]["median"], r["unit"],
          "; ".join("%s %s%s" % (c["stat"], c["verdict"],
                    " (%s)" % c["note"] if c["verdict"] == "unavailable" else "") for c in checks) or "-"))
if want == "gunyah" and not be["guest_seen"].startswith("c1d58fcd-a453-5fdb-9265-ce36673d5f14"):
    bad.append("the guest did not see Gunyah's vendor UID: %r" % be["guest_seen"])
if bad:
    print("FAIL: " + "; ".join(bad)); sys.exit(1)
print("backend %s (%s), front %s" % (be["name"], be["detail"][:120], be["front"]))
PY
	if [ "$side" != gunyah ]; then
		grep -aq "kvmscope-init: kvm mode: $side" "$work/$side.txt" || { echo "FAIL: KVM did not come up in $side mode"; exit 1; }
		grep -aq 'CPU: All CPU(s) started at EL2' "$work/$side.txt" || { echo "FAIL: the kernel was not entered at EL2"; exit 1; }
	fi
	if [ -n "${KVMSCOPE_GUNYAH_KEEP:-}" ]; then
		mkdir -p "$KVMSCOPE_GUNYAH_KEEP" && cp "$D/results.json" "$KVMSCOPE_GUNYAH_KEEP/$side.json"
	fi
done
echo PASS
