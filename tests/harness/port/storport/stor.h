/*
 * The StorPort emulation (storport.sys for physical miniports), scenario
 * side: start an adapter through HwFindAdapter/HwInitialize, issue SCSI
 * commands through a small class layer (what disk.sys and Windows Setup
 * send), stop/restart/remove it, raise its interrupt, and run the
 * crash-dump copy.  README: tests/harness/README.md, "StorPort".
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vm.h"

struct vw_stor_config {
    const char *args;      /* HwFindAdapter's ArgumentString, or NULL */
    unsigned timeout_s;    /* SRB TimeOutValue (default 10) */
    unsigned msi_messages; /* messages StorPortGetMSIInfo reports (0: line-based) */
    /* The INF's HKR,Parameters,BusType (a STORAGE_BUS_TYPE: vw_storage.h),
     * which StorPort reports as the adapter's and the disk's bus type. */
    unsigned bus_type;
};

#define VW_STOR_SENSE_KEPT 32
/* One finished request as the class driver sees it. */
struct vw_stor_result {
    uint8_t srb_status; /* SRB_STATUS(...) of the SRB */
    uint8_t scsi_status;
    uint32_t transferred; /* DataTransferLength at completion */
    /* The CPU the class layer issued it from, the one HwStartIo ran on,
     * the one StorPort's completion ran on (DPC redirection). */
    unsigned submit_cpu, start_cpu, complete_cpu;
    /* Sense the miniport returned with SRB_STATUS_AUTOSENSE_VALID
     * (fixed or descriptor format), and SenseInfoBufferLength after it. */
    bool sense_valid;
    uint8_t sense_key, asc, ascq, sense_len;
    /* The sense bytes themselves (the first VW_STOR_SENSE_KEPT of those
     * the miniport wrote; the rest zero), for the fields past the ASCQ. */
    uint8_t sense[VW_STOR_SENSE_KEPT];
};

/* The normal adapter through FindAdapter, HwInitialize, the passive
 * routine and the control-type query; false (the run failed) otherwise. */
bool vw_stor_start(struct vm *vm, const struct vw_stor_config *cfg);
/* One SCSI command: CDB of CDB_LEN bytes; DATA_IN receives LEN bytes into
 * BUF, else BUF (may be NULL when LEN is 0) is written.  Waits for it,
 * resetting the bus when its time-out passes.  Returns false if the run
 * failed. */
bool vw_stor_scsi(struct vm *vm, const uint8_t *cdb, unsigned cdb_len, void *buf, uint32_t len,
                  bool data_in, struct vw_stor_result *res);
/* A READ(16)/WRITE(16) CDB16 of LEN bytes in blocks of BLOCK sent as the
 * class layer does above MaximumTransferLength: one after the other, each
 * within it; RES of the last sent (transferred: the total), PIECES sent. */
bool vw_stor_scsi_split(struct vm *vm, const uint8_t *cdb16, uint32_t block, void *buf,
                        uint32_t len, bool data_in, struct vw_stor_result *res, unsigned *pieces);
/* Several commands at once (COUNT up to 512): all submitted, then waited
 * for; the queue-depth gate decides how many reach the miniport. */
bool vw_stor_scsi_batch(struct vm *vm, unsigned count, const uint8_t (*cdbs)[16],
                        const unsigned *cdb_lens, uint8_t **bufs, const uint32_t *lens,
                        const bool *data_in, struct vw_stor_result *res);
/* As vw_stor_scsi_batch, request i addressed to target BTL[i][0], LUN
 * BTL[i][1] (NULL: the vw_stor_address of all), so one batch spans LUNs. */
bool vw_stor_scsi_batch_at(struct vm *vm, unsigned count, const uint8_t (*btl)[2],
                           const uint8_t (*cdbs)[16], const unsigned *cdb_lens, uint8_t **bufs,
                           const uint32_t *lens, const bool *data_in, struct vw_stor_result *res);
/* COUNT one-sector writes of PATTERN from LBA handed to the miniport and
 * left in flight (not waited for): the crashed adapter's outstanding I/O
 * before vw_stor_dump. */
bool vw_stor_submit_writes(struct vm *vm, unsigned count, uint32_t lba, uint8_t pattern);
/* HwInterrupt at DIRQL under the interrupt lock; returns what it returned. */
bool vw_stor_interrupt(struct vm *vm);
/* The MSI routine for MESSAGE (granted by msi_messages); its result. */
bool vw_stor_msi(struct vm *vm, unsigned message);
/* Power down: outstanding requests run to completion, SRB_FUNCTION_FLUSH,
 * ScsiStopAdapter, ScsiSetBootConfig; up: ScsiSetRunningConfig,
 * ScsiRestartAdapter (the control types only when claimed). */
bool vw_stor_power(struct vm *vm, bool up);
/* StorPortPause state after the last call (for scenarios). */
bool vw_stor_paused(struct vm *vm);
/* Planted bugs of the class layer the emulation plays, for the twins of
 * the scenarios that check its answers: TrimEnabled inverted, the
 * alignment offset ignoring the lowest aligned LBA (property.c), a
 * SYNCHRONIZE CACHE sent for a flush while the write-cache buffer flushing
 * box is checked (cache.c). */
#define VW_STOR_PLANT_TRIM          0x1u
#define VW_STOR_PLANT_ALIGN         0x2u
#define VW_STOR_PLANT_FLUSH_CHECKED 0x4u
void vw_stor_plant_class_bug(struct vm *vm, unsigned bugs);
/* Planted emulation bug: StorPortResume/Ready start nothing held (only
 * the class layer's wait does), as before queue.c. */
void vw_stor_plant_no_resume_start(struct vm *vm);
/* PnP remove: stop the adapter and free what StorPort allocated for it. */
bool vw_stor_remove(struct vm *vm);
/* Surprise removal (IRP_MN_SURPRISE_REMOVAL; removal.c): the function is
 * gone (the scenario unplugged it first); SRB_FUNCTION_PNP
 * StorSurpriseRemoval goes to the LUN, then HwAdapterControl(
 * ScsiAdapterSurpriseRemoval) when claimed (after it any register access
 * fails the run); every request outstanding runs
 * to its end (time-out, HwResetBus, BUS_RESET from StorPort for what the
 * miniport left) and its result lands in RES (up to CAP, in StorPort's slot order;
 * *N how many).  From here on a miniport routine that touches the
 * function's registers more than VW_STOR_REMOVED_ACCESS_LIMIT times in one
 * call fails the run (a poll on a device that answers all ones); the
 * remove that follows (vw_stor_remove) sends no FLUSH. */
#define VW_STOR_REMOVED_ACCESS_LIMIT 64
/* Device models call this for every register access to a function of
 * theirs that was unplugged (DEVICE names it): the miniport's accesses are
 * counted against the limit once StorPort knows of the removal. */
void vw_stor_gone_access(struct vm *vm, const char *device);
bool vw_stor_surprise_remove(struct vm *vm, struct vw_stor_result *res, unsigned cap, unsigned *n);
/* PnP remove of the disk the class layer addresses (vw_stor_address):
 * IRP_MN_REMOVE_DEVICE to its PDO, which StorPort turns into
 * SRB_FUNCTION_PNP StorRemoveDevice for that LUN (RES: its answer).  The
 * adapter's own remove (vw_stor_remove) sends it first as well. */
bool vw_stor_remove_lun(struct vm *vm, struct vw_stor_result *res);
/* Device models call this for every register access to a function that
 * is present (DEVICE names it): while the adapter is stopped for power
 * (after ScsiStopAdapter, before ScsiSetRunningConfig/ScsiRestartAdapter)
 * an access from outside HwAdapterControl fails the run (stopped.c). */
void vw_stor_device_access(struct vm *vm, const char *device);
/* The crash-dump copy: second image, DriverEntry(NULL, NULL), FindAdapter
 * with "dump=1" at HIGH_LEVEL, one write and one read, polled through
 * HwInterrupt.  SECTOR is written with PATTERN and read back. */
bool vw_stor_dump(struct vm *vm, uint32_t sector, uint8_t pattern);
/* The machine restarts after vw_stor_dump: the crashed instance and the
 * dump copy dropped without a call, the miniport loaded afresh (initial
 * globals, DriverEntry again); start it again with vw_stor_start.  Each
 * dump or hibernation copy after it is a new image at its own base. */
bool vw_stor_reboot(struct vm *vm);
/* Hibernation and resume: the normal adapter powered down (as
 * vw_stor_power), the hibernation copy (second image, DumpMode
 * DUMP_MODE_HIBER, "dump=1", HIGH_LEVEL, polled) writes COUNT sectors from
 * SECTOR (sector i all PATTERN + i) and reads the first back, then the
 * normal adapter powered up again.  False if the run failed. */
bool vw_stor_hibernate(struct vm *vm, uint32_t sector, unsigned count, uint8_t pattern);
/* Words a test miniport's dump copy finds after "dump=1" in its
 * ArgumentString (its planted bugs); real crash-dump stacks add none. */
void vw_stor_dump_args(struct vm *vm, const char *args);
/* The dump and hibernation copies may ask for at most this much uncached
 * extension: "should not attempt to allocate more than 32 kilobytes"
 * (storage/restrictions-on-miniport-drivers-that-manage-the-boot-drive,
 * Memory usage); more fails the run. */
#define VW_STOR_DUMP_MEMORY_LIMIT (32u * 1024)
/* An SRB_EX of FUNCTION without a CDB (SRB_FUNCTION_FLUSH 0x08,
 * SHUTDOWN 0x07, RESET_DEVICE 0x16, RESET_LOGICAL_UNIT 0x20, ...), as the
 * port sends them to HwStartIo (storport/ns-storport-_scsi_request_block's
 * function table), waited for like a command.  The functions StorPort
 * never sends a miniport (ABORT_COMMAND 0x10, TERMINATE_IO 0x14,
 * RELEASE_RECOVERY 0x11, RECEIVE_EVENT 0x03: srb/ns-srb-_storage_request_block)
 * fail the run instead. */
bool vw_stor_srb(struct vm *vm, unsigned function, struct vw_stor_result *res);
/* SRB_FUNCTION_PNP with an SRBEX_DATA_PNP block (srb/ns-srb-_srbex_data_pnp):
 * ACTION a STOR_PNP_ACTION (StorRemoveDevice 0x02, StorStopDevice 0x04,
 * StorQueryCapabilities 0x09, StorSurpriseRemoval 0x17 ...); ADAPTER sets
 * SRB_PNP_FLAGS_ADAPTER_REQUEST, else it is for the LUN addressed. */
bool vw_stor_pnp_srb(struct vm *vm, unsigned action, bool adapter, struct vw_stor_result *res);
/* What the miniport answered to StorQueryCapabilities
 * (storport/ns-storport-_stor_device_capabilities_ex). */
struct vw_stor_caps {
    bool answered; /* SRB_STATUS_SUCCESS */
    bool removable, surprise_removal_ok, unique_id, silent_install, raw_device_ok;
    bool default_write_cache;
    uint32_t address, ui_number;
};
/* IRP_MN_QUERY_CAPABILITIES to the disk's PDO as StorPort passes it on:
 * SRB_FUNCTION_PNP StorQueryCapabilities for the addressed LUN with a
 * STOR_DEVICE_CAPABILITIES_EX at DataBuffer (Version 1, Size 24).  A
 * miniport that sets DeviceD1, DeviceD2 or NoDisplayInUI ("miniport
 * drivers set this bit to 0" / "do not set this bit"), a reserved bit, or
 * changes Version or Size fails the run. */
bool vw_stor_query_capabilities(struct vm *vm, struct vw_stor_caps *out,
                                struct vw_stor_result *res);
/* SRB_FUNCTION_POWER with an SRBEX_DATA_POWER block: DSTATE a
 * STOR_DEVICE_POWER_STATE (D0 1 .. D3 4), ACTION a STOR_POWER_ACTION. */
bool vw_stor_power_srb(struct vm *vm, unsigned dstate, unsigned action, bool adapter,
                       struct vw_stor_result *res);
/* SRB_FUNCTION_IO_CONTROL: an SRB_IO_CONTROL header (SIGNATURE, up to 8
 * bytes; CODE) and *LEN of PAYLOAD's CAP bytes after it, as
 * IOCTL_SCSI_MINIPORT sends it.  The header's Length and ReturnCode come
 * back in *LEN and *RETURN_CODE, the payload in PAYLOAD; a Length past
 * CAP or a changed HeaderLength fails the run. */
bool vw_stor_ioctl_srb(struct vm *vm, const char *signature, uint32_t code, uint8_t *payload,
                       uint32_t *len, uint32_t cap, uint32_t *return_code,
                       struct vw_stor_result *res);
/* As vw_stor_scsi, sent again as disk.sys does (bus reset, time-out,
 * BUSY, UNIT ATTENTION, ABORTED COMMAND) up to RETRIES more times; RES is
 * the last answer, *TRIES how many were sent. */
bool vw_stor_scsi_retry(struct vm *vm, const uint8_t *cdb, unsigned cdb_len, void *buf,
                        uint32_t len, bool data_in, unsigned retries, struct vw_stor_result *res,
                        unsigned *tries);
/* The sense buffer the class layer gives the next requests: LEN bytes
 * (1..255; 0: none, SenseInfoBuffer NULL).  Default 32. */
void vw_stor_sense_buffer(struct vm *vm, unsigned len);
/* The BTL8 address (path 0) of the class layer's next requests: TARGET
 * and LUN as disk.sys's PDO for that unit would send them.  Default 0:0. */
void vw_stor_address(struct vm *vm, uint8_t target, uint8_t lun);
/* A value under the miniport's service key, as StorPortRegistryRead
 * finds it: GLOBAL, Parameters\Device (every adapter); else
 * Parameters\Device0 (this adapter, port number 0).  TYPE: REG_DWORD (4),
 * REG_BINARY (3), REG_SZ (1, DATA in UTF-16 as the registry holds it).
 * Set before vw_stor_start; kept across restarts. */
void vw_stor_registry_set(struct vm *vm, bool global, const char *name, uint32_t type,
                          const void *data, uint32_t len);
/* The value as it is now (after StorPortRegistryWrite too): false when
 * missing or longer than *LEN; else its TYPE, bytes and *LEN. */
bool vw_stor_registry_get(struct vm *vm, bool global, const char *name, uint32_t *type, void *data,
                          uint32_t *len);
/* The caching mode page as disk.sys reads it (cache.c). */
struct vw_stor_cache {
    bool found;           /* MODE SENSE answered with a caching page */
    bool write_protected; /* WP in the header's device-specific byte */
    bool savable, wce, rcd;
    uint8_t page[20];
};
/* IOCTL_DISK_GET_CACHE_INFORMATION's MODE SENSE(6) of the caching page:
 * OUT says what it found (found false when refused: RES says how). */
bool vw_stor_cache_get(struct vm *vm, struct vw_stor_cache *out, struct vw_stor_result *res);
/* IOCTL_DISK_SET_CACHE_INFORMATION: that MODE SENSE, then MODE SELECT(6)
 * (PF, SP from the page's PS; a block descriptor of BLOCK_SIZE) of the
 * page with WCE set to WCE; RES is the MODE SELECT's answer. */
bool vw_stor_cache_set(struct vm *vm, bool wce, uint32_t block_size, struct vw_stor_result *res);
/* The Policies tab's "Turn off Windows write-cache buffer flushing on the
 * device" (cache.c): ON, disk.sys sends no SYNCHRONIZE CACHE for
 * IRP_MJ_FLUSH_BUFFERS and no FUA on write-through writes. */
void vw_stor_cache_power_protected(struct vm *vm, bool on);
/* IRP_MJ_FLUSH_BUFFERS to the disk: SYNCHRONIZE CACHE(10) unless power
 * protected (*SENT says whether it went to the miniport; RES its answer). */
bool vw_stor_flush_buffers(struct vm *vm, bool *sent, struct vw_stor_result *res);
/* A write-through write (SL_WRITE_THROUGH) of BLOCKS at LBA from BUF (LEN
 * bytes): MODE SENSE of the caching page, then WRITE(16) with FUA when the
 * write cache is on and not power protected (*FUA says which). */
bool vw_stor_write_through(struct vm *vm, uint64_t lba, uint32_t blocks, void *buf, uint32_t len,
                           bool *fua, struct vw_stor_result *res);
/* The bus scan StorPort runs at every vw_stor_start, before the scenario
 * sends anything (scan.c): REPORT LUNS to LUN 0 of each target below the
 * MaximumNumberOfTargets HwFindAdapter left, INQUIRY to each LUN listed
 * below MaximumNumberOfLogicalUnits (LUNs 0-7 when REPORT LUNS is refused
 * and LUN 0 answers; a selection time-out: no target).  FOUND lists the
 * LUNs whose INQUIRY answered with peripheral qualifier 0, in scan order. */
#define VW_STOR_SCAN_MAX 64
struct vw_stor_lun {
    uint8_t target, lun, device_type;
};
struct vw_stor_scan {
    bool ran;
    unsigned targets, max_luns;      /* what HwFindAdapter set */
    unsigned report_luns, inquiries; /* commands of each kind sent */
    unsigned commands;               /* all the scan sent (counted in vw_stor_stats.completed) */
    unsigned nfound;
    struct vw_stor_lun found[VW_STOR_SCAN_MAX];
};
/* What the last start's scan did and found. */
void vw_stor_scan(struct vm *vm, struct vw_stor_scan *out);
/* Planted emulation bug for the scan's twin: every INQUIRY of the scan
 * finds a LUN, whatever the miniport answered. */
void vw_stor_plant_scan_any_answer(struct vm *vm);
/* What a bus rescan found (vw_stor_rescan). */
struct vw_stor_rescan {
    bool ran;         /* a BusChangeDetected was pending */
    bool report_luns; /* REPORT LUNS answered (else LUN 0 assumed) */
    bool underrun;    /* its answer was shorter than the allocation (DATA_OVERRUN) */
    unsigned luns;    /* LUNs reported */
    bool inquiry_ok;
    uint8_t device_type; /* INQUIRY peripheral device type of LUN 0 */
    uint64_t blocks;     /* READ CAPACITY of LUN 0 (a disk), or 0 */
    uint32_t block_size;
};
/* When the miniport notified BusChangeDetected since the last call, the
 * rescan StorPort and disk.sys run (rescan.c): REPORT LUNS, INQUIRY,
 * READ CAPACITY; OUT says what they found.  False if the run failed. */
bool vw_stor_rescan(struct vm *vm, struct vw_stor_rescan *out);
/* What StorPort did for a StorPortStateChangeDetected (statechange.c). */
struct vw_stor_state_change {
    bool ran;                    /* a notification was pending */
    unsigned entity;             /* its ChangedEntity (STATE_CHANGE_LUN 1, _TARGET 2, _BUS 4) */
    uint8_t target, lun;         /* its BTL8 address */
    struct vw_stor_rescan found; /* the re-enumeration of that entity */
    bool callback_ran;           /* HwStateChange was called */
};
/* When the miniport notified a state change, StorPort re-enumerates the
 * entity (REPORT LUNS from its target's LUN 0, INQUIRY and READ CAPACITY
 * at the LUN; the bus: target 0) at PASSIVE_LEVEL, then calls HwStateChange
 * at DISPATCH_LEVEL under the StartIo lock.  False if the run failed. */
bool vw_stor_state_change(struct vm *vm, struct vw_stor_state_change *out);
/* IOCTL_STORAGE_QUERY_PROPERTY to the disk the class layer addresses
 * (property.c): PROPERTY a STORAGE_PROPERTY_ID and QUERY_TYPE a
 * STORAGE_QUERY_TYPE (vw_storage.h); the descriptor, built as StorPort and
 * the class layer build it from the miniport's SCSI answers, lands in OUT
 * (CAP bytes; *RETURNED how many).  Returns the NTSTATUS. */
uint32_t vw_stor_query_property(struct vm *vm, unsigned property, unsigned query_type, void *out,
                                uint32_t cap, uint32_t *returned);
/* Counters for scenarios. */
struct vw_stor_stats {
    unsigned resets, completed, max_outstanding, max_io, lun_depth, busy_retries;
    unsigned dpcs_run /* queued */, control_stop, control_restart, pauses, max_started_paused;
    unsigned device_interrupts;      /* ISR calls for interrupts a device raised */
    unsigned interrupts_masked;      /* raised while stopped: not given to the miniport */
    unsigned timer_calls;            /* HwTimer calls */
    unsigned dpc_cpus;               /* bit n: a StorPort DPC was queued on (runs on) CPU n < 32 */
    unsigned startio_cpus;           /* bit n: HwStartIo ran on CPU n < 32 */
    unsigned max_concurrent_startio; /* HwStartIo calls running at once, at most */
    unsigned perf_flags;             /* what StorPortInitializePerfOpts applied */
    unsigned bus_changes;            /* StorPortNotification(BusChangeDetected) calls */
    unsigned state_changes;          /* StorPortStateChangeDetected calls accepted */
    unsigned pause_timeouts;         /* StorPortPause whose Timeout ran out (queue.c) */
    unsigned busy_failed;            /* requests BUSY for a whole TimeOutValue: given up */
    unsigned state_changes_busy;     /* refused STOR_STATUS_BUSY (one was pending) */
    unsigned state_changes_refused;  /* refused STOR_STATUS_INVALID_PARAMETER */
    unsigned registry_reads;         /* StorPortRegistryRead calls that returned TRUE */
    unsigned registry_refused;       /* registry calls refused to the dump copy */
    unsigned breaks;                 /* NumberOfPhysicalBreaks HwFindAdapter set */
    unsigned max_transfer;           /* MaximumTransferLength HwFindAdapter set */
    unsigned buses;                  /* NumberOfBuses HwFindAdapter set (paths StorPort scans) */
    unsigned control_boot_config;    /* HwAdapterControl(ScsiSetBootConfig) calls */
    unsigned control_running_config; /* HwAdapterControl(ScsiSetRunningConfig) calls */
    unsigned stop_flushes;           /* SRB_FUNCTION_FLUSH sent before a stop */
    unsigned drained_at_stop;        /* requests a stop waited for */
    unsigned removed_accesses;       /* register accesses from ScsiAdapterSurpriseRemoval on */
    unsigned gone_accesses;          /* register accesses to the function once it is gone */
    unsigned removed_outstanding;    /* requests at the miniport when it was removed */
    unsigned control_surprise;       /* HwAdapterControl(ScsiAdapterSurpriseRemoval) calls */
    unsigned stopped_accesses;       /* register accesses while stopped (each fails the run) */
    unsigned pnp_srbs;               /* SRB_FUNCTION_PNP StorPort sent at a removal or start */
    unsigned hibernations;           /* vw_stor_hibernate round trips */
    unsigned dump_uncached;          /* bytes of uncached extension the dump copy got */
    /* Time-outs and the tiers of their escalation (reset.c): LUN reset
     * SRBs and target reset SRBs StorPort sent (`resets` counts
     * HwResetBus calls, the last tier), and which tier ended the last
     * time-out (VW_STOR_TIER_*, 0 none yet). */
    unsigned timeouts, lun_resets, target_resets, last_tier;
    /* The longest busy-wait of one call at DISPATCH_LEVEL or above
     * (StorPortStallExecution summed) and the routine (stall.c). */
    unsigned long_stall_us;
    const char *long_stall_routine;
    /* Virtual time (100 ns units) from HwStartIo to RequestComplete: how
     * many requests, their sum and the longest (latency.c); with
     * vw_stor_completion_bound, the requests found as the device made them
     * used (and those not found: never at the device) and the longest time
     * from that to RequestComplete. */
    uint64_t latency_count, latency_sum, latency_max;
    uint64_t published_matched, published_unmatched, published_max;
};
#define VW_STOR_TIER_LUN    1
#define VW_STOR_TIER_TARGET 2
#define VW_STOR_TIER_BUS    3
void vw_stor_stats(struct vm *vm, struct vw_stor_stats *out);
/* From now on every request with data that MODEL's device makes used is
 * completed to StorPort (RequestComplete) within BOUND_US of virtual time
 * of the moment its used entry became visible, or the run fails naming it
 * and WHY (what the bound is made of); the requests are found by their
 * data buffer (latency.c). */
/* The longest of those times forgotten: a measurement window starts. */
void vw_stor_latency_restart(struct vm *vm);
struct vmodel;
void vw_stor_completion_bound(struct vm *vm, struct vmodel *model, unsigned bound_us,
                              const char *why);
/* Planted emulation bug for the queue-depth checker: the gate lets
 * everything through (the independent count must catch it). */
void vw_stor_plant_no_gate(struct vm *vm);
/* The stall rule (stall.c): one call of a routine (ROUTINE as failures
 * name it: "HwInitialize", "HwAdapterControl", "HwDpcRoutine"...) may
 * busy-wait US at DISPATCH_LEVEL or above instead of 1 ms; only for a
 * driver's known wait, until its fix (named in FINDINGS.md). */
void vw_stor_stall_allow(struct vm *vm, const char *routine, unsigned us);
/* Planted emulation bug: HwTimer runs only while the class layer waits
 * (not when time runs in vw_run_for), as before hwtimer.c. */
void vw_stor_plant_timer_waits_only(struct vm *vm);
/* Planted emulation bug: RequestTimerCall's HwTimer is due TIMES as late
 * as asked (the completion bound's twin for a miniport that drains held
 * completions from HwTimer). */
void vw_stor_plant_timer_late(struct vm *vm, unsigned times);
/* Planted emulation bug for the StartIo checker: HwStartIo without the
 * StartIo lock though the miniport never asked for concurrent channels. */
void vw_stor_plant_startio_unlocked(struct vm *vm);

/* The CPU the class layer issues each request from (its submission runs
 * there, at DISPATCH_LEVEL, racing what the other CPUs run): CPU >= 0,
 * VW_STOR_CPU_SPREAD (request i from CPU i mod CPUS) or
 * VW_STOR_CPU_SEEDED (chosen by the run's seed; spread when unseeded).
 * Default CPU 0. */
#define VW_STOR_CPU_SPREAD (-1)
#define VW_STOR_CPU_SEEDED (-2)
void vw_stor_submit_from(struct vm *vm, int cpu);

/* The adapter runs on PCI function PDO (any device model with a
 * configuration space: dev_virtio, dev_vhost, stordisk.h): call before
 * vw_stor_start.  HwFindAdapter then gets its BARs as access ranges, the
 * function's interrupt is connected to HwInterrupt or the MSI routine
 * (delivered on the CPU each message targets), StorPortGetBusData reads
 * its configuration space and StorPortGetDeviceBase maps its ranges. */
void vw_stor_attach_pci(struct vm *vm, gva_t pdo);
/* A device's claim on guest memory: true when it still owns part of
 * [PA, PA+LEN) (a descriptor it has not completed points there), WHAT
 * naming the claim.  Registered by device models; StorPort asks at every
 * RequestComplete about the SRB, its extension, data and SG list. */
typedef bool vw_stor_owner_fn(struct vm *vm, void *dev, uint64_t pa, uint64_t len, char *what,
                              size_t n);
void vw_stor_add_owner_check(struct vm *vm, vw_stor_owner_fn *fn, void *dev);
