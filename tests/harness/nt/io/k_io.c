/*
 * Device objects and device stacks.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_irp.h"

static gva_t field_ptr(struct vm *vm, gva_t obj, uint64_t off)
{
    return vw_rdptr(vm, obj + off);
}

gva_t vw_device_top(struct vm *vm, gva_t device)
{
    uint64_t attached = VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice);
    for (unsigned i = 0; i < 32 && device != 0; i++) {
        gva_t above = field_ptr(vm, device, attached);
        if (above == 0)
            return device;
        device = above;
    }
    vw_fail(vm, "device stack too deep or looping");
    return 0;
}

/* The size of a DEVICE_OBJECT as Windows has it: wdm.h declares it
 * DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) (16 bytes on 64-bit, 8 on
 * x86), which the mingw-w64 headers leave out (0x148 instead of 0x150 on
 * amd64), so the size is the end of its last member, rounded up to that. */
static uint64_t device_object_size(struct vm *vm)
{
    uint64_t align = vm->ptr_size == 8 ? 16 : 8;
    uint64_t end = VW_OFFSET(vm, DEVICE_OBJECT, Reserved) + vm->ptr_size;
    return (end + align - 1) & ~(align - 1);
}

/* A device object and its extension, in one block like Windows does. */
static gva_t new_device(struct vm *vm, gva_t driver, uint64_t ext_size, uint32_t type,
                        uint32_t characteristics, bool driver_owned)
{
    uint64_t size = device_object_size(vm);
    uint64_t ext_off = (size + 15) & ~15ull;
    gva_t dev = driver_owned ? vw_pool_alloc(vm, ext_off + ext_size, VW_TAG('D', 'e', 'v', 'i'),
                                             "device object", true)
                             : vw_kalloc(vm, ext_off + ext_size);
    if (dev == 0)
        return 0;
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, Type), VW_IO_TYPE_DEVICE, 2);
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, Size), size, 2);
    vw_wrptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, DriverObject), driver);
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1, 1);
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, DeviceType), type, 4);
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, Characteristics), characteristics, 4);
    vw_wrptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, DeviceExtension), ext_size ? dev + ext_off : 0);
    /* Link into the driver's device list. */
    uint64_t list = VW_OFFSET(vm, DRIVER_OBJECT, DeviceObject);
    vw_wrptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, NextDevice), vw_rdptr(vm, driver + list));
    vw_wrptr(vm, driver + list, dev);
    return dev;
}

gva_t vw_pdo_new(struct vm *vm)
{
    return new_device(vm, vm->k->bus_driver, 0, 0x22 /* FILE_DEVICE_BUS_EXTENDER */, 0, false);
}

unsigned vw_driver_device_count(struct vm *vm)
{
    unsigned n = 0;
    gva_t dev = vw_rdptr(vm, vm->k->driver_object + VW_OFFSET(vm, DRIVER_OBJECT, DeviceObject));
    for (; dev != 0 && n < 1000000; n++) /* any length; a loop stops somewhere */
        dev = vw_rdptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, NextDevice));
    return n;
}

void vw_IoCreateDevice(struct vm *vm, const struct vw_api *api)
{
    gva_t driver = vw_arg(vm, api, 0), out = vw_arg(vm, api, 6);
    if (driver != vm->k->driver_object) {
        vw_fail(vm, "IoCreateDevice: 0x%" PRIx64 " is not the driver object", driver);
        return;
    }
    gva_t dev = new_device(vm, driver, (uint32_t)vw_arg(vm, api, 1), (uint32_t)vw_arg(vm, api, 3),
                           (uint32_t)vw_arg(vm, api, 4), true);
    if (dev == 0) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    uint32_t named = vw_names_add_device(vm, dev, vw_arg(vm, api, 2));
    if (named != VW_STATUS_SUCCESS) {
        vw_io_unlink_device(vm, driver, dev);
        vw_pool_free(vm, dev, "IoCreateDevice failing");
        vw_set_return(vm, named);
        return;
    }
    vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, Flags), VW_DO_DEVICE_INITIALIZING, 4);
    vw_wrptr(vm, out, dev);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_device_delete(struct vm *vm, gva_t dev)
{
    gva_t driver = vw_rdptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, DriverObject));
    if (vm->failed)
        return;
    if (vw_rdptr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice)) != 0) {
        vw_fail(vm, "IoDeleteDevice: a device is still attached above 0x%" PRIx64, dev);
        return;
    }
    vw_names_remove_device(vm, dev);
    vw_io_unlink_device(vm, driver, dev);
    vw_pool_free(vm, dev, "IoDeleteDevice");
}

/* Take DEV off DRIVER's device list. */
void vw_io_unlink_device(struct vm *vm, gva_t driver, gva_t dev)
{
    gva_t link = driver + VW_OFFSET(vm, DRIVER_OBJECT, DeviceObject);
    uint64_t next = VW_OFFSET(vm, DEVICE_OBJECT, NextDevice);
    /* Any length; a list longer than a million has a loop in it. */
    for (unsigned i = 0; i < 1000000; i++) {
        gva_t cur = vw_rdptr(vm, link);
        if (cur == 0 || vm->failed)
            return;
        if (cur == dev) {
            vw_wrptr(vm, link, vw_rdptr(vm, dev + next));
            return;
        }
        link = cur + next;
    }
    vw_fail(vm, "the driver object's device list (NextDevice) loops");
}

void vw_IoDeleteDevice(struct vm *vm, const struct vw_api *api)
{
    vw_device_delete(vm, vw_arg(vm, api, 0));
}

gva_t vw_device_create(struct vm *vm, gva_t driver, uint64_t ext_size, uint32_t type)
{
    gva_t dev = new_device(vm, driver, ext_size, type, 0, true);
    if (dev != 0)
        vw_wr(vm, dev + VW_OFFSET(vm, DEVICE_OBJECT, Flags), VW_DO_DEVICE_INITIALIZING, 4);
    return dev;
}

void vw_IoAttachDeviceToDeviceStack(struct vm *vm, const struct vw_api *api)
{
    gva_t source = vw_arg(vm, api, 0), target = vw_arg(vm, api, 1);
    gva_t top = vw_device_top(vm, target);
    if (top == 0) {
        vw_set_return(vm, 0);
        return;
    }
    vw_wrptr(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice), source);
    uint64_t stack = VW_OFFSET(vm, DEVICE_OBJECT, StackSize);
    vw_wr(vm, source + stack, vw_rd(vm, top + stack, 1) + 1, 1);
    vw_set_return(vm, top);
}

void vw_IoDetachDevice(struct vm *vm, const struct vw_api *api)
{
    gva_t target = vw_arg(vm, api, 0);
    gva_t field = target + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice);
    if (vw_rdptr(vm, field) == 0) {
        vw_fail(vm, "IoDetachDevice: nothing is attached to 0x%" PRIx64, target);
        return;
    }
    vw_wrptr(vm, field, 0);
}

gva_t vw_unicode_string(struct vm *vm, const char *ascii)
{
    size_t n = strlen(ascii);
    gva_t us = vw_kalloc(vm, VW_SIZEOF(vm, UNICODE_STRING) + 2 * (n + 1));
    gva_t buf = us + VW_SIZEOF(vm, UNICODE_STRING);
    for (size_t i = 0; i < n; i++)
        vw_wr(vm, buf + 2 * i, (uint8_t)ascii[i], 2);
    vw_wr(vm, us, 2 * n, 2);         /* Length */
    vw_wr(vm, us + 2, 2 * n + 2, 2); /* MaximumLength */
    vw_wrptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer), buf);
    return us;
}

bool vw_read_unicode_string(struct vm *vm, gva_t us, char *out, size_t cap)
{
    uint16_t len = (uint16_t)vw_rd(vm, us, 2);
    gva_t buf = vw_rdptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer));
    size_t n = 0;
    for (size_t i = 0; i + 1 < len && n + 1 < cap && !vm->failed; i += 2) {
        uint16_t c = (uint16_t)vw_rd(vm, buf + i, 2);
        out[n++] = c < 0x80 ? (char)c : '?';
    }
    out[n] = 0;
    return !vm->failed;
}
