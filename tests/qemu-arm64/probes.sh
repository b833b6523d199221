#!/usr/bin/env bash
# probes.sh: the in-kernel probes of the static arm64 kvmscope on a real arm64
# /dev/kvm (the QEMU testbed, VHE), with each backend (bpf, tracefs). This is
# where `exits` can be proven: on x86 under PVM kvm_exit never fires.
#   1. `kvmscope probe --list`: exits/uexits available, both backends usable;
#   2. per backend, `kvmscope run --quick hyp_call mmio_write_user --probes`:
#      - hyp_call: the exits probe's HVC64 count >= the hvc_exit_stat KVM
#        counted (the probe also sees the warm-up, the stat only the measured
#        phase);
#      - mmio_write_user: the uexits probe's KVM_EXIT_MMIO count equals the run
#        loop's tally mmio_user + ucalls - 1 (the ucall doorbell is an MMIO
#        exit on arm64; the last exit — the final ucall — is never followed by
#        another KVM_RUN, so its span stays open and is not counted);
#      - in both, the exits probe's '+user' keys add up to the uexits count;
#      - hyp_call: the hypercalls probe's SMCCC_VERSION key (0x80000000) count
#        equals vcpu_stats.hvc_exit_stat (whole benchmark).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_ARM64:?}" "${CHECK_RESULTS:?}"
[ -x "$KVMSCOPE_ARM64" ] || { echo "SKIP: no arm64 kvmscope at $KVMSCOPE_ARM64 (scripts/build-arm64.sh builds it)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read results.json"; exit 77; }
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-arm64-probes.XXXXXX")
trap 'rm -rf "$out"' EXIT

# boot DIR ARGS...: kvmscope ARGS in the testbed (VHE), output in $out/DIR
boot() {
	local d=$out/$1
	shift
	mkdir -p "$d"
	bash "$HERE/testbed.sh" --mode vhe --timeout 600 --out "$d" -- "$KVMSCOPE_ARM64" "$@" \
		> "$d/console.txt" 2>&1
	local rc=$?
	grep -v 'kvmscope-init: module\|kvmscope-init: klog' "$d/console.txt"
	case $rc in
	0) return 0 ;;
	77) exit 77 ;;
	*) echo "FAIL: kvmscope $* (arm64 testbed) exited $rc"; exit 1 ;;
	esac
}

boot list probe --list
for want in 'exits       available' 'uexits      available' 'bpf      usable' 'tracefs  usable'; do
	grep -q "^ *$want" "$out/list/console.txt" || { echo "FAIL: probe --list does not say '$want'"; exit 1; }
done

for backend in bpf tracefs; do
	boot "$backend" run --quick hyp_call mmio_write_user --probes --probe-backend "$backend" -o results.json
	"$CHECK_RESULTS" "$out/$backend/results.json" --require hyp_call --require mmio_write_user || exit 1
	python3 - "$out/$backend/results.json" "$backend" <<'PY' || exit 1
import json, sys
path, backend = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
res = {r["name"]: r for r in doc["results"]}
bad = []

def probe(r, name):
    for p in r.get("probes", []):
        if p["probe"] == name:
            if p.get("backend") != backend:
                bad.append(f"{r['name']}: {name} ran on {p.get('backend')}, not {backend}")
            if p.get("lost"):
                bad.append(f"{r['name']}: {name} lost {p['lost']} events")
            return {k["key"]: k["count"] for k in p.get("keys", [])}, p
    bad.append(f"{r['name']}: no {name} probe in the results")
    return {}, {}

def user_sum(keys):
    return sum(c for k, c in keys.items() if k.endswith("+user"))

for name, r in res.items():
    if name not in ("hyp_call", "mmio_write_user"):
        continue
    ex, exp = probe(r, "exits")
    ux, uxp = probe(r, "uexits")
    print(f"[{backend}] {name}: exits {ex} (events {exp.get('events_seen')}, unpaired "
          f"{exp.get('unpaired')}); uexits {ux} (events {uxp.get('events_seen')}, unpaired "
          f"{uxp.get('unpaired')}); host_exits {r.get('host_exits')}")
    if user_sum(ex) != sum(ux.values()):
        bad.append(f"{name}: exits '+user' keys add up to {user_sum(ex)}, uexits counted {sum(ux.values())}")

r = res["hyp_call"]
ex, _ = probe(r, "exits")
stat = [c for c in r["exit_checks"] if c["stat"] == "hvc_exit_stat"]
if not stat:
    bad.append("hyp_call: no hvc_exit_stat in exit_checks")
else:
    hvc, obs = ex.get("HVC64", 0), stat[0]["observed"]
    print(f"[{backend}] hyp_call: exits HVC64 {hvc} >= hvc_exit_stat observed {obs} "
          f"(expected {stat[0]['expected']}; {hvc - obs} more: warm-up)")
    if obs <= 0 or hvc < obs:
        bad.append(f"hyp_call: exits HVC64 {hvc} < hvc_exit_stat {obs}")
    # over the same window (the whole benchmark) the probe and KVM agree exactly
    total = r.get("vcpu_stats", {}).get("hvc_exit_stat")
    print(f"[{backend}] hyp_call: exits HVC64 {hvc} == vcpu_stats.hvc_exit_stat {total} "
          f"(whole benchmark)")
    if total != hvc:
        bad.append(f"hyp_call: exits HVC64 {hvc} != hvc_exit_stat over the benchmark {total}")

r = res["mmio_write_user"]
ux, _ = probe(r, "uexits")
t = r.get("host_exits", {})
want = t.get("mmio_user", 0) + t.get("ucalls", 0) - 1
got = ux.get("KVM_EXIT_MMIO", 0)
print(f"[{backend}] mmio_write_user: uexits KVM_EXIT_MMIO {got} == mmio_user {t.get('mmio_user')} "
      f"+ ucalls {t.get('ucalls')} - 1 = {want} (kvm_run_calls {t.get('kvm_run_calls')})")
if t.get("mmio_user", 0) <= 0 or got != want:
    bad.append(f"mmio_write_user: uexits KVM_EXIT_MMIO {got} != {want}")

# hypercalls: hyp_call's HVCs are all SMCCC_VERSION (0x80000000); over the
# whole benchmark the probe's count for it equals KVM's hvc_exit_stat
r = res["hyp_call"]
hc, hcp = probe(r, "hypercalls")
total = r.get("vcpu_stats", {}).get("hvc_exit_stat")
got = hc.get("0x80000000", 0)
print(f"[{backend}] hyp_call: hypercalls {hc} (events {hcp.get('events_seen')}, unpaired "
      f"{hcp.get('unpaired')}); 0x80000000 {got} == vcpu_stats.hvc_exit_stat {total}")
if not total or got != total:
    bad.append(f"hyp_call: hypercalls 0x80000000 {got} != hvc_exit_stat over the benchmark {total}")

for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
done
echo PASS
