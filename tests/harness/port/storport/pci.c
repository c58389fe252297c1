/*
 * StorPort on a PCI function (storport/<page> cited per rule): the
 * function's resources as PORT_CONFIGURATION_INFORMATION's access ranges,
 * StorPortGetBusData / StorPortSetBusDataByOffset on its configuration
 * space, StorPortGetDeviceBase / StorPortFreeDeviceBase, the port and
 * register routines, the interrupt StorPort connects for the miniport
 * (HwInterrupt for a line, HwMSInterruptRoutine for messages, each called
 * at DIRQL under the interrupt lock or the message's own lock), the MSI
 * spin locks, and the devices' claims on memory checked at completion.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "bus.h"
#include "internal.h"
#include "ram.h"

#define PAGE                   0x1000ull
#define PCI_BUS_INTERFACE      5 /* INTERFACE_TYPE PCIBus */
#define PCI_CONFIGURATION      4 /* BUS_DATA_TYPE PCIConfiguration */
#define PCI_CONFIG_SIZE        256
#define INTERRUPT_SYNC_PER_MSG 2 /* InterruptSynchronizePerMessage */

/* ---- Resources ------------------------------------------------------------ */

/* Range I of the PDO's raw and translated lists: type, start, length. */
static bool pdo_range(struct vm *vm, gva_t list, unsigned i, unsigned *type, uint64_t *start,
                      uint32_t *len)
{
    uint64_t full = VW_OFFSET(vm, CM_RESOURCE_LIST, List);
    uint64_t partial = full + VW_OFFSET(vm, CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList);
    uint64_t descs = partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, PartialDescriptors);
    uint32_t count =
        (uint32_t)vw_rd(vm, list + partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, Count), 4);
    if (i >= count)
        return false;
    gva_t d = list + descs + VW_SIZEOF(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR) * i;
    *type = (unsigned)vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Type), 1);
    *start = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start), 8);
    *len =
        (uint32_t)vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length), 4);
    return true;
}

/* Before HwFindAdapter: the bus, the slot, the interrupt and the access
 * ranges, bus-relative (raw) as assigned (storport/ns-storport-
 * _port_configuration_information: AccessRanges "bus-relative", filled by
 * the port driver for PnP adapters; storport/ns-storport-_access_range). */
void stor_pci_fill_config(struct vm *vm, struct stor_adapter *a, gva_t cfg)
{
    struct vw_pdo *p = a->pdo ? vw_pdo_find(vm, a->pdo) : NULL;
    if (p == NULL)
        return;
#define CFG(m, v, n) vw_wr(vm, cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, m), (v), (n))
    CFG(AdapterInterfaceType, PCI_BUS_INTERFACE, 4);
    CFG(SystemIoBusNumber, 0, 4);
    CFG(SlotNumber, 0, 4);
    uint32_t max = (uint32_t)vw_rd(
        vm, cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, NumberOfAccessRanges), 4);
    unsigned filled = 0, type;
    uint64_t start;
    uint32_t len;
    for (unsigned i = 0; pdo_range(vm, p->raw, i, &type, &start, &len); i++) {
        if (type == VW_RES_INTERRUPT) {
            CFG(BusInterruptLevel, 11, 4);
            CFG(BusInterruptVector, 11, 4);
            CFG(InterruptMode, p->messages ? 1 : 0, 4); /* Latched / LevelSensitive */
            continue;
        }
        if (filled == max) {
            vw_log(vm, "storport: access range %u beyond NumberOfAccessRanges %u left out", i, max);
            continue;
        }
        gva_t r = a->access_ranges + VW_SIZEOF(vm, ACCESS_RANGE) * filled++;
        vw_wr(vm, r + VW_OFFSET(vm, ACCESS_RANGE, RangeStart), start, 8);
        vw_wr(vm, r + VW_OFFSET(vm, ACCESS_RANGE, RangeLength), len, 4);
        vw_wr(vm, r + VW_OFFSET(vm, ACCESS_RANGE, RangeInMemory), type == VW_RES_MEMORY, 1);
    }
#undef CFG
}

void vw_stor_attach_pci(struct vm *vm, gva_t pdo)
{
    struct vw_pdo *p = vw_pdo_find(vm, pdo);
    if (p == NULL || p->pci == NULL) {
        vw_fail(vm, "vw_stor_attach_pci: 0x%" PRIx64 " is not a PCI function's PDO", pdo);
        return;
    }
    stor_state(vm)->pdo = pdo;
}

/* Bus data belongs to HwFindAdapter and HwAdapterControl (the routines
 * storport/nf-storport-storportgetbusdata lists; other callers "cause a
 * system failure"): elsewhere the call fails by name. */
static bool bus_data_context(struct vm *vm, struct stor_adapter *a, const char *who)
{
    enum stor_ctx ctx = stor_cpu(vm, a)->ctx;
    if (ctx == CTX_FIND_ADAPTER || ctx == CTX_ADAPTER_CONTROL)
        return true;
    vw_fail(vm, "%s in %s (HwFindAdapter and HwAdapterControl only)", who, stor_ctx_name(ctx));
    return false;
}

static struct vw_pdo *adapter_pdo(struct vm *vm, struct stor_adapter *a, const char *who)
{
    struct vw_pdo *p = a->pdo ? vw_pdo_find(vm, a->pdo) : NULL;
    if (p == NULL)
        vw_log(vm, "storport: %s on an adapter with no PCI function", who);
    return p;
}

/* storport/nf-storport-storportgetbusdata: PCIConfiguration of our slot
 * into Buffer; 0 with no bus; Length 0 (a port-allocated buffer) is not
 * emulated and fails by name.  Valid "until the next call": the miniport
 * reads into its own buffer. */
static void vw_StorPortGetBusData(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint32_t type = (uint32_t)vw_arg(vm, api, 1), len = (uint32_t)vw_arg(vm, api, 5);
    gva_t buf = vw_arg(vm, api, 4);
    if (a == NULL || !bus_data_context(vm, a, api->name))
        return;
    struct vw_pdo *p = adapter_pdo(vm, a, api->name);
    if (p == NULL || type != PCI_CONFIGURATION) {
        vw_set_return(vm, 0);
        return;
    }
    if (len == 0) {
        vw_fail(vm, "StorPortGetBusData with Length 0 (a port-allocated buffer) is not emulated");
        return;
    }
    if (len > PCI_CONFIG_SIZE)
        len = PCI_CONFIG_SIZE;
    for (uint32_t i = 0; i < len && !vm->failed; i++)
        vw_wr(vm, buf + i, p->pci->read(vm, p->pci_dev, i, 1), 1);
    vw_set_return(vm, len);
}

/* storport/nf-storport-storportsetbusdatabyoffset: bytes written. */
static void vw_StorPortSetBusDataByOffset(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint32_t type = (uint32_t)vw_arg(vm, api, 1), off = (uint32_t)vw_arg(vm, api, 5);
    uint32_t len = (uint32_t)vw_arg(vm, api, 6);
    gva_t buf = vw_arg(vm, api, 4);
    if (a == NULL || !bus_data_context(vm, a, api->name))
        return;
    struct vw_pdo *p = adapter_pdo(vm, a, api->name);
    if (p == NULL || type != PCI_CONFIGURATION || off >= PCI_CONFIG_SIZE) {
        vw_set_return(vm, 0);
        return;
    }
    if (len > PCI_CONFIG_SIZE - off)
        len = PCI_CONFIG_SIZE - off;
    for (uint32_t i = 0; i < len && !vm->failed; i++)
        p->pci->write(vm, p->pci_dev, off + i, (uint32_t)vw_rd(vm, buf + i, 1), 1);
    vw_set_return(vm, len);
}

/* storport/nf-storport-storportgetdevicebase: IoAddress is bus-relative
 * (an access range); the result is a mapped address, or for I/O space the
 * port number the port routines take.  NULL for a range the function was
 * not assigned (the miniport must not reach beyond its ranges). */
static void vw_StorPortGetDeviceBase(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    uint64_t addr = vw_arg(vm, api, 3);
    uint32_t len = (uint32_t)vw_arg(vm, api, 4);
    bool io = (vw_arg(vm, api, 5) & 0xff) != 0;
    vw_set_return(vm, 0);
    if (a == NULL)
        return;
    struct vw_pdo *p = adapter_pdo(vm, a, api->name);
    unsigned type, ttype;
    uint64_t start, tstart;
    uint32_t rlen, tlen;
    for (unsigned i = 0; p != NULL && pdo_range(vm, p->raw, i, &type, &start, &rlen); i++) {
        if (type == VW_RES_INTERRUPT || (type == VW_RES_PORT) != io || addr < start || len == 0 ||
            addr + len > start + rlen)
            continue;
        pdo_range(vm, p->translated, i, &ttype, &tstart, &tlen);
        uint64_t cpu = tstart + (addr - start);
        if (ttype == VW_RES_PORT) { /* x86/amd64 port space: the port itself */
            vw_set_return(vm, cpu);
            return;
        }
        if (a->nmaps == STOR_MAX_MAPS) {
            vw_fail(vm, "harness: hard limit: %u StorPort device bases", STOR_MAX_MAPS);
            return;
        }
        uint64_t off = cpu & (PAGE - 1), map_len = (off + len + PAGE - 1) & ~(PAGE - 1);
        gva_t va = vm->k->mmio_next;
        if (!vw_bus_map_mmio(vm, va, cpu - off, map_len))
            return;
        vm->k->mmio_next += map_len + PAGE;
        a->maps[a->nmaps++] = (struct stor_map){va, map_len};
        vw_set_return(vm, va + off);
        return;
    }
    vw_log(vm,
           "StorPortGetDeviceBase(0x%" PRIx64 ", %u bytes, %s space): not an access range of "
           "the adapter: NULL",
           addr, len, io ? "I/O" : "memory");
}

/* storport/nf-storport-storportfreedevicebase */
static void vw_StorPortFreeDeviceBase(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    gva_t va = vw_arg(vm, api, 1) & ~(PAGE - 1);
    if (a == NULL)
        return;
    for (unsigned i = 0; i < a->nmaps; i++)
        if (a->maps[i].va == va) {
            vw_bus_unmap_mmio(vm, va);
            a->maps[i] = a->maps[--a->nmaps];
            return;
        }
    if (vw_arg(vm, api, 1) < 0x10000) /* a port number: nothing was mapped */
        return;
    vw_fail(vm, "StorPortFreeDeviceBase: 0x%" PRIx64 " is no device base of the adapter",
            vw_arg(vm, api, 1));
}

void stor_pci_unmap_all(struct vm *vm, struct stor_adapter *a)
{
    for (unsigned i = 0; i < a->nmaps; i++)
        vw_bus_unmap_mmio(vm, a->maps[i].va);
    a->nmaps = 0;
}

/* Port and register routines (storport/nf-storport-storportreadportulong
 * and the rest): a port number (x86/amd64 I/O space) or a device base. */
static uint64_t port_or_register(struct vm *vm, const struct vw_api *api, unsigned size, bool write)
{
    gva_t where = vw_arg(vm, api, 1);
    uint64_t value =
        write ? vw_arg(vm, api, 2) & (size == 4 ? 0xffffffffull : (1ull << 8 * size) - 1) : 0;
    if (vm->arch != VW_ARM64 && where < 0x10000) {
        if (write)
            vw_bus_port_write(vm, (uint16_t)where, value, size);
        else
            value = vw_bus_port_read(vm, (uint16_t)where, size);
        return value;
    }
    if (!vw_bus_va_access(vm, where, size, write, &value))
        vw_fail(vm, "%s: 0x%" PRIx64 " is no device base StorPort mapped", api->name, where);
    return value;
}

#define READER(NAME, SIZE)                                                                         \
    static void vw_##NAME(struct vm *vm, const struct vw_api *api)                                 \
    {                                                                                              \
        vw_set_return(vm, port_or_register(vm, api, SIZE, false));                                 \
    }
#define WRITER(NAME, SIZE)                                                                         \
    static void vw_##NAME(struct vm *vm, const struct vw_api *api)                                 \
    {                                                                                              \
        port_or_register(vm, api, SIZE, true);                                                     \
    }
READER(StorPortReadPortUchar, 1)
READER(StorPortReadPortUshort, 2)
READER(StorPortReadPortUlong, 4)
WRITER(StorPortWritePortUchar, 1)
WRITER(StorPortWritePortUshort, 2)
WRITER(StorPortWritePortUlong, 4)

/* ---- Interrupts ------------------------------------------------------------ */

static vw_api_fn stor_isr_message, stor_isr_line;
static const struct vw_api isr_routines[] = {
    {"storport message ISR", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL, stor_isr_message},
    {"storport line ISR", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL, stor_isr_line},
};

/* The miniport's routine for MESSAGE (or the line) at the interrupt's
 * DIRQL, holding the interrupt lock, or only the message's lock in
 * per-message mode (storport/ne-storport-_interrupt_synchronization_mode,
 * storport/nc-storport-hw_message_signaled_interrupt_routine). */
static void isr(struct vm *vm, const struct vw_api *api, bool message)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), api->name);
    unsigned m = message ? (unsigned)vw_arg(vm, api, 2) : 0;
    vw_set_return(vm, 0);
    if (a == NULL || a->intr == NULL)
        return;
    if (a->crashed) /* after the crash only the dump copy runs, polled */
        return;
    if (a->powered_down || !a->started) {
        /* A stopped or powered-down adapter's interrupt is disconnected
         * in Windows: the miniport never sees it. */
        a->stats.interrupts_masked++;
        vw_log(vm, "storport: interrupt while the adapter is stopped: not given to the miniport");
        return;
    }
    bool per_msg = message && a->sync_mode == INTERRUPT_SYNC_PER_MSG;
    gva_t lock = per_msg ? vw_intr_message_lock(a->intr, m) : a->intr->object;
    vw_spinlock_note(vm, lock, true, "storport ISR");
    uint64_t args[2] = {a->ext, m}, ret = 0;
    unsigned held = per_msg ? LOCK_BIT(LOCK_MESSAGE) : LOCK_BIT(LOCK_INTERRUPT);
    unsigned saved_msg = stor_cpu(vm, a)->held_message;
    stor_cpu(vm, a)->held_message = m;
    bool ok = stor_call(vm, a, CTX_INTERRUPT, vm->irql, held,
                        message ? a->msi_routine : a->interrupt, message ? 2 : 1, args, &ret);
    stor_cpu(vm, a)->held_message = saved_msg;
    if (!ok)
        return;
    vw_spinlock_note(vm, lock, false, "storport ISR");
    a->stats.device_interrupts++;
    vw_set_return(vm, ret & 0xff);
}

static void stor_isr_message(struct vm *vm, const struct vw_api *api)
{
    isr(vm, api, true);
}

static void stor_isr_line(struct vm *vm, const struct vw_api *api)
{
    isr(vm, api, false);
}

/* After HwFindAdapter: connect the function's messages (when the miniport
 * set HwMSInterruptRoutine) or its line to the miniport (miniports.md 1). */
bool stor_pci_connect(struct vm *vm, struct stor_adapter *a)
{
    if (a->pdo == 0 || a->intr != NULL || a->dump)
        return true;
    struct vw_pdo *p = vw_pdo_find(vm, a->pdo);
    if (p == NULL)
        return true;
    if (p->messages && a->msi_routine == 0 && !p->line) {
        vw_fail(vm, "storport: the function has only messages and HwFindAdapter set no "
                    "HwMSInterruptRoutine");
        return false;
    }
    a->msi_messages = a->msi_routine ? p->messages : 0;
    a->intr = vw_intr_connect_port(vm, a->pdo, vw_kernel_routine(vm, &isr_routines[0]),
                                   vw_kernel_routine(vm, &isr_routines[1]), a->ext,
                                   a->sync_mode == INTERRUPT_SYNC_PER_MSG);
    if (a->intr != NULL)
        vw_log(vm, "storport: %u message(s)%s connected to the miniport", a->intr->messages,
               a->msi_routine ? "" : " (line)");
    return !vm->failed;
}

/* Remove: the connection goes with the adapter. */
void stor_pci_disconnect(struct vm *vm, struct stor_adapter *a)
{
    (void)vm;
    if (a->intr != NULL)
        a->intr->live = false;
    a->intr = NULL;
}

/* Take or drop the lock word StorPort holds around a routine (the
 * interrupt's), so that no CPU takes the ISR meanwhile. */
bool stor_pci_interrupt_lock(struct vm *vm, struct stor_adapter *a, bool take)
{
    if (a->intr == NULL)
        return true;
    vw_spinlock_note(vm, a->intr->object, take, "storport interrupt lock");
    /* Not held after a take: this CPU spins (the call runs again when it
     * resumes) or the run failed. */
    return !take || vw_cpu_lock_holder(vm, a->intr->object) == (int)vw_cpu_current(vm);
}

/* StorPortAcquireMSISpinLock / StorPortReleaseMSISpinLock (storport/nf-
 * storport-storportacquiremsispinlock): per-message mode only; the
 * message's lock at DIRQL; OldIrql out. */
uint32_t stor_msi_lock(struct vm *vm, struct stor_adapter *a, unsigned m, gva_t old_irql,
                       uint64_t irql_in, bool acquire)
{
    const char *who = acquire ? "StorPortAcquireMSISpinLock" : "StorPortReleaseMSISpinLock";
    if (a->sync_mode != INTERRUPT_SYNC_PER_MSG) {
        vw_fail(vm,
                "%s with InterruptSynchronizationMode %u (only InterruptSynchronizePerMessage "
                "has message locks)",
                who, a->sync_mode);
        return STOR_STATUS_INVALID_PARAMETER;
    }
    if (a->intr == NULL || m >= a->msi_messages) {
        vw_fail(vm, "%s: message %u not granted", who, m);
        return STOR_STATUS_INVALID_PARAMETER;
    }
    gva_t lock = vw_intr_message_lock(a->intr, m);
    if (acquire) {
        if (stor_cpu(vm, a)->ctx == CTX_INTERRUPT &&
            (stor_cpu(vm, a)->held & LOCK_BIT(LOCK_MESSAGE)) &&
            stor_cpu(vm, a)->held_message == m) {
            vw_fail(vm, "%s(%u) inside the ISR of message %u, which holds it", who, m, m);
            return STOR_STATUS_INVALID_PARAMETER;
        }
        unsigned old = vm->irql;
        if (old > STOR_DIRQL) {
            vw_fail(vm, "IRQL: %s at IRQL %u, above DIRQL", who, old);
            return STOR_STATUS_INVALID_PARAMETER;
        }
        vw_spinlock_note(vm, lock, true, who);
        if (vm->failed || vw_cpu_lock_holder(vm, lock) != (int)vw_cpu_current(vm))
            return STOR_STATUS_INVALID_PARAMETER; /* failed, or spins: called again on resume */
        vm->irql = STOR_DIRQL;
        vw_wr(vm, old_irql, old, 4);
        a->msi_locks_held++;
        return STOR_STATUS_SUCCESS;
    }
    vw_spinlock_note(vm, lock, false, who);
    if (vm->failed)
        return STOR_STATUS_INVALID_PARAMETER;
    a->msi_locks_held--;
    vw_irql_set(vm, (unsigned)(irql_in & 0xff), who);
    return STOR_STATUS_SUCCESS;
}

/* ---- Devices' claims on memory ----------------------------------------------- */

void vw_stor_add_owner_check(struct vm *vm, vw_stor_owner_fn *fn, void *dev)
{
    struct stor_state *s = stor_state(vm);
    if (s->nowners == STOR_MAX_OWNERS) {
        vw_fail(vm, "harness: hard limit: %u device owner checks", STOR_MAX_OWNERS);
        return;
    }
    s->owners[s->nowners].fn = fn;
    s->owners[s->nowners++].dev = dev;
}

/* Does a device still own part of [va, va+len) (a virtual range, checked
 * page by page through its physical addresses)?  WHAT names the claim.
 * A range contiguous in guest RAM is asked about whole first: only when a
 * device claims part of it are its pages asked in turn, for the same first
 * claim (each question walks every descriptor of every queue). */
static bool owned(struct vm *vm, gva_t va, uint64_t len, char *what, size_t n)
{
    struct stor_state *s = stor_state(vm);
    uint64_t first = vw_ram_pa(vm, va), last = len ? vw_ram_pa(vm, va + len - 1) : UINT64_MAX;
    if (len > 0 && first != UINT64_MAX && last == first + len - 1) {
        bool claimed = false;
        for (unsigned i = 0; !claimed && i < s->nowners; i++)
            claimed = s->owners[i].fn(vm, s->owners[i].dev, first, len, what, n);
        if (!claimed)
            return false;
    }
    for (uint64_t off = 0; off < len;) {
        uint64_t chunk = PAGE - ((va + off) & (PAGE - 1));
        if (chunk > len - off)
            chunk = len - off;
        uint64_t pa = vw_ram_pa(vm, va + off);
        for (unsigned i = 0; pa != UINT64_MAX && i < s->nowners; i++)
            if (s->owners[i].fn(vm, s->owners[i].dev, pa, chunk, what, n))
                return true;
        off += chunk;
    }
    return false;
}

/* At RequestComplete: the SRB, its extension, its data and SG list must
 * be the device's no longer ("no request completed while the device owns
 * its buffers", issue 14; srb/nf-srb-scsiportnotification: after
 * RequestComplete the port driver owns the request). */
bool stor_check_device_released(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    char what[160];
    struct {
        gva_t va;
        uint64_t len;
        const char *name;
    } parts[4] = {{r->data, r->len, "data buffer"},
                  {r->ext, a->srb_ext_size, "SRB extension"},
                  {r->srb, VW_SIZEOF(vm, STORAGE_REQUEST_BLOCK), "SRB"},
                  {r->sg,
                   r->sg ? VW_OFFSET(vm, STOR_SCATTER_GATHER_LIST, List) +
                               VW_SIZEOF(vm, STOR_SCATTER_GATHER_ELEMENT) * 4
                         : 0,
                   "scatter/gather list"}};
    for (unsigned i = 0; i < 4; i++)
        if (parts[i].va != 0 && parts[i].len != 0 &&
            owned(vm, parts[i].va, parts[i].len, what, sizeof(what))) {
            vw_fail(vm,
                    "storport: SRB 0x%" PRIx64 " completed while the device still owns its %s "
                    "(%s)",
                    r->srb, parts[i].name, what);
            return false;
        }
    return true;
}

static const struct vw_api stor_pci_apis[] = {
    /* Checked by routine instead of IRQL: the dump copy's FindAdapter runs
     * at HIGH_LEVEL and calls them there. */
    {"StorPortGetBusData", VW_ALL_ARCHES, VW_STDCALL, 6, 0, VW_HIGH_LEVEL, vw_StorPortGetBusData},
    {"StorPortSetBusDataByOffset", VW_ALL_ARCHES, VW_STDCALL, 7, 0, VW_HIGH_LEVEL,
     vw_StorPortSetBusDataByOffset},
    {"StorPortGetDeviceBase", VW_ALL_ARCHES, VW_STDCALL, 6, 1u << 3, VW_HIGH_LEVEL,
     vw_StorPortGetDeviceBase},
    {"StorPortFreeDeviceBase", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortFreeDeviceBase},
    {"StorPortReadPortUchar", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortReadPortUchar},
    {"StorPortReadPortUshort", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortReadPortUshort},
    {"StorPortReadPortUlong", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL,
     vw_StorPortReadPortUlong},
    {"StorPortWritePortUchar", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL,
     vw_StorPortWritePortUchar},
    {"StorPortWritePortUshort", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL,
     vw_StorPortWritePortUshort},
    {"StorPortWritePortUlong", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL,
     vw_StorPortWritePortUlong},
};

VW_API_GROUP(storport_pci, stor_pci_apis)
