#!/usr/bin/env bash
# Every command's --help, its man page and the exit codes kvmscope(1) documents:
#  - each command `kvmscope --help` lists prints its page (`CMD --help` and
#    `help CMD`) and exits 0;
#  - each has a generated man page, identical (but for the date) to what
#    `kvmscope __man CMD` prints now: one source;
#  - every page renders with `groff -man -Tutf8 -ww` without a warning;
#  - usage errors exit 2, `info` exits 0 or 4 as /dev/kvm is usable or not,
#    `list` exits 0.
set -u
: "${KVMSCOPE:?}" "${MAN_DIR:?}"
fail() { echo "FAIL: $*"; exit 1; }
command -v groff >/dev/null || { echo "SKIP: groff is not installed (apt-get install groff-base)"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$KVMSCOPE" --help >"$work/top" || fail "kvmscope --help exited $?"
cmds=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1; next } on { exit }' "$work/top")
[ -n "$cmds" ] || fail "kvmscope --help lists no commands"
echo "commands:" $cmds

check_page() { # NAME PAGEFILE: renders without warnings, equals __man output
	local name=$1 page=$2
	[ -s "$page" ] || fail "no man page $page"
	LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>"$work/groff.err"
	[ -s "$work/groff.err" ] && fail "$page: groff warns: $(head -3 "$work/groff.err")"
	"$KVMSCOPE" __man ${name:+"$name"} >"$work/now.1" || fail "kvmscope __man $name exited $?"
	grep -v '^\.TH ' "$page" >"$work/a"
	grep -v '^\.TH ' "$work/now.1" >"$work/b"
	cmp -s "$work/a" "$work/b" || fail "$page differs from kvmscope __man $name (stale build?)"
	lines=$(LC_ALL=C.UTF-8 groff -man -Tutf8 "$page" 2>/dev/null | wc -l)
	echo "  $(basename "$page"): renders, $lines lines"
}

check_page "" "$MAN_DIR/kvmscope.1"
for c in $cmds; do
	"$KVMSCOPE" "$c" --help >"$work/help" 2>&1 || fail "kvmscope $c --help exited $?"
	grep -q "^usage: kvmscope $c" "$work/help" || fail "kvmscope $c --help: no usage line"
	grep -q '^examples:' "$work/help" || fail "kvmscope $c --help: no examples"
	"$KVMSCOPE" help "$c" | cmp -s - "$work/help" || fail "kvmscope help $c differs from $c --help"
	check_page "$c" "$MAN_DIR/kvmscope-$c.1"
done
# no page without a command
for p in "$MAN_DIR"/kvmscope-*.1; do
	c=${p##*/kvmscope-}; c=${c%.1}
	echo "$cmds" | grep -qx "$c" || fail "man page $p has no command in kvmscope --help"
done

expect() { # CODE ARGS...: kvmscope ARGS exits CODE
	local want=$1; shift
	"$KVMSCOPE" "$@" >"$work/out" 2>&1
	local rc=$?
	[ $rc -eq "$want" ] || fail "kvmscope $* exited $rc, expected $want: $(head -3 "$work/out")"
	echo "  kvmscope $*: exit $rc"
}
expect 2
expect 2 no-such-command
expect 2 info --no-such-option
expect 2 list --no-such-option
expect 2 run --no-such-option
expect 2 run no_such_benchmark
expect 2 run --samples 0
expect 2 probe
expect 2 probe no_such_probe
expect 2 __man no_such_command
expect 0 --version
expect 0 list
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	"$KVMSCOPE" info >/dev/null 2>&1; rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 4 ] || fail "kvmscope info exited $rc (0 or 4 expected)"
	echo "  kvmscope info: exit $rc (/dev/kvm present)"
else
	expect 4 info
	grep -q '^/dev/kvm: *unusable: ' "$work/out" || fail "kvmscope info does not say why /dev/kvm is unusable"
fi
echo PASS
