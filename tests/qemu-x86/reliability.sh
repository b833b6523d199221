#!/usr/bin/env bash
# reliability.sh GROUP...: one testbed boot runs every case of the groups
# (faults, privs, interrupts, soak=N) with ks_reliability, then reliability.py
# judges each case's directory. KVMSCOPE_KEEP=DIR keeps the case directories.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}" "${KS_RELIABILITY:?}"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to judge the cases"; exit 77; }
out=${KVMSCOPE_KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-reliability.XXXXXX")}
mkdir -p "$out"
[ -n "${KVMSCOPE_KEEP:-}" ] || trap 'rm -rf "$out"' EXIT
# the driver runs kvmscope from the 9p share, also as uid 65534
cp "$KVMSCOPE_STATIC" "$out/kvmscope"
chmod 755 "$out/kvmscope"
chmod 777 "$out"
timeout=600
case "$*" in *soak=*) n=${*##*soak=}; n=${n%% *}; n=${n%%:*}; timeout=$((600 + n * 120)) ;; esac
bash "$HERE/testbed.sh" --timeout "$timeout" --out "$out" -- "$KS_RELIABILITY" "$@" \
	>"$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: the testbed exited $rc"; exit 1; }
python3 "$HERE/reliability.py" "$out" "$@"
