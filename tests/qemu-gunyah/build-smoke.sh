#!/usr/bin/env bash
# build-smoke.sh OUTDIR LIBFDT_DIR: cross-build the Gunyah smoke VMM.
#   OUTDIR/smoke_guest.bin  the bare-metal guest (smoke_guest.c), flat binary
#                           linked at SMOKE_BASE
#   OUTDIR/gunyah_smoke     the static aarch64 VMM with the guest embedded
# LIBFDT_DIR holds libfdt.a and its headers (build-gunyah.sh leaves them in
# <cache>/gunyah/hyp-<key>/libfdt: dtc 1.6.1, cross-built for aarch64).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: build-smoke.sh OUTDIR LIBFDT_DIR}
FDT=${2:?usage: build-smoke.sh OUTDIR LIBFDT_DIR}
CC=${KVMSCOPE_AARCH64_CC:-aarch64-linux-gnu-gcc}
OBJCOPY=${CC%gcc}objcopy
command -v "$CC" >/dev/null || { echo "SKIP: $CC not installed"; exit 77; }
[ -f "$FDT/libfdt.a" ] && [ -f "$FDT/libfdt.h" ] || { echo "build-smoke: no libfdt.a/libfdt.h in $FDT" >&2; exit 2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
base=$(sed -n 's/^#define SMOKE_BASE *\(0x[0-9a-fA-F]*\).*/\1/p' "$HERE/smoke_abi.h")
[ -n "$base" ] || { echo "build-smoke: no SMOKE_BASE in smoke_abi.h" >&2; exit 2; }
# The guest: no libc, no PIE, no unaligned accesses (MMU off: Device memory).
"$CC" -ffreestanding -nostdlib -static -fno-pie -no-pie -mstrict-align -mgeneral-regs-only \
	-fno-stack-protector -O2 -Wall -Wextra -Werror \
	-T "$HERE/smoke_guest.lds" -Wl,--defsym=SMOKE_BASE="$base" -Wl,--build-id=none \
	-Wl,--no-warn-rwx-segments -o "$OUT/smoke_guest.elf" "$HERE/smoke_guest.c"
"$OBJCOPY" -O binary "$OUT/smoke_guest.elf" "$OUT/smoke_guest.bin"
"$CC" -static -O2 -Wall -Wextra -Werror -I "$FDT" -DSMOKE_GUEST_BIN="\"$OUT/smoke_guest.bin\"" \
	-o "$OUT/gunyah_smoke" "$HERE/gunyah_smoke.c" "$FDT/libfdt.a"
echo "$OUT/gunyah_smoke"
