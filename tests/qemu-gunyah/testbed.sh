#!/usr/bin/env bash
# kvmscope Gunyah testbed: run a static aarch64 program in Debian's arm64
# kernel booted as the primary VM (HLOS) of the open-source Gunyah hypervisor
# under qemu-system-aarch64 (TCG), with Gunyah's Linux driver loaded, so the
# program can drive /dev/gunyah.  --no-gunyah boots the SAME kernel on the
# SAME QEMU machine line without Gunyah: KVM at EL2, the baseline.
#
#   testbed.sh [--out DIR] [--timeout SECS] [--cache DIR] [--keep]
#              [--append "KERNEL ARGS"] [--cpu MODEL] [--rm-uart]
#              [--no-gunyah [--mode vhe|nvhe|protected]]
#              -- /path/to/static-aarch64-binary [ARGS...]
#
# The program runs as a child of our own /init (../qemu-common/init.c) with
# cwd = a 9p share of --out DIR, so the files it writes land on the host.
# Exit status: the program's; 77 (+ SKIP: why) when a host tool, Debian
# package or the kernel cannot be had; 124 on timeout; 125 when the guest died
# without reporting a status, or (Gunyah) /dev/gunyah never appeared; 1 when
# building Gunyah failed; 2 usage.  See README.md next to this file.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC=$HERE/../qemu-common/init.c
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kvmscope
TIMEOUT=300
APPEND=""
OUT=""
KEEP=0
GUNYAH=1
MODE=vhe
RM_UART=0
# sve128: the hypervisor's QEMU config assumes 128-bit SVE.  pauth-impdef:
# the architected pointer-auth algorithm is slow to emulate and the kernel
# uses it everywhere (see ../qemu-arm64/README.md).
CPU=${KVMSCOPE_QEMU_CPU:-max,sve128=on,pauth-impdef=on}
CC_A64=${KVMSCOPE_AARCH64_CC:-aarch64-linux-gnu-gcc}
# Debian modules for the 9p output share (dependencies added automatically).
# shellcheck disable=SC2206
MODULES=(virtio_pci 9pnet_virtio 9p ${KVMSCOPE_EXTRA_MODULES:-})
# QEMU's virt machine with EL2, GICv3 and everything below 4 GiB (the
# hypervisor's QEMU platform); the same line with and without Gunyah.
MACHINE=virt,virtualization=on,gic-version=3,highmem=off
SMP=2
MEM=2G
# The hypervisor's QEMU platform (config/platform/qemu.conf): the HLOS owns
# 0x40000000-0x7fffffff, its initrd, DTB and kernel are loaded here.
HLOS_MEM=1G
INITRD_BASE=0x40800000
DTB_BASE=0x40F00000
KERNEL_BASE=0x41000000

. "$HERE/../qemu-common/testbed-lib.sh"
ks_helpers testbed 8 11
KS_OPTS=(--no-gunyah=GUNYAH=0 --mode=MODE --rm-uart=RM_UART=1)	# see ks_testbed_args
testbed_check() {
	ks_kvm_mode
	[ "$GUNYAH" = 0 ] || [ "$MODE" = vhe ] || die "--mode is for --no-gunyah (under Gunyah the kernel runs at EL1: no KVM)"
}
ks_testbed_args arm64 "$@"
set -- "${ARGS[@]}"

# ---------------------------------------------------------------- build / cache
GCACHE=$CACHE/gunyah
mkdir -p "$GCACHE"
if [ "$GUNYAH" = 1 ]; then
	# hypvm.elf + driver modules + the kernel, built or found in the cache
	bargs=(--cache "$CACHE")
	[ "$RM_UART" = 0 ] || bargs+=(--rm-uart)
	set +e
	bout=$(bash "$HERE/build-gunyah.sh" "${bargs[@]}")
	brc=$?
	set -e
	case $brc in
	0) ;;
	77) echo "$bout" | grep '^SKIP:' | tail -n1; exit 77 ;;
	*) echo "FAIL: build-gunyah.sh exited $brc"; exit 1 ;;
	esac
	eval "$(echo "$bout" | grep -E '^(GUNYAH_[A-Z]+|KERNEL|KREL|KPKG|KVER|KMODDIR)=')"
	MODDIR=$KMODDIR
else
	. "$HERE/../qemu-common/arm64-kernel.sh"
	KCACHE=$CACHE/qemu-arm64
	mkdir -p "$KCACHE"
	exec 9>"$KCACHE/.lock"
	flock 9
	KPKG=${KVMSCOPE_KERNEL_PKG:-}
	ks_arm64_kernel
	exec 9>&-
fi

ks_arm64_init "$GCACHE"

# ---------------------------------------------------------------- work dir
ks_workdir qemu-gunyah
ks_stage_modules
if [ "$GUNYAH" = 1 ]; then
	# Gunyah's driver after Debian's modules, in its own load order.
	while read -r m; do
		cp "$GUNYAH_MODDIR/$m" "$ROOT/kvmscope/modules/$m"
		echo "$m" >>"$ROOT/kvmscope/modules.list"
	done <"$GUNYAH_MODDIR/modules.list"
fi

# Under Gunyah the initrd sits between 0x40800000 and the DTB at 0x40F00000:
# 7 MiB, compressed.  A program that does not fit beside /init and the
# modules comes over a read-only 9p share instead ("tools", mounted at
# /tools by /init; /kvmscope/prog is a symlink into it).
INITRD_MAX=$((DTB_BASE - INITRD_BASE))
TOOLS_QEMU=()
stage_prog_share() {
	local share=$WORK/progshare
	mkdir -p "$share/bin" "$ROOT/tools"
	cp "$PROG" "$share/bin/prog"
	chmod 755 "$share/bin/prog"
	rm -f "$ROOT/kvmscope/prog"
	ln -s /tools/bin/prog "$ROOT/kvmscope/prog"
	TOOLS_QEMU=(-virtfs "local,path=${share//,/,,},mount_tag=tools,security_model=none,readonly=on,id=tools")
}
ks_pack_initramfs "$WORK/initramfs.cpio.gz"
isize=$(stat -c %s "$WORK/initramfs.cpio.gz")
if [ "${KVMSCOPE_GUNYAH_PROG_VIA_9P:-0}" = 1 ] || { [ "$GUNYAH" = 1 ] && [ "$isize" -gt "$INITRD_MAX" ]; }; then
	log "initramfs with the program is $isize bytes (room: $INITRD_MAX at 0x40800000..0x40F00000); the program comes over 9p"
	stage_prog_share
	ks_pack_initramfs "$WORK/initramfs.cpio.gz"
	isize=$(stat -c %s "$WORK/initramfs.cpio.gz")
	[ "$isize" -le "$INITRD_MAX" ] || die "initramfs is $isize bytes even without the program: more than the $INITRD_MAX the hypervisor's memory map leaves"
fi
log "initramfs: $isize bytes"

# ---------------------------------------------------------------- run
ks_arm64_cmdline "$@"

# thread=multi (KVMSCOPE_TCG_THREAD=single switches), with and without
# Gunyah, as upstream's run-qemu.sh runs it.  Our first runs with
# thread=single lost the guest VM's exit status (the resource manager saw
# the vCPU's halt only when another message woke it: VCPU_RUN blocked for
# 30 s); patches/driver-vcpu-exit.patch now pokes the RM when that happens,
# and both modes passed every later run.
# shellcheck disable=SC2054 # the commas are QEMU's
QBASE=(qemu-system-aarch64 -machine "$MACHINE" -accel "tcg,thread=${KVMSCOPE_TCG_THREAD:-multi}"
	-cpu "$CPU" -smp "$SMP"
	-nodefaults -no-user-config -nographic -no-reboot -nic none -monitor none)

if [ "$GUNYAH" = 1 ]; then
	# The HLOS's DTB: QEMU's own for this machine line, dumped with the
	# HLOS's 1 GiB (a 2 GiB /memory makes Gunyah inject aborts into the
	# HLOS at its top), without the ITS node and msi-map properties, with
	# /chosen carrying the command line and the initrd, repacked by dtc
	# (the raw 1 MiB dump makes the RM fail to apply its HLOS overlay).
	command -v dtc >/dev/null && command -v fdtput >/dev/null ||
		skip "dtc/fdtput not installed (apt-get install device-tree-compiler)"
	qver=$(qemu-system-aarch64 --version | head -n1)
	dkey=$(printf '%s\n' "$qver" "$MACHINE" "$CPU" "$SMP" "$HLOS_MEM" | sha256sum | cut -c1-16)
	BASEDTB=$GCACHE/hlos-$dkey.dts
	if [ ! -f "$BASEDTB" ]; then
		"${QBASE[@]}" -m "$HLOS_MEM" -machine "dumpdtb=$WORK/dump.dtb" >"$WORK/dump.log" 2>&1 ||
			{ cat "$WORK/dump.log" >&2; die "qemu -machine dumpdtb failed"; }
		dtc -q -I dtb -O dts -o "$WORK/dump.dts" "$WORK/dump.dtb"
		# drop the its@ node (to its closing "};") and the msi-map lines
		sed -e '/its@/,/};/d' -e '/msi-map = /d' "$WORK/dump.dts" >"$BASEDTB.tmp"
		mv "$BASEDTB.tmp" "$BASEDTB"
	fi
	dtc -q -I dts -O dtb -o "$WORK/hlos.dtb" "$BASEDTB"
	fdtput -t s "$WORK/hlos.dtb" /chosen bootargs "$CMDLINE"
	fdtput -t x "$WORK/hlos.dtb" /chosen linux,initrd-start "$(printf %x $INITRD_BASE)"
	fdtput -t x "$WORK/hlos.dtb" /chosen linux,initrd-end "$(printf %x $((INITRD_BASE + isize)))"
	dtc -q -I dtb -O dtb -o "$WORK/hlos-packed.dtb" "$WORK/hlos.dtb"
	QEMU=("${QBASE[@]}" -m "$MEM" -serial stdio
		-kernel "$GUNYAH_HYPVM"
		-device "loader,file=$WORK/hlos-packed.dtb,addr=$DTB_BASE"
		-device "loader,file=$KERNEL,addr=$KERNEL_BASE"
		-device "loader,file=$WORK/initramfs.cpio.gz,addr=$INITRD_BASE")
else
	QEMU=("${QBASE[@]}" -m "$MEM" -serial stdio
		-kernel "$KERNEL" -initrd "$WORK/initramfs.cpio.gz" -append "$CMDLINE")
fi
QEMU+=("${TOOLS_QEMU[@]}")
# shellcheck disable=SC2206
[ -z "${KVMSCOPE_QEMU_ARGS:-}" ] || QEMU+=(${KVMSCOPE_QEMU_ARGS})
ks_run_qemu
seen=$(grep -ao 'kvmscope-init: kvm mode: [a-z]*' "$WORK/console.log" | tail -n1 | awk '{ print $4 }' || true)
if [ "$GUNYAH" = 1 ]; then
	if ! grep -aq 'kvmscope-init: /dev/gunyah present' "$WORK/console.log"; then
		grep -a 'kvmscope-init: module\|gunyah' "$WORK/console.log" | sed 's/^/testbed: | /' >&2 || true
		echo "FAIL: /dev/gunyah did not appear in the HLOS (driver modules above)"
		exit 125
	fi
elif [ -n "$seen" ] && [ "$seen" != "$MODE" ]; then
	log "warning: asked for --mode $MODE but the guest kernel reports KVM mode '$seen'"
fi
ks_guest_status
log "program exit status $status; $([ "$GUNYAH" = 1 ] && echo "Gunyah HLOS" || echo "KVM mode ${seen:-unknown}"); qemu wall time ${wall}s"
exit "$status"
