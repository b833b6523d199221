/* SPDX-License-Identifier: MIT */
/* The device: which front drives it, opening it, its capabilities. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front.h"
#include "vmm.h"

const struct ks_cap_name ks_cap_names[] = {
	{ "KVM_CAP_IRQCHIP", KVM_CAP_IRQCHIP },
	{ "KVM_CAP_IRQFD", KVM_CAP_IRQFD },
	{ "KVM_CAP_IOEVENTFD", KVM_CAP_IOEVENTFD },
	{ "KVM_CAP_IRQ_ROUTING", KVM_CAP_IRQ_ROUTING },
	{ "KVM_CAP_SIGNAL_MSI", KVM_CAP_SIGNAL_MSI },
	{ "KVM_CAP_USER_MEMORY", KVM_CAP_USER_MEMORY },
	{ "KVM_CAP_USER_MEMORY2", KVM_CAP_USER_MEMORY2 },
	{ "KVM_CAP_GUEST_MEMFD", KVM_CAP_GUEST_MEMFD },
	{ "KVM_CAP_GUEST_MEMFD_FLAGS", KVM_CAP_GUEST_MEMFD_FLAGS },
	{ "KVM_CAP_VM_TYPES", KVM_CAP_VM_TYPES },
	{ "KVM_CAP_NR_MEMSLOTS", KVM_CAP_NR_MEMSLOTS },
	{ "KVM_CAP_NR_VCPUS", KVM_CAP_NR_VCPUS },
	{ "KVM_CAP_MAX_VCPUS", KVM_CAP_MAX_VCPUS },
	{ "KVM_CAP_IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT },
	{ "KVM_CAP_BINARY_STATS_FD", KVM_CAP_BINARY_STATS_FD },
	{ "KVM_CAP_ONE_REG", KVM_CAP_ONE_REG },
	{ "KVM_CAP_READONLY_MEM", KVM_CAP_READONLY_MEM },
	{ "KVM_CAP_EXIT_HYPERCALL", KVM_CAP_EXIT_HYPERCALL },
	{ "KVM_CAP_GET_TSC_KHZ", KVM_CAP_GET_TSC_KHZ },
	{ "KVM_CAP_TSC_CONTROL", KVM_CAP_TSC_CONTROL },
	{ "KVM_CAP_X86_DISABLE_EXITS", KVM_CAP_X86_DISABLE_EXITS },
	{ "KVM_CAP_ARM_VM_IPA_SIZE", KVM_CAP_ARM_VM_IPA_SIZE },
	{ "KVM_CAP_ARM_PSCI_0_2", KVM_CAP_ARM_PSCI_0_2 },
};
const size_t ks_cap_names_count = sizeof(ks_cap_names) / sizeof(ks_cap_names[0]);

/* EACCES/EPERM: say whose the device is and who we are, so the fix is plain. */
static void describe_access(const char *path, char *buf, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(buf, len, " (read/write permission needed)");
		return;
	}
	char fix[64];
	if (st.st_gid != 0)
		snprintf(fix, sizeof(fix), "add the user to group %u", (unsigned)st.st_gid);
	else
		snprintf(fix, sizeof(fix), "give it a group the user is in (mode 0660)");
	snprintf(buf, len, " (read/write permission needed: %s is mode 0%03o owner %u group %u; "
		 "this process is uid %u gid %u: run as root, or %s)", path,
		 (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
		 (unsigned)geteuid(), (unsigned)getegid(), fix);
}

const struct ks_front_ops *ks_front_for(const char *path, const char **resolved)
{
	struct stat st;

	if (!path || !*path) {
		/* KVM where it exists (a kernel with the KVM-on-Gunyah port has
		 * both: /dev/kvm is the default, --device picks the other) */
		if (stat(ks_front_kvm.device, &st) == 0 || stat(ks_front_gunyah.device, &st) != 0)
			path = ks_front_kvm.device;
		else
			path = ks_front_gunyah.device;
	} else if (!strcmp(path, ks_front_kvm.name)) {
		path = ks_front_kvm.device;
	} else if (!strcmp(path, ks_front_gunyah.name)) {
		path = ks_front_gunyah.device;
	}
	*resolved = path;
	const char *base = strrchr(path, '/');
	return strstr(base ? base + 1 : path, "gunyah") ? &ks_front_gunyah : &ks_front_kvm;
}

int ks_kvm_open(struct ks_kvm *k, const char *path)
{
	char why[200] = "";

	memset(k, 0, sizeof(*k));
	k->front = ks_front_for(path, &path);
	snprintf(k->path, sizeof(k->path), "%s", path);
	k->fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->fd < 0) {
		int e = errno;
		if (e == EACCES || e == EPERM)
			describe_access(path, why, sizeof(why));
		else if (e == ENOENT && k->front == &ks_front_gunyah)
			snprintf(why, sizeof(why),
				 " (no Gunyah driver: not running under Gunyah, or its modules are not loaded)");
		else if (e == ENOENT)
			snprintf(why, sizeof(why),
				 " (no KVM on this kernel, or the module did not bind)");
		else if (e == ENXIO || e == ENODEV)
			snprintf(why, sizeof(why), " (the device node exists but no driver "
				 "serves it: not loaded, or it did not bind)");
		snprintf(k->err, sizeof(k->err), "cannot open %s: %s%s", path, strerror(e), why);
		errno = e;
		return -1;
	}
	if (k->front->open(k) < 0) {
		int e = errno;
		close(k->fd);
		k->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

void ks_kvm_close(struct ks_kvm *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

long ks_kvm_check_cap(const struct ks_kvm *k, long cap)
{
	return k->front->check_cap(k, cap);
}
