#!/usr/bin/env bash
# Three kvmscope probe sessions at once, tracefs backend, where nobody has
# tracefs mounted (the case where each kvmscope mounts its own): before the
# fix, each process mounted /sys/kernel/tracing and unmounted it when done,
# pulling it out from under the other ("creating an ftrace instance ...
# ENOENT"). Here, in a private mount namespace with every tracefs/debugfs
# unmounted, two `kvmscope probe uexits --backend tracefs` sessions on the
# same target run side by side while two more processes churn through
# discovery (`kvmscope probe --list`: tracefs acquired and released, each
# plan tried). All must succeed, each session must see the target's exits
# (where /dev/kvm is usable: the target is a VMM), and afterwards the mount
# table, /run and the ftrace instances must be as they were.
#   KVMSCOPE=build/bench/kvmscope tests/probe-concurrent/run.sh
# Exit: 0 PASS, 1 FAIL, 77 SKIP.
set -u
KVMSCOPE=${KVMSCOPE:?set KVMSCOPE to the kvmscope binary}
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "the tracefs backend and a private mount namespace need root"
command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"

if [ "${KS_IN_NS:-}" != 1 ]; then
	KS_IN_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-concurrent.XXXXXX")
TGT=""
cleanup() { [ -n "$TGT" ] && kill "$TGT" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

# nobody has tracefs mounted, in here
for m in $(awk '$3 == "tracefs" || $3 == "debugfs" { print $2 }' /proc/self/mounts | sort -r); do
	umount -l "$m" 2>/dev/null || skip "cannot unmount $m in a private mount namespace"
done
mounts() { awk '{ print $2, $3 }' /proc/self/mounts | sort; ls -d /run/kvmscope-tracefs.* 2>/dev/null; }
mounts >"$WORK/before"

"$KVMSCOPE" probe --list >"$WORK/list" 2>&1 || fail "probe --list: $(tail -3 "$WORK/list")"
grep -Eq '^  tracefs +usable' "$WORK/list" || skip "the tracefs backend is unusable here: $(grep -E '^  tracefs' "$WORK/list")"
grep -Eq '^uexits +available' "$WORK/list" || skip "uexits is unavailable here: $(grep -A4 '^uexits' "$WORK/list" | tail -1)"

# the target: a VMM making exits where /dev/kvm is usable, else any process
vmm=0
if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	"$KVMSCOPE" run pio_out_user --samples 400000 --watchdog 120 -o "$WORK/tgt.json" \
		>"$WORK/tgt.log" 2>&1 &
	vmm=1
else
	sleep 60 &
fi
TGT=$!
sleep 0.5

for s in 1 2 3; do
	"$KVMSCOPE" probe uexits --backend tracefs -p "$TGT" -i 0.5 -d 4 >"$WORK/s$s.out" 2>&1 &
	eval "S$s=\$!"
done
for l in 1 2 3; do
	( for i in 1 2 3 4 5 6; do "$KVMSCOPE" probe --list >"$WORK/l$l.$i" 2>&1 || echo "list $l.$i: rc $?"; done ) \
		>"$WORK/l$l.rc" 2>&1 &
	eval "L$l=\$!"
done
for s in 1 2 3; do
	eval "wait \$S$s"; rc=$?
	[ $rc -eq 0 ] || fail "session $s exited $rc: $(tail -3 "$WORK/s$s.out")"
	grep -q '^final uexits' "$WORK/s$s.out" || fail "session $s: no final report: $(tail -3 "$WORK/s$s.out")"
	! grep -Eiq 'ENOENT|No such file|failed' "$WORK/s$s.out" || fail "session $s: $(grep -Ei 'ENOENT|No such file|failed' "$WORK/s$s.out" | head -2)"
	if [ $vmm = 1 ]; then
		n=$(awk '/^final uexits/ { f = 1 } f && $1 == "KVM_EXIT_IO" { print $2; exit }' "$WORK/s$s.out")
		[ "${n:-0}" -gt 0 ] || fail "session $s saw no KVM_EXIT_IO of the target"
		echo "session $s: ${n} KVM_EXIT_IO spans of the target"
	else
		echo "session $s: ok (no /dev/kvm here: a process without exits)"
	fi
done
for l in 1 2 3; do
	eval "wait \$L$l"
	[ ! -s "$WORK/l$l.rc" ] || fail "discovery loop $l: $(cat "$WORK/l$l.rc")"
	for i in 1 2 3 4 5 6; do
		grep -Eq '^uexits +available' "$WORK/l$l.$i" ||
			fail "discovery loop $l, run $i: uexits not available: $(grep -A4 '^uexits' "$WORK/l$l.$i" | tail -2)"
	done
done
echo "discovery: 3 x 6 probe --list runs alongside, each found uexits available"
kill "$TGT" 2>/dev/null; wait "$TGT" 2>/dev/null; TGT=""

mounts >"$WORK/after"
diff -u "$WORK/before" "$WORK/after" || fail "mounts changed"
# no instance of ours left: look through a tracefs of the test's own
T=$WORK/t
mkdir "$T" && mount -t tracefs nodev "$T" || fail "mounting tracefs to look at the instances"
left=$(ls "$T/instances" 2>/dev/null | grep '^kvmscope-' || true)
umount "$T"
[ -z "$left" ] || fail "instances left behind: $left"
echo "mounts and ftrace instances as they were"
echo PASS
