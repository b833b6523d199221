#!/usr/bin/env bash
# uexits_check inside the x86_64 QEMU testbed (a real /dev/kvm, Debian's 6.1
# kernel with BTF): the BPF uexits probe must count every KVM_EXIT_IO that
# `kvmscope-static run --quick pio_out_user` makes. The testbed runs one
# program; kvmscope-static reaches the guest through the 9p share (cwd /out).
#   uexits_testbed.sh [uexits_check options]   (default: --samples)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
: "${KVMSCOPE_STATIC:?}" "${UEXITS_CHECK:?}"
TESTBED=$HERE/../qemu-x86/testbed.sh
out=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-probe-bpf.XXXXXX")
trap 'rm -rf "$out"' EXIT
cp "$KVMSCOPE_STATIC" "$out/kvmscope-static"
[ $# -gt 0 ] || set -- --samples
bash "$TESTBED" --timeout 600 --out "$out" -- "$UEXITS_CHECK" "$@" ./kvmscope-static \
	>"$out/console.txt" 2>&1
rc=$?
grep -v 'kvmscope-init: module' "$out/console.txt"
case $rc in
0) echo PASS ;;
77) exit 77 ;;
*) echo "FAIL: uexits_check in the testbed exited $rc"; exit 1 ;;
esac
