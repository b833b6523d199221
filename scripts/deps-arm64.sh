#!/usr/bin/env bash
# What the arm64 cross build and the arm64 QEMU testbed need: the cross
# compiler and libc, qemu-system-aarch64, and Debian's arm64 -dev packages
# unpacked into a private sysroot (several conflict with their amd64 twins,
# so they are never installed): libfdt, and for the probe backends libbpf,
# libelf, zlib, libzstd (libelf's optional dependency), libtracefs and
# libtraceevent — static archives only are linked from there.
# The BPF programs themselves are built with the host's clang and bpftool
# (scripts/deps.sh), which are arch-neutral.
set -euo pipefail
SYSROOT=${KVMSCOPE_ARM64_SYSROOT:-$HOME/.cache/kvmscope/sysroot-arm64}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
PKGS=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross qemu-system-arm)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps-arm64: installing ${missing[*]}" >&2
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

# package:arm64 -> a file it must leave in the sysroot (what says it is there)
DEBS=(
	"libfdt-dev usr/lib/aarch64-linux-gnu/libfdt.a"
	"libbpf-dev usr/lib/aarch64-linux-gnu/libbpf.a"
	"libelf-dev usr/lib/aarch64-linux-gnu/libelf.a"
	"zlib1g-dev usr/lib/aarch64-linux-gnu/libz.a"
	"libzstd-dev usr/lib/aarch64-linux-gnu/libzstd.a"
	"libtracefs-dev usr/lib/aarch64-linux-gnu/libtracefs.a"
	"libtraceevent-dev usr/lib/aarch64-linux-gnu/libtraceevent.a"
)
want=()
for d in "${DEBS[@]}"; do
	set -- $d
	[ -f "$SYSROOT/$2" ] || want+=("$1:arm64")
done
if [ ${#want[@]} -gt 0 ]; then
	# arm64 package lists are needed to download an arm64 .deb
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		$SUDO apt-get update -qq
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q "${want[@]}" >/dev/null 2>&1) || {
		$SUDO apt-get update -qq
		(cd "$tmp" && apt-get download -q "${want[@]}" >/dev/null)
	}
	mkdir -p "$SYSROOT"
	for deb in "$tmp"/*_arm64.deb; do
		dpkg -x "$deb" "$SYSROOT"
	done
	echo "deps-arm64: ${want[*]} unpacked into $SYSROOT" >&2
fi
