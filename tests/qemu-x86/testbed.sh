#!/usr/bin/env bash
# kvmscope x86_64 testbed: run a static x86_64 program against a REAL /dev/kvm
# inside Debian's amd64 kernel booted under qemu-system-x86_64 (TCG, emulated
# AMD SVM + NPT), for machines and CI runners that have no /dev/kvm.
#
#   testbed.sh [--cache DIR] [--timeout SECS] [--append "KERNEL ARGS"]
#              [--out DIR] [--cpu MODEL] [--kernel-pkg PKG] [--keep]
#              -- /path/to/static-binary [ARGS...]
#
# The program runs as a child of our own /init (init.c) with cwd = a 9p share
# of --out DIR, so files it writes land on the host.  Exit status: the
# program's, 77 (SKIP) when qemu or the kernel package cannot be had, 124 on
# timeout, 125 when the guest died without reporting a status.
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
MEM=2048
SMP=2
# Modules to load in the guest (dependencies are added automatically).
MODULES=(kvm kvm_amd virtio_pci 9pnet_virtio 9p ${KVMSCOPE_EXTRA_MODULES:-})

usage() {
	sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
log() { echo "testbed: $*" >&2; }
skip() { echo "SKIP: $*"; exit 77; }
die() { echo "testbed: error: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case $1 in
	--cache) CACHE=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--append) APPEND=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--kernel-pkg) KPKG=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) die "unknown option '$1' (the program goes after --)" ;;
	esac
done
[ $# -ge 1 ] || usage
PROG=$1; shift
[ -f "$PROG" ] && [ -x "$PROG" ] || die "$PROG: not an executable file"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds"
if command -v readelf >/dev/null && readelf -l "$PROG" 2>/dev/null | grep -q INTERP; then
	die "$PROG is dynamically linked; the guest has no libc: build it with -static"
fi
# Program arguments travel on the kernel command line after "--"; the kernel
# splits them on blanks and eats quotes, so refuse what it would mangle.
for a in "$@"; do
	case $a in
	*[[:space:]\"\']*|"") die "argument '$a': blanks, quotes and empty arguments cannot cross the kernel command line" ;;
	esac
done
[ $# -le 24 ] || die "too many arguments (the kernel passes at most 32 to init)"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
command -v gcc >/dev/null || skip "gcc not installed (needed to build the guest /init)"
command -v cpio >/dev/null || skip "cpio not installed"
command -v dpkg >/dev/null || skip "dpkg not available (needed to unpack the kernel package)"

# ---------------------------------------------------------------- kernel
mkdir -p "$CACHE"
if command -v flock >/dev/null; then
	exec 9>"$CACHE/.lock"
	flock 9
fi

resolve_pkg() {
	# linux-image-amd64 is a metapackage: follow it to linux-image-X.Y.Z-N-amd64.
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
candidate() {
	apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}

KDIR=""
if [ -z "$KPKG" ]; then
	KPKG=$(resolve_pkg || true)
	if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ] && ! ls -d "$CACHE"/linux-image-*/.complete >/dev/null 2>&1; then
		log "apt-cache knows no linux-image-amd64; running apt-get update"
		apt-get update -qq >/dev/null 2>&1 || true
		KPKG=$(resolve_pkg || true)
	fi
fi
KVER_PKG=""
[ -n "$KPKG" ] && KVER_PKG=$(candidate "$KPKG" || true)
if [ -n "$KPKG" ] && [ -n "$KVER_PKG" ]; then
	KDIR=$CACHE/${KPKG}_${KVER_PKG}
	if [ ! -f "$KDIR/.complete" ]; then
		log "downloading $KPKG=$KVER_PKG into $CACHE"
		dl=$(mktemp -d "$CACHE/dl.XXXXXX")
		if (cd "$dl" && apt-get download -q "$KPKG=$KVER_PKG" >/dev/null 2>"$dl/apt.err") &&
			rm -rf "$KDIR" && dpkg -x "$dl"/*.deb "$KDIR.tmp" && mv "$KDIR.tmp" "$KDIR"; then
			echo "$KPKG $KVER_PKG" >"$KDIR/.complete"
		else
			sed 's/^/testbed: apt: /' "$dl/apt.err" >&2 || true
			rm -rf "$KDIR.tmp" "$KDIR"
			KDIR=""
		fi
		rm -rf "$dl"
	fi
fi
if [ -z "$KDIR" ]; then
	# Offline: use the newest kernel already in the cache.
	stamp=$(ls -td "$CACHE"/linux-image-*/.complete 2>/dev/null | head -n1 || true)
	[ -n "$stamp" ] || skip "cannot resolve or download Debian's amd64 kernel package (linux-image-amd64) and none is cached in $CACHE"
	KDIR=$(dirname "$stamp")
	log "using cached kernel $(cat "$stamp")"
fi
exec 9>&-

VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -n "$VMLINUZ" ] || skip "no boot/vmlinuz-* in $KDIR"
KREL=${VMLINUZ##*/vmlinuz-}
MODDIR=$KDIR/lib/modules/$KREL
[ -d "$MODDIR" ] || skip "no $MODDIR"
log "kernel: $(cat "$KDIR/.complete") ($KREL)"

# ---------------------------------------------------------------- work dir
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-qemu-x86.XXXXXX")
QPID=""
cleanup() {
	[ -n "$QPID" ] && kill -KILL "$QPID" 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-out.XXXXXX")
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ROOT=$WORK/root
mkdir -p "$ROOT"/{dev,proc,sys,tmp,out,kvmscope/modules}
gcc -static -Os -o "$ROOT/init" "$HERE/init.c"
cp "$PROG" "$ROOT/kvmscope/prog"
chmod 755 "$ROOT/kvmscope/prog"

# ---------------------------------------------------------------- modules
# name (dashes as underscores) -> path relative to $MODDIR
declare -A MPATH=() MDEPS=() MDONE=() BUILTIN=()
modname() { local b=${1##*/}; b=${b%%.ko*}; echo "${b//-/_}"; }
if [ -f "$MODDIR/modules.builtin" ]; then
	while read -r p; do BUILTIN[$(modname "$p")]=1; done <"$MODDIR/modules.builtin"
fi
if [ -f "$MODDIR/modules.dep" ]; then
	# Installed trees: modules.dep lists every module with its full
	# (transitive) dependency list.
	while IFS= read -r line; do
		p=${line%%:*}
		n=$(modname "$p")
		MPATH[$n]=$p
		d=""
		for q in ${line#*:}; do d+=" $(modname "$q")"; done
		MDEPS[$n]=$d
	done <"$MODDIR/modules.dep"
else
	# Debian's linux-image .deb ships no modules.dep (depmod runs at
	# install time): map names via modules.order / the tree and read each
	# module's own "depends=" from its .modinfo section.
	while IFS= read -r p; do
		p=${p#./}
		MPATH[$(modname "$p")]=$p
	done < <(cd "$MODDIR" && find kernel -name '*.ko*')
fi
moddeps() { # name -> space separated direct deps
	local n=$1
	if [ -z "${MDEPS[$n]+x}" ]; then
		local f=$MODDIR/${MPATH[$n]} cat=cat
		case $f in
		*.xz) cat="xz -dc" ;; *.zst) cat="zstd -dc" ;; *.gz) cat="gzip -dc" ;;
		esac
		local d
		d=$($cat "$f" | tr '\0' '\n' | grep -a -m1 '^depends=' || true)
		d=${d#depends=}
		MDEPS[$n]=${d//,/ }
	fi
	echo "${MDEPS[$n]//-/_}"
}
ORDER=()
visit() {
	local n=$1
	[ -n "${MDONE[$n]:-}" ] && return 0
	MDONE[$n]=1
	if [ -n "${BUILTIN[$n]:-}" ]; then return 0; fi
	[ -n "${MPATH[$n]:-}" ] || { log "module $n not found in $KREL (skipped)"; return 0; }
	local d
	for d in $(moddeps "$n"); do visit "$d"; done
	ORDER+=("$n")
}
for m in "${MODULES[@]}"; do visit "${m//-/_}"; done
: >"$ROOT/kvmscope/modules.list"
for n in "${ORDER[@]}"; do
	src=$MODDIR/${MPATH[$n]}
	dst=$ROOT/kvmscope/modules/$n.ko
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*) cp "$src" "$dst" ;;
	esac
	echo "$n.ko" >>"$ROOT/kvmscope/modules.list"
done
log "modules: ${ORDER[*]}"

(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet | gzip -1) >"$WORK/initramfs.cpio.gz"

# ---------------------------------------------------------------- run
CMDLINE="console=ttyS0 rdinit=/init panic=-1 oops=panic quiet loglevel=4 $APPEND"
[ $# -gt 0 ] && CMDLINE+=" -- $*"
QEMU=(qemu-system-x86_64
	-machine pc -accel tcg,thread=multi -cpu "$CPU" -smp "$SMP" -m "$MEM"
	-nodefaults -no-user-config -nographic -no-reboot -nic none
	-serial stdio -monitor none
	-kernel "$VMLINUZ" -initrd "$WORK/initramfs.cpio.gz"
	-append "$CMDLINE"
	-virtfs "local,path=${OUT//,/,,},mount_tag=out,security_model=none,id=out")
log "cmdline: $CMDLINE"
log "output dir: $OUT"
t0=$(date +%s.%N)
set +e
timeout -k 5 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 | tee "$WORK/console.raw"
rcs=("${PIPESTATUS[@]}")
set -e
t1=$(date +%s.%N)
tr -d '\r' <"$WORK/console.raw" >"$WORK/console.log"
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

# Fallback transport: files dumped base64 on the console by /init.
if grep -aq '^KVMSCOPE-FILE-BEGIN ' "$WORK/console.log"; then
	cur=""
	while IFS= read -r line; do
		case $line in
		"KVMSCOPE-FILE-BEGIN "*)
			cur=${line#KVMSCOPE-FILE-BEGIN }
			case "/$cur/" in */../*) cur="" ;; esac
			[ -n "$cur" ] && { mkdir -p "$OUT/$(dirname "$cur")"; : >"$WORK/b64"; } ;;
		"KVMSCOPE-FILE-END "*)
			[ -n "$cur" ] && base64 -d <"$WORK/b64" >"$OUT/$cur"
			cur="" ;;
		*) [ -n "$cur" ] && echo "$line" >>"$WORK/b64" ;;
		esac
	done <"$WORK/console.log"
	log "copied files back from the console"
fi

if [ "${rcs[0]}" = 124 ] || [ "${rcs[0]}" = 137 ]; then
	echo "FAIL: testbed timed out after ${TIMEOUT}s (qemu killed)"
	exit 124
fi
status=$(grep -ao 'KVMSCOPE-EXIT-STATUS=[0-9]*' "$WORK/console.log" | tail -n1 | cut -d= -f2 || true)
if [ -z "$status" ]; then
	echo "FAIL: guest ended without KVMSCOPE-EXIT-STATUS (kernel panic or /init crash?), qemu rc ${rcs[0]}, ${wall}s"
	exit 125
fi
log "program exit status $status; qemu wall time ${wall}s"
exit "$status"
