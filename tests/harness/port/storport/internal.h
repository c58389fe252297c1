/*
 * State shared by the StorPort emulation's files: exports.c (the routines a
 * miniport imports, locks, DPCs, checks) and adapter.c (the adapter life
 * cycle, the class layer and the request queue).
 */
#pragma once
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "pnp.h"
#include "stor.h"
#include "vw_srb.h"

/* SRB constants the emulation sends or checks beside vw_srb.h's statuses
 * and functions (common/include/vw/storport.h has the driver side). */
#define SRB_FLAGS_DATA_IN  0x40
#define SRB_FLAGS_DATA_OUT 0x80
#define SRB_SIGNATURE      0x53524258u
#define SRBEX_TYPE_CDB16   0x40
#define SP_RETURN_FOUND    1
/* STOR_STATUS values StorPort returns (the values common/include/vw/storport.h
 * gives the miniports; BUSY from the storport.h STOR_STATUS list). */
#define STOR_STATUS_SUCCESS           0x00000000u
#define STOR_STATUS_UNSUCCESSFUL      0xC1000001u
#define STOR_STATUS_NOT_IMPLEMENTED   0xC1000002u
#define STOR_STATUS_INVALID_PARAMETER 0xC1000006u
#define STOR_STATUS_BUSY              0xC100000Cu
/* StorPortNotification(StateChangeDetectedCall, ...): the value after
 * ReleaseSpinLock (0x1004) in SCSI_NOTIFICATION_TYPE; ChangedEntity bits
 * and the one address type (storport/nf-storport-storportstatechangedetected,
 * storport/ns-storport-_stor_address). */
#define STOR_NOTIFY_STATE_CHANGE 0x1005
#define STATE_CHANGE_LUN         0x1u
#define STATE_CHANGE_TARGET      0x2u
#define STATE_CHANGE_BUS         0x4u
#define STOR_ADDRESS_TYPE_BTL8   1
/* HwAdapterControl's control types (storport/ne-storport-scsi_adapter_control_type):
 * STOR_CONTROL_MAX is ScsiAdapterControlMax of the current storport.h, the
 * MaxControlType the query offers. */
#define STOR_CONTROL_STOP             1  /* ScsiStopAdapter */
#define STOR_CONTROL_RESTART          2  /* ScsiRestartAdapter */
#define STOR_CONTROL_BOOT             3  /* ScsiSetBootConfig */
#define STOR_CONTROL_RUNNING          4  /* ScsiSetRunningConfig */
#define STOR_CONTROL_SURPRISE_REMOVAL 16 /* ScsiAdapterSurpriseRemoval */
#define STOR_CONTROL_MAX              30 /* ScsiAdapterControlMax */
#define STOR_DIRQL                    5  /* the harness's device IRQL (k_intr.c) */

/* StorPort's locks; LOCK_MESSAGE: one message's lock, held around the
 * ISR in per-message mode (never through StorPortAcquireSpinLock). */
enum stor_lock { LOCK_DPC = 1, LOCK_STARTIO = 2, LOCK_INTERRUPT = 3, LOCK_MESSAGE = 4 };
#define LOCK_BIT(l) (1u << (l))

/* Which miniport routine is running: the rules of each StorPort routine
 * depend on it (../shared/reference/miniports.md sections 1-4). */
enum stor_ctx {
    CTX_NONE,
    CTX_FIND_ADAPTER,
    CTX_HW_INITIALIZE,
    CTX_PASSIVE_INIT,
    CTX_BUILDIO,
    CTX_STARTIO,
    CTX_INTERRUPT,
    CTX_DPC,
    CTX_RESET_BUS,
    CTX_ADAPTER_CONTROL,
    CTX_DRIVER_ENTRY,
    CTX_TIMER,
    CTX_STATE_CHANGE, /* HwStateChange (statechange.c) */
};

enum req_state { REQ_FREE, REQ_PENDING, REQ_AT_MINIPORT, REQ_COMPLETED, REQ_RETURNED_BY_RESET };

struct stor_req {
    enum req_state state;
    gva_t srb, ext, data, sg, sense;
    uint32_t len;
    bool data_in;
    uint8_t status;
    uint64_t deadline; /* interrupt time */
    bool completed_once;
    /* The CPU the class layer issued it from, the one HwStartIo ran on,
     * the one StorPort's completion ran on; the KDPC that carries it to
     * its issuing CPU (StorPort's submission there). */
    unsigned cpu, start_cpu, done_cpu;
    gva_t kdpc;
    unsigned busy_retries;
    /* Answered BUSY and waiting for its retry at RETRY_AT; first BUSY at
     * BUSY_SINCE (queue.c). */
    bool busy_waiting;
    uint64_t retry_at, busy_since;
    unsigned sense_len;                /* SenseInfoBufferLength as given (0: no buffer) */
    uint64_t dma_srb_len, dma_ext_len; /* announced to the devices (dma.c) */
    uint8_t target, lun;               /* its BTL8 address */
    uint32_t function;                 /* SrbFunction */
    bool port_reset;                   /* a reset SRB StorPort sent on a time-out (reset.c) */
    bool reset_refused;  /* at the miniport when HwResetBus returned FALSE (reset.c) */
    uint64_t start_seq;  /* order in which HwStartIo got it */
    uint64_t start_time; /* interrupt time HwStartIo got it (latency.c) */
};

#define STOR_MAX_LUN_DEPTHS 64  /* LUNs StorPortSetDeviceQueueDepth may set a depth for */
#define STOR_MAX_REQ        512 /* requests in flight: queue depth 256 and more (qsd_*) */
#define STOR_MAX_DPC        80  /* a DPC per queue: viostor has up to 64 (bench-storage q16) */
#define STOR_MAX_MAPS       8
#define STOR_MAX_OWNERS     64 /* devices of one machine with a claim check */

struct stor_map {
    gva_t va; /* page-aligned start of a StorPortGetDeviceBase window */
    uint64_t len;
};

struct stor_dpc {
    gva_t dpc, routine; /* the STOR_DPC (its KDPC first) and HwDpcRoutine */
};

/* One CPU's view of an adapter: CTX_NONE there is a DPC StorPort queued
 * (a KDPC running the miniport's routine directly) or nothing. */
struct stor_cpu {
    enum stor_ctx ctx;
    unsigned held;         /* LOCK_BIT set of StorPort locks held */
    uint64_t stalled_us;   /* StorPortStallExecution summed in the running call (stall.c) */
    uint64_t dpc_at_entry; /* the DPC running here when that call began */
    uint64_t dpc_id, dpc_stalled_us; /* the DPC last stalled in here, and its sum */
    unsigned held_at_entry;
    unsigned held_message;
};

struct stor_adapter {
    bool registered, started, dump;
    gva_t hwid_copy; /* HW_INITIALIZATION_DATA as registered (pool copy) */
    gva_t find_adapter, initialize, start_io, build_io, interrupt, reset_bus, adapter_control;
    gva_t msi_routine, passive_routine;
    uint32_t ext_size, srb_ext_size;
    gva_t ext, cfg, access_ranges, argstr, reserved3, uncached;
    uint32_t uncached_len;
    /* What runs on each CPU: the miniport routine StorPort called there
     * and the StorPort locks it holds (stor_cpu). */
    struct stor_cpu *cpus;
    unsigned ncpus;
    gva_t startio_word, dpc_word; /* the StartIo and DPC locks' lock words */
    bool passive_enabled;
    uint8_t supported[STOR_CONTROL_MAX]; /* control types answered TRUE */
    uint32_t max_io, lun_depth, max_transfer, breaks, timeout_s, msi_messages;
    uint32_t alignment_mask, bus_type; /* AlignmentMask FindAdapter set; the INF's BusType */
    bool tagged_queuing;               /* TaggedQueuing after FindAdapter */
    bool half_duplex, busy, paused, no_gate;
    unsigned busy_count;
    struct stor_dpc dpcs[STOR_MAX_DPC];
    unsigned ndpcs;
    struct stor_req reqs[STOR_MAX_REQ];
    unsigned outstanding;
    /* Per LUN (storport/nf-storport-storportsetdevicequeuedepth: the depth
     * of the device at an address): requests at the miniport at each BTL8
     * address, and the depths StorPortSetDeviceQueueDepth set (the others
     * have lun_depth, from InitialLunQueueDepth and MaxIOsPerLun) */
    uint16_t lun_out[256][256];
    struct {
        uint8_t target, lun;
        uint32_t depth;
    } lun_set[STOR_MAX_LUN_DEPTHS];
    unsigned nlun_set;
    uint32_t lun_depth_last; /* the last depth StorPortSetDeviceQueueDepth set (stats) */
    struct vw_stor_stats stats;
    /* A PCI function (pci.c): its PDO, the interrupt StorPort connected
     * for the miniport, InterruptSynchronizationMode, device bases. */
    gva_t pdo;
    struct vw_interrupt *intr;
    unsigned sync_mode, msi_locks_held;
    bool powered_down, crashed;
    const char *control_name; /* the HwAdapterControl type being called */
    struct stor_map maps[STOR_MAX_MAPS];
    unsigned nmaps;
    gva_t timer;        /* HwTimer requested (RequestTimerCall), or 0 */
    uint64_t timer_due; /* interrupt time it is due */
    gva_t ttimer, tdpc; /* the KTIMER and KDPC that call it when due (hwtimer.c) */
    /* StorPortInitializePerfOpts as set (exports.c), and the StartIo calls
     * running now on any CPU (never two without concurrent channels). */
    uint32_t perf_flags, channels, first_msg, last_msg;
    unsigned in_startio;
    bool plant_unlocked_startio; /* planted emulation bug: no StartIo lock */
    int submit_mode;             /* vw_stor_submit_from */
    unsigned submit_next;
    uint64_t submit_rng;
    unsigned sense_size; /* the class layer's sense buffer (vw_stor_sense_buffer) */
    uint8_t target, lun; /* the class layer's BTL8 address (vw_stor_address) */
    gva_t reg_buf;       /* StorPortAllocateRegistryBuffer's one buffer, or 0 */
    uint32_t reg_len;
    /* Surprise removal (removal.c): the function is gone; the register
     * accesses of the miniport routine running now (reset at each call). */
    bool surprise_removed;
    unsigned removed_call_accesses;
    /* HwAdapterControl(ScsiAdapterSurpriseRemoval) was called: from then
     * on the miniport knows, and any register access fails the run. */
    bool surprise_told;
    /* A dump copy's PORT_CONFIGURATION_INFORMATION.DumpMode: 1 crash, 2
     * hibernation (storport/ns-storport-_port_configuration_information). */
    uint8_t dump_mode;
    /* A LUN or target reset SRB of the time-out's escalation is at the
     * miniport: the queues hold every other request (reset.c). */
    bool resetting;
    uint64_t start_seq;
    /* The queue outside the class layer's wait (queue.c): its KTIMER and
     * KDPC, when a StorPortPause with a Timeout runs out, a submission
     * to try again (another CPU held a lock); planted: Resume/Ready start
     * nothing (the emulation's old bug). */
    gva_t qtimer, qdpc;
    uint64_t pause_until, kick_at;
    bool plant_no_resume_start;
    /* StorPortStateChangeDetected (statechange.c): the one notification
     * being processed (the address read at the call, the callback). */
    struct {
        bool pending;
        uint32_t entity;
        uint8_t target, lun;
        uint16_t addr_type;
        gva_t addr, callback, context;
    } sc;
    struct vw_stor_scan scan; /* the bus scan at the start (scan.c) */
    bool scan_plant_any;      /* planted: every INQUIRY of the scan finds a LUN */
};

#define STOR_PERF_DPC_REDIRECTION             0x01u
#define STOR_PERF_CONCURRENT_CHANNELS         0x02u
#define STOR_PERF_INTERRUPT_MESSAGE_RANGES    0x04u
#define STOR_PERF_ADV_CONFIG_LOCALITY         0x08u
#define STOR_PERF_OPTIMIZE_FOR_COMPLETION     0x10u
#define STOR_PERF_DPC_REDIRECTION_CURRENT_CPU 0x20u

#define STOR_MAX_REGS       32
#define STOR_MAX_REG_VALUE  256
#define STOR_MAX_REG_BUFFER 4096

/* A value under the service's Parameters\Device (GLOBAL) or
 * Parameters\Device0 key (registry.c). */
struct stor_reg_value {
    bool global;
    char name[64];
    uint32_t type, len;
    uint8_t data[STOR_MAX_REG_VALUE];
};

struct stor_state {
    struct stor_adapter normal, dumpcopy;
    struct stor_reg_value regs[STOR_MAX_REGS];
    unsigned nregs;
    unsigned bus_changes_seen; /* BusChangeDetected count at the last rescan (rescan.c) */
    gva_t driver_object;
    gva_t pdo; /* vw_stor_attach_pci */
    struct {
        vw_stor_owner_fn *fn;
        void *dev;
    } owners[STOR_MAX_OWNERS];
    unsigned nowners;
    char dump_args[64]; /* vw_stor_dump_args: appended to the copy's "dump=1" */
    uint32_t stall_allow[CTX_STATE_CHANGE + 1]; /* vw_stor_stall_allow, per routine */
    bool power_protected;                       /* vw_stor_cache_power_protected (cache.c) */
    unsigned plant_class;                       /* vw_stor_plant_class_bug: VW_STOR_PLANT_* set */
    bool plant_scan_any;                        /* vw_stor_plant_scan_any_answer (scan.c) */
    bool plant_timer_waits_only;                /* vw_stor_plant_timer_waits_only (hwtimer.c) */
    unsigned plant_timer_late;                  /* vw_stor_plant_timer_late: due x this (>1) */
};

struct stor_state *stor_state(struct vm *vm);
/* The state if a miniport ever used StorPort in this run, else NULL (no
 * allocation: device models of other drivers ask on every access). */
struct stor_state *stor_state_if_any(struct vm *vm);
/* The running CPU's view of A (allocated on first use). */
struct stor_cpu *stor_cpu(struct vm *vm, struct stor_adapter *a);
/* The adapter whose device extension is EXT, or NULL (the run failed). */
struct stor_adapter *stor_by_ext(struct vm *vm, gva_t ext, const char *who);
/* Call a miniport routine in context CTX at IRQL with LOCKS held as
 * StorPort holds them; checks that it returns with the same locks. */
bool stor_call(struct vm *vm, struct stor_adapter *a, enum stor_ctx ctx, unsigned irql,
               unsigned locks, gva_t fn, unsigned n, const uint64_t *args, uint64_t *ret);
/* stall.c: a routine's call begins on this CPU (nothing stalled yet);
 * StorPortStallExecution(US) charged to what runs here, and checked. */
void stor_stall_begin(struct vm *vm, struct stor_cpu *c);
void stor_stall(struct vm *vm, uint32_t us);
/* latency.c: request R goes to HwStartIo now; R completed now. */
void stor_latency_start(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
void stor_latency_done(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
/* Call HwTimer if it is due; true if it ran. */
bool stor_run_timer(struct vm *vm, struct stor_adapter *a);
/* hwtimer.c: arm (or cancel) the kernel timer that calls HwTimer when
 * due; free it at removal. */
void stor_timer_arm(struct vm *vm, struct stor_adapter *a);
void stor_timer_free(struct vm *vm, struct stor_adapter *a);
/* Run the DPCs queued on the running CPU; true if any ran. */
bool stor_run_dpcs(struct vm *vm, struct stor_adapter *a);
/* A request the miniport completed (RequestComplete notification). */
void stor_request_complete(struct vm *vm, struct stor_adapter *a, gva_t srb);
/* R is not finished for the class layer: queued, at the miniport, or
 * answered BUSY and waiting for StorPort's retry (queue.c). */
static inline bool stor_req_open(const struct stor_req *r)
{
    return r->state == REQ_PENDING || r->state == REQ_AT_MINIPORT ||
           (r->state == REQ_COMPLETED && r->busy_waiting);
}
/* The request whose SRB is SRB, or NULL. */
struct stor_req *stor_find_req(struct stor_adapter *a, gva_t srb);
const char *stor_ctx_name(enum stor_ctx ctx);
/* Hand R to the miniport on the running CPU (HwBuildIo, HwStartIo). */
void stor_start_one(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
/* May another request reach the miniport now (adapter depth, busy, paused)? */
bool stor_gate_open(const struct stor_adapter *a);
/* May R reach it too: below the depth of its LUN? */
bool stor_lun_room(const struct stor_adapter *a, const struct stor_req *r);
/* R reaches the miniport (+1) or leaves it (-1): the adapter's and its LUN's counts */
void stor_count(struct stor_adapter *a, const struct stor_req *r, int delta);
/* No request at the miniport any more (a drop, a stop) */
void stor_count_clear(struct stor_adapter *a);

/* An SRB_EX of FUNCTION carrying the extended-data BLOCK (BLEN bytes,
 * its Type first) where commands carry the CDB16 block; DATA (DLEN bytes,
 * both directions, copied back) when DLEN is not 0; waited for. */
bool stor_exdata_request(struct vm *vm, unsigned function, const uint8_t *block, unsigned blen,
                         uint8_t *data, uint32_t dlen, struct vw_stor_result *res);

/* sense.c: the sense buffer's guard, its rules at completion, parsing. */
#define STOR_SENSE_GUARD 16
void stor_sense_guard(struct vm *vm, gva_t sense, unsigned len);
bool stor_check_sense(struct vm *vm, struct stor_req *r);
void stor_parse_sense(struct vm *vm, const struct stor_req *r, struct vw_stor_result *res);

/* perf.c: performance options, the issuing CPU, concurrent StartIo. */
uint32_t stor_perf_opts(struct vm *vm, struct stor_adapter *a, bool query, gva_t data);
uint32_t stor_startio_params(struct vm *vm, struct stor_adapter *a, gva_t srb, gva_t p);
unsigned stor_submit_cpu(struct vm *vm, struct stor_adapter *a);
unsigned stor_completion_cpu(struct vm *vm, const struct stor_adapter *a, const struct stor_req *r);
/* Queue R's submission on the CPU it was issued from. */
bool stor_queue_submission(struct vm *vm, struct stor_adapter *a, struct stor_req *r);

/* STOR_PNP_ACTION values StorPort sends on its own (srb/ns-srb-_srbex_data_pnp). */
#define STOR_PNP_REMOVE_DEVICE      0x02 /* StorRemoveDevice */
#define STOR_PNP_QUERY_CAPABILITIES 0x09 /* StorQueryCapabilities */
#define STOR_PNP_SURPRISE_REMOVAL   0x17 /* StorSurpriseRemoval */
/* removal.c: SRB_FUNCTION_PNP ACTION to the class layer's LUN, counted. */
bool stor_pnp_lun(struct vm *vm, struct stor_adapter *a, unsigned action,
                  struct vw_stor_result *res);
/* removal.c: a register access of the miniport to A's removed function
 * (WHO: the device reporting it); false when it failed the run. */
bool stor_removed_access(struct vm *vm, struct stor_adapter *a, const char *who);
/* adapter.c: HwAdapterControl(TYPE, no parameters) as StorPort calls it
 * for a claimed type; false when it failed or returned Unsuccessful. */
bool stor_adapter_control(struct vm *vm, struct stor_adapter *a, unsigned type);
/* adapter.c: wait for REQS (N of them) as the class layer does. */
bool stor_wait(struct vm *vm, struct stor_adapter *a, struct stor_req **reqs, unsigned n);
/* adapter.c: the class layer's view of R (freed unless a reset returned it). */
void stor_collect(struct vm *vm, struct stor_req *r, void *buf, struct vw_stor_result *res);
/* adapter.c: a function-only SRB_EX (no CDB, no data) of FUNCTION for
 * TARGET:LUN, not yet started; NULL when the run failed. */
struct stor_req *stor_new_srb(struct vm *vm, struct stor_adapter *a, uint32_t function,
                              uint8_t target, uint8_t lun);
void stor_free_request(struct vm *vm, struct stor_req *r);
/* adapter.c: wait for R alone until it finishes (true, *LATE false) or its
 * deadline passes (true, *LATE true); false when the run failed. */
bool stor_wait_deadline(struct vm *vm, struct stor_adapter *a, struct stor_req *r, bool *late);

/* reset.c: StorPort's answer to R's time-out, tier by tier: a LUN reset
 * SRB, a target reset SRB, HwResetBus (multi-tier-reset-in-storport). */
void stor_timeout(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
/* reset.c: after reset SRB R completed SUCCESS, what the miniport's
 * DPCs do at that same instant run; false (the run failed) when a request
 * of its scope HwStartIo had before it is still at the miniport. */
bool stor_reset_scope_done(struct vm *vm, struct stor_adapter *a, const struct stor_req *r);

/* rescan.c: REPORT LUNS to LUN 0 of TARGET, then INQUIRY and READ
 * CAPACITY at TARGET:LUN, as the class layer sends them. */
bool stor_rescan_at(struct vm *vm, uint8_t target, uint8_t lun, struct vw_stor_rescan *out);
/* scan.c: the bus scan after the start: REPORT LUNS and INQUIRY per
 * target and LUN; false when the run failed. */
bool stor_scan_bus(struct vm *vm, struct stor_adapter *a);
/* statechange.c: StorPortNotification(StateChangeDetectedCall) with its
 * arguments from vararg slot V on; writes the ULONG status. */
void stor_state_change_notify(struct vm *vm, struct stor_adapter *a, const struct vw_api *api,
                              unsigned v);

/* queue.c: StorPort's queue outside the class layer's wait.  Kick: the
 * queue DPC starts what is held (Resume, Ready, the last BUSY count);
 * busy: R was answered BUSY (retry later, or give up after its
 * TimeOutValue); room: a request completed, the BUSY ones retry now;
 * due: what came due now (a pause's end, BUSY retries back on the queue;
 * true if any); next_due: when the next is (VW_NO_DEADLINE); arm: the
 * kernel timer to it; later: try the queue again in 10 us; held_check:
 * false (the run failed) when requests wait with nothing holding them;
 * free: the timer and DPC at removal. */
void stor_queue_kick(struct vm *vm, struct stor_adapter *a);
void stor_queue_busy(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
void stor_queue_room(struct vm *vm, struct stor_adapter *a);
bool stor_queue_due(struct vm *vm, struct stor_adapter *a);
uint64_t stor_queue_next_due(const struct stor_adapter *a);
void stor_queue_arm(struct vm *vm, struct stor_adapter *a);
void stor_queue_later(struct vm *vm, struct stor_adapter *a);
bool stor_queue_held_check(struct vm *vm, struct stor_adapter *a, const char *when);
void stor_queue_free(struct vm *vm, struct stor_adapter *a);

/* registry.c: the registry exports and the buffer's release at removal. */
vw_api_fn stor_allocate_registry_buffer, stor_free_registry_buffer, stor_registry_read,
    stor_registry_write;
void stor_registry_release(struct vm *vm, struct stor_adapter *a);

/* pci.c: the PCI function's side of the adapter. */
void stor_pci_fill_config(struct vm *vm, struct stor_adapter *a, gva_t cfg);
bool stor_pci_connect(struct vm *vm, struct stor_adapter *a);
void stor_pci_disconnect(struct vm *vm, struct stor_adapter *a);
void stor_pci_unmap_all(struct vm *vm, struct stor_adapter *a);
/* Take (true when now held) or drop the interrupt's lock word. */
bool stor_pci_interrupt_lock(struct vm *vm, struct stor_adapter *a, bool take);
uint32_t stor_msi_lock(struct vm *vm, struct stor_adapter *a, unsigned m, gva_t old_irql,
                       uint64_t irql_in, bool acquire);
/* dma.c: announce (ADD) or withdraw [VA, VA+LEN) as memory the device may
 * reach (the uncached extension, a request's blocks while it lives). */
void stor_dma(struct vm *vm, gva_t va, uint64_t len, bool add);
/* False (the run failed) when a device still owns part of R's buffers. */
bool stor_check_device_released(struct vm *vm, struct stor_adapter *a, struct stor_req *r);
