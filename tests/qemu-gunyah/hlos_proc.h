/* SPDX-License-Identifier: MIT */
/*
 * What the HLOS's /proc says about Gunyah's driver, for the programs the
 * Gunyah testbed runs (gunyah_smoke.c, gunyah_runs.c; each is one static
 * file, so these are header-only).  Needs <stdio.h>, <stdlib.h>, <string.h>,
 * <unistd.h>.
 */
#ifndef KVMSCOPE_HLOS_PROC_H
#define KVMSCOPE_HLOS_PROC_H

/* /proc/meminfo's KEY (e.g. "MemFree") in kB, -1 when unreadable. */
static inline long meminfo_kb(const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			v = strtol(line + strlen(key) + 1, NULL, 10);
	fclose(f);
	return v;
}

/*
 * MemFree once the page cache is dropped: the results files a round writes
 * (over 9p) and the binary it reads stay cached and would read as memory
 * that did not come back. Lent memory comes back as free pages either way.
 */
static inline long memfree_settled_kb(void)
{
	FILE *f;

	sync();
	if ((f = fopen("/proc/sys/vm/drop_caches", "w"))) {
		fputs("3\n", f);
		fclose(f);
	}
	return meminfo_kb("MemFree");
}

/*
 * The driver keeps no counters of its own (no debugfs, sysfs or trace
 * events); /proc/interrupts has its IRQs: the RM message queues
 * (gunyah_rm_tx/rx) and each vCPU's wake-up (gunyah_vcpu).  Summed over CPUs:
 * "name=count ..." for each line that mentions gunyah.
 */
static inline void gunyah_irqs(char *out, size_t len)
{
	char line[512];
	size_t n = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sum = 0;
		char *p, *end, *name;

		if (!strstr(line, "gunyah") || !(p = strchr(line, ':')))
			continue;
		for (p++;; p = end) {	/* the per-CPU counts */
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += v;
		}
		line[strcspn(line, "\n")] = 0;
		name = strrchr(line, ' ');
		int w = snprintf(out + n, len - n, "%s%s=%llu", n ? " " : "", name ? name + 1 : p,
				 sum);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	fclose(f);
}

#endif
