# Debian's arm64 kernel for the arm64 QEMU testbeds (sourced by
# tests/qemu-arm64/testbed.sh and tests/qemu-gunyah/*.sh): the package
# linux-image-arm64 stands for, downloaded and unpacked once into a cache
# (debian-kernel.sh), and (for out-of-tree modules) the matching headers and
# kbuild.
#
#   ks_arm64_kernel: ks_debian_kernel arm64 (debian-kernel.sh: needs KCACHE,
#     KPKG, log() and skip(); sets KDIR, KPKG, KVER, KREL, MODDIR, ...),
#     then KERNEL: a bootable arm64 Image.
#   ks_arm64_headers: after ks_arm64_kernel, the headers for the SAME
#     package version, ready for `make -C $KHDR M=...`: linux-headers-KREL
#     (arm64), linux-headers-<abi>-common (all) and linux-kbuild-<major.minor>
#     (this machine's architecture, for fixdep/modpost), all unpacked with
#     dpkg -x into $KDIR/headers (no root needed); the arm64 Makefile's
#     include of the -common tree is pointed inside it.
#     Sets KHDR. Skips (77) when the packages cannot be had.

. "$(dirname "${BASH_SOURCE[0]}")/debian-kernel.sh"

ks_arm64_kernel() {
	ks_debian_kernel arm64

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
			ks_apt_update
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
