#!/usr/bin/env bash
# kvmscope arm64 testbed: run a static aarch64 program against a REAL /dev/kvm
# inside Debian's arm64 kernel booted under qemu-system-aarch64 (TCG, emulated
# EL2: -M virt,virtualization=on), on x86_64 machines without any KVM.
#
#   testbed.sh [--cache DIR] [--timeout SECS] [--append "KERNEL ARGS"]
#              [--out DIR] [--smp N] [--mem MIB] [--mode vhe|nvhe|protected]
#              [--cpu MODEL] [--kernel-pkg PKG] [--keep]
#              -- /path/to/static-aarch64-binary [ARGS...]
#
# The program runs as a child of our own /init (../qemu-common/init.c) with
# cwd = a 9p share of --out DIR, so files it writes land on the host.  Exit
# status: the program's, 77 (SKIP) when qemu, the cross compiler or the
# kernel package cannot be had, 124 on timeout, 125 when the guest died
# without reporting a status.  See README.md next to this file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC=$HERE/../qemu-common/init.c
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kvmscope/qemu-arm64
TIMEOUT=300
APPEND=""
OUT=""
MODE=vhe
# pauth-impdef: the architected QARMA pointer-auth algorithm is slow to
# emulate and the kernel uses pauth everywhere; impdef makes boots ~3x faster.
CPU=${KVMSCOPE_QEMU_CPU:-max,pauth-impdef=on}
KPKG=${KVMSCOPE_KERNEL_PKG:-}
KEEP=0
MEM=2048
SMP=2
CC_A64=${KVMSCOPE_AARCH64_CC:-aarch64-linux-gnu-gcc}
# Modules to load in the guest (dependencies are added automatically).
# CONFIG_KVM=y on arm64: no kvm module; these are for the 9p output share.
# shellcheck disable=SC2206 # word splitting of the extra list is intended
MODULES=(virtio_pci 9pnet_virtio 9p ${KVMSCOPE_EXTRA_MODULES:-})

. "$HERE/../qemu-common/testbed-lib.sh"
ks_helpers testbed 6 9
KS_OPTS=(--mode=MODE --smp=SMP --mem=MEM --kernel-pkg=KPKG)	# see ks_testbed_args
testbed_check() { ks_kvm_mode; }
ks_testbed_args arm64 "$@"
set -- "${ARGS[@]}"
[ -f "$INIT_SRC" ] || die "missing $INIT_SRC"

# ---------------------------------------------------------------- kernel
mkdir -p "$CACHE"
if command -v flock >/dev/null; then
	exec 9>"$CACHE/.lock"
	flock 9
fi

ks_arm64_init "$CACHE"

. "$HERE/../qemu-common/arm64-kernel.sh"
KCACHE=$CACHE
ks_arm64_kernel
exec 9>&-

# ---------------------------------------------------------------- work dir
ks_workdir qemu-arm64

# ---------------------------------------------------------------- modules
ks_stage_modules
ks_pack_initramfs "$WORK/initramfs.cpio.gz"

# ---------------------------------------------------------------- run
ks_arm64_cmdline "$@"
# virtualization=on: EL2.  gic-version=3: a GICv3 with the virtualization
# interface (ICH_* registers, maintenance interrupt) that KVM's vGICv3 needs.
# thread=single: unlike on x86 (see ../qemu-x86/testbed.sh), multi-threaded
# TCG did not hang here (150 runs, 15,000 VM create/destroy cycles, all three
# modes) and was no faster at 2 vCPUs on a 2-core host, so single-threaded
# TCG stays the default for parity with x86; KVMSCOPE_TCG_THREAD=multi
# switches.
# shellcheck disable=SC2054 # the commas are QEMU's
QEMU=(qemu-system-aarch64
	-machine virt,virtualization=on,gic-version=3 -accel "tcg,thread=${KVMSCOPE_TCG_THREAD:-single}"
	-cpu "$CPU" -smp "$SMP" -m "$MEM"
	-nodefaults -no-user-config -nographic -no-reboot -nic none
	-serial stdio -monitor none
	-kernel "$KERNEL" -initrd "$WORK/initramfs.cpio.gz"
	-append "$CMDLINE")
# Extra QEMU options for debugging, e.g. KVMSCOPE_QEMU_ARGS="-d int -D /tmp/q.log".
# shellcheck disable=SC2206
[ -z "${KVMSCOPE_QEMU_ARGS:-}" ] || QEMU+=(${KVMSCOPE_QEMU_ARGS})
ks_run_qemu
seen=$(grep -ao 'kvmscope-init: kvm mode: [a-z]*' "$WORK/console.log" | tail -n1 | awk '{ print $4 }' || true)
if [ -n "$seen" ] && [ "$seen" != "$MODE" ]; then
	log "warning: asked for --mode $MODE but the guest kernel reports KVM mode '$seen'"
fi
ks_guest_status
log "program exit status $status; KVM mode ${seen:-unknown}; qemu wall time ${wall}s"
exit "$status"
