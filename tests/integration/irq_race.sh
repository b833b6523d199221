#!/usr/bin/env bash
# The irqfd wait paths under provoked races, on this machine's /dev/kvm: with
# KVMSCOPE_FAULT=irq_race:2 the guest lingers, every other interrupt, in a
# race window of its wait path while the host fires (interrupts masked after
# "armed" was published; on PVM also enabled, before the HLT). Every
# interrupt must be taken: a lost one fails the guest ("lost interrupt"), a
# lost wake-up the host ("lost wake-up"), a hang the watchdog.
# --watchdog 0.5 with 3000 halted interrupts (each waits 200 us before it is
# fired: over 0.66 s by construction) also proves that a guest making
# progress through shared memory outlives the watchdog: kvmscope before this
# test existed stopped both benchmarks so, "no progress report within 0.5 s"
# (the host's waits now judge the guest on its own CPU and halted time, and
# its vCPU thread keeps only a wall-clock backstop the host re-arms).
. "$(dirname "$0")/lib.sh"
need_kvm
command -v python3 >/dev/null || skip "python3 is needed to read the results"
KVMSCOPE_FAULT=irq_race:2 timeout 280 "$KVMSCOPE" run irqfd irqfd_halted --samples 3000 \
	--watchdog 0.5 --no-progress -o "$WORK/r.json" > "$WORK/out.txt" 2>&1
rc=$?
cat "$WORK/out.txt"
[ $rc -ne 124 ] || fail "kvmscope hung (killed by timeout)"
grep -q 'test hook armed: KVMSCOPE_FAULT=irq_race:2' "$WORK/out.txt" || fail "the hook did not say it was armed"
python3 "$(dirname "$0")/check_irq_race.py" "$WORK/r.json" || fail "see above"
[ $rc -eq 0 ] || fail "kvmscope run exited $rc"
echo PASS
