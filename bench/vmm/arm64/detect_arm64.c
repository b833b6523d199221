/* SPDX-License-Identifier: MIT */
/*
 * detect_arm64.c - classify the arm64 backend behind /dev/kvm from evidence.
 *
 * Where each piece of evidence comes from (wording checked against public
 * sources; see also tests/fixtures/arm64/README.md):
 *   - /dev/gunyah: the misc device of Gunyah's own driver (v17 series,
 *     drivers/virt/gunyah/vm_mgr.c, "gunyah"); it exists only under Gunyah,
 *     whatever else the kernel has (the port's kernels carry it too).
 *   - KVM_GET_API_VERSION: 12 upstream; 13 on the KVM-on-Gunyah RFC port
 *     ("KVM: Add KVM_SET_DTB_ADDRESS ioctl ...", RFC PATCH 05/34, 2025-04-24,
 *     bumps KVM_API_VERSION to 13).
 *   - /hypervisor compatible: Gunyah's resource manager generates
 *     "qcom,gunyah-hypervisor-1.0", "qcom,gunyah-hypervisor", "simple-bus"
 *     (gunyah-resource-manager src/vm_dt/vm_dt.c); the kernel driver of the
 *     Gunyah series matches "gunyah-hypervisor".
 *   - "Running under Gunyah hypervisor %llx/v%u" (drivers/virt/gunyah/gunyah.c
 *     of the Gunyah series) and "KVM for Gunyah is available!" (RFC PATCH
 *     34/34, "KVM: gunyah: enable KVM for Gunyah").
 *   - arch/arm64/kvm/arm.c: "VHE mode initialized successfully",
 *     "Hyp nVHE mode initialized successfully" (also "Hyp hVHE ..."; older
 *     kernels "Hyp mode initialized successfully"), "Protected nVHE mode
 *     initialized successfully", "HYP mode not available".
 *   - arch/arm64/kernel/smp.c: "CPU: All CPU(s) started at EL2" / "at EL1",
 *     "CPU: CPUs started in inconsistent modes".
 *   - kvm-arm.mode= (kernel-parameters.txt): none | nvhe | protected | nested;
 *     the kernel may refuse it (e.g. "Protected KVM not available with
 *     VHE"), so it only stands in when the boot log cannot tell.
 *
 * Everything here is defensive: inputs may be NULL, empty, huge or garbage.
 * Nothing from the inputs is echoed into detail without being sanitised
 * (printable ASCII only) and bounded.
 */
#include "detect_arm64.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* small string helpers                                                     */

/* Bounded search for needle (NUL-terminated) in hay[0..hlen). */
static const char *mem_find(const char *hay, size_t hlen, const char *needle)
{
	size_t nlen = strlen(needle);
	const char *p = hay, *end;

	if (nlen == 0 || hlen < nlen)
		return NULL;
	end = hay + (hlen - nlen); /* last possible start */
	while (p <= end) {
		p = memchr(p, (unsigned char)needle[0], (size_t)(end - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, nlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

static bool is_alnum_c(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space_c(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Copy at most n bytes of s (stopping at NUL) as printable ASCII, bounded. */
static void sanitize(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i, o = 0;

	if (outlen == 0)
		return;
	for (i = 0; i < n && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o + 1 >= outlen) {
			if (outlen >= 4) {
				out[outlen - 4] = '.';
				out[outlen - 3] = '.';
				out[outlen - 2] = '.';
			}
			o = outlen - 1;
			break;
		}
		out[o++] = (c >= 0x20 && c < 0x7f && c != '\'') ? (char)c : '?';
	}
	out[o] = '\0';
}

/* Append-only text buffer that never overflows; marks truncation with "...". */
struct sbuf {
	char *p;
	size_t cap;
	size_t len;
	bool trunc;
};

static void sb_init(struct sbuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->trunc = false;
	if (cap)
		p[0] = '\0';
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t room;

	if (b->cap == 0 || b->trunc)
		return;
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		b->len = b->cap - 1;
		b->trunc = true;
		if (b->cap >= 4)
			memcpy(b->p + b->cap - 4, "...", 4);
		return;
	}
	b->len += (size_t)n;
}

/* ------------------------------------------------------------------------ */
/* evidence parsing                                                         */

enum mode {
	MODE_NONE = 0,
	MODE_VHE,
	MODE_NVHE,
	MODE_PROT,
};

static const char *mode_backend(enum mode m)
{
	switch (m) {
	case MODE_VHE:  return KS_ARM64_KVM_VHE;
	case MODE_NVHE: return KS_ARM64_KVM_NVHE;
	case MODE_PROT: return KS_ARM64_KVM_PROTECTED;
	default:        return KS_ARM64_UNKNOWN;
	}
}

static const char *mode_word(enum mode m)
{
	switch (m) {
	case MODE_VHE:  return "VHE";
	case MODE_NVHE: return "nVHE";
	case MODE_PROT: return "protected nVHE";
	default:        return "?";
	}
}

struct log_facts {
	bool have;            /* a non-empty boot log was given */
	bool gunyah_running;  /* "Running under Gunyah hypervisor" */
	bool gunyah_kvm;      /* "KVM for Gunyah is available!" */
	enum mode mode;       /* last KVM mode line */
	unsigned mode_seen;   /* bitmask of (1 << mode) over all mode lines */
	char mode_line[64];   /* wording of the last mode line */
	bool no_hyp;          /* "HYP mode not available" */
	bool el2;             /* "CPU: All CPU(s) started at EL2" */
	bool el1;             /* "CPU: All CPU(s) started at EL1" */
	bool mixed_el;        /* "CPU: CPUs started in inconsistent modes" */
};

#define SUCC " mode initialized successfully"

static void scan_line(const char *l, size_t n, struct log_facts *f)
{
	const char *p;
	enum mode m = MODE_NONE;
	const char *word = NULL;

	if (mem_find(l, n, "Running under Gunyah hypervisor"))
		f->gunyah_running = true;
	if (mem_find(l, n, "KVM for Gunyah is available!"))
		f->gunyah_kvm = true;
	if (mem_find(l, n, "HYP mode not available"))
		f->no_hyp = true;
	if (mem_find(l, n, "CPU: All CPU(s) started at EL2"))
		f->el2 = true;
	if (mem_find(l, n, "CPU: All CPU(s) started at EL1"))
		f->el1 = true;
	if (mem_find(l, n, "CPU: CPUs started in inconsistent modes"))
		f->mixed_el = true;

	if (!mem_find(l, n, SUCC))
		return;
	/*
	 * "VHE mode initialized successfully" is a substring of the nVHE, hVHE
	 * and protected lines, so look at what precedes it.
	 */
	if ((p = mem_find(l, n, "Protected nVHE" SUCC)) != NULL) {
		m = MODE_PROT;
		word = "Protected nVHE" SUCC;
	} else if ((p = mem_find(l, n, "Hyp nVHE" SUCC)) != NULL) {
		m = MODE_NVHE;
		word = "Hyp nVHE" SUCC;
	} else if ((p = mem_find(l, n, "Hyp hVHE" SUCC)) != NULL) {
		m = MODE_NVHE;
		word = "Hyp hVHE" SUCC;
	} else if ((p = mem_find(l, n, "Hyp" SUCC)) != NULL) {
		m = MODE_NVHE;
		word = "Hyp" SUCC;
	} else if ((p = mem_find(l, n, "VHE" SUCC)) != NULL) {
		if (p == l || !is_alnum_c(p[-1])) {
			m = MODE_VHE;
			word = "VHE" SUCC;
		}
	}
	if (m == MODE_NONE)
		return;
	f->mode = m;
	f->mode_seen |= 1u << m;
	sanitize(f->mode_line, sizeof(f->mode_line), word, strlen(word));
}

static void scan_log(const char *log, struct log_facts *f)
{
	const char *l = log;

	memset(f, 0, sizeof(*f));
	if (!log || !*log)
		return;
	f->have = true;
	while (*l) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		scan_line(l, n, f);
		if (!nl)
			break;
		l = nl + 1;
	}
}

/* DT /hypervisor compatible: 1 Gunyah, 0 something else, -1 absent/empty. */
static int scan_compat(const char *c, size_t len, char *first, size_t firstlen,
		       char *other, size_t otherlen)
{
	static const char *const exact[] = { "qcom,gunyah-hypervisor", "gunyah-hypervisor" };
	size_t i = 0;
	int found = -1;

	first[0] = '\0';
	other[0] = '\0';
	if (!c || len == 0)
		return -1;
	while (i < len) {
		const char *s = c + i;
		size_t n = 0;

		while (i + n < len && s[n] != '\0')
			n++;
		if (n > 0) {
			bool gy = false;

			for (size_t k = 0; k < sizeof(exact) / sizeof(exact[0]); k++) {
				size_t el = strlen(exact[k]);

				/* exact, or versioned: "<compat>-1.0" */
				if (n == el && memcmp(s, exact[k], el) == 0)
					gy = true;
				else if (n > el && memcmp(s, exact[k], el) == 0 && s[el] == '-')
					gy = true;
			}
			if (gy) {
				if (found != 1)
					sanitize(first, firstlen, s, n);
				found = 1;
			} else {
				if (found == -1)
					found = 0;
				if (!other[0] && !(n == 10 && memcmp(s, "simple-bus", 10) == 0))
					sanitize(other, otherlen, s, n);
			}
		}
		i += n + 1;
	}
	return found;
}

enum cmd_mode {
	CMD_NONE = 0,     /* no kvm-arm.mode= given */
	CMD_NVHE,
	CMD_PROT,
	CMD_NESTED,
	CMD_OFF,          /* kvm-arm.mode=none */
	CMD_OTHER,        /* a value the kernel does not know */
};

/*
 * kvm-arm.mode= on the command line (the kernel treats '-' and '_' in
 * parameter names alike; the last occurrence wins). Also notes
 * id_aa64mmfr1.vh=0, which forces nVHE.
 */
static enum cmd_mode scan_cmdline(const char *cl, char *val, size_t vallen, bool *vh0)
{
	enum cmd_mode r = CMD_NONE;
	const char *p = cl;

	val[0] = '\0';
	*vh0 = false;
	if (!cl)
		return CMD_NONE;
	while (*p) {
		const char *t;
		size_t n;

		while (*p && is_space_c(*p))
			p++;
		t = p;
		while (*p && !is_space_c(*p))
			p++;
		n = (size_t)(p - t);
		if (n >= 13 && (memcmp(t, "kvm-arm.mode=", 13) == 0 ||
				memcmp(t, "kvm_arm.mode=", 13) == 0)) {
			const char *v = t + 13;
			size_t vn = n - 13;

			/* tolerate kvm-arm.mode="nvhe" */
			if (vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
				v++;
				vn -= 2;
			}
			sanitize(val, vallen, v, vn);
			if (vn == 4 && memcmp(v, "nvhe", 4) == 0)
				r = CMD_NVHE;
			else if (vn == 9 && memcmp(v, "protected", 9) == 0)
				r = CMD_PROT;
			else if (vn == 6 && memcmp(v, "nested", 6) == 0)
				r = CMD_NESTED;
			else if (vn == 4 && memcmp(v, "none", 4) == 0)
				r = CMD_OFF;
			else
				r = CMD_OTHER;
		} else if (n == 17 && memcmp(t, "id_aa64mmfr1.vh=0", 17) == 0) {
			*vh0 = true;
		}
	}
	return r;
}

enum uid_kind { UID_NONE = 0, UID_GUNYAH, UID_KVM, UID_OTHER, UID_GARBAGE };

/* Normalise to 32 lower-case hex digits (hyphens, braces, spaces ignored). */
static bool uid_norm(const char *s, char out[33])
{
	size_t o = 0;

	for (; *s; s++) {
		char c = *s;

		if (c == '-' || c == '{' || c == '}' || is_space_c(c))
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
		if (o >= 32)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return o == 32;
}

static enum uid_kind scan_uid(const char *uid)
{
	char got[33], g[33], k[33];

	if (!uid)
		return UID_NONE;
	if (!uid_norm(uid, got))
		return *uid ? UID_GARBAGE : UID_NONE;
	uid_norm(KS_ARM64_UID_GUNYAH, g);
	uid_norm(KS_ARM64_UID_KVM, k);
	if (strcmp(got, g) == 0)
		return UID_GUNYAH;
	if (strcmp(got, k) == 0)
		return UID_KVM;
	return UID_OTHER;
}

/* ------------------------------------------------------------------------ */
/* classification                                                           */

enum fam { FAM_GUNYAH, FAM_KVM, FAM_NOEL2, FAM_NOTE };

#define MAX_PIECES 16

struct piece {
	enum fam fam;
	char text[112];
};

struct pieces {
	struct piece p[MAX_PIECES];
	int n;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void add(struct pieces *ps, enum fam fam, const char *fmt, ...)
{
	va_list ap;

	if (ps->n >= MAX_PIECES)
		return;
	ps->p[ps->n].fam = fam;
	va_start(ap, fmt);
	vsnprintf(ps->p[ps->n].text, sizeof(ps->p[ps->n].text), fmt, ap);
	va_end(ap);
	ps->n++;
}

static int count(const struct pieces *ps, enum fam fam)
{
	int c = 0;

	for (int i = 0; i < ps->n; i++)
		c += ps->p[i].fam == fam;
	return c;
}

static void list(struct sbuf *b, const struct pieces *ps, enum fam fam, const char *head)
{
	bool first = true;

	for (int i = 0; i < ps->n; i++) {
		if (ps->p[i].fam != fam)
			continue;
		sb_printf(b, "%s%s", first ? head : "; ", ps->p[i].text);
		first = false;
	}
}

static void set_name(struct ks_arm64_backend *out, const char *name)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
}

void ks_arm64_classify(const struct ks_arm64_evidence *e, struct ks_arm64_backend *out)
{
	struct pieces ps;
	struct log_facts lf;
	struct sbuf b;
	char dt_first[48], dt_other[48], cmd_val[24];
	int dt, g, k, n;
	bool vh0, log_mode, cmd_used = false;
	enum cmd_mode cm;
	enum uid_kind uk;
	enum fam win;
	enum mode mode = MODE_NONE;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	sb_init(&b, out->detail, sizeof(out->detail));
	if (!e) {
		set_name(out, KS_ARM64_UNKNOWN);
		sb_printf(&b, "no evidence given");
		return;
	}

	ps.n = 0;

	/* 1. the devices: Gunyah's driver, /dev/kvm's API version */
	if (e->gunyah_dev && *e->gunyah_dev) {
		char d[64];

		sanitize(d, sizeof(d), e->gunyah_dev, strlen(e->gunyah_dev));
		add(&ps, FAM_GUNYAH, "%s", d);
	}
	if (e->front_gunyah)
		; /* /dev/kvm is not the device driven: its API says nothing here */
	else if (e->api_version == 13)
		add(&ps, FAM_GUNYAH, "KVM API 13 (Gunyah port)");
	else if (e->api_version == 12)
		add(&ps, FAM_KVM, "KVM API 12");
	else if (e->api_version < 0)
		add(&ps, FAM_NOTE, "/dev/kvm unusable");
	else
		add(&ps, FAM_NOTE, "unexpected KVM API %d", e->api_version);

	/* 2. device tree /hypervisor node */
	dt = scan_compat(e->dt_hyp_compat, e->dt_hyp_compat ? e->dt_hyp_compat_len : 0,
			 dt_first, sizeof(dt_first), dt_other, sizeof(dt_other));
	if (dt == 1)
		add(&ps, FAM_GUNYAH, "DT /hypervisor '%s'", dt_first);
	else if (dt == 0)
		add(&ps, FAM_NOTE, "DT /hypervisor '%s' is not Gunyah",
		    dt_other[0] ? dt_other : "simple-bus");

	/* 3. boot log */
	scan_log(e->bootlog, &lf);
	if (lf.gunyah_running)
		add(&ps, FAM_GUNYAH, "log 'Running under Gunyah hypervisor'");
	if (lf.gunyah_kvm)
		add(&ps, FAM_GUNYAH, "log 'KVM for Gunyah is available!'");
	log_mode = lf.mode != MODE_NONE;
	if (log_mode) {
		mode = lf.mode;
		add(&ps, FAM_KVM, "log '%s'", lf.mode_line);
		if (lf.mode_seen & ~(1u << lf.mode))
			add(&ps, FAM_NOTE, "log has several KVM mode lines, used the last");
	}
	if (lf.el2)
		add(&ps, FAM_KVM, "log 'All CPU(s) started at EL2'");
	if (lf.no_hyp)
		add(&ps, FAM_NOEL2, "log 'HYP mode not available'");
	if (lf.el1)
		add(&ps, FAM_NOEL2, "log 'All CPU(s) started at EL1'");
	if (lf.mixed_el)
		add(&ps, FAM_NOTE, "log 'CPUs started in inconsistent modes'");

	/* 4. kernel command line: weak; only when the boot log cannot tell */
	cm = scan_cmdline(e->cmdline, cmd_val, sizeof(cmd_val), &vh0);
	if (!log_mode) {
		enum mode cmode = MODE_NONE;

		if (cm == CMD_NVHE || (cm == CMD_NONE && vh0))
			cmode = MODE_NVHE;
		else if (cm == CMD_PROT)
			cmode = MODE_PROT;
		else if (cm == CMD_NESTED)
			cmode = MODE_VHE; /* nested virt needs VHE */
		if (cmode != MODE_NONE) {
			cmd_used = true;
			mode = cmode;
			add(&ps, FAM_KVM, "cmdline %s%s (%s; the kernel may have refused it)",
			    cm == CMD_NONE ? "id_aa64mmfr1.vh=0" : "kvm-arm.mode=",
			    cm == CMD_NONE ? "" : cmd_val,
			    lf.have ? "boot log has no KVM mode line" : "boot log unavailable");
		}
	} else if (cm == CMD_NVHE || cm == CMD_PROT || cm == CMD_NESTED) {
		enum mode want = cm == CMD_NVHE ? MODE_NVHE : cm == CMD_PROT ? MODE_PROT : MODE_VHE;

		if (want != lf.mode)
			add(&ps, FAM_NOTE, "cmdline kvm-arm.mode=%s not honoured (log says %s)",
			    cmd_val, mode_word(lf.mode));
	}
	if (cm == CMD_OFF)
		add(&ps, FAM_NOTE, "cmdline kvm-arm.mode=none (KVM disabled)");
	else if (cm == CMD_OTHER)
		add(&ps, FAM_NOTE, "cmdline kvm-arm.mode='%s' not understood", cmd_val);

	/* 5. what a guest saw */
	uk = scan_uid(e->guest_uid);
	if (uk == UID_GUNYAH)
		add(&ps, FAM_GUNYAH, "guest UID is Gunyah's");
	else if (uk == UID_KVM)
		add(&ps, FAM_KVM, "guest UID is KVM's");
	else if (uk == UID_OTHER || uk == UID_GARBAGE) {
		char u[40];

		sanitize(u, sizeof(u), e->guest_uid, strlen(e->guest_uid));
		add(&ps, FAM_NOTE, "guest UID '%s' %s", u,
		    uk == UID_OTHER ? "not recognised" : "unparseable");
	}

	/* decide */
	g = count(&ps, FAM_GUNYAH);
	k = count(&ps, FAM_KVM);
	n = count(&ps, FAM_NOEL2);
	if (g > 0 && k > 0) {
		/* The direct observations (API, guest UID) break a tie. */
		if (g != k)
			win = g > k ? FAM_GUNYAH : FAM_KVM;
		else if (e->api_version == 13 || e->api_version == 12)
			win = e->api_version == 13 ? FAM_GUNYAH : FAM_KVM;
		else if (uk == UID_GUNYAH || uk == UID_KVM)
			win = uk == UID_GUNYAH ? FAM_GUNYAH : FAM_KVM;
		else
			win = FAM_NOTE; /* undecided */
	} else if (g > 0) {
		win = FAM_GUNYAH; /* EL1 / no-HYP lines are consistent with Gunyah */
	} else if (k > 0 && n > 0) {
		win = k > n ? FAM_KVM : n > k ? FAM_NOEL2 : FAM_NOTE;
	} else if (k > 0) {
		win = FAM_KVM;
	} else if (n > 0) {
		win = FAM_NOEL2;
	} else {
		win = FAM_NOTE;
	}

	switch (win) {
	case FAM_GUNYAH:
		/* which front: Gunyah's own device, or KVM fronting it */
		set_name(out, e->front_gunyah ? KS_ARM64_GUNYAH : KS_ARM64_KVM_GUNYAH);
		out->confidence = g;
		list(&b, &ps, FAM_GUNYAH, "");
		if (n)
			list(&b, &ps, FAM_NOEL2, "; consistent (host at EL1): ");
		if (k)
			list(&b, &ps, FAM_KVM, " | CONTRADICTED by: ");
		break;
	case FAM_KVM:
		set_name(out, mode_backend(mode));
		out->confidence = k;
		if (mode == MODE_NONE)
			sb_printf(&b, "native KVM, mode undetermined: ");
		list(&b, &ps, FAM_KVM, "");
		if (cmd_used)
			sb_printf(&b, " | mode from cmdline only");
		if (g)
			list(&b, &ps, FAM_GUNYAH, " | CONTRADICTED by: ");
		if (n)
			list(&b, &ps, FAM_NOEL2, g ? "; " : " | CONTRADICTED by: ");
		break;
	case FAM_NOEL2:
		set_name(out, KS_ARM64_NO_EL2);
		out->confidence = n;
		list(&b, &ps, FAM_NOEL2, "");
		if (k)
			list(&b, &ps, FAM_KVM, " | CONTRADICTED by: ");
		break;
	default:
		set_name(out, KS_ARM64_UNKNOWN);
		out->confidence = 0;
		if (g || k || n) {
			sb_printf(&b, "evidence disagrees evenly: ");
			list(&b, &ps, FAM_GUNYAH, "gunyah: ");
			list(&b, &ps, FAM_KVM, g ? " | kvm: " : "kvm: ");
			list(&b, &ps, FAM_NOEL2, (g || k) ? " | no-el2: " : "no-el2: ");
		} else {
			sb_printf(&b, "no decisive evidence");
		}
		break;
	}
	list(&b, &ps, FAM_NOTE, " | notes: ");
}

/* ------------------------------------------------------------------------ */
/* gathering from the running system                                        */

#define MAX_SMALL_FILE (64u * 1024u)
#define MAX_LOG (32u * 1024u * 1024u)

/* Read a whole (proc/sysfs) file, NUL-terminated; *len excludes the NUL. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	*len = 0;
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= max)
				break;
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				break;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static char *read_klogctl(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf;
	int n;

	if (size <= 0)
		return NULL;
	if ((unsigned)size > MAX_LOG)
		size = (int)MAX_LOG;
	buf = malloc((size_t)size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* /dev/kmsg records are "prio,seq,usec,flags;text\n" (+ continuation lines). */
static char *read_kmsg(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t cap = 64 * 1024, n = 0;
	char *out, rec[8192];

	if (fd < 0)
		return NULL;
	out = malloc(cap);
	if (!out) {
		close(fd);
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, rec, sizeof(rec) - 1);
		const char *t, *end;
		size_t tl;

		if (r < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: record overwritten, keep going */
		if (r <= 0)
			break;
		rec[r] = '\0';
		t = memchr(rec, ';', (size_t)r);
		t = t ? t + 1 : rec;
		end = memchr(t, '\n', (size_t)(rec + r - t));
		tl = end ? (size_t)(end - t) : (size_t)(rec + r - t);
		if (n + tl + 2 > cap) {
			char *nb;

			if (cap >= MAX_LOG)
				break;
			cap *= 2;
			nb = realloc(out, cap);
			if (!nb)
				break;
			out = nb;
		}
		memcpy(out + n, t, tl);
		n += tl;
		out[n++] = '\n';
	}
	close(fd);
	if (n == 0) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

int ks_arm64_gather(struct ks_arm64_evidence *e, int api_version, bool front_gunyah)
{
	struct stat st;
	size_t len;
	char *s;

	if (!e)
		return -1;
	memset(e, 0, sizeof(*e));
	e->api_version = api_version;
	e->front_gunyah = front_gunyah;
	if (stat("/dev/gunyah", &st) == 0 && S_ISCHR(st.st_mode)) {
		s = malloc(64);
		if (s)
			snprintf(s, 64, "/dev/gunyah (char %u:%u)", major(st.st_rdev),
				 minor(st.st_rdev));
		e->gunyah_dev = s;
	}

	s = slurp("/proc/device-tree/hypervisor/compatible", MAX_SMALL_FILE, &len);
	if (!s)
		s = slurp("/sys/firmware/devicetree/base/hypervisor/compatible",
			  MAX_SMALL_FILE, &len);
	if (s && len == 0) {
		free(s);
		s = NULL;
	}
	e->dt_hyp_compat = s;
	e->dt_hyp_compat_len = s ? len : 0;

	s = slurp("/proc/cmdline", MAX_SMALL_FILE, &len);
	if (s) {
		while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
			s[--len] = '\0';
	}
	e->cmdline = s;

	s = read_klogctl();
	if (!s)
		s = read_kmsg();
	e->bootlog = s;
	e->guest_uid = NULL;
	return 0;
}

void ks_arm64_evidence_free(struct ks_arm64_evidence *e)
{
	if (!e)
		return;
	free((void *)(uintptr_t)e->gunyah_dev);
	free((void *)(uintptr_t)e->dt_hyp_compat);
	free((void *)(uintptr_t)e->cmdline);
	free((void *)(uintptr_t)e->bootlog);
	e->gunyah_dev = NULL;
	e->dt_hyp_compat = NULL;
	e->dt_hyp_compat_len = 0;
	e->cmdline = NULL;
	e->bootlog = NULL;
}
