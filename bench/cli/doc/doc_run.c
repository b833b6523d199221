/* SPDX-License-Identifier: MIT */
#include "doc.h"

static const struct ks_doc_item options[] = {
	{ "-o, --output FILE", "results file (default: kvmscope-<UTC time>.json in the current "
			       "directory); rewritten atomically after every benchmark" },
	{ "-q, --quick", "fewer samples, no precision target (unless --precision is given): a "
			 "smoke run in seconds" },
	{ "--device DEV", "the device to drive: /dev/kvm (KVM, the KVM-on-Gunyah port) or "
			  "/dev/gunyah (Gunyah's own driver), or kvm or gunyah for those; a path "
			  "whose name contains gunyah is driven as Gunyah's (default: /dev/kvm "
			  "when it exists, else /dev/gunyah); recorded as environment.backend "
			  ".front and .device" },
	{ "-c, --cpu N", "pin the vCPU thread to CPU N (the same CPU in runs you compare)" },
	{ "-n, --samples N", "exactly N measured batches (interrupts, regions) per benchmark, "
			     "1 to 1000000, no precision target" },
	{ "--precision P", "sample each benchmark until the 95 % confidence interval of every "
			   "result's median lies within +-P % of that median (default 1; 0: the "
			   "benchmark's default samples, no more). Rounds of samples in the same VM; "
			   "each result records the interval reached and why it stopped" },
	{ "--max-time S", "the longest a benchmark samples to reach --precision (default 5 s; "
			  "a benchmark of several region sizes shares it among them)" },
	{ "-w, --watchdog S", "stop a benchmark whose guest makes no progress for S seconds "
			      "(default 60); a guest that works through shared memory "
			      "(irqfd) is judged on its own time instead (see NOTES)" },
	{ "-P, --probes", "attach the in-kernel probes (exits, uexits, memlend, irqfd) around "
			  "each benchmark and store their histograms in the results" },
	{ "--probe-backend auto|bpf|tracefs", "the probes' backend (default auto: BPF, else "
					      "tracefs); probe_overhead measures only this one "
					      "(auto: every usable one)" },
	{ "--soak N", "run the selected suite N times (1 to 1000000) with the probes attached; "
		      "before and after each iteration record the open fds, RSS, BPF objects, "
		      "perf event fds and tracefs instances kvmscope holds, and every median; "
		      "print a summary and store it as `soak` in the results (which keep the "
		      "last iteration's results)" },
	{ "--no-perf", "don't open host perf counters (cycles, instructions, context switches, "
		       "task clock) around each benchmark; the guest/host split can add PMU "
		       "switching to every exit" },
	{ "--emit lava|signal|plain", "after the run, one line per result for a lab: `lava` "
				      "runs `lava-test-case` for each result when it is on "
				      "PATH (inside a LAVA test shell) and prints each command, "
				      "else prints `<LAVA_SIGNAL_TESTCASE ...>` lines; "
				      "`signal` always prints those; `plain` prints `name "
				      "result value unit`" },
	{ "--lava", "the same as --emit lava" },
	{ "--suite-name NAME", "prefix of the emitted test case names, `NAME-<benchmark>` "
			       "(default kvmscope); characters LAVA does not allow become _" },
	{ "--no-progress", "no progress line (it is only shown when stderr is a terminal, and "
			   "never with --emit: a lab's console is a log)" },
	{ "-v, --verbose", "print guest messages and progress details" },
	{ "-h, --help", "show this help and exit" },
	{ NULL, NULL },
};

static const struct ks_doc_item examples[] = {
	{ "kvmscope run --quick", "the default suite in seconds" },
	{ "kvmscope run hyp_call irqfd --cpu 1 -o hv.json", "two benchmarks, vCPU on CPU 1" },
	{ "kvmscope run exit_user --samples 5000", "a whole family, exactly 5000 batches each" },
	{ "kvmscope run irqfd_halted --precision 0.5 --max-time 30",
	  "the median to +-0.5 %, sampling up to 30 s" },
	{ "kvmscope run --quick --probes", "with in-kernel histograms per benchmark" },
	{ "kvmscope run --quick --soak 20", "the quick suite 20 times over: leaks and drifting "
					     "medians show in the soak summary" },
	{ "kvmscope run --device /dev/gunyah --quick -o gunyah.json",
	  "through Gunyah's own driver where the kernel also has /dev/kvm (the port)" },
	{ "kvmscope run --cpu 1 -o r.json --lava --suite-name rb3-gunyah",
	  "in a LAVA job: every median becomes a LAVA test case with its measurement" },
	{ NULL, NULL },
};

static const struct ks_doc_item exit_status[] = {
	{ "0", "every selected benchmark ran, or was unsupported here with a reason" },
	{ "1", "a benchmark failed, or the results could be written neither where asked nor "
	       "to a fallback file" },
	{ "2", "an unknown option or benchmark name, or a bad value" },
	{ "3", "the results file could not be written (a full disk...): every result is in the "
	       "fallback file named on stderr and in the `results:` line instead" },
	{ "4", "the device (/dev/kvm, /dev/gunyah) is missing or unusable: nothing was measured" },
	{ "77", "the device works, but every selected benchmark is unsupported on this backend" },
	{ "130", "interrupted; the results file keeps what was measured, marked incomplete" },
	{ NULL, NULL },
};

const struct ks_cmd_doc ks_doc_run = {
	.name = "run",
	.summary = "run benchmarks, print a table, write a results file",
	.synopsis = { "run [BENCH|FAMILY|all ...] [options]" },
	.description =
		"Run micro-benchmarks through /dev/kvm (or Gunyah's /dev/gunyah) and write a results file "
		"(JSON, schema in results-schema.md). With no names, runs the default "
		"suite (`kvmscope list` shows it); names may be benchmarks or families.\n\n"
		"Each benchmark warms up, then takes its samples: batches timed by the "
		"guest's own counter, plus host-side timings where they mean something. "
		"By default it samples in rounds until the 95 % confidence interval of "
		"the median of each of its results is within +-1 % of the median "
		"(--precision), or --max-time is spent: between rounds the guest waits "
		"outside any timed batch (a ucall, or the host's word in shared memory) "
		"while the host decides, in the same VM. Every result records the "
		"interval it reached, how sampling stopped (target, time_cap, "
		"sample_cap, fixed) and, short of the target, why: its spread, its "
		"outliers, a median that moved during the run, what the target would "
		"have cost. The table shows the interval as +-CI, with * where it "
		"stayed short; the lines after the table say why. "
		"The vCPU's exit counters are cross-checked against what the benchmark "
		"did; host perf counters (cycles, instructions, their guest/host split, "
		"context switches, task clock) are read around the measured phase, or "
		"stored as unsupported with the exact reason.\n\n"
		"A table row is printed as each benchmark finishes: name, unit, median, "
		"p99, min, samples, context switches in the measured phase (CSW), "
		"instructions per cycle (IPC, when the PMU counts), status. The results "
		"file is rewritten atomically after every benchmark, so Ctrl-C, a hung "
		"guest (stopped by the watchdog) or a crash keeps what was measured.\n\n"
		"When the results file cannot be written (a full disk, a read-only "
		"directory), kvmscope says once which file and why (the errno, e.g. "
		"ENOSPC), keeps writing the results atomically to a fallback file, "
		"$TMPDIR/kvmscope-fallback-<UTC start>-<pid>.json (/tmp without TMPDIR), "
		"else the same name in the current directory, says where, and exits 3; "
		"if even that fails it says so and exits 1. A later rewrite that reaches "
		"the asked file removes the fallback.\n\n"
		"On a terminal, a progress line on stderr shows the benchmark, the "
		"samples taken so far and an estimate of the time left; it is cleared "
		"at the end and never written when stderr is not a terminal.\n\n"
		"SIGINT and SIGTERM end the run the same way: the benchmark running is "
		"marked interrupted, probes are detached and tracefs is put back as it "
		"was, and the results file keeps what was measured (`complete`: false). "
		"The environment variable KVMSCOPE_FAULT is a test hook that injects "
		"faults (KVM_RUN errors, a failing memslot, a failing BPF load, signals at "
		"chosen points, an irqfd guest lingering in the race windows of its wait "
		"path) for kvmscope's own reliability tests; never set it for a "
		"measurement (a run with it armed says so and records it).",
	.options = options,
	.examples = examples,
	.exit_status = exit_status,
	.notes =
		"irqfd and irqfd_halted drive a vCPU on a thread of its own and wait for "
		"it through shared memory. A busy host slows the guest down without "
		"making it wrong: a wait ends when the guest answers, when the vCPU ran "
		"1 s of CPU time (at most --watchdog) without answering (stuck), when it "
		"sleeps halted while it has every reason to run (a lost wake-up), or when "
		"it was seen halted for 10 s in all; never on the wall clock alone, as a "
		"busy host may keep either thread off the CPU for seconds. Their vCPU "
		"threads keep a wall-clock watchdog of at least 60 s as a backstop, which "
		"the host re-arms while it sees progress. Waits over 1 ms "
		"are counted in the result (host_busy, slow_waits, longest_wait). Every "
		"one-way sample carries its clock error bound, and one that the clock "
		"calibration contradicts is rejected and counted (rejected_samples), "
		"never kept.\n\n"
		"probe_overhead (not in the default suite) measures what each in-kernel "
		"probe adds per exit and, when bpftrace is installed ($KVMSCOPE_BPFTRACE, "
		"else the first bpftrace on PATH), what the equivalent bpftrace one-liners "
		"for uexits and exits add; without bpftrace those results are unsupported, "
		"with the reason. Each is the median of paired differences (pio_out_user "
		"with - without the probe, alternating) with its 95 % interval, pairs added "
		"until the interval is tight; kvmscope/bpftrace with its interval.\n\n"
		"Test case names for --emit are `<suite>-<benchmark>`, reduced to the "
		"characters LAVA accepts (letters, digits, `.`, `_`, `-`). The result is "
		"`pass` with the median as the measurement for a result that ran, `fail` "
		"for a failed one, `skip` for one unsupported here and `unknown` for one "
		"cut short by an interruption:\n\n"
		"  lava-test-case kvmscope-hyp_call --result pass --measurement 31392.800 --units ns\n"
		"  <LAVA_SIGNAL_TESTCASE TEST_CASE_ID=kvmscope-ipi RESULT=skip>\n"
		"  kvmscope-hyp_call pass 31392.800 ns",
};
