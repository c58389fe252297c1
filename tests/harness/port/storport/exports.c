/*
 * storport.sys as a miniport sees it: the exports, the notifications and
 * extended functions behind the inline wrappers of
 * common/include/vw/storport.h, StorPort's spin locks and DPCs, and the
 * checks on each (context, IRQL, lock).  Each rule cites the page of
 * learn.microsoft.com/windows-hardware/drivers/ddi/storport/ it follows
 * (written storport/<page>).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "ram.h"

static struct vw_api_group storport_group;

struct stor_state *stor_state(struct vm *vm)
{
    return vw_port_state(vm, &storport_group, sizeof(struct stor_state));
}

struct stor_state *stor_state_if_any(struct vm *vm)
{
    if (vm->k == NULL || storport_group.slot >= VW_MAX_GROUPS)
        return NULL;
    return vm->k->port_state[storport_group.slot];
}

struct stor_cpu *stor_cpu(struct vm *vm, struct stor_adapter *a)
{
    static struct stor_cpu spare; /* only after an allocation failure (the run failed) */
    if (a->cpus == NULL) {
        a->ncpus = vw_cpu_count(vm);
        a->cpus = calloc(a->ncpus, sizeof(*a->cpus));
        if (a->cpus == NULL) {
            vw_fail(vm, "harness: out of host memory for StorPort's per-CPU state");
            return &spare;
        }
        vw_kernel_keep(vm, a->cpus);
    }
    unsigned n = vw_cpu_current(vm);
    return n < a->ncpus ? &a->cpus[n] : &spare;
}

/* Take (true when now held by this CPU: false when it spins and the
 * import runs again on resume, or the run failed) or drop a lock word. */
static bool lock_word(struct vm *vm, gva_t word, bool take, const char *who)
{
    vw_spinlock_note(vm, word, take, who);
    return !take || (!vm->failed && vw_cpu_lock_holder(vm, word) == (int)vw_cpu_current(vm));
}

const char *stor_ctx_name(enum stor_ctx ctx)
{
    static const char *const names[] = {
        "no miniport routine", "HwFindAdapter",    "HwInitialize", "HwPassiveInitializeRoutine",
        "HwBuildIo",           "HwStartIo",        "HwInterrupt",  "HwDpcRoutine",
        "HwResetBus",          "HwAdapterControl", "DriverEntry",  "HwTimer",
        "HwStateChange"};
    return names[ctx];
}

static const char *lock_name(unsigned lock)
{
    return lock == LOCK_DPC       ? "DpcLock"
           : lock == LOCK_STARTIO ? "StartIoLock"
           : lock == LOCK_MESSAGE ? "a message's lock"
                                  : "InterruptLock";
}

struct stor_adapter *stor_by_ext(struct vm *vm, gva_t ext, const char *who)
{
    struct stor_state *s = stor_state(vm);
    if (s->normal.registered && s->normal.ext != 0 && s->normal.ext == ext)
        return &s->normal;
    if (s->dumpcopy.registered && s->dumpcopy.ext != 0 && s->dumpcopy.ext == ext)
        return &s->dumpcopy;
    vw_fail(vm, "%s: 0x%" PRIx64 " is no adapter's device extension", who, ext);
    return NULL;
}

struct stor_req *stor_find_req(struct stor_adapter *a, gva_t srb)
{
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].state != REQ_FREE && a->reqs[i].srb == srb)
            return &a->reqs[i];
    return NULL;
}

bool stor_call(struct vm *vm, struct stor_adapter *a, enum stor_ctx ctx, unsigned irql,
               unsigned locks, gva_t fn, unsigned n, const uint64_t *args, uint64_t *ret)
{
    struct stor_cpu *c = stor_cpu(vm, a);
    struct stor_cpu saved = *c;
    unsigned saved_irql = vm->irql;
    c->ctx = ctx;
    c->held = c->held_at_entry = locks;
    a->removed_call_accesses = 0; /* the surprise-removal bound is per call (removal.c) */
    vm->irql = irql;
    /* The StartIo lock and StorPort's interrupt lock (the connected
     * interrupt's) are real lock words: while this CPU holds them another
     * CPU's DPC spins on them and no CPU takes the ISR (the ISR path holds
     * the interrupt lock already). */
    bool take_io = (locks & LOCK_BIT(LOCK_STARTIO)) &&
                   vw_cpu_lock_holder(vm, a->startio_word) != (int)vw_cpu_current(vm);
    bool take_int = (locks & LOCK_BIT(LOCK_INTERRUPT)) && a->intr != NULL &&
                    vw_cpu_lock_holder(vm, a->intr->object) != (int)vw_cpu_current(vm);
    if ((take_io && !lock_word(vm, a->startio_word, true, "StorPort StartIo lock")) ||
        (take_int && !stor_pci_interrupt_lock(vm, a, true))) {
        if (!vm->failed)
            vw_fail(vm,
                    "harness: StorPort would spin on a lock another CPU holds around %s "
                    "(not modelled)",
                    stor_ctx_name(ctx));
        *c = saved;
        vm->irql = saved_irql;
        return false;
    }
    uint64_t r = 0;
    stor_stall_begin(vm, c);
    bool ok = vw_call(vm, fn, n, args, &r);
    c = stor_cpu(vm, a);
    if (ok && !vm->failed && c->held != locks)
        vw_fail(vm, "storport: %s returned holding StorPort lock(s) 0x%x it took",
                stor_ctx_name(ctx), c->held & ~locks);
    if (take_int && ok && !vm->failed)
        stor_pci_interrupt_lock(vm, a, false);
    if (take_io && ok && !vm->failed)
        lock_word(vm, a->startio_word, false, "StorPort StartIo lock");
    *c = saved;
    vm->irql = saved_irql;
    if (ret)
        *ret = r;
    return ok && !vm->failed;
}

/* StorPort's DPCs run as KDPCs (see InitializeDpc): the running CPU's
 * queue, when its IRQL allows. */
/* HwTimer at DISPATCH_LEVEL holding the StartIo lock, with or without
 * concurrent channels (storport/nc-storport-hw_timer). */
bool stor_run_timer(struct vm *vm, struct stor_adapter *a)
{
    if (a->timer == 0 || a->timer_due > vm->k->interrupt_time || !a->started)
        return false;
    gva_t routine = a->timer;
    a->timer = 0; /* one shot: HwTimer may ask again */
    a->stats.timer_calls++;
    uint64_t args[1] = {a->ext};
    /* "If the miniport opts into multi-channel support, the StartIo spin
     * lock is still taken" (storport/nc-storport-hw_timer): only HwStartIo
     * goes without it. */
    stor_call(vm, a, CTX_TIMER, VW_DISPATCH_LEVEL, LOCK_BIT(LOCK_STARTIO), routine, 1, args, NULL);
    return true;
}

bool stor_run_dpcs(struct vm *vm, struct stor_adapter *a)
{
    (void)a;
    return vw_dpc_drain(vm);
}

void stor_request_complete(struct vm *vm, struct stor_adapter *a, gva_t srb)
{
    struct stor_req *r = stor_find_req(a, srb);
    if (r == NULL) {
        vw_fail(vm,
                "storport: RequestComplete for 0x%" PRIx64 ", an SRB StorPort never gave "
                "the miniport",
                srb);
        return;
    }
    /* "After this notification the port driver owns the request"
     * (srb/nf-srb-scsiportnotification, RequestComplete). */
    if (r->state == REQ_COMPLETED || r->completed_once) {
        vw_fail(vm, "storport: SRB 0x%" PRIx64 " completed twice", srb);
        return;
    }
    if (r->state == REQ_RETURNED_BY_RESET) {
        vw_fail(vm,
                "storport: SRB 0x%" PRIx64 " completed after the reset that returned it "
                "(HwResetBus must complete what it resets: storport/nc-storport-hw_reset_bus)",
                srb);
        return;
    }
    if (r->state != REQ_AT_MINIPORT) {
        vw_fail(vm, "storport: SRB 0x%" PRIx64 " completed before HwStartIo had it", srb);
        return;
    }
    if (!stor_check_device_released(vm, a, r) || !stor_check_sense(vm, r))
        return;
    uint8_t status = (uint8_t)vw_rd(vm, srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbStatus), 1);
    if ((status & SRB_STATUS_MASK) == SRB_STATUS_PENDING) {
        vw_fail(vm, "storport: SRB 0x%" PRIx64 " completed with SRB_STATUS_PENDING", srb);
        return;
    }
    r->state = REQ_COMPLETED;
    r->completed_once = true;
    r->done_cpu = stor_completion_cpu(vm, a, r);
    r->status = status;
    stor_latency_done(vm, a, r);
    if (!r->port_reset)
        stor_count(a, r, -1);
    a->stats.completed++;
    if ((status & SRB_STATUS_MASK) == SRB_STATUS_BUSY)
        stor_queue_busy(vm, a, r);
    else
        stor_queue_room(vm, a);
    if (a->busy_count > 0 && --a->busy_count == 0) {
        a->busy = false;
        stor_queue_kick(vm, a);
    }
}

/* ---- Locks (storport/nf-storport-storportacquirespinlock) ---------------- */

static void acquire_lock(struct vm *vm, struct stor_adapter *a, unsigned lock, gva_t handle)
{
    if (lock < LOCK_DPC || lock > LOCK_INTERRUPT) {
        vw_fail(vm, "StorPortAcquireSpinLock: lock kind %u is none StorPort has", lock);
        return;
    }
    /* FindAdapter, the passive routine, HwInitialize and the ISR may take
     * no StorPort lock (the page's table of routines and locks). */
    if (stor_cpu(vm, a)->ctx == CTX_FIND_ADAPTER || stor_cpu(vm, a)->ctx == CTX_PASSIVE_INIT ||
        stor_cpu(vm, a)->ctx == CTX_HW_INITIALIZE || stor_cpu(vm, a)->ctx == CTX_INTERRUPT) {
        vw_fail(vm, "StorPortAcquireSpinLock(%s) in %s, which may take no StorPort lock",
                lock_name(lock), stor_ctx_name(stor_cpu(vm, a)->ctx));
        return;
    }
    if (stor_cpu(vm, a)->held & LOCK_BIT(lock)) {
        vw_fail(vm, "StorPortAcquireSpinLock(%s) in %s: the lock is already held%s",
                lock_name(lock), stor_ctx_name(stor_cpu(vm, a)->ctx),
                (stor_cpu(vm, a)->held_at_entry & LOCK_BIT(lock))
                    ? " (StorPort holds it around this routine)"
                    : "");
        return;
    }
    if (lock != LOCK_INTERRUPT && (stor_cpu(vm, a)->held & LOCK_BIT(LOCK_INTERRUPT))) {
        vw_fail(vm,
                "StorPortAcquireSpinLock(%s) while holding InterruptLock: DPC and StartIo "
                "locks come first",
                lock_name(lock));
        return;
    }
    if (lock == LOCK_INTERRUPT && a->msi_locks_held > 0) {
        vw_fail(vm, "StorPortAcquireSpinLock(InterruptLock) while holding a message's lock "
                    "(StorPortAcquireMSISpinLock): the interrupt lock comes first");
        return;
    }
    /* Real lock words: a CPU that must spin for one runs this call again
     * when it resumes. */
    if (lock == LOCK_INTERRUPT && !stor_pci_interrupt_lock(vm, a, true))
        return;
    if (lock != LOCK_INTERRUPT &&
        !lock_word(vm, lock == LOCK_STARTIO ? a->startio_word : a->dpc_word, true, lock_name(lock)))
        return;
    stor_cpu(vm, a)->held |= LOCK_BIT(lock);
    vw_wr(vm, handle + VW_OFFSET(vm, STOR_LOCK_HANDLE, Lock), lock, 4);
    vw_wr(vm, handle + VW_OFFSET(vm, STOR_LOCK_HANDLE, Context), vm->irql, 1);
    unsigned irql = lock == LOCK_INTERRUPT ? STOR_DIRQL : VW_DISPATCH_LEVEL;
    if (vm->irql < irql)
        vm->irql = irql;
}

static void release_lock(struct vm *vm, struct stor_adapter *a, gva_t handle)
{
    unsigned lock = (unsigned)vw_rd(vm, handle + VW_OFFSET(vm, STOR_LOCK_HANDLE, Lock), 4);
    if (lock < LOCK_DPC || lock > LOCK_INTERRUPT || !(stor_cpu(vm, a)->held & LOCK_BIT(lock)) ||
        (stor_cpu(vm, a)->held_at_entry & LOCK_BIT(lock))) {
        vw_fail(vm, "StorPortReleaseSpinLock in %s: lock %u is not one the miniport acquired",
                stor_ctx_name(stor_cpu(vm, a)->ctx), lock);
        return;
    }
    stor_cpu(vm, a)->held &= ~LOCK_BIT(lock);
    if (lock == LOCK_INTERRUPT)
        stor_pci_interrupt_lock(vm, a, false);
    else
        lock_word(vm, lock == LOCK_STARTIO ? a->startio_word : a->dpc_word, false, lock_name(lock));
    vw_irql_set(vm, (unsigned)vw_rd(vm, handle + VW_OFFSET(vm, STOR_LOCK_HANDLE, Context), 1),
                "StorPortReleaseSpinLock");
}

/* ---- StorPortNotification (storport/nf-storport-storportnotification) ---- */

static void vw_StorPortNotification(struct vm *vm, const struct vw_api *api)
{
    unsigned type = (unsigned)vw_arg(vm, api, 0);
    unsigned v = vw_vararg_slot(vm, api);
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), "StorPortNotification");
    if (a == NULL)
        return;
    switch (type) {
    case 0: /* RequestComplete */
        stor_request_complete(vm, a, vw_slot(vm, api, v));
        return;
    case 1: /* NextRequest */
    case 2: /* NextLuRequest: ignored by StorPort */
        return;
    case 6: { /* RequestTimerCall(HwTimer, MiniportTimerValue in us): one
               * timer, replaced by the next request, 0 cancels
               * (storport/nc-storport-hw_timer); no timers in dump mode. */
        gva_t routine = vw_slot(vm, api, v);
        uint32_t us = (uint32_t)vw_slot(vm, api, v + 1);
        if (a->dump) {
            vw_fail(vm, "RequestTimerCall in dump mode: the dump port runs no timers");
            return;
        }
        a->timer = us != 0 ? routine : 0;
        unsigned late = stor_state(vm)->plant_timer_late; /* planted: due that many times later */
        a->timer_due = vm->k->interrupt_time + 10ull * us * (late > 1 ? late : 1);
        stor_timer_arm(vm, a);
        return;
    }
    case 3: /* ResetDetected */
    case 7: /* BusChangeDetected */
        vw_log(vm, "storport: notification %u", type);
        if (type == 7)
            a->stats.bus_changes++;
        return;
    case STOR_NOTIFY_STATE_CHANGE:
        stor_state_change_notify(vm, a, api, v);
        return;
    case 0x1000: { /* EnablePassiveInitialization: HwInitialize only
                    * (storport/nf-storport-storportenablepassiveinitialization) */
        gva_t ok = vw_slot(vm, api, v + 1);
        bool allowed = stor_cpu(vm, a)->ctx == CTX_HW_INITIALIZE && !a->dump;
        if (allowed)
            a->passive_routine = vw_slot(vm, api, v);
        a->passive_enabled = allowed;
        vw_wr(vm, ok, allowed, 4);
        return;
    }
    case 0x1001: { /* InitializeDpc */
        gva_t dpc = vw_slot(vm, api, v), routine = vw_slot(vm, api, v + 1);
        if (a->dump) {
            vw_fail(vm, "StorPortInitializeDpc in dump mode: the dump port runs no DPCs");
            return;
        }
        if (stor_cpu(vm, a)->ctx != CTX_PASSIVE_INIT && stor_cpu(vm, a)->ctx != CTX_FIND_ADAPTER)
            vw_log(vm,
                   "storport: StorPortInitializeDpc in %s (documented for the passive "
                   "routine)",
                   stor_ctx_name(stor_cpu(vm, a)->ctx));
        unsigned i = 0;
        while (i < a->ndpcs && a->dpcs[i].dpc != dpc)
            i++;
        if (i == STOR_MAX_DPC) {
            vw_fail(vm, "harness: hard limit: %u StorPort DPCs", STOR_MAX_DPC);
            return;
        }
        if (i == a->ndpcs)
            a->ndpcs++;
        a->dpcs[i] = (struct stor_dpc){.dpc = dpc, .routine = routine};
        /* A STOR_DPC starts with its KDPC and HW_DPC_ROUTINE has the
         * deferred routine's shape (storport/ns-storport-_stor_dpc): the
         * routine runs as the KDPC's, its context the device extension, at
         * DISPATCH_LEVEL on the CPU that issued it, racing the others. */
        vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine), routine);
        vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredContext), a->ext);
        return;
    }
    case 0x1002: { /* IssueDpc: KeInsertQueueDpc semantics */
        gva_t dpc = vw_slot(vm, api, v), ok = vw_slot(vm, api, v + 3);
        for (unsigned i = 0; i < a->ndpcs; i++)
            if (a->dpcs[i].dpc == dpc) {
                bool inserted =
                    vw_dpc_queue(vm, dpc, vw_slot(vm, api, v + 1), vw_slot(vm, api, v + 2));
                unsigned cpu = vw_cpu_current(vm);
                if (inserted) {
                    a->stats.dpcs_run++;
                    if (cpu < 32)
                        a->stats.dpc_cpus |= 1u << cpu;
                }
                vw_wr(vm, ok, inserted, 4);
                return;
            }
        vw_fail(vm, "StorPortIssueDpc on 0x%" PRIx64 ", never passed to StorPortInitializeDpc",
                dpc);
        return;
    }
    case 0x1003: /* AcquireSpinLock(kind, context, handle) */
        acquire_lock(vm, a, (unsigned)vw_slot(vm, api, v), vw_slot(vm, api, v + 2));
        return;
    case 0x1004: /* ReleaseSpinLock(handle) */
        release_lock(vm, a, vw_slot(vm, api, v));
        return;
    }
    vw_fail(vm, "StorPortNotification: type 0x%x is not emulated", type);
}

/* ---- StorPortExtendedFunction (storport/nf-storport-storportextendedfunction) */

static void vw_StorPortExtendedFunction(struct vm *vm, const struct vw_api *api)
{
    unsigned code = (unsigned)vw_arg(vm, api, 0), v = vw_vararg_slot(vm, api);
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), "StorPortExtendedFunction");
    if (a == NULL)
        return;
    uint32_t status = STOR_STATUS_SUCCESS;
    switch (code) {
    case 11: /* AcquireMSISpinLock(MessageId, &OldIrql) */
    case 12: /* ReleaseMSISpinLock(MessageId, OldIrql) */
        status = stor_msi_lock(vm, a, (unsigned)vw_slot(vm, api, v), vw_slot(vm, api, v + 1),
                               vw_slot(vm, api, v + 1), code == 11);
        if (vm->failed || (code == 11 && status != STOR_STATUS_SUCCESS))
            return; /* failed, or spins and runs again */
        break;
    case 13: { /* GetMessageInterruptInformation: never in the MSI routine */
        unsigned id = (unsigned)vw_slot(vm, api, v);
        gva_t info = vw_slot(vm, api, v + 1);
        if (stor_cpu(vm, a)->ctx == CTX_INTERRUPT) {
            vw_fail(vm, "StorPortGetMSIInfo inside the interrupt routine");
            return;
        }
        if (id >= a->msi_messages) {
            status = STOR_STATUS_UNSUCCESSFUL;
            break;
        }
        vw_wr(vm, info + VW_OFFSET(vm, MESSAGE_INTERRUPT_INFORMATION, MessageData), 0x4000 + id, 4);
        vw_wr(vm, info, id, 4);
        vw_wr(vm, info + VW_OFFSET(vm, MESSAGE_INTERRUPT_INFORMATION, MessageAddress), 0xfee00000,
              8);
        vw_wr(vm, info + VW_OFFSET(vm, MESSAGE_INTERRUPT_INFORMATION, InterruptLevel), STOR_DIRQL,
              4);
        vw_wr(vm, info + VW_OFFSET(vm, MESSAGE_INTERRUPT_INFORMATION, InterruptMode), 1, 4);
        break;
    }
    case 14: /* InitializePerformanceOptimizations(Query, Data) (perf.c) */
        status = stor_perf_opts(vm, a, (vw_slot(vm, api, v) & 0xff) != 0, vw_slot(vm, api, v + 1));
        if (vm->failed)
            return;
        break;
    case 15: /* GetStartIoPerformanceParameters(Srb, Params) (perf.c) */
        status = stor_startio_params(vm, a, vw_slot(vm, api, v), vw_slot(vm, api, v + 1));
        break;
    case 17: { /* GetCurrentProcessorNumber */
        gva_t pn = vw_slot(vm, api, v);
        unsigned cpu = vw_cpu_current(vm);
        vw_wr(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Group), cpu / 64, 2);
        vw_wr(vm, pn + VW_OFFSET(vm, PROCESSOR_NUMBER, Number), cpu % 64, 1);
        break;
    }
    default:
        vw_log(vm, "storport: StorPortExtendedFunction %u not emulated", code);
        status = STOR_STATUS_NOT_IMPLEMENTED;
    }
    vw_set_return(vm, status);
}

/* ---- Exports ----------------------------------------------------------- */

static vw_api_fn stor_driver_unload;
static const struct vw_api stor_unload_api = {
    "storport DriverUnload", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL, stor_driver_unload};

static void stor_driver_unload(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    struct stor_state *s = stor_state(vm);
    if (s->normal.started)
        vw_log(vm, "storport: unload with the adapter still started");
}

/* storport/nf-storport-storportinitialize: DriverEntry's last call. */
static void vw_StorPortInitialize(struct vm *vm, const struct vw_api *api)
{
    gva_t arg1 = vw_arg(vm, api, 0), arg2 = vw_arg(vm, api, 1), hwid = vw_arg(vm, api, 2);
    struct stor_state *s = stor_state(vm);
    /* Dump and hibernation copies get NULL for both (miniports.md 1). */
    bool dump = arg1 == 0 && arg2 == 0;
    struct stor_adapter *a = dump ? &s->dumpcopy : &s->normal;
    uint32_t size = (uint32_t)vw_rd(vm, hwid, 4);
    if (size != VW_SIZEOF(vm, HW_INITIALIZATION_DATA)) {
        vw_fail(vm, "StorPortInitialize: HwInitializationDataSize %u, not sizeof 0x%" PRIx64, size,
                VW_SIZEOF(vm, HW_INITIALIZATION_DATA));
        vw_set_return(vm, 0xc0000004u);
        return;
    }
#define HWID(m) vw_rdptr(vm, hwid + VW_OFFSET(vm, HW_INITIALIZATION_DATA, m))
    memset(a, 0, sizeof(*a));
    a->dump = dump;
    a->startio_word = vw_kalloc(vm, 8);
    a->dpc_word = vw_kalloc(vm, 8);
    a->find_adapter = HWID(HwFindAdapter);
    a->initialize = HWID(HwInitialize);
    a->start_io = HWID(HwStartIo);
    a->build_io = HWID(HwBuildIo);
    a->interrupt = HWID(HwInterrupt);
    a->reset_bus = HWID(HwResetBus);
    a->adapter_control = HWID(HwAdapterControl);
    /* Required routines; DMA-started and adapter-state must be NULL
     * (storport/ns-storport-_hw_initialization_data-r1). */
    const char *missing = !a->find_adapter      ? "HwFindAdapter"
                          : !a->initialize      ? "HwInitialize"
                          : !a->start_io        ? "HwStartIo"
                          : !a->interrupt       ? "HwInterrupt"
                          : !a->reset_bus       ? "HwResetBus"
                          : !a->adapter_control ? "HwAdapterControl"
                                                : NULL;
    if (missing != NULL || HWID(HwDmaStarted) || HWID(HwAdapterState)) {
        vw_fail(vm, "StorPortInitialize: %s",
                missing ? missing : "HwDmaStarted/HwAdapterState set");
        vw_set_return(vm, 0xc000000du);
        return;
    }
#undef HWID
    a->ext_size =
        (uint32_t)vw_rd(vm, hwid + VW_OFFSET(vm, HW_INITIALIZATION_DATA, DeviceExtensionSize), 4);
    a->srb_ext_size =
        (uint32_t)vw_rd(vm, hwid + VW_OFFSET(vm, HW_INITIALIZATION_DATA, SrbExtensionSize), 4);
    uint32_t types =
        (uint32_t)vw_rd(vm, hwid + VW_OFFSET(vm, HW_INITIALIZATION_DATA, SrbTypeFlags), 4);
    if (!(types & 2)) {
        vw_fail(vm,
                "StorPortInitialize: SrbTypeFlags 0x%x without "
                "SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK (only SRB_EX is emulated)",
                types);
        vw_set_return(vm, 0xc000000du);
        return;
    }
    a->hwid_copy = vw_pool_alloc(vm, size, VW_TAG('S', 't', 'o', 'r'), "storport", false);
    uint8_t buf[512];
    vw_read(vm, hwid, buf, size < sizeof(buf) ? size : sizeof(buf));
    vw_write(vm, a->hwid_copy, buf, size < sizeof(buf) ? size : sizeof(buf));
    a->registered = true;
    if (!dump) {
        s->driver_object = arg1;
        vw_wrptr(vm, arg1 + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload),
                 vw_kernel_routine(vm, &stor_unload_api));
    }
    vw_log(vm, "storport: %s registered (extension %u, SRB extension %u bytes)",
           dump ? "dump copy" : "miniport", a->ext_size, a->srb_ext_size);
    vw_set_return(vm, 0);
}

/* storport/nf-storport-storportgetuncachedextension: HwFindAdapter only;
 * the first call allocates, later ones return the same block. */
static void vw_StorPortGetUncachedExtension(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint32_t len = (uint32_t)vw_arg(vm, api, 2);
    if (a == NULL)
        return;
    if (stor_cpu(vm, a)->ctx != CTX_FIND_ADAPTER) {
        vw_fail(vm, "StorPortGetUncachedExtension in %s (HwFindAdapter only)",
                stor_ctx_name(stor_cpu(vm, a)->ctx));
        vw_set_return(vm, 0);
        return;
    }
    if (a->dump && len > VW_STOR_DUMP_MEMORY_LIMIT) {
        vw_fail(vm,
                "StorPortGetUncachedExtension: the dump copy asks for %u bytes; a miniport in "
                "dump mode may allocate at most %u",
                len, VW_STOR_DUMP_MEMORY_LIMIT);
        vw_set_return(vm, 0);
        return;
    }
    if (a->dump)
        a->stats.dump_uncached = len;
    if (a->uncached == 0) {
        a->uncached =
            vw_pool_alloc(vm, len, VW_TAG('S', 't', 'U', 'c'), "storport uncached", false);
        a->uncached_len = len;
        stor_dma(vm, a->uncached, len, true);
    } else if (len > a->uncached_len) {
        vw_set_return(vm, 0);
        return;
    }
    vw_set_return(vm, a->uncached);
}

/* storport/nf-storport-storportgetphysicaladdress: SRB-extension and
 * uncached-extension VAs too (upstream passes Srb NULL for both). */
static void vw_StorPortGetPhysicalAddress(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 2), lenp = vw_arg(vm, api, 3);
    uint64_t pa = vw_ram_pa(vm, va);
    if (pa == UINT64_MAX) {
        vw_fail(vm, "StorPortGetPhysicalAddress: 0x%" PRIx64 " is not in guest RAM", va);
        return;
    }
    uint64_t run = 0x1000 - (va & 0xfff);
    while (run < 0x100000 && vw_ram_pa(vm, va + run) == pa + run)
        run += 0x1000;
    if (lenp)
        vw_wr(vm, lenp, run, 4);
    vw_set_return(vm, pa);
}

/* storport/nf-storport-storportgetscattergatherlist: read-only, valid
 * until the request completes. */
static void vw_StorPortGetScatterGatherList(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    if (a == NULL)
        return;
    struct stor_req *r = stor_find_req(a, vw_arg(vm, api, 1));
    if (r == NULL || r->state != REQ_AT_MINIPORT) {
        vw_fail(vm, "StorPortGetScatterGatherList for an SRB the miniport does not own");
        return;
    }
    vw_set_return(vm, r->sg);
}

static void vw_StorPortBusy(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    if (a != NULL) {
        a->busy = true;
        a->busy_count = (unsigned)vw_arg(vm, api, 1);
    }
    vw_set_return(vm, 1);
}

static void vw_StorPortReady(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    if (a != NULL) {
        a->busy = false;
        a->busy_count = 0;
        stor_queue_kick(vm, a);
    }
    vw_set_return(vm, 1);
}

/* Held "until the time-out expires or the device resumes"
 * (storport/nf-storport-storportpause): Timeout in seconds; 0 (no
 * interval) is taken as held until StorPortResume. */
static void vw_StorPortPause(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint32_t timeout = (uint32_t)vw_arg(vm, api, 1);
    if (a != NULL) {
        a->paused = true;
        a->pause_until = timeout ? vm->k->interrupt_time + timeout * 10000000ull : 0;
        a->stats.pauses++;
        stor_queue_arm(vm, a);
    }
    vw_set_return(vm, 1);
}

static void vw_StorPortResume(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    if (a != NULL) {
        a->paused = false;
        a->pause_until = 0;
        stor_queue_arm(vm, a);
        stor_queue_kick(vm, a);
    }
    vw_set_return(vm, 1);
}

/* storport/nf-storport-storportsetdevicequeuedepth: the depth (> 0) of
 * the device at PathId, TargetId, Lun (path 0: the BTL8 addresses the
 * class layer sends); the other LUNs keep theirs. */
static void vw_StorPortSetDeviceQueueDepth(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint8_t target = (uint8_t)vw_arg(vm, api, 2), lun = (uint8_t)vw_arg(vm, api, 3);
    uint32_t depth = (uint32_t)vw_arg(vm, api, 4);
    unsigned i = 0;
    if (a == NULL || depth == 0) {
        vw_set_return(vm, false);
        return;
    }
    while (i < a->nlun_set && (a->lun_set[i].target != target || a->lun_set[i].lun != lun))
        i++;
    if (i == STOR_MAX_LUN_DEPTHS) {
        vw_fail(vm, "harness: hard limit: queue depths of %u LUNs set", STOR_MAX_LUN_DEPTHS);
        return;
    }
    if (i == a->nlun_set)
        a->nlun_set++;
    a->lun_set[i].target = target;
    a->lun_set[i].lun = lun;
    a->lun_set[i].depth = depth;
    a->lun_depth_last = depth;
    vw_set_return(vm, true);
}

/* The delay counts against the miniport routine running on this CPU
 * (stall.c). */
static void vw_StorPortStallExecution(struct vm *vm, const struct vw_api *api)
{
    uint32_t us = (uint32_t)vw_arg(vm, api, 0);
    stor_stall(vm, us);
    vw_time_advance(vm, 10 * (uint64_t)us);
}

/* At unload: the adapter must have been removed. */
static unsigned stor_report_leaks(struct vm *vm)
{
    struct stor_state *s = stor_state(vm);
    if (!s->normal.started)
        return 0;
    vw_log(vm, "leak: storport adapter never removed");
    return 1;
}

/* IRQL limits: the pages' "IRQL" lines; the notification and extended
 * function entries take any IRQL and check per type. */
static const struct vw_api stor_apis[] = {
    {"StorPortInitialize", VW_ALL_ARCHES, VW_STDCALL, 4, 0, VW_PASSIVE_LEVEL,
     vw_StorPortInitialize},
    {"StorPortNotification", VW_ALL_ARCHES, VW_CDECL, 2, 0, VW_HIGH_LEVEL, vw_StorPortNotification},
    {"StorPortExtendedFunction", VW_ALL_ARCHES, VW_CDECL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortExtendedFunction},
    {"StorPortGetUncachedExtension", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL,
     vw_StorPortGetUncachedExtension},
    {"StorPortGetPhysicalAddress", VW_ALL_ARCHES, VW_STDCALL, 4, 0, VW_HIGH_LEVEL,
     vw_StorPortGetPhysicalAddress},
    {"StorPortGetScatterGatherList", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortGetScatterGatherList},
    {"StorPortBusy", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL, vw_StorPortBusy},
    {"StorPortReady", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_HIGH_LEVEL, vw_StorPortReady},
    {"StorPortPause", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_DISPATCH_LEVEL, vw_StorPortPause},
    {"StorPortResume", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_DISPATCH_LEVEL, vw_StorPortResume},
    {"StorPortSetDeviceQueueDepth", VW_ALL_ARCHES, VW_STDCALL, 5, 0, VW_DISPATCH_LEVEL,
     vw_StorPortSetDeviceQueueDepth},
    {"StorPortStallExecution", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_HIGH_LEVEL,
     vw_StorPortStallExecution},
    /* PASSIVE_LEVEL only, checked in registry.c: the dump copy's calls
     * are refused there, not a failed run. */
    {"StorPortAllocateRegistryBuffer", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     stor_allocate_registry_buffer},
    {"StorPortFreeRegistryBuffer", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     stor_free_registry_buffer},
    {"StorPortRegistryRead", VW_ALL_ARCHES, VW_STDCALL, 6, 0, VW_HIGH_LEVEL, stor_registry_read},
    {"StorPortRegistryWrite", VW_ALL_ARCHES, VW_STDCALL, 6, 0, VW_HIGH_LEVEL, stor_registry_write},
};

VW_API_GROUP(storport, stor_apis, .report_leaks = stor_report_leaks)
