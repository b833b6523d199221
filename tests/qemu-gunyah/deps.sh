#!/usr/bin/env bash
# The Debian packages the Gunyah testbed builds and boots with: LLVM 15 for
# the hypervisor, resource manager and C runtime (upstream asks for 15;
# clang-format-14 cannot parse their .clang-format), Python's pyelftools for
# package_apps.py, dtc + flex + bison for libfdt, the aarch64 cross gcc (musl's
# and libfdt's builds, the driver modules, our static programs), QEMU.
# Installs what is missing when it can (root, or sudo without a password);
# otherwise prints SKIP with the apt-get line and exits 77.  The arm64
# kernel, its headers and kbuild are downloaded (not installed) by
# ../qemu-common/arm64-kernel.sh.
set -euo pipefail
PKGS=(clang-15 lld-15 llvm-15 clang-format-15 python3 python3-pyelftools
      device-tree-compiler flex bison ninja-build make patch git
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm cpio)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install --no-install-recommends ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		echo "SKIP: missing Debian packages and no root to install them: $line"
		exit 77
	fi
fi
echo "gunyah deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	$SUDO apt-get update -qq >/dev/null 2>&1 || true
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
		echo "SKIP: cannot install: $line"
		exit 77
	}
fi
