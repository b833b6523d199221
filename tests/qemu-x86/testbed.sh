#!/usr/bin/env bash
# kvmscope x86_64 testbed: run a static x86_64 program against a REAL /dev/kvm
# inside Debian's amd64 kernel booted under qemu-system-x86_64 (TCG, emulated
# AMD SVM + NPT), for machines and CI runners that have no /dev/kvm.
#
#   testbed.sh [--cache DIR] [--timeout SECS] [--append "KERNEL ARGS"]
#              [--out DIR] [--cpu MODEL] [--smp N] [--mem MIB]
#              [--kernel-pkg PKG] [--keep] [--with-tool NAME]... [--with-bpftrace]
#              -- /path/to/static-binary [ARGS...]
#
# The program runs as a child of our own /init (../qemu-common/init.c) with cwd = a 9p share
# of --out DIR, so files it writes land on the host.  Exit status: the
# program's, 77 (SKIP) when qemu or the kernel package cannot be had, 124 on
# timeout, 125 when the guest died without reporting a status.
# --with-tool NAME makes the host's NAME (e.g. bpftrace, dynamically linked)
# runnable in the guest from PATH (ks_stage_tools in testbed-lib.sh);
# --with-bpftrace stages bpftrace and what it runs at start.
# See README.md next to this file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kvmscope/qemu-x86
TIMEOUT=300
APPEND=""
OUT=""
CPU=${KVMSCOPE_QEMU_CPU:-max}
KPKG=${KVMSCOPE_KERNEL_PKG:-}
KEEP=0
TOOLS=()
TOOLS_QEMU=()
WITH_BPFTRACE=0
MEM=2048
SMP=2
# Modules to load in the guest (dependencies are added automatically).
MODULES=(kvm kvm_amd virtio_pci 9pnet_virtio 9p ${KVMSCOPE_EXTRA_MODULES:-})

. "$HERE/../qemu-common/testbed-lib.sh"
ks_helpers testbed 5 9
# see ks_testbed_args
KS_OPTS=(--smp=SMP --mem=MEM --kernel-pkg=KPKG --with-tool=TOOLS+ --with-bpftrace=WITH_BPFTRACE=1)
ks_testbed_args x86 "$@"
set -- "${ARGS[@]}"

# ---------------------------------------------------------------- kernel
mkdir -p "$CACHE"
if command -v flock >/dev/null; then
	exec 9>"$CACHE/.lock"
	flock 9
fi

. "$HERE/../qemu-common/debian-kernel.sh"
KCACHE=$CACHE
ks_debian_kernel amd64

# Booting the bzImage spends ~2.5 s of emulated time in the xz decompressor.
# Debian's kernel has CONFIG_PVH, so QEMU can boot the uncompressed ELF
# vmlinux directly: extract it once from the bzImage payload and cache it.
extract_vmlinux() {
	local img=$1 dst=$2 setup off len
	command -v readelf >/dev/null || return 1
	setup=$(od -An -tu1 -j $((0x1f1)) -N 1 "$img" | tr -d ' ')
	[ "$setup" = 0 ] && setup=4
	read -r off len < <(od -An -tu4 -j $((0x248)) -N 8 "$img")
	[ -n "$len" ] && [ "$len" -gt 0 ] || return 1
	tail -c +$(( (setup + 1) * 512 + off + 1 )) "$img" | head -c "$len" >"$dst.z"
	case $(od -An -tx1 -N 4 "$dst.z" | tr -d ' ') in
	fd377a58) xz -dqc --single-stream <"$dst.z" >"$dst.tmp" 2>/dev/null ;;
	28b52ffd) zstd -dqc <"$dst.z" >"$dst.tmp" 2>/dev/null ;;
	1f8b08*) gzip -dqc <"$dst.z" >"$dst.tmp" 2>/dev/null ;;
	*) rm -f "$dst.z"; return 1 ;;
	esac
	rm -f "$dst.z"
	# Only worth it when the ELF carries the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY = 18).
	if readelf -n "$dst.tmp" 2>/dev/null | grep -Eq '0x00000012|PHYS32_ENTRY'; then
		mv "$dst.tmp" "$dst"
	else
		rm -f "$dst.tmp"
		return 1
	fi
}
KERNEL=$VMLINUZ
if [ "${KVMSCOPE_BZIMAGE:-0}" != 1 ]; then
	if [ ! -f "$KDIR/vmlinux-pvh" ] && [ ! -f "$KDIR/.no-pvh" ]; then
		extract_vmlinux "$VMLINUZ" "$KDIR/vmlinux-pvh" || { rm -f "$KDIR"/vmlinux-pvh.*; : >"$KDIR/.no-pvh"; }
	fi
	[ -f "$KDIR/vmlinux-pvh" ] && KERNEL=$KDIR/vmlinux-pvh
fi
exec 9>&-

# ---------------------------------------------------------------- work dir
INIT_BIN=$CACHE/init-$(sha256sum <"$HERE/../qemu-common/init.c" | cut -c1-16)
if [ ! -x "$INIT_BIN" ]; then
	gcc -static -Os -o "$INIT_BIN.$$" "$HERE/../qemu-common/init.c" && mv "$INIT_BIN.$$" "$INIT_BIN"
fi
ks_workdir qemu-x86

# ---------------------------------------------------------------- modules
ks_stage_modules
[ "$WITH_BPFTRACE" = 0 ] || ks_bpftrace_tools
[ ${#TOOLS[@]} -eq 0 ] || ks_stage_tools "${TOOLS[@]}"
ks_pack_initramfs "$WORK/initramfs.cpio.gz"

# ---------------------------------------------------------------- run
CMDLINE="console=ttyS0 rdinit=/init panic=-1 oops=panic quiet loglevel=4 $APPEND"
CMDLINE+=" -- KVMSCOPE-ARGV $*"
[ ${#CMDLINE} -lt 2000 ] || die "kernel command line too long (${#CMDLINE} bytes; x86 allows 2047)"
# thread=single: with multi-threaded TCG the guest hangs now and then in
# text_poke_bp() (int3-based code patching of static keys, which KVM flips on
# every VM create/destroy): one vCPU loops in the int3 handler on a stale
# translation while the other waits in smp_call_function_many_cond().
# ~1 run in 10 with thread=multi; 0 in 60 with thread=single; no speed cost.
QEMU=(qemu-system-x86_64
	-machine pc -accel tcg,thread=single -cpu "$CPU" -smp "$SMP" -m "$MEM"
	-nodefaults -no-user-config -nographic -no-reboot -nic none
	-serial stdio -monitor none
	-kernel "$KERNEL" -initrd "$WORK/initramfs.cpio.gz"
	-append "$CMDLINE" "${TOOLS_QEMU[@]}")
ks_run_qemu
ks_guest_status
log "program exit status $status; qemu wall time ${wall}s"
exit "$status"
