#!/usr/bin/env bash
# A full disk loses nothing. `kvmscope run pio_out_user hyp_call -o F` with F
# on a 64 KiB tmpfs (mounted in a private mount namespace, unshare -m):
#  - says once which file failed and why, naming ENOSPC;
#  - keeps every result in a fallback file in $TMPDIR, says where (stderr and
#    the `results:` line) and exits 3 (kvmscope(1));
#  - the fallback is a valid results file: check_results and `report` accept
#    it, and it holds every sample the table counted;
#  - no temporary file is left on the full disk.
# Then with $TMPDIR and the current directory on the full tmpfs too: it says
# the results could not be kept anywhere and exits 1.
. "$(dirname "$0")/lib.sh"
need_kvm
[ "$(id -u)" = 0 ] || skip "needs root to mount a small tmpfs in a private mount namespace"
command -v unshare >/dev/null || skip "unshare is not installed (util-linux)"
unshare -m --propagation private true 2>"$WORK/ns.err" ||
	skip "no private mount namespace here: $(cat "$WORK/ns.err")"

full=$WORK/full
mkdir -p "$full" "$WORK/tmp"
# full_run TMPDIR CWD ARGS...: kvmscope run ARGS with a 64 KiB tmpfs on $full;
# $rc, $WORK/out, $WORK/err, and what the tmpfs held after ($WORK/full.ls)
full_run() {
	local tmpdir=$1 cwd=$2
	shift 2
	unshare -m --propagation private bash -c '
		full=$1 tmpdir=$2 cwd=$3 ls=$4; shift 4
		mount -t tmpfs -o size=64k kvmscope-full "$full" || exit 125
		cd "$cwd" || exit 125
		TMPDIR=$tmpdir "$@"
		rc=$?
		ls -A "$full" >"$ls"
		exit $rc' full_run "$full" "$tmpdir" "$cwd" "$WORK/full.ls" \
		"$KVMSCOPE" run "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 125 ] && skip "could not mount a tmpfs on $full in a private namespace"
	cat "$WORK/out" "$WORK/err"
}

F=$full/r.json
full_run "$WORK/tmp" "$WORK" pio_out_user hyp_call -o "$F"
[ $rc -eq 3 ] || fail "exit $rc; kvmscope(1): 3 when the results are kept in a fallback file"
n=$(grep -c "writing $F failed: No space left on device (ENOSPC)" "$WORK/err")
[ "$n" = 1 ] || fail "the failure, naming $F and ENOSPC, was said $n times (once expected)"
fb=$(sed -n 's/^kvmscope run: the results are kept in \(.*\) instead$/\1/p' "$WORK/err")
[ "$(echo "$fb" | grep -c .)" = 1 ] || fail "the fallback file was not named once on stderr: '$fb'"
case $fb in "$WORK/tmp/kvmscope-fallback-"*.json) ;; *) fail "fallback $fb is not in \$TMPDIR" ;; esac
grep -qF "results: $fb, NOT $F: writing $F failed" "$WORK/out" || fail "the results: line does not name both files"
[ -f "$fb" ] || fail "the fallback $fb does not exist"
[ -s "$WORK/full.ls" ] && fail "left on the full disk: $(cat "$WORK/full.ls")"
"$CHECK" "$fb" --require pio_out_user --require hyp_call || fail "the fallback is not a sane results file"
"$KVMSCOPE" report "$fb" -o "$WORK/report" >"$WORK/report.out" 2>&1 ||
	fail "kvmscope report rejects the fallback: $(tail -3 "$WORK/report.out")"
# every sample: the table's SAMPLES column against n recomputed from the file's samples
"$KVMSCOPE" export -f csv -o "$WORK/r.csv" "$fb" >/dev/null || fail "kvmscope export rejects the fallback"
for b in pio_out_user hyp_call; do
	table=$(awk -v b="$b" '$1 == b && $10 == "ok" { print $7 }' "$WORK/out")
	file=$(awk -F, -v b="$b" '$1 == b { print $5 }' "$WORK/r.csv")
	[ -n "$table" ] && [ "$table" = "$file" ] ||
		fail "$b: the table counted '$table' samples, the fallback holds '$file'"
	echo "  $b: $file samples in the fallback, as in the table"
done
echo "  exit 3; ENOSPC and $F named once; every result in $fb; report reads it"

# nowhere to go: $TMPDIR and the current directory on the full disk too
full_run "$full" "$full" pio_out_user hyp_call -o "$F"
[ $rc -eq 1 ] || fail "exit $rc with no room for a fallback either (1 expected)"
grep -q "ENOSPC" "$WORK/err" || fail "the failure does not name ENOSPC"
n=$(grep -c "nor could the results be kept in a fallback file: writing $full/kvmscope-fallback-" "$WORK/err")
[ "$n" = 1 ] || fail "that no fallback could be written was said $n times (once expected)"
grep -q '^results: not written in full: ' "$WORK/out" || fail "the results: line does not say so"
echo "  no room for a fallback: said once, exit 1"
echo PASS
