/*
 * Shared set-up of the vioscsi scenarios: a virtio-scsi PCI function
 * (devices/dev_scsi) whose model forwards every CDB to a SCSI target:
 * the in-process target (tests/models/scsi/mem_target, virtual time,
 * seeded faults) or tgt through libiscsi (one tgtd per harness run,
 * tgt_shared.c, with targets of the scenario's own; answers awaited in
 * real time); vioscsi loaded and started on it through
 * the StorPort emulation, SCSI commands through its class layer addressed
 * to a target and LUN (vw_stor_address), and what reached the disks
 * checked outside the driver.
 */
#pragma once
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../../../common/virtio/virtio_spec.h"
#include "dev_scsi.h"
#include "iscsi_target.h"
#include "kernel.h"
#include "mem_target.h"
#include "port/storport/stor.h"
#include "port/storport/stor_scenario.h"
#include "scenario.h"
#include "tgt_fixture.h"

#define SC_SECOND 10000000ull

#define SC_F_VIRTIO_DEFAULT                                                                        \
    (1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC | 1ull << VIRTIO_F_EVENT_IDX)
#define SC_BLOCK 512u

struct sc_opts {
    uint64_t features; /* virtio bits; 0: SC_F_VIRTIO_DEFAULT */
    enum vmodel_transport transport;
    bool line;
    uint16_t msix_vectors, queue_max;
    uint32_t seed;
    struct vmodel_scsi_config sc; /* from vmodel_scsi_default_config, then changed */
    uint16_t targets;             /* in-process target: targets x luns of blocks */
    uint32_t luns;
    uint64_t blocks;
    unsigned timeout_s;
    uint32_t reset_delay;  /* in-process target: a device slow to reset once started: it reads
                              device_status non-zero that many times after each write of 0
                              (vmodel reset_delay; ~0u: never) */
    bool own_tgtd;         /* tgt: a tgtd of the run's own (one it may stop), not the shared */
    bool tmf_answer_first; /* in-process target: a TMF's answer used before the entries of
                              the commands it ended, those kept 1 ms after it
                              (vmodel_scsi_set_tmf_answer_first) */
    struct vmodel_scsi_planted plant; /* device faults for a scenario's planted twin (none) */
};

struct sc_host {
    struct vw_scsi *scsi;
    struct mem_target *mem;  /* the in-process target, or NULL */
    struct tgt_fixture tgt;  /* tgt (borrowed from sc_tgt_shared), when tgt_up */
    struct iscsi_target *it; /* tgt: the back end (targets added or removed at run time) */
    int tid0;                /* tgt's TID of target 0; target t is tid0 + t */
    bool tgt_up, started;
};

/* The runner's tgtd (tgt_shared.c); pid 0 and .err when it could not start */
extern struct tgt_fixture sc_tgt_shared;

static inline void sc_defaults(struct sc_opts *o)
{
    memset(o, 0, sizeof(*o));
    vmodel_scsi_default_config(&o->sc);
    /* 8 targets (QEMU offers 255): StorPort's bus scan at every start sends
     * REPORT LUNS to each target the driver allows (port/storport/scan.c),
     * 255 of them cost ~90 ms of CPU a run; scan.c's scenario keeps 255 */
    o->sc.max_target = 7;
    o->targets = 2;
    o->luns = 2;
    o->blocks = 4096;
}

/* The adapter on the function S: vioscsi loaded and started. */
static inline bool sc_boot(struct vm *vm, struct sc_host *h, const struct sc_opts *o)
{
    vw_stor_attach_pci(vm, h->scsi->dev->pdo);
    struct vw_stor_config stc = {.timeout_s = o->timeout_s ? o->timeout_s : 10};
    if (!vw_driver_load(vm, "vioscsi") || !vw_stor_start(vm, &stc))
        return false;
    h->started = true;
    return true;
}

static inline struct vw_scsi_config sc_function(const struct sc_opts *o)
{
    return (struct vw_scsi_config){.transport = o->transport,
                                   .features = o->features ? o->features : SC_F_VIRTIO_DEFAULT,
                                   .scsi = o->sc,
                                   .queue_max = o->queue_max,
                                   .line = o->line,
                                   .msix_vectors = o->msix_vectors,
                                   .seed = o->seed ? o->seed : 0x5c51};
}

/* The in-process target of O (NULL: the run failed, logged); a scenario
 * may change its LUNs or faults before sc_start_mem_on. */
static inline struct mem_target *sc_mem_target(struct vm *vm, const struct sc_opts *o)
{
    struct mem_target *mem = mem_target_create(o->targets, o->luns, o->blocks);
    if (mem == NULL)
        vw_fail(vm, "cannot create the in-process SCSI target");
    return mem;
}

/* The in-process target MEM (sc_mem_target) behind the function, vioscsi
 * started on it; MEM is the host's from then on. */
static inline bool sc_start_mem_on(struct vm *vm, struct sc_host *h, const struct sc_opts *o,
                                   struct mem_target *mem)
{
    memset(h, 0, sizeof(*h));
    h->mem = mem;
    if (h->mem == NULL)
        return false;
    struct vw_scsi_config c = sc_function(o);
    h->scsi = vw_scsi_create(vm, &c, mem_target_base(h->mem), false);
    if (h->scsi != NULL) {
        vmodel_scsi_set_tmf_answer_first(h->scsi->model, o->tmf_answer_first, SC_SECOND / 1000);
        vmodel_scsi_plant(h->scsi->model, &o->plant);
    }
    if (h->scsi == NULL || !sc_boot(vm, h, o))
        return false;
    if (o->reset_delay != 0)
        vmodel_set_behaviour(h->scsi->dev->model,
                             &(struct vmodel_behaviour){.reset_delay = o->reset_delay});
    return true;
}

/* The in-process target behind the function, vioscsi started on it. */
static inline bool sc_start_mem(struct vm *vm, struct sc_host *h, const struct sc_opts *o)
{
    return sc_start_mem_on(vm, h, o, sc_mem_target(vm, o));
}

/* The defaults on the in-process target with a 2 s SRB time-out, so that
 * a scenario on a lost or held command reaches StorPort's resets soon. */
static inline bool sc_start_mem_2s(struct vm *vm, struct sc_host *h)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.timeout_s = 2;
    return sc_start_mem(vm, h, &o);
}

#define SC_TGT_LUN_BYTES (4u << 20)

/* Name of the backing file of tgt's TARGET (0-based) LUN (1-based, LUN 0 is
 * tgt's controller), in tgt's directory. */
static inline void sc_tgt_name(unsigned target, unsigned lun, char name[32])
{
    snprintf(name, 32, "t%ul%u.img", target, lun);
}

/* Path of that backing file. */
static inline void sc_tgt_file(const struct sc_host *h, unsigned target, unsigned lun, char *out,
                               size_t len)
{
    char name[32];
    sc_tgt_name(target, lun, name);
    tgt_path(&h->tgt, name, out, len);
}

/* tgt's TID of the scenario's target T */
static inline int sc_tgt_tid(const struct sc_host *h, unsigned t)
{
    return h->tid0 + (int)t;
}

/* Target T of the scenario on the shared tgtd: TID and IQN of this run's
 * own (from the PID: runs at once never share one), a TID a crashed run
 * left behind deleted first. */
static inline bool sc_tgt_target(struct vm *vm, struct sc_host *h, unsigned t, char *iqn,
                                 size_t len)
{
    snprintf(iqn, len, "iqn.2026-12.org.virtio-win.vioscsi:p%dt%u", (int)getpid(), t);
    if (tgt_add_target(&h->tgt, sc_tgt_tid(h, t), iqn) != 0 &&
        (tgt_del_target(&h->tgt, sc_tgt_tid(h, t)) != 0 ||
         tgt_add_target(&h->tgt, sc_tgt_tid(h, t), iqn) != 0)) {
        vw_fail(vm, "tgt: %s", h->tgt.err);
        return false;
    }
    return true;
}

/* O->targets targets of O->luns thin file-backed disks each (LUNs
 * 1..luns) on the runner's tgtd, behind the function through libiscsi,
 * vioscsi started on it.  A tgtd that could not start fails the run. */
static inline bool sc_start_tgt(struct vm *vm, struct sc_host *h, const struct sc_opts *o)
{
    memset(h, 0, sizeof(*h));
    char dir[256], iqn[8][64];
    const char *iqns[8];
    snprintf(dir, sizeof(dir), "%s/p%d", sc_tgt_shared.dir, (int)getpid());
    if (o->targets > 8 ||
        (o->own_tgtd ? tgt_start(&h->tgt, dir) : tgt_borrow(&sc_tgt_shared, &h->tgt, dir)) != 0) {
        vw_fail(vm, "tgt: %s", o->targets > 8 ? "more than 8 targets" : h->tgt.err);
        return false;
    }
    h->tgt_up = true;
    h->tid0 = (int)getpid() * 8 + 1;
    for (unsigned t = 0; t < o->targets; t++) {
        iqns[t] = iqn[t];
        if (!sc_tgt_target(vm, h, t, iqn[t], sizeof(iqn[t])))
            return false;
        for (unsigned l = 1; l <= o->luns; l++) {
            char name[32];
            sc_tgt_name(t, l, name);
            if (tgt_add_lun(&h->tgt, sc_tgt_tid(h, t), (int)l, name, SC_TGT_LUN_BYTES, 1) != 0) {
                vw_fail(vm, "tgt: %s", h->tgt.err);
                return false;
            }
        }
    }
    char err[256];
    struct iscsi_target *it = iscsi_target_open(h->tgt.portal, iqns, o->targets, err, sizeof(err));
    if (it == NULL) {
        vw_fail(vm, "libiscsi: %s", err);
        return false;
    }
    struct vw_scsi_config c = sc_function(o);
    h->it = it;
    h->scsi = vw_scsi_create(vm, &c, iscsi_target_base(it), true);
    if (h->scsi != NULL)
        vmodel_scsi_plant(h->scsi->model, &o->plant);
    return h->scsi != NULL && sc_boot(vm, h, o);
}

/* tgt helpers (tgt_shared.c): wait for WANT completions since BEFORE with
 * TEST UNIT READYs at T:L (counted in *EXTRA); blocks of T:L's backing
 * file all PATTERN; T:L ready, then a block written and read back */
void sc_tgt_drain(struct vm *vm, unsigned before, unsigned want, uint8_t t, uint8_t l,
                  unsigned *extra);
bool sc_tgt_file_holds(struct sc_host *h, unsigned t, unsigned l, uint32_t lba, unsigned count,
                       uint8_t pattern);
void sc_round_trip(struct vm *vm, uint8_t t, uint8_t l, uint64_t lba, unsigned gen,
                   const char *what);

/* Remove the adapter, unload with the leak checks, end the back end. */
static inline void sc_finish(struct vm *vm, struct sc_host *h)
{
    if (h->started && !vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
    vw_scsi_close(h->scsi);
    if (h->tgt_up)
        tgt_stop(&h->tgt);
}

/* One command to TARGET:LUN; its result in R. */
static inline bool sc_scsi(struct vm *vm, uint8_t target, uint8_t lun, const uint8_t *cdb,
                           unsigned n, void *buf, uint32_t len, bool in, struct vw_stor_result *r)
{
    vw_stor_address(vm, target, lun);
    return vw_stor_scsi(vm, cdb, n, buf, len, in, r) && !vm->failed;
}

/* One command that must succeed with GOOD status (sent again as disk.sys
 * does after a unit attention, BUSY or reset, up to 3 times): SUCCESS with all LEN
 * bytes moved, or DATA_OVERRUN with fewer (StorPort's underrun:
 * srb/ns-srb-_scsi_request_block, "SRB_STATUS_DATA_OVERRUN ... overrun or
 * underrun", DataTransferLength the bytes moved).  Bytes moved in *MOVED. */
static inline bool sc_ok_moved(struct vm *vm, uint8_t target, uint8_t lun, const uint8_t *cdb,
                               unsigned n, void *buf, uint32_t len, bool in, const char *what,
                               uint32_t *moved)
{
    struct vw_stor_result r;
    unsigned tries;
    vw_stor_address(vm, target, lun);
    if (!vw_stor_scsi_retry(vm, cdb, n, buf, len, in, 3, &r, &tries) || vm->failed)
        return false;
    uint8_t st = r.srb_status & SRB_STATUS_MASK;
    VW_EXPECT(vm,
              r.scsi_status == 0 && ((st == SRB_STATUS_SUCCESS && r.transferred == len) ||
                                     (st == SRB_STATUS_DATA_OVERRUN && r.transferred < len)),
              "%s at %u:%u: SRB status 0x%02x, SCSI status 0x%02x, %u of %u bytes", what, target,
              lun, r.srb_status, r.scsi_status, r.transferred, len);
    if (moved != NULL)
        *moved = r.transferred;
    return !vm->failed;
}

static inline bool sc_ok(struct vm *vm, uint8_t target, uint8_t lun, const uint8_t *cdb, unsigned n,
                         void *buf, uint32_t len, bool in, const char *what)
{
    return sc_ok_moved(vm, target, lun, cdb, n, buf, len, in, what, NULL);
}

/* READ(16) / WRITE(16) of BLOCKS blocks at LBA. */
static inline void sc_rw16(uint8_t *cdb, bool write, uint64_t lba, uint32_t blocks)
{
    memset(cdb, 0, 16);
    cdb[0] = write ? 0x8a : 0x88;
    stor_put_be(cdb + 2, lba, 8);
    stor_put_be(cdb + 10, blocks, 4);
}

/* Checksummed contents of block LBA of LUN (target T), version GEN. */
static inline void sc_fill(uint8_t *buf, uint32_t size, unsigned t, unsigned lun, uint64_t lba,
                           unsigned gen)
{
    uint32_t x = (uint32_t)(lba * 2654435761u) ^ (gen * 40503u) ^ (t * 7919u + lun * 104729u);
    for (uint32_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

/* StorPort's counts so far (vw_stor_stats); the four below read one each */
static inline struct vw_stor_stats sc_stats(struct vm *vm)
{
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    return st;
}

/* Requests StorPort has seen completed so far. */
static inline unsigned sc_completed(struct vm *vm)
{
    return sc_stats(vm).completed;
}

/* StorPort's bus resets (HwResetBus calls) so far. */
static inline unsigned sc_bus_resets(struct vm *vm)
{
    return sc_stats(vm).resets;
}

/* Bus changes StorPort was told of so far (BusChangeDetected). */
static inline unsigned sc_bus_changes(struct vm *vm)
{
    return sc_stats(vm).bus_changes;
}

/* StorPortStateChangeDetected calls StorPort accepted so far. */
static inline unsigned sc_state_changes(struct vm *vm)
{
    return sc_stats(vm).state_changes;
}

/* Let the device deliver what it raised and the driver take it. */
static inline void sc_deliver(struct vm *vm)
{
    for (int i = 0; i < 4; i++)
        vw_sched_settle(vm);
}

/* What a scenario on held writes counts from */
struct sc_before {
    uint32_t resets;     /* device resets */
    unsigned completed;  /* requests StorPort has seen completed */
    unsigned bus_resets; /* HwResetBus calls */
};

/* The start of a scenario on writes the device holds: vioscsi on the
 * in-process target (O), then 4 one-block writes to 0:0 at LBA..LBA+3
 * (pattern STAMP) the device keeps: lost by the target (FAULTS), or with
 * HANG done by the target and kept on the request queues for HANG of
 * virtual time; none may have completed.  The counts from before them in
 * *B.  False when the scenario cannot go on. */
static inline bool sc_held_writes(struct vm *vm, struct sc_host *h, const struct sc_opts *o,
                                  const struct mem_target_faults *faults, uint64_t hang,
                                  uint32_t lba, uint8_t stamp, struct sc_before *b)
{
    if (!sc_start_mem(vm, h, o))
        return false;
    b->resets = vmodel_reset_count(h->scsi->dev->model);
    b->completed = sc_completed(vm);
    b->bus_resets = sc_bus_resets(vm);
    if (faults != NULL)
        mem_target_set_faults(h->mem, faults);
    for (uint16_t q = VMODEL_SCSI_REQUESTQ; hang != 0 && q < h->scsi->dev->cfg.queues; q++)
        vw_virtio_hang_queue(h->scsi->dev, q, hang);
    vw_stor_address(vm, 0, 0);
    if (!vw_stor_submit_writes(vm, 4, lba, stamp))
        return false;
    if (hang != 0)
        vw_run_for(vm, SC_SECOND / 1000);
    VW_EXPECT(vm, sc_completed(vm) == b->completed, "%u held writes completed before any reset",
              sc_completed(vm) - b->completed);
    return !vm->failed;
}

/* A READ of LBA 3 at 0:0 whose response the in-process target loses
 * (TMF_NEVER: its reset TMFs are never answered either; TMF_REJECT: they
 * are refused, so StorPort's LUN and target reset SRBs fail and it goes on
 * to HwResetBus), waited for through StorPort's time-out and its reset
 * tiers; its answer in R, the virtual time it took in *TOOK; the target's
 * faults cleared after.  False if the run failed. */
static inline bool sc_lost_read(struct vm *vm, struct sc_host *h, bool tmf_never, bool tmf_reject,
                                struct vw_stor_result *r, uint64_t *took)
{
    uint8_t cdb[16], buf[SC_BLOCK];
    mem_target_set_faults(h->mem, &(struct mem_target_faults){.lose_every = 1,
                                                              .tmf_never = tmf_never,
                                                              .tmf_reject = tmf_reject});
    uint64_t t0 = vm->k->interrupt_time;
    sc_rw16(cdb, false, 3, 1);
    bool ok = sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, true, r);
    *took = vm->k->interrupt_time - t0;
    mem_target_set_faults(h->mem, &(struct mem_target_faults){0});
    return ok;
}

/* One-block write (pattern STAMP) and read back at 0:0 after WHAT, checked
 * in the in-process target's memory. */
static inline void sc_works(struct vm *vm, struct sc_host *h, uint64_t lba, unsigned stamp,
                            const char *what)
{
    uint8_t out[SC_BLOCK], in[SC_BLOCK], cdb[16];
    uint64_t blocks;
    char msg[64];
    sc_fill(out, SC_BLOCK, 0, 0, lba, stamp);
    sc_rw16(cdb, true, lba, 1);
    snprintf(msg, sizeof(msg), "WRITE(16) after %s", what);
    if (!sc_ok(vm, 0, 0, cdb, 16, out, SC_BLOCK, false, msg))
        return;
    sc_rw16(cdb, false, lba, 1);
    snprintf(msg, sizeof(msg), "READ(16) after %s", what);
    if (!sc_ok(vm, 0, 0, cdb, 16, in, SC_BLOCK, true, msg))
        return;
    uint8_t *disk = mem_target_disk(h->mem, 0, 0, &blocks);
    VW_EXPECT(vm,
              memcmp(in, out, SC_BLOCK) == 0 && memcmp(disk + lba * SC_BLOCK, out, SC_BLOCK) == 0,
              "LBA %llu after %s: read back or the disk differs", (unsigned long long)lba, what);
}
