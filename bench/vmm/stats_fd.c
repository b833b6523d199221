/* SPDX-License-Identifier: MIT */
/*
 * KVM binary statistics (KVM_GET_STATS_FD): the kernel's own exit counters,
 * which the benchmarks use as ground truth for how many exits they caused.
 * Layout: header, then descriptors (each followed by name_size name bytes),
 * then the data block; all offsets come from the header, never assumed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

int ks_stats_open(struct ks_stats *st, int owner_fd, char *err, size_t errlen)
{
	struct kvm_stats_header h;

	memset(st, 0, sizeof(*st));
	st->fd = ioctl(owner_fd, KVM_GET_STATS_FD, NULL);
	if (st->fd < 0) {
		snprintf(err, errlen, "KVM_GET_STATS_FD: %s", strerror(errno));
		return -1;
	}
	if (pread(st->fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.name_size == 0 || h.name_size > 4096 || h.num_desc > 4096) {
		snprintf(err, errlen, "stats fd: unreadable or implausible header");
		goto fail;
	}
	size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	uint8_t *buf = calloc(h.num_desc, dsz);
	st->desc = calloc(h.num_desc ? h.num_desc : 1, sizeof(*st->desc));
	if (!buf || !st->desc) {
		free(buf);
		snprintf(err, errlen, "stats fd: out of memory");
		goto fail;
	}
	if (pread(st->fd, buf, dsz * h.num_desc, h.desc_offset) != (ssize_t)(dsz * h.num_desc)) {
		free(buf);
		snprintf(err, errlen, "stats fd: short read of %u descriptors", h.num_desc);
		goto fail;
	}
	for (uint32_t i = 0; i < h.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(buf + i * dsz);
		struct ks_stat_desc *o = &st->desc[i];
		size_t n = strnlen(d->name, h.name_size);

		if (n >= sizeof(o->name))
			n = sizeof(o->name) - 1;
		memcpy(o->name, d->name, n);
		o->name[n] = 0;
		o->flags = d->flags;
		o->offset = d->offset;
		o->size = d->size;
	}
	free(buf);
	st->count = h.num_desc;
	st->data_offset = h.data_offset;
	return 0;
fail:
	ks_stats_close(st);
	return -1;
}

void ks_stats_close(struct ks_stats *st)
{
	if (st->fd > 0)
		close(st->fd);
	free(st->desc);
	memset(st, 0, sizeof(*st));
	st->fd = -1;
}

int ks_stats_index(const struct ks_stats *st, const char *name)
{
	if (!name || !*name)
		return -1;
	for (uint32_t i = 0; i < st->count; i++)
		if (strcmp(st->desc[i].name, name) == 0)
			return (int)i;
	return -1;
}

int ks_stats_read(const struct ks_stats *st, int idx, uint64_t *val)
{
	if (idx < 0 || (uint32_t)idx >= st->count)
		return -1;
	off_t off = (off_t)(st->data_offset + st->desc[idx].offset);
	return pread(st->fd, val, sizeof(*val), off) == (ssize_t)sizeof(*val) ? 0 : -1;
}
