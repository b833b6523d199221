/* SPDX-License-Identifier: MIT */
/*
 * Key names, as both backends report them: KVM_EXIT_* (uexits), VMX and SVM
 * exit reasons and arm64 exception classes (exits, hypercalls), each as the
 * kernel's own trace output prints it.
 */
#include <errno.h>
#include <stdio.h>

#include "probe_desc.h"

static const char *const kvm_exit_names[] = {
	"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
	"IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR", "TPR_ACCESS",
	"S390_SIEIC", "S390_RESET", "DCR", "NMI", "INTERNAL_ERROR", "OSI", "PAPR_HCALL",
	"S390_UCONTROL", "WATCHDOG", "S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI",
	"IOAPIC_EOI", "HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR", "DIRTY_RING_FULL",
	"AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR", "NOTIFY",
	"LOONGARCH_IOCSR", "MEMORY_FAULT", "TDX",
};

void ks_kvm_uexit_key(char *buf, size_t len, uint32_t reason, int err)
{
	if (err == -EINTR)
		snprintf(buf, len, "KVM_RUN -EINTR");   /* signal: the VMM re-enters */
	else if (err < 0)
		snprintf(buf, len, "KVM_RUN error %d", err);
	else if (reason < sizeof(kvm_exit_names) / sizeof(kvm_exit_names[0]))
		snprintf(buf, len, "KVM_EXIT_%s", kvm_exit_names[reason]);
	else
		snprintf(buf, len, "KVM_EXIT_%u", reason);
}

struct code_name {
	uint32_t code;
	const char *name;
};

/* Basic exit reasons (arch/x86/include/uapi/asm/vmx.h), as the kernel prints them. */
static const struct code_name vmx_exits[] = {
	{ 0, "EXCEPTION_NMI" }, { 1, "EXTERNAL_INTERRUPT" }, { 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" }, { 4, "SIPI_SIGNAL" }, { 7, "INTERRUPT_WINDOW" },
	{ 8, "NMI_WINDOW" }, { 9, "TASK_SWITCH" }, { 10, "CPUID" }, { 12, "HLT" },
	{ 13, "INVD" }, { 14, "INVLPG" }, { 15, "RDPMC" }, { 16, "RDTSC" }, { 18, "VMCALL" },
	{ 19, "VMCLEAR" }, { 20, "VMLAUNCH" }, { 21, "VMPTRLD" }, { 22, "VMPTRST" },
	{ 23, "VMREAD" }, { 24, "VMRESUME" }, { 25, "VMWRITE" }, { 26, "VMOFF" }, { 27, "VMON" },
	{ 28, "CR_ACCESS" }, { 29, "DR_ACCESS" }, { 30, "IO_INSTRUCTION" }, { 31, "MSR_READ" },
	{ 32, "MSR_WRITE" }, { 33, "INVALID_STATE" }, { 34, "MSR_LOAD_FAIL" },
	{ 36, "MWAIT_INSTRUCTION" }, { 37, "MONITOR_TRAP_FLAG" }, { 39, "MONITOR_INSTRUCTION" },
	{ 40, "PAUSE_INSTRUCTION" }, { 41, "MCE_DURING_VMENTRY" }, { 43, "TPR_BELOW_THRESHOLD" },
	{ 44, "APIC_ACCESS" }, { 45, "EOI_INDUCED" }, { 46, "GDTR_IDTR" }, { 47, "LDTR_TR" },
	{ 48, "EPT_VIOLATION" }, { 49, "EPT_MISCONFIG" }, { 50, "INVEPT" }, { 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" }, { 53, "INVVPID" }, { 54, "WBINVD" }, { 55, "XSETBV" },
	{ 56, "APIC_WRITE" }, { 57, "RDRAND" }, { 58, "INVPCID" }, { 59, "VMFUNC" },
	{ 60, "ENCLS" }, { 61, "RDSEED" }, { 62, "PML_FULL" }, { 63, "XSAVES" },
	{ 64, "XRSTORS" }, { 67, "UMWAIT" }, { 68, "TPAUSE" }, { 74, "BUS_LOCK" },
	{ 75, "NOTIFY" }, { 77, "TDCALL" }, { 84, "MSR_READ_IMM" }, { 85, "MSR_WRITE_IMM" },
};

/* SVM exit codes (arch/x86/include/uapi/asm/svm.h), as the kernel prints them. */
static const struct code_name svm_exits[] = {
	{ 0x000, "read_cr0" }, { 0x003, "read_cr3" }, { 0x004, "read_cr4" }, { 0x008, "read_cr8" },
	{ 0x010, "write_cr0" }, { 0x013, "write_cr3" }, { 0x014, "write_cr4" },
	{ 0x018, "write_cr8" }, { 0x020, "read_dr0" }, { 0x021, "read_dr1" },
	{ 0x022, "read_dr2" }, { 0x023, "read_dr3" }, { 0x024, "read_dr4" }, { 0x025, "read_dr5" },
	{ 0x026, "read_dr6" }, { 0x027, "read_dr7" }, { 0x030, "write_dr0" },
	{ 0x031, "write_dr1" }, { 0x032, "write_dr2" }, { 0x033, "write_dr3" },
	{ 0x034, "write_dr4" }, { 0x035, "write_dr5" }, { 0x036, "write_dr6" },
	{ 0x037, "write_dr7" }, { 0x040, "DE excp" }, { 0x041, "DB excp" }, { 0x043, "BP excp" },
	{ 0x044, "OF excp" }, { 0x045, "BR excp" }, { 0x046, "UD excp" }, { 0x047, "NM excp" },
	{ 0x048, "DF excp" }, { 0x04a, "TS excp" }, { 0x04b, "NP excp" }, { 0x04c, "SS excp" },
	{ 0x04d, "GP excp" }, { 0x04e, "PF excp" }, { 0x050, "MF excp" }, { 0x051, "AC excp" },
	{ 0x052, "MC excp" }, { 0x053, "XF excp" }, { 0x060, "interrupt" }, { 0x061, "nmi" },
	{ 0x062, "smi" }, { 0x063, "init" }, { 0x064, "vintr" }, { 0x065, "cr0_sel_write" },
	{ 0x066, "read_idtr" }, { 0x067, "read_gdtr" }, { 0x068, "read_ldtr" },
	{ 0x069, "read_rt" }, { 0x06a, "write_idtr" }, { 0x06b, "write_gdtr" },
	{ 0x06c, "write_ldtr" }, { 0x06d, "write_rt" }, { 0x06e, "rdtsc" }, { 0x06f, "rdpmc" },
	{ 0x070, "pushf" }, { 0x071, "popf" }, { 0x072, "cpuid" }, { 0x073, "rsm" },
	{ 0x074, "iret" }, { 0x075, "swint" }, { 0x076, "invd" }, { 0x077, "pause" },
	{ 0x078, "hlt" }, { 0x079, "invlpg" }, { 0x07a, "invlpga" }, { 0x07b, "io" },
	{ 0x07c, "msr" }, { 0x07d, "task_switch" }, { 0x07e, "ferr_freeze" },
	{ 0x07f, "shutdown" }, { 0x080, "vmrun" }, { 0x081, "hypercall" }, { 0x082, "vmload" },
	{ 0x083, "vmsave" }, { 0x084, "stgi" }, { 0x085, "clgi" }, { 0x086, "skinit" },
	{ 0x087, "rdtscp" }, { 0x088, "icebp" }, { 0x089, "wbinvd" }, { 0x08a, "monitor" },
	{ 0x08b, "mwait" }, { 0x08d, "xsetbv" }, { 0x08f, "write_efer_trap" },
	{ 0x090, "write_cr0_trap" }, { 0x094, "write_cr4_trap" }, { 0x098, "write_cr8_trap" },
	{ 0x0a2, "invpcid" }, { 0x0a5, "buslock" }, { 0x0a6, "idle-halt" }, { 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" }, { 0x402, "avic_unaccelerated_access" },
	{ 0x403, "vmgexit" }, { 0xffffffff, "invalid_guest_state" },
};

/* arm64 exception classes (ESR_ELx_EC_*), as KVM's trace prints them. */
static const struct code_name arm64_ecs[] = {
	{ 0x00, "UNKNOWN" }, { 0x01, "WFx" }, { 0x03, "CP15_32" }, { 0x04, "CP15_64" },
	{ 0x05, "CP14_MR" }, { 0x06, "CP14_LS" }, { 0x07, "FP_ASIMD" }, { 0x08, "CP10_ID" },
	{ 0x09, "PAC" }, { 0x0c, "CP14_64" }, { 0x0d, "BTI" }, { 0x0e, "ILL" },
	{ 0x11, "SVC32" }, { 0x12, "HVC32" }, { 0x13, "SMC32" }, { 0x15, "SVC64" },
	{ 0x16, "HVC64" }, { 0x17, "SMC64" }, { 0x18, "SYS64" }, { 0x19, "SVE" },
	{ 0x1a, "ERET" }, { 0x1c, "FPAC" }, { 0x1d, "SME" }, { 0x1f, "IMP_DEF" },
	{ 0x20, "IABT_LOW" }, { 0x21, "IABT_CUR" }, { 0x22, "PC_ALIGN" }, { 0x24, "DABT_LOW" },
	{ 0x25, "DABT_CUR" }, { 0x26, "SP_ALIGN" }, { 0x27, "MOPS" }, { 0x28, "FP_EXC32" },
	{ 0x2c, "FP_EXC64" }, { 0x2d, "GCS" }, { 0x2f, "SERROR" }, { 0x30, "BREAKPT_LOW" },
	{ 0x31, "BREAKPT_CUR" }, { 0x32, "SOFTSTP_LOW" }, { 0x33, "SOFTSTP_CUR" },
	{ 0x34, "WATCHPT_LOW" }, { 0x35, "WATCHPT_CUR" }, { 0x38, "BKPT32" },
	{ 0x3a, "VECTOR32" }, { 0x3c, "BRK64" },
};

static const char *lookup(const struct code_name *t, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, c) lookup(t, sizeof(t) / sizeof(t[0]), c)

void ks_x86_exit_key(char *buf, size_t len, uint32_t isa, uint32_t exit_reason)
{
	const char *n;

	if (isa == KS_X86_ISA_VMX) {
		n = LOOKUP(vmx_exits, exit_reason & 0xffff);
		const char *failed = (exit_reason & 0x80000000u) ? " FAILED_VMENTRY" : "";
		if (n)
			snprintf(buf, len, "%s%s", n, failed);
		else
			snprintf(buf, len, "vmx:%u%s", exit_reason & 0xffff, failed);
	} else if (isa == KS_X86_ISA_SVM) {
		n = LOOKUP(svm_exits, exit_reason);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "svm:0x%x", exit_reason);
	} else if (isa == KS_X86_ISA_PVM) {
		/* kvm_pvm's own exit_reason, printed as the number it is: its
		 * encoding is PVM's and not described by any kernel header */
		snprintf(buf, len, "pvm:%u", exit_reason);
	} else {
		snprintf(buf, len, "reason:%u", exit_reason);
	}
}

/* The vcpu_run hypercall's states (Gunyah driver series, include/linux/gunyah.h:
 * GUNYAH_VCPU_STATE_* / GUNYAH_VCPU_ADDRSPACE_*). */
static const struct code_name gunyah_states[] = {
	{ 0, "READY" }, { 1, "EXPECTS_WAKEUP" }, { 2, "POWERED_OFF" }, { 3, "BLOCKED" },
	{ 4, "VMMIO_READ" }, { 5, "VMMIO_WRITE" }, { 7, "PAGE_FAULT" },
	{ 0xff, "vcpu_run failed" },
};

void ks_arm64_exit_key(char *buf, size_t len, int32_t ret, uint32_t esr_ec)
{
	/* ARM_EXCEPTION_CODE(): bit 31 only says an SError was pending too */
	switch ((uint32_t)ret & 0x7fffffffu) {
	case 0:
		snprintf(buf, len, "IRQ");
		return;
	case 1:
		snprintf(buf, len, "SERROR");
		return;
	case 2: {   /* ARM_EXCEPTION_TRAP: the exception class says which */
		const char *n = LOOKUP(arm64_ecs, esr_ec);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "EC_0x%02x", esr_ec);
		return;
	}
	case 3:
		snprintf(buf, len, "ILLEGAL");
		return;
	default:
		snprintf(buf, len, "exception %d", ret);
	}
}

void ks_exit_key_name(uint64_t key, char *buf, size_t len)
{
	char base[KS_PROBE_KEY_LEN];

	if (key & KS_EXIT_UNKNOWN) {
		snprintf(base, sizeof(base), "unknown");
	} else if (key & KS_EXIT_GUNYAH) {
		const char *n = LOOKUP(gunyah_states, (uint32_t)key & 0xff);
		if (n)
			snprintf(base, sizeof(base), "gunyah %s", n);
		else
			snprintf(base, sizeof(base), "gunyah state %u", (unsigned)(key & 0xff));
	} else if (key & KS_EXIT_ARM64) {
		ks_arm64_exit_key(base, sizeof(base), (int32_t)((key >> 8) & 0xff),
				  (uint32_t)key & 0xff);
	} else {
		ks_x86_exit_key(base, sizeof(base), (uint32_t)(key >> 32) & 0xffff, (uint32_t)key);
	}
	snprintf(buf, len, "%s%s", base, (key & KS_EXIT_USER) ? "+user" : "");
}
