#!/usr/bin/env bash
# deb.sh native|arm64: cpack builds the .deb in that build directory, and the
# package is right: name, version, architecture of the build, maintainer,
# description, Depends (from dpkg-shlibdeps; none for a static build), the
# man pages and docs in it. Native: unpacked into a scratch root with
# dpkg-deb -x, the packaged kvmscope answers --version and `info` (exit 4
# with the reason when /dev/kvm is unusable, as kvmscope(1) says), its man
# pages render with man -l, and the LAVA step script installs it from the
# .deb. Both: copyright (DEP-5) and changelog.gz as Debian policy wants,
# and lintian, when installed, reports no error. arm64: the binary is a static aarch64 ELF (file(1)) and its man
# pages are byte for byte the native build's.
set -u
what=${1:?native or arm64}
: "${BUILD_DIR:?}" "${VERSION:?}" "${NATIVE_MAN_DIR:?}" "${SOURCE_DIR:?}"
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed"
command -v cpack >/dev/null || skip "cpack is not installed"
[ "$what" = arm64 ] || command -v man >/dev/null || skip "man is not installed (apt-get install man-db)"
[ -f "$BUILD_DIR/CPackConfig.cmake" ] ||
	skip "no configured build in $BUILD_DIR (scripts/build-arm64.sh makes the arm64 one)"
case $what in
native) arch=$(dpkg --print-architecture) ;;
arm64) arch=arm64 ;;
*) fail "usage: $0 native|arm64" ;;
esac
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

rm -f "$BUILD_DIR"/kvmscope_*.deb
(cd "$BUILD_DIR" && cpack -G DEB) >"$work/cpack.log" 2>&1 || fail "cpack failed: $(tail -5 "$work/cpack.log")"
deb=$BUILD_DIR/kvmscope_${VERSION}_${arch}.deb
[ -f "$deb" ] || fail "cpack made no $(basename "$deb"): $(ls "$BUILD_DIR"/*.deb 2>/dev/null)"
echo "$(basename "$deb"): $(stat -c %s "$deb") bytes"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = kvmscope ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture), built for $arch"
field Maintainer | grep -Eq '^[^<]+ <[^@> ]+@[^> ]+>$' || fail "Maintainer: $(field Maintainer)"
field Description | head -1 | grep -q 'KVM' || fail "Description: $(field Description | head -1)"
depends=$(field Depends)
if [ "$what" = native ]; then
	echo "$depends" | grep -q 'libc6 (>= ' || fail "Depends lacks libc6 (shlibdeps): '$depends'"
else
	[ -z "$depends" ] || fail "a static build should depend on nothing, has: $depends"
fi
echo "  Package: kvmscope, Version: $VERSION, Architecture: $arch, Depends: ${depends:-(none: static)}"

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$work/files"
pages=$(cd "$NATIVE_MAN_DIR" && ls kvmscope*.1)
for f in /usr/bin/kvmscope /usr/share/doc/kvmscope/README.md /usr/share/doc/kvmscope/results-schema.md \
	/usr/share/doc/kvmscope/lava/kvmscope.yaml $(for p in $pages; do echo "/usr/share/man/man1/$p.gz"; done); do
	grep -qxF "$f" "$work/files" || fail "$f is not in the package"
done
echo "  contains /usr/bin/kvmscope, $(printf "%s\n" $pages | wc -l) man pages, README, results schema, LAVA definition"

root=$work/root
dpkg-deb -x "$deb" "$root" || fail "dpkg-deb -x"

# Debian policy's doc files: a DEP-5 copyright file carrying LICENSE's terms,
# and (a native package) changelog.gz, whose newest entry is this version.
doc=$root/usr/share/doc/kvmscope
[ -f "$doc/copyright" ] || fail "no /usr/share/doc/kvmscope/copyright"
head -1 "$doc/copyright" | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
	fail "copyright is not machine-readable (DEP-5): $(head -1 "$doc/copyright")"
grep -qx 'Copyright: 2026 The kvmscope developers' "$doc/copyright" || fail "copyright names no holder"
# the stand-alone License paragraph (after an empty line), not Files' field
awk 'p { print } /^License: MIT$/ && prev == "" { p = 1 } { prev = $0 }' "$doc/copyright" |
	sed 's/^ //; s/^\.$//' >"$work/license"
sed '1,/^Copyright/d' "$SOURCE_DIR/LICENSE" | sed '1{/^$/d}' | cmp -s - "$work/license" ||
	fail "the copyright file's MIT text is not LICENSE's"
[ -f "$doc/changelog.gz" ] || fail "no /usr/share/doc/kvmscope/changelog.gz"
[ -e "$doc/changelog.Debian.gz" ] && fail "changelog.Debian.gz in a native package (lintian: wrong name)"
clv=$(zcat "$doc/changelog.gz" | dpkg-parsechangelog -l - -S Version 2>"$work/clog.err") ||
	fail "changelog.gz does not parse: $(cat "$work/clog.err")"
[ "$clv" = "$VERSION" ] || fail "changelog.gz's newest entry is $clv, the package $VERSION"
echo "  copyright (DEP-5, MIT as in LICENSE) and changelog.gz (newest entry $clv)"
if [ "$what" = native ] && grep -q '^KS_LIBBPF_STATIC_LINKS:INTERNAL=1' "$BUILD_DIR/CMakeCache.txt"; then
	# the BPF backend is built: Debian's shared libbpf, no copy of it or of zlib
	echo "$depends" | grep -q 'libbpf1' || fail "Depends lacks libbpf1 (the shared libbpf): '$depends'"
	readelf -d "$root/usr/bin/kvmscope" | grep -q 'NEEDED.*libbpf\.so' ||
		fail "kvmscope does not link the shared libbpf"
	echo "  links Debian's shared libbpf (libelf, zlib through it)"
fi
if command -v lintian >/dev/null; then
	# errors fail the test; warnings and infos are shown. A static build's
	# overrides (statically-linked-binary, embedded-library) are in the package.
	lintian --display-info --fail-on error "$deb" >"$work/lintian" 2>"$work/lintian.err"
	lrc=$?
	sed 's/^/  lintian: /' "$work/lintian"
	[ $lrc -eq 0 ] || fail "lintian reports errors (exit $lrc): $(grep '^E:' "$work/lintian" | head -5) $(grep -v 'root privileges' "$work/lintian.err" | head -3)"
	echo "  lintian $(lintian --version | awk '{ print $2 }'): no error, $(grep -c '^W:' "$work/lintian") warnings"
else
	echo "  lintian is not installed: not checked (scripts/deps.sh installs it)"
fi
bin=$root/usr/bin/kvmscope
if [ "$what" = arm64 ]; then
	desc=$(file -b "$bin")
	echo "  file: $desc"
	echo "$desc" | grep -q 'ARM aarch64' || fail "not an aarch64 ELF"
	echo "$desc" | grep -q 'statically linked' || fail "not statically linked"
	for p in $pages; do
		zcat "$root/usr/share/man/man1/$p.gz" | cmp -s - "$NATIVE_MAN_DIR/$p" ||
			fail "$p in the arm64 package differs from the native build's"
	done
	echo "  man pages identical to the native build's"
	echo PASS
	exit 0
fi

"$bin" --version >"$work/version" || fail "packaged kvmscope --version exited $?"
grep -q "^kvmscope $VERSION (" "$work/version" || fail "--version says: $(cat "$work/version")"
"$bin" info >"$work/info" 2>&1
rc=$?
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "packaged kvmscope info exited $rc"
else
	[ $rc -eq 4 ] || fail "packaged kvmscope info exited $rc without /dev/kvm (kvmscope(1): 4)"
	grep -q '^/dev/kvm: *unusable: .' "$work/info" || fail "info does not give the reason"
fi
echo "  $(cat "$work/version"); info exits $rc: $(grep '^/dev/kvm:' "$work/info")"
for p in $pages; do
	MANPAGER=cat MANWIDTH=80 man -l "$root/usr/share/man/man1/$p.gz" >"$work/man" 2>"$work/man.err" ||
		fail "man -l $p.gz failed: $(cat "$work/man.err")"
	[ -s "$work/man.err" ] && fail "man -l $p.gz warns: $(head -3 "$work/man.err")"
	grep -q '^NAME' "$work/man" || fail "man -l $p.gz rendered no NAME section"
done
echo "  man -l renders every page"
KVMSCOPE_UNPACK_ONLY=1 KVMSCOPE_PREFIX=$work/opt KVMSCOPE_STATE=$work/state \
	sh "$SOURCE_DIR/lava/kvmscope-lava.sh" install "file://$deb" "" >"$work/lava" 2>&1 ||
	fail "the LAVA step script could not install the .deb: $(tail -3 "$work/lava")"
[ "$(cat "$work/state")" = "$work/opt/usr/bin/kvmscope" ] || fail "LAVA install put kvmscope at $(cat "$work/state")"
grep -q 'TEST_CASE_ID=kvmscope-install RESULT=pass' "$work/lava" || fail "LAVA install did not report pass"
echo "  lava/kvmscope-lava.sh installs it from the .deb (unpacked, no dpkg -i)"
echo PASS
