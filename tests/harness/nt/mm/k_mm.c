/*
 * Mm: MmMapIoSpace hands out addresses in the MMIO window, each mapping
 * followed by an unmapped gap; x86 register accessors are imports.
 */
#include <inttypes.h>
#include "abi.h"
#include "bus.h"
#include "kernel.h"

#define PAGE 0x1000ull

void vw_MmMapIoSpace(struct vm *vm, const struct vw_api *api)
{
    uint64_t phys = vw_arg(vm, api, 0), len = vw_arg(vm, api, 1);
    uint64_t offset = phys & (PAGE - 1);
    uint64_t map_len = (offset + len + PAGE - 1) & ~(PAGE - 1);
    struct vw_kernel *k = vm->k;
    if (len == 0) {
        vw_fail(vm, "MmMapIoSpace: length 0");
        return;
    }
    if (!VW_GROW(vm, k->mappings, k->mapping_count, k->mapping_cap, "I/O mappings"))
        return;
    gva_t va = k->mmio_next;
    if (!vw_bus_map_mmio(vm, va, phys - offset, map_len)) {
        vw_log(vm, "MmMapIoSpace(0x%" PRIx64 "): no device there, returning NULL", phys);
        vw_set_return(vm, 0);
        return;
    }
    k->mmio_next += map_len + PAGE;
    k->mappings[k->mapping_count++] =
        (struct vw_mapping){.va = va + offset, .len = len, .map_len = map_len, .phys = phys};
    vw_set_return(vm, va + offset);
}

void vw_MmUnmapIoSpace(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 0);
    uint64_t len = vw_arg(vm, api, 1);
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->mapping_count; i++) {
        struct vw_mapping *m = &k->mappings[i];
        if (m->va != va)
            continue;
        if (m->len != len) {
            vw_fail(vm, "MmUnmapIoSpace: length %" PRIu64 " differs from the mapped %" PRIu64, len,
                    m->len);
            return;
        }
        vw_bus_unmap_mmio(vm, va & ~(PAGE - 1));
        *m = k->mappings[--k->mapping_count];
        return;
    }
    vw_fail(vm, "MmUnmapIoSpace: 0x%" PRIx64 " is not a mapping from MmMapIoSpace", va);
}

unsigned vw_mm_report_leaks(struct vm *vm)
{
    for (unsigned i = 0; i < vm->k->mapping_count; i++)
        vw_log(vm, "leak: I/O space mapping of physical 0x%" PRIx64 " (%" PRIu64 " bytes)",
               vm->k->mappings[i].phys, vm->k->mappings[i].len);
    return vm->k->mapping_count;
}

static uint64_t register_access(struct vm *vm, gva_t va, unsigned size, bool write, uint64_t value)
{
    if (vw_bus_va_access(vm, va, size, write, &value))
        return value;
    /* Not device memory: a plain access, which faults if unmapped. */
    if (write)
        vw_wr(vm, va, value, size);
    else
        value = vw_rd(vm, va, size);
    return value;
}

void vw_READ_REGISTER_UCHAR(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, register_access(vm, vw_arg(vm, api, 0), 1, false, 0));
}

void vw_WRITE_REGISTER_UCHAR(struct vm *vm, const struct vw_api *api)
{
    register_access(vm, vw_arg(vm, api, 0), 1, true, vw_arg(vm, api, 1) & 0xff);
}

void vw_READ_PORT_UCHAR(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, vw_bus_port_read(vm, (uint16_t)vw_arg(vm, api, 0), 1));
}

void vw_WRITE_PORT_UCHAR(struct vm *vm, const struct vw_api *api)
{
    vw_bus_port_write(vm, (uint16_t)vw_arg(vm, api, 0), vw_arg(vm, api, 1) & 0xff, 1);
}

#define REGISTER_ACCESSORS(TYPE, SIZE, MASK)                                                       \
    void vw_READ_REGISTER_##TYPE(struct vm *vm, const struct vw_api *api)                          \
    {                                                                                              \
        vw_set_return(vm, register_access(vm, vw_arg(vm, api, 0), SIZE, false, 0));                \
    }                                                                                              \
    void vw_WRITE_REGISTER_##TYPE(struct vm *vm, const struct vw_api *api)                         \
    {                                                                                              \
        register_access(vm, vw_arg(vm, api, 0), SIZE, true, vw_arg(vm, api, 1) & (MASK));          \
    }                                                                                              \
    void vw_READ_PORT_##TYPE(struct vm *vm, const struct vw_api *api)                              \
    {                                                                                              \
        vw_set_return(vm, vw_bus_port_read(vm, (uint16_t)vw_arg(vm, api, 0), SIZE));               \
    }                                                                                              \
    void vw_WRITE_PORT_##TYPE(struct vm *vm, const struct vw_api *api)                             \
    {                                                                                              \
        vw_bus_port_write(vm, (uint16_t)vw_arg(vm, api, 0), vw_arg(vm, api, 1) & (MASK), SIZE);    \
    }

REGISTER_ACCESSORS(USHORT, 2, 0xffff)
REGISTER_ACCESSORS(ULONG, 4, 0xffffffffu)
