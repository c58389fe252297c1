/*
 * Work items: IoAllocateWorkItem (harness memory the driver frees with
 * IoFreeWorkItem) or IoInitializeWorkItem (driver memory of
 * IoSizeofWorkItem bytes).  A queued item runs at PASSIVE_LEVEL at a
 * scheduling point of a PASSIVE_LEVEL caller or while something waits, as
 * if a system worker thread had picked it up: on the worker stack, with
 * scheduling points of its own (it may wait).  The queued item references
 * its device object, which keeps the driver loaded: an item still queued
 * (or allocated) at unload, freed while queued or queued twice is reported.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"

static struct vw_work_item *find(struct vm *vm, gva_t item, const char *who)
{
    for (unsigned i = 0; i < vm->k->work_item_count; i++)
        if (vm->k->work_items[i].item == item && vm->k->work_items[i].live)
            return &vm->k->work_items[i];
    if (who != NULL)
        vw_fail(vm, "%s: 0x%" PRIx64 " is not a live work item", who, item);
    return NULL;
}

static uint64_t item_size(struct vm *vm)
{
    return 12ull * vm->ptr_size; /* opaque IO_WORKITEM: list entry, routine, object... */
}

static struct vw_work_item *add(struct vm *vm, gva_t item, gva_t device, bool allocated)
{
    struct vw_kernel *k = vm->k;
    struct vw_work_item *w = NULL;
    for (unsigned i = 0; i < k->work_item_count && w == NULL; i++)
        if (!k->work_items[i].live)
            w = &k->work_items[i];
    if (w == NULL &&
        !VW_GROW(vm, k->work_items, k->work_item_count, k->work_item_cap, "work items"))
        return NULL;
    if (w == NULL)
        w = &k->work_items[k->work_item_count++];
    *w =
        (struct vw_work_item){.item = item, .device = device, .live = true, .allocated = allocated};
    return w;
}

void vw_IoAllocateWorkItem(struct vm *vm, const struct vw_api *api)
{
    gva_t device = vw_arg(vm, api, 0);
    gva_t item = vw_pool_alloc(vm, item_size(vm), VW_TAG('I', 'o', 'W', 'k'), "work item", false);
    if (item != 0 && add(vm, item, device, true) == NULL)
        item = 0;
    vw_set_return(vm, item);
}

void vw_IoSizeofWorkItem(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, item_size(vm));
}

/* (IoObject, IoWorkItem) */
void vw_IoInitializeWorkItem(struct vm *vm, const struct vw_api *api)
{
    gva_t item = vw_arg(vm, api, 1);
    struct vw_work_item *w = find(vm, item, NULL);
    if (w != NULL && w->queued) {
        vw_fail(vm, "IoInitializeWorkItem on work item 0x%" PRIx64 ", which is queued", item);
        return;
    }
    if (w != NULL)
        w->live = false;
    add(vm, item, vw_arg(vm, api, 0), false);
}

static bool retire(struct vm *vm, struct vw_work_item *w, const char *who, bool allocated)
{
    char where[48];
    if (w->allocated != allocated) {
        vw_fail(vm, "%s of work item 0x%" PRIx64 " that came from %s", who, w->item,
                w->allocated ? "IoAllocateWorkItem" : "IoInitializeWorkItem");
        return false;
    }
    if (w->queued) {
        vw_fail(vm, "%s of work item 0x%" PRIx64 " still queued (routine %s would run on it)", who,
                w->item, vw_where(vm, w->routine, where));
        return false;
    }
    w->live = false;
    return true;
}

void vw_IoUninitializeWorkItem(struct vm *vm, const struct vw_api *api)
{
    struct vw_work_item *w = find(vm, vw_arg(vm, api, 0), "IoUninitializeWorkItem");
    if (w != NULL)
        retire(vm, w, "IoUninitializeWorkItem", false);
}

void vw_IoFreeWorkItem(struct vm *vm, const struct vw_api *api)
{
    struct vw_work_item *w = find(vm, vw_arg(vm, api, 0), "IoFreeWorkItem");
    if (w != NULL && retire(vm, w, "IoFreeWorkItem", true))
        vw_pool_free(vm, w->item, "IoFreeWorkItem");
}

/* (IoWorkItem, WorkerRoutine, QueueType, Context) for both. */
static void queue(struct vm *vm, const struct vw_api *api, bool ex)
{
    struct vw_work_item *w = find(vm, vw_arg(vm, api, 0), api->name);
    if (w == NULL)
        return;
    if (w->queued) {
        vw_fail(vm, "%s: work item 0x%" PRIx64 " is already queued", api->name, w->item);
        return;
    }
    w->routine = vw_arg(vm, api, 1);
    w->context = vw_arg(vm, api, 3);
    w->ex = ex;
    w->queued = true;
}

void vw_IoQueueWorkItem(struct vm *vm, const struct vw_api *api)
{
    queue(vm, api, false);
}

void vw_IoQueueWorkItemEx(struct vm *vm, const struct vw_api *api)
{
    queue(vm, api, true);
}

bool vw_workitem_run(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (vm->irql != VW_PASSIVE_LEVEL || vm->failed)
        return false;
    struct vw_work_item *w = NULL;
    for (unsigned i = 0; i < k->work_item_count && w == NULL; i++)
        if (k->work_items[i].live && k->work_items[i].queued)
            w = &k->work_items[i];
    if (w == NULL)
        return false;
    /* The worker dequeues before calling: the routine may free or requeue. */
    w->queued = false;
    uint64_t args[3] = {w->device, w->context, w->item};
    if (w->ndis) /* NDIS_IO_WORKITEM_FUNCTION (WorkItemContext, NdisIoWorkItemHandle) */
        args[0] = w->context, args[1] = w->item;
    gva_t routine = w->routine;
    bool was_sched = k->in_sched;
    if (k->in_worker == 0)
        vm->next_call_stack = vm->map.wstack + VW_WSTACK_SIZE - 0x100;
    k->in_worker++;
    k->in_sched = false;
    /* A system worker thread: the System process, APCs as it left them. */
    unsigned process = k->process, critical = k->critical_region;
    k->process = VW_PROCESS_SYSTEM;
    k->critical_region = 0;
    vw_call(vm, routine, w->ex && !w->ndis ? 3 : 2, args, NULL);
    k->process = process;
    k->critical_region = critical;
    k->in_sched = was_sched;
    k->in_worker--;
    k->work_items_run++;
    return true;
}

gva_t vw_workitem_ndis_alloc(struct vm *vm, gva_t owner)
{
    gva_t item =
        vw_pool_alloc(vm, item_size(vm), VW_TAG('N', 'd', 'W', 'k'), "NDIS work item", false);
    struct vw_work_item *w = item != 0 ? add(vm, item, owner, true) : NULL;
    if (w == NULL)
        return 0;
    w->ndis = true;
    return item;
}

bool vw_workitem_ndis_queue(struct vm *vm, gva_t item, gva_t routine, gva_t context,
                            const char *who)
{
    struct vw_work_item *w = find(vm, item, who);
    if (w == NULL)
        return false;
    if (!w->ndis) {
        vw_fail(vm, "%s: work item 0x%" PRIx64 " is not NDIS's", who, item);
        return false;
    }
    if (w->queued) {
        vw_fail(vm, "%s: work item 0x%" PRIx64 " is already queued", who, item);
        return false;
    }
    w->routine = routine;
    w->context = context;
    w->queued = true;
    return true;
}

bool vw_workitem_ndis_free(struct vm *vm, gva_t item, const char *who)
{
    struct vw_work_item *w = find(vm, item, who);
    if (w == NULL || !retire(vm, w, who, true))
        return false;
    vw_pool_free(vm, item, who);
    return !vm->failed;
}

bool vw_workitem_queued_in(struct vm *vm, gva_t start, uint64_t len)
{
    for (unsigned i = 0; i < vm->k->work_item_count; i++) {
        const struct vw_work_item *w = &vm->k->work_items[i];
        if (w->live && w->queued && w->item >= start && w->item < start + len)
            return true;
    }
    return false;
}

unsigned vw_workitem_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    char where[48];
    for (unsigned i = 0; i < vm->k->work_item_count; i++) {
        const struct vw_work_item *w = &vm->k->work_items[i];
        if (!w->live)
            continue;
        if (w->queued)
            vw_log(vm, "leak: work item 0x%" PRIx64 " still queued (routine %s)", w->item,
                   vw_where(vm, w->routine, where));
        else
            vw_log(vm, "leak: work item 0x%" PRIx64 " never %s", w->item,
                   w->ndis        ? "freed (NdisFreeIoWorkItem)"
                   : w->allocated ? "freed (IoFreeWorkItem)"
                                  : "uninitialized (IoUninitializeWorkItem)");
        n++;
    }
    return n;
}
