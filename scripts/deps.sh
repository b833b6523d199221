#!/usr/bin/env bash
# Install the Debian 12 packages kvmscope builds and tests with, if missing.
# Run by run.sh and test.sh. Needs root only when something is actually
# missing: as root it runs apt-get itself (no sudo needed), as a user through
# sudo, and without sudo it names what to install. `deps.sh --list` prints
# the packages, one a line, and installs nothing.
set -euo pipefail
PKGS=(build-essential cmake pkg-config libjansson-dev libcmocka-dev
      qemu-system-x86 cpio xz-utils zstd file libfdt-dev
      clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev
      libtracefs-dev libtraceevent-dev
      groff-base man-db dpkg-dev python3-yaml curl    # man pages, .deb, LAVA tests
      lintian                                         # tests/package checks the .deb with it
      gnuplot-nox                                     # the report's plots (PNG, SVG)
      bpftrace                                        # probe_overhead's comparison, staged into the x86 testbed
      libclang-rt-14-dev valgrind)                    # libFuzzer + sanitizer runtimes; valgrind on report
if [ "${1:-}" = --list ]; then
	printf '%s\n' "${PKGS[@]}"
	exit 0
fi
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=()
if [ "$(id -u)" != 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "deps: missing ${missing[*]}; not root and no sudo here: as root, run" \
		     "apt-get install ${missing[*]}" >&2
		exit 1
	fi
	SUDO=(sudo)
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
