/* SPDX-License-Identifier: MIT */
/*
 * fuzz_arm64_detect - arm64 backend classification (bench/vmm/arm64/
 * detect_arm64.h) from evidence built out of the input.
 *
 * Layout: byte 0 picks the KVM API version (12, 13, -1 or the byte itself),
 * and, from 3 up, its bit 6 the /dev/gunyah front and bit 5 /dev/gunyah's
 * presence;
 * the rest is split on the two-byte separator FF FE (never in the text
 * inputs, so seeds are real files joined by it) into, in order, the kernel
 * command line, the boot log, the device tree's /hypervisor compatible (raw,
 * NUL bytes and all, in an exact-size buffer: it need not be terminated) and
 * the guest-seen UID.  Missing parts stay NULL, as when a file is unreadable.
 *
 * Checked, as tests/unit/test_arm64_detect.c's check_sane(): a known backend
 * name, a terminated printable-ASCII detail, a confidence >= 1 unless
 * "unknown"; and that the same evidence gives the same answer twice.
 */
#include "detect_arm64.h"
#include "fuzz_common.h"

static const char *const names[] = {
	KS_ARM64_KVM_VHE, KS_ARM64_KVM_NVHE, KS_ARM64_KVM_PROTECTED,
	KS_ARM64_KVM_GUNYAH, KS_ARM64_GUNYAH, KS_ARM64_NO_EL2, KS_ARM64_UNKNOWN, NULL,
};

/* The next part: [*pos, separator) or to the end; NULL when none is left. */
static const uint8_t *part(const uint8_t *d, size_t size, size_t *pos, size_t *len)
{
	size_t s = *pos;

	if (s > size)
		return NULL;
	for (size_t i = s; i + 1 < size; i++)
		if (d[i] == 0xff && d[i + 1] == 0xfe) {
			*len = i - s;
			*pos = i + 2;
			return d + s;
		}
	*len = size - s;
	*pos = size + 1;
	return d + s;
}

static void classify_checked(const struct ks_arm64_evidence *e, struct ks_arm64_backend *b)
{
	int ok = 0;

	memset(b, 0x5a, sizeof(*b));   /* classify must overwrite everything it reports */
	ks_arm64_classify(e, b);
	FZ_CHECK(memchr(b->name, 0, sizeof(b->name)), "name not terminated");
	FZ_CHECK(memchr(b->detail, 0, sizeof(b->detail)), "detail not terminated");
	for (int i = 0; names[i]; i++)
		ok |= !strcmp(b->name, names[i]);
	FZ_CHECK(ok, "unknown backend name '%s'", b->name);
	FZ_CHECK(b->confidence >= 0, "confidence %d", b->confidence);
	FZ_CHECK(!strcmp(b->name, KS_ARM64_UNKNOWN) || b->confidence >= 1,
		 "%s with confidence %d", b->name, b->confidence);
	for (const char *p = b->detail; *p; p++)
		FZ_CHECK(*p >= 0x20 && *p < 0x7f, "detail byte 0x%02x", (unsigned char)*p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ks_arm64_evidence e = { 0 };
	struct ks_arm64_backend b1, b2;
	char *cmdline = NULL, *bootlog = NULL, *uid = NULL, *compat = NULL;
	size_t pos = 1, n;
	const uint8_t *p;

	if (size < 1)
		return 0;
	e.api_version = data[0] == 0 ? 12 : data[0] == 1 ? 13 : data[0] == 2 ? -1 : (int)data[0];
	if (data[0] > 2) {
		e.front_gunyah = (data[0] & 0x40) != 0;
		e.gunyah_dev = (data[0] & 0x20) ? "/dev/gunyah (char 10:124)" : NULL;
	}
	if ((p = part(data, size, &pos, &n)))
		e.cmdline = cmdline = fz_strndup(p, n);
	if ((p = part(data, size, &pos, &n)))
		e.bootlog = bootlog = fz_strndup(p, n);
	if ((p = part(data, size, &pos, &n))) {
		compat = malloc(n ? n : 1);   /* exact size, unterminated */
		if (!compat)
			abort();
		if (n)
			memcpy(compat, p, n);
		e.dt_hyp_compat = compat;
		e.dt_hyp_compat_len = n;
	}
	if ((p = part(data, size, &pos, &n)))
		e.guest_uid = uid = fz_strndup(p, n);

	classify_checked(&e, &b1);
	classify_checked(&e, &b2);
	FZ_CHECK(!strcmp(b1.name, b2.name) && !strcmp(b1.detail, b2.detail) &&
		 b1.confidence == b2.confidence, "two answers for the same evidence");
	ks_arm64_classify(NULL, &b1);   /* tolerated, per the header */
	ks_arm64_classify(&e, NULL);
	free(cmdline);
	free(bootlog);
	free(compat);
	free(uid);
	return 0;
}
