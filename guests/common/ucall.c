/* SPDX-License-Identifier: MIT */
/* Guest side of the guest->host message channel. */
#include "guest.h"

void ks_ucall(uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct ks_ucall *uc = &KS_MB->ucall;

	uc->args[0] = a0;
	uc->args[1] = a1;
	uc->args[2] = a2;
	uc->args[3] = a3;
	barrier();
	uc->cmd = cmd;  /* written last: the host checks it after the exit */
	ks_doorbell();
	uc->cmd = KS_UC_NONE;
}

static void copy_msg(const char *s)
{
	char *d = KS_MB->ucall.msg;
	size_t i = 0;

	for (; s && s[i] && i < sizeof(KS_MB->ucall.msg) - 1; i++)
		d[i] = s[i];
	d[i] = 0;
}

void ks_print(const char *s)
{
	copy_msg(s);
	ks_ucall(KS_UC_PRINT, 0, 0, 0, 0);
}

void ks_fail(int line, const char *why)
{
	copy_msg(why);
	for (;;)
		ks_ucall(KS_UC_FAIL, (uint64_t)line, 0, 0, 0);
}
