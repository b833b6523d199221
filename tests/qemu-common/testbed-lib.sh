# Shared by the QEMU testbeds (sourced by tests/qemu-*/testbed.sh, and for
# its helpers by tests/qemu-gunyah/build-gunyah.sh): the scripts' common
# contract (helpers, options, checks of the program and its arguments), stage
# kernel modules into the initramfs tree, pack it, run QEMU, bring results
# back and read the program's exit status.  Only functions: sourcing it
# changes nothing else.
#   ks_helpers NAME FIRST LAST: log() (to stderr, "NAME: ..."), skip()
#     ("SKIP: why" on stdout, exit 77), die() ("NAME: error: ...", exit 2)
#     and usage() (the script's lines FIRST..LAST, its synopsis; exit 2).
#   ks_testbed_args (with ks_take_prog, ks_check_prog_args, ks_need_tools),
#     ks_kvm_mode,
#     ks_arm64_cmdline, ks_arm64_init, ks_workdir: see below.
#   ks_stage_modules: needs MODDIR, KREL, ROOT, MODULES (names) and log();
#     copies each module and its dependencies (in load order) to
#     $ROOT/kvmscope/modules and lists them in $ROOT/kvmscope/modules.list.
#   ks_pack_initramfs OUT: cpio newc + gzip of $ROOT into OUT.
#   ks_run_qemu, ks_guest_status: see below.

ks_helpers() {
	KS_NAME=$1 KS_USAGE="$2,$3"
	log() { echo "$KS_NAME: $*" >&2; }
	skip() { echo "SKIP: $*"; exit 77; }
	die() { echo "$KS_NAME: error: $*" >&2; exit 2; }
	usage() {
		sed -n "${KS_USAGE}p" "$0" | sed 's/^# \{0,1\}//' >&2
		exit 2
	}
}

# ks_take_prog "$@" (what follows --): PROG=$1, an executable file; usage()
# without one. Also checks --timeout.
ks_take_prog() {
	[ $# -ge 1 ] || usage
	PROG=$1
	[ -f "$PROG" ] && [ -x "$PROG" ] || die "$PROG: not an executable file"
	[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds"
}

# ks_testbed_args arm64|x86 "$@": a testbed's command line.  Options: the
# common ones (--cache --timeout --append --out --cpu --keep, -h/--help) and
# the script's own, KS_OPTS: OPTION=VAR takes a value into VAR, OPTION=VAR+
# appends it to the array VAR, OPTION=VAR=VALUE is a flag that sets VAR to
# VALUE.  After "--": the program (PROG) and its arguments (ARGS).  Then the
# checks: --timeout and PROG (ks_take_prog), the script's own (testbed_check,
# when it defines one), PROG's ELF (an AArch64 one for arm64) and ARGS
# (ks_check_prog_args), the host tools (ks_need_tools).
ks_testbed_args() {
	local arch=$1 opt spec var
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--) shift; break ;;
		-h|--help) usage ;;
		esac
		spec=""
		for opt in --cache=CACHE --timeout=TIMEOUT --append=APPEND --out=OUT --cpu=CPU \
			--keep=KEEP=1 "${KS_OPTS[@]}"; do
			[ "${opt%%=*}" != "$1" ] || { spec=${opt#*=}; break; }
		done
		[ -n "$spec" ] || die "unknown option '$1' (the program goes after --)"
		var=${spec%%=*}
		if [ "$var" != "$spec" ]; then
			printf -v "$var" %s "${spec#*=}"
			shift
		elif [ "${var%+}" != "$var" ]; then
			eval "${var%+}+=(\"\$2\")"
			shift 2
		else
			printf -v "$var" %s "$2"
			shift 2
		fi
	done
	ks_take_prog "$@"
	ARGS=("${@:2}")
	! declare -F testbed_check >/dev/null || testbed_check
	[ "$arch" != arm64 ] || KS_ELF_MACHINE=AArch64
	ks_check_prog_args "${ARGS[@]}"
	ks_need_tools "$arch"
}

# ks_check_prog_args ARGS...: PROG is static (and, with KS_ELF_MACHINE set,
# e.g. AArch64, built for that machine: readelf -h names it), and the
# program's arguments can travel on the kernel command line after "--": the
# kernel splits them on blanks and eats quotes, so refuse what it would mangle.
ks_check_prog_args() {
	local a
	if command -v readelf >/dev/null; then
		if [ -n "${KS_ELF_MACHINE:-}" ]; then
			case $(readelf -h "$PROG" 2>/dev/null || true) in
			*"$KS_ELF_MACHINE"*) ;;
			*) die "$PROG is not an $KS_ELF_MACHINE ELF executable (build it with $CC_A64 -static)" ;;
			esac
		fi
		if readelf -l "$PROG" 2>/dev/null | grep -q INTERP; then
			die "$PROG is dynamically linked; the guest has no libc: build it with -static"
		fi
	fi
	for a in "$@"; do
		case $a in
		*[[:space:]\"\']*|""|--) die "argument '$a': blanks, quotes, empty arguments and a bare -- cannot cross the kernel command line" ;;
		esac
	done
	[ $# -le 24 ] || die "too many arguments (the kernel passes at most 32 to init)"
}

# ks_kvm_mode: MODE (vhe|nvhe|protected, arm64 KVM) into MODE_ARG, the kernel
# argument that selects it.
ks_kvm_mode() {
	case $MODE in
	vhe) MODE_ARG="" ;;	# the kernel's default when it is entered at EL2 with VHE
	nvhe|protected) MODE_ARG="kvm-arm.mode=$MODE" ;;
	*) die "--mode wants vhe, nvhe or protected" ;;
	esac
}

# ks_arm64_cmdline ARGS...: CMDLINE for Debian's arm64 kernel (console on
# the PL011, our /init, MODE_ARG, --append's words), the program's arguments
# after "-- KVMSCOPE-ARGV".
ks_arm64_cmdline() {
	CMDLINE="console=ttyAMA0 rdinit=/init panic=-1 oops=panic quiet loglevel=4"
	[ -z "$MODE_ARG" ] || CMDLINE+=" $MODE_ARG"
	[ -z "$APPEND" ] || CMDLINE+=" $APPEND"
	CMDLINE+=" -- KVMSCOPE-ARGV $*"
	[ ${#CMDLINE} -lt 2000 ] || die "kernel command line too long (${#CMDLINE} bytes; arm64 allows 2047)"
}

# ks_need_tools arm64|x86: the host tools a testbed cannot run without (QEMU,
# the compiler for the guest /init, cpio, dpkg), else skip.
ks_need_tools() {
	if [ "$1" = arm64 ]; then
		command -v qemu-system-aarch64 >/dev/null || skip "qemu-system-aarch64 not installed (apt-get install --no-install-recommends qemu-system-arm)"
		command -v "$CC_A64" >/dev/null || skip "$CC_A64 not installed (apt-get install --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross)"
	else
		command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
		command -v gcc >/dev/null || skip "gcc not installed (needed to build the guest /init)"
	fi
	command -v cpio >/dev/null || skip "cpio not installed"
	command -v dpkg >/dev/null || skip "dpkg not available (needed to unpack the kernel package)"
}

# ks_arm64_init DIR: the guest /init cross-compiled with $CC_A64 once, cached
# in DIR by source hash, into INIT_BIN.  A compiler without its libc
# (gcc-aarch64-linux-gnu installed without recommends lacks
# libc6-dev-arm64-cross) fails here: that is a SKIP, not an error.
ks_arm64_init() {
	local dir=$1
	INIT_BIN=$dir/init-$(sha256sum <"$INIT_SRC" | cut -c1-16)
	[ ! -x "$INIT_BIN" ] || return 0
	if ! "$CC_A64" -static -Os -o "$INIT_BIN.$$" "$INIT_SRC" 2>"$dir/init-build.err"; then
		head -n 5 "$dir/init-build.err" | sed 's/^/testbed: cc: /' >&2
		rm -f "$INIT_BIN.$$"
		skip "$CC_A64 cannot build a static program (apt-get install --no-install-recommends libc6-dev-arm64-cross)"
	fi
	rm -f "$dir/init-build.err"
	mv "$INIT_BIN.$$" "$INIT_BIN"
}

# ks_workdir NAME: WORK (a fresh temporary directory, removed at exit unless
# KEEP=1), OUT (made absolute; a temporary one when not given) and ROOT, the
# initramfs tree with /init ($INIT_BIN) and /kvmscope/prog ($PROG) in place.
ks_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-$1.XXXXXX")
	cleanup() {
		if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
	}
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-out.XXXXXX")
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)

	ROOT=$WORK/root
	mkdir -p "$ROOT"/{dev,proc,sys,tmp,out,kvmscope/modules}
	cp "$INIT_BIN" "$ROOT/init"
	cp "$PROG" "$ROOT/kvmscope/prog"
	chmod 755 "$ROOT/kvmscope/prog"
}

ks_stage_modules() {
	# name (dashes as underscores) -> path relative to $MODDIR
	declare -gA MPATH=() MDEPS=() MDONE=() BUILTIN=()
	# No subshells here: this runs over ~4000 module paths.
	modname() { MN=${1##*/}; MN=${MN%%.ko*}; MN=${MN//-/_}; }
	if [ -f "$MODDIR/modules.builtin" ]; then
		while read -r p; do modname "$p"; BUILTIN[$MN]=1; done <"$MODDIR/modules.builtin"
	fi
	if [ -f "$MODDIR/modules.dep" ]; then
		# Installed trees: modules.dep lists every module with its full
		# (transitive) dependency list.
		while IFS= read -r line; do
			modname "${line%%:*}"
			n=$MN
			MPATH[$n]=${line%%:*}
			d=""
			for q in ${line#*:}; do modname "$q"; d+=" $MN"; done
			MDEPS[$n]=$d
		done <"$MODDIR/modules.dep"
	else
		# Debian's linux-image .deb ships no modules.dep (depmod runs at
		# install time): map names via the tree and read each needed module's
		# own "depends=" from its .modinfo section.
		while IFS= read -r p; do
			modname "$p"
			MPATH[$MN]=${p#./}
		done < <(cd "$MODDIR" && find kernel -name '*.ko*')
	fi
	moddeps() { # fills MDEPS[name] with the direct deps, space separated
		local n=$1 f cat=cat d
		[ -z "${MDEPS[$n]+x}" ] || return 0
		f=$MODDIR/${MPATH[$n]}
		case $f in
		*.xz) cat="xz -dc" ;; *.zst) cat="zstd -dc" ;; *.gz) cat="gzip -dc" ;;
		esac
		d=$($cat "$f" | tr '\0' '\n' | grep -a -m1 '^depends=' || true)
		d=${d#depends=}
		d=${d//,/ }
		MDEPS[$n]=${d//-/_}
	}
	ORDER=()
	visit() {
		local n=$1 d
		[ -n "${MDONE[$n]:-}" ] && return 0
		MDONE[$n]=1
		[ -z "${BUILTIN[$n]:-}" ] || return 0
		[ -n "${MPATH[$n]:-}" ] || { log "module $n not found in $KREL (skipped)"; return 0; }
		moddeps "$n"
		for d in ${MDEPS[$n]}; do visit "$d"; done
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
}

ks_pack_initramfs() {
	(cd "$ROOT" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet | gzip -1) >"$1"
}

# ks_run_qemu: run "${QEMU[@]}" under $TIMEOUT with the console on stdout and
# in $WORK/console.log; results come back over a 9p share of $OUT, or from
# the console (KVMSCOPE_TRANSPORT=console forces that: /init prints the files
# base64-encoded between markers). Exits 124 on timeout; sets rcs and wall.
ks_run_qemu() {
	if [ "${KVMSCOPE_TRANSPORT:-9p}" != console ]; then
		QEMU+=(-virtfs "local,path=${OUT//,/,,},mount_tag=out,security_model=none,id=out")
	fi
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
}

# ks_guest_status: the program's exit status that /init printed, or exit 125.
ks_guest_status() {
	status=$(grep -ao 'KVMSCOPE-EXIT-STATUS=[0-9]*' "$WORK/console.log" | tail -n1 | cut -d= -f2 || true)
	if [ -z "$status" ]; then
		echo "FAIL: guest ended without KVMSCOPE-EXIT-STATUS (kernel panic or /init crash?), qemu rc ${rcs[0]}, ${wall}s"
		exit 125
	fi
}

# ks_stage_tools NAME...: make host programs (dynamically linked: bpftrace
# brings LLVM and clang, ~250 MB) runnable in the guest without putting them
# in the initramfs. Each program, every library `ldd` resolves for it and the
# dynamic loader are copied once into a cache directory keyed by their
# paths, sizes and times ($CACHE/tools-<key>/{bin,lib}); QEMU shares it
# read-only as 9p tag "tools", /init mounts it at /tools and puts /tools/bin
# on PATH. The initramfs only gains symlinks into the share: /bin, and the
# directories ldd found the loader and libraries in (/lib64,
# /lib/x86_64-linux-gnu), so the programs run unchanged. Needs CACHE, ROOT, log(), skip(); sets TOOLS_QEMU
# (the QEMU arguments for the share).
ks_stage_tools() {
	local t p libs=() paths=() key dir lib f tmp
	command -v ldd >/dev/null || skip "--with-tool: ldd not available to find the libraries"
	for t in "$@"; do
		p=$(command -v "$t" 2>/dev/null) || skip "--with-tool: $t is not installed on this host"
		paths+=("$p")
		# "libx.so => /path (0x..)" and the loader's "/lib64/ld-... (0x..)"
		while read -r lib; do libs+=("$lib"); done < <(ldd "$p" |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	done
	key=$(for f in "${paths[@]}" "${libs[@]}"; do stat -L -c '%n %s %Y' "$f"; done |
		sort -u | sha256sum | cut -c1-16)
	dir=$CACHE/tools-$key
	if [ ! -f "$dir/.complete" ]; then
		# private temporary copy, renamed into place: concurrent testbeds
		# staging the same tools don't trip over each other
		rm -rf "$dir"
		tmp=$(mktemp -d "$dir.tmp.XXXXXX")
		mkdir -p "$tmp/bin" "$tmp/lib"
		cp -L "${paths[@]}" "$tmp/bin/"
		for lib in "${libs[@]}"; do cp -L "$lib" "$tmp/lib/"; done
		echo "$*" >"$tmp/.complete"
		chmod 755 "$tmp"
		mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
		log "staged $* ($(du -sh "$dir" | cut -f1)) in $dir"
	fi
	mkdir -p "$ROOT/tools"
	# /bin too: programs reach for /bin/sh (bpftrace popen()s "clang-14 -v"
	# to learn clang's include directories, and crashes when that fails).
	[ -e "$ROOT/bin" ] || ln -s /tools/bin "$ROOT/bin"
	# Point the directories ldd found things in at the share: the loader
	# (PT_INTERP) and the libraries' directory are then where the programs
	# expect them.
	for lib in "${libs[@]}"; do
		f=${lib%/*}
		[ -e "$ROOT$f" ] || [ -L "$ROOT$f" ] && continue
		mkdir -p "$ROOT${f%/*}"
		ln -s /tools/lib "$ROOT$f"
	done
	TOOLS_QEMU=(-virtfs "local,path=${dir//,/,,},mount_tag=tools,security_model=none,readonly=on,id=tools")
	log "tools: $* (share $dir)"
}

# ks_bpftrace_tools: add to TOOLS what bpftrace needs in the guest:
# itself, plus /bin/sh and clang-<its LLVM major>, because at start it
# popen()s "clang-N -Wp,-v -x c -fsyntax-only /dev/null" to learn clang's
# include directories (Debian's 0.17 crashes with SIGSEGV when that fails).
ks_bpftrace_tools() {
	local bt clang
	bt=$(command -v bpftrace) || skip "--with-bpftrace: bpftrace is not installed on this host (apt-get install bpftrace)"
	clang=$(ldd "$bt" | grep -o 'libclang-[0-9]*' | head -n1 || true)
	clang=${clang#lib}
	[ -n "$clang" ] || skip "--with-bpftrace: cannot tell which clang $bt was built with (ldd shows no libclang-N)"
	command -v "$clang" >/dev/null || skip "--with-bpftrace: $bt runs $clang at start, which is not installed on this host"
	TOOLS+=(bpftrace sh "$clang")
}
