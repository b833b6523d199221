#!/bin/sh
# The steps of lava/kvmscope.yaml, on the board (POSIX sh: the board's
# image may have no bash). Each step reports itself with lava-test-case
# when run inside LAVA; outside LAVA it prints what it would report.
#   kvmscope-lava.sh install DEB_URL TARBALL_URL
#   kvmscope-lava.sh info [DEVICE]
#   kvmscope-lava.sh run SUITE_NAME RESULTS_FILE [kvmscope run arguments...]
#   kvmscope-lava.sh keep RESULTS_FILE [UPLOAD_URL UPLOAD_TOKEN]
set -u
# Where a tarball, or a .deb that is not installed with dpkg, is unpacked
# (KVMSCOPE_UNPACK_ONLY=1 unpacks a .deb even where dpkg could install it).
PREFIX=${KVMSCOPE_PREFIX:-/opt/kvmscope}
STATE=${KVMSCOPE_STATE:-/tmp/kvmscope-lava.path}

report() { # case result [measurement units]
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ $# -ge 4 ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=$1 RESULT=$2${3:+ MEASUREMENT=$3}${4:+ UNITS=$4}>"
	fi
}
fetch() { # url file
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		echo "kvmscope-lava: neither curl nor wget to download $1" >&2
		return 1
	fi
}
kvmscope_bin() {
	if [ -s "$STATE" ]; then cat "$STATE"; else command -v kvmscope; fi
}

install_kvmscope() {
	deb_url=$1 tar_url=$2
	tmp=$(mktemp -d)
	bin=""
	if [ -n "$deb_url" ]; then
		fetch "$deb_url" "$tmp/kvmscope.deb" || return 1
		if [ -z "${KVMSCOPE_UNPACK_ONLY:-}" ] && command -v dpkg >/dev/null 2>&1 &&
			[ "$(id -u)" = 0 ] && dpkg -i "$tmp/kvmscope.deb"; then
			bin=/usr/bin/kvmscope
		else
			# no dpkg (OpenEmbedded images) or no root: unpack the package
			mkdir -p "$PREFIX" && (cd "$tmp" && ar x kvmscope.deb && tar -xf data.tar.* -C "$PREFIX") || return 1
			bin=$PREFIX/usr/bin/kvmscope
		fi
	elif [ -n "$tar_url" ]; then
		fetch "$tar_url" "$tmp/kvmscope.tar" || return 1
		mkdir -p "$PREFIX" && tar -xf "$tmp/kvmscope.tar" -C "$PREFIX" || return 1
		bin=$(find "$PREFIX" -type f -name kvmscope -perm -u+x | head -n1)
	else
		bin=$(command -v kvmscope || true)
	fi
	rm -rf "$tmp"
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		echo "kvmscope-lava: no kvmscope installed" >&2
		return 1
	fi
	echo "$bin" >"$STATE"
	"$bin" --version
}

case ${1:-} in
install)
	if install_kvmscope "${2:-}" "${3:-}"; then report kvmscope-install pass; else report kvmscope-install fail; exit 1; fi
	;;
info)
	bin=$(kvmscope_bin) || { report kvmscope-kvm fail; exit 1; }
	# $2: the device (--device), empty for kvmscope's default
	"$bin" info ${2:+--device "$2"}
	case $? in
	0) report kvmscope-kvm pass ;;
	4) report kvmscope-kvm fail ;;   # the device is unusable: the run will skip everything
	*) report kvmscope-kvm fail ;;
	esac
	;;
run)
	# test case names: only the characters LAVA accepts (kvmscope does the same)
	suite=$(printf '%s' "${2:-kvmscope}" | tr -c 'A-Za-z0-9._-' '_')
	results=${3:-kvmscope-results.json}
	if [ $# -ge 3 ]; then shift 3; else shift $#; fi
	bin=$(kvmscope_bin) || { report "$suite-run" fail; exit 1; }
	# --lava: one lava-test-case per benchmark, run by kvmscope itself
	"$bin" run "$@" -o "$results" --lava --suite-name "$suite"
	rc=$?
	case $rc in
	0) report "$suite-run" pass ;;
	77|4) report "$suite-run" skip ;;   # nothing could run on this backend
	*) report "$suite-run" fail ;;
	esac
	;;
keep)
	results=${2:-kvmscope-results.json} url=${3:-} token=${4:-}
	[ -s "$results" ] || { report kvmscope-results fail; exit 1; }
	ls -l "$results"
	if [ -n "$url" ]; then
		ref=$(curl -fsS -F "path=@$results" ${token:+-F "token=$token"} "$url") || { report kvmscope-results fail; exit 1; }
		if command -v lava-test-reference >/dev/null 2>&1; then
			lava-test-reference kvmscope-results --result pass --reference "$ref"
		else
			echo "kvmscope-results: $ref"
		fi
	else
		report kvmscope-results pass
	fi
	;;
*)
	sed -n '5,8p' "$0" >&2
	exit 2
	;;
esac
