#!/usr/bin/env bash
# Live probe mode on this machine: `kvmscope probe` attaches, prints
# intervals and a final picture, stops on its duration or on Ctrl-C, and
# leaves tracefs exactly as it found it (instances, events, tracer, on/off).
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "probes need root (CAP_BPF/CAP_PERFMON or tracefs write access)"
T=/sys/kernel/tracing
if [ ! -d $T/events ]; then
	mount -t tracefs nodev $T 2>/dev/null || skip "tracefs cannot be mounted here"
	trap 'umount $T 2>/dev/null; rm -rf "$WORK"' EXIT
fi
state() {
	ls $T/instances 2>/dev/null
	cat $T/set_event $T/tracing_on $T/current_tracer 2>/dev/null
	cat $T/events/kvm/kvm_userspace_exit/enable 2>/dev/null
	cat $T/events/syscalls/sys_enter_ioctl/enable 2>/dev/null
}
state >"$WORK/before"
"$KVMSCOPE" probe --list >"$WORK/list" 2>&1 || fail "probe --list failed: $(cat "$WORK/list")"
grep -q '^uexits' "$WORK/list" || fail "probe --list does not mention uexits"
grep -q '^exits' "$WORK/list" || fail "probe --list does not mention exits"
grep -E '^uexits +available' "$WORK/list" >/dev/null || skip "uexits is unavailable here: $(grep -A3 '^uexits' "$WORK/list" | tail -1)"
backends=tracefs
grep -Eq '^  bpf +usable' "$WORK/list" && backends="bpf tracefs"
for b in $backends; do
	"$KVMSCOPE" probe uexits -d 1 -i 0.4 --backend $b >"$WORK/out.$b" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "probe uexits --backend $b exited $rc: $(tail -3 "$WORK/out.$b")"
	grep -q '^interval uexits' "$WORK/out.$b" || fail "$b: no interval report"
	grep -q '^final uexits' "$WORK/out.$b" || fail "$b: no final report"
	# Ctrl-C: final picture, clean exit
	"$KVMSCOPE" probe uexits --backend $b >"$WORK/int.$b" 2>&1 &
	pid=$!
	sleep 1.5
	kill -INT $pid
	wait $pid
	rc=$?
	[ $rc -eq 0 ] || fail "$b: probe after SIGINT exited $rc"
	grep -q '^final uexits' "$WORK/int.$b" || fail "$b: no final report after SIGINT"
	state >"$WORK/after"
	diff -u "$WORK/before" "$WORK/after" || fail "$b: tracefs state changed"
	echo "$b: ok"
done
echo PASS
