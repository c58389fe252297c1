/*
 * IRPs: stack locations, IoCallDriver, IoCompleteRequest with completion
 * routines, and the bus driver that owns the PDOs at the bottom of every
 * stack and completes what reaches it.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_irp.h"

static uint64_t stack_size(struct vm *vm)
{
    return VW_SIZEOF(vm, IO_STACK_LOCATION);
}

static gva_t current_stack(struct vm *vm, gva_t irp)
{
    return vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation));
}

static int current_location(struct vm *vm, gva_t irp)
{
    return (int8_t)vw_rd(vm, irp + VW_OFFSET(vm, IRP, CurrentLocation), 1);
}

static void move_location(struct vm *vm, gva_t irp, int by)
{
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, CurrentLocation), (uint8_t)(current_location(vm, irp) + by),
          1);
    vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation),
             current_stack(vm, irp) + (int64_t)by * (int64_t)stack_size(vm));
}

uint32_t vw_irp_status(struct vm *vm, gva_t irp)
{
    return (uint32_t)vw_rd(vm, irp + VW_OFFSET(vm, IRP, IoStatus), 4);
}

void vw_irp_set_status(struct vm *vm, gva_t irp, uint32_t status)
{
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, IoStatus), status, 4);
}

gva_t vw_irp_alloc(struct vm *vm, unsigned count)
{
    uint64_t size = VW_SIZEOF(vm, IRP) + count * stack_size(vm);
    gva_t irp = vw_pool_alloc(vm, size, VW_TAG('I', 'r', 'p', ' '), "IRP", false);
    if (irp == 0)
        return 0;
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, Type), VW_IO_TYPE_IRP, 2);
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, Size), size, 2);
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, StackCount), count, 1);
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, CurrentLocation), count + 1, 1);
    vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation),
             irp + VW_SIZEOF(vm, IRP) + count * stack_size(vm));
    return irp;
}

gva_t vw_irp_next_stack(struct vm *vm, gva_t irp)
{
    return current_stack(vm, irp) - stack_size(vm);
}

/* The bus driver: PnP and power IRPs succeed, anything else keeps the
 * status the sender set (STATUS_NOT_SUPPORTED for PnP), as a PDO does. */
static uint32_t bus_dispatch(struct vm *vm, gva_t irp, gva_t stack)
{
    uint8_t major = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 1);
    uint8_t minor = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MinorFunction), 1);
    if (major == VW_IRP_MJ_POWER || (major == VW_IRP_MJ_PNP && (minor <= 6 || minor == 0x17)))
        vw_irp_set_status(vm, irp, VW_STATUS_SUCCESS);
    if (major == VW_IRP_MJ_PNP && minor == VW_IRP_MN_QUERY_INTERFACE) {
        gva_t pdo = vw_rdptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, DeviceObject));
        struct vw_pdo *rec = vw_pdo_find(vm, pdo);
        if (rec != NULL && rec->query_interface != NULL)
            vw_irp_set_status(vm, irp,
                              rec->query_interface(vm, pdo, stack, vw_irp_status(vm, irp)));
    }
    uint32_t status = vw_irp_status(vm, irp);
    vw_io_complete(vm, irp);
    return status;
}

uint32_t vw_io_call_driver(struct vm *vm, gva_t device, gva_t irp)
{
    if (vm->failed)
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    move_location(vm, irp, -1);
    if (current_location(vm, irp) <= 0) {
        vw_fail(vm, "IoCallDriver: no more IRP stack locations (bug check 0x35)");
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    }
    gva_t stack = current_stack(vm, irp);
    vw_wrptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, DeviceObject), device);
    gva_t driver = vw_rdptr(vm, device + VW_OFFSET(vm, DEVICE_OBJECT, DriverObject));
    if (driver == vm->k->bus_driver)
        return bus_dispatch(vm, irp, stack);
    uint8_t major = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 1);
    gva_t routine =
        vw_rdptr(vm, driver + VW_OFFSET(vm, DRIVER_OBJECT, MajorFunction) + major * vm->ptr_size);
    if (routine == 0) {
        /* What IopInvalidDeviceRequest does for an empty MajorFunction. */
        vw_irp_set_status(vm, irp, VW_STATUS_INVALID_DEVICE_REQUEST);
        vw_io_complete(vm, irp);
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    }
    /* An emulated class driver (hidclass) is host code, like the bus
     * driver: its minidriver's routines then run one call level higher,
     * at depth 1 when the scenario sends the IRP, where the harness can
     * switch threads (k_thread.c: vw_preempt_at, blocking waits). */
    if (routine == vm->k->host_dispatch_routine && vm->k->host_dispatch != NULL) {
        if (vm->irql > VW_DISPATCH_LEVEL) {
            vw_fail(vm, "IRQL: IoCallDriver at IRQL %u", vm->irql);
            return VW_STATUS_INVALID_DEVICE_REQUEST;
        }
        return vm->k->host_dispatch(vm, device, irp);
    }
    uint64_t args[2] = {device, irp}, status = 0;
    vw_call(vm, routine, 2, args, &status);
    return (uint32_t)status;
}

/* IoCompleteRequest: walk up the stack, calling each completion routine the
 * layer above registered, until one returns MORE_PROCESSING_REQUIRED. */
void vw_io_complete(struct vm *vm, gva_t irp)
{
    uint64_t control_off = VW_OFFSET(vm, IO_STACK_LOCATION, Control);
    uint64_t routine_off = VW_OFFSET(vm, IO_STACK_LOCATION, CompletionRoutine);
    uint64_t context_off = VW_OFFSET(vm, IO_STACK_LOCATION, Context);
    int count = (int8_t)vw_rd(vm, irp + VW_OFFSET(vm, IRP, StackCount), 1);
    uint32_t status = vw_irp_status(vm, irp);
    if (status == VW_STATUS_PENDING) {
        vw_fail(vm, "IoCompleteRequest with status STATUS_PENDING");
        return;
    }
    while (!vm->failed && current_location(vm, irp) <= count) {
        gva_t stack = current_stack(vm, irp);
        uint8_t control = (uint8_t)vw_rd(vm, stack + control_off, 1);
        gva_t routine = vw_rdptr(vm, stack + routine_off);
        gva_t context = vw_rdptr(vm, stack + context_off);
        vw_wr(vm, irp + VW_OFFSET(vm, IRP, PendingReturned), control & VW_SL_PENDING_RETURNED, 1);
        move_location(vm, irp, +1);
        status = vw_irp_status(vm, irp);
        bool invoke =
            routine != 0 && ((VW_NT_SUCCESS(status) && (control & VW_SL_INVOKE_ON_SUCCESS)) ||
                             (!VW_NT_SUCCESS(status) && (control & VW_SL_INVOKE_ON_ERROR)));
        if (!invoke)
            continue;
        gva_t device = current_location(vm, irp) > count
                           ? 0
                           : vw_rdptr(vm, current_stack(vm, irp) +
                                              VW_OFFSET(vm, IO_STACK_LOCATION, DeviceObject));
        uint64_t args[3] = {device, irp, context}, result = 0;
        if (!vw_call(vm, routine, 3, args, &result))
            return;
        if ((uint32_t)result == VW_STATUS_MORE_PROCESSING)
            return;
    }
    vm->k->completed_irp = irp;
    if (vw_io_sync_complete(vm, irp) || vw_io_power_complete(vm, irp))
        return;
    for (unsigned i = 0; i < vm->k->completion_hook_count; i++)
        if (vm->k->completion_hooks[i](vm, irp))
            return;
}

void vw_io_add_completion_hook(struct vm *vm, vw_irp_done_fn *fn)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->completion_hook_count; i++)
        if (k->completion_hooks[i] == fn)
            return;
    if (VW_GROW(vm, k->completion_hooks, k->completion_hook_count, k->completion_hook_cap,
                "IRP completion hooks"))
        k->completion_hooks[k->completion_hook_count++] = fn;
}

void vw_IofCallDriver(struct vm *vm, const struct vw_api *api)
{
    uint32_t status = vw_io_call_driver(vm, vw_arg(vm, api, 0), vw_arg(vm, api, 1));
    vw_set_return(vm, status);
}

void vw_IofCompleteRequest(struct vm *vm, const struct vw_api *api)
{
    vw_io_complete(vm, vw_arg(vm, api, 0));
}

void vw_PoCallDriver(struct vm *vm, const struct vw_api *api)
{
    vw_IofCallDriver(vm, api);
}

void vw_PoStartNextPowerIrp(struct vm *vm, const struct vw_api *api)
{
    (void)vm;
    (void)api; /* a no-op since Windows Vista */
}
