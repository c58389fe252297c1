/*
 * The StorPort adapter life cycle and request path, as the port driver
 * drives a physical miniport (../shared/reference/miniports.md 1-4, each
 * step citing its storport/<page>): FindAdapter with the configuration
 * information and the uncached extension, HwInitialize at DIRQL under the
 * interrupt lock, the passive routine, the control-type query; requests
 * as SRB_EX with a CDB16 block, a BTL8 address, an SRB extension left
 * uninitialised and a scatter/gather list built from the data buffer's
 * pages; HwBuildIo without locks then HwStartIo under the StartIo lock,
 * never more outstanding than the miniport allowed; time-outs that call
 * HwResetBus; stop/restart through HwAdapterControl; the dump copy.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "pe_loader.h"
#include "pnp.h"
#include "ram.h"

#define TAG            VW_TAG('S', 't', 'o', 'r')
#define SRB_EXT_POISON 0xa5

static struct stor_adapter *normal(struct vm *vm)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    if (!a->registered) {
        vw_fail(vm, "storport: the driver never called StorPortInitialize");
        return NULL;
    }
    return a;
}

/* A zeroed pool block StorPort owns (not the miniport's). */
static gva_t port_alloc(struct vm *vm, uint64_t len, const char *kind)
{
    gva_t va = vw_pool_alloc(vm, len ? len : 1, TAG, kind, false);
    if (va == 0)
        vw_fail(vm, "storport: no pool for %s", kind);
    return va;
}

/* PORT_CONFIGURATION_INFORMATION as StorPort fills it before FindAdapter
 * (storport/ns-storport-_port_configuration_information; defaults in
 * miniports.md 1). */
static gva_t make_config(struct vm *vm, struct stor_adapter *a)
{
    gva_t cfg = port_alloc(vm, VW_SIZEOF(vm, PORT_CONFIGURATION_INFORMATION), "config info");
    if (cfg == 0)
        return 0;
    gva_t hw = a->hwid_copy;
#define CFG(m, v, n) vw_wr(vm, cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, m), (v), (n))
#define HW(m, n)     vw_rd(vm, hw + VW_OFFSET(vm, HW_INITIALIZATION_DATA, m), (n))
    vw_wr(vm, cfg, VW_SIZEOF(vm, PORT_CONFIGURATION_INFORMATION), 4);
    CFG(AdapterInterfaceType, HW(AdapterInterfaceType, 4), 4);
    CFG(MaximumTransferLength, 0xffffffffu, 4);
    CFG(NumberOfPhysicalBreaks, 0x11, 4);
    CFG(NumberOfAccessRanges, HW(NumberOfAccessRanges, 4), 4);
    a->access_ranges =
        port_alloc(vm, VW_SIZEOF(vm, ACCESS_RANGE) * (HW(NumberOfAccessRanges, 4) + 1), "ranges");
    vw_wrptr(vm, cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, AccessRanges),
             a->access_ranges);
    stor_pci_fill_config(vm, a, cfg);
    CFG(MapBuffers, HW(MapBuffers, 1), 1);
    CFG(NeedPhysicalAddresses, HW(NeedPhysicalAddresses, 1), 1);
    CFG(TaggedQueuing, HW(TaggedQueuing, 1), 1);
    CFG(AutoRequestSense, HW(AutoRequestSense, 1), 1);
    CFG(MultipleRequestPerLu, HW(MultipleRequestPerLu, 1), 1);
    CFG(MaximumNumberOfTargets, 128, 1);
    CFG(MaximumNumberOfLogicalUnits, 8, 1);
    CFG(SrbType, 1, 1); /* SRB_TYPE_STORAGE_REQUEST_BLOCK */
    CFG(DeviceExtensionSize, a->ext_size, 4);
    CFG(SrbExtensionSize, a->srb_ext_size, 4);
    CFG(Dma64BitAddresses, 0x80, 1); /* SCSI_DMA64_SYSTEM_SUPPORTED */
    CFG(MaxNumberOfIO, 1000, 4);
    CFG(MaxIOsPerLun, 255, 4);
    CFG(InitialLunQueueDepth, 20, 4);
    if (a->dump) /* DUMP_MODE_CRASH or DUMP_MODE_HIBER */
        CFG(DumpMode, a->dump_mode ? a->dump_mode : 1, 1);
#undef HW
    return cfg;
}

/* HwFindAdapter, then what it set (storport/nc-storport-hw_find_adapter). */
static bool find_adapter(struct vm *vm, struct stor_adapter *a, const char *args)
{
    if (a->ext == 0)
        a->ext = port_alloc(vm, a->ext_size, "device extension"); /* zeroed once only */
    a->cfg = make_config(vm, a);
    a->reserved3 = port_alloc(vm, 8, "FindAdapter Again");
    a->argstr = 0;
    if (args != NULL) {
        a->argstr = port_alloc(vm, strlen(args) + 1, "argument string");
        vw_write(vm, a->argstr, args, strlen(args) + 1);
    }
    if (a->ext == 0 || a->cfg == 0 || a->reserved3 == 0)
        return false;
    uint64_t argv[6] = {a->ext, 0, 0, a->argstr, a->cfg, a->reserved3}, ret = 0;
    /* PASSIVE_LEVEL without locks; HIGH_LEVEL in dump mode. */
    if (!stor_call(vm, a, CTX_FIND_ADAPTER, a->dump ? VW_HIGH_LEVEL : VW_PASSIVE_LEVEL, 0,
                   a->find_adapter, 6, argv, &ret))
        return false;
    if ((uint32_t)ret != SP_RETURN_FOUND) {
        vw_fail(vm, "storport: HwFindAdapter returned %u, not SP_RETURN_FOUND", (uint32_t)ret);
        return false;
    }
#define CFGR(m, n) (uint32_t)vw_rd(vm, a->cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, m), n)
    a->max_transfer = CFGR(MaximumTransferLength, 4);
    a->breaks = CFGR(NumberOfPhysicalBreaks, 4);
    a->alignment_mask = CFGR(AlignmentMask, 4);
    a->tagged_queuing = CFGR(TaggedQueuing, 1) != 0;
    a->stats.max_transfer = a->max_transfer;
    a->stats.breaks = a->breaks;
    a->stats.buses = CFGR(NumberOfBuses, 1);
    a->max_io = CFGR(MaxNumberOfIO, 4);
    uint32_t per_lun = CFGR(MaxIOsPerLun, 4), initial = CFGR(InitialLunQueueDepth, 4);
    a->half_duplex = CFGR(SynchronizationModel, 4) == 0;
    a->msi_routine =
        vw_rdptr(vm, a->cfg + VW_OFFSET(vm, PORT_CONFIGURATION_INFORMATION, HwMSInterruptRoutine));
    a->sync_mode = CFGR(InterruptSynchronizationMode, 4);
#undef CFGR
    if (a->max_io == 0 || per_lun == 0 || per_lun > a->max_io) {
        vw_fail(vm, "storport: MaxNumberOfIO %u, MaxIOsPerLun %u (must be 1..MaxNumberOfIO)",
                a->max_io, per_lun);
        return false;
    }
    a->lun_depth = initial < per_lun ? initial : per_lun;
    a->stats.max_io = a->max_io;
    return true;
}

/* HwInitialize at DIRQL holding the interrupt lock, then the passive
 * routine at PASSIVE_LEVEL (storport/nc-storport-hw_initialize,
 * storport/nf-storport-storportenablepassiveinitialization). */
static bool initialize(struct vm *vm, struct stor_adapter *a)
{
    uint64_t argv[1] = {a->ext}, ret = 0;
    a->passive_enabled = false;
    if (!stor_call(vm, a, CTX_HW_INITIALIZE, a->dump ? VW_HIGH_LEVEL : STOR_DIRQL,
                   LOCK_BIT(LOCK_INTERRUPT), a->initialize, 1, argv, &ret))
        return false;
    if ((ret & 0xff) == 0) {
        vw_fail(vm, "storport: HwInitialize returned FALSE");
        return false;
    }
    if (a->passive_enabled && a->passive_routine != 0) {
        if (!stor_call(vm, a, CTX_PASSIVE_INIT, VW_PASSIVE_LEVEL, 0, a->passive_routine, 1, argv,
                       &ret))
            return false;
        if ((ret & 0xff) == 0) {
            vw_fail(vm, "storport: HwPassiveInitializeRoutine returned FALSE");
            return false;
        }
    }
    return true;
}

/* ScsiQuerySupportedControlTypes: the list pre-filled FALSE, no index
 * >= MaxControlType may be written (storport/nc-storport-hw_adapter_control).
 * MaxControlType is the current header's ScsiAdapterControlMax, past
 * ScsiAdapterSurpriseRemoval: "a miniport's implementation needs to handle
 * the case where the value of MaxControlType might be larger than the
 * ScsiAdapterControlMax ... the driver is compiled with"
 * (storport/ns-storport-scsi_supported_control_type_list). */
#define CONTROL_MAX STOR_CONTROL_MAX
static bool query_controls(struct vm *vm, struct stor_adapter *a)
{
    uint64_t list_off = VW_OFFSET(vm, SCSI_SUPPORTED_CONTROL_TYPE_LIST, SupportedTypeList);
    gva_t list = port_alloc(vm, list_off + CONTROL_MAX + 16, "control type list");
    if (list == 0)
        return false;
    vw_wr(vm, list, CONTROL_MAX, 4);
    uint8_t guard[16];
    memset(guard, 0x5a, sizeof(guard));
    vw_write(vm, list + list_off + CONTROL_MAX, guard, sizeof(guard));
    uint64_t argv[3] = {a->ext, 0, list};
    a->control_name = "ScsiQuerySupportedControlTypes";
    bool ok = stor_call(vm, a, CTX_ADAPTER_CONTROL, VW_PASSIVE_LEVEL, 0, a->adapter_control, 3,
                        argv, NULL);
    uint8_t after[16];
    vw_read(vm, list + list_off + CONTROL_MAX, after, sizeof(after));
    if (ok && memcmp(guard, after, sizeof(guard)) != 0) {
        vw_fail(vm, "storport: HwAdapterControl wrote SupportedTypeList past MaxControlType %u",
                CONTROL_MAX);
        ok = false;
    }
    vw_read(vm, list + list_off, a->supported, CONTROL_MAX);
    vw_pool_free(vm, list, "storport");
    /* "the miniport must support ScsiStopAdapter and ScsiRestartAdapter"
     * (storport/nc-storport-hw_adapter_control, remarks). */
    if (ok && !a->dump && (!a->supported[1] || !a->supported[2])) {
        vw_fail(vm,
                "storport: HwAdapterControl claims %s%s (required: ScsiStopAdapter and "
                "ScsiRestartAdapter)",
                a->supported[1] ? "" : "no ScsiStopAdapter ",
                a->supported[2] ? "" : "no ScsiRestartAdapter");
        ok = false;
    }
    return ok;
}

bool vw_stor_start(struct vm *vm, const struct vw_stor_config *cfg)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL)
        return false;
    a->timeout_s = cfg && cfg->timeout_s ? cfg->timeout_s : 10;
    a->sense_size = 32;
    a->msi_messages = cfg ? cfg->msi_messages : 0;
    a->bus_type = cfg ? cfg->bus_type : 0;
    a->pdo = stor_state(vm)->pdo;
    /* The interrupt is connected between FindAdapter and HwInitialize, as
     * StorPort starts a PnP adapter (miniports.md 1). */
    if (!find_adapter(vm, a, cfg ? cfg->args : NULL) || !stor_pci_connect(vm, a) ||
        !initialize(vm, a) || !query_controls(vm, a))
        return false;
    a->started = true;
    vw_log(vm,
           "storport: adapter started (MaxNumberOfIO %u, LUN depth %u, max transfer %u, "
           "%u breaks, %s duplex)",
           a->max_io, a->lun_depth, a->max_transfer, a->breaks, a->half_duplex ? "half" : "full");
    /* PnP asks the started adapter for its children: StorPort scans the
     * bus before any class driver sends a request (scan.c). */
    return stor_scan_bus(vm, a);
}

/* ---- Requests ---------------------------------------------------------- */

/* SG list of LEN bytes at VA, from its pages' physical addresses, merged
 * where contiguous (storport/ns-storport-_stor_scatter_gather_list). */
static gva_t build_sg(struct vm *vm, gva_t va, uint32_t len)
{
    uint64_t hdr = VW_OFFSET(vm, STOR_SCATTER_GATHER_LIST, List);
    uint64_t el = VW_SIZEOF(vm, STOR_SCATTER_GATHER_ELEMENT);
    unsigned max = len / 0x1000 + 2, n = 0;
    gva_t sg = port_alloc(vm, hdr + el * max, "SG list");
    if (sg == 0)
        return 0;
    uint64_t last_pa = 0, last_len = 0;
    for (uint32_t off = 0; off < len;) {
        uint32_t chunk = 0x1000 - (uint32_t)((va + off) & 0xfff);
        if (chunk > len - off)
            chunk = len - off;
        uint64_t pa = vw_ram_pa(vm, va + off);
        if (n > 0 && last_pa + last_len == pa) {
            last_len += chunk;
        } else {
            n++;
            last_pa = pa, last_len = chunk;
        }
        gva_t e = sg + hdr + el * (n - 1);
        vw_wr(vm, e + VW_OFFSET(vm, STOR_SCATTER_GATHER_ELEMENT, PhysicalAddress), last_pa, 8);
        vw_wr(vm, e + VW_OFFSET(vm, STOR_SCATTER_GATHER_ELEMENT, Length), last_len, 4);
        off += chunk;
    }
    vw_wr(vm, sg, n, 4);
    return sg;
}

/* What DataBuffer says: the buffer's system address when the miniport's
 * MapBuffers asks for it, else an address that faults.  0 STOR_MAP_NO_BUFFERS
 * maps none; 1 STOR_MAP_ALL_BUFFERS (obsolete, treated as 2) and 2
 * STOR_MAP_NON_READ_WRITE_BUFFERS map all but reads and writes; 3
 * STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE maps all
 * (storport/ns-storport-_hw_initialization_data-r1, MapBuffers): a
 * miniport that reads a read/write DataBuffer it never asked for faults. */
#define STOR_MAP_ALL_INCLUDING_RW 3
static gva_t data_buffer_va(struct vm *vm, struct stor_adapter *a, const uint8_t *cdb, gva_t data)
{
    uint8_t map =
        (uint8_t)vw_rd(vm, a->hwid_copy + VW_OFFSET(vm, HW_INITIALIZATION_DATA, MapBuffers), 1);
    static const uint8_t rw[] = {0x08, 0x0a, 0x28, 0x2a, 0xa8, 0xaa, 0x88, 0x8a};
    bool is_rw = memchr(rw, cdb[0], sizeof(rw)) != NULL;
    if (data == 0 || map >= STOR_MAP_ALL_INCLUDING_RW || (map != 0 && !is_rw))
        return data;
    /* Unmapped on every arch: the page offset kept, so a fault names it. */
    return (vm->ptr_size == 4 ? 0xdead0000ull : 0xffffdead00000000ull) | (data & 0xfff);
}

/* A request as disk.sys's SRB_EX: CDB16 block after a BTL8 address
 * (storport/ns-storport-_storage_request_block, srb/ns-srb-_srbex_data_scsi_cdb16). */
static struct stor_req *new_request(struct vm *vm, struct stor_adapter *a, const uint8_t *cdb,
                                    unsigned cdb_len, uint32_t len, bool data_in, uint32_t function)
{
    struct stor_req *r = NULL;
    for (unsigned i = 0; i < STOR_MAX_REQ && r == NULL; i++)
        if (a->reqs[i].state == REQ_FREE)
            r = &a->reqs[i];
    if (r == NULL) {
        vw_fail(vm, "harness: hard limit: %u StorPort requests in flight", STOR_MAX_REQ);
        return NULL;
    }
    uint64_t base = (VW_SIZEOF(vm, STORAGE_REQUEST_BLOCK) + 7) & ~7ull;
    uint64_t addr_len = (VW_SIZEOF(vm, STOR_ADDR_BTL8) + 7) & ~7ull;
    uint64_t total = base + addr_len + VW_SIZEOF(vm, SRBEX_DATA_SCSI_CDB16);
    memset(r, 0, sizeof(*r));
    r->srb = port_alloc(vm, total, "SRB");
    r->ext = a->srb_ext_size ? port_alloc(vm, a->srb_ext_size, "SRB extension") : 0;
    r->data = len ? port_alloc(vm, len, "data buffer") : 0;
    r->sense_len = a->sense_size;
    r->sense = r->sense_len ? port_alloc(vm, r->sense_len + STOR_SENSE_GUARD, "sense buffer") : 0;
    if (r->srb == 0 || (a->srb_ext_size && r->ext == 0) || (len && r->data == 0) ||
        (r->sense_len && r->sense == 0))
        return NULL;
    if (r->sense)
        stor_sense_guard(vm, r->sense, r->sense_len);
    if (r->ext) { /* "SRB extensions are never initialised" (miniports.md 1) */
        uint8_t poison[256];
        memset(poison, SRB_EXT_POISON, sizeof(poison));
        for (uint32_t o = 0; o < a->srb_ext_size; o += sizeof(poison))
            vw_write(vm, r->ext + o, poison,
                     a->srb_ext_size - o < sizeof(poison) ? a->srb_ext_size - o : sizeof(poison));
    }
#define SRB(m, v, n) vw_wr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, m), (v), (n))
    SRB(Function, SRB_FUNCTION_STORAGE_BLOCK, 1);
    SRB(Signature, SRB_SIGNATURE, 4);
    SRB(Version, 1, 4);
    SRB(SrbLength, total, 4);
    SRB(SrbFunction, function, 4);
    SRB(SrbFlags, len == 0 ? 0 : data_in ? SRB_FLAGS_DATA_IN : SRB_FLAGS_DATA_OUT, 4);
    SRB(TimeOutValue, a->timeout_s, 4);
    SRB(AddressOffset, base, 4);
    SRB(NumSrbExData, 1, 4);
    SRB(DataTransferLength, len, 4);
    SRB(SrbExDataOffset, base + addr_len, 4);
    vw_wrptr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, DataBuffer),
             data_buffer_va(vm, a, cdb, r->data));
    vw_wrptr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, MiniportContext), r->ext);
#undef SRB
    gva_t ad = r->srb + base;
    vw_wr(vm, ad, STOR_ADDRESS_TYPE_BTL8, 2); /* Type, the first member (srb.h: 1) */
    vw_wr(vm, ad + VW_OFFSET(vm, STOR_ADDR_BTL8, AddressLength), 4, 4);
    vw_wr(vm, ad + VW_OFFSET(vm, STOR_ADDR_BTL8, Target), a->target, 1);
    vw_wr(vm, ad + VW_OFFSET(vm, STOR_ADDR_BTL8, Lun), a->lun, 1);
    gva_t ex = r->srb + base + addr_len;
    vw_wr(vm, ex, SRBEX_TYPE_CDB16, 4);
    vw_wr(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, Length),
          VW_SIZEOF(vm, SRBEX_DATA_SCSI_CDB16) - VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, ScsiStatus),
          4);
    vw_wr(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, SenseInfoBufferLength), r->sense_len, 1);
    vw_wr(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, CdbLength), cdb_len, 1);
    vw_wrptr(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer), r->sense);
    if (cdb_len)
        vw_write(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, Cdb), cdb, cdb_len);
    r->len = len;
    r->data_in = data_in;
    r->target = a->target, r->lun = a->lun;
    r->function = function;
    r->sg = len ? build_sg(vm, r->data, len) : 0;
    r->cpu = a->dump ? vw_cpu_current(vm) : stor_submit_cpu(vm, a);
    r->state = REQ_PENDING;
    stor_dma(vm, r->srb, total, true);
    stor_dma(vm, r->ext, a->srb_ext_size, true);
    stor_dma(vm, r->data, len, true);
    stor_dma(vm, r->sense, r->sense_len, true);
    r->dma_srb_len = total;
    r->dma_ext_len = a->srb_ext_size;
    return r;
}

static void free_request(struct vm *vm, struct stor_req *r)
{
    if (r->kdpc != 0) /* a submission still queued goes with it */
        vw_cpu_dpc_queued_in(vm, 0, 0, true, r->kdpc);
    stor_dma(vm, r->srb, r->dma_srb_len, false);
    stor_dma(vm, r->ext, r->dma_ext_len, false);
    stor_dma(vm, r->data, r->len, false);
    stor_dma(vm, r->sense, r->sense_len, false);
    gva_t blocks[6] = {r->srb, r->ext, r->data, r->sg, r->sense, r->kdpc};
    for (unsigned i = 0; i < 6; i++)
        if (blocks[i] != 0)
            vw_pool_free(vm, blocks[i], "storport");
    r->state = REQ_FREE;
}

/* Hand one pending request to the miniport: HwBuildIo at DISPATCH_LEVEL
 * without locks, then HwStartIo under the StartIo lock (DIRQL and the
 * interrupt lock in half duplex) (storport/nc-storport-hw_buildio,
 * storport/nc-storport-hw_startio). */
void stor_start_one(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    r->state = REQ_AT_MINIPORT;
    r->start_cpu = vw_cpu_current(vm);
    r->deadline = vm->k->interrupt_time + a->timeout_s * 10000000ull;
    r->start_seq = ++a->start_seq;
    stor_latency_start(vm, a, r);
    /* StorPort's own reset SRBs reach a full queue too: not counted
     * against MaxNumberOfIO (the emulation's reading; no page says). */
    if (!r->port_reset)
        stor_count(a, r, 1);
    /* The independent count: never more than the miniport allowed. */
    if (a->outstanding > a->max_io) {
        vw_fail(vm,
                "storport: %u requests outstanding, more than the %u the miniport allowed "
                "(MaxNumberOfIO)",
                a->outstanding, a->max_io);
        return;
    }
    if (a->outstanding > a->stats.max_outstanding)
        a->stats.max_outstanding = a->outstanding;
    uint64_t argv[2] = {a->ext, r->srb}, ret = 0;
    if (a->build_io != 0) {
        if (!stor_call(vm, a, CTX_BUILDIO, VW_DISPATCH_LEVEL, 0, a->build_io, 2, argv, &ret))
            return;
        if ((ret & 0xff) == 0) {
            if (r->state != REQ_COMPLETED)
                vw_fail(vm, "storport: HwBuildIo returned FALSE without completing the SRB");
            return;
        }
    }
    /* Without STOR_PERF_CONCURRENT_CHANNELS StorPort serialises HwStartIo
     * with the StartIo lock; with it, HwStartIo runs on several CPUs at
     * once without that lock (storport/ns-storport-_perf_configuration_data:
     * "concurrent calls to the HwStorStartIo routine"; the miniport takes
     * its own locks).  The independent count names two at once without it
     * (the emulation's own bug, planted by vw_stor_plant_startio_unlocked). */
    bool concurrent = (a->perf_flags & STOR_PERF_CONCURRENT_CHANNELS) != 0;
    if (!concurrent && a->in_startio > 0) {
        vw_fail(vm,
                "storport: HwStartIo entered on CPU %u while another CPU is in it, without "
                "STOR_PERF_CONCURRENT_CHANNELS",
                vw_cpu_current(vm));
        return;
    }
    a->in_startio++;
    if (a->in_startio > a->stats.max_concurrent_startio)
        a->stats.max_concurrent_startio = a->in_startio;
    if (r->start_cpu < 32)
        a->stats.startio_cpus |= 1u << r->start_cpu;
    unsigned locks = concurrent || a->plant_unlocked_startio ? 0 : LOCK_BIT(LOCK_STARTIO);
    if (a->half_duplex)
        stor_call(vm, a, CTX_STARTIO, STOR_DIRQL, LOCK_BIT(LOCK_INTERRUPT), a->start_io, 2, argv,
                  NULL);
    else
        stor_call(vm, a, CTX_STARTIO, VW_DISPATCH_LEVEL, locks, a->start_io, 2, argv, NULL);
    a->in_startio--;
}

bool stor_gate_open(const struct stor_adapter *a)
{
    return a->outstanding < a->max_io && !a->busy && !a->paused && !a->resetting;
}

bool stor_lun_room(const struct stor_adapter *a, const struct stor_req *r)
{
    uint32_t depth = a->lun_depth;
    for (unsigned i = 0; i < a->nlun_set; i++)
        if (a->lun_set[i].target == r->target && a->lun_set[i].lun == r->lun)
            depth = a->lun_set[i].depth;
    return a->lun_out[r->target][r->lun] < depth;
}

void stor_count(struct stor_adapter *a, const struct stor_req *r, int delta)
{
    a->outstanding += (unsigned)delta;
    a->lun_out[r->target][r->lun] += (uint16_t)delta;
}

void stor_count_clear(struct stor_adapter *a)
{
    a->outstanding = 0;
    memset(a->lun_out, 0, sizeof(a->lun_out));
}

/* Start what the gate allows: adapter and LUN depth, busy, paused.
 * Requests issued on other CPUs are queued there first (their submission
 * runs when that CPU next runs, racing this CPU's HwStartIo), then this
 * CPU's own are started. */
static bool start_pending(struct vm *vm, struct stor_adapter *a)
{
    bool any = false;
    unsigned me = vw_cpu_current(vm);
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < STOR_MAX_REQ && !vm->failed; i++) {
            struct stor_req *r = &a->reqs[i];
            if (r->state != REQ_PENDING || (pass == 0) == (r->cpu == me))
                continue;
            if (!a->no_gate && !stor_gate_open(a))
                return any;
            if (!a->no_gate && !stor_lun_room(a, r))
                continue; /* its LUN is full: another LUN's may start */
            if (pass == 0) {
                stor_queue_submission(vm, a, r);
                continue;
            }
            if (a->paused)
                a->stats.max_started_paused++;
            stor_start_one(vm, a, r);
            /* A request the miniport gave back BUSY is retried later, after
             * the devices ran (srb/ns-srb-_scsi_request_block, SrbStatus:
             * SRB_STATUS_BUSY, "the port driver resubmits the request"):
             * starting more now only meets the same full queue, and counting
             * it as progress kept the wait from ever letting a device run. */
            if (r->state == REQ_COMPLETED && (r->status & SRB_STATUS_MASK) == SRB_STATUS_BUSY)
                return any;
            any = true;
        }
    return any;
}

/* vw_sched_settle (the devices answer, the clock moved to each device's
 * next completion within VW_SETTLE_SPAN) that stops short of the
 * miniport's HwTimer: a timer due before the devices' next completion is
 * left to wait_step, which moves the clock to it.  (vw_sched_settle jumps
 * past it, and a timer the miniport arms from a DPC inside the settling
 * would run late: storport/nc-storport-hw_timer runs it "after the
 * interval specified", and CompletionHoldoff's drain is bounded by that.)
 * True when something ran. */
static bool settle_to_timer(struct vm *vm, struct stor_adapter *a)
{
    bool any = false;
    for (unsigned jumps = 0; !vm->failed && !vm->k->in_sched && jumps < 64; jumps++) {
        bool ran = vw_sched_idle(vm);
        any |= ran;
        uint64_t now = vm->k->interrupt_time, next = vw_sched_next_due(vm);
        if (next == VW_NO_DEADLINE || next > now + VW_SETTLE_SPAN || (next <= now && !ran) ||
            (a->timer != 0 && a->timer_due < next))
            break;
        if (next > now)
            vw_time_advance(vm, next - now);
        any = true;
    }
    return any;
}

/* One round of the class layer's wait for REQS (N): start what the gate
 * allows, run DPCs, HwTimer and the devices, or move the clock to the next
 * event.  WAIT_LATE: the first deadline among them came first (*LATE that
 * request; the clock is there). */
enum wait_step { WAIT_MORE, WAIT_DONE, WAIT_LATE, WAIT_FAILED };
static enum wait_step wait_step(struct vm *vm, struct stor_adapter *a, struct stor_req **reqs,
                                unsigned n, struct stor_req **late)
{
    bool moved = start_pending(vm, a);
    moved |= stor_run_dpcs(vm, a);
    moved |= stor_run_timer(vm, a);
    /* A request back on the queue is progress, but only after the devices
     * had their turn (start_pending's note): one the miniport answered
     * BUSY from its DPC while nothing else moved starts next round. */
    bool requeued = stor_queue_due(vm, a);
    if (vm->failed)
        return WAIT_FAILED;
    bool done = true;
    uint64_t first = UINT64_MAX;
    for (unsigned i = 0; i < n; i++) {
        if (stor_req_open(reqs[i]))
            done = false;
        if (reqs[i]->state == REQ_AT_MINIPORT && reqs[i]->deadline < first) {
            first = reqs[i]->deadline;
            *late = reqs[i];
        }
    }
    if (done)
        return WAIT_DONE;
    /* Let the devices answer: they run, raise their interrupts, and
     * the ISRs and DPCs run on the CPUs the interrupts target. */
    if (moved || settle_to_timer(vm, a) || requeued)
        return WAIT_MORE;
    uint64_t due = vw_sched_next_due(vm);
    if (a->timer != 0 && a->timer_due < due)
        due = a->timer_due;
    if (stor_queue_next_due(a) < due) /* a pause's end, a BUSY retry */
        due = stor_queue_next_due(a);
    if (due != VW_NO_DEADLINE && due < first) {
        if (due > vm->k->interrupt_time)
            vw_time_advance(vm, due - vm->k->interrupt_time);
        return WAIT_MORE;
    }
    if (first == UINT64_MAX) {
        vw_fail(vm, "storport: requests wait and nothing can start them (busy %d, paused %d)",
                a->busy, a->paused);
        return WAIT_FAILED;
    }
    if (vm->k->interrupt_time < first)
        vw_time_advance(vm, first - vm->k->interrupt_time);
    return WAIT_LATE;
}

/* Run DPCs and the queue until REQS are all finished (or the run failed),
 * moving the clock to the first deadline when nothing moves; a request
 * past its deadline starts StorPort's reset escalation (reset.c). */
static bool wait_for(struct vm *vm, struct stor_adapter *a, struct stor_req **reqs, unsigned n)
{
    for (unsigned rounds = 0; !vm->failed; rounds++) {
        struct stor_req *late = NULL;
        enum wait_step step = wait_step(vm, a, reqs, n, &late);
        if (step == WAIT_DONE)
            return true;
        if (step == WAIT_FAILED)
            return false;
        if (rounds == 1000000) { /* a submission that never finds its moment */
            vw_fail(vm, "storport: requests never finish (%u rounds)", rounds);
            return false;
        }
        if (step == WAIT_MORE)
            continue;
        stor_timeout(vm, a, late);
        if (rounds > 1000) {
            vw_fail(vm, "storport: requests never finish");
            return false;
        }
    }
    return false;
}

bool stor_wait_deadline(struct vm *vm, struct stor_adapter *a, struct stor_req *r, bool *late)
{
    *late = false;
    for (unsigned rounds = 0; !vm->failed; rounds++) {
        struct stor_req *first = NULL;
        enum wait_step step = wait_step(vm, a, &r, 1, &first);
        if (step == WAIT_DONE || step == WAIT_LATE) {
            *late = step == WAIT_LATE;
            return true;
        }
        if (step == WAIT_FAILED)
            return false;
        if (rounds == 1000000) {
            vw_fail(vm, "storport: a reset SRB never finishes (%u rounds)", rounds);
            return false;
        }
    }
    return false;
}

struct stor_req *stor_new_srb(struct vm *vm, struct stor_adapter *a, uint32_t function,
                              uint8_t target, uint8_t lun)
{
    uint8_t none[1] = {0}, t = a->target, l = a->lun;
    a->target = target, a->lun = lun;
    struct stor_req *r = new_request(vm, a, none, 0, 0, false, function);
    a->target = t, a->lun = l;
    return r;
}

void stor_free_request(struct vm *vm, struct stor_req *r)
{
    free_request(vm, r);
}

static void collect(struct vm *vm, struct stor_req *r, void *buf, struct vw_stor_result *res);

bool stor_wait(struct vm *vm, struct stor_adapter *a, struct stor_req **reqs, unsigned n)
{
    return wait_for(vm, a, reqs, n);
}

void stor_collect(struct vm *vm, struct stor_req *r, void *buf, struct vw_stor_result *res)
{
    collect(vm, r, buf, res);
}

static void collect(struct vm *vm, struct stor_req *r, void *buf, struct vw_stor_result *res)
{
    if (res) {
        res->srb_status = r->status & SRB_STATUS_MASK;
        res->transferred = (uint32_t)vw_rd(
            vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, DataTransferLength), 4);
        gva_t ex =
            r->srb + vw_rd(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbExDataOffset), 4);
        res->scsi_status =
            (uint8_t)vw_rd(vm, ex + VW_OFFSET(vm, SRBEX_DATA_SCSI_CDB16, ScsiStatus), 1);
        res->submit_cpu = r->cpu;
        res->start_cpu = r->start_cpu;
        res->complete_cpu = r->done_cpu;
        stor_parse_sense(vm, r, res);
    }
    if (r->data_in && buf != NULL && r->len)
        vw_read(vm, r->data, buf, r->len);
    /* A request HwResetBus left stays allocated (quarantined) until the
     * adapter goes, so that a late completion is named, not a write to
     * freed pool. */
    if (r->state != REQ_RETURNED_BY_RESET)
        free_request(vm, r);
}

bool vw_stor_scsi_batch(struct vm *vm, unsigned count, const uint8_t (*cdbs)[16],
                        const unsigned *cdb_lens, uint8_t **bufs, const uint32_t *lens,
                        const bool *data_in, struct vw_stor_result *res)
{
    return vw_stor_scsi_batch_at(vm, count, NULL, cdbs, cdb_lens, bufs, lens, data_in, res);
}

bool vw_stor_scsi_batch_at(struct vm *vm, unsigned count, const uint8_t (*btl)[2],
                           const uint8_t (*cdbs)[16], const unsigned *cdb_lens, uint8_t **bufs,
                           const uint32_t *lens, const bool *data_in, struct vw_stor_result *res)
{
    struct stor_adapter *a = normal(vm);
    struct stor_req *reqs[STOR_MAX_REQ];
    if (a == NULL || !a->started || count > STOR_MAX_REQ) {
        if (!vm->failed)
            vw_fail(vm, "storport: no started adapter, or more than %u requests", STOR_MAX_REQ);
        return false;
    }
    uint8_t target = a->target, lun = a->lun;
    for (unsigned i = 0; i < count; i++) {
        if (btl != NULL)
            a->target = btl[i][0], a->lun = btl[i][1];
        reqs[i] = new_request(vm, a, cdbs[i], cdb_lens[i], lens[i], data_in[i],
                              SRB_FUNCTION_EXECUTE_SCSI);
        a->target = target, a->lun = lun;
        if (reqs[i] == NULL)
            return false;
        if (!data_in[i] && lens[i])
            vw_write(vm, reqs[i]->data, bufs[i], lens[i]);
    }
    if (!wait_for(vm, a, reqs, count))
        return false;
    for (unsigned i = 0; i < count; i++)
        collect(vm, reqs[i], bufs[i], res ? &res[i] : NULL);
    return !vm->failed;
}

/* SRB functions StorPort never sends a miniport: "This function is not
 * sent to the miniport by Storport" (srb/ns-srb-_storage_request_block,
 * SrbFunction: RECEIVE_EVENT 0x03, ABORT_COMMAND 0x10, RELEASE_RECOVERY
 * 0x11, TERMINATE_IO 0x14).  A scenario sending one would show a path
 * Windows never takes. */
static bool never_sent(unsigned function)
{
    return function == 0x03 || function == 0x10 || function == 0x11 || function == 0x14;
}

bool vw_stor_srb(struct vm *vm, unsigned function, struct vw_stor_result *res)
{
    struct stor_adapter *a = normal(vm);
    if (never_sent(function)) {
        vw_fail(vm,
                "harness: StorPort does not send SRB function 0x%02x to a miniport "
                "(srb/ns-srb-_storage_request_block)",
                function);
        return false;
    }
    if (a == NULL || !a->started) {
        if (!vm->failed)
            vw_fail(vm, "storport: no started adapter");
        return false;
    }
    uint8_t none[1] = {0};
    struct stor_req *r = new_request(vm, a, none, 0, 0, false, function);
    if (r == NULL || !wait_for(vm, a, &r, 1))
        return false;
    /* A LUN or target reset from the class layer: the same rule as
     * StorPort's own (reset.c). */
    bool reset = function == SRB_FUNCTION_RESET_LU || function == SRB_FUNCTION_RESET_DEVICE;
    if (reset && r->state == REQ_COMPLETED && (r->status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
        !stor_reset_scope_done(vm, a, r))
        return false;
    collect(vm, r, NULL, res);
    return !vm->failed;
}

bool stor_exdata_request(struct vm *vm, unsigned function, const uint8_t *block, unsigned blen,
                         uint8_t *data, uint32_t dlen, struct vw_stor_result *res)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL || !a->started) {
        if (!vm->failed)
            vw_fail(vm, "storport: no started adapter");
        return false;
    }
    uint8_t none[1] = {0};
    struct stor_req *r = new_request(vm, a, none, 0, dlen, true, function);
    if (r == NULL)
        return false;
    gva_t ex =
        r->srb + vw_rd(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbExDataOffset), 4);
    uint8_t zero[128] = {0};
    uint64_t room = VW_SIZEOF(vm, SRBEX_DATA_SCSI_CDB16);
    if (blen > room || room > sizeof(zero)) {
        vw_fail(vm, "harness: hard limit: an SRB_EX data block of %u bytes", blen);
        return false;
    }
    vw_write(vm, ex, zero, room);
    if (blen)
        vw_write(vm, ex, block, blen);
    else /* no extended data: NumSrbExData 0 */
        vw_wr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, NumSrbExData), 0, 4);
    if (dlen) { /* both directions, as the IOCTL paths send it */
        vw_write(vm, r->data, data, dlen);
        vw_wr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbFlags),
              SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT, 4);
    }
    if (!wait_for(vm, a, &r, 1))
        return false;
    collect(vm, r, data, res);
    return !vm->failed;
}

bool vw_stor_submit_writes(struct vm *vm, unsigned count, uint32_t lba, uint8_t pattern)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL || !a->started || count > STOR_MAX_REQ) {
        if (!vm->failed)
            vw_fail(vm, "storport: no started adapter, or more than %u requests", STOR_MAX_REQ);
        return false;
    }
    uint8_t block[512];
    memset(block, pattern, sizeof(block));
    for (unsigned i = 0; i < count; i++) {
        uint32_t l = lba + i;
        uint8_t cdb[10] = {
            0x2a, 0, (uint8_t)(l >> 24), (uint8_t)(l >> 16), (uint8_t)(l >> 8), (uint8_t)l, 0, 0,
            1,    0};
        struct stor_req *r = new_request(vm, a, cdb, 10, 512, false, SRB_FUNCTION_EXECUTE_SCSI);
        if (r == NULL)
            return false;
        vw_write(vm, r->data, block, sizeof(block));
    }
    start_pending(vm, a);
    vw_sched_settle(vm);
    return !vm->failed;
}

bool vw_stor_scsi(struct vm *vm, const uint8_t *cdb, unsigned cdb_len, void *buf, uint32_t len,
                  bool data_in, struct vw_stor_result *res)
{
    uint8_t c[1][16] = {{0}};
    memcpy(c[0], cdb, cdb_len > 16 ? 16 : cdb_len);
    uint8_t *bufs[1] = {buf};
    return vw_stor_scsi_batch(vm, 1, (const uint8_t(*)[16])c, &cdb_len, bufs, &len, &data_in, res);
}

bool vw_stor_interrupt(struct vm *vm)
{
    struct stor_adapter *a = normal(vm);
    uint64_t argv[1] = {a ? a->ext : 0}, ret = 0;
    if (a == NULL || !stor_call(vm, a, CTX_INTERRUPT, STOR_DIRQL, LOCK_BIT(LOCK_INTERRUPT),
                                a->interrupt, 1, argv, &ret))
        return false;
    stor_run_dpcs(vm, a);
    return (ret & 0xff) != 0;
}

/* HwMSInterruptRoutine(ext, MessageId) at DIRQL holding the interrupt
 * lock (storport/nc-storport-hw_message_signaled_interrupt_routine). */
bool vw_stor_msi(struct vm *vm, unsigned message)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL || a->msi_routine == 0 || message >= a->msi_messages) {
        if (!vm->failed)
            vw_fail(vm, "storport: no MSI routine, or message %u not granted", message);
        return false;
    }
    uint64_t argv[2] = {a->ext, message}, ret = 0;
    if (!stor_call(vm, a, CTX_INTERRUPT, STOR_DIRQL, LOCK_BIT(LOCK_INTERRUPT), a->msi_routine, 2,
                   argv, &ret))
        return false;
    stor_run_dpcs(vm, a);
    return (ret & 0xff) != 0;
}

/* HwAdapterControl(TYPE) as StorPort calls it, only for a type the
 * query claimed: Stop and Restart at DIRQL holding the interrupt lock,
 * SetBootConfig and SetRunningConfig at PASSIVE_LEVEL without locks (the
 * IRQL table of storport/nc-storport-hw_adapter_control).  The table has
 * no row for ScsiAdapterSurpriseRemoval: it is StorPort's handling of
 * IRP_MN_SURPRISE_REMOVAL, which "the PnP manager sends ... at IRQL =
 * PASSIVE_LEVEL in the context of a system thread"
 * (kernel/irp-mn-surprise-removal), so PASSIVE_LEVEL without locks
 * (inferred), Parameters NULL (storport/ne-storport-scsi_adapter_control_type). */
#define CONTROL_STOP    STOR_CONTROL_STOP
#define CONTROL_RESTART STOR_CONTROL_RESTART
#define CONTROL_BOOT    STOR_CONTROL_BOOT
#define CONTROL_RUNNING STOR_CONTROL_RUNNING
bool stor_adapter_control(struct vm *vm, struct stor_adapter *a, unsigned type)
{
    const char *name = type == CONTROL_STOP      ? "ScsiStopAdapter"
                       : type == CONTROL_RESTART ? "ScsiRestartAdapter"
                       : type == CONTROL_BOOT    ? "ScsiSetBootConfig"
                       : type == CONTROL_RUNNING ? "ScsiSetRunningConfig"
                                                 : "ScsiAdapterSurpriseRemoval";
    bool dirql = type == CONTROL_STOP || type == CONTROL_RESTART;
    uint64_t argv[3] = {a->ext, type, 0}, ret = 0;
    a->control_name = name;
    if (!stor_call(vm, a, CTX_ADAPTER_CONTROL, dirql ? STOR_DIRQL : VW_PASSIVE_LEVEL,
                   dirql ? LOCK_BIT(LOCK_INTERRUPT) : 0, a->adapter_control, 3, argv, &ret))
        return false;
    if ((uint32_t)ret != 0) { /* "must return ScsiAdapterControlSuccess" (that page) */
        vw_fail(vm, "storport: HwAdapterControl(%s) failed", name);
        return false;
    }
    return true;
}

/* Stop with requests outstanding: StorPort "ensures that there are no
 * uncompleted requests" and sends SRB_FUNCTION_FLUSH before
 * ScsiStopAdapter (the SCSI miniport page on HwScsiAdapterControl, which
 * StorPort keeps).  Requests nobody waits for (vw_stor_submit_writes) are
 * run to completion here, through time-outs and bus resets if need be. */
static bool drain(struct vm *vm, struct stor_adapter *a)
{
    struct stor_req *left[STOR_MAX_REQ];
    unsigned n = 0;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (stor_req_open(&a->reqs[i]))
            left[n++] = &a->reqs[i];
    if (n != 0) {
        vw_log(vm, "storport: stop waits for %u outstanding requests", n);
        a->stats.drained_at_stop += n;
        if (!wait_for(vm, a, left, n))
            return false;
    }
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].state == REQ_COMPLETED) /* nobody collects them */
            free_request(vm, &a->reqs[i]);
    if (a->outstanding != 0) {
        vw_fail(vm, "storport: %u requests outstanding after the drain", a->outstanding);
        return false;
    }
    return true;
}

/* Power down: drained, flushed, ScsiStopAdapter, then ScsiSetBootConfig;
 * up: ScsiSetRunningConfig, then ScsiRestartAdapter (each only if
 * claimed); without Restart, StorPort repeats FindAdapter and
 * HwInitialize (miniports.md 1). */
bool vw_stor_power(struct vm *vm, bool up)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL)
        return false;
    if (!up) {
        if (!drain(vm, a))
            return false;
        /* No FLUSH to a function that is gone: nothing could reach it. */
        if (!a->powered_down && !a->surprise_removed) {
            struct vw_stor_result res;
            uint8_t none[1] = {0};
            struct stor_req *r = new_request(vm, a, none, 0, 0, false, SRB_FUNCTION_FLUSH);
            if (r == NULL || !wait_for(vm, a, &r, 1))
                return false;
            collect(vm, r, NULL, &res);
            a->stats.stop_flushes++;
        }
        if (a->supported[CONTROL_STOP]) {
            if (!stor_adapter_control(vm, a, CONTROL_STOP))
                return false;
            a->stats.control_stop++;
        }
        a->powered_down = true;
        /* IRQL is back at PASSIVE_LEVEL: what the miniport queued runs now,
         * on a stopped adapter (stopped.c names a register access there). */
        stor_run_dpcs(vm, a);
        if (vm->failed)
            return false;
        if (a->supported[CONTROL_BOOT]) {
            if (!stor_adapter_control(vm, a, CONTROL_BOOT))
                return false;
            a->stats.control_boot_config++;
        }
        return true;
    }
    if (a->supported[CONTROL_RUNNING]) {
        if (!stor_adapter_control(vm, a, CONTROL_RUNNING))
            return false;
        a->stats.control_running_config++;
    }
    a->powered_down = false; /* the restart runs under the interrupt lock */
    if (a->supported[CONTROL_RESTART]) {
        if (!stor_adapter_control(vm, a, CONTROL_RESTART))
            return false;
        a->stats.control_restart++;
        return true;
    }
    return find_adapter(vm, a, NULL) && initialize(vm, a);
}

bool vw_stor_paused(struct vm *vm)
{
    return stor_state(vm)->normal.paused;
}

static void free_adapter(struct vm *vm, struct stor_adapter *a)
{
    stor_queue_free(vm, a);
    stor_timer_free(vm, a);
    stor_registry_release(vm, a);
    stor_dma(vm, a->uncached, a->uncached_len, false);
    gva_t blocks[7] = {a->ext,       a->cfg,      a->access_ranges, a->argstr,
                       a->reserved3, a->uncached, a->hwid_copy};
    for (unsigned i = 0; i < 7; i++)
        if (blocks[i] != 0)
            vw_pool_free(vm, blocks[i], "storport");
    a->ext = a->cfg = a->access_ranges = a->argstr = a->reserved3 = a->uncached = 0;
    a->hwid_copy = 0;
    a->started = false;
}

bool vw_stor_remove(struct vm *vm)
{
    struct stor_state *s = stor_state(vm);
    struct stor_adapter *a = normal(vm);
    if (a != NULL && a->crashed) {
        /* After the dump the machine is gone: what was in flight is
         * dropped, the adapter only freed (so the run can end cleanly). */
        for (unsigned i = 0; i < STOR_MAX_REQ; i++)
            if (a->reqs[i].state != REQ_FREE)
                free_request(vm, &a->reqs[i]);
        stor_count_clear(a);
        a->started = false;
    }
    /* The disk's PDO is removed before the adapter (children first):
     * StorRemoveDevice for the LUN; never to a powered-down adapter
     * (nothing reaches the miniport between Stop and Restart). */
    if (a != NULL && a->stats.long_stall_us > 0)
        vw_log(vm, "storport: longest busy-wait of one call at DISPATCH_LEVEL or above: %u us (%s)",
               a->stats.long_stall_us, a->stats.long_stall_routine);
    if (a != NULL && a->started && !a->crashed && !stor_queue_held_check(vm, a, "the remove"))
        return false;
    struct vw_stor_result pnp;
    if (a != NULL && a->started && !a->powered_down &&
        !stor_pnp_lun(vm, a, STOR_PNP_REMOVE_DEVICE, &pnp))
        return false;
    if (a == NULL || (a->started && !vw_stor_power(vm, false)))
        return false;
    for (unsigned i = 0; i < a->ndpcs; i++)
        if (vw_dpc_queued_in(vm, a->dpcs[i].dpc, 1)) {
            vw_fail(vm, "storport: a DPC is still queued at remove");
            return false;
        }
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].state == REQ_RETURNED_BY_RESET)
            free_request(vm, &a->reqs[i]);
    stor_pci_disconnect(vm, a);
    stor_pci_unmap_all(vm, a);
    stor_pci_unmap_all(vm, &s->dumpcopy);
    free_adapter(vm, a);
    if (s->dumpcopy.registered)
        free_adapter(vm, &s->dumpcopy);
    return true;
}

/* The machine restarts after a crash dump: the crashed instance and the
 * dump copy are gone without a call (what was in flight dropped, their
 * memory freed, the interrupt and device bases released), then the
 * miniport is loaded afresh (vw_driver_reboot: initial globals, DriverEntry
 * again); the scenario starts the adapter again (vw_stor_start). */
bool vw_stor_reboot(struct vm *vm)
{
    struct stor_state *s = stor_state(vm);
    struct stor_adapter *a = &s->normal;
    if (!a->crashed) {
        vw_fail(vm, "storport: a restart without a crash dump");
        return false;
    }
    for (unsigned i = 0; i < a->ndpcs; i++)
        if (vw_dpc_queued_in(vm, a->dpcs[i].dpc, 1)) {
            vw_fail(vm, "storport: a DPC of the crashed instance is still queued at the restart");
            return false;
        }
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].state != REQ_FREE)
            free_request(vm, &a->reqs[i]);
    stor_count_clear(a);
    a->started = false;
    stor_pci_disconnect(vm, a);
    stor_pci_unmap_all(vm, a);
    stor_pci_unmap_all(vm, &s->dumpcopy);
    free_adapter(vm, a);
    if (s->dumpcopy.registered)
        free_adapter(vm, &s->dumpcopy);
    memset(&s->dumpcopy, 0, sizeof(s->dumpcopy));
    a->registered = false;
    if (!vw_driver_reboot(vm))
        return false;
    if (!a->registered) {
        vw_fail(vm, "storport: the miniport did not call StorPortInitialize after the restart");
        return false;
    }
    return true;
}

/* One request of the dump copy A, polled through HwInterrupt at
 * HIGH_LEVEL until it completes: a WRITE(10) of BLOCK to SECTOR, or a
 * READ(10) of it into BLOCK; false (the run failed) otherwise. */
static bool dump_io(struct vm *vm, struct stor_adapter *a, bool write, uint32_t sector,
                    uint8_t *block)
{
    uint8_t cdb[10] = {write ? 0x2a : 0x28,
                       0,
                       (uint8_t)(sector >> 24),
                       (uint8_t)(sector >> 16),
                       (uint8_t)(sector >> 8),
                       (uint8_t)sector,
                       0,
                       0,
                       1,
                       0};
    struct stor_req *r = new_request(vm, a, cdb, 10, 512, !write, SRB_FUNCTION_EXECUTE_SCSI);
    if (r == NULL)
        return false;
    if (write)
        vw_write(vm, r->data, block, 512);
    stor_start_one(vm, a, r);
    uint64_t iargv[1] = {a->ext};
    for (unsigned polls = 0; r->state == REQ_AT_MINIPORT && !vm->failed; polls++) {
        if (polls == 1000) {
            vw_fail(vm, "storport: the dump request never completed");
            return false;
        }
        stor_call(vm, a, CTX_INTERRUPT, VW_HIGH_LEVEL, LOCK_BIT(LOCK_INTERRUPT), a->interrupt, 1,
                  iargv, NULL);
        /* Between polls the device works (10 us of virtual time); the
         * normal instance's interrupts reach nobody. */
        vw_time_advance(vm, 100);
        vw_sched_settle(vm);
    }
    if (vm->failed)
        return false;
    struct vw_stor_result res;
    collect(vm, r, write ? NULL : block, &res);
    if (res.srb_status != SRB_STATUS_SUCCESS) {
        vw_fail(vm, "storport: dump %s ended with SRB status 0x%02x", write ? "write" : "read",
                res.srb_status);
        return false;
    }
    return true;
}

/* The second image of the loaded miniport as the dump or hibernation copy
 * (DumpMode MODE): DriverEntry(NULL, NULL), FindAdapter with "dump=1" at
 * HIGH_LEVEL on the same function, HwInitialize; then COUNT sectors from
 * SECTOR written (sector i filled with PATTERN + i) and the first read
 * back, each polled (miniports.md 4). */
static bool dump_copy(struct vm *vm, uint8_t mode, uint32_t sector, unsigned count, uint8_t pattern)
{
    struct stor_state *s = stor_state(vm);
    /* The loaded miniport's image, found as vw_driver_load finds it. */
    char path[4096];
    vw_driver_path(vm, vm->k->driver_name ? vm->k->driver_name : "vwstor", path, sizeof(path));
    struct vw_image copy;
    if (!vw_load_image_copy(vm, path, &copy))
        return false;
    uint64_t argv[2] = {0, 0}, ret = 0;
    if (!vw_call(vm, copy.entry, 2, argv, &ret) || (uint32_t)ret != 0) {
        if (!vm->failed)
            vw_fail(vm, "storport: the dump copy's DriverEntry returned 0x%08x", (uint32_t)ret);
        return false;
    }
    struct stor_adapter *a = &s->dumpcopy;
    if (mode == 1) /* the system stopped: its ISRs and DPCs never run again */
        s->normal.crashed = true;
    a->pdo = s->pdo; /* the same function, polled */
    a->dump_mode = mode;
    char args[80];
    snprintf(args, sizeof(args), "dump=1%s%s", s->dump_args[0] ? " " : "", s->dump_args);
    if (!a->registered || !find_adapter(vm, a, args) || !initialize(vm, a))
        return false;
    a->sense_size = 32;
    uint8_t block[512], back[512];
    for (unsigned i = 0; i < count; i++) {
        memset(block, (uint8_t)(pattern + i), sizeof(block));
        if (!dump_io(vm, a, true, sector + i, block))
            return false;
    }
    memset(block, pattern, sizeof(block));
    if (!dump_io(vm, a, false, sector, back))
        return false;
    if (memcmp(block, back, sizeof(block)) != 0) {
        vw_fail(vm, "storport: the dump copy read back other data than it wrote");
        return false;
    }
    return true;
}

/* The crash-dump copy (miniports.md 4): polled through HwInterrupt (not
 * the MSI routine) after HwStartIo; no DPCs, at most one request. */
bool vw_stor_dump(struct vm *vm, uint32_t sector, uint8_t pattern)
{
    return dump_copy(vm, 1, sector, 1, pattern);
}

/* Hibernation (S4) and resume: the normal instance powered down as for
 * any sleep (vw_stor_power: drained, FLUSH, ScsiStopAdapter,
 * ScsiSetBootConfig), the hibernation copy (DUMP_MODE_HIBER) writes the
 * hibernation file, the machine is off; at resume the normal instance is
 * powered up (ScsiSetRunningConfig, ScsiRestartAdapter) with its
 * extensions intact (storport/nc-storport-hw_adapter_control). */
bool vw_stor_hibernate(struct vm *vm, uint32_t sector, unsigned count, uint8_t pattern)
{
    struct stor_adapter *a = normal(vm);
    if (a == NULL || !a->started) {
        if (!vm->failed)
            vw_fail(vm, "storport: hibernation of no started adapter");
        return false;
    }
    if (!vw_stor_power(vm, false) || !dump_copy(vm, 2, sector, count, pattern))
        return false;
    a->stats.hibernations++;
    return vw_stor_power(vm, true);
}

void vw_stor_dump_args(struct vm *vm, const char *args)
{
    snprintf(stor_state(vm)->dump_args, sizeof(stor_state(vm)->dump_args), "%s", args);
}

void vw_stor_stats(struct vm *vm, struct vw_stor_stats *out)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    *out = a->stats;
    out->lun_depth = a->lun_depth_last ? a->lun_depth_last : a->lun_depth;
    out->perf_flags = a->perf_flags;
    out->dump_uncached = stor_state(vm)->dumpcopy.stats.dump_uncached;
}

void vw_stor_sense_buffer(struct vm *vm, unsigned len)
{
    stor_state(vm)->normal.sense_size = len > 255 ? 255 : len;
}

void vw_stor_address(struct vm *vm, uint8_t target, uint8_t lun)
{
    stor_state(vm)->normal.target = target;
    stor_state(vm)->normal.lun = lun;
}

void vw_stor_plant_no_gate(struct vm *vm)
{
    stor_state(vm)->normal.no_gate = true;
}
