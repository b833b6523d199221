#!/usr/bin/env bash
# build-gunyah.sh: build the open-source Gunyah hypervisor, resource manager
# (RM) and C runtime into one boot image (hypvm.elf) for QEMU's virt machine
# with 2 CPUs, and Gunyah's Linux driver as modules for Debian's arm64
# kernel, from pristine upstream sources, with Debian packages only.
#
#   build-gunyah.sh [--cache DIR] [--third-party DIR] [--src NAME=DIR]...
#                   [--rm-uart] [--no-driver] [--kernel-pkg PKG] [-j N]
#
# Sources: the tarballs in --third-party DIR (default
# $KVMSCOPE_GUNYAH_THIRD_PARTY, else the team's shared/third_party/gunyah next
# to the checkout, else /work/shared/third_party/gunyah), checked
# against its SHA256SUMS; or, per component, a directory (an upstream git
# checkout, see README.md for URLs and commits): --src NAME=DIR or
# $KVMSCOPE_GUNYAH_SRC_<NAME>=DIR.  NAME is one of hyp rm runtime support
# musl dtc qcbor lark cheetah driver.  For `driver` DIR is a Linux tree
# carrying the Gunyah series (only its Gunyah files are used).
#
# Output, in a cache keyed by a hash of every input (sources, our patches and
# scripts, tool versions), so a second run only checks the key:
#   <cache>/gunyah/hyp-<key>/hypvm.elf  (+ hyp.elf, rm.elf, runtime.elf, build.log)
#   <cache>/gunyah/drv-<key>/*.ko, modules.list (load order), build.log
# The last lines on stdout are shell assignments for the testbed:
#   GUNYAH_HYPVM=... GUNYAH_MODDIR=... KERNEL=... KREL=... KPKG=... KVER=...
# Exit: 0 built or cached, 1 a build failed (log named), 2 usage,
# 77 (+ SKIP: why) when a Debian package or the kernel cannot be had.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kvmscope
TP=${KVMSCOPE_GUNYAH_THIRD_PARTY:-}
if [ -z "$TP" ]; then
	# the team's shared/ sits beside the checkout (../shared); elsewhere /work/shared
	TP=$(cd "$HERE/../../.." && pwd)/shared/third_party/gunyah
	[ -d "$TP" ] || TP=/work/shared/third_party/gunyah
fi
JOBS=${KVMSCOPE_JOBS:-2}
RM_UART=0
DRIVER=1
KPKG=${KVMSCOPE_KERNEL_PKG:-}
COMPONENTS=(hyp rm runtime support musl dtc qcbor lark cheetah driver)
declare -A SRC=() PATTERN=(
	[hyp]='gunyah-hypervisor-*.tar.gz' [rm]='gunyah-resource-manager-*.tar.gz'
	[runtime]='gunyah-c-runtime-*.tar.gz' [support]='gunyah-support-scripts-*.tar.gz'
	[musl]='musl-*.tar.gz' [dtc]='dtc-*.tar.gz' [qcbor]='QCBOR-*.tar.gz'
	[lark]='lark-*.tar.gz' [cheetah]='cheetah3-*.tar.gz'
	[driver]='gunyah-linux-driver-*.tar.gz')
# What of a Linux tree the driver build uses (also what a tarball holds).
DRIVER_PATHS=(drivers/virt/gunyah arch/arm64/gunyah arch/arm64/include/asm/gunyah.h
	include/linux/gunyah.h include/uapi/linux/gunyah.h)

# log, skip (77 + "SKIP: why"), die (2) and usage, as the testbeds have them
. "$HERE/../qemu-common/testbed-lib.sh"
ks_helpers build-gunyah 7 8
fail() { echo "build-gunyah: FAILED: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache) CACHE=$2; shift 2 ;;
	--third-party) TP=$2; shift 2 ;;
	--src)
		n=${2%%=*}; d=${2#*=}
		[ -n "${PATTERN[$n]:-}" ] || die "--src $2: unknown component '$n' (one of ${COMPONENTS[*]})"
		[ -d "$d" ] || die "--src $2: $d is not a directory"
		SRC[$n]=$(cd "$d" && pwd); shift 2 ;;
	--rm-uart) RM_UART=1; shift ;;
	--no-driver) DRIVER=0; shift ;;
	--kernel-pkg) KPKG=$2; shift 2 ;;
	-j) JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	-h|--help) usage ;;
	*) die "unknown option '$1'" ;;
	esac
done
[[ $JOBS =~ ^[0-9]+$ ]] || die "-j wants a number"
for n in "${COMPONENTS[@]}"; do
	v=KVMSCOPE_GUNYAH_SRC_${n^^}
	if [ -z "${SRC[$n]:-}" ] && [ -n "${!v:-}" ]; then
		[ -d "${!v}" ] || die "\$$v=${!v} is not a directory"
		SRC[$n]=$(cd "${!v}" && pwd)
	fi
done

bash "$HERE/deps.sh" || exit $?
# Debian's python3 first: a pyenv python cannot see python3-pyelftools.
export PATH=/usr/bin:/bin:$PATH
python3 -c 'import elftools.construct' 2>/dev/null ||
	skip "python3 lacks elftools.construct (apt-get install python3-pyelftools)"
CLANG=/usr/lib/llvm-15/bin/clang
LLVM_BIN=/usr/lib/llvm-15/bin
for t in "$CLANG" "$LLVM_BIN/ld.lld" "$LLVM_BIN/llvm-ar" "$LLVM_BIN/llvm-strip" /usr/bin/clang-format-15 \
	/usr/bin/clang-cpp-15 dtc flex bison ninja aarch64-linux-gnu-gcc git patch; do
	command -v "$t" >/dev/null || skip "$t missing after tests/qemu-gunyah/deps.sh"
done

# ---------------------------------------------------------------- inputs
# The key of a component: the tarball's SHA-256 (checked against SHA256SUMS),
# or for a directory a hash of its contents (what would be built).
declare -A TARBALL=() KEY=()
sums_checked=0
tree_hash() { # DIR [PATHS...]: hash of the files' names, modes and bytes
	local d=$1
	shift
	(cd "$d" && tar --exclude=.git --exclude=./build --sort=name --mtime=@0 --owner=0 --group=0 \
		--numeric-owner -cf - "${@:-.}" 2>/dev/null | sha256sum | cut -c1-64)
}
for n in "${COMPONENTS[@]}"; do
	[ "$n" = driver ] && [ "$DRIVER" = 0 ] && continue
	if [ -n "${SRC[$n]:-}" ]; then
		if [ "$n" = driver ]; then
			for p in "${DRIVER_PATHS[@]}"; do
				[ -e "${SRC[$n]}/$p" ] || die "--src driver=${SRC[$n]}: no $p (a Linux tree with the Gunyah series?)"
			done
			KEY[$n]=dir:$(tree_hash "${SRC[$n]}" "${DRIVER_PATHS[@]}")
		else
			KEY[$n]=dir:$(tree_hash "${SRC[$n]}")
		fi
		continue
	fi
	[ -d "$TP" ] || skip "no sources: $TP is missing (give --third-party DIR or --src $n=DIR; README.md lists the upstream repositories)"
	# shellcheck disable=SC2206 # the pattern is meant to glob
	m=($TP/${PATTERN[$n]})
	[ ${#m[@]} = 1 ] && [ -f "${m[0]}" ] || die "expected one $TP/${PATTERN[$n]}, found: ${m[*]}"
	TARBALL[$n]=${m[0]}
	if [ -f "$TP/SHA256SUMS" ]; then
		if [ $sums_checked = 0 ]; then
			# only the files we use: the list may name others
			(cd "$TP" && sha256sum --quiet -c --ignore-missing SHA256SUMS) ||
				fail "$TP/SHA256SUMS: a tarball does not match its checksum"
			sums_checked=1
		fi
		KEY[$n]=$(awk -v f="${m[0]##*/}" '$2 == f || $2 == "*" f { print $1 }' "$TP/SHA256SUMS")
		[ -n "${KEY[$n]}" ] || die "$TP/SHA256SUMS does not list ${m[0]##*/}"
	else
		KEY[$n]=$(sha256sum <"${m[0]}" | cut -c1-64)
	fi
done

toolchain_id() {
	"$CLANG" --version | head -n1
	"$LLVM_BIN/ld.lld" --version | head -n1
	aarch64-linux-gnu-gcc --version | head -n1
	dtc --version | head -n1
	python3 --version
	python3 -c 'import elftools; print("pyelftools", elftools.__version__)'
	ninja --version
}
GCACHE=$CACHE/gunyah
mkdir -p "$GCACHE"
exec 8>"$GCACHE/.lock"
flock 8

# ---------------------------------------------------------------- staging
# unpack NAME DEST: the component's tree at DEST (tarballs have one top dir).
unpack() {
	local n=$1 dst=$2
	mkdir -p "$dst"
	if [ -n "${SRC[$n]:-}" ]; then
		if [ "$n" = driver ]; then
			(cd "${SRC[$n]}" && tar -cf - "${DRIVER_PATHS[@]}") | tar -C "$dst" -xf -
		else
			(cd "${SRC[$n]}" && tar --exclude=.git --exclude=./build -cf - .) | tar -C "$dst" -xf -
		fi
	else
		tar -C "$dst" --strip-components=1 -xzf "${TARBALL[$n]}"
	fi
}
# The commit a component was built from: git's for a checkout, the one
# `git archive` recorded in a tarball's header; and that commit's date.
commit_of() {
	if [ -n "${SRC[$1]:-}" ]; then
		git -C "${SRC[$1]}" rev-parse --short=7 HEAD 2>/dev/null || echo unknown
	else
		# git reads only the first block: gzip's SIGPIPE is no failure
		local id
		id=$( (gzip -dc "${TARBALL[$1]}" 2>/dev/null || true) | git get-tar-commit-id 2>/dev/null || true)
		echo "${id:0:7}"
	fi
}
date_of() {
	if [ -n "${SRC[$1]:-}" ]; then
		TZ=UTC git -C "${SRC[$1]}" show -s --pretty=%cd --date=iso-local HEAD 2>/dev/null || echo unknown
	else
		tar --full-time -tvzf "${TARBALL[$1]}" 2>/dev/null | awk 'NR == 1 { print $4, $5 " UTC" }'
	fi
}
dirty_of() { # "-dirty" for a checkout with local changes
	[ -n "${SRC[$1]:-}" ] || return 0
	git -C "${SRC[$1]}" diff HEAD --quiet 2>/dev/null || echo -dirty
}

run_logged() { # STEP LOG CMD...: run, keep the output; on failure show its tail
	local step=$1 logf=$2 t0 rc
	shift 2
	t0=$(date +%s)
	echo "=== $step: $*" >>"$logf"
	set +e
	"$@" >>"$logf" 2>&1
	rc=$?
	set -e
	if [ $rc != 0 ]; then
		tail -n 30 "$logf" | sed 's/^/build-gunyah: | /' >&2
		fail "$step (exit $rc); full log: $logf"
	fi
	log "$step: $(($(date +%s) - t0)) s"
}

# ---------------------------------------------------------------- toolchain
# An $LLVM tree as the Gunyah build systems expect it (tools/build: $LLVM/bin/
# clang, clang-cpp, clang-format, llvm-ar, llvm-strip; the musl sysroot at
# $LLVM/aarch64-linux-gnu/libc), made of Debian's clang-15.  Debian ships no
# aarch64 compiler-rt: the wrapper gives clang a private resource dir (a copy
# of Debian's, headers included) holding the cross gcc's libgcc.a as the
# builtins archive and its crtbeginS.o/crtendS.o as clang_rt.crtbegin/crtend,
# and adds --unwindlib=none to link lines that link the C library (clang
# would otherwise ask for -lgcc_eh, which no arm64 package has here).
make_toolchain() { # DIR
	local L=$1 res gres libgcc t
	mkdir -p "$L/bin"
	res=$L/lib/clang/resource
	gres=$("$CLANG" -print-resource-dir)
	mkdir -p "$res"
	cp -a "$gres/include" "$res/"
	libgcc=$(aarch64-linux-gnu-gcc -print-libgcc-file-name)
	for d in "$res/lib/linux" "$res/lib/aarch64-unknown-linux-gnu" "$res/lib/aarch64-linux-gnu"; do
		mkdir -p "$d"
	done
	cp "$libgcc" "$res/lib/linux/libclang_rt.builtins-aarch64.a"
	cp "$(aarch64-linux-gnu-gcc -print-file-name=crtbeginS.o)" "$res/lib/linux/clang_rt.crtbegin-aarch64.o"
	cp "$(aarch64-linux-gnu-gcc -print-file-name=crtendS.o)" "$res/lib/linux/clang_rt.crtend-aarch64.o"
	for d in aarch64-unknown-linux-gnu aarch64-linux-gnu; do
		cp "$libgcc" "$res/lib/$d/libclang_rt.builtins.a"
		cp "$res/lib/linux/clang_rt.crtbegin-aarch64.o" "$res/lib/$d/clang_rt.crtbegin.o"
		cp "$res/lib/linux/clang_rt.crtend-aarch64.o" "$res/lib/$d/clang_rt.crtend.o"
	done
	# The wrappers find the resource dir next to themselves: the tree is
	# built in a temporary directory and then renamed into the cache.
	cat >"$L/bin/clang" <<EOF
#!/bin/sh
# Debian's clang-15 with a resource dir that has aarch64 builtins (build-gunyah.sh)
res=\$(cd "\$(dirname "\$0")/../lib/clang/resource" && pwd)
link=1
for a in "\$@"; do
	case \$a in
	-c|-S|-E|-M|-MM|-fsyntax-only|-nostdlib|-nodefaultlibs|-print-*|--version|-v) link=0 ;;
	esac
done
if [ \$link = 1 ]; then
	exec $CLANG -resource-dir "\$res" --unwindlib=none "\$@"
fi
exec $CLANG -resource-dir "\$res" "\$@"
EOF
	cat >"$L/bin/clang-cpp" <<EOF
#!/bin/sh
res=\$(cd "\$(dirname "\$0")/../lib/clang/resource" && pwd)
exec /usr/lib/llvm-15/bin/clang-cpp -resource-dir "\$res" "\$@"
EOF
	chmod 755 "$L/bin/clang" "$L/bin/clang-cpp"
	for t in "$LLVM_BIN"/*; do
		case ${t##*/} in clang|clang-15|clang-cpp|clang++) continue ;; esac
		ln -sf "$t" "$L/bin/${t##*/}"
	done
	ln -sf /usr/bin/clang-format-15 "$L/bin/clang-format"
}

# ---------------------------------------------------------------- stages
# Four cached stages, each in <cache>/gunyah/<stage>-<key>, so changing one
# input rebuilds only what depends on it (e.g. --rm-uart: the RM alone):
#   sysroot  the $LLVM tree (toolchain wrapper + musl) and LOCAL_SYSROOT
#            (libfdt, QCBOR): musl, dtc, qcbor, support, toolchain
#   hypelf   hyp.elf: hyp, lark, cheetah, sysroot
#   rmelf    resource-manager and runtime, stripped: rm, runtime, lark,
#            cheetah, sysroot, --rm-uart
#   hyp      hypvm.elf (package_apps.py) + libfdt for our own programs
# A stage is built in a temporary directory and renamed into place.
stage_begin() { # NAME: sets B (build dir), logf
	B=$(mktemp -d "$GCACHE/build-$1.XXXXXX")
	logf=$B/build.log
	: >"$logf"
	log "building $1 in $B (log: $logf)"
}
stage_end() { # DIR: move $B/out to DIR, mark it complete
	cp "$logf" "$B/out/build.log"
	rm -rf "$1"
	mv "$B/out" "$1"
	date -u +%FT%TZ >"$1/.complete"
	rm -rf "$B"
}
py_env() { # SRCDIR: Debian's python3 first, lark 0.8.9 and Cheetah3 from the sources
	export LLVM=$SYSROOTDIR/llvm LOCAL_SYSROOT=$SYSROOTDIR/sysroot
	export PYTHONPATH=$1/lark:$1/cheetah
	python3 -c 'import lark, Cheetah.Template' 2>>"$logf" ||
		fail "lark/Cheetah from the sources do not import (log: $logf)"
}

build_sysroot() {
	local S L SYSROOT qcbor_patch
	stage_begin sysroot
	S=$B/src
	mkdir -p "$B/out"
	L=$B/out/llvm
	SYSROOT=$B/out/sysroot
	for n in musl dtc qcbor support; do
		unpack "$n" "$S/$n"
		echo "input $n: ${SRC[$n]:-${TARBALL[$n]}} ${KEY[$n]} commit $(commit_of "$n")$(dirty_of "$n")" >>"$B/out/inputs.txt"
	done
	toolchain_id >>"$B/out/inputs.txt"
	make_toolchain "$L"
	mkdir -p "$SYSROOT"
	# musl first: the RM must not see the glibc cross headers ("typedef
	# redefinition with different types ('long' vs 'uint64_t')").
	(cd "$S/musl" && run_logged "musl configure" "$logf" env CC="$L/bin/clang --target=aarch64-linux-gnu" \
		CFLAGS="-march=armv8.5-a+rng" ./configure --prefix="$L/aarch64-linux-gnu/libc" \
		--target=aarch64-linux-gnu --disable-shared)
	run_logged "musl" "$logf" make -C "$S/musl" -j"$JOBS" install
	# libfdt, cross-built, into LOCAL_SYSROOT (dtc regenerates its lexer and
	# parser even for `make libfdt`: flex and bison).
	run_logged "libfdt" "$logf" make -C "$S/dtc" -j"$JOBS" CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
		NO_PYTHON=1 NO_YAML=1 NO_VALGRIND=1 PREFIX="$SYSROOT" libfdt install-lib install-includes
	# QCBOR's decoder with the support scripts' patch (adds Makefile.hyp).
	qcbor_patch=$(find "$S/support" -name gunyah-qcbor.patch | head -n1)
	[ -n "$qcbor_patch" ] || fail "no gunyah-qcbor.patch in the support scripts"
	run_logged "QCBOR patch" "$logf" patch -d "$S/qcbor" -p1 -i "$qcbor_patch"
	run_logged "QCBOR" "$logf" env LLVM="$L" LOCAL_SYSROOT="$SYSROOT" \
		make -C "$S/qcbor" -f Makefile.hyp sysroot_decoder_lib
	rm -rf "$SYSROOT/src"
	stage_end "$SYSROOTDIR"
}

build_hypelf() {
	local S hyp_conf
	stage_begin hypelf
	S=$B/src
	mkdir -p "$B/out"
	for n in hyp lark cheetah; do
		unpack "$n" "$S/$n"
		echo "input $n: ${SRC[$n]:-${TARBALL[$n]}} ${KEY[$n]} commit $(commit_of "$n")$(dirty_of "$n")" >>"$B/out/inputs.txt"
	done
	py_env "$S"
	# 2 CPUs: the stock QEMU config (8 cores) takes an EL2 abort on -smp 2.
	hyp_conf=$S/hyp/config/arch/qemu-armv8-5a-rng.conf
	sed -i -e 's/^configs PLATFORM_MAX_CORES=.*/configs PLATFORM_MAX_CORES=2U/' \
		-e 's/^configs PLATFORM_USABLE_CORES=.*/configs PLATFORM_USABLE_CORES=0x3U/' "$hyp_conf"
	grep -q '^configs PLATFORM_MAX_CORES=2U$' "$hyp_conf" && grep -q '^configs PLATFORM_USABLE_CORES=0x3U$' "$hyp_conf" ||
		fail "$hyp_conf: could not set PLATFORM_MAX_CORES=2U / PLATFORM_USABLE_CORES=0x3U"
	# Tarballs are no git checkouts: the build takes a pre-written version
	# header instead of running git.
	printf '#define HYP_GIT_VERSION %s\n#define HYP_BUILD_DATE "%s"\n' \
		"$(commit_of hyp)$(dirty_of hyp)" "$(date_of hyp)" >"$S/hyp/hyp/core/boot/include/version.h"
	(cd "$S/hyp" && run_logged "hyp configure" "$logf" python3 ./configure.py platform=qemu \
		featureset=gunyah-rm-qemu quality=production)
	run_logged "hyp" "$logf" ninja -C "$S/hyp" -j"$JOBS"
	cp "$S/hyp/build/qemu/gunyah-rm-qemu/production/hyp.elf" "$B/out/hyp.elf" ||
		fail "no hyp.elf after the build; log: $logf"
	# package_apps.py, for the packaging stage
	cp -a "$S/hyp/tools" "$B/out/tools"
	stage_end "$HYPELFDIR"
}

build_rmelf() {
	local S rm_conf rm_elf rt_elf
	stage_begin rmelf
	S=$B/src
	mkdir -p "$B/out"
	for n in rm runtime lark cheetah; do
		unpack "$n" "$S/$n"
		echo "input $n: ${SRC[$n]:-${TARBALL[$n]}} ${KEY[$n]} commit $(commit_of "$n")$(dirty_of "$n")" >>"$B/out/inputs.txt"
	done
	py_env "$S"
	if [ "$RM_UART" = 1 ]; then
		# the RM keeps printing after boot: its complaints about guest DTs
		rm_conf=$S/rm/config/quality/production.conf
		sed -i 's/^configs POST_BOOT_UART_DISABLE=1/configs POST_BOOT_UART_DISABLE=0/' "$rm_conf"
		grep -q '^configs POST_BOOT_UART_DISABLE=0' "$rm_conf" || fail "$rm_conf: no POST_BOOT_UART_DISABLE to clear"
		echo "rm_uart: POST_BOOT_UART_DISABLE=0" >>"$B/out/inputs.txt"
	fi
	printf '#define RM_GIT_VERSION "%s"\n#define RM_BUILD_DATE "%s"\n' \
		"$(commit_of rm)$(dirty_of rm)" "$(date_of rm)" >"$S/rm/include/version.h"
	for c in rm runtime; do
		(cd "$S/$c" && run_logged "$c configure" "$logf" python3 ./configure.py platform=qemu \
			featureset=gunyah-rm-qemu quality=production)
		run_logged "$c" "$logf" ninja -C "$S/$c" -j"$JOBS"
	done
	rm_elf=$(find "$S/rm/build" -type f -name resource-manager | head -n1)
	rt_elf=$(find "$S/runtime/build" -type f -name runtime | head -n1)
	[ -f "$rm_elf" ] && [ -f "$rt_elf" ] || fail "missing resource-manager or runtime after the build; log: $logf"
	"$SYSROOTDIR/llvm/bin/llvm-strip" -o "$B/out/rm.elf" "$rm_elf"
	"$SYSROOTDIR/llvm/bin/llvm-strip" -o "$B/out/runtime.elf" "$rt_elf"
	stage_end "$RMELFDIR"
}

build_package() {
	stage_begin hyp
	mkdir -p "$B/out"
	cat "$HYPELFDIR/inputs.txt" "$RMELFDIR/inputs.txt" "$SYSROOTDIR/inputs.txt" >"$B/out/inputs.txt"
	cp "$HYPELFDIR/hyp.elf" "$RMELFDIR/rm.elf" "$RMELFDIR/runtime.elf" "$B/out/"
	(cd "$HYPELFDIR" && run_logged "package hypvm.elf" "$logf" python3 tools/elf/package_apps.py \
		-a "$B/out/rm.elf" -r "$B/out/runtime.elf" "$B/out/hyp.elf" -o "$B/out/hypvm.elf")
	# libfdt (aarch64, static) for our own programs: gunyah_smoke links it
	mkdir -p "$B/out/libfdt"
	cp "$SYSROOTDIR/sysroot/lib/libfdt.a" "$SYSROOTDIR/sysroot/include/fdt.h" \
		"$SYSROOTDIR/sysroot/include/libfdt.h" "$SYSROOTDIR/sysroot/include/libfdt_env.h" "$B/out/libfdt/"
	stage_end "$HYPDIR"
}

# Keys: the stage's sources, the tools, and the text of the functions that
# build it (so editing other parts of this script rebuilds nothing).
key_of() { sha256sum | cut -c1-16; }
k_sysroot=$( {
	for n in musl dtc qcbor support; do echo "$n ${KEY[$n]}"; done
	toolchain_id
	declare -f unpack run_logged make_toolchain stage_begin stage_end build_sysroot
	sha256sum <"$HERE/deps.sh"
} | key_of)
SYSROOTDIR=$GCACHE/sysroot-$k_sysroot
k_hypelf=$( {
	echo "sysroot $k_sysroot"
	for n in hyp lark cheetah; do echo "$n ${KEY[$n]}"; done
	declare -f unpack commit_of date_of dirty_of py_env build_hypelf
} | key_of)
HYPELFDIR=$GCACHE/hypelf-$k_hypelf
k_rmelf=$( {
	echo "sysroot $k_sysroot rm_uart=$RM_UART"
	for n in rm runtime lark cheetah; do echo "$n ${KEY[$n]}"; done
	declare -f unpack commit_of date_of dirty_of py_env build_rmelf
} | key_of)
RMELFDIR=$GCACHE/rmelf-$k_rmelf
HYPDIR=$GCACHE/hyp-$( { echo "$k_sysroot $k_hypelf $k_rmelf"; declare -f build_package; } | key_of)

t0=$(date +%s)
[ -f "$SYSROOTDIR/.complete" ] || build_sysroot
[ -f "$HYPELFDIR/.complete" ] || build_hypelf
[ -f "$RMELFDIR/.complete" ] || build_rmelf
if [ -f "$HYPDIR/.complete" ]; then
	log "hypvm.elf: cache hit $HYPDIR"
else
	build_package
	log "hypvm.elf built in $(($(date +%s) - t0)) s: $HYPDIR"
fi
echo "GUNYAH_HYPVM=$HYPDIR/hypvm.elf"
echo "GUNYAH_HYPDIR=$HYPDIR"

# ---------------------------------------------------------------- kernel + driver
# The kernel the testbed boots (tests/qemu-common/arm64-kernel.sh, the same
# cache and resolution as tests/qemu-arm64), and its headers for the modules.
. "$HERE/../qemu-common/arm64-kernel.sh"
KCACHE=$CACHE/qemu-arm64
mkdir -p "$KCACHE"
exec 9>"$KCACHE/.lock"
flock 9
ks_arm64_kernel
[ "$DRIVER" = 1 ] && ks_arm64_headers
exec 9>&-
echo "KERNEL=$KERNEL"
echo "KREL=$KREL"
echo "KPKG=$KPKG"
echo "KVER=$KVER"
echo "KMODDIR=$MODDIR"
[ "$DRIVER" = 1 ] || exit 0

# Module load order: each needs the symbols of those before it.
DRV_MODULES=(gunyah_hypercall gunyah_platform_hooks gunyah gunyah_rsc_mgr gunyah_vcpu gunyah_irqfd gunyah_ioeventfd)
drv_key=$( {
	echo "driver ${KEY[driver]}"
	echo "kernel $KPKG $KVER $KREL"
	aarch64-linux-gnu-gcc --version | head -n1
	declare -f unpack run_logged build_driver
	for f in "$HERE"/patches/driver-*; do sha256sum <"$f"; done
} | sha256sum | cut -c1-16)
DRVDIR=$GCACHE/drv-$drv_key

build_driver() {
	local B logf p m
	B=$(mktemp -d "$GCACHE/build-drv.XXXXXX")
	logf=$B/build.log
	: >"$logf"
	log "building the driver modules for $KREL in $B (log: $logf)"
	unpack driver "$B/src"
	echo "input driver: ${SRC[driver]:-${TARBALL[driver]}} ${KEY[driver]}" >"$B/inputs.txt"
	echo "kernel: $KPKG $KVER ($KREL)" >>"$B/inputs.txt"
	# Ours: 6.1 compat, the open-source-RM start flow, getting the VM exit out.
	for p in "$HERE/patches/driver-6.1.patch" "$HERE/patches/driver-open-rm-flow.patch" \
		"$HERE/patches/driver-vcpu-exit.patch" "$HERE/patches/driver-extra-parcels.patch"; do
		run_logged "patch ${p##*/}" "$logf" patch -d "$B/src" -p1 -i "$p"
	done
	# One out-of-tree build of both directories, so modpost resolves the
	# symbols they export to each other.  The Gunyah headers of the tree
	# (linux/gunyah.h, uapi/linux/gunyah.h, asm/gunyah.h) are not in 6.1.
	cat >"$B/src/Kbuild" <<KB
subdir-ccflags-y += -I\$(src)/include -I\$(src)/arch/arm64/include
subdir-ccflags-y += -DCONFIG_GUNYAH_PLATFORM_HOOKS_MODULE=1
subdir-ccflags-y += -include $HERE/patches/driver-compat-6.1.h
obj-y += arch/arm64/gunyah/ drivers/virt/gunyah/
KB
	run_logged "driver modules" "$logf" make -C "$KHDR" M="$B/src" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- -j"$JOBS" \
		CONFIG_GUNYAH=m CONFIG_GUNYAH_PLATFORM_HOOKS=m CONFIG_GUNYAH_IRQFD=m \
		CONFIG_GUNYAH_IOEVENTFD=m modules
	mkdir -p "$B/out"
	: >"$B/out/modules.list"
	for m in "${DRV_MODULES[@]}"; do
		p=$(find "$B/src" -name "$m.ko" | head -n1)
		[ -n "$p" ] || fail "no $m.ko after the build; log: $logf"
		aarch64-linux-gnu-strip --strip-debug -o "$B/out/$m.ko" "$p"
		echo "$m.ko" >>"$B/out/modules.list"
	done
	cp "$logf" "$B/inputs.txt" "$B/out/"
	rm -rf "$DRVDIR"
	mv "$B/out" "$DRVDIR"
	date -u +%FT%TZ >"$DRVDIR/.complete"
	rm -rf "$B"
}

if [ -f "$DRVDIR/.complete" ]; then
	log "driver modules: cache hit $DRVDIR"
else
	t0=$(date +%s)
	build_driver
	log "driver modules built in $(($(date +%s) - t0)) s: $DRVDIR"
fi
echo "GUNYAH_MODDIR=$DRVDIR"
