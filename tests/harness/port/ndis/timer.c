/*
 * NDIS timers, I/O work items and sleeps on the harness scheduler.  A timer
 * object is NDIS memory holding a KTIMER and a KDPC whose routine is the
 * miniport's NDIS_TIMER_FUNCTION (the same four-pointer shape as a
 * KDEFERRED_ROUTINE): it fires on the virtual clock as every kernel timer
 * and runs at DISPATCH_LEVEL (ndis/nc-ndis-ndis_timer_function).  A work
 * item is a kernel work item whose routine gets (WorkItemContext,
 * NdisIoWorkItemHandle) at PASSIVE_LEVEL on the system worker
 * (ndis/nc-ndis-ndis_io_workitem_function).  What the adapter allocated is
 * checked when MiniportHaltEx returns (network/halting-a-miniport-adapter);
 * what the driver allocated at unload.
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"
#include "layout.h"
#include "vw_ke.h"

#define TIMER_DPC_AT   0x80 /* the KDPC's offset in the timer object */
#define TIMER_OBJ_SIZE 0xc0
/* NDIS_TIMER_CHARACTERISTICS (ndis/ns-ndis-_ndis_timer_characteristics):
 * the 4-byte header, ULONG AllocationTag, then two pointers, so the
 * function is at 8 on every arch (not in the layout table). */
#define TC_FUNCTION(vm) 8u
#define TC_CONTEXT(vm)  (8u + (vm)->ptr_size)
#define TC_SIZE(vm)     (8u + 2u * (vm)->ptr_size)

static struct ndis_timer *find_timer(struct vm *vm, gva_t obj, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    for (unsigned i = 0; i < NDIS_MAX_TIMERS; i++)
        if (s->timers[i].live && s->timers[i].obj == obj)
            return &s->timers[i];
    vw_fail(vm, "%s: 0x%" PRIx64 " is no timer object from NdisAllocateTimerObject", who, obj);
    return NULL;
}

static struct vw_timer *kernel_timer(struct vm *vm, gva_t obj)
{
    for (unsigned i = 0; i < vm->k->timer_count; i++)
        if (vm->k->timers[i].timer == obj)
            return &vm->k->timers[i];
    return NULL;
}

/* Is H a handle NDIS gave the driver (the driver's or the adapter's)? */
static bool ndis_handle(struct vm *vm, gva_t h, const char *who, bool *adapter)
{
    struct ndis_state *s = ndis_state(vm);
    *adapter = h != 0 && h == s->adapter;
    if (*adapter || (h != 0 && h == s->driver_handle))
        return true;
    vw_fail(vm, "%s: 0x%" PRIx64 " is neither the driver's nor the adapter's NDIS handle", who, h);
    return false;
}

/* (NdisHandle, TimerCharacteristics, &TimerObject) at <= DISPATCH
 * (ndis/nf-ndis-ndisallocatetimerobject): the characteristics' header is
 * NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS revision 1 of its size, and
 * TimerFunction is required (ndis/ns-ndis-_ndis_timer_characteristics). */
static void vw_NdisAllocateTimerObject(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    /* every argument is read before the return value is set (arm64's x0) */
    gva_t h = vw_arg(vm, api, 0), ch = vw_arg(vm, api, 1), out = vw_arg(vm, api, 2);
    bool adapter = false;
    vw_set_return(vm, VW_NDIS_STATUS_FAILURE);
    if (!ndis_handle(vm, h, api->name, &adapter))
        return;
    unsigned type = (unsigned)vw_rd(vm, ch, 1), rev = (unsigned)vw_rd(vm, ch + 1, 1);
    unsigned size = (unsigned)vw_rd(vm, ch + 2, 2);
    gva_t fn = vw_rdptr(vm, ch + TC_FUNCTION(vm));
    gva_t ctx = vw_rdptr(vm, ch + TC_CONTEXT(vm));
    if (type != VW_NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS || rev != 1 || size < TC_SIZE(vm) ||
        fn == 0) {
        vw_fail(vm,
                "NdisAllocateTimerObject: header type 0x%x revision %u size %u, TimerFunction "
                "0x%" PRIx64 " (needs NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS revision 1, its "
                "size and a function)",
                type, rev, size, fn);
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    struct ndis_timer *t = NULL;
    for (unsigned i = 0; i < NDIS_MAX_TIMERS && t == NULL; i++)
        if (!s->timers[i].live)
            t = &s->timers[i];
    if (t == NULL) {
        vw_fail(vm, "harness: more than %u NDIS timer objects (not modelled)", NDIS_MAX_TIMERS);
        return;
    }
    gva_t obj = vw_pool_alloc(vm, TIMER_OBJ_SIZE, NDIS_TAG, "NDIS timer object", false);
    struct vw_kernel *k = vm->k;
    if (obj == 0 || !VW_GROW(vm, k->timers, k->timer_count, k->timer_cap, "timers")) {
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCES);
        return;
    }
    k->timers[k->timer_count++] = (struct vw_timer){.timer = obj};
    vw_wr(vm, obj + VW_OFFSET(vm, KEVENT, Header.Type), VW_TIMER_NOTIFICATION, 1);
    gva_t dpc = obj + TIMER_DPC_AT;
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredRoutine), fn);
    vw_wrptr(vm, dpc + VW_OFFSET(vm, KDPC, DeferredContext), ctx);
    *t = (struct ndis_timer){.obj = obj, .context = ctx, .live = true, .adapter = adapter};
    vw_wrptr(vm, out, obj);
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* (TimerObject, DueTime, MillisecondsPeriod, FunctionContext) at <= DISPATCH
 * (ndis/nf-ndis-ndissettimerobject): DueTime negative is relative, positive
 * absolute (100 ns); a NULL FunctionContext keeps the characteristics' one;
 * TRUE when the timer was already queued. */
static void vw_NdisSetTimerObject(struct vm *vm, const struct vw_api *api)
{
    gva_t obj = vw_arg(vm, api, 0), ctx = vw_arg(vm, api, 3);
    int32_t period = (int32_t)vw_arg(vm, api, 2);
    vw_set_return(vm, 0);
    struct ndis_timer *t = find_timer(vm, obj, api->name);
    struct vw_timer *kt = t != NULL ? kernel_timer(vm, obj) : NULL;
    if (kt == NULL)
        return;
    if (period < 0) {
        vw_fail(vm, "NdisSetTimerObject: negative period %d ms", period);
        return;
    }
    vw_wrptr(vm, obj + TIMER_DPC_AT + VW_OFFSET(vm, KDPC, DeferredContext),
             ctx != 0 ? ctx : t->context);
    bool was = kt->set;
    kt->due = vw_time_due(vm, (int64_t)vw_arg(vm, api, 1));
    kt->period = (uint64_t)period * 10000;
    kt->dpc = obj + TIMER_DPC_AT;
    kt->set = true;
    t->periodic = period != 0;
    t->sets++;
    vw_set_return(vm, was);
}

/* (TimerObject) (ndis/nf-ndis-ndiscanceltimerobject): PASSIVE_LEVEL for a
 * periodic timer, else <= DISPATCH; TRUE when it was queued.  A DPC
 * already queued still runs, as the page warns. */
static void vw_NdisCancelTimerObject(struct vm *vm, const struct vw_api *api)
{
    gva_t obj = vw_arg(vm, api, 0);
    vw_set_return(vm, 0);
    struct ndis_timer *t = find_timer(vm, obj, api->name);
    struct vw_timer *kt = t != NULL ? kernel_timer(vm, obj) : NULL;
    if (kt == NULL)
        return;
    if (t->periodic && vm->irql != VW_PASSIVE_LEVEL) {
        vw_fail(vm,
                "IRQL: NdisCancelTimerObject of a periodic timer at IRQL %u (PASSIVE_LEVEL "
                "only: ndis/nf-ndis-ndiscanceltimerobject)",
                vm->irql);
        return;
    }
    vw_set_return(vm, kt->set);
    kt->set = false;
}

/* (TimerObject) at <= DISPATCH (ndis/nf-ndis-ndisfreetimerobject).  A timer
 * still queued would fire into freed memory: cancel first
 * (ndis/nf-ndis-ndiscanceltimerobject, "call NdisCancelTimerObject first
 * when they are halting or unloading"). */
static void vw_NdisFreeTimerObject(struct vm *vm, const struct vw_api *api)
{
    gva_t obj = vw_arg(vm, api, 0);
    struct ndis_timer *t = find_timer(vm, obj, api->name);
    struct vw_timer *kt = t != NULL ? kernel_timer(vm, obj) : NULL;
    if (kt == NULL)
        return;
    if (kt->set) {
        vw_fail(vm,
                "NdisFreeTimerObject: timer object 0x%" PRIx64 " is still set (cancel it "
                "first: ndis/nf-ndis-ndiscanceltimerobject)",
                obj);
        return;
    }
    if (vw_dpc_queued_in(vm, obj, TIMER_OBJ_SIZE)) {
        vw_fail(vm,
                "NdisFreeTimerObject: timer object 0x%" PRIx64 " has its callback queued "
                "(it would run on freed memory)",
                obj);
        return;
    }
    t->live = false;
    vw_pool_free(vm, obj, "NdisFreeTimerObject");
}

/* (NdisObjectHandle) at <= DISPATCH (ndis/nf-ndis-ndisallocateioworkitem):
 * the driver's or the adapter's handle; NULL on failure. */
static void vw_NdisAllocateIoWorkItem(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t h = vw_arg(vm, api, 0);
    bool adapter = false;
    vw_set_return(vm, 0);
    if (!ndis_handle(vm, h, api->name, &adapter))
        return;
    struct ndis_work *w = NULL;
    for (unsigned i = 0; i < NDIS_MAX_WORK && w == NULL; i++)
        if (!s->work[i].live)
            w = &s->work[i];
    if (w == NULL) {
        vw_fail(vm, "harness: more than %u NDIS work items (not modelled)", NDIS_MAX_WORK);
        return;
    }
    gva_t item = vw_workitem_ndis_alloc(vm, h);
    if (item == 0)
        return;
    *w = (struct ndis_work){.item = item, .live = true, .adapter = adapter};
    vw_set_return(vm, item);
}

/* (NdisIoWorkItemHandle, Routine, WorkItemContext) at <= DISPATCH
 * (ndis/nf-ndis-ndisqueueioworkitem): the routine runs later at PASSIVE. */
static void vw_NdisQueueIoWorkItem(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t item = vw_arg(vm, api, 0), routine = vw_arg(vm, api, 1);
    if (routine == 0) {
        vw_fail(vm, "NdisQueueIoWorkItem: no routine");
        return;
    }
    if (vw_workitem_ndis_queue(vm, item, routine, vw_arg(vm, api, 2), api->name))
        s->work_queued++;
}

/* (NdisIoWorkItemHandle) at <= DISPATCH (ndis/nf-ndis-ndisfreeioworkitem):
 * not while queued. */
static void vw_NdisFreeIoWorkItem(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t item = vw_arg(vm, api, 0);
    for (unsigned i = 0; i < NDIS_MAX_WORK; i++)
        if (s->work[i].live && s->work[i].item == item) {
            if (vw_workitem_ndis_free(vm, item, api->name))
                s->work[i].live = false;
            return;
        }
    vw_fail(vm, "NdisFreeIoWorkItem: 0x%" PRIx64 " is no NDIS work item", item);
}

/* (MicrosecondsToSleep) at PASSIVE (ndis/nf-ndis-ndismsleep): the virtual
 * clock moves on, running what comes due meanwhile. */
static void vw_NdisMSleep(struct vm *vm, const struct vw_api *api)
{
    uint64_t deadline = vm->k->interrupt_time + 10ull * (uint32_t)vw_arg(vm, api, 0);
    if (vw_thread_wait(vm, NULL, 0, 3, deadline))
        return;
    vw_wait(vm, NULL, 0, false, deadline);
}

bool ndis_timer_after_halt(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    for (unsigned i = 0; i < NDIS_MAX_TIMERS; i++)
        if (s->timers[i].live && s->timers[i].adapter) {
            vw_fail(vm,
                    "ndis: MiniportHaltEx returned with timer object 0x%" PRIx64 " %s: halt "
                    "frees every resource (network/halting-a-miniport-adapter; "
                    "ndis/nf-ndis-ndisfreetimerobject)",
                    s->timers[i].obj,
                    kernel_timer(vm, s->timers[i].obj) && kernel_timer(vm, s->timers[i].obj)->set
                        ? "still set"
                        : "not freed");
            return false;
        }
    for (unsigned i = 0; i < NDIS_MAX_WORK; i++)
        if (s->work[i].live && s->work[i].adapter) {
            vw_fail(vm,
                    "ndis: MiniportHaltEx returned with I/O work item 0x%" PRIx64 " not freed: "
                    "halt frees every resource (network/halting-a-miniport-adapter; "
                    "ndis/nf-ndis-ndisfreeioworkitem)",
                    s->work[i].item);
            return false;
        }
    return true;
}

unsigned ndis_timer_report_leaks(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    unsigned n = 0;
    for (unsigned i = 0; i < NDIS_MAX_TIMERS; i++)
        if (s->timers[i].live) {
            vw_log(vm, "leak: NDIS timer object 0x%" PRIx64 " never freed", s->timers[i].obj);
            n++;
        }
    return n; /* work items: the kernel's report names them */
}

#define D VW_DISPATCH_LEVEL
static const struct vw_api timer_apis[] = {
    {"NdisAllocateTimerObject", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisAllocateTimerObject},
    {"NdisSetTimerObject", VW_ALL_ARCHES, VW_STDCALL, 4, 1u << 1, D, vw_NdisSetTimerObject},
    {"NdisCancelTimerObject", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisCancelTimerObject},
    {"NdisFreeTimerObject", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeTimerObject},
    {"NdisAllocateIoWorkItem", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisAllocateIoWorkItem},
    {"NdisQueueIoWorkItem", VW_ALL_ARCHES, VW_STDCALL, 3, 0, D, vw_NdisQueueIoWorkItem},
    {"NdisFreeIoWorkItem", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D, vw_NdisFreeIoWorkItem},
    {"NdisMSleep", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL, vw_NdisMSleep},
};
#undef D

VW_API_GROUP(ndis_timer, timer_apis, .report_leaks = ndis_timer_report_leaks)
