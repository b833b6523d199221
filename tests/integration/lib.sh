# Shared by the integration tests. Tests that need /dev/kvm skip (exit 77,
# ctest's SKIP_RETURN_CODE) with the reason when it is not usable here.
set -u
KVMSCOPE=${KVMSCOPE:?set KVMSCOPE to the kvmscope binary}
CHECK=${CHECK_RESULTS:-}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kvmscope-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

need_kvm() {
	if ! { [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
		why=$("$KVMSCOPE" info 2>&1 | sed -n 's/^\/dev\/kvm: *//p')
		skip "/dev/kvm is not usable on this machine: ${why:-missing}"
	fi
}
