/*
 * The mini-kernel's state and internal interfaces.  One loaded driver per
 * machine; objects the driver owns (pool, device objects, mappings,
 * callback registrations) are tracked so that unload can report leaks.
 */
#pragma once
#include "api.h"
#include "process.h"
#include "vm.h"
#include "vw_ntstatus.h"

#define VW_MAX_OBJECTS 64
#define VW_MAX_GROUPS  32 /* API groups: the core and plug-ins (api.h) */
/* The scenario's thread and 64 system threads: their kernel stacks fill
 * the window between the worker stack and the KPCR (k_thread.c); one more
 * fails the run by name. */
#define VW_MAX_THREADS 65
struct vw_threads;
struct vw_processes;
struct vw_handle_tables;
struct vw_sg_state;
struct vw_cpus;
struct dpc_targets;

/* A pool tag from four characters, in the byte order pool dumps show. */
#define VW_TAG(a, b, c, d)                                                                         \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

struct vw_pool_block {
    gva_t va, pages;
    uint64_t size, pages_len;
    uint32_t tag;
    gva_t caller;
    const char *kind;
    bool driver_owned, live;
};

struct vw_mapping {
    gva_t va;
    uint64_t len, map_len, phys;
};

/* PCI configuration space of a PDO, served through BUS_INTERFACE_STANDARD. */
struct vw_pci_ops {
    uint32_t (*read)(struct vm *vm, void *dev, uint32_t offset, unsigned size);
    void (*write)(struct vm *vm, void *dev, uint32_t offset, uint32_t value, unsigned size);
};

struct vw_pdo {
    gva_t obj;
    /* PnP requests that completed with success (scenario_end.c removes
     * what is left as the PnP manager would). */
    bool started, surprise_removed, removed;
    gva_t raw, translated; /* CM_RESOURCE_LISTs, 0 = none */
    unsigned messages;     /* message-signalled interrupts assigned */
    bool line;             /* a line-based interrupt assigned */
    const struct vw_pci_ops *pci;
    void *pci_dev;
    int bus_refs; /* BUS_INTERFACE_STANDARD references held by drivers */
    /* The bus driver's answer to IRP_MN_QUERY_INTERFACE (set by pnp/ for a
     * PCI function), given the status the sender set; NULL: that status. */
    uint32_t (*query_interface)(struct vm *vm, gva_t pdo, gva_t stack, uint32_t status);
};

/* Message-signalled interrupts per function: MSI-X's 2048 (PCI Local Bus,
 * the Table Size field); a PDO with more fails by name (pnp.c). */
#define VW_MAX_MESSAGES 2048u
/* A connected interrupt (IoConnectInterruptEx); own allocation, so that a
 * pointer held across a driver call stays valid. */
struct vw_interrupt {
    gva_t pdo, routine, context, object, table;
    bool message, live;
    unsigned messages, irql;
    gva_t msg_locks;        /* per-message lock words (vw_intr_connect_port), or 0 */
    unsigned pending_count; /* bits set in PENDING */
    uint64_t pending[VW_MAX_MESSAGES / 64]; /* bit per message (bit 0 for a line) */
};

struct vw_dpc_entry {
    gva_t dpc, arg1, arg2;
};

struct vw_adapter {
    gva_t obj, pdo;
    bool live;
};

struct vw_common_buffer {
    gva_t va, adapter;
    uint64_t pa, len;
    bool live;
};

struct vw_power_request {
    gva_t irp, pdo, completion, context;
    uint32_t minor, state;
};

/* A timer the driver set (k_timer.c): due and period in interrupt time. */
struct vw_timer {
    gva_t timer, dpc;
    uint64_t due, period;
    bool set;
};

/* A work item (k_workitem.c): harness-allocated or driver memory. */
struct vw_work_item {
    gva_t item, device, routine, context;
    bool live, queued, ex, allocated;
    bool ndis; /* NdisAllocateIoWorkItem's: the routine gets (Context, item) */
};

/* An MDL (k_mdl.c) and its mappings (MmMapLockedPagesSpecifyCache). */
struct vw_mdl {
    gva_t mdl;
    bool live, allocated;
};
struct vw_mdl_mapping {
    gva_t mdl, va, base;
    uint64_t len;
    bool user;
    unsigned process; /* a user mapping's process (k_process.c index) */
};

struct vw_spinlock_hold {
    gva_t lock, where;
};

/* Devices run at scheduling points (sched.c); true when they did or hold
 * work, so that a waiter keeps waiting. */
typedef bool vw_poll_fn(struct vm *vm, void *dev);
/* A device's hang check: HANG true when nothing can run any more (fail
 * naming the cause if the device knows one), false after the clock moved
 * (fail if the device has been stuck too long in virtual time). */
typedef void vw_stall_fn(struct vm *vm, void *dev, bool hang);
/* A device's next deferred event (a completion it delays, kernel.h's
 * virtual time), VW_NO_DEADLINE when none: a waiter with nothing else to
 * run moves the clock there. */
typedef uint64_t vw_next_due_fn(struct vm *vm, void *dev);
struct vw_poller {
    vw_poll_fn *fn;
    vw_stall_fn *stall;       /* optional: names a device-side hang */
    vw_next_due_fn *next_due; /* optional: deferred completions */
    void *dev;
};
/* Told about each common buffer (DMA memory a device may be pointed at). */
typedef void vw_dma_listener_fn(struct vm *vm, void *dev, uint64_t pa, uint64_t len, bool add);
/* Run by a waiter once, before it waits: another thread's action. */
typedef void vw_on_wait_fn(struct vm *vm, void *ctx);
/* An IRP's completion reached the top of its stack: true when the hook
 * owns IRP (a request it sent) and has finished it. */
typedef bool vw_irp_done_fn(struct vm *vm, gva_t irp);

/* Where the driver is in its life: what the end of a scenario still has to
 * check (scenario_end.c).  CRASHED: a bug check the scenario made on
 * purpose (vw_crash); the machine is gone, nothing is unloaded. */
enum vw_driver_state {
    VW_DRIVER_NONE,
    VW_DRIVER_LOADED,
    VW_DRIVER_UNLOADED,
    VW_DRIVER_CRASHED,
};

struct vw_kernel {
    enum vw_driver_state driver_state;
    struct vw_pool_block *pool;
    unsigned pool_count, pool_cap;
    gva_t pool_next;
    bool pool_plant_search_skips_last; /* planted: the search misses the newest block */

    struct vw_mapping *mappings; /* grows (vw_grow), like every table below so marked */
    unsigned mapping_count, mapping_cap;
    gva_t mmio_next;
    struct vw_pdo **pdos; /* grows (vw_grow); each kept, so pointers stay valid */
    unsigned pdo_count, pdo_cap;

    const char *driver_name;
    gva_t driver_object, registry_path, bus_driver;
    /* An emulated class driver's dispatch routine (hidclass's) and the host
     * code IoCallDriver runs for it instead of emulating a thunk (k_irp.c). */
    gva_t host_dispatch_routine;
    uint32_t (*host_dispatch)(struct vm *vm, gva_t device, gva_t irp);
    gva_t stack_guard; /* __stack_chk_guard, found by its initial value */
    uint64_t stack_guard_initial;

    gva_t completed_irp; /* last IRP whose completion reached the top */

    void **kept;
    unsigned kept_count;
    struct vw_destructor {
        void (*fn)(void *);
        void *p;
    } *destructors; /* grows (vw_grow) */
    unsigned destructor_count, destructor_cap;
    void ***grown; /* arrays vw_grow allocated, freed with the machine */
    unsigned grown_count;

    /* Kernel routines handed out as pointers (routine.c). */
    const struct vw_api *routines[64];
    unsigned routine_count;
    uint8_t *routine_host; /* the routine page's host copy (routine.c) */

    /* Interrupts and DPCs (k_intr.c, k_dpc.c). */
    struct vw_interrupt **interrupts; /* grows (vw_grow); each kept */
    unsigned interrupt_count, interrupt_cap;
    struct vw_cpus *cpus;            /* processors and their DPC queues (k_cpus.c) */
    struct dpc_targets *dpc_targets; /* KeSetTargetProcessorDpc[Ex] (k_dpc.c) */
    unsigned interrupts_delivered, dpcs_run;
    bool intr_empty_message_context; /* vw_intr_quirk_empty_context */
    struct {
        gva_t pdo;
        unsigned message, times;
        const char *import;
    } raise_at; /* vw_intr_raise_at_import */

    /* DMA (k_dma.c). */
    struct vw_adapter adapters[8];
    unsigned adapter_count;
    struct vw_common_buffer *buffers; /* grows (vw_grow) */
    unsigned buffer_count, buffer_cap;
    struct vw_dma_listener {
        vw_dma_listener_fn *fn;
        void *dev;
    } *dma_listeners; /* grows (vw_grow) */
    unsigned dma_listener_count, dma_listener_cap;

    /* Spin locks held now, in acquisition order (k_spinlock.c). */
    struct vw_spinlock_hold *held; /* grows (k_spinlock.c); swapped per CPU */
    unsigned held_count, held_cap;

    /* Scheduling (sched.c). */
    struct vw_poller *pollers; /* grows (vw_grow) */
    unsigned poller_count, poller_cap;
    bool in_sched, in_poll; /* in a point; a device poller runs */
    bool irql_lowered;      /* set by vw_irql_set, taken after the API (kernel.c) */
    bool point_unseeded;    /* the next point delivers as at seed 0 (k_intr.c, sched.c) */
    uint64_t sched_rng;     /* seeded injection points; 0 = every point */
    uint64_t run_seed;      /* the runner's seed, mixed into device streams (run_seed.c) */
    bool device_seed_fixed; /* devices keep their configured seed (vw_device_seed_fixed) */
    vw_on_wait_fn *on_wait;
    void *on_wait_ctx;
    vw_on_wait_fn *on_worker_point; /* vw_on_worker_point: once, after ..._skip points */
    void *on_worker_point_ctx;
    unsigned on_worker_point_skip;

    /* Virtual time in 100 ns units since boot (k_time.c). */
    uint64_t interrupt_time;
    /* Timers, work items, MDLs (k_timer.c, k_workitem.c, k_mdl.c). */
    struct vw_timer *timers; /* grows */
    unsigned timer_count, timer_cap, timers_fired;
    struct vw_work_item *work_items; /* grows */
    unsigned work_item_count, work_item_cap, work_items_run;
    unsigned in_worker;  /* nesting of work items running */
    struct vw_mdl *mdls; /* grows */
    unsigned mdl_count, mdl_cap;
    struct vw_mdl_mapping *mdl_maps; /* grows */
    unsigned mdl_map_count, mdl_map_cap;
    gva_t mdl_map_next, user_next;
    struct vw_threads *threads;      /* k_thread.c; NULL until the first thread */
    struct vw_sg_state *sg;          /* k_sg.c; NULL until the first SG list */
    void *port_state[VW_MAX_GROUPS]; /* plug-in groups' state (vw_port_state) */

    /* Object references taken by IoGetAttachedDeviceReference and not yet
     * dropped; driver-built synchronous IRPs (k_iomisc.c). */
    int object_refs;
    /* User-mode handles to kernel objects (k_ob.c) and the requesting
     * process's bitness (IoIs32bitProcess). */
    struct {
        gva_t object;
        bool live;
    } handles[40];
    unsigned handle_count;
    bool process_32bit;
    /* Processes (k_process.c): the running thread's process (an index;
     * VW_PROCESS_SYSTEM for system threads, work items, PnP) and the table;
     * user handles of scenario processes (handles.c). */
    unsigned process;
    struct vw_processes *processes;
    struct vw_handle_tables *handle_tables;
    bool fail_next_user_map; /* vw_fail_next_user_map */
    /* KeEnterCriticalRegion/KeEnterGuardedRegion nesting of the running
     * thread: normal kernel APCs are disabled while it is not 0. */
    unsigned critical_region;
    gva_t sync_irps[8];
    unsigned sync_irp_count;
    gva_t interface_names[8];
    unsigned interface_count;
    /* Per registered interface: its class GUID (as in memory) and whether
     * IoSetDeviceInterfaceState last enabled it (what user mode sees). */
    uint8_t interface_guids[8][16];
    bool interface_enabled[8];

    struct vw_power_request power_requests[4];
    unsigned power_request_count;

    /* Pages for MDLs (k_mmpages.c), named events and their handles
     * (k_kobjects.c), a routine MmGetSystemRoutineAddress does not know
     * (k_sysroutine.c). */
    struct vw_mm_pages *mm_pages;
    const char *hidden_routine;

    /* Cancellation (k_cancel.c). */
    bool cancel_lock_held;
    unsigned cancel_irql;
    gva_t cancel_routine_running; /* a cancel routine the harness called */

    /* Told about each IRP whose completion reached the top (k_irp.c). */
    vw_irp_done_fn **completion_hooks; /* grows (vw_grow) */
    unsigned completion_hook_count, completion_hook_cap;
    /* Each part's own state (vw_part_state). */
    struct vw_part_slot {
        const void *key;
        void *state;
    } *parts; /* grows (vw_grow) */
    unsigned part_count, part_cap;
};

bool vw_kernel_create(struct vm *vm);
void vw_kernel_destroy(struct vm *vm);
/* Free P with the kernel state (host allocations tied to this machine). */
void vw_kernel_keep(struct vm *vm, void *p);
/* Room for one more element in *ARRAY (COUNT used, *CAP allocated; new
 * elements zeroed), for the tables that grow as the driver asks: false
 * after failing the run naming WHAT when the host is out of memory.  The
 * array is freed with the machine; ARRAY must live as long (a field of the
 * kernel state or of memory given to vw_kernel_keep). */
bool vw_grow(struct vm *vm, void **array, unsigned *cap, unsigned count, size_t size,
             const char *what);
#define VW_GROW(vm, arr, count, cap, what)                                                         \
    vw_grow((vm), (void **)&(arr), &(cap), (count), sizeof(*(arr)), (what))
/* Call FN(P) when the machine goes away (before kept memory is freed). */
void vw_kernel_keep_fn(struct vm *vm, void (*fn)(void *), void *p);
/* A part's own per-machine state, found by the address of a static KEY of
 * that part: SIZE bytes zeroed on first use, freed with the machine (the
 * harness exits when the host is out of memory for it). */
void *vw_part_state(struct vm *vm, const void *key, size_t size);
/* " (NULL page)", " (freed pool block ...)" or "" for a faulting address. */
const char *vw_kernel_describe_address(struct vm *vm, gva_t va);
/* Install the thunk dispatcher once the imports are bound. */
bool vw_kernel_bind_thunks(struct vm *vm);

/* Kernel routines the driver reaches through pointers the kernel hands out
 * (BUS_INTERFACE_STANDARD, DMA_OPERATIONS): a slot on the routine page. */
gva_t vw_kernel_routine(struct vm *vm, const struct vw_api *api);
/* Checks when a driver routine returns to the kernel: no spin lock it took
 * still held, IRQL back where it was (called by vw_call). */
void vw_kernel_after_call(struct vm *vm, gva_t fn, unsigned held_before, unsigned irql_before);

/* Scheduling points: devices run, pending interrupts and DPCs are delivered
 * as the IRQL allows.  vw_sched_idle runs them until nothing happens;
 * true when something did. */
void vw_sched_point(struct vm *vm);
bool vw_sched_idle(struct vm *vm);
/* vw_sched_idle, then the clock moved to each device's next deferred
 * completion while one is due within VW_SETTLE_SPAN (never to a timer):
 * "let the devices answer" with asynchronous devices (a hung queue is left
 * to vw_run_for).  True when something ran. */
#define VW_SETTLE_SPAN 10000ull /* 1 ms */
bool vw_sched_settle(struct vm *vm);
void vw_sched_add_poller(struct vm *vm, vw_poll_fn *fn, void *dev);
/* Give the poller of DEV its next deferred event (vw_next_due_fn); the
 * earliest of every device's (VW_NO_DEADLINE when none). */
void vw_sched_add_next_due(struct vm *vm, vw_next_due_fn *fn, void *dev);
uint64_t vw_sched_next_due(struct vm *vm);
/* Give the poller of DEV a hang check (vw_stall_fn). */
void vw_sched_add_stall_check(struct vm *vm, vw_stall_fn *fn, void *dev);
/* Run every device's hang check (see vw_stall_fn). */
void vw_sched_check_stalls(struct vm *vm, bool hang);
void vw_dma_add_listener(struct vm *vm, vw_dma_listener_fn *fn, void *dev);

/* Interrupts (k_intr.c): a device raises message MESSAGE (0 for a line). */
void vw_intr_raise(struct vm *vm, gva_t pdo, unsigned message);
bool vw_intr_deliver(struct vm *vm);
/* A connection a port driver makes for its miniport (storport): PDO's
 * messages go to MESSAGE_ROUTINE (object, context, message), else its line
 * to LINE_ROUTINE (object, context); kernel routines.  PER_MESSAGE gives
 * each message its own lock (vw_intr_message_lock), held off like the
 * interrupt's.  NULL when the PDO has no interrupt. */
struct vw_interrupt *vw_intr_connect_port(struct vm *vm, gva_t pdo, gva_t message_routine,
                                          gva_t line_routine, gva_t context, bool per_message);
/* The lock word of message M (the interrupt's own without per-message locks). */
gva_t vw_intr_message_lock(const struct vw_interrupt *in, unsigned m);
unsigned vw_intr_report_leaks(struct vm *vm);
/* The running CPU's pending interrupts (k_intr.c); are any waiting for
 * CPU N. */
bool vw_intr_pending_on(struct vm *vm, unsigned n);
/* A call of the import NAME is about to run: vw_intr_raise_at_import. */
void vw_intr_import_point(struct vm *vm, const char *name);
/* The CPU an interrupt's message M (MESSAGE false: the line) targets. */
unsigned vw_intr_target_cpu(struct vm *vm, bool message, unsigned m);
/* Record the acquisition or release of LOCK by the running CPU, as a spin
 * lock (k_spinlock.c: balance and cross-CPU checks). */
void vw_spinlock_note(struct vm *vm, gva_t lock, bool acquired, const char *who);
/* Interrupt objects and their spin locks (KeSynchronizeExecution). */
vw_api_fn vw_KeSynchronizeExecution, vw_KeAcquireInterruptSpinLock, vw_KeReleaseInterruptSpinLock;

/* Processors (k_cpus.c).  CPUS from the environment (default 4) or
 * vw_cpus_set (pnp.h); the running CPU's IRQL is vm->irql and its spin
 * locks k->held.  See k_cpus.c for the model. */
bool vw_cpus_init(struct vm *vm);
void vw_cpus_free(struct vm *vm);
unsigned vw_cpu_count(struct vm *vm);
unsigned vw_cpu_current(struct vm *vm);
/* CPU N's DPC queue (*COUNT entries); append one. */
struct vw_dpc_entry *vw_cpu_dpcs(struct vm *vm, unsigned n, unsigned **count);
bool vw_cpu_dpc_push(struct vm *vm, unsigned n, struct vw_dpc_entry e);
/* A DPC queued on any CPU: EXACT, or (EXACT 0) one inside START..+LEN;
 * REMOVE dequeues it. */
bool vw_cpu_dpc_queued_in(struct vm *vm, gva_t start, uint64_t len, bool remove, gva_t exact);
/* The stack for an ISR or DPC entering the running CPU's interrupt stack
 * (0: nested below the frame already there), and its leaving. */
gva_t vw_cpu_enter_istack(struct vm *vm);
void vw_cpu_leave_istack(struct vm *vm);
/* Run a DPC routine on the running CPU; false when it failed or spins. */
bool vw_cpu_call_dpc(struct vm *vm, gva_t routine, const uint64_t *args);
/* The DPC routine running on the running CPU (a number unique on that
 * CPU, counting from 1), 0 when none: what a stall is charged to. */
uint64_t vw_cpu_dpc_running(struct vm *vm);
bool vw_cpu_spinning(struct vm *vm);
/* vw_call: the routine stopped spinning on a lock (returns at once). */
bool vw_cpu_take_suspend(struct vm *vm);
/* Spin locks across CPUs: the CPU holding LOCK (-1: none); wait for its
 * holder (false: the running CPU now spins, or a failure); a release. */
int vw_cpu_lock_holder(struct vm *vm, gva_t lock);
/* Does CPU N hold any spin lock now? */
bool vw_cpu_holds_locks(struct vm *vm, unsigned n);
bool vw_cpu_wait_holder(struct vm *vm, gva_t lock, const char *who);
void vw_cpu_released(struct vm *vm, gva_t lock);
/* At a scheduling point: other CPUs' work; KeFlushQueuedDpcs. */
bool vw_cpu_run_others(struct vm *vm, bool seeded);
/* Run FN(VM, ARG) on CPU N at PASSIVE_LEVEL from the scenario, then N's DPCs
 * (k_cpus.c: the scenario's own work on another processor). */
bool vw_cpu_run_as(struct vm *vm, unsigned n, bool (*fn)(struct vm *, void *), void *arg);
void vw_cpu_flush_dpcs(struct vm *vm);
uint64_t vw_cpu_other_runs(struct vm *vm);
uint64_t vw_cpu_spins(struct vm *vm);
/* The index of the processor a PROCESSOR_NUMBER at PN names. */
unsigned vw_processor_index(struct vm *vm, gva_t pn);
/* A seeded coin (sched.c): true on about half the calls, always unseeded. */
bool vw_sched_coin(struct vm *vm);
/* The seed a device created now draws its random streams from: its
 * configured SEED mixed with the run seed; SEED itself at run seed 0 or
 * once a scenario fixed the device streams (run_seed.c). */
uint32_t vw_device_seed(struct vm *vm, uint32_t seed);
/* IRQL lowered: deliver what became deliverable (kernel.c, cpu.c). */
void vw_irql_lowered(struct vm *vm);

/* DPCs (k_dpc.c). */
bool vw_dpc_drain(struct vm *vm);
void vw_dpc_free_targets(struct vm *vm);
vw_api_fn vw_KeSetTargetProcessorDpcEx, vw_KeSetTargetProcessorDpc;
vw_api_fn vw_KeGetCurrentProcessorNumberEx, vw_KeQueryActiveProcessorCountEx,
    vw_KeQueryMaximumProcessorCountEx, vw_KeGetProcessorNumberFromIndex,
    vw_KeQueryActiveProcessorCount, vw_KeGetCurrentProcessorNumber;
bool vw_dpc_queued_in(struct vm *vm, gva_t start, uint64_t len);
/* DMA (k_dma.c). */
unsigned vw_dma_report_leaks(struct vm *vm);
/* Objects by handle (k_ob.c): a user-mode process's event, as a handle
 * value for IOCTLs, and its KEVENT (to check vw_event_signalled). */
uint64_t vw_user_event(struct vm *vm, gva_t *event);
/* ObReferenceObjectByHandle for a handle vw_user_event gave: true when
 * HANDLE is one (the call is then answered), false otherwise. */
bool vw_ob_reference_user_handle(struct vm *vm, const struct vw_api *api);
/* What a data import's slot holds (VW_DATA in the API table). */
struct vw_import;
uint64_t vw_data_import_value(struct vm *vm, const struct vw_import *imp);

/* Processes (k_process.c).  Index 0 is the System process, 1 the
 * scenario's own process (administrator token); vw_process_new makes
 * another; vw_process_notify calls the drivers' process-notify routines
 * in the process's context (CREATE or exit); vw_process_end marks it gone. */
#define VW_MAX_PROCESSES 16u
unsigned vw_process_new(struct vm *vm, unsigned token, unsigned parent);
bool vw_process_live(struct vm *vm, unsigned process);
unsigned vw_process_token(struct vm *vm, unsigned process);
uint64_t vw_process_pid(struct vm *vm, unsigned process);
void vw_process_notify(struct vm *vm, unsigned process, bool create);
void vw_process_end(struct vm *vm, unsigned process);
unsigned vw_process_report_leaks(struct vm *vm);
/* User mappings (k_mdl.c) still held in PROCESS, each logged. */
unsigned vw_mdl_user_mappings(struct vm *vm, unsigned process);
/* Exceptions (k_except.c): raise CODE in the driver at the current kernel
 * call (API, which raises).  With no handler of the driver
 * covering the call site this is a bug check (0x1E KMODE_EXCEPTION_NOT_
 * HANDLED, or 0x7E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED in the System
 * process); true when a handler took it (the CPU then continues there and
 * the API must not set a return value). */
bool vw_raise(struct vm *vm, uint32_t code, const struct vw_api *api);
/* Requests on a handle's file object (requests.c), for handles.c:
 * IRP_MJ_CREATE with a fresh FILE_OBJECT, IRP_MJ_CLEANUP, IRP_MJ_CLOSE. */
uint32_t vw_irp_file_create(struct vm *vm, gva_t device, gva_t file);
uint32_t vw_irp_file_cleanup(struct vm *vm, gva_t device, gva_t file);
uint32_t vw_irp_file_close(struct vm *vm, gva_t device, gva_t file);
/* Handles of scenario processes (handles.c): the access a handle of
 * PROCESS to FILE was granted (false: the process has no such handle). */
bool vw_handle_access(struct vm *vm, unsigned process, gva_t file, uint32_t *access);

/* Security (k_security.c): may a process of TOKEN open DEVICE with
 * DESIRED access; *GRANTED is what its handle gets. */
bool vw_security_access_check(struct vm *vm, gva_t device, unsigned token, uint32_t desired,
                              uint32_t *granted);
/* The PnP manager after AddDevice: PDO's Security value (vw_device_security)
 * on every object of its stack; SeExports' structure; ZwClose of a handle
 * from ObOpenObjectByPointer (true when it was one). */
void vw_security_apply_stack(struct vm *vm, gva_t pdo);
gva_t vw_security_exports(struct vm *vm);
bool vw_security_close_handle(struct vm *vm, uint64_t handle);
/* Who set DEVICE's security descriptor (for messages). */
const char *vw_security_source(struct vm *vm, gva_t device);
/* A data import whose variable holds the value itself (SeExports, a
 * PSE_EXPORTS) rather than a pointer to it. */
bool vw_data_import_direct(const struct vw_import *imp);

/* Power rules (k_power.c): the final STATUS of a power IRP (MINOR, TYPE 0
 * system / 1 device, STATE as in the IRP) against what a driver may fail. */
void vw_power_check_final(struct vm *vm, unsigned minor, unsigned type, unsigned state,
                          uint32_t status);

/* APCs (k_apc.c): a wait (without time-out when NO_TIMEOUT) on OBJECT and
 * a KeSetEvent, for the event-used-as-a-lock check; the running thread's
 * number (k_thread.c, 0 = the scenario's). */
void vw_apc_note_wait(struct vm *vm, gva_t object, bool no_timeout);
void vw_apc_note_set(struct vm *vm, gva_t event);
unsigned vw_thread_current(struct vm *vm);

/* Misc object bookkeeping at unload (k_iomisc.c). */
unsigned vw_iomisc_report_leaks(struct vm *vm);
unsigned vw_registry_report_leaks(struct vm *vm);
/* Virtual clock (k_time.c).  A due time as the kernel takes it (negative:
 * relative in 100 ns units, positive: absolute system time) in interrupt
 * time. */
void vw_time_advance(struct vm *vm, uint64_t units_100ns);
uint64_t vw_time_due(struct vm *vm, int64_t due);
/* DPCs (k_dpc.c): queue DPC with its system arguments; false if queued. */
bool vw_dpc_queue(struct vm *vm, gva_t dpc, gva_t arg1, gva_t arg2);
/* Dispatcher objects (k_wait.c): signalled state, and the wait core used by
 * every waiting API: runs everything else until one (or, WAIT_ALL, every)
 * object is signalled or DEADLINE (interrupt time, ~0 = none) passes.
 * Returns the index satisfied, VW_WAIT_TIMEOUT or VW_WAIT_DEADLOCK. */
#define VW_WAIT_TIMEOUT  (-1)
#define VW_WAIT_DEADLOCK (-2)
#define VW_NO_DEADLINE   (~0ull)
int vw_wait(struct vm *vm, const gva_t *objects, unsigned count, bool wait_all, uint64_t deadline);
/* Timers (k_timer.c): fire those due now (signal, queue the DPC); the
 * earliest due time (VW_NO_DEADLINE when none is set). */
bool vw_timer_expire(struct vm *vm);
uint64_t vw_timer_next_due(struct vm *vm);
/* The earliest moment anything is due: a timer or a device's deferred
 * completion (what an idle waiter jumps the clock to). */
uint64_t vw_next_due(struct vm *vm);
bool vw_timer_set_in(struct vm *vm, gva_t start, uint64_t len);
/* A port driver's own timer (KTIMER at TIMER, initialized on first use):
 * one shot at interrupt time DUE queueing DPC; true if it was set.
 * Cancel: not set any more. */
bool vw_timer_set_at(struct vm *vm, gva_t timer, uint64_t due, gva_t dpc);
void vw_timer_cancel(struct vm *vm, gva_t timer);
unsigned vw_timer_report_leaks(struct vm *vm);
/* Work items (k_workitem.c): run queued ones at PASSIVE_LEVEL. */
bool vw_workitem_run(struct vm *vm);
bool vw_workitem_queued_in(struct vm *vm, gva_t start, uint64_t len);
unsigned vw_workitem_report_leaks(struct vm *vm);
/* NDIS I/O work items (port/ndis/timer.c) on the same worker: a new item
 * (0 when out of memory), queue ROUTINE(CONTEXT, item), free it; false and
 * the run failed on an unknown, queued-twice or still-queued item. */
gva_t vw_workitem_ndis_alloc(struct vm *vm, gva_t owner);
bool vw_workitem_ndis_queue(struct vm *vm, gva_t item, gva_t routine, gva_t context,
                            const char *who);
bool vw_workitem_ndis_free(struct vm *vm, gva_t item, const char *who);
/* MDLs (k_mdl.c). */
unsigned vw_mdl_report_leaks(struct vm *vm);
/* The physical runs of LEN bytes from VA in MDL's chain (coalesced);
 * count, or 0 after a failure naming WHO. */
unsigned vw_mdl_phys(struct vm *vm, gva_t mdl, gva_t va, uint64_t len, uint64_t *pa, uint64_t *plen,
                     unsigned max, const char *who);
/* DMA (k_dma.c, k_sg.c): tell the device models about DMA-able memory;
 * fill the scatter/gather operations of a new adapter; SG lists left. */
void vw_dma_announce(struct vm *vm, uint64_t pa, uint64_t len, bool add);
void vw_sg_fill_ops(struct vm *vm, gva_t dmaops);
bool vw_sg_outstanding(struct vm *vm, gva_t adapter);
unsigned vw_sg_report_leaks(struct vm *vm);
/* Consume a satisfied wait: the index satisfied, or -1 (k_wait.c). */
int vw_wait_consume(struct vm *vm, const gva_t *objects, unsigned count, bool wait_all);
/* System threads (k_thread.c).  vw_thread_wait blocks the current thread
 * (KIND: 0 single, 1 any, 2 all, 3 delay) when it can switch threads and
 * returns false otherwise; vw_call then takes the block and runs
 * vw_thread_block, which returns the PC to resume at (0: failed). */
bool vw_thread_active(struct vm *vm);
bool vw_thread_wait(struct vm *vm, const gva_t *objects, unsigned count, int kind,
                    uint64_t deadline);
bool vw_thread_take_block(struct vm *vm);
bool vw_thread_take_exit(struct vm *vm);
gva_t vw_thread_block(struct vm *vm);
bool vw_thread_skip(struct vm *vm, gva_t thunk);
/* A kernel call (before its API runs): the vw_preempt_at switch, if due;
 * true when the call must not run now (it runs when the thread resumes). */
bool vw_thread_preempt_point(struct vm *vm, const char *name);
void vw_thread_run_for(struct vm *vm, uint64_t units);
bool vw_thread_close_handle(struct vm *vm, uint64_t handle);
bool vw_thread_dereference(struct vm *vm, gva_t object);
unsigned vw_thread_report_leaks(struct vm *vm);
/* PDO records (k_pdo.c): the record of a PDO object, or NULL; a new one. */
struct vw_pdo *vw_pdo_find(struct vm *vm, gva_t obj);
struct vw_pdo *vw_pdo_add(struct vm *vm);

/* IRQL changes by inline code (CR8) or the IRQL APIs. */
void vw_irql_set(struct vm *vm, unsigned irql, const char *who);

/* Pool (guard pages on both sides, never reused). */
gva_t vw_pool_alloc(struct vm *vm, uint64_t size, uint32_t tag, const char *kind,
                    bool driver_owned);
bool vw_pool_free(struct vm *vm, gva_t va, const char *who);
unsigned vw_pool_report_leaks(struct vm *vm);
/* Planted (selftest/pool_search.c): the binary search over the blocks
 * stops one short, so the newest block is never found. */
void vw_pool_plant_search_skips_last(struct vm *vm);

/* IRPs (k_irp.c). */
gva_t vw_irp_alloc(struct vm *vm, unsigned stack_count);
gva_t vw_irp_next_stack(struct vm *vm, gva_t irp);
uint32_t vw_io_call_driver(struct vm *vm, gva_t device, gva_t irp);
void vw_io_complete(struct vm *vm, gva_t irp);
uint32_t vw_irp_status(struct vm *vm, gva_t irp);
void vw_irp_set_status(struct vm *vm, gva_t irp, uint32_t status);

/* Send an IRP to the top of PDO's stack as the I/O or PnP manager does
 * (pnp.c): FILL sets the first stack location up, DONE sees the completed
 * IRP before it is freed; returns the final status. */
uint32_t vw_send_irp(struct vm *vm, gva_t pdo, uint8_t major, uint8_t minor, uint32_t status,
                     void (*fill)(struct vm *, gva_t irp, gva_t stack, const void *),
                     void (*done)(struct vm *, gva_t irp, const void *), const void *ctx);

/* Driver-built synchronous IRPs: finish one that completed (k_iomisc.c). */
bool vw_io_sync_complete(struct vm *vm, gva_t irp);
/* Power IRPs from PoRequestPowerIrp: call the requester's completion
 * function, free the IRP (k_iomisc.c). */
bool vw_io_power_complete(struct vm *vm, gva_t irp);

/* Devices (k_io.c). */
gva_t vw_device_top(struct vm *vm, gva_t device);
/* A device object of DRIVER with EXT_SIZE bytes of extension, as
 * IoCreateDevice makes it (DO_DEVICE_INITIALIZING set); what a port driver
 * creates on its minidriver's behalf.  vw_device_delete undoes it. */
gva_t vw_device_create(struct vm *vm, gva_t driver, uint64_t ext_size, uint32_t type);
void vw_device_delete(struct vm *vm, gva_t dev);
gva_t vw_pdo_new(struct vm *vm);
unsigned vw_driver_device_count(struct vm *vm);

/* Events (k_ke.c), used by the remove-lock code too. */
void vw_event_init(struct vm *vm, gva_t event, unsigned type, bool signalled);
bool vw_event_signalled(struct vm *vm, gva_t event);
void vw_event_set(struct vm *vm, gva_t event);

/* Mm (k_mm.c). */
unsigned vw_mm_report_leaks(struct vm *vm);

/* Unicode strings in kernel memory. */
gva_t vw_unicode_string(struct vm *vm, const char *ascii);
bool vw_read_unicode_string(struct vm *vm, gva_t us, char *out, size_t cap);

/* Handlers, by kernel part. */
vw_api_fn vw_ExAllocatePoolWithTag, vw_ExAllocatePool2, vw_ExFreePoolWithTag, vw_ExFreePool;
vw_api_fn vw_IoCreateDevice, vw_IoDeleteDevice, vw_IoAttachDeviceToDeviceStack, vw_IoDetachDevice;
vw_api_fn vw_IofCallDriver, vw_IofCompleteRequest, vw_PoCallDriver, vw_PoStartNextPowerIrp;
vw_api_fn vw_IoInitializeRemoveLockEx, vw_IoAcquireRemoveLockEx, vw_IoReleaseRemoveLockEx,
    vw_IoReleaseRemoveLockAndWaitEx;
vw_api_fn vw_KeInitializeEvent, vw_KeSetEvent, vw_KeWaitForSingleObject;
vw_api_fn vw_KeGetCurrentIrql, vw_KfRaiseIrql, vw_KeRaiseIrqlToDpcLevel, vw_KfLowerIrql;
vw_api_fn vw_MmMapIoSpace, vw_MmUnmapIoSpace;
vw_api_fn vw_READ_REGISTER_UCHAR, vw_WRITE_REGISTER_UCHAR, vw_READ_PORT_UCHAR, vw_WRITE_PORT_UCHAR;
vw_api_fn vw_DbgPrint, vw_DbgPrintEx;
vw_api_fn vw_memcpy, vw_memmove, vw_memset;
vw_api_fn vw_READ_REGISTER_USHORT, vw_READ_REGISTER_ULONG, vw_WRITE_REGISTER_USHORT,
    vw_WRITE_REGISTER_ULONG, vw_READ_PORT_USHORT, vw_READ_PORT_ULONG, vw_WRITE_PORT_USHORT,
    vw_WRITE_PORT_ULONG;
vw_api_fn vw_KeClearEvent, vw_KeReadStateEvent;
vw_api_fn vw_IoConnectInterruptEx, vw_IoDisconnectInterruptEx;
vw_api_fn vw_KeInitializeDpc, vw_KeInsertQueueDpc, vw_KeRemoveQueueDpc, vw_KeFlushQueuedDpcs;
vw_api_fn vw_IoGetDmaAdapter;
vw_api_fn vw_KeAcquireSpinLockRaiseToDpc, vw_KeReleaseSpinLock, vw_KeAcquireSpinLockAtDpcLevel,
    vw_KeReleaseSpinLockFromDpcLevel, vw_KeAcquireInStackQueuedSpinLock,
    vw_KeReleaseInStackQueuedSpinLock;
vw_api_fn vw_KeStallExecutionProcessor, vw_KeQueryInterruptTime, vw_KeQuerySystemTime,
    vw_KeQueryPerformanceCounter;
vw_api_fn vw_IoGetAttachedDeviceReference, vw_ObfDereferenceObject, vw_IoBuildSynchronousFsdRequest,
    vw_IoRegisterDeviceInterface, vw_IoSetDeviceInterfaceState, vw_RtlFreeUnicodeString,
    vw_RtlInitUnicodeString, vw_RtlCmDecodeMemIoResource, vw_PoSetPowerState, vw_PoRequestPowerIrp;
vw_api_fn vw_IoIs32bitProcess, vw_DataImportCalled;
vw_api_fn vw_IoOpenDeviceRegistryKey, vw_ZwQueryValueKey, vw_ZwClose;
vw_api_fn vw_IoCreateSymbolicLink, vw_IoDeleteSymbolicLink;
vw_api_fn vw_IoAcquireCancelSpinLock, vw_IoReleaseCancelSpinLock;

/* k_names.c: device object names (IoCreateDevice with a name) and links. */
uint32_t vw_names_add_device(struct vm *vm, gva_t dev, gva_t name_us);
void vw_names_remove_device(struct vm *vm, gva_t dev);
unsigned vw_names_report_leaks(struct vm *vm);
void vw_io_unlink_device(struct vm *vm, gva_t driver, gva_t dev);
/* k_cancel.c */
bool vw_cancel_routine_returned(struct vm *vm, gva_t fn);
/* IoCancelIrp: mark IRP cancelled and run its cancel routine, if any, at
 * DISPATCH_LEVEL with the cancel spin lock held; true when a routine ran. */
bool vw_irp_cancel(struct vm *vm, gva_t irp);
/* IoCompleteRequest tells FN about each IRP that completed and that the
 * kernel itself did not send (once per FN; requests.c's pending requests). */
void vw_io_add_completion_hook(struct vm *vm, vw_irp_done_fn *fn);
/* requests.c: requests the scenario sent that never completed. */
unsigned vw_async_report_pending(struct vm *vm);
vw_api_fn vw_KeInitializeTimer, vw_KeInitializeTimerEx, vw_KeSetTimer, vw_KeSetTimerEx,
    vw_KeCancelTimer, vw_KeReadStateTimer;
vw_api_fn vw_KeWaitForMultipleObjects, vw_KeDelayExecutionThread;
vw_api_fn vw_IoAllocateWorkItem, vw_IoFreeWorkItem, vw_IoQueueWorkItem, vw_IoQueueWorkItemEx,
    vw_IoSizeofWorkItem, vw_IoInitializeWorkItem, vw_IoUninitializeWorkItem;
vw_api_fn vw_PsCreateSystemThread, vw_PsTerminateSystemThread, vw_ObReferenceObjectByHandle;
vw_api_fn vw_IoAllocateMdl, vw_IoFreeMdl, vw_MmBuildMdlForNonPagedPool, vw_MmProbeAndLockPages,
    vw_MmUnlockPages, vw_MmMapLockedPagesSpecifyCache, vw_MmUnmapLockedPages;
vw_api_fn vw_MmAllocatePagesForMdlEx, vw_MmFreePagesFromMdl;
vw_api_fn vw_IoCreateNotificationEvent;
vw_api_fn vw_MmGetSystemRoutineAddress, vw_MmGetPhysicalMemoryRangesEx2;

/* Named events (k_kobjects.c): the event of NAME (created on first use);
 * the scenario sets or clears it; ZwClose of an event handle. */
gva_t vw_named_event(struct vm *vm, const char *name);
void vw_named_event_set(struct vm *vm, const char *name, bool signalled);
bool vw_event_handle_close(struct vm *vm, uint64_t handle);
unsigned vw_event_handles_report_leaks(struct vm *vm);
/* MmGetSystemRoutineAddress returns NULL for NAME (an older Windows). */
void vw_hide_routine(struct vm *vm, const char *name);
/* Pages from MmAllocatePagesForMdlEx still held (k_mmpages.c). */
unsigned vw_mm_pages_report_leaks(struct vm *vm);
