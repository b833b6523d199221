/* SPDX-License-Identifier: MIT */
/*
 * The contract between the kvmscope host and its micro-guests.
 *
 * Both sides include this header: the host VMM (hosted C) and the guests
 * (freestanding C, any arch). Keep it to fixed-width types and plain structs;
 * nothing here may depend on libc. Bump KS_ABI_VERSION on any layout change:
 * the host refuses a guest image whose header says otherwise.
 *
 * Conversation model (like the KVM selftests' ucall): the host fills the
 * mailbox with what to run, the guest runs it and reports through ucalls; a
 * ucall is "write struct ks_ucall into the mailbox, then ring the arch's
 * doorbell" (x86: an OUT to KS_UCALL_PORT; arm64: an MMIO write). Samples go
 * straight into a shared array so that reporting costs no exits while timing.
 */
#ifndef KS_GUEST_ABI_H
#define KS_GUEST_ABI_H

#include <stdint.h>

#define KS_ABI_MAGIC   0x45504f435343534bULL /* "KSCSCOPE" little-endian */
#define KS_ABI_VERSION 5   /* 2: the routine table replaced enum ks_gbench;
			      3: ks_image_header.boot;
			      4: the irq_race test hook's fields;
			      5: rounds: the host asks for more samples in the same VM */

/*
 * What the guest can run: a table of routines the guest image carries (its
 * header points at it). Each routine is declared where it is written
 * (guest.h: KS_GUEST_BATCH, KS_GUEST_ROUTINE); the host names the one a
 * benchmark needs by string, finds it in the loaded image's table and writes
 * its index into mailbox.routine. An image without a routine of that name
 * cannot run that benchmark: the host says so, naming the routine.
 */
enum ks_routine_kind {
	/* fn: uint64_t fn(uint64_t n): n operations, returns the counter ticks
	 * they took. The guest's batch loop times it (warm-up, PHASE_BEGIN,
	 * `batches` samples, PHASE_END, DONE). */
	KS_ROUTINE_BATCH = 1,
	/* fn: void fn(struct ks_mailbox *): the whole job, reporting itself. */
	KS_ROUTINE_MAIN = 2,
};

#define KS_ROUTINE_NAME_MAX 32   /* bytes, the NUL included */
#define KS_ROUTINES_MAX 256

/*
 * One entry of the table (section ks_routines of the image). Addresses are
 * guest physical (the image is identity mapped). The host reads this from
 * guest memory and checks every field before using it: names and code must
 * lie inside the image, names be NUL-terminated within KS_ROUTINE_NAME_MAX.
 */
struct ks_guest_routine {
	uint64_t name;        /* GPA of the NUL-terminated name */
	uint64_t fn;          /* GPA of the code: what vCPU 0 runs */
	uint64_t secondary;   /* GPA of void fn(struct ks_mailbox *, uint64_t cpu) the
				 other vCPUs run, or 0: they idle */
	uint32_t kind;        /* enum ks_routine_kind */
	uint32_t reserved;
};
/* guest.ld divides the table's size by this to count the entries */
#define KS_GUEST_ROUTINE_SIZE 32
_Static_assert(sizeof(struct ks_guest_routine) == KS_GUEST_ROUTINE_SIZE,
	       "struct ks_guest_routine: guest.ld counts entries of 32 bytes");

/* What the guest runs on (mailbox.backend); picks hypercall and IRQ enable. */
enum ks_gbackend {
	KS_GB_UNKNOWN = 0,
	KS_GB_X86_VMX,   /* hypercall: VMCALL */
	KS_GB_X86_SVM,   /* hypercall: VMMCALL */
	KS_GB_X86_PVM,   /* hypercall: int $0x1b; interrupt flag in the VIF page */
	KS_GB_ARM64_KVM, /* hypercall: HVC */
	KS_GB_ARM64_GUNYAH,
};

/* Guest-to-host messages (ks_ucall.cmd). */
enum ks_ucall_cmd {
	KS_UC_NONE = 0,
	KS_UC_PRINT,        /* msg: text for the host log */
	KS_UC_PHASE_BEGIN,  /* the measured phase starts (host snapshots stats) */
	KS_UC_PHASE_END,    /* the measured phase ended */
	KS_UC_SYNC,         /* args[0]: a request code, host answers in mailbox */
	KS_UC_DONE,         /* finished; args[0]: number of samples written */
	KS_UC_FAIL,         /* guest assertion: args[0]=line, msg=text */
	KS_UC_EXCEPTION,    /* args: vector, pc, error code, fault address */
};

/* KS_UC_SYNC request codes. */
enum ks_sync_code {
	KS_SYNC_REGION_PLEASE = 1, /* mem touch: lend me the next region */
	KS_SYNC_REGION_DONE,       /* mem touch: args[1] = ticks for the region */
	KS_SYNC_MORE,              /* batch loop, adaptive: args[1] = batches so far; the
				      host answers with the next round's `batches` (0: done) */
};

/* host_go's value that ends the irq routine (after the last interrupt's pings) */
#define KS_IRQ_GO_DONE (~0ULL)

/* irq_mode: how the guest waits for an interrupt. */
enum ks_irq_mode { KS_IRQ_SPIN = 0, KS_IRQ_HALT = 1 };

/*
 * The irq_race test hook's windows: where the guest lingers, after it
 * published irq_armed ("about to wait"), while the host fires.
 *  MASKED:  interrupts still masked, before the wait enables them (the
 *           interrupt becomes pending while masked);
 *  ENABLED: interrupts enabled, before the halt instruction. Only a wait
 *           path with such a point has this window (PVM: its critical region,
 *           guests/x86_64/entry.S); "sti; hlt" (VMX, SVM) and WFI with
 *           interrupts masked (arm64) have none, and the guest does not linger.
 */
enum ks_race_window { KS_RACE_MASKED = 1, KS_RACE_ENABLED = 2 };

struct ks_ucall {
	uint64_t cmd;
	uint64_t args[4];
	char msg[96];
};

#define KS_CACHELINE 64

/*
 * One page at an arch-defined GPA (KS_MAILBOX_GPA in the arch layout).
 * Fields the host and guest poll concurrently sit on their own cache lines.
 */
struct ks_mailbox {
	uint64_t magic;
	uint64_t abi_version;
	/* host -> guest: the job */
	uint32_t routine;         /* index into the image's routine table */
	uint32_t backend;
	uint64_t warmup_batches;
	volatile uint64_t batches;   /* adaptive: rewritten by the host between rounds */
	uint64_t batch_size;
	uint64_t adaptive;           /* 1: after each round ask KS_SYNC_MORE */
	uint64_t samples_gpa;     /* u64 array of per-batch tick deltas */
	uint64_t samples_cap;
	uint64_t user_pio_port;
	uint64_t user_mmio_gpa;
	uint64_t kernel_pio_port;
	uint64_t kernel_mmio_gpa;
	uint64_t kernel_pio_in_port;
	uint64_t kernel_mmio_read_gpa;
	uint64_t msr_index;
	uint64_t hypercall_nr;
	uint64_t region_gpa;      /* mem touch: where lent regions appear */
	uint64_t region_size;
	uint64_t region_stride;   /* bytes between touches (page size) */
	volatile uint64_t region_count;  /* regions the host lends; it may raise this in
					    its answer to a REGION_DONE (more rounds) */
	uint64_t irq_vector;
	uint64_t irq_mode;
	uint64_t arch_scratch[8]; /* arch-private (x86: vCPU 0's VIF page GPA, the
				     others' follow; LAPIC GPA) */
	/* guest -> host */
	struct ks_ucall ucall;
	uint64_t hypercall_ret;   /* what the hypercall returned, for the record */
	uint64_t tick_hz;         /* what the guest believes its counter runs at */
	uint64_t guest_info[8];   /* what the guest saw: arm64 vendor-hyp UID words
				     (x0..x3), x86 CPUID 0x40000000 signature */

	/*
	 * Clock calibration ping-pong: the host writes host_seq, the guest
	 * stamps guest_stamp and echoes the value in guest_seq. host_go lets
	 * the guest leave the ping loop and arm for interrupt host_go, or end
	 * (KS_IRQ_GO_DONE): the host decides how many interrupts as it goes.
	 */
	volatile uint64_t host_seq __attribute__((aligned(KS_CACHELINE)));
	volatile uint64_t host_go;
	/*
	 * Test hook (KVMSCOPE_FAULT=irq_race, never in a measurement): before
	 * it says go for interrupt race_irq, the host asks the guest to linger
	 * in a race window of its wait path (race_window: enum ks_race_window)
	 * until the interrupt is pending or delivered, or race_timeout_ticks
	 * passed. host_fired: the host wrote the eventfd of that interrupt.
	 */
	volatile uint64_t race_irq;       /* 1-based interrupt number; 0: none */
	volatile uint64_t race_window;
	volatile uint64_t host_fired;
	uint64_t race_timeout_ticks;
	volatile uint64_t guest_seq __attribute__((aligned(KS_CACHELINE)));
	volatile uint64_t guest_stamp;

	/* interrupt delivery: the guest handler stamps these */
	volatile uint64_t irq_count __attribute__((aligned(KS_CACHELINE)));
	volatile uint64_t irq_stamp;      /* counter value at handler entry */
	volatile uint64_t irq_eoi_ticks;  /* cost of the last EOI, in ticks */
	volatile uint64_t irq_armed;      /* guest: ready for the next one */
	volatile uint64_t irq_unexpected; /* deliveries beyond the one armed for */

	/* the irq_race test hook: what the guest did (see race_irq) */
	volatile uint64_t race_masked __attribute__((aligned(KS_CACHELINE)));
	volatile uint64_t race_masked_pending;   /* ...and saw the interrupt pending */
	volatile uint64_t race_enabled;
	volatile uint64_t race_enabled_delivered; /* ...and took the interrupt in the window */

	/* virtual IPI: vCPU 1's handler stamps these */
	volatile uint64_t ipi_count __attribute__((aligned(KS_CACHELINE)));
	volatile uint64_t ipi_stamp;
	volatile uint64_t secondary_ready;
};

_Static_assert(sizeof(struct ks_mailbox) <= 4096, "mailbox must fit a page");

/* Sits at offset 0 of every guest image (section .ks_header). */
struct ks_image_header {
	/*
	 * Code at the image's first byte, for backends that enter a guest at
	 * its memory base rather than at `entry` (Gunyah's resource manager
	 * enters at the image parcel's first byte): arm64 `b <entry>`, as the
	 * arm64 Linux Image header's code0; 0 on x86, which nothing enters
	 * here. The host checks it before relying on it.
	 */
	uint64_t boot;
	uint64_t magic;        /* KS_ABI_MAGIC */
	uint64_t abi_version;  /* KS_ABI_VERSION */
	uint64_t load_gpa;     /* where the image must be loaded */
	uint64_t entry;        /* entry point GPA */
	uint64_t image_end;    /* end of bss: loaded image + zeroed memory */
	uint64_t vectors;      /* arch: x86 table of 256 handler GPAs; arm64 VBAR */
	uint64_t routines;     /* GPA of the routine table (struct ks_guest_routine[]) */
	uint64_t nroutines;    /* its entries */
};

#endif
