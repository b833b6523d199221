#!/usr/bin/env bash
# What the arm64 cross build and the arm64 QEMU testbed need: the cross
# compiler and libc, qemu-system-aarch64, and Debian's libfdt-dev:arm64
# unpacked into a private sysroot (it conflicts with the amd64 libfdt-dev).
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
if [ ! -f "$SYSROOT/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
	# arm64 package lists are needed to download an arm64 .deb
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		$SUDO dpkg --add-architecture arm64
		$SUDO apt-get update -qq
	fi
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -q libfdt-dev:arm64 >/dev/null 2>&1) || {
		$SUDO apt-get update -qq
		(cd "$tmp" && apt-get download -q libfdt-dev:arm64 >/dev/null)
	}
	mkdir -p "$SYSROOT"
	dpkg -x "$tmp"/libfdt-dev_*_arm64.deb "$SYSROOT"
	rm -rf "$tmp"
	echo "deps-arm64: libfdt-dev:arm64 unpacked into $SYSROOT" >&2
fi
