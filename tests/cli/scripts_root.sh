#!/usr/bin/env bash
# The README's two commands, scripts/run.sh and scripts/test.sh, as a fresh
# machine meets them:
#  - deps.sh installs gnuplot-nox (the report's plots) and lintian;
#  - from a root shell they never call sudo (a root shell may have none), and
#    deps.sh runs apt-get itself for a missing package;
#  - from a user shell with sudo they re-run themselves through it, keeping
#    their arguments and KVMSCOPE_* settings; deps.sh uses sudo for apt-get;
#  - from a user shell without sudo they go on as that user, and deps.sh
#    names what to install instead of failing on a missing sudo.
# Stubs on PATH stand in for sudo, apt-get, dpkg-query (which package is
# "missing") and cmake (which stops each script at its build): nothing is
# installed or built. Switching to an unprivileged user needs root.
set -u
: "${SOURCE_DIR:?}"
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

pkgs=$("$SOURCE_DIR/scripts/deps.sh" --list) || fail "deps.sh --list exited $?"
for p in gnuplot-nox lintian; do
	echo "$pkgs" | grep -qx "$p" || fail "deps.sh does not install $p"
done
echo "  deps.sh installs gnuplot-nox and lintian ($(echo "$pkgs" | wc -l) packages)"

[ "$(id -u)" = 0 ] || skip "needs root: runs the scripts as uid 0 and as an unprivileged user"
command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
user=nobody
id -u "$user" >/dev/null 2>&1 || skip "no user '$user' to run the scripts as"

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-scripts.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
log=$work/log
# two PATHs: the commands the scripts need up to their build, with and without sudo
mkdir "$work/nosudo" "$work/sudo"
for c in bash env id dirname basename grep sed cat; do
	ln -s "$(command -v "$c")" "$work/nosudo/$c" || fail "no $c"
done
stub() { # NAME BODY: a stub command in nosudo/ (and so in sudo/'s PATH)
	printf '#!/bin/bash\n%s\n' "$2" >"$work/nosudo/$1"
	chmod 755 "$work/nosudo/$1"
}
stub apt-get 'echo "apt-get $*" >>'"$log"
stub cmake 'echo "cmake $*" >>'"$log"'; exit 3'
stub dpkg-query 'for a; do :; done; [ "$a" = "${FAKE_MISSING:-}" ] || printf "install ok installed"'
printf '#!/bin/bash\necho "sudo $*" >>%s\n' "$log" >"$work/sudo/sudo"
chmod 755 "$work/sudo/sudo"

# as USER|root, PATH sudo|nosudo, FAKE_MISSING: SCRIPT ARGS... -> $rc, $log, $work/err
as() {
	local who=$1 path=$2 missing=$3
	shift 3
	: >"$log"
	chmod 666 "$log"
	local p=$work/nosudo
	[ "$path" = sudo ] && p=$work/sudo:$work/nosudo
	local pre=()
	[ "$who" = root ] || pre=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)
	"${pre[@]}" /usr/bin/env -i PATH="$p" HOME="$work" FAKE_MISSING="$missing" \
		KVMSCOPE_TEST_KEEP=kept "$@" >"$work/out" 2>"$work/err"
	rc=$?
}
has() { grep -q -- "$1" "$log"; }

for s in run test; do
	script=$SOURCE_DIR/scripts/$s.sh
	for path in nosudo sudo; do
		as root $path "" "$script" --quick
		has '^sudo' && fail "root ($path on PATH): $s.sh called sudo: $(cat "$log")"
		has '^cmake -S' || fail "root ($path): $s.sh did not reach its build (exit $rc): $(cat "$work/err")"
	done
	echo "  root: $s.sh reaches its build without sudo, with and without sudo installed"

	as "$user" sudo "" "$script" --quick
	has "^sudo -- env .*KVMSCOPE_TEST_KEEP=kept $script --quick\$" ||
		fail "a user with sudo: $s.sh did not re-run itself through sudo: $(cat "$log") $(cat "$work/err")"
	has '^cmake' && fail "a user with sudo: $s.sh built as the user before sudo"
	echo "  a user with sudo: $s.sh re-runs itself through sudo, its arguments and KVMSCOPE_* kept"

	as "$user" nosudo "" "$script"
	grep -q "not root and no sudo: running as $user" "$work/err" ||
		fail "a user without sudo: $s.sh says: $(cat "$work/err")"
	has '^cmake -S' || fail "a user without sudo: $s.sh did not go on to its build (exit $rc)"
	echo "  a user without sudo: $s.sh goes on as $user and says so"
done

deps=$SOURCE_DIR/scripts/deps.sh
as root nosudo gnuplot-nox "$deps"
[ $rc -eq 0 ] && has '^apt-get install .*gnuplot-nox' && ! has '^sudo' ||
	fail "root without sudo, gnuplot-nox missing: deps.sh exit $rc: $(cat "$log") $(cat "$work/err")"
as "$user" sudo gnuplot-nox "$deps"
has '^sudo apt-get install .*gnuplot-nox' || fail "a user with sudo: deps.sh: $(cat "$log")"
as "$user" nosudo gnuplot-nox "$deps"
[ $rc -ne 0 ] && grep -q 'apt-get install gnuplot-nox' "$work/err" && ! has . ||
	fail "a user without sudo: deps.sh exit $rc, says: $(cat "$work/err")"
echo "  deps.sh installs a missing package: as root itself, as a user through sudo, else names it"
echo PASS
