#!/usr/bin/env bash
# valgrind on `kvmscope report` and `compare` (no plots: gnuplot is another
# program): no invalid read or write, no use of uninitialised memory, no
# definite or indirect leak, on a fixture with hostile strings and on a
# published run, and on the error path of a broken file.
#   valgrind.sh KVMSCOPE HOSTILE_JSON PUBLISHED_DIR
set -uo pipefail
K=$1
H=$2
P=$3
command -v valgrind >/dev/null || { echo "SKIP: valgrind is not installed (apt-get install valgrind)"; exit 77; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
VG=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=yes)

# check WANT_RC WHAT ARGS...: run kvmscope under valgrind, expect its own exit code
check() {
	local want=$1 what=$2 rc t0 t1
	shift 2
	t0=$(date +%s)
	"${VG[@]}" "$K" "$@" >"$W/out" 2>"$W/err"
	rc=$?
	t1=$(date +%s)
	if [ "$rc" = 99 ] || grep -q '^==[0-9]*==' "$W/err"; then
		echo "FAIL: $what: valgrind found errors:"
		cat "$W/err"
		fails=$((fails + 1))
	elif [ "$rc" != "$want" ]; then
		echo "FAIL: $what: exit $rc, expected $want"
		cat "$W/err"
		fails=$((fails + 1))
	else
		echo "ok: $what: valgrind clean, exit $rc ($((t1 - t0)) s)"
	fi
}

check 0 "report hostile-strings.json" report --no-plots "$H" -o "$W/r1"
check 0 "report a1.json" report --no-plots "$P/a1.json" -o "$W/r2"
check 0 "compare hostile-strings.json a1.json" compare --no-plots "$H" "$P/a1.json" -o "$W/c1"
check 0 "compare a1,a2 b1,b2 (pooled runs)" compare --no-plots -l a "$P/a1.json,$P/a2.json" \
	-l b "$P/b1.json,$P/b2.json" -o "$W/c2"
head -c 5000 "$P/a1.json" >"$W/trunc.json"
check 1 "report of a truncated file (the error path)" report --no-plots "$W/trunc.json" -o "$W/r3"
check 1 "compare with a missing file" compare --no-plots "$H" "$W/missing.json" -o "$W/c3"
echo "$fails failure(s)"
[ $fails = 0 ]
