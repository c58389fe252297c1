/*
 * The emulated machine one scenario runs on: one unicorn CPU of one Windows
 * architecture, the guest address map, the loaded driver image and the
 * mini-kernel's bookkeeping.  Every other harness file works on a struct vm.
 *
 * Failures (a driver fault, a checker violation, a broken expectation) are
 * recorded once in vm->failure and stop emulation; every harness entry point
 * does nothing once vm->failed is set, so a scenario can simply carry on and
 * the first failure is what gets reported.
 */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

typedef uint64_t gva_t; /* guest virtual address */

enum vw_arch { VW_X86, VW_AMD64, VW_ARM64, VW_ARCH_COUNT };
#define VW_ARCH_BIT(a) (1u << (a))
#define VW_ALL_ARCHES  (VW_ARCH_BIT(VW_X86) | VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))

/* IRQLs shared by the three architectures. */
#define VW_PASSIVE_LEVEL  0
#define VW_APC_LEVEL      1
#define VW_DISPATCH_LEVEL 2
#define VW_HIGH_LEVEL     31

/* Pages after map.thunks: the import thunks (0), the kernel routines
 * (0x10000, nt/routine.c) and the sentinel return (machine/cpu.c). */
#define VW_SENTINEL_PAGE 0x20000

/* Guest address map of one architecture (see vm.c); ISRs and DPCs run on
 * the interrupt stack, VW_ISTACK_SIZE bytes at istack; work items on the
 * worker stack (wstack); MDL mappings go to mdl_map (kernel) and user (a
 * user-mode process's address space). */
#define VW_ISTACK_SIZE 0x10000
#define VW_WSTACK_SIZE 0x40000
struct vw_map {
    gva_t thunks, image, stack, stack_size, istack, wstack, kpcr, gdt, kheap, pool, mmio, kuser;
    gva_t mdl_map, user;
    gva_t copies; /* second images (pe_loader.h), VW_IMAGE_SPAN apart */
};

struct vw_import;
struct vw_kernel;
struct vw_bus;
struct vw_api;
struct vm;

/* What the machine asks of the kernel it runs (set by the kernel when it is
 * created, nt/kernel.c), so that the machine parts never call upward. */
struct vw_os {
    /* The loader binding an import: the kernel's entry for NAME, or NULL. */
    const struct vw_api *(*find_api)(const char *name, enum vw_arch arch);
    /* A data import's slot value, and whether the variable holds it
     * directly (see VW_DATA, api.h). */
    uint64_t (*data_import_value)(struct vm *vm, const struct vw_import *imp);
    bool (*data_import_direct)(const struct vw_import *imp);
    /* The imports are bound: install the thunk dispatcher. */
    bool (*bind_thunks)(struct vm *vm);
    /* vw_call (abi.c): the spin locks the running CPU holds, before a
     * call; the kernel's checks when the driver routine returned. */
    unsigned (*held_locks)(struct vm *vm);
    void (*after_call)(struct vm *vm, gva_t fn, unsigned held_before, unsigned irql_before);
    /* vw_call: a system thread's blocking wait stopped emulation (take
     * it; run the other threads, returning where to resume, 0: failed);
     * a DPC spins on another CPU's lock; the thread terminated itself. */
    bool (*take_block)(struct vm *vm);
    gva_t (*block)(struct vm *vm);
    bool (*take_suspend)(struct vm *vm);
    bool (*take_exit)(struct vm *vm);
    /* An inline IRQL write (amd64 mov cr8, cpu.c), then the point after
     * it: deliver what a lowered IRQL lets in. */
    void (*irql_set)(struct vm *vm, unsigned irql, const char *who);
    void (*irql_settle)(struct vm *vm);
    /* " (NULL page)", " (freed pool block ...)" or "" for a faulting
     * address; free P with the kernel state. */
    const char *(*describe_address)(struct vm *vm, gva_t va);
    void (*keep)(struct vm *vm, void *p);
};

/* Guest RAM (ram.h): one memfd, physical address = offset. */
struct vw_ram {
    int fd;
    uint8_t *host;
    uint64_t size;
    uint64_t reserved; /* top bytes given to devices (vw_ram_reserve), not to the pool */
    /* One byte per page of the pool arena: 1 while the pool has it handed
     * out (a live block's pages), 0 for guard, freed and unused pages. */
    uint8_t *live;
};

struct vw_image {
    gva_t base;
    uint64_t size;
    gva_t entry;
    uint64_t preferred_base;
    bool relocated; /* had base relocations applied */
};

/* Memory barrier instructions the driver executed (cpu_barrier.c), by what
 * they order: the virtio ring checkers compare them at publication points. */
#define VW_BARRIER_STORE   1u  /* earlier stores before later stores */
#define VW_BARRIER_LOAD    2u  /* earlier loads before later loads */
#define VW_BARRIER_FULL    4u  /* also earlier stores before later loads */
#define VW_BARRIER_ACQUIRE 8u  /* a load-acquire: later loads after that load */
#define VW_BARRIER_OWN     16u /* its own store also before later loads (host fence after) */
struct vw_barriers {
    uint64_t store, load, full;
    bool acquire;         /* a load-acquire ran; the next ring read takes it */
    uint64_t host_fences; /* host full fences issued for them (cpu_barrier.c) */
    bool plant_no_after;  /* planted: no host fence after an OWN-kind instruction */
};

struct vm {
    uc_engine *uc;
    enum vw_arch arch;
    unsigned ptr_size;
    struct vw_map map;
    const uint64_t *layout; /* build/layout/<arch>.bin, in layout-list.h order */

    struct vw_image image;
    struct vw_import *imports;
    unsigned thunks_bound; /* import slots the thunk hook covers */
    unsigned import_count;
    unsigned image_copies; /* second images loaded (vw_load_image_copy) */
    /* Host memory unicorn maps directly (the images' pages), freed after
     * unicorn is closed. */
    void **host_blocks;
    unsigned host_block_count;
    gva_t sentinel; /* return address of every call into the driver (cpu.c) */

    struct vw_barriers barriers;
    uint64_t insns; /* driver-image instructions run while counted (cpu_insns.c) */
    bool insns_hooked;
    bool insns_plant_no_flush; /* planted: counting starts without the flush */
    unsigned irql;
    unsigned depth;        /* nesting of calls into the driver */
    gva_t next_call_stack; /* top of the stack the next vw_call runs on (ISR/DPC) */
    gva_t thread_stack;    /* the running thread's stack top for outermost calls, 0 = main */
    bool call_cdecl;       /* the next vw_call's routine is cdecl on x86 (the caller pops) */
    gva_t kheap_next, kheap_mapped_end;
    /* KUSER_SHARED_DATA's page, read-only to the driver: the harness writes
     * it here (vw_kuser_write), since a unicorn write to a read-only page
     * rebuilds unicorn's whole memory map (per clock move). */
    uint8_t *kuser_host;

    struct vw_watchdog *watchdog; /* the outermost call's budget (watchdog.c) */
    struct vw_kernel *k;
    const struct vw_os *os;
    struct vw_bus *bus;
    struct vw_ram ram;

    bool failed;
    char failure[2048];
    char *log;
    size_t log_len, log_cap;

    /* An API the harness pretends not to have (the unimplemented-import
     * checker's scenario), or NULL. */
    const char *hidden_api;

    /* Where drivers are found (set by the runner). */
    const char *out_dir, *build_dir;
};

const char *vw_arch_name(enum vw_arch arch);
bool vw_arch_from_name(const char *name, enum vw_arch *arch);

/* Create the machine: CPU, address map, layout table, kernel state. */
struct vm *vw_vm_create(enum vw_arch arch, const char *out_dir, const char *build_dir);
/* vw_vm_create in two halves.  The template is what every run of ARCH
 * starts from (layout table, unicorn with its fixed mappings and hooks):
 * the runner makes one per arch before it forks, and each forked run
 * adopts its own copy-on-write copy, which then gets what is the run's
 * own (guest RAM, a fresh memfd; kernel state).  Unicorn starts no thread
 * and keeps its state in private memory, so a forked copy is the child's
 * alone.  Adopting takes TEMPLATE (freed on failure: NULL). */
struct vm *vw_vm_template(enum vw_arch arch, const char *out_dir, const char *build_dir);
struct vm *vw_vm_adopt(struct vm *template);
/* The end of a run whose process exits next: stop what would outlive it
 * (the kernel's destructors: back ends, threads), leave the rest (unicorn,
 * RAM, memory) to the exit, which frees it at less cost. */
void vw_vm_exit(struct vm *vm);
void vw_vm_destroy(struct vm *vm);

/* Record the first failure (with a short backtrace) and stop emulation. */
void vw_fail(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a line to the scenario log (shown when a scenario fails). */
void vw_log(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vw_vlog(struct vm *vm, const char *fmt, va_list ap);

/* Guest memory; a failed access records a failure and reads as 0. */
bool vw_read(struct vm *vm, gva_t va, void *buf, size_t len);
bool vw_write(struct vm *vm, gva_t va, const void *buf, size_t len);
uint64_t vw_rd(struct vm *vm, gva_t va, unsigned size);
void vw_wr(struct vm *vm, gva_t va, uint64_t value, unsigned size);
gva_t vw_rdptr(struct vm *vm, gva_t va);
void vw_wrptr(struct vm *vm, gva_t va, gva_t value);
/* Store SIZE bytes of VALUE at OFF in KUSER_SHARED_DATA (the clock). */
void vw_kuser_write(struct vm *vm, uint64_t off, uint64_t value, unsigned size);
/* Map fresh zeroed pages; page-aligned address and length. */
bool vw_map_pages(struct vm *vm, gva_t va, uint64_t len, uint32_t perms);
/* Map LEN bytes at VA (page-aligned) with PERMS over zeroed host memory the
 * harness writes directly (kept until unicorn is closed): writing a page the
 * driver may not write through uc_mem_write makes unicorn rebuild its
 * memory map twice per write.  The host pointer, or NULL (the run failed). */
uint8_t *vw_map_host_pages(struct vm *vm, gva_t va, uint64_t len, uint32_t perms);

/* Harness-owned kernel memory (objects the harness builds for the driver:
 * DRIVER_OBJECT, PDOs, IRPs, resource lists).  Zeroed, never freed, not
 * counted as driver pool. */
gva_t vw_kalloc(struct vm *vm, uint64_t size);

/* "image+0x1234" or the plain address, for messages. */
const char *vw_where(struct vm *vm, gva_t va, char buf[48]);
