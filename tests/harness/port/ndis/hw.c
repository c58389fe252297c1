/*
 * ndis.sys for a miniport on a PCI function: the translated resources in
 * InitializeEx's parameters, configuration space (NdisMGetBusData /
 * NdisMSetBusData), device memory (NdisMMapIoSpace / NdisMUnmapIoSpace),
 * I/O ports (NdisMRegisterIoPortRange), and interrupts: NdisMRegisterInterruptEx
 * for a line or MSI-X messages, the miniport's ISR at DIRQL on the CPU the
 * message targets, the DPCs NDIS queues from the ISR's out-parameters and
 * NdisMQueueDpcEx on any CPU, NdisMSynchronizeWithInterruptEx, and what
 * the miniport must have released when MiniportHaltEx returns.  Pages:
 * ndis/<page> for learn.microsoft.com/windows-hardware/drivers/ddi/ndis/.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "bus.h"
#include "internal.h"
#include "layout.h"
#include "pnp.h"
#include "vw_resources.h"

#define PAGE              0x1000ull
#define PCI_CONFIG_SIZE   256
#define CONNECT_LINE      1           /* NDIS_CONNECT_LINE_BASED */
#define CONNECT_MESSAGE   2           /* NDIS_CONNECT_MESSAGE_BASED */
#define INDICATE_ALL_NBLS 0xFFFFFFFFu /* NDIS_INDICATE_ALL_NBLS */
#define SCRATCH_PER_CPU   16
#define NDIS_DIRQL        5 /* the harness's device IRQL (k_intr.c) */
#define THROTTLE_PER_CPU  8

gva_t vw_ndis_pdo(struct vm *vm)
{
    return ndis_state(vm)->pdo;
}

void vw_ndis_attach_pci(struct vm *vm, gva_t pdo)
{
    struct vw_pdo *p = vw_pdo_find(vm, pdo);
    if (p == NULL || p->pci == NULL) {
        vw_fail(vm, "vw_ndis_attach_pci: 0x%" PRIx64 " is not a PCI function's PDO", pdo);
        return;
    }
    ndis_state(vm)->pdo = pdo;
}

static struct vw_pdo *adapter_pdo(struct vm *vm, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    struct vw_pdo *p = s->pdo ? vw_pdo_find(vm, s->pdo) : NULL;
    if (p == NULL)
        vw_log(vm, "ndis: %s on an adapter with no PCI function", who);
    return p;
}

/* ---- Resources (ndis/ns-ndis-_ndis_miniport_init_parameters:
 * AllocatedResources, "the hardware resources ... translated") ------------ */

/* The partial list inside a CM_RESOURCE_LIST (one full descriptor). */
static gva_t partial_list(struct vm *vm, gva_t cm)
{
    return cm + VW_OFFSET(vm, CM_RESOURCE_LIST, List) +
           VW_OFFSET(vm, CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList);
}

/* Descriptor I of a partial list: type, start, length. */
static bool range_at(struct vm *vm, gva_t partial, unsigned i, unsigned *type, uint64_t *start,
                     uint32_t *len)
{
    uint32_t count =
        (uint32_t)vw_rd(vm, partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, Count), 4);
    if (i >= count)
        return false;
    gva_t d = partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, PartialDescriptors) +
              VW_SIZEOF(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR) * i;
    *type = (unsigned)vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Type), 1);
    *start = vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start), 8);
    *len =
        (uint32_t)vw_rd(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length), 4);
    return true;
}

gva_t ndis_hw_resources(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    struct vw_pdo *p = s->pdo ? vw_pdo_find(vm, s->pdo) : NULL;
    if (p != NULL && p->translated != 0)
        return partial_list(vm, p->translated);
    gva_t l = vw_pool_alloc(vm, 16, NDIS_TAG, "NDIS resource list", false);
    if (l != 0)
        vw_wr(vm, l, 1, 2); /* CM_PARTIAL_RESOURCE_LIST: Version 1, Count 0 */
    return l;
}

/* ---- Configuration space (ndis/nf-ndis-ndismgetbusdata,
 * ndis/nf-ndis-ndismsetbusdata): (NdisMiniportHandle, WhichSpace, Offset,
 * Buffer, Length) -> bytes transferred; PCI_WHICHSPACE_CONFIG only. ------- */
static void bus_data(struct vm *vm, const struct vw_api *api, bool write)
{
    uint32_t space = (uint32_t)vw_arg(vm, api, 1), off = (uint32_t)vw_arg(vm, api, 2);
    uint32_t len = (uint32_t)vw_arg(vm, api, 4);
    gva_t buf = vw_arg(vm, api, 3), h = vw_arg(vm, api, 0);
    /* arm64: x0 is argument 0 and the result; arguments first. */
    vw_set_return(vm, 0);
    if (!ndis_check_adapter(vm, h, api->name))
        return;
    struct vw_pdo *p = adapter_pdo(vm, api->name);
    if (p == NULL || space != 0 || off >= PCI_CONFIG_SIZE)
        return;
    if (len > PCI_CONFIG_SIZE - off)
        len = PCI_CONFIG_SIZE - off;
    for (uint32_t i = 0; i < len && !vm->failed; i++) {
        if (write)
            p->pci->write(vm, p->pci_dev, off + i, (uint32_t)vw_rd(vm, buf + i, 1), 1);
        else
            vw_wr(vm, buf + i, p->pci->read(vm, p->pci_dev, off + i, 1), 1);
    }
    vw_set_return(vm, len);
}

static void vw_NdisMGetBusData(struct vm *vm, const struct vw_api *api)
{
    bus_data(vm, api, false);
}

static void vw_NdisMSetBusData(struct vm *vm, const struct vw_api *api)
{
    bus_data(vm, api, true);
}

/* ---- Device memory (ndis/nf-ndis-ndismmapiospace): (&VirtualAddress,
 * MiniportAdapterHandle, PhysicalAddress, Length); the address is a
 * translated memory range of the adapter's, else NDIS_STATUS_RESOURCE_CONFLICT
 * (the page's "The driver tried to map a range it was not assigned"). ---- */
static bool in_translated(struct vm *vm, unsigned want, uint64_t addr, uint64_t len)
{
    struct vw_pdo *p = adapter_pdo(vm, "the resource check");
    unsigned type;
    uint64_t start;
    uint32_t rlen;
    for (unsigned i = 0;
         p != NULL && range_at(vm, partial_list(vm, p->translated), i, &type, &start, &rlen); i++)
        if (type == want && len != 0 && addr >= start && addr + len <= start + rlen)
            return true;
    return false;
}

static gva_t map(struct vm *vm, uint64_t pa, uint64_t len)
{
    struct ndis_state *s = ndis_state(vm);
    if (s->nmaps == NDIS_MAX_MAPS) {
        vw_fail(vm, "harness: hard limit: %u NDIS I/O space mappings", NDIS_MAX_MAPS);
        return 0;
    }
    uint64_t off = pa & (PAGE - 1), map_len = (off + len + PAGE - 1) & ~(PAGE - 1);
    gva_t va = vm->k->mmio_next;
    if (!vw_bus_map_mmio(vm, va, pa - off, map_len))
        return 0;
    vm->k->mmio_next += map_len + PAGE;
    s->maps[s->nmaps++] = (struct ndis_map){va, map_len};
    return va + off;
}

static void vw_NdisMMapIoSpace(struct vm *vm, const struct vw_api *api)
{
    gva_t out = vw_arg(vm, api, 0);
    uint64_t pa = vw_arg(vm, api, 2);
    uint32_t len = (uint32_t)vw_arg(vm, api, 3);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 1), api->name))
        return;
    if (!in_translated(vm, VW_RES_MEMORY, pa, len)) {
        vw_log(vm, "NdisMMapIoSpace(0x%" PRIx64 ", %u): not a memory range of the adapter", pa,
               len);
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCE_CONFLICT);
        return;
    }
    gva_t va = map(vm, pa, len);
    if (va == 0) {
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCES);
        return;
    }
    vw_wrptr(vm, out, va);
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* ndis/nf-ndis-ndismunmapiospace: (Handle, VirtualAddress, Length). */
static void vw_NdisMUnmapIoSpace(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t va = vw_arg(vm, api, 1) & ~(PAGE - 1);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), api->name))
        return;
    for (unsigned i = 0; i < s->nmaps; i++)
        if (s->maps[i].va == va) {
            vw_bus_unmap_mmio(vm, va);
            s->maps[i] = s->maps[--s->nmaps];
            return;
        }
    vw_fail(vm, "NdisMUnmapIoSpace: 0x%" PRIx64 " was not mapped by NdisMMapIoSpace",
            vw_arg(vm, api, 1));
}

/* ndis/nf-ndis-ndismregisterioportrange: (&PortOffset, Handle,
 * InitialPort, NumberOfPorts).  The range is a translated port range (the
 * offset is the port itself), or on arm64 a raw port range the bus
 * translated to memory (the offset is a mapping of it). */
static void vw_NdisMRegisterIoPortRange(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t out = vw_arg(vm, api, 0);
    uint32_t first = (uint32_t)vw_arg(vm, api, 2), count = (uint32_t)vw_arg(vm, api, 3);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 1), api->name))
        return;
    gva_t offset = 0;
    if (in_translated(vm, VW_RES_PORT, first, count))
        offset = first;
    else if (in_translated(vm, VW_RES_MEMORY, first, count))
        offset = map(vm, first, count);
    if (offset == 0 || s->nports == NDIS_MAX_PORTS) {
        vw_log(vm, "NdisMRegisterIoPortRange(0x%x, %u): not a port range of the adapter", first,
               count);
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCE_CONFLICT);
        return;
    }
    s->ports[s->nports++] = (struct ndis_ports){first, count, offset};
    vw_wrptr(vm, out, offset);
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* ndis/nf-ndis-ndismderegisterioportrange: (Handle, InitialPort,
 * NumberOfPorts, PortOffset), as registered. */
static void vw_NdisMDeregisterIoPortRange(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    uint32_t first = (uint32_t)vw_arg(vm, api, 1), count = (uint32_t)vw_arg(vm, api, 2);
    if (!ndis_check_adapter(vm, vw_arg(vm, api, 0), api->name))
        return;
    for (unsigned i = 0; i < s->nports; i++)
        if (s->ports[i].first == first && s->ports[i].count == count &&
            s->ports[i].offset == vw_arg(vm, api, 3)) {
            if (s->ports[i].offset != first)
                for (unsigned j = 0; j < s->nmaps; j++)
                    if (s->maps[j].va == (s->ports[i].offset & ~(PAGE - 1))) {
                        vw_bus_unmap_mmio(vm, s->maps[j].va);
                        s->maps[j] = s->maps[--s->nmaps];
                        break;
                    }
            s->ports[i] = s->ports[--s->nports];
            return;
        }
    vw_fail(vm, "NdisMDeregisterIoPortRange: ports 0x%x+%u were not registered", first, count);
}

/* ---- Interrupts (ndis/nf-ndis-ndismregisterinterruptex,
 * ndis/ns-ndis-_ndis_miniport_interrupt_characteristics,
 * ndis/nc-ndis-miniport_isr, ndis/nc-ndis-miniport_message_interrupt,
 * ndis/nc-ndis-miniport_interrupt_dpc, ndis/nc-ndis-miniport_message_interrupt_dpc,
 * ndis/nf-ndis-ndismqueuedpcex, ndis/nf-ndis-ndismsynchronizewithinterruptex)
 * ------------------------------------------------------------------------- */

static vw_api_fn isr_message, isr_line, dpc_routine;
static const struct vw_api routines[] = {
    {"ndis message ISR", VW_ALL_ARCHES, VW_STDCALL, 3, 0, VW_HIGH_LEVEL, isr_message},
    {"ndis line ISR", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_HIGH_LEVEL, isr_line},
    {"ndis interrupt DPC", VW_ALL_ARCHES, VW_STDCALL, 4, 0, VW_DISPATCH_LEVEL, dpc_routine},
};

static gva_t kdpc_of(struct vm *vm, struct ndis_intr *it, unsigned m, unsigned cpu)
{
    return it->dpcs + VW_SIZEOF(vm, KDPC) * ((uint64_t)m * vw_cpu_count(vm) + cpu);
}

/* Queue the DPC of message M on CPU with the miniport's context; false
 * when it was queued there already (KeInsertQueueDpc's rule). */
static bool queue_dpc(struct vm *vm, struct ndis_intr *it, unsigned m, unsigned cpu, gva_t ctx)
{
    gva_t d = kdpc_of(vm, it, m, cpu);
    if (vw_cpu_dpc_queued_in(vm, 0, 0, false, d))
        return false;
    return vw_cpu_dpc_push(vm, cpu, (struct vw_dpc_entry){d, m, ctx});
}

/* The adapter's INTx level as PCI Status bit 3 shows it (no side effect):
 * 1 asserted, 0 not, -1 unknown (no PCI function, or a removed one that
 * answers all ones). */
static int line_level(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    struct vw_pdo *p = s->pdo ? vw_pdo_find(vm, s->pdo) : NULL;
    if (p == NULL || p->pci == NULL)
        return -1;
    uint32_t st = p->pci->read(vm, p->pci_dev, VW_PCI_STATUS, 2);
    return st == 0xffff ? -1 : (st & VW_PCI_STATUS_INTERRUPT) != 0;
}

/* The line is level-triggered and may be shared: the ISR claims exactly
 * the interrupts its device asserted (ndis/nc-ndis-miniport_isr: FALSE when
 * the NIC did not generate it, as another device's on the line) and
 * de-asserts the line before it returns, by reading the device's interrupt
 * status (virtio 1.2 4.1.4.5, 4.1.5.1.3); else the line interrupts again at
 * once.  BEFORE: the level on entry; RAISED: the device asserted it again
 * while the ISR ran (then the level after it proves nothing). */
static void line_check(struct vm *vm, int before, bool raised, bool claimed)
{
    int after = line_level(vm);
    if (before < 0 || after < 0 || raised)
        return;
    if (before && !claimed)
        vw_fail(vm, "ndis: the line ISR declined an interrupt its device asserted "
                    "(ndis/nc-ndis-miniport_isr: FALSE is for an interrupt the NIC did not "
                    "generate)");
    else if (!before && claimed)
        vw_fail(vm, "ndis: the line ISR claimed an interrupt its device did not assert (its "
                    "interrupt status was 0: another device's on a shared line; "
                    "ndis/nc-ndis-miniport_isr)");
    else if (before && after)
        vw_fail(vm, "ndis: the line ISR returned with its device's line still asserted: the "
                    "interrupt status was not read (virtio 1.2 4.1.4.5: reading it "
                    "de-asserts the level-triggered line, which else interrupts again at once)");
}

/* The miniport's ISR for message M (or the line) at DIRQL, holding the
 * interrupt's lock (or only the message's without MsiSyncWithAllMessages);
 * then the DPCs its out-parameters ask for, whatever it returned
 * (QueueDefaultInterruptDpc: this CPU; TargetProcessors: those CPUs of
 * group 0, deprecated from NDIS 6.20 but honoured). */
static void isr(struct vm *vm, const struct vw_api *api, bool message)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_intr *it = &s->intr;
    unsigned m = message ? (unsigned)vw_arg(vm, api, 2) : 0, cpu = vw_cpu_current(vm);
    vw_set_return(vm, 0);
    if (!it->registered || it->in == NULL || !it->in->live)
        return;
    gva_t q = it->scratch + SCRATCH_PER_CPU * cpu;
    vw_wr(vm, q, 0, 1);
    vw_wr(vm, q + 4, 0, 4);
    gva_t lock = vw_intr_message_lock(it->in, m);
    vw_spinlock_note(vm, lock, true, "NDIS ISR");
    uint64_t margs[4] = {it->context, m, q, q + 4}, largs[3] = {it->context, q, q + 4}, r = 0;
    it->isr_calls++;
    int level = message ? -1 : line_level(vm);
    bool ok = message ? ndis_call(vm, it->misr, vm->irql, 4, margs, &r)
                      : ndis_call(vm, it->isr, vm->irql, 3, largs, &r);
    if (!ok)
        return;
    vw_spinlock_note(vm, lock, false, "NDIS ISR");
    if (!message) {
        it->line_isr_calls++;
        it->line_declined += (r & 0xff) == 0;
        line_check(vm, level, (it->in->pending[0] & 1) != 0, (r & 0xff) != 0);
    }
    if (vw_rd(vm, q, 1) != 0)
        queue_dpc(vm, it, m, cpu, 0);
    uint32_t targets = (uint32_t)vw_rd(vm, q + 4, 4);
    for (unsigned c = 0; c < 32 && c < vw_cpu_count(vm); c++)
        if (targets & (1u << c))
            queue_dpc(vm, it, m, c, 0);
    vw_set_return(vm, r & 0xff);
}

static void isr_message(struct vm *vm, const struct vw_api *api)
{
    isr(vm, api, true);
}

static void isr_line(struct vm *vm, const struct vw_api *api)
{
    isr(vm, api, false);
}

/* The KDPC's routine (Dpc, DeferredContext, message, MiniportDpcContext):
 * the miniport's DPC at DISPATCH_LEVEL with this CPU's receive throttle
 * parameters (ndis/ns-ndis-_ndis_receive_throttle_parameters: no limit
 * here); MoreNblsPending set by the miniport queues the DPC again. */
static void dpc_routine(struct vm *vm, const struct vw_api *api)
{
    struct ndis_intr *it = &ndis_state(vm)->intr;
    unsigned m = (unsigned)vw_arg(vm, api, 2), cpu = vw_cpu_current(vm);
    gva_t ctx = vw_arg(vm, api, 3);
    if (!it->registered) {
        vw_fail(vm, "ndis: a DPC of a deregistered interrupt ran (harness bug)");
        return;
    }
    gva_t t = it->throttle + THROTTLE_PER_CPU * cpu;
    vw_wr(vm, t, INDICATE_ALL_NBLS, 4);
    vw_wr(vm, t + 4, 0, 4);
    uint64_t margs[5] = {it->context, m, ctx, t, 0}, largs[4] = {it->context, ctx, t, 0};
    it->dpc_calls++;
    if (it->dpc_cpu_low == 0 || cpu + 1 < it->dpc_cpu_low)
        it->dpc_cpu_low = cpu + 1;
    if (cpu + 1 > it->dpc_cpu_high)
        it->dpc_cpu_high = cpu + 1;
    bool ok = it->message ? ndis_call(vm, it->mdpc, VW_DISPATCH_LEVEL, 5, margs, NULL)
                          : ndis_call(vm, it->dpc, VW_DISPATCH_LEVEL, 4, largs, NULL);
    if (ok && it->registered && vw_rd(vm, t + 4, 1) != 0)
        queue_dpc(vm, it, m, cpu, ctx);
}

static bool intr_handle(struct vm *vm, gva_t h, const char *who)
{
    struct ndis_intr *it = &ndis_state(vm)->intr;
    if (!it->registered || h != it->handle) {
        vw_fail(vm,
                "%s: 0x%" PRIx64 " is no registered interrupt (NdisMRegisterInterruptEx's "
                "handle, before NdisMDeregisterInterruptEx)",
                who, h);
        return false;
    }
    return true;
}

/* (MiniportAdapterHandle, MiniportInterruptContext, Characteristics,
 * &NdisInterruptHandle), from InitializeEx.  Message-based when the
 * miniport sets MsiSupported and the function has messages: NDIS fills
 * InterruptType and MessageInfoTable in.  Interrupts may arrive as soon as
 * it returns. */
static void vw_NdisMRegisterInterruptEx(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_intr *it = &s->intr;
    gva_t ch = vw_arg(vm, api, 2), out = vw_arg(vm, api, 3), h = vw_arg(vm, api, 0);
    gva_t context = vw_arg(vm, api, 1);
    vw_set_return(vm, VW_NDIS_STATUS_FAILURE);
    if (!ndis_check_adapter(vm, h, api->name))
        return;
    if (s->state != VW_NDIS_INITIALIZING) {
        vw_fail(vm, "NdisMRegisterInterruptEx with the adapter %s (MiniportInitializeEx only)",
                ndis_state_name(s->state));
        return;
    }
    if (it->registered) {
        vw_fail(vm, "NdisMRegisterInterruptEx: the adapter's interrupt is registered already");
        return;
    }
#define IC(m) (ch + VW_OFFSET(vm, NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, m))
    unsigned type = (unsigned)vw_rd(vm, ch, 1), size = (unsigned)vw_rd(vm, ch + 2, 2);
    if (type != VW_NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT || vw_rd(vm, ch + 1, 1) < 1 ||
        size < VW_SIZEOF(vm, NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS)) {
        vw_fail(vm, "NdisMRegisterInterruptEx: header type 0x%x size %u", type, size);
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    struct ndis_intr n = {.context = context,
                          .isr = vw_rdptr(vm, IC(InterruptHandler)),
                          .dpc = vw_rdptr(vm, IC(InterruptDpcHandler)),
                          .misr = vw_rdptr(vm, IC(MessageInterruptHandler)),
                          .mdpc = vw_rdptr(vm, IC(MessageInterruptDpcHandler)),
                          .sync_all = vw_rd(vm, IC(MsiSyncWithAllMessages), 1) != 0};
    bool msi = vw_rd(vm, IC(MsiSupported), 1) != 0;
    if (n.isr == 0 || n.dpc == 0 || (msi && (n.misr == 0 || n.mdpc == 0))) {
        vw_fail(vm,
                "NdisMRegisterInterruptEx: %s (InterruptHandler and InterruptDpcHandler are "
                "required; with MsiSupported the message handlers too)",
                n.isr == 0 || n.dpc == 0 ? "no line handlers" : "no message handlers");
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    struct vw_pdo *p = adapter_pdo(vm, api->name);
    if (p == NULL || (p->messages == 0 && !p->line)) {
        vw_log(vm, "NdisMRegisterInterruptEx: the adapter has no interrupt resource");
        vw_set_return(vm, VW_NDIS_STATUS_RESOURCE_CONFLICT);
        return;
    }
    if (p->messages != 0 && !msi) {
        vw_fail(vm,
                "NdisMRegisterInterruptEx: the function was given %u MSI-X messages and the "
                "miniport did not set MsiSupported",
                p->messages);
        vw_set_return(vm, VW_NDIS_STATUS_NOT_SUPPORTED);
        return;
    }
    n.handle = vw_kalloc(vm, 16);
    n.in = vw_intr_connect_port(vm, s->pdo, vw_kernel_routine(vm, &routines[0]),
                                vw_kernel_routine(vm, &routines[1]), n.handle, !n.sync_all);
    if (n.in == NULL || vm->failed)
        return;
    n.message = n.in->message;
    n.messages = n.in->messages;
    unsigned cpus = vw_cpu_count(vm);
    n.dpcs = vw_kalloc(vm, VW_SIZEOF(vm, KDPC) * n.messages * cpus);
    n.scratch = vw_kalloc(vm, SCRATCH_PER_CPU * cpus);
    n.throttle = vw_kalloc(vm, THROTTLE_PER_CPU * cpus);
    n.registered = true;
    *it = n;
    gva_t routine = vw_kernel_routine(vm, &routines[2]);
    for (unsigned m = 0; m < n.messages; m++)
        for (unsigned c = 0; c < cpus; c++)
            vw_wrptr(vm, kdpc_of(vm, it, m, c) + VW_OFFSET(vm, KDPC, DeferredRoutine), routine);
    vw_wr(vm, IC(InterruptType), n.message ? CONNECT_MESSAGE : CONNECT_LINE, 4);
    vw_wrptr(vm, IC(MessageInfoTable), n.message ? n.in->table : 0);
#undef IC
    vw_wrptr(vm, out, n.handle);
    vw_log(vm, "ndis: %u message(s)%s registered", n.messages, n.message ? "" : " (line)");
    vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
}

/* ndis/nf-ndis-ndismderegisterinterruptex: no ISR runs after it, and no
 * DPC of the interrupt (queued ones are dropped). */
static void vw_NdisMDeregisterInterruptEx(struct vm *vm, const struct vw_api *api)
{
    struct ndis_intr *it = &ndis_state(vm)->intr;
    if (!intr_handle(vm, vw_arg(vm, api, 0), api->name))
        return;
    it->in->live = false;
    uint64_t len = VW_SIZEOF(vm, KDPC) * it->messages * vw_cpu_count(vm);
    while (vw_cpu_dpc_queued_in(vm, it->dpcs, len, true, 0))
        ;
    it->registered = false;
    it->in = NULL;
}

/* (NdisInterruptHandle, MessageId, PGROUP_AFFINITY TargetProcessors,
 * MiniportDpcContext), at any IRQL up to DIRQL: the DPC of the message on
 * each processor of the affinity; the processors where it was queued now
 * (one already queued there is not queued again). */
static void vw_NdisMQueueDpcEx(struct vm *vm, const struct vw_api *api)
{
    struct ndis_intr *it = &ndis_state(vm)->intr;
    unsigned m = (unsigned)vw_arg(vm, api, 1);
    gva_t aff = vw_arg(vm, api, 2), h = vw_arg(vm, api, 0), ctx = vw_arg(vm, api, 3);
    vw_set_return(vm, 0);
    if (!intr_handle(vm, h, api->name))
        return;
    if (m >= it->messages) {
        vw_fail(vm, "NdisMQueueDpcEx: message %u of %u", m, it->messages);
        return;
    }
    uint64_t mask = vw_rd(vm, aff + VW_OFFSET(vm, GROUP_AFFINITY, Mask), vm->ptr_size);
    unsigned group = (unsigned)vw_rd(vm, aff + VW_OFFSET(vm, GROUP_AFFINITY, Group), 2);
    uint64_t queued = 0;
    for (unsigned b = 0; b < 8 * vm->ptr_size; b++) {
        unsigned cpu = group * 64 + b;
        if (!(mask & (1ull << b)))
            continue;
        if (cpu >= vw_cpu_count(vm)) {
            vw_fail(vm, "NdisMQueueDpcEx: processor %u of group %u does not exist", b, group);
            return;
        }
        if (queue_dpc(vm, it, m, cpu, ctx))
            queued |= 1ull << b;
    }
    vw_set_return(vm, queued);
}

/* (NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext)
 * at IRQL <= DIRQL: the function at DIRQL holding the interrupt's lock (the
 * message's alone without MsiSyncWithAllMessages), so that no CPU runs the
 * ISR meanwhile; its BOOLEAN. */
static void vw_NdisMSynchronizeWithInterruptEx(struct vm *vm, const struct vw_api *api)
{
    struct ndis_intr *it = &ndis_state(vm)->intr;
    unsigned m = (unsigned)vw_arg(vm, api, 1);
    gva_t h = vw_arg(vm, api, 0), fn = vw_arg(vm, api, 2), ctx = vw_arg(vm, api, 3);
    vw_set_return(vm, 0);
    if (!intr_handle(vm, h, api->name))
        return;
    if (m >= it->messages) {
        vw_fail(vm, "NdisMSynchronizeWithInterruptEx: message %u of %u", m, it->messages);
        return;
    }
    gva_t lock = it->sync_all ? it->in->object : vw_intr_message_lock(it->in, m);
    unsigned old = vm->irql;
    vw_spinlock_note(vm, lock, true, api->name);
    if (vm->failed || vw_cpu_lock_holder(vm, lock) != (int)vw_cpu_current(vm))
        return; /* spins: the call runs again when the holder releases */
    uint64_t args[1] = {ctx}, r = 0;
    if (!ndis_call(vm, fn, it->in->irql, 1, args, &r))
        return;
    vw_spinlock_note(vm, lock, false, api->name);
    vm->irql = old;
    vw_set_return(vm, r & 0xff);
}

/* ---- Halt ---------------------------------------------------------------- */

bool ndis_hw_after_halt(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    const char *left = s->intr.registered ? "the interrupt registered (NdisMDeregisterInterruptEx)"
                       : s->nmaps         ? "I/O space mapped (NdisMUnmapIoSpace)"
                       : s->nports ? "an I/O port range registered (NdisMDeregisterIoPortRange)"
                                   : NULL;
    if (left != NULL) {
        vw_fail(vm,
                "ndis: MiniportHaltEx returned with %s: halt frees every resource "
                "(network/halting-a-miniport-adapter)",
                left);
        return false;
    }
    return true;
}

#define P VW_PASSIVE_LEVEL
#define D VW_DISPATCH_LEVEL
static const struct vw_api hw_apis[] = {
    {"NdisMGetBusData", VW_ALL_ARCHES, VW_STDCALL, 5, 0, D, vw_NdisMGetBusData},
    {"NdisMSetBusData", VW_ALL_ARCHES, VW_STDCALL, 5, 0, D, vw_NdisMSetBusData},
    {"NdisMMapIoSpace", VW_ALL_ARCHES, VW_STDCALL, 4, 1u << 2, P, vw_NdisMMapIoSpace},
    {"NdisMUnmapIoSpace", VW_ALL_ARCHES, VW_STDCALL, 3, 0, P, vw_NdisMUnmapIoSpace},
    {"NdisMRegisterIoPortRange", VW_ALL_ARCHES, VW_STDCALL, 4, 0, P, vw_NdisMRegisterIoPortRange},
    {"NdisMDeregisterIoPortRange", VW_ALL_ARCHES, VW_STDCALL, 4, 0, P,
     vw_NdisMDeregisterIoPortRange},
    {"NdisMRegisterInterruptEx", VW_ALL_ARCHES, VW_STDCALL, 4, 0, P, vw_NdisMRegisterInterruptEx},
    {"NdisMDeregisterInterruptEx", VW_ALL_ARCHES, VW_STDCALL, 1, 0, P,
     vw_NdisMDeregisterInterruptEx},
    {"NdisMQueueDpcEx", VW_ALL_ARCHES, VW_STDCALL, 4, 0, NDIS_DIRQL, vw_NdisMQueueDpcEx},
    {"NdisMSynchronizeWithInterruptEx", VW_ALL_ARCHES, VW_STDCALL, 4, 0, NDIS_DIRQL,
     vw_NdisMSynchronizeWithInterruptEx},
};
#undef P
#undef D

VW_API_GROUP(ndis_hw, hw_apis)
