# Debian's kernel package for the QEMU testbeds (sourced by
# tests/qemu-common/arm64-kernel.sh and tests/qemu-x86/testbed.sh): resolve
# the package linux-image-ARCH stands for, download and unpack it once into a
# cache.
#
#   ks_debian_kernel ARCH (arm64, amd64): needs KCACHE (the cache directory,
#     e.g. ~/.cache/kvmscope/qemu-arm64), KPKG (a package name, or empty for
#     "what linux-image-ARCH depends on"), log() and skip(). Sets KARCH,
#     ARCH_SUFFIX (":ARCH" when ARCH is foreign to this host's dpkg, else
#     empty), KDIR (the unpacked package), KPKG, KVER (its Debian version),
#     KREL (the kernel release, e.g. 6.1.0-57-arm64), MODDIR and VMLINUZ.
#     The caller holds the cache lock if it wants one.
#   ks_apt_unpack DIR PKG=VER..., ks_apt_update: see below.

ks_have_arch() {
	[ -z "$ARCH_SUFFIX" ] || dpkg --print-foreign-architectures | grep -qx "$KARCH"
}
ks_resolve_pkg() {
	# linux-image-ARCH is a metapackage: follow it to linux-image-X.Y.Z-N-ARCH.
	apt-cache depends "linux-image-$KARCH$ARCH_SUFFIX" 2>/dev/null |
		awk -v s=":$KARCH" '$1 == "Depends:" && $2 ~ /^linux-image-/ { sub(s "$", "", $2); print $2; exit }'
}
ks_candidate() { # PKG [ARCH-SUFFIX]: the version apt would install
	apt-cache policy "$1${2-$ARCH_SUFFIX}" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}
ks_apt_update() {
	if ! ks_have_arch; then
		# Left in place afterwards: removing it again would make the next
		# run repeat the (slow) update.  See tests/qemu-arm64/README.md.
		log "adding the $KARCH architecture to dpkg (dpkg --add-architecture $KARCH)"
		dpkg --add-architecture "$KARCH" || return 0
	fi
	log "running apt-get update"
	apt-get update -qq >/dev/null 2>&1 || true
}

# ks_apt_unpack DIR PKG=VER...: apt-get download the packages and dpkg -x
# them all into DIR (made atomically: DIR.tmp, then renamed).  Returns 1
# (with apt's complaint on stderr) when a download fails.
ks_apt_unpack() {
	local dst=$1 dl deb
	shift
	dl=$(mktemp -d "$(dirname "$dst")/dl.XXXXXX")
	if (cd "$dl" && apt-get download -q "$@" >/dev/null 2>"$dl/apt.err"); then
		rm -rf "$dst" "$dst.tmp"
		for deb in "$dl"/*.deb; do
			dpkg -x "$deb" "$dst.tmp" || { rm -rf "$dl" "$dst.tmp"; return 1; }
		done
		mv "$dst.tmp" "$dst"
		rm -rf "$dl"
		return 0
	fi
	sed 's/^/testbed: apt: /' "$dl/apt.err" >&2 || true
	rm -rf "$dl" "$dst.tmp"
	return 1
}

ks_debian_kernel() {
	local MEMO PKG_GIVEN FROM_MEMO mpkg mver stamp hint
	KARCH=$1
	ARCH_SUFFIX=":$KARCH"
	[ "$(dpkg --print-architecture)" != "$KARCH" ] || ARCH_SUFFIX=""
	KDIR=""
	# apt-cache takes seconds: reuse a resolution younger than a day.
	MEMO=$KCACHE/resolved
	PKG_GIVEN=${KPKG:+1}
	FROM_MEMO=""
	if [ -z "$KPKG" ] && [ -n "$(find "$MEMO" -mmin -1440 2>/dev/null)" ]; then
		read -r mpkg mver <"$MEMO" || true
		if [ -n "${mpkg:-}" ] && [ -f "$KCACHE/${mpkg}_${mver:-}/.complete" ]; then
			KDIR=$KCACHE/${mpkg}_${mver}
			FROM_MEMO=1
		fi
	fi
	if [ -z "$KDIR" ] && [ -z "$KPKG" ]; then
		KPKG=$(ks_resolve_pkg || true)
		if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ] && ! ls -d "$KCACHE"/linux-image-*/.complete >/dev/null 2>&1; then
			log "apt-cache knows no linux-image-$KARCH$ARCH_SUFFIX"
			ks_apt_update
			KPKG=$(ks_resolve_pkg || true)
		fi
	fi
	fetch_kernel() { # sets KDIR on success
		local ver
		ver=$(ks_candidate "$KPKG" || true)
		[ -n "$ver" ] || return 1
		KDIR=$KCACHE/${KPKG}_${ver}
		[ -f "$KDIR/.complete" ] && return 0
		log "downloading $KPKG$ARCH_SUFFIX=$ver into $KCACHE"
		if ks_apt_unpack "$KDIR" "$KPKG$ARCH_SUFFIX=$ver"; then
			echo "$KPKG $ver" >"$KDIR/.complete"
			return 0
		fi
		KDIR=""
		return 1
	}
	if [ -z "$KDIR" ] && [ -n "$KPKG" ] && ! fetch_kernel && [ "$(id -u)" = 0 ] && [ -z "$PKG_GIVEN" ]; then
		# Stale package lists name a version the mirror no longer has.
		log "download failed; retrying after an update"
		ks_apt_update
		KPKG=$(ks_resolve_pkg || true)
		[ -n "$KPKG" ] && fetch_kernel || true
	fi
	if [ -n "$KDIR" ] && [ -z "$PKG_GIVEN" ] && [ -z "$FROM_MEMO" ]; then
		cp "$KDIR/.complete" "$MEMO.tmp" && mv "$MEMO.tmp" "$MEMO"
	fi
	if [ -z "$KDIR" ]; then
		# Offline: use the newest kernel already in the cache.
		stamp=$(ls -td "$KCACHE"/linux-image-*/.complete 2>/dev/null | head -n1 || true)
		if [ -z "$stamp" ]; then
			hint=""
			ks_have_arch || hint=" (the $KARCH architecture is not enabled: as root, dpkg --add-architecture $KARCH && apt-get update)"
			skip "cannot resolve or download Debian's $KARCH kernel package (${KPKG:-linux-image-$KARCH}) and none is cached in $KCACHE$hint"
		fi
		KDIR=$(dirname "$stamp")
		log "using cached kernel $(cat "$stamp")"
	fi
	read -r KPKG KVER <"$KDIR/.complete"

	VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$VMLINUZ" ] || skip "no boot/vmlinuz-* in $KDIR"
	KREL=${VMLINUZ##*/vmlinuz-}
	MODDIR=$KDIR/lib/modules/$KREL
	[ -d "$MODDIR" ] || skip "no $MODDIR"
	log "kernel: $KPKG $KVER ($KREL)"
}
