/*
 * The PCI bus driver's BUS_INTERFACE_STANDARD (GUID {496B8280-6F25-11D0-
 * BEAF-08002BE2092F}), answered for IRP_MN_QUERY_INTERFACE on a PDO with a
 * configuration space: GetBusData/SetBusData reach the device's config
 * space (vw_pdo.pci), Interface(De)Reference count references, which must
 * be back to zero at unload.  The context is the PDO.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "bus_pci.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"

#define PCI_WHICHSPACE_CONFIG 0
#define PCI_CONFIG_SIZE       256

static const uint8_t guid_bus_interface_standard[16] = {
    0x80, 0x82, 0x6b, 0x49, 0x25, 0x6f, 0xd0, 0x11, 0xbe, 0xaf, 0x08, 0x00, 0x2b, 0xe2, 0x09, 0x2f};

static struct vw_pdo *pdo_of(struct vm *vm, gva_t context, const char *who)
{
    struct vw_pdo *p = vw_pdo_find(vm, context);
    if (p == NULL || p->pci == NULL)
        vw_fail(vm, "%s: context 0x%" PRIx64 " is not a PCI bus interface", who, context);
    return p;
}

static void InterfaceReference(struct vm *vm, const struct vw_api *api)
{
    struct vw_pdo *p = pdo_of(vm, vw_arg(vm, api, 0), "InterfaceReference");
    if (p != NULL)
        p->bus_refs++;
}

static void InterfaceDereference(struct vm *vm, const struct vw_api *api)
{
    struct vw_pdo *p = pdo_of(vm, vw_arg(vm, api, 0), "InterfaceDereference");
    if (p == NULL)
        return;
    if (p->bus_refs <= 0) {
        vw_fail(vm, "InterfaceDereference: bus interface released more often than taken");
        return;
    }
    p->bus_refs--;
}

/* GetBusData/SetBusData(Context, DataType, Buffer, Offset, Length): bytes
 * transferred (clipped to the 256-byte configuration space). */
static void config_access(struct vm *vm, const struct vw_api *api, bool write)
{
    struct vw_pdo *p = pdo_of(vm, vw_arg(vm, api, 0), api->name);
    uint32_t type = (uint32_t)vw_arg(vm, api, 1);
    gva_t buf = vw_arg(vm, api, 2);
    uint32_t offset = (uint32_t)vw_arg(vm, api, 3), len = (uint32_t)vw_arg(vm, api, 4);
    if (p == NULL)
        return;
    if (p->bus_refs <= 0) {
        vw_fail(vm, "%s through a bus interface already dereferenced", api->name);
        return;
    }
    if (type != PCI_WHICHSPACE_CONFIG || offset >= PCI_CONFIG_SIZE) {
        vw_set_return(vm, 0);
        return;
    }
    if (len > PCI_CONFIG_SIZE - offset)
        len = PCI_CONFIG_SIZE - offset;
    for (uint32_t i = 0; i < len && !vm->failed; i++) {
        if (write)
            p->pci->write(vm, p->pci_dev, offset + i, (uint32_t)vw_rd(vm, buf + i, 1), 1);
        else
            vw_wr(vm, buf + i, p->pci->read(vm, p->pci_dev, offset + i, 1), 1);
    }
    vw_set_return(vm, len);
}

static void GetBusData(struct vm *vm, const struct vw_api *api)
{
    config_access(vm, api, false);
}

static void SetBusData(struct vm *vm, const struct vw_api *api)
{
    config_access(vm, api, true);
}

#define H VW_HIGH_LEVEL
static const struct vw_api routines[] = {
    {"BUS_INTERFACE_STANDARD.InterfaceReference", VW_ALL_ARCHES, VW_STDCALL, 1, 0, H,
     InterfaceReference},
    {"BUS_INTERFACE_STANDARD.InterfaceDereference", VW_ALL_ARCHES, VW_STDCALL, 1, 0, H,
     InterfaceDereference},
    {"BUS_INTERFACE_STANDARD.SetBusData", VW_ALL_ARCHES, VW_STDCALL, 5, 0, H, SetBusData},
    {"BUS_INTERFACE_STANDARD.GetBusData", VW_ALL_ARCHES, VW_STDCALL, 5, 0, H, GetBusData},
};

uint32_t vw_bus_query_interface(struct vm *vm, gva_t pdo, gva_t stack, uint32_t status)
{
    struct vw_pdo *p = vw_pdo_find(vm, pdo);
    uint64_t q = VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceType);
    uint8_t guid[16];
    if (p == NULL || p->pci == NULL || !vw_read(vm, vw_rdptr(vm, stack + q), guid, 16) ||
        memcmp(guid, guid_bus_interface_standard, 16) != 0)
        return status; /* not ours: the status the sender set */
    uint16_t size = (uint16_t)vw_rd(
        vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.QueryInterface.Size), 2);
    gva_t out =
        vw_rdptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.QueryInterface.Interface));
    if (size < VW_SIZEOF(vm, BUS_INTERFACE_STANDARD) || out == 0)
        return VW_STATUS_INVALID_PARAMETER;
    vw_wr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, Size),
          VW_SIZEOF(vm, BUS_INTERFACE_STANDARD), 2);
    vw_wr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, Version), 1, 2);
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, Context), pdo);
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, InterfaceReference),
             vw_kernel_routine(vm, &routines[0]));
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, InterfaceDereference),
             vw_kernel_routine(vm, &routines[1]));
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, TranslateBusAddress), 0);
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, GetDmaAdapter), 0);
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, SetBusData),
             vw_kernel_routine(vm, &routines[2]));
    vw_wrptr(vm, out + VW_OFFSET(vm, BUS_INTERFACE_STANDARD, GetBusData),
             vw_kernel_routine(vm, &routines[3]));
    p->bus_refs++; /* the bus references the interface it hands out */
    return VW_STATUS_SUCCESS;
}
