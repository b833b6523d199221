#!/usr/bin/env bash
# /dev/kvm missing or not openable, and `probe` and `compare` without root, on
# this host (no /dev/kvm needed): a private mount namespace gets its own /dev
# (a tmpfs) with or without a kvm node, and setpriv makes us uid 65534.
#   - run and info exit 4 and name /dev/kvm and what is wrong with it
#   - probe as uid 65534 names the missing capabilities and tracefs rights
#   - compare and export as uid 65534 work
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root (a mount namespace with its own /dev, setpriv)"
command -v unshare >/dev/null && command -v setpriv >/dev/null ||
	skip "unshare and setpriv (util-linux) are needed"
unshare -m true 2>/dev/null || skip "cannot create a mount namespace here (unshare -m failed)"
chmod 755 "$WORK"
mkdir -m 777 "$WORK/nobody"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# in a namespace whose /dev is a fresh tmpfs: $1 = how to make /dev/kvm, then a command
in_ns() {
	local mk=$1
	shift
	unshare -m --propagation private bash -c '
		mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 || exit 90
		eval "$1"; shift
		exec "$@"' ns "$mk" "$@"
}

# 1. no /dev/kvm at all
in_ns ":" "$KVMSCOPE" run --quick --no-progress -o "$WORK/r1.json" >"$WORK/o1" 2>&1
rc=$?
cat "$WORK/o1"
[ $rc -eq 4 ] || fail "run without /dev/kvm: exit $rc, want 4"
grep -q 'cannot open /dev/kvm: No such file or directory (no KVM on this kernel' "$WORK/o1" ||
	fail "run without /dev/kvm: the message does not say so"
in_ns ":" "$KVMSCOPE" info >"$WORK/o1i" 2>&1
rc=$?
[ $rc -eq 4 ] || fail "info without /dev/kvm: exit $rc, want 4"

# 2. /dev/kvm there but not ours to open (mode 0600 root): uid 65534
in_ns "mknod -m 600 /dev/kvm c 10 232" "${NOBODY[@]}" "$KVMSCOPE" run --quick --no-progress \
	-o "$WORK/nobody/r2.json" >"$WORK/o2" 2>&1
rc=$?
cat "$WORK/o2"
[ $rc -eq 4 ] || fail "run with an inaccessible /dev/kvm: exit $rc, want 4"
grep -Eq 'cannot open /dev/kvm: Permission denied \(read/write permission needed: /dev/kvm is mode 0600 owner 0 group 0; this process is uid 65534' "$WORK/o2" ||
	fail "run with an inaccessible /dev/kvm: the message does not name the permission"

# 3. probe as uid 65534: which capability, which tracefs right
"${NOBODY[@]}" "$KVMSCOPE" probe uexits -d 1 >"$WORK/o3" 2>&1
rc=$?
cat "$WORK/o3"
[ $rc -eq 77 ] || fail "probe as uid 65534: exit $rc, want 77 (no backend can run)"
# a build without the BPF backend (the sanitizer build cannot link libbpf
# statically) says that instead: then there is no capability to name
if grep -q 'kvmscope was built without the BPF backend' "$WORK/o3"; then
	echo "note: this build has no BPF backend; its capability message is not checked here"
else
	grep -q 'BPF tracing needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN: this process (uid 65534) lacks CAP_BPF, CAP_PERFMON, and CAP_SYS_ADMIN' "$WORK/o3" ||
		fail "probe as uid 65534: the BPF capabilities are not named"
fi
grep -q 'the tracefs backend needs root, or CAP_DAC_OVERRIDE' "$WORK/o3" ||
	fail "probe as uid 65534: the tracefs right is not named"

# 4. compare and export (like report) need no root
fx=$(dirname "$0")/../fixtures/results/hostile-strings.json
cp "$fx" "$WORK/nobody/a.json"
"${NOBODY[@]}" "$KVMSCOPE" compare "$WORK/nobody/a.json" "$WORK/nobody/a.json" \
	-o "$WORK/nobody/cmp" >"$WORK/o4" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$WORK/o4"; fail "compare as uid 65534: exit $rc"; }
"${NOBODY[@]}" "$KVMSCOPE" export --format csv -o "$WORK/nobody/x.csv" "$WORK/nobody/a.json" \
	>"$WORK/o5" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$WORK/o5"; fail "export as uid 65534: exit $rc"; }
echo PASS
