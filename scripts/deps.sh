#!/usr/bin/env bash
# Install the Debian 12 packages kvmscope builds and tests with, if missing.
# Sourced or run by run.sh and test.sh; needs root (or sudo) only when
# something is actually missing.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libjansson-dev libcmocka-dev
      qemu-system-x86 cpio xz-utils zstd file libfdt-dev
      clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
      libtracefs-dev libtraceevent-dev
      groff-base man-db dpkg-dev python3-yaml curl    # man pages, .deb, LAVA tests
      bpftrace                                        # probe_overhead's comparison, staged into the x86 testbed
      libclang-rt-14-dev valgrind)                    # libFuzzer + sanitizer runtimes; valgrind on report
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
