/*
 * viostor on a vhost-user-blk function served by qemu-storage-daemon, under
 * the StorPort emulation (issue 14, "Tests"): 1 and 4 queues, split rings
 * (qemu-storage-daemon 7.2 offers no VIRTIO_F_RING_PACKED: packed runs
 * against the in-process model only), a raw file and a qcow2 image.
 * Checksummed random writes of 4..64 KiB at queue depth 1, 32 and 256,
 * flushes, 32 writes the daemon finds at once (stopped 1 s while they
 * are handed over: at least 32 in its hands together), a time-out reset
 * with writes outstanding (the daemon held by SIGSTOP), then every
 * acknowledged write is compared with the image as
 * read outside the daemon after it stopped; UNMAP (DISCARD) and WRITE
 * SAME(16) (WRITE_ZEROES) reach the image with their exact ranges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kernel.h"
#include "port/storport/stor.h"
#include "qsd.h"
#include "scenario.h"
#include "vw_ntstatus.h"
#include "vw_storage.h"

#define SRB_SUCCESS   0x01
#define SRB_BUS_RESET 0x0e
#define MAX_WRITES    (QSD_SLOTS - 16) /* the last 16 slots: discard and zeroes */
#define MAX_BATCH     256

struct qsd_write {
    uint32_t lba, blocks, id;
    bool acked;
};

struct qsd_run {
    struct vm *vm;
    enum qsd_format format;
    uint64_t rng;
    uint16_t slot[QSD_SLOTS]; /* a random order of the slots */
    unsigned used;            /* slots handed out */
    struct qsd_write w[MAX_WRITES];
    unsigned nw;
};

/* Milliseconds of real time (the phases' cost in the log). */
static uint64_t real_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

/* Sector LBA of write ID: its LBA, the write, a checksum of the rest and
 * bytes drawn from both, so a sector from another write or place differs. */
static void fill_sector(uint8_t *p, uint32_t lba, uint32_t id)
{
    uint64_t s = ((uint64_t)id << 32 | lba) * 0x9e3779b97f4a7c15ull + 1;
    for (unsigned i = 16; i < QSD_SECTOR; i += 8) {
        uint64_t v = next_rand(&s);
        memcpy(p + i, &v, 8);
    }
    uint32_t sum = 2166136261u;
    for (unsigned i = 16; i < QSD_SECTOR; i++)
        sum = (sum ^ p[i]) * 16777619u;
    memcpy(p, &lba, 4);
    memset(p + 4, 0, 4);
    memcpy(p + 8, &id, 4);
    memcpy(p + 12, &sum, 4);
}

/* A 16-byte CDB: OP, LBA and block count. */
static void cdb16(uint8_t *c, uint8_t op, uint64_t lba, uint32_t blocks)
{
    memset(c, 0, 16);
    c[0] = op;
    for (unsigned i = 0; i < 8; i++)
        c[2 + i] = (uint8_t)(lba >> (56 - 8 * i));
    for (unsigned i = 0; i < 4; i++)
        c[10 + i] = (uint8_t)(blocks >> (24 - 8 * i));
}

/* A new write of 4..64 KiB (4 KiB steps) somewhere inside a fresh slot. */
static struct qsd_write *new_write(struct qsd_run *r)
{
    struct qsd_write *w = &r->w[r->nw];
    uint32_t pages = 1 + (uint32_t)(next_rand(&r->rng) % 16);
    uint32_t off = (uint32_t)(next_rand(&r->rng) % (17 - pages));
    w->lba = r->slot[r->used++] * (QSD_SLOT / QSD_SECTOR) + off * 8;
    w->blocks = pages * 8;
    w->id = ++r->nw;
    w->acked = false;
    return w;
}

/* WRITE(16) (sectors filled) or READ(16) (zeroed buffers) of COUNT
 * writes at once; RES the answers, BUFS their buffers (the caller frees
 * them).  False when the batch did not run. */
static bool batch(struct qsd_run *r, struct qsd_write **ws, unsigned count, bool read,
                  uint8_t **bufs, struct vw_stor_result *res)
{
    static uint8_t cdbs[MAX_BATCH][16];
    static unsigned lens[MAX_BATCH];
    static uint32_t sizes[MAX_BATCH];
    static bool in[MAX_BATCH];
    for (unsigned i = 0; i < count; i++) {
        struct qsd_write *w = ws[i];
        sizes[i] = w->blocks * QSD_SECTOR;
        bufs[i] = calloc(1, sizes[i]);
        for (uint32_t b = 0; !read && b < w->blocks; b++)
            fill_sector(bufs[i] + b * QSD_SECTOR, w->lba + b, w->id);
        cdb16(cdbs[i], read ? 0x88 : 0x8a, w->lba, w->blocks);
        lens[i] = 16, in[i] = read;
    }
    return vw_stor_scsi_batch(r->vm, count, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res);
}

/* Send WRITE(16) for COUNT writes at once and record which were
 * acknowledged; the class driver's answer to BUS_RESET is to retry. */
static bool send_writes(struct qsd_run *r, struct qsd_write **ws, unsigned count,
                        unsigned *bus_resets)
{
    static uint8_t *bufs[MAX_BATCH];
    static struct vw_stor_result res[MAX_BATCH];
    bool ok = batch(r, ws, count, false, bufs, res);
    for (unsigned i = 0; i < count; i++) {
        free(bufs[i]);
        if (!ok)
            continue;
        ws[i]->acked = res[i].srb_status == SRB_SUCCESS;
        if (res[i].srb_status == SRB_BUS_RESET && bus_resets != NULL)
            ++*bus_resets;
        else
            VW_EXPECT(r->vm, ws[i]->acked, "write %u (LBA %u, %u blocks): SRB status 0x%02x",
                      ws[i]->id, ws[i]->lba, ws[i]->blocks, res[i].srb_status);
    }
    return ok && !r->vm->failed;
}

/* One command that must succeed (SRB status SUCCESS). */
static bool scsi_ok(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len, bool in,
                    const char *what)
{
    struct vw_stor_result res;
    if (!vw_stor_scsi(vm, cdb, n, buf, len, in, &res))
        return false;
    VW_EXPECT(vm, res.srb_status == SRB_SUCCESS, "%s: SRB status 0x%02x", what, res.srb_status);
    return !vm->failed;
}

/* SYNCHRONIZE CACHE(10): the device's FLUSH (counted: each must reach
 * the daemon as a VIRTIO_BLK_T_FLUSH, qsd_handed). */
static unsigned flushes_sent;
static bool flush(struct vm *vm)
{
    uint8_t c[16] = {0x35};
    flushes_sent++;
    return scsi_ok(vm, c, 10, NULL, 0, false, "SYNCHRONIZE CACHE(10)");
}

/* 32 new writes handed to the miniport at once while the daemon is stopped
 * (SIGSTOP) for MS of real time (0: for good), HELD (vw_vhost_hold: a
 * device that does not answer) or not (a slow host: waited for); WS the
 * writes, BEFORE and AFTER StorPort's statistics around them, BUS_RESETS
 * those that ended BUS_RESET.  The real and virtual time they took in
 * REAL and VIRT (ms).  False when they did not run. */
#define STOPPED_WRITES 32
static bool writes_while_stopped(struct qsd_run *r, struct vw_vhost_dev *blk, unsigned ms,
                                 bool held, struct qsd_write **ws, struct vw_stor_stats *before,
                                 struct vw_stor_stats *after, unsigned *bus_resets, uint64_t *real,
                                 uint64_t *virt)
{
    vw_stor_stats(r->vm, before);
    for (unsigned i = 0; i < STOPPED_WRITES; i++)
        ws[i] = new_write(r);
    if (!vw_vhost_pause(blk, ms))
        return false;
    if (held)
        vw_vhost_hold(blk, ms);
    *bus_resets = 0;
    uint64_t t0 = real_ms(), v0 = r->vm->k->interrupt_time;
    bool sent = send_writes(r, ws, STOPPED_WRITES, bus_resets);
    vw_vhost_pause_end(blk);
    vw_stor_stats(r->vm, after);
    *real = real_ms() - t0, *virt = (r->vm->k->interrupt_time - v0) / 10000;
    return sent;
}

/* COUNT new writes at queue depth QD (batches of QD handed over at once),
 * each batch flushed. */
static void writes_at_depth(struct qsd_run *r, unsigned count, unsigned qd)
{
    struct qsd_write *ws[MAX_BATCH];
    for (unsigned done = 0; done < count && !r->vm->failed; done += qd) {
        unsigned n = count - done < qd ? count - done : qd;
        for (unsigned i = 0; i < n; i++)
            ws[i] = new_write(r);
        if (send_writes(r, ws, n, NULL))
            flush(r->vm);
    }
}

/* The last COUNT acknowledged writes read back through the driver (READ(16),
 * all at once). */
static void read_back(struct qsd_run *r, unsigned count)
{
    static uint8_t *bufs[MAX_BATCH];
    static struct vw_stor_result res[MAX_BATCH];
    struct qsd_write *ws[MAX_BATCH];
    unsigned n = 0;
    for (unsigned i = r->nw; i-- > 0 && n < count;)
        if (r->w[i].acked)
            ws[n++] = &r->w[i];
    bool ok = batch(r, ws, n, true, bufs, res);
    uint8_t want[QSD_SECTOR];
    for (unsigned i = 0; i < n; i++) {
        for (uint32_t b = 0; ok && !r->vm->failed && b < ws[i]->blocks; b++) {
            fill_sector(want, ws[i]->lba + b, ws[i]->id);
            VW_EXPECT(r->vm,
                      res[i].srb_status == SRB_SUCCESS &&
                          memcmp(bufs[i] + b * QSD_SECTOR, want, QSD_SECTOR) == 0,
                      "READ(16) of write %u, LBA %u: status 0x%02x or other data", ws[i]->id,
                      ws[i]->lba + b, res[i].srb_status);
        }
        free(bufs[i]);
    }
}

/* A reset in mid-stream: the daemon stops answering with 32 writes handed
 * to the miniport; their time-out makes StorPort reset, tier by tier (a
 * LUN reset SRB first: storage/multi-tier-reset-in-storport); what the
 * reset returned (BUS_RESET) is sent again, as the class driver does. */
static void reset_mid_stream(struct qsd_run *r, struct vw_vhost_dev *blk)
{
    enum { N = STOPPED_WRITES };
    struct qsd_write *ws[N];
    struct vw_stor_stats before, after;
    unsigned bus_resets;
    uint64_t real, virt;
    /* Held on purpose (vw_vhost_hold): a device that does not answer, so
     * virtual time runs to the time-out at once; continued while the
     * reset's GET_VRING_BASE waits (the front end first waits for what
     * the daemon took: writes in flight on every queue). */
    bool ran =
        writes_while_stopped(r, blk, 4500, true, ws, &before, &after, &bus_resets, &real, &virt);
    if (!ran)
        return;
    vw_log(r->vm,
           "reset in mid-stream: %u time-outs (last ended by tier %u), %u HwResetBus, %u of %u "
           "writes returned BUS_RESET",
           after.timeouts - before.timeouts, after.last_tier, after.resets - before.resets,
           bus_resets, N);
    VW_EXPECT(r->vm, after.timeouts > before.timeouts && bus_resets > 0,
              "no time-out reset with writes outstanding (%u time-outs, %u BUS_RESET)",
              after.timeouts - before.timeouts, bus_resets);
    struct qsd_write *again[N];
    unsigned n = 0;
    for (unsigned i = 0; i < N; i++)
        if (!ws[i]->acked)
            again[n++] = ws[i];
    if (n != 0 && send_writes(r, again, n, NULL))
        flush(r->vm);
}

/* Every acknowledged write, and nothing else, in the image read outside the
 * daemon; unwritten sectors are zero. */
static void check_image(struct qsd_run *r, const uint8_t *img, uint32_t trim_base)
{
    uint8_t want[QSD_SECTOR];
    unsigned sectors = 0;
    for (unsigned i = 0; i < r->nw && !r->vm->failed; i++) {
        const struct qsd_write *w = &r->w[i];
        if (!w->acked || w->lba >= trim_base) /* check_trim's */
            continue;
        for (uint32_t b = 0; b < w->blocks && !r->vm->failed; b++, sectors++) {
            fill_sector(want, w->lba + b, w->id);
            VW_EXPECT(r->vm,
                      memcmp(img + (uint64_t)(w->lba + b) * QSD_SECTOR, want, QSD_SECTOR) == 0,
                      "the image does not hold acknowledged write %u at LBA %u", w->id, w->lba + b);
        }
    }
    vw_log(r->vm, "the image holds every acknowledged write (%u sectors)", sectors);
}

/* Three slots written whole; the middle one (64 KiB aligned: a qcow2
 * cluster) unmapped; in a fourth, eight sectors at an odd place zeroed by
 * WRITE SAME(16) with NDOB; on a raw file, five sectors unmapped at an odd
 * place too (qcow2 may ignore a discard smaller than a cluster: advisory). */
struct trim_plan {
    uint32_t base;        /* first LBA of the four slots */
    uint32_t unmap[2][2]; /* LBA, blocks */
    uint32_t zero[2];     /* LBA, blocks */
    unsigned n_unmap;
    struct qsd_write *whole[4]; /* the writes that filled the slots */
};

static void trim(struct qsd_run *r, struct trim_plan *t)
{
    const uint32_t per = QSD_SLOT / QSD_SECTOR;
    t->base = (QSD_SLOTS - 4) * per;
    for (unsigned s = 0; s < 4; s++) {
        struct qsd_write *w = &r->w[r->nw];
        w->lba = t->base + s * per, w->blocks = per, w->id = ++r->nw;
        t->whole[s] = w;
    }
    if (!send_writes(r, t->whole, 4, NULL) || !flush(r->vm))
        return;
    t->n_unmap = 0;
    t->unmap[t->n_unmap][0] = t->base + per, t->unmap[t->n_unmap++][1] = per;
    if (r->format == QSD_RAW)
        t->unmap[t->n_unmap][0] = t->base + 2 * per + 37, t->unmap[t->n_unmap++][1] = 5;
    /* As disk.sys: no more descriptors per UNMAP than VPD 0xB0 allows. */
    uint8_t vpd[64] = {0}, c[16] = {0x12, 0x01, 0xb0, 0, sizeof(vpd)};
    if (!scsi_ok(r->vm, c, 6, vpd, sizeof(vpd), true, "INQUIRY VPD 0xB0"))
        return;
    uint32_t per_cmd = (uint32_t)vpd[24] << 24 | vpd[25] << 16 | vpd[26] << 8 | vpd[27];
    vw_log(r->vm, "VPD 0xB0: %u UNMAP descriptor(s) per command", per_cmd);
    VW_EXPECT(r->vm, per_cmd >= 1, "VPD 0xB0 allows no UNMAP descriptor");
    for (unsigned first = 0; first < t->n_unmap && !r->vm->failed; first += per_cmd) {
        unsigned n = t->n_unmap - first < per_cmd ? t->n_unmap - first : per_cmd;
        uint8_t param[8 + 16 * 2] = {0};
        unsigned len = 8 + 16 * n;
        param[1] = (uint8_t)(len - 2), param[3] = (uint8_t)(16 * n);
        for (unsigned i = 0; i < n; i++) {
            uint8_t *d = param + 8 + 16 * i;
            for (unsigned k = 0; k < 8; k++)
                d[k] = (uint8_t)((uint64_t)t->unmap[first + i][0] >> (56 - 8 * k));
            for (unsigned k = 0; k < 4; k++)
                d[8 + k] = (uint8_t)(t->unmap[first + i][1] >> (24 - 8 * k));
        }
        memset(c, 0, sizeof(c));
        c[0] = 0x42, c[8] = (uint8_t)len;
        if (!scsi_ok(r->vm, c, 10, param, len, false, "UNMAP"))
            return;
    }
    t->zero[0] = t->base + 3 * per + 11, t->zero[1] = 8;
    cdb16(c, 0x93, t->zero[0], t->zero[1]);
    c[1] = 0x01; /* NDOB: no data-out buffer, zeroes */
    if (scsi_ok(r->vm, c, 16, NULL, 0, false, "WRITE SAME(16) NDOB"))
        flush(r->vm);
}

/* True when LBA lies in RANGE (LBA, blocks). */
static bool in_range(uint32_t lba, const uint32_t *range)
{
    return lba >= range[0] && lba < range[0] + range[1];
}

/* The unmapped and zeroed ranges read as zeroes, exactly: the sectors
 * around them still hold what was written. */
static void check_trim(struct qsd_run *r, const struct trim_plan *t, const uint8_t *img)
{
    uint8_t want[QSD_SECTOR], zero[QSD_SECTOR] = {0};
    for (unsigned s = 0; s < 4 && !r->vm->failed; s++) {
        const struct qsd_write *w = t->whole[s];
        for (uint32_t b = 0; b < w->blocks && !r->vm->failed; b++) {
            uint32_t lba = w->lba + b;
            bool gone = in_range(lba, t->zero);
            for (unsigned i = 0; i < t->n_unmap; i++)
                gone |= in_range(lba, t->unmap[i]);
            fill_sector(want, lba, w->id);
            VW_EXPECT(r->vm,
                      memcmp(img + (uint64_t)lba * QSD_SECTOR, gone ? zero : want, QSD_SECTOR) == 0,
                      "LBA %u: %s", lba,
                      gone ? "unmapped or zeroed, yet not zero in the image"
                           : "outside the unmapped and zeroed ranges, yet changed");
        }
    }
}

/* What a run does: the full one, or a short one with a planted fault in
 * the image (changed after the daemon stopped) that the checks must name. */
enum qsd_plant {
    QSD_FULL,
    QSD_PLANT_LOST_WRITE,
    QSD_PLANT_TRIM_IGNORED,
    QSD_HOST_STALL, /* the daemon stopped 4 s with writes outstanding: a slow host */
    QSD_HUNG,       /* the daemon stopped for good with writes outstanding */
    /* The reset in mid-stream against a slow daemon (qsd_slow_type), the
     * writes submitted from every CPU: the daemon still runs writes it took
     * when the device resets. */
    QSD_RESET_SLOW,
    QSD_PLANT_RESET_OLD_ORDER, /* the same, the front end not waiting for them */
    /* VIRTIO_BLK_F_FLUSH not offered: the driver may send no FLUSH (5.2.6),
     * so SYNCHRONIZE CACHE answered without one must fail the count */
    QSD_PLANT_FLUSH_WITHHELD,
};

/* The daemon stopped (SIGSTOP) for 4 s of real time with 32 writes at the
 * miniport, not held by the scenario: a slow or loaded host (more than the
 * 3 s the front end once waited), not a device that fails to answer.  The
 * harness waits for it in real time, virtual time stands still: no
 * time-out, every write GOOD, none reset.  HUNG: stopped for good, with a
 * 5 s hang bound: the run fails naming the back end. */
static void stalled_daemon(struct qsd_run *r, struct vw_vhost_dev *blk, bool hung)
{
    struct qsd_write *ws[STOPPED_WRITES];
    struct vw_stor_stats before, after;
    unsigned bus_resets;
    uint64_t real, virt;
    if (hung)
        vw_vhost_hang_bound(blk, 5000);
    if (!writes_while_stopped(r, blk, hung ? 0 : 4000, false, ws, &before, &after, &bus_resets,
                              &real, &virt))
        return;
    vw_log(r->vm, "daemon stopped 4 s: %llu ms of real time, %llu ms of virtual time",
           (unsigned long long)real, (unsigned long long)virt);
    VW_EXPECT(r->vm,
              after.timeouts == before.timeouts && bus_resets == 0 && real >= 4000 && virt < 10000,
              "a stopped daemon (4 s of real time) seen as a device hang: %u time-outs, %u "
              "BUS_RESET, %llu ms real, %llu ms virtual",
              after.timeouts - before.timeouts, bus_resets, (unsigned long long)real,
              (unsigned long long)virt);
}

/* Queue depth at the daemon: 32 writes handed over while it is stopped
 * 1 s of real time (a loaded host; 100 ms let it see only 24 of them),
 * so it finds them all at once when it runs again (the front end lets it run at every scheduling
 * point, so the QD32 and QD256 phases leave it few at a time: their log line). */
static void deep_queue(struct qsd_run *r, struct vw_vhost_dev *blk)
{
    struct qsd_write *ws[STOPPED_WRITES];
    struct vw_stor_stats before, after;
    unsigned bus_resets, was = blk->max_pending;
    uint64_t real, virt;
    if (!writes_while_stopped(r, blk, 1000, false, ws, &before, &after, &bus_resets, &real, &virt))
        return;
    flush(r->vm);
    vw_log(r->vm,
           "queue depth at the daemon: at most %u requests at once before, %u after 32 "
           "writes with it stopped 1 s (%u BUS_RESET)",
           was, blk->max_pending, bus_resets);
    /* Asserted on one queue; on four, a submission StorPort sends back for
     * a later try (another CPU's lock: virtual time, which stands while
     * the daemon owes a kick) reaches the ring only after the daemon ran
     * again (24-27 of 32 at some seeds, 32 at others): logged only. */
    VW_EXPECT(r->vm, bus_resets == 0, "%u BUS_RESET with the daemon stopped 1 s", bus_resets);
    if (blk->p.queues == 1)
        VW_EXPECT(r->vm, blk->max_pending >= STOPPED_WRITES,
                  "the daemon had at most %u requests at once (want >= %u)", blk->max_pending,
                  STOPPED_WRITES);
}

/* The planted fault: a sector of an acknowledged write zeroed, or data
 * written back over the range WRITE SAME zeroed. */
static void plant(struct qsd_run *r, const struct trim_plan *t, uint8_t *img, enum qsd_plant what)
{
    if (what == QSD_PLANT_LOST_WRITE)
        memset(img + (uint64_t)(r->w[2].lba + 1) * QSD_SECTOR, 0, QSD_SECTOR);
    if (what == QSD_PLANT_TRIM_IGNORED)
        fill_sector(img + (uint64_t)t->zero[0] * QSD_SECTOR, t->zero[0], t->whole[3]->id);
}

/* What Windows asks before it sends TRIM: the daemon serves discard=unmap,
 * so the disk's DEVICE_TRIM_DESCRIPTOR must say TrimEnabled (issue 14's
 * "TRIM not reaching the disk on Windows 11" at the layer Windows asks),
 * and its alignment descriptor 512-byte sectors. */
static void trim_property(struct vm *vm)
{
    struct vw_device_trim_descriptor t = {0};
    struct vw_storage_access_alignment_descriptor al = {0};
    uint32_t got = 0, got_al = 0;
    uint32_t st = vw_stor_query_property(vm, VW_StorageDeviceTrimProperty, VW_PropertyStandardQuery,
                                         &t, sizeof(t), &got);
    uint32_t st_al = vw_stor_query_property(vm, VW_StorageAccessAlignmentProperty,
                                            VW_PropertyStandardQuery, &al, sizeof(al), &got_al);
    VW_EXPECT(vm, st == VW_STATUS_SUCCESS && got == sizeof(t) && t.TrimEnabled,
              "qemu-storage-daemon disk with discard=unmap: trim query 0x%08x, TrimEnabled %u", st,
              t.TrimEnabled);
    VW_EXPECT(vm,
              st_al == VW_STATUS_SUCCESS && al.BytesPerLogicalSector == QSD_SECTOR &&
                  al.BytesOffsetForSectorAlignment == 0,
              "qemu-storage-daemon disk: alignment query 0x%08x, %u logical, offset %u", st_al,
              al.BytesPerLogicalSector, al.BytesOffsetForSectorAlignment);
    vw_log(vm, "property queries: TrimEnabled %u, %u-byte logical, %u-byte physical sectors",
           t.TrimEnabled, al.BytesPerLogicalSector, al.BytesPerPhysicalSector);
}

/* Each queue's share of the work as the daemon saw it (used entries it
 * wrote, the most buffers it had in hand at a kick): with requests from
 * every CPU each queue in use carries at least a quarter of its even share. */
static void queue_use(struct qsd_run *r, struct vw_vhost_dev *blk)
{
    uint64_t total = 0;
    unsigned most = 0;
    for (unsigned q = 0; q < blk->p.queues; q++) {
        total += blk->q[q].used_total;
        most = blk->q[q].max_unused > most ? blk->q[q].max_unused : most;
        vw_log(r->vm, "queue %u: %llu requests used by the daemon, at most %u in hand at a kick", q,
               (unsigned long long)blk->q[q].used_total, blk->q[q].max_unused);
    }
    /* One request queue per CPU up to the device's queues (issue 14): with
     * fewer CPUs than queues the rest carry nothing. */
    unsigned cpus = vw_cpu_count(r->vm);
    unsigned in_use = cpus < blk->p.queues ? cpus : blk->p.queues;
    for (unsigned q = 0; q < in_use; q++)
        VW_EXPECT(r->vm, blk->q[q].used_total * in_use * 4 >= total,
                  "queue %u carried %llu of %llu requests (under a quarter of its share)", q,
                  (unsigned long long)blk->q[q].used_total, (unsigned long long)total);
    for (unsigned q = in_use; q < blk->p.queues; q++)
        VW_EXPECT(r->vm, blk->q[q].used_total == 0, "queue %u carried %llu requests with %u CPUs",
                  q, (unsigned long long)blk->q[q].used_total, cpus);
    /* Not asserted: the harness waits for the daemon in real time at each
     * scheduling point after a kick, so it seldom has more than a few. */
    vw_log(r->vm, "the daemon had at most %u requests of one queue at a kick, %u at once in all",
           most, blk->max_pending);
}

static void run(struct vm *vm, enum qsd_format format, uint16_t queues, bool qd256,
                enum qsd_plant what)
{
    char image[300];
    static struct qsd_run r;
    struct trim_plan t = {0};
    memset(&r, 0, sizeof(r));
    r.vm = vm, r.format = format, r.rng = 0x5eed0000u + queues * 2 + format;
    bool slow = what == QSD_RESET_SLOW || what == QSD_PLANT_RESET_OLD_ORDER;
    const struct vw_vhost_type *type = slow ? qsd_slow_type() : qsd_type(format);
    if (slow && !vw_cpus_set(vm, queues))
        return;
    if (!vw_vhost_require(vm, type) || !qsd_make_image(vm, format, "qsd", image, sizeof(image)))
        return;
    for (unsigned i = 0; i < QSD_SLOTS - 4; i++)
        r.slot[i] = (uint16_t)i;
    for (unsigned i = QSD_SLOTS - 5; i > 0; i--) {
        unsigned j = (unsigned)(next_rand(&r.rng) % (i + 1));
        uint16_t s = r.slot[i];
        r.slot[i] = r.slot[j], r.slot[j] = s;
    }
    struct vw_vhost_params p = {.target = image,
                                .queues = queues,
                                .queue_max = 256,
                                .withhold = what == QSD_PLANT_FLUSH_WITHHELD ? 1ull << 9 : 0};
    struct vw_vhost_dev *blk = vw_vhost_create(vm, type, &p);
    if (blk == NULL)
        goto out;
    blk->no_drain = what == QSD_PLANT_RESET_OLD_ORDER;
    vw_stor_attach_pci(vm, blk->dev->pdo);
    struct vw_stor_config cfg = {.timeout_s = 10, .bus_type = VW_BusTypeScsi};
    if (!vw_driver_load(vm, "viostor") || !vw_stor_start(vm, &cfg))
        goto stop;
    if (what == QSD_FULL)
        trim_property(vm);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD); /* request i from CPU i mod CPUS */
    uint64_t t0 = real_ms();
    writes_at_depth(&r, 8, 1);
    uint64_t t1 = real_ms();
    if (what == QSD_FULL)
        writes_at_depth(&r, 64, 32);
    if (what == QSD_FULL)
        deep_queue(&r, blk);
    uint64_t t2 = real_ms();
    if (qd256)
        writes_at_depth(&r, 256, 256);
    uint64_t t3 = real_ms();
    if (what == QSD_FULL)
        read_back(&r, 32);
    uint64_t t4 = real_ms();
    if (what == QSD_FULL || slow) {
        reset_mid_stream(&r, blk);
        writes_at_depth(&r, 32, 32);
    }
    if (what == QSD_HOST_STALL || what == QSD_HUNG)
        stalled_daemon(&r, blk, what == QSD_HUNG);
    uint64_t t5 = real_ms();
    trim(&r, &t);
    vw_log(vm, "real time: QD1 %llu ms, QD32 %llu, QD256 %llu, reads %llu, reset %llu, trim %llu",
           (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1),
           (unsigned long long)(t3 - t2), (unsigned long long)(t4 - t3),
           (unsigned long long)(t5 - t4), (unsigned long long)(real_ms() - t5));
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    vw_log(vm,
           "%u writes, %u requests completed, at most %u outstanding (LUN depth %u), %u BUSY "
           "retries, %u DPCs, %u interrupts",
           r.nw, s.completed, s.max_outstanding, s.lun_depth, s.busy_retries, s.dpcs_run,
           s.device_interrupts);
    queue_use(&r, blk);
    vw_log(vm, "%u SYNCHRONIZE CACHE sent, %u VIRTIO_BLK_T_FLUSH handed to the daemon",
           flushes_sent, qsd_handed(QSD_T_FLUSH));
    VW_EXPECT(vm, qsd_handed(QSD_T_FLUSH) == flushes_sent,
              "%u SYNCHRONIZE CACHE answered, %u FLUSH requests reached the daemon's ring",
              flushes_sent, qsd_handed(QSD_T_FLUSH));
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
stop:
    vw_vhost_stop(blk);
    if (!vm->failed) {
        uint8_t *img = qsd_read_image(vm, format, image);
        if (img != NULL) {
            plant(&r, &t, img, what);
            check_image(&r, img, (QSD_SLOTS - 4) * (QSD_SLOT / QSD_SECTOR));
            check_trim(&r, &t, img);
        }
        free(img);
    }
out:
    qsd_remove_image(image);
}

VW_SCENARIO("viostor", qsd_raw_1q_split, NULL)
{
    run(vm, QSD_RAW, 1, true, QSD_FULL);
}

/* Queue depth 256 on every _split run (issue 14): the batch costs real
 * time, not CPU (0.06-1.9 s with 4 or 64 CPUs, ~3.5-4 s with 1: the
 * daemon's own time while the harness waits for it); on qcow2 1 queue it
 * adds ~2.5 s wall and ~0.2 CPU-s to a ~7.5 s, ~0.3 CPU-s run. */
VW_SCENARIO("viostor", qsd_raw_4q_split, NULL)
{
    run(vm, QSD_RAW, 4, true, QSD_FULL);
}

VW_SCENARIO("viostor", qsd_qcow2_1q_split, NULL)
{
    run(vm, QSD_QCOW2, 1, true, QSD_FULL);
}

VW_SCENARIO("viostor", qsd_qcow2_4q_split, NULL)
{
    run(vm, QSD_QCOW2, 4, true, QSD_FULL);
}

/* A loaded host: the daemon stopped 4 s of real time is waited for. */
VW_SCENARIO("viostor", qsd_raw_1q_daemon_stopped_4s, NULL)
{
    run(vm, QSD_RAW, 1, false, QSD_HOST_STALL);
}

/* A daemon stopped for good: named as a hang after 5 s of real time. */
VW_SCENARIO("viostor", checker_qsd_daemon_hangs, "(qemu-storage-daemon, pid")
{
    run(vm, QSD_RAW, 1, false, QSD_HUNG);
}

/* Planted: the image checks catch a lost acknowledged sector and a zeroed
 * range that still holds data. */
VW_SCENARIO("viostor", checker_qsd_lost_write, "the image does not hold acknowledged write 3")
{
    run(vm, QSD_RAW, 1, false, QSD_PLANT_LOST_WRITE);
}

VW_SCENARIO("viostor", checker_qsd_zeroes_ignored, "unmapped or zeroed, yet not zero")
{
    run(vm, QSD_QCOW2, 1, false, QSD_PLANT_TRIM_IGNORED);
}

/* A reset while the daemon runs writes it took from all 4 queues (it
 * serves 50 requests a second; the 32 writes come from 4 CPUs): the front
 * end waits for them before GET_VRING_BASE, so none lands in a ring the
 * driver re-initialised, and every acknowledged write is in the image. */
VW_SCENARIO("viostor", qsd_raw_4q_reset_slow_daemon, NULL)
{
    run(vm, QSD_RAW, 4, false, QSD_RESET_SLOW);
}

/* Planted: the old order (GET_VRING_BASE at once) stops queues whose
 * writes the daemon still holds. */
VW_SCENARIO("viostor", checker_qsd_reset_old_order, "when GET_VRING_BASE stopped queue")
{
    run(vm, QSD_RAW, 4, false, QSD_PLANT_RESET_OLD_ORDER);
}

/* Planted: the device offers no VIRTIO_BLK_F_FLUSH, so no SYNCHRONIZE
 * CACHE reaches the daemon, and the FLUSH count names it. */
VW_SCENARIO("viostor", checker_qsd_flush_not_at_daemon, "FLUSH requests reached the daemon's ring")
{
    run(vm, QSD_RAW, 1, false, QSD_PLANT_FLUSH_WITHHELD);
}
