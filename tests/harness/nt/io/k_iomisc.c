/*
 * The rest of the I/O manager and power manager routines the WDM framework
 * calls: attached-device references, driver-built synchronous IRPs, device
 * interfaces, resource decoding, power state.  References, interface names
 * and synchronous IRPs are tracked for the unload report.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_irp.h"
#include "vw_resources.h"

void vw_IoGetAttachedDeviceReference(struct vm *vm, const struct vw_api *api)
{
    gva_t top = vw_device_top(vm, vw_arg(vm, api, 0));
    vm->k->object_refs++;
    vw_set_return(vm, top);
}

void vw_ObfDereferenceObject(struct vm *vm, const struct vw_api *api)
{
    if (vw_thread_dereference(vm, vw_arg(vm, api, 0)))
        return;
    if (vm->k->object_refs <= 0) {
        vw_fail(vm, "ObfDereferenceObject(0x%" PRIx64 ") without a reference the driver took",
                vw_arg(vm, api, 0));
        return;
    }
    vm->k->object_refs--;
}

/* IoBuildSynchronousFsdRequest(Major, Device, Buffer, Length, StartingOffset,
 * Event, IoStatusBlock): an IRP sized for Device's stack, its first location
 * holding Major; when it completes, the I/O manager fills IoStatusBlock,
 * signals Event and frees the IRP (vw_io_sync_complete). */
void vw_IoBuildSynchronousFsdRequest(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    uint32_t major = (uint32_t)vw_arg(vm, api, 0);
    gva_t device = vw_arg(vm, api, 1);
    if (k->sync_irp_count == sizeof(k->sync_irps) / sizeof(k->sync_irps[0])) {
        vw_fail(vm, "harness: hard limit: more than %u synchronous IRPs in flight",
                k->sync_irp_count);
        return;
    }
    unsigned count = (unsigned)vw_rd(vm, device + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1);
    gva_t irp = vw_irp_alloc(vm, count);
    if (irp == 0) {
        vw_set_return(vm, 0);
        return;
    }
    vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, UserIosb), vw_arg(vm, api, 6));
    vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, UserEvent), vw_arg(vm, api, 5));
    vw_wr(vm, vw_irp_next_stack(vm, irp) + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), major,
          1);
    k->sync_irps[k->sync_irp_count++] = irp;
    vw_set_return(vm, irp);
}

bool vw_io_sync_complete(struct vm *vm, gva_t irp)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->sync_irp_count; i++) {
        if (k->sync_irps[i] != irp)
            continue;
        gva_t iosb = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, UserIosb));
        gva_t event = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, UserEvent));
        uint64_t info = VW_OFFSET(vm, IO_STATUS_BLOCK, Information);
        if (iosb != 0) {
            vw_wr(vm, iosb, vw_irp_status(vm, irp), 4);
            vw_wrptr(vm, iosb + info, vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, IoStatus) + info));
        }
        if (event != 0)
            vw_event_set(vm, event);
        k->sync_irps[i] = k->sync_irps[--k->sync_irp_count];
        vw_pool_free(vm, irp, "I/O manager freeing a synchronous IRP");
        return true;
    }
    return false;
}

void vw_IoRegisterDeviceInterface(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t guid = vw_arg(vm, api, 1), out = vw_arg(vm, api, 3);
    uint8_t g[16];
    if (!vw_read(vm, guid, g, sizeof(g)))
        return;
    char name[128];
    snprintf(name, sizeof(name),
             "\\??\\PCI#VEN_1AF4#%u#{%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x}",
             k->interface_count, g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10],
             g[11], g[12], g[13], g[14], g[15]);
    size_t n = strlen(name);
    /* The caller owns the buffer and frees it with RtlFreeUnicodeString. */
    gva_t buf = vw_pool_alloc(vm, 2 * n + 2, VW_TAG('I', 'n', 't', 'f'), "interface name", true);
    if (buf == 0) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    for (size_t i = 0; i < n; i++)
        vw_wr(vm, buf + 2 * i, (uint8_t)name[i], 2);
    vw_wr(vm, out, 2 * n, 2);
    vw_wr(vm, out + 2, 2 * n + 2, 2);
    vw_wrptr(vm, out + VW_OFFSET(vm, UNICODE_STRING, Buffer), buf);
    if (k->interface_count == sizeof(k->interface_names) / sizeof(k->interface_names[0])) {
        vw_fail(vm, "harness: hard limit: more than %u device interfaces", k->interface_count);
        return;
    }
    memcpy(k->interface_guids[k->interface_count], g, sizeof(g));
    k->interface_enabled[k->interface_count] = false;
    k->interface_names[k->interface_count++] = buf;
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_IoSetDeviceInterfaceState(struct vm *vm, const struct vw_api *api)
{
    gva_t buf = vw_rdptr(vm, vw_arg(vm, api, 0) + VW_OFFSET(vm, UNICODE_STRING, Buffer));
    for (unsigned i = 0; i < vm->k->interface_count; i++)
        if (vm->k->interface_names[i] == buf) {
            vm->k->interface_enabled[i] = (vw_arg(vm, api, 1) & 0xff) != 0;
            vw_log(vm, "device interface %u %s", i, vm->k->interface_enabled[i] ? "on" : "off");
            vw_set_return(vm, VW_STATUS_SUCCESS);
            return;
        }
    vw_fail(vm, "IoSetDeviceInterfaceState: not a name IoRegisterDeviceInterface returned");
}

void vw_RtlFreeUnicodeString(struct vm *vm, const struct vw_api *api)
{
    gva_t us = vw_arg(vm, api, 0);
    gva_t buf = vw_rdptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer));
    if (buf != 0)
        vw_pool_free(vm, buf, "RtlFreeUnicodeString");
    vw_wr(vm, us, 0, 4); /* Length, MaximumLength */
    vw_wrptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer), 0);
}

void vw_RtlInitUnicodeString(struct vm *vm, const struct vw_api *api)
{
    gva_t us = vw_arg(vm, api, 0), src = vw_arg(vm, api, 1);
    uint64_t n = 0;
    while (src != 0 && n < 0x7ffe && vw_rd(vm, src + n, 2) != 0 && !vm->failed)
        n += 2;
    vw_wr(vm, us, n, 2);
    vw_wr(vm, us + 2, src ? n + 2 : 0, 2);
    vw_wrptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer), src);
}

/* RtlCmDecodeMemIoResource(Descriptor, &Start): the length; memory and port
 * ranges (the large-memory encodings are not modelled). */
void vw_RtlCmDecodeMemIoResource(struct vm *vm, const struct vw_api *api)
{
    gva_t d = vw_arg(vm, api, 0), start = vw_arg(vm, api, 1);
    uint8_t type = (uint8_t)vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Type), 1);
    uint64_t s = 0, len = 0;
    if (type == VW_CM_RESOURCE_TYPE_PORT) {
        s = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Start), 8);
        len = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Length), 4);
    } else if (type == VW_CM_RESOURCE_TYPE_MEMORY) {
        s = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start), 8);
        len = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length), 4);
    }
    if (start != 0)
        vw_wr(vm, start, s, 8);
    vw_set_return(vm, len);
}

void vw_PoSetPowerState(struct vm *vm, const struct vw_api *api)
{
    vw_log(vm, "PoSetPowerState: type %u state %u", (unsigned)vw_arg(vm, api, 1),
           (unsigned)vw_arg(vm, api, 2));
    vw_set_return(vm, vw_arg(vm, api, 2));
}

/* PoRequestPowerIrp(Pdo, Minor, PowerState, CompletionFunction, Context, &Irp):
 * the power manager sends a power IRP to the top of PDO's stack and calls
 * CompletionFunction(Device, Minor, PowerState, Context, &IoStatus) once it
 * completed (vw_io_power_complete), then frees it. */
void vw_PoRequestPowerIrp(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t pdo = vw_arg(vm, api, 0), out = vw_arg(vm, api, 5);
    uint32_t minor = (uint8_t)vw_arg(vm, api, 1), state = (uint32_t)vw_arg(vm, api, 2);
    if (vw_pdo_find(vm, pdo) == NULL) {
        vw_fail(vm, "PoRequestPowerIrp: 0x%" PRIx64 " is not a PDO", pdo);
        return;
    }
    if (minor != VW_IRP_MN_SET_POWER) {
        vw_fail(vm, "PoRequestPowerIrp: minor 0x%x not modelled", minor);
        return;
    }
    if (k->power_request_count == 4) {
        vw_fail(vm, "harness: hard limit: more than 4 requested power IRPs in flight");
        return;
    }
    gva_t top = vw_device_top(vm, pdo);
    unsigned count = (unsigned)vw_rd(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1);
    gva_t irp = vw_irp_alloc(vm, count);
    if (irp == 0) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    gva_t stack = vw_irp_next_stack(vm, irp);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 0x16 /* POWER */, 1);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MinorFunction), minor, 1);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.Type), 1 /* Device */, 4);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.State), state, 4);
    vw_irp_set_status(vm, irp, VW_STATUS_NOT_SUPPORTED);
    k->power_requests[k->power_request_count++] =
        (struct vw_power_request){irp, pdo, vw_arg(vm, api, 3), vw_arg(vm, api, 4), minor, state};
    if (out != 0)
        vw_wrptr(vm, out, irp);
    vw_log(vm, "PoRequestPowerIrp: D%u", state - 1);
    vw_io_call_driver(vm, top, irp);
    /* The request was issued: its outcome reaches the completion function. */
    vw_set_return(vm, VW_STATUS_PENDING);
}

bool vw_io_power_complete(struct vm *vm, gva_t irp)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->power_request_count; i++) {
        if (k->power_requests[i].irp != irp)
            continue;
        struct vw_power_request r = k->power_requests[i];
        k->power_requests[i] = k->power_requests[--k->power_request_count];
        gva_t iosb = irp + VW_OFFSET(vm, IRP, IoStatus);
        vw_power_check_final(vm, r.minor, 1, r.state, vw_irp_status(vm, irp));
        if (r.completion != 0) {
            uint64_t args[5] = {r.pdo, r.minor, r.state, r.context, iosb};
            vw_call(vm, r.completion, 5, args, NULL);
        }
        vw_pool_free(vm, irp, "power manager freeing a requested power IRP");
        return true;
    }
    return false;
}

unsigned vw_iomisc_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    if (vm->k->object_refs != 0) {
        vw_log(vm, "leak: %d object reference(s) never dropped (device objects, referenced events)",
               vm->k->object_refs);
        n++;
    }
    for (unsigned i = 0; i < vm->k->sync_irp_count; i++) {
        vw_log(vm, "leak: synchronous IRP 0x%" PRIx64 " never completed", vm->k->sync_irps[i]);
        n++;
    }
    for (unsigned i = 0; i < vm->k->pdo_count; i++)
        if (vm->k->pdos[i]->bus_refs != 0) {
            vw_log(vm, "leak: %d bus interface reference(s) never dropped",
                   vm->k->pdos[i]->bus_refs);
            n++;
        }
    return n;
}
