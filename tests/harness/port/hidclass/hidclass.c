/*
 * hidclass.sys emulation (hidclass.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "layout.h"
#include "pnp.h"
#include "hidclass.h"
#include "vw_irp.h"
#include "vw_ntstatus.h"

#define HID_CTL(id)                     ((VW_FILE_DEVICE_KEYBOARD << 16) | ((id) << 2) | 3)
#define IOCTL_HID_GET_DEVICE_DESCRIPTOR HID_CTL(0)
#define IOCTL_HID_GET_REPORT_DESCRIPTOR HID_CTL(1)
#define IOCTL_HID_READ_REPORT           HID_CTL(2)
#define IOCTL_HID_WRITE_REPORT          HID_CTL(3)
#define IOCTL_HID_GET_STRING            HID_CTL(4)
#define IOCTL_HID_GET_DEVICE_ATTRIBUTES HID_CTL(9)
#define HID_STRING_ID_IPRODUCT          0x0f
#define HID_MINI_OFFSET                 0x40 /* MiniDeviceExtension within the FDO extension */

static struct vw_api_group hidclass_group;

static struct vw_hidclass *hid_state(struct vm *vm)
{
    return vw_port_state(vm, &hidclass_group, sizeof(struct vw_hidclass));
}

struct vw_hidclass *vw_hid(struct vm *vm)
{
    struct vw_hidclass *h = hid_state(vm);
    return h != NULL && h->registered ? h : NULL;
}

/* ---- IRPs the class driver sends to the minidriver ---------------------- */

static vw_api_fn hid_irp_done;
static const struct vw_api hid_irp_done_api = {
    "hidclass completion", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_DISPATCH_LEVEL, hid_irp_done};

static void log_report(struct vm *vm, struct vw_hidclass *h, gva_t buffer, uint64_t len)
{
    uint8_t data[VW_HID_READ_BYTES];
    char err[160];
    if (len == 0 || len > sizeof(data)) {
        vw_fail(vm, "hidclass: READ_REPORT completed with %" PRIu64 " bytes", len);
        return;
    }
    vw_read(vm, buffer, data, len);
    struct hid_report *r = &h->log[h->log_count % VW_HID_LOG];
    if (!hid_decode(&h->parsed, data, len, r, err, sizeof(err))) {
        vw_fail(vm, "hidclass: bad input report: %s", err);
        return;
    }
    h->log_count++;
}

static void hid_irp_done(struct vm *vm, const struct vw_api *api)
{
    struct vw_hidclass *h = vw_hid(vm);
    gva_t irp = vw_arg(vm, api, 1);
    uint64_t ctx = vw_arg(vm, api, 2);
    vw_set_return(vm, VW_STATUS_MORE_PROCESSING);
    if (ctx == 0) {
        h->sync_done = true;
        return;
    }
    struct vw_hid_read *rd = &h->reads[ctx - 1];
    if (!rd->busy || rd->irp != irp) {
        vw_fail(vm, "hidclass: a read IRP completed twice or out of nowhere");
        return;
    }
    rd->busy = false;
    uint32_t status = vw_irp_status(vm, irp);
    h->last_read_status = status;
    uint64_t info = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, IoStatus) +
                                     VW_OFFSET(vm, IO_STATUS_BLOCK, Information));
    if (VW_NT_SUCCESS(status))
        log_report(vm, h, rd->buffer, info);
    else
        h->read_errors++;
}

/* A fresh IRP for the FDO's stack with the minidriver's location set up. */
static gva_t hid_irp(struct vm *vm, struct vw_hidclass *h, uint32_t code, gva_t user,
                     uint32_t out_len, uint32_t in_len, uint64_t ctx, gva_t *stack_out)
{
    unsigned count = (unsigned)vw_rd(vm, h->fdo + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1);
    gva_t irp = vw_irp_alloc(vm, count);
    if (irp == 0)
        return 0;
    vw_irp_set_status(vm, irp, VW_STATUS_NOT_SUPPORTED);
    vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, UserBuffer), user);
    gva_t st = vw_irp_next_stack(vm, irp);
    vw_wr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction),
          VW_IRP_MJ_INTERNAL_DEVICE_CONTROL, 1);
    vw_wr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode), code,
          4);
    vw_wr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength),
          out_len, 4);
    vw_wr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength),
          in_len, 4);
    vw_wrptr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer),
             h->next_type3);
    vw_wrptr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, CompletionRoutine),
             vw_kernel_routine(vm, &hid_irp_done_api));
    vw_wrptr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Context), ctx);
    vw_wr(vm, st + VW_OFFSET(vm, IO_STACK_LOCATION, Control), VW_SL_INVOKE_ALL, 1);
    if (stack_out)
        *stack_out = st;
    return irp;
}

/* A request that must complete at once; returns its status, *INFO bytes. */
static uint32_t hid_sync(struct vm *vm, struct vw_hidclass *h, uint32_t code, gva_t user,
                         uint32_t out_len, uint32_t in_len, uint64_t *info)
{
    gva_t irp = hid_irp(vm, h, code, user, out_len, in_len, 0, NULL);
    if (irp == 0)
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    h->sync_done = false;
    uint32_t ret = vw_io_call_driver(vm, h->fdo, irp);
    if (vm->failed)
        return ret;
    if (!h->sync_done) {
        vw_fail(vm, "hidclass: internal IOCTL 0x%x returned 0x%08x without completing", code, ret);
        return ret;
    }
    uint32_t status = vw_irp_status(vm, irp);
    if (ret != VW_STATUS_PENDING && ret != status)
        vw_fail(vm, "hidclass: IOCTL 0x%x returned 0x%08x but completed with 0x%08x", code, ret,
                status);
    if (info)
        *info = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, IoStatus) +
                                 VW_OFFSET(vm, IO_STATUS_BLOCK, Information));
    vw_pool_free(vm, irp, "hidclass freeing its IRP");
    return status;
}

/* The same with Parameters.DeviceIoControl.Type3InputBuffer set. */
static uint32_t hid_sync_type3(struct vm *vm, struct vw_hidclass *h, uint32_t code, gva_t user,
                               uint32_t out_len, uint64_t type3, uint64_t *info)
{
    h->next_type3 = type3;
    uint32_t st = hid_sync(vm, h, code, user, out_len, 0, info);
    h->next_type3 = 0;
    return st;
}

/* After START: what every HID device must describe. */
static void hid_query(struct vm *vm, struct vw_hidclass *h)
{
    gva_t buf = vw_pool_alloc(vm, 1024, VW_TAG('H', 'i', 'd', 'C'), "hidclass buffer", false);
    uint64_t info = 0;
    char err[160];

    uint32_t st = hid_sync(vm, h, IOCTL_HID_GET_DEVICE_DESCRIPTOR, buf, 9, 0, &info);
    if (!VW_NT_SUCCESS(st) || info != 9) {
        vw_fail(vm, "hidclass: GET_DEVICE_DESCRIPTOR: 0x%08x, %" PRIu64 " bytes", st, info);
        goto out;
    }
    vw_read(vm, buf, h->hid_descriptor, 9);
    const uint8_t *d = h->hid_descriptor;
    unsigned report_len = d[7] | d[8] << 8;
    if (d[0] != 9 || d[1] != 0x21 || d[5] != 1 || d[6] != 0x22 || report_len == 0 ||
        report_len > sizeof(h->report_descriptor)) {
        vw_fail(vm,
                "hidclass: malformed HID descriptor (length %u, type 0x%02x, %u descriptors, "
                "report type 0x%02x, %u bytes)",
                d[0], d[1], d[5], d[6], report_len);
        goto out;
    }
    st = hid_sync(vm, h, IOCTL_HID_GET_REPORT_DESCRIPTOR, buf, report_len, 0, &info);
    if (!VW_NT_SUCCESS(st) || info != report_len) {
        vw_fail(vm, "hidclass: GET_REPORT_DESCRIPTOR: 0x%08x, %" PRIu64 " of %u bytes", st, info,
                report_len);
        goto out;
    }
    vw_read(vm, buf, h->report_descriptor, report_len);
    h->report_descriptor_len = report_len;
    if (!hid_parse(h->report_descriptor, report_len, &h->parsed, err, sizeof(err))) {
        vw_fail(vm, "hidclass: report descriptor rejected: %s", err);
        goto out;
    }
    st = hid_sync(vm, h, IOCTL_HID_GET_DEVICE_ATTRIBUTES, buf, 32, 0, &info);
    uint32_t size = (uint32_t)vw_rd(vm, buf, 4);
    if (!VW_NT_SUCCESS(st) || info != 32 || size != 32) {
        vw_fail(vm, "hidclass: GET_DEVICE_ATTRIBUTES: 0x%08x, %" PRIu64 " bytes, Size %u", st, info,
                size);
        goto out;
    }
    h->vendor = (uint16_t)vw_rd(vm, buf + 4, 2);
    h->product = (uint16_t)vw_rd(vm, buf + 6, 2);
    h->version = (uint16_t)vw_rd(vm, buf + 8, 2);
    /* The product string (optional for a minidriver): a wide string that
     * must end inside what the minidriver said it wrote. */
    st = hid_sync_type3(vm, h, IOCTL_HID_GET_STRING, buf, 256,
                        HID_STRING_ID_IPRODUCT | 0x409u << 16, &info);
    if (VW_NT_SUCCESS(st)) {
        unsigned n = 0;
        bool ended = false;
        for (; n * 2 + 1 < info && n + 1 < sizeof(h->product_string); n++) {
            uint16_t c = (uint16_t)vw_rd(vm, buf + 2 * n, 2);
            if (c == 0) {
                ended = true;
                break;
            }
            h->product_string[n] = c < 0x80 ? (char)c : '?';
        }
        h->product_string[n] = 0;
        if (!ended || info > 256 || info % 2) {
            vw_fail(vm, "hidclass: GET_STRING returned %" PRIu64 " bytes without a terminator",
                    info);
            goto out;
        }
    }
    h->started = true;
    h->reading = true;
out:
    vw_pool_free(vm, buf, "hidclass buffer");
}

/* ---- Ping-pong reads ---------------------------------------------------- */

static void post_reads(struct vm *vm, struct vw_hidclass *h)
{
    for (unsigned i = 0; i < VW_HID_READS && h->reading && !vm->failed; i++) {
        struct vw_hid_read *rd = &h->reads[i];
        if (rd->busy)
            continue;
        if (rd->irp != 0)
            vw_pool_free(vm, rd->irp, "hidclass freeing a read IRP");
        rd->irp = 0;
        if (rd->buffer == 0)
            rd->buffer = vw_pool_alloc(vm, VW_HID_READ_BYTES, VW_TAG('H', 'i', 'd', 'R'),
                                       "hidclass read buffer", false);
        rd->irp =
            hid_irp(vm, h, IOCTL_HID_READ_REPORT, rd->buffer, VW_HID_READ_BYTES, 0, i + 1, NULL);
        rd->busy = true;
        uint32_t ret = vw_io_call_driver(vm, h->fdo, rd->irp);
        if (!VW_NT_SUCCESS(ret) && rd->busy)
            vw_fail(vm, "hidclass: READ_REPORT failed with 0x%08x without completing", ret);
        if (!VW_NT_SUCCESS(ret) || !VW_NT_SUCCESS(h->last_read_status)) {
            /* A failing device: hidclass stops reading rather than spin. */
            if (!rd->busy)
                h->reading = false;
        }
    }
}

/* Cancel what is pending; each read must be completed by then. */
static void cancel_reads(struct vm *vm, struct vw_hidclass *h)
{
    h->reading = false;
    for (unsigned i = 0; i < VW_HID_READS && !vm->failed; i++) {
        struct vw_hid_read *rd = &h->reads[i];
        if (rd->busy)
            vw_irp_cancel(vm, rd->irp);
        if (!vm->failed && rd->busy)
            vw_fail(vm, "hidclass: a cancelled READ_REPORT was not completed");
        if (rd->irp != 0)
            vw_pool_free(vm, rd->irp, "hidclass freeing a read IRP");
        rd->irp = 0;
    }
}

static void free_buffers(struct vm *vm, struct vw_hidclass *h)
{
    for (unsigned i = 0; i < VW_HID_READS; i++) {
        if (h->reads[i].buffer != 0)
            vw_pool_free(vm, h->reads[i].buffer, "hidclass read buffer");
        h->reads[i].buffer = 0;
    }
}

unsigned vw_hid_pump(struct vm *vm)
{
    struct vw_hidclass *h = vw_hid(vm);
    if (h == NULL || vm->failed)
        return 0;
    unsigned before = h->log_count;
    for (unsigned round = 0; round < 64 && !vm->failed; round++) {
        unsigned seen = h->log_count;
        bool ran = vw_sched_settle(vm);
        post_reads(vm, h);
        if (!ran && seen == h->log_count)
            break;
    }
    return h->log_count - before;
}

int vw_hid_collection(struct vm *vm, uint16_t page, uint16_t usage)
{
    struct vw_hidclass *h = vw_hid(vm);
    for (unsigned i = 0; h != NULL && i < h->parsed.ncollections; i++)
        if (h->parsed.collections[i].page == page && h->parsed.collections[i].usage == usage)
            return (int)i;
    return -1;
}

uint32_t vw_hid_write_report(struct vm *vm, const uint8_t *data, uint32_t len)
{
    struct vw_hidclass *h = vw_hid(vm);
    if (h == NULL || !h->started)
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    uint64_t psize = VW_SIZEOF(vm, VW_HID_XFER_PACKET);
    gva_t packet =
        vw_pool_alloc(vm, psize + len, VW_TAG('H', 'i', 'd', 'W'), "hidclass packet", false);
    gva_t report = packet + psize;
    vw_write(vm, report, data, len);
    vw_wrptr(vm, packet, report);
    vw_wr(vm, packet + VW_OFFSET(vm, VW_HID_XFER_PACKET, reportBufferLen), len, 4);
    vw_wr(vm, packet + VW_OFFSET(vm, VW_HID_XFER_PACKET, reportId), data[0], 1);
    uint32_t st = hid_sync(vm, h, IOCTL_HID_WRITE_REPORT, packet, 0, (uint32_t)psize, NULL);
    vw_pool_free(vm, packet, "hidclass packet");
    return st;
}

/* ---- The class driver's own routines in the driver object --------------- */

/* The minidriver's routine for MAJOR; returns its status. */
static uint32_t call_mini(struct vm *vm, struct vw_hidclass *h, uint8_t major, gva_t dev, gva_t irp)
{
    gva_t routine = h->mini_major[major];
    uint64_t args[2] = {dev, irp}, status = 0;
    if (routine == 0) {
        vw_irp_set_status(vm, irp, VW_STATUS_INVALID_DEVICE_REQUEST);
        vw_io_complete(vm, irp);
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    }
    vw_call(vm, routine, 2, args, &status);
    return (uint32_t)status;
}

/* The class driver's dispatch routine for every major function of the
 * minidriver's driver object (IoCallDriver runs it as host code). */
static uint32_t hid_dispatch_irp(struct vm *vm, gva_t dev, gva_t irp)
{
    struct vw_hidclass *h = vw_hid(vm);
    gva_t stack = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, Tail.Overlay.CurrentStackLocation));
    uint8_t major = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 1);
    uint8_t minor = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MinorFunction), 1);

    /* "The HID class driver does not send the following requests to the
     * HID minidriver: create, close, or device control."  "the FDO cannot
     * be opened. The HID class driver returns STATUS_UNSUCCESSFUL" (create)
     * and "STATUS_INVALID_PARAMETER_1" (close). (Minidrivers and the HID
     * class driver, hid/minidriver-operations) */
    if (major == VW_IRP_MJ_CREATE || major == VW_IRP_MJ_CLOSE) {
        uint32_t status =
            major == VW_IRP_MJ_CREATE ? VW_STATUS_UNSUCCESSFUL : VW_STATUS_INVALID_PARAMETER_1;
        vw_irp_set_status(vm, irp, status);
        vw_io_complete(vm, irp);
        return status;
    }
    if (major == VW_IRP_MJ_PNP) {
        bool going = minor == VW_IRP_MN_STOP_DEVICE || minor == VW_IRP_MN_SURPRISE_REMOVAL ||
                     minor == VW_IRP_MN_REMOVE_DEVICE;
        if (going)
            cancel_reads(vm, h);
        uint32_t status = call_mini(vm, h, major, dev, irp);
        if (minor == VW_IRP_MN_START_DEVICE && VW_NT_SUCCESS(status) && !vm->failed) {
            hid_query(vm, h);
            post_reads(vm, h);
        }
        if (going)
            h->started = false;
        if (minor == VW_IRP_MN_REMOVE_DEVICE && !vm->failed) {
            free_buffers(vm, h);
            vw_wrptr(vm, h->next + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice), 0);
            vw_device_delete(vm, h->fdo);
            h->fdo = 0;
        }
        return status;
    }
    if (major == VW_IRP_MJ_POWER && minor == VW_IRP_MN_SET_POWER &&
        vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.Type), 4) == 1) {
        unsigned state = (unsigned)vw_rd(
            vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.State), 4);
        if (state != 1)
            cancel_reads(vm, h);
        /* A stack that is not DO_POWER_PAGABLE may get its power IRPs at
         * DISPATCH_LEVEL (learn.microsoft.com/windows-hardware/drivers/
         * kernel/irp-mn-set-power); hidclass, the power policy owner,
         * goes on once its device IRP completed. */
        unsigned irql = vm->irql;
        if (h->power_at_dispatch)
            vm->irql = VW_DISPATCH_LEVEL;
        vm->k->completed_irp = 0;
        uint32_t status = call_mini(vm, h, major, dev, irp);
        vm->irql = irql;
        while (status == VW_STATUS_PENDING && !vm->failed && vm->k->completed_irp != irp &&
               vw_sched_settle(vm))
            ;
        if (status == VW_STATUS_PENDING && vm->k->completed_irp == irp)
            status = vw_irp_status(vm, irp);
        if (state == 1 && VW_NT_SUCCESS(status) && h->started && !vm->failed) {
            h->reading = true;
            post_reads(vm, h);
        }
        return status;
    }
    return call_mini(vm, h, major, dev, irp);
}

/* The same, called through the routine's address (a driver's own call). */
static void hid_dispatch(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, hid_dispatch_irp(vm, vw_arg(vm, api, 0), vw_arg(vm, api, 1)));
}

void vw_hidclass_power_at_dispatch(struct vm *vm, bool on)
{
    struct vw_hidclass *h = vw_hid(vm);
    if (h != NULL)
        h->power_at_dispatch = on;
}

static void hid_add_device(struct vm *vm, const struct vw_api *api)
{
    struct vw_hidclass *h = vw_hid(vm);
    gva_t driver = vw_arg(vm, api, 0), pdo = vw_arg(vm, api, 1);
    if (h->fdo != 0) {
        vw_fail(vm, "hidclass emulation: one device per machine");
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    gva_t fdo =
        vw_device_create(vm, driver, HID_MINI_OFFSET + h->ext_size, VW_FILE_DEVICE_KEYBOARD);
    if (fdo == 0) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    /* hidclass.sys marks its FDO power-pageable before the minidriver's
     * AddDevice: the power manager then sends the stack's power IRPs at
     * PASSIVE_LEVEL ("The power manager calls such drivers at IRQL =
     * PASSIVE_LEVEL", Setting Device Object Flags for Power Management),
     * which is what lets a minidriver wait in its power dispatch. */
    uint64_t fl = VW_OFFSET(vm, DEVICE_OBJECT, Flags);
    vw_wr(vm, fdo + fl, vw_rd(vm, fdo + fl, 4) | VW_DO_POWER_PAGABLE, 4);
    gva_t top = vw_device_top(vm, pdo);
    vw_wrptr(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice), fdo);
    uint64_t ss = VW_OFFSET(vm, DEVICE_OBJECT, StackSize);
    vw_wr(vm, fdo + ss, vw_rd(vm, top + ss, 1) + 1, 1);
    gva_t ext = vw_rdptr(vm, fdo + VW_OFFSET(vm, DEVICE_OBJECT, DeviceExtension));
    vw_wrptr(vm, ext + VW_OFFSET(vm, VW_HID_DEVICE_EXTENSION, PhysicalDeviceObject), pdo);
    vw_wrptr(vm, ext + VW_OFFSET(vm, VW_HID_DEVICE_EXTENSION, NextDeviceObject), top);
    vw_wrptr(vm, ext + VW_OFFSET(vm, VW_HID_DEVICE_EXTENSION, MiniDeviceExtension),
             ext + HID_MINI_OFFSET);
    h->fdo = fdo;
    h->pdo = pdo;
    h->next = top;
    uint64_t args[2] = {driver, fdo}, status = 0;
    if (!vw_call(vm, h->mini_add, 2, args, &status))
        return;
    if (!VW_NT_SUCCESS((uint32_t)status)) {
        vw_wrptr(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice), 0);
        vw_device_delete(vm, fdo);
        h->fdo = 0;
    } else {
        uint64_t flags = VW_OFFSET(vm, DEVICE_OBJECT, Flags);
        vw_wr(vm, fdo + flags, vw_rd(vm, fdo + flags, 4) & ~0x80u, 4);
    }
    vw_set_return(vm, status);
}

static void hid_unload(struct vm *vm, const struct vw_api *api)
{
    struct vw_hidclass *h = vw_hid(vm);
    uint64_t args[1] = {vw_arg(vm, api, 0)};
    if (h->mini_unload != 0)
        vw_call(vm, h->mini_unload, 1, args, NULL);
}

static const struct vw_api hid_dispatch_api = {"hidclass dispatch", VW_ALL_ARCHES, VW_STDCALL, 2, 0,
                                               VW_DISPATCH_LEVEL,   hid_dispatch};
static const struct vw_api hid_add_device_api = {
    "hidclass AddDevice", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_PASSIVE_LEVEL, hid_add_device};
static const struct vw_api hid_unload_api = {
    "hidclass DriverUnload", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL, hid_unload};

static void vw_HidRegisterMinidriver(struct vm *vm, const struct vw_api *api)
{
    gva_t reg = vw_arg(vm, api, 0);
    gva_t driver = vw_rdptr(vm, reg + VW_OFFSET(vm, VW_HID_MINIDRIVER_REGISTRATION, DriverObject));
    uint32_t revision = (uint32_t)vw_rd(vm, reg, 4);
    struct vw_hidclass *h = hid_state(vm);
    if (h == NULL) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    if (h->registered) {
        vw_fail(vm, "HidRegisterMinidriver called twice");
        return;
    }
    if (revision != 1 || driver != vm->k->driver_object) {
        vw_fail(vm, "HidRegisterMinidriver: revision %u, driver object 0x%" PRIx64, revision,
                driver);
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    h->registered = true;
    h->ext_size = (uint32_t)vw_rd(
        vm, reg + VW_OFFSET(vm, VW_HID_MINIDRIVER_REGISTRATION, DeviceExtensionSize), 4);
    h->polled =
        vw_rd(vm, reg + VW_OFFSET(vm, VW_HID_MINIDRIVER_REGISTRATION, DevicesArePolled), 1) != 0;
    uint64_t major = VW_OFFSET(vm, DRIVER_OBJECT, MajorFunction);
    gva_t dispatch = vw_kernel_routine(vm, &hid_dispatch_api);
    vm->k->host_dispatch_routine = dispatch;
    vm->k->host_dispatch = hid_dispatch_irp;
    for (unsigned i = 0; i < 28; i++) {
        h->mini_major[i] = vw_rdptr(vm, driver + major + i * vm->ptr_size);
        vw_wrptr(vm, driver + major + i * vm->ptr_size, dispatch);
    }
    /* "A HID minidriver must supply the following dispatch routines:
     * create, close, internal device control, system control, Plug and
     * Play, and power management." (hid/minidriver-operations; create and
     * close are never called: stubs suffice) */
    static const struct {
        uint8_t major;
        const char *name;
    } required[] = {{VW_IRP_MJ_CREATE, "IRP_MJ_CREATE"},
                    {VW_IRP_MJ_CLOSE, "IRP_MJ_CLOSE"},
                    {VW_IRP_MJ_INTERNAL_DEVICE_CONTROL, "IRP_MJ_INTERNAL_DEVICE_CONTROL"},
                    {VW_IRP_MJ_SYSTEM_CONTROL, "IRP_MJ_SYSTEM_CONTROL"},
                    {VW_IRP_MJ_PNP, "IRP_MJ_PNP"},
                    {VW_IRP_MJ_POWER, "IRP_MJ_POWER"}};
    for (unsigned i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (h->mini_major[required[i].major] == 0) {
            vw_fail(vm,
                    "HidRegisterMinidriver: the minidriver supplies no %s dispatch routine (a "
                    "HID minidriver must supply create, close, internal device control, system "
                    "control, PnP and power)",
                    required[i].name);
            return;
        }
    gva_t ext = vw_rdptr(vm, driver + VW_OFFSET(vm, DRIVER_OBJECT, DriverExtension));
    h->mini_add = vw_rdptr(vm, ext + VW_OFFSET(vm, DRIVER_EXTENSION, AddDevice));
    h->mini_unload = vw_rdptr(vm, driver + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload));
    if (h->mini_add == 0) {
        vw_fail(vm, "HidRegisterMinidriver: the minidriver set no AddDevice routine first");
        return;
    }
    vw_wrptr(vm, ext + VW_OFFSET(vm, DRIVER_EXTENSION, AddDevice),
             vw_kernel_routine(vm, &hid_add_device_api));
    vw_wrptr(vm, driver + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload),
             vw_kernel_routine(vm, &hid_unload_api));
    vw_log(vm, "hidclass: minidriver registered, extension %u bytes, %s", h->ext_size,
           h->polled ? "polled" : "not polled");
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* At unload: the FDO must have gone with REMOVE_DEVICE. */
static unsigned hid_report_leaks(struct vm *vm)
{
    struct vw_hidclass *h = vw_hid(vm);
    if (h == NULL || h->fdo == 0)
        return 0;
    vw_log(vm, "leak: hidclass FDO 0x%" PRIx64 " never removed", h->fdo);
    return 1;
}

static const struct vw_api hid_apis[] = {
    {"HidRegisterMinidriver", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL,
     vw_HidRegisterMinidriver},
};

VW_API_GROUP(hidclass, hid_apis, .report_leaks = hid_report_leaks)
