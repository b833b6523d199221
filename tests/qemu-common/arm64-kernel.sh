# Debian's arm64 kernel for the arm64 QEMU testbeds (sourced by
# tests/qemu-arm64/testbed.sh and tests/qemu-gunyah/*.sh): resolve the
# package linux-image-arm64 stands for, download and unpack it once into a
# cache, and (for out-of-tree modules) the matching headers and kbuild.
#
#   ks_arm64_kernel: needs KCACHE (the cache directory, e.g.
#     ~/.cache/kvmscope/qemu-arm64), KPKG (a package name, or empty for
#     "what linux-image-arm64 depends on"), log() and skip(). Sets KDIR
#     (the unpacked package), KPKG, KVER (its Debian version), KREL (the
#     kernel release, e.g. 6.1.0-57-arm64), MODDIR, and KERNEL (a bootable
#     arm64 Image). The caller holds the cache lock if it wants one.
#   ks_arm64_headers: after ks_arm64_kernel, the headers for the SAME
#     package version, ready for `make -C $KHDR M=...`: linux-headers-KREL
#     (arm64), linux-headers-<abi>-common (all) and linux-kbuild-<major.minor>
#     (this machine's architecture, for fixdep/modpost), all unpacked with
#     dpkg -x into $KDIR/headers (no root needed); the arm64 Makefile's
#     include of the -common tree is pointed inside it.
#     Sets KHDR. Skips (77) when the packages cannot be had.

ARCH_SUFFIX=":arm64"
[ "$(dpkg --print-architecture)" = arm64 ] && ARCH_SUFFIX=""
have_arm64_arch() {
	[ -z "$ARCH_SUFFIX" ] || dpkg --print-foreign-architectures | grep -qx arm64
}
resolve_pkg() {
	# linux-image-arm64 is a metapackage: follow it to linux-image-X.Y.Z-N-arm64.
	apt-cache depends "linux-image-arm64$ARCH_SUFFIX" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { sub(/:arm64$/, "", $2); print $2; exit }'
}
candidate() { # PKG [ARCH-SUFFIX]: the version apt would install
	apt-cache policy "$1${2-$ARCH_SUFFIX}" 2>/dev/null | awk '$1 == "Candidate:" && $2 != "(none)" { print $2; exit }'
}
apt_update() {
	if ! have_arm64_arch; then
		# Left in place afterwards: removing it again would make the next
		# run repeat the (slow) update.  See tests/qemu-arm64/README.md.
		log "adding the arm64 architecture to dpkg (dpkg --add-architecture arm64)"
		dpkg --add-architecture arm64 || return 0
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

ks_arm64_kernel() {
	local MEMO PKG_GIVEN FROM_MEMO mpkg mver stamp hint VMLINUZ
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
		KPKG=$(resolve_pkg || true)
		if [ -z "$KPKG" ] && [ "$(id -u)" = 0 ] && ! ls -d "$KCACHE"/linux-image-*/.complete >/dev/null 2>&1; then
			log "apt-cache knows no linux-image-arm64$ARCH_SUFFIX"
			apt_update
			KPKG=$(resolve_pkg || true)
		fi
	fi
	fetch_kernel() { # sets KDIR on success
		local ver
		ver=$(candidate "$KPKG" || true)
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
		apt_update
		KPKG=$(resolve_pkg || true)
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
			have_arm64_arch || hint=" (the arm64 architecture is not enabled: as root, dpkg --add-architecture arm64 && apt-get update)"
			skip "cannot resolve or download Debian's arm64 kernel package (${KPKG:-linux-image-arm64}) and none is cached in $KCACHE$hint"
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

	# Debian's arm64 vmlinuz (6.1) is a plain Image: boot it as is.  Gzip'd
	# Images (QEMU could inflate them itself) and EFI zboot "zimg" wrappers
	# (CONFIG_EFI_ZBOOT, which QEMU 7.2 cannot boot) are unpacked once, cached.
	KERNEL=$VMLINUZ
	if ! ks_is_image "$VMLINUZ"; then
		[ -f "$KDIR/Image" ] || ks_unpack_image "$VMLINUZ" "$KDIR/Image" || true
		if [ -f "$KDIR/Image" ]; then
			KERNEL=$KDIR/Image
		else
			log "$VMLINUZ is no arm64 Image and cannot be unpacked; trying it as is"
		fi
	fi
}

ks_is_image() { # an arm64 Image has "ARM\x64" at offset 0x38
	[ "$(od -An -tx1 -j 56 -N 4 "$1" | tr -d ' ')" = 41524d64 ]
}
ks_unpack_image() {
	local img=$1 dst=$2 off len comp
	case $(od -An -tx1 -N 2 "$img" | tr -d ' ') in
	1f8b) gzip -dc <"$img" >"$dst.tmp" ;;
	4d5a)
		[ "$(od -An -c -j 4 -N 4 "$img" | tr -d ' ')" = zimg ] || return 1
		read -r off len < <(od -An -tu4 -j 8 -N 8 "$img")
		comp=$(dd if="$img" bs=1 skip=24 count=32 2>/dev/null | tr -d '\0')
		case $comp in
		gzip) tail -c +$((off + 1)) "$img" | head -c "$len" | gzip -dc >"$dst.tmp" ;;
		zstd*) tail -c +$((off + 1)) "$img" | head -c "$len" | zstd -qdc >"$dst.tmp" ;;
		xz*) tail -c +$((off + 1)) "$img" | head -c "$len" | xz -dc >"$dst.tmp" ;;
		*) return 1 ;;
		esac ;;
	*) return 1 ;;
	esac
	ks_is_image "$dst.tmp" || { rm -f "$dst.tmp"; return 1; }
	mv "$dst.tmp" "$dst"
}

ks_arm64_headers() {
	local abi kb hdr common native mk
	abi=${KREL%-arm64}			# 6.1.0-57
	kb=linux-kbuild-$(echo "$KREL" | cut -d. -f1-2)	# linux-kbuild-6.1
	hdr=linux-headers-$KREL
	common=linux-headers-$abi-common
	native=$(dpkg --print-architecture)
	KHDR=$KDIR/headers/usr/src/$hdr
	[ -f "$KDIR/headers/.complete" ] && return 0
	log "downloading $hdr$ARCH_SUFFIX, $common and $kb:$native =$KVER into $KDIR/headers"
	if ! ks_apt_unpack "$KDIR/headers" "$hdr$ARCH_SUFFIX=$KVER" "$common=$KVER" "$kb:$native=$KVER"; then
		if [ "$(id -u)" = 0 ]; then
			apt_update
			ks_apt_unpack "$KDIR/headers" "$hdr$ARCH_SUFFIX=$KVER" "$common=$KVER" "$kb:$native=$KVER" ||
				skip "cannot download $hdr$ARCH_SUFFIX, $common and $kb (version $KVER, the kernel's)"
		else
			skip "cannot download $hdr$ARCH_SUFFIX, $common and $kb (version $KVER, the kernel's)"
		fi
	fi
	[ -f "$KHDR/Makefile" ] || skip "no $KHDR/Makefile in $hdr"
	# The arm64 tree's Makefile includes /usr/src/<common>/Makefile: point
	# it at the unpacked tree.  Its scripts/ and tools/ are relative symlinks
	# (../../lib/<kbuild>/...) that resolve inside the unpacked tree as is.
	mk=$KHDR/Makefile
	sed -i "s|/usr/src/$common|$KDIR/headers/usr/src/$common|g" "$mk"
	[ -x "$KHDR/scripts/basic/fixdep" ] || skip "$kb unpacked, but $KHDR/scripts/basic/fixdep is missing"
	echo "$hdr $KVER" >"$KDIR/headers/.complete"
}
