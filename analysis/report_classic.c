/* SPDX-License-Identifier: MIT */
/*
 * report_classic.c - the micro-benchmark table of Dall et al., "ARM
 * Virtualization: Performance and Architectural Implications" (ISCA 2016),
 * which kernel developers know: one row per operation, one column per
 * result set, in ns and, where the CPU clock is known, in cycles.
 * Each row names the kvmscope benchmark(s) that measure it, first match wins
 * (the arm64 and x86 names differ).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inference.h"
#include "report_int.h"

static const struct {
	const char *op;
	const char *bench[3];
	const char *how;
} rows[] = {
	{ "Hypercall", { "hyp_call" }, "no-op hypercall round trip" },
	{ "Interrupt controller trap", { "mmio_read_vgic", "mmio_read_lapic" },
	  "guest read of an emulated interrupt-controller register" },
	{ "Virtual IPI", { "ipi" }, "IPI from one vCPU to another, one-way" },
	{ "Virtual IRQ completion", { "eoi" },
	  "guest EOI of the active virtual interrupt in its handler, one per sample, "
	  "between two counter reads" },
	{ "Virtual IRQ completion, spurious", { "eoi_spurious" },
	  "EOI of INTID 1023, batched: what kvm-unit-tests' micro-bench calls eoi" },
	{ "VM switch", { "vm_switch" },
	  "two VMs on one host CPU, one's ioeventfd the other's irqfd, both halted: "
	  "token send to the other VM's handler, one-way" },
	{ "I/O latency out", { "mmio_write_kernel", "outl_to_kernel" },
	  "guest write to an ioeventfd, round trip (Dall et al.: one-way)" },
	{ "I/O latency in", { "irqfd" }, "host eventfd write to guest handler, one-way" },
};

static const struct ks_rs_bench *pick(const struct ks_resultset *rs, size_t row, const char **name)
{
	for (int i = 0; i < 3 && rows[row].bench[i]; i++) {
		const struct ks_rs_bench *b = ks_resultset_find(rs, rows[row].bench[i]);
		if (b && !strcmp(b->status, "ok")) {
			*name = rows[row].bench[i];
			return b;
		}
	}
	*name = NULL;
	return NULL;
}

void ks_section_classic(struct ks_rdoc *d, struct ks_resultset **sets, size_t n)
{
	const char *hdr[2 + 2 * 8];
	char hbuf[8][160], align[20];
	size_t nc = 0;

	if (n > 8)
		n = 8;
	ks_rdoc_heading(d, 1, "Micro-benchmark table (Dall et al. style)");
	ks_rdoc_para(d, "Medians. Cycles use each set's CPU clock: cpufreq's maximum when the "
		       "results recorded it, else the TSC rate on x86; none on arm64 without "
		       "cpufreq (its counter is not a CPU clock).");
	hdr[nc] = "operation";
	align[nc++] = 'l';
	for (size_t i = 0; i < n; i++) {
		hdr[nc] = sets[i]->label;
		align[nc++] = 'r';
		if (sets[i]->cpu_hz > 0) {
			snprintf(hbuf[i], sizeof hbuf[i], "%.60s cycles (%.2f GHz %s)", sets[i]->label,
				 sets[i]->cpu_hz / 1e9, sets[i]->cpu_hz_source);
			hdr[nc] = hbuf[i];
			align[nc++] = 'r';
		}
	}
	hdr[nc] = "benchmark";
	align[nc++] = 'l';
	align[nc] = 0;
	ks_rdoc_table(d, (int)nc, align);
	ks_rdoc_row(d, hdr);
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		const char *cells[2 + 2 * 8];
		char buf[16][48], used[160] = "";
		size_t c = 0;
		cells[c++] = rows[r].op;
		for (size_t i = 0; i < n; i++) {
			const char *name;
			const struct ks_rs_bench *b = pick(sets[i], r, &name);
			if (b && strcmp(b->unit, "ns"))
				b = NULL;  /* the table is in ns */
			snprintf(buf[2 * i], sizeof buf[0], "%s ns", b ? ks_fmt(b->sum.median, buf[2 * i + 1], sizeof buf[0]) : "-");
			if (!b)
				snprintf(buf[2 * i], sizeof buf[0], "-");
			cells[c++] = buf[2 * i];
			if (sets[i]->cpu_hz > 0) {
				if (b)
					snprintf(buf[2 * i + 1], sizeof buf[0], "%.0f",
						 ks_ns_to_cycles(b->sum.median, sets[i]->cpu_hz));
				else
					snprintf(buf[2 * i + 1], sizeof buf[0], "-");
				cells[c++] = buf[2 * i + 1];
			}
			if (b && !strstr(used, name))
				snprintf(used + strlen(used), sizeof used - strlen(used), "%s%s",
					 used[0] ? ", " : "", name);
		}
		char how[300];
		snprintf(how, sizeof how, "%s%s%s", used[0] ? used : "-", "; ", rows[r].how);
		cells[c++] = how;
		ks_rdoc_row(d, cells);
	}
}
