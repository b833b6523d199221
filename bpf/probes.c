/* SPDX-License-Identifier: MIT */
/*
 * The probes, from the one list (probes/probes.def): their descriptors and
 * names, and the little every backend asks of a descriptor the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probe_desc.h"

#define KS_PROBE(n) extern const struct ks_probe_desc ks_probe_##n;
#include "probes/probes.def"
#undef KS_PROBE

const struct ks_probe_desc *const ks_probe_descs[] = {
#define KS_PROBE(n) &ks_probe_##n,
#include "probes/probes.def"
#undef KS_PROBE
	NULL,
};

const char *const ks_probe_names[] = {
#define KS_PROBE(n) #n,
#include "probes/probes.def"
#undef KS_PROBE
	NULL,
};

const struct ks_probe_desc *ks_probe_desc_find(const char *name)
{
	for (int i = 0; name && ks_probe_descs[i]; i++)
		if (!strcmp(ks_probe_descs[i]->name, name))
			return ks_probe_descs[i];
	return NULL;
}

bool ks_probe_refuses_all(const struct ks_probe_desc *d, pid_t pid, const char *backend,
			  char *err, size_t errlen)
{
	if (!d->needs_pid || pid != 0)
		return false;
	snprintf(err, errlen, "%s: not implemented in the %s backend yet for all processes "
			      "(pid 0): %s", d->name, backend, d->needs_pid);
	return true;
}

bool ks_path(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < len;
}
