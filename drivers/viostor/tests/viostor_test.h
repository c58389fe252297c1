/*
 * Shared set-up of the viostor scenarios against the in-process blk model:
 * a virtio-blk PCI function (devices/dev_virtio) served by
 * tests/models/virtio/vmodel_blk over a patterned image file, viostor
 * loaded and started on it through the StorPort emulation
 * (vw_stor_attach_pci, vw_stor_start), SCSI commands through its class
 * layer, and what the device saw checked against what was asked.
 */
#pragma once
#include <stdio.h>
#include <string.h>
#include "vmodel_blk.h"
#include "selftest/blk_common.h"
#include "dev_virtio.h"
#include "kernel.h"
#include "port/storport/stor.h"
#include "port/storport/stor_scenario.h"
#include "scenario.h"

#define VS_F_SIZE_MAX     (1ull << 1)
#define VS_F_SEG_MAX      (1ull << 2)
#define VS_F_RO           (1ull << 5)
#define VS_F_BLK_SIZE     (1ull << 6)
#define VS_F_FLUSH        (1ull << 9)
#define VS_F_TOPOLOGY     (1ull << 10)
#define VS_F_CONFIG_WCE   (1ull << 11)
#define VS_F_MQ           (1ull << 12)
#define VS_F_DISCARD      (1ull << 13)
#define VS_F_WRITE_ZEROES (1ull << 14)
#define VS_F_INDIRECT     (1ull << 28)
#define VS_F_EVENT_IDX    (1ull << 29)
#define VS_F_VERSION_1    (1ull << 32)
#define VS_F_PACKED       (1ull << 34)
/* What the scenarios offer unless they say otherwise */
#define VS_F_DEFAULT                                                                               \
    (VS_F_VERSION_1 | VS_F_SEG_MAX | VS_F_BLK_SIZE | VS_F_FLUSH | VS_F_TOPOLOGY | VS_F_MQ |        \
     VS_F_DISCARD | VS_F_WRITE_ZEROES | VS_F_INDIRECT | VS_F_EVENT_IDX)

#define VS_CHECK_COND 0x02
#define VS_SECOND     10000000ull

/* The device: its offer, its configuration fields (virtio 1.2 5.2.4) */
struct vs_opts {
    uint64_t features;
    uint16_t queues, queue_max, msix_vectors;
    bool line; /* the INTx line instead of MSI-X */
    enum vmodel_transport transport;
    uint32_t seed;
    /* configuration fields; 0 means the default below */
    uint32_t size_max, seg_max, blk_size;
    uint8_t phys_exp, align_off;
    uint16_t min_io, num_queues;
    uint32_t opt_io;
    uint32_t max_discard, discard_seg, discard_align, max_wz, wz_seg;
    uint8_t wz_may_unmap;
    bool raw_cfg;           /* take every field as given, zeroes included */
    uint64_t capacity;      /* sectors; 0: the image's */
    uint64_t image_sectors; /* the image grown to this many sectors (0: as made) */
    unsigned timeout_s;
    uint64_t hang_q0; /* queue 0 answers nothing for this long from before the start (100 ns) */
    uint64_t delay;   /* every request completes this long after taken (100 ns), from the start */
};

struct vs_disk {
    struct vw_virtio *dev;
    struct vmodel_blk blk;
    char image[300];
    bool started;
};

static inline void vs_put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Write the configuration fields of O into the device. */
static inline void vs_config(struct vs_disk *d, const struct vs_opts *o)
{
    uint8_t c[60] = {0};
    bool raw = o->raw_cfg;
    vs_put(c + 0, o->capacity ? o->capacity : d->blk.sectors, 8);
    vs_put(c + 8, o->size_max || raw ? o->size_max : 65536, 4);
    vs_put(c + 12, o->seg_max || raw ? o->seg_max : 126, 4);
    vs_put(c + 20, o->blk_size || raw ? o->blk_size : 512, 4);
    c[24] = o->phys_exp;
    c[25] = o->align_off;
    vs_put(c + 26, o->min_io, 2);
    vs_put(c + 28, o->opt_io, 4);
    c[32] = 1; /* writeback */
    vs_put(c + 34, o->num_queues || raw ? o->num_queues : (o->queues ? o->queues : 1), 2);
    vs_put(c + 36, o->max_discard || raw ? o->max_discard : 8192, 4);
    vs_put(c + 40, o->discard_seg || raw ? o->discard_seg : 16, 4);
    vs_put(c + 44, o->discard_align || raw ? o->discard_align : 8, 4);
    vs_put(c + 48, o->max_wz || raw ? o->max_wz : 8192, 4);
    vs_put(c + 52, o->wz_seg || raw ? o->wz_seg : 1, 4);
    c[56] = o->wz_may_unmap;
    vmodel_set_device_cfg(d->dev->model, 0, c, sizeof(c));
}

/* The function, the model on a fresh image, viostor loaded and started. */
static inline bool vs_start(struct vm *vm, struct vs_disk *d, const struct vs_opts *o)
{
    memset(d, 0, sizeof(*d));
    d->blk.fd = -1;
    if (!blk_make_image(vm, "viostor", d->image, sizeof(d->image)) ||
        vmodel_blk_open(&d->blk, d->image, false) != 0) {
        vw_fail(vm, "cannot create the disk image");
        return false;
    }
    if (o->image_sectors > d->blk.sectors) {
        if (ftruncate(d->blk.fd, (off_t)(o->image_sectors * 512)) != 0) {
            vw_fail(vm, "cannot grow the disk image");
            return false;
        }
        d->blk.sectors = o->image_sectors;
    }
    d->blk.discard_ok = d->blk.write_zeroes_ok = true;
    d->blk.read_only = (o->features & VS_F_RO) != 0;
    struct vw_virtio_config cfg = {.transport = o->transport,
                                   .device_type = 2,
                                   .features = o->features ? o->features : VS_F_DEFAULT,
                                   .queues = o->queues ? o->queues : 1,
                                   .queue_max = o->queue_max ? o->queue_max : 128,
                                   .msix = !o->line,
                                   .msix_vectors = o->msix_vectors,
                                   .seed = o->seed ? o->seed : 0x5107,
                                   .device_cfg_len = 60};
    d->dev = vw_virtio_create(vm, &cfg);
    if (d->dev == NULL)
        return false;
    vmodel_set_handler(d->dev->model, vmodel_blk_handler, &d->blk);
    if (o->delay)
        vw_virtio_delay(d->dev, -1, o->delay, o->delay, false);
    vs_config(d, o);
    vw_stor_attach_pci(vm, d->dev->pdo);
    if (o->hang_q0 != 0)
        vw_virtio_hang_queue(d->dev, 0, o->hang_q0);
    /* bus_type: viostor.inx's HKR,Parameters,BusType (1, BusTypeScsi) */
    struct vw_stor_config sc = {.timeout_s = o->timeout_s ? o->timeout_s : 10, .bus_type = 1};
    if (!vw_driver_load(vm, "viostor") || !vw_stor_start(vm, &sc))
        return false;
    d->started = true;
    return true;
}

/* Remove the adapter, unload with the leak checks, drop the image. */
static inline void vs_finish(struct vm *vm, struct vs_disk *d)
{
    if (d->started && !vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
    vmodel_blk_close(&d->blk);
    if (d->image[0])
        unlink(d->image);
}

/* One command; its result in R. */
static inline bool vs_scsi(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len,
                           bool in, struct vw_stor_result *r)
{
    return vw_stor_scsi(vm, cdb, n, buf, len, in, r) && !vm->failed;
}

/* One command that must succeed. */
static inline bool vs_ok(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len,
                         bool in, const char *what)
{
    struct vw_stor_result r;
    if (!vs_scsi(vm, cdb, n, buf, len, in, &r))
        return false;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0,
              "%s: SRB status 0x%02x, SCSI status 0x%02x", what, r.srb_status, r.scsi_status);
    return !vm->failed;
}

/* READ(16) / WRITE(16) CDB of BLOCKS blocks at LBA (FUA for writes if asked). */
static inline void vs_rw16(uint8_t *cdb, bool write, uint64_t lba, uint32_t blocks, bool fua)
{
    memset(cdb, 0, 16);
    cdb[0] = write ? 0x8a : 0x88;
    cdb[1] = fua ? 0x08 : 0;
    stor_put_be(cdb + 2, lba, 8);
    stor_put_be(cdb + 10, blocks, 4);
}

/* Checksummed contents of block LBA of SIZE bytes, version GEN. */
static inline void vs_fill(uint8_t *buf, uint32_t size, uint64_t lba, unsigned gen)
{
    uint32_t x = (uint32_t)(lba * 2654435761u) ^ (gen * 40503u) ^ 0x9e37u;
    for (uint32_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

/* VS_BATCH_N one-block requests at once from LBA: written with version GEN,
 * or read back and compared with it; each must succeed (WHAT names the step). */
#define VS_BATCH_N 8
static inline bool vs_rw_batch(struct vm *vm, uint64_t lba, unsigned gen, bool write,
                               const char *what)
{
    static uint8_t data[VS_BATCH_N][512], want[512];
    uint8_t cdbs[VS_BATCH_N][16], *bufs[VS_BATCH_N];
    unsigned lens[VS_BATCH_N];
    uint32_t sizes[VS_BATCH_N];
    bool in[VS_BATCH_N];
    struct vw_stor_result res[VS_BATCH_N];
    for (unsigned i = 0; i < VS_BATCH_N; i++) {
        if (write)
            vs_fill(data[i], 512, lba + i, gen);
        else
            memset(data[i], 0, 512);
        vs_rw16(cdbs[i], write, lba + i, 1, false);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = 512, in[i] = !write;
    }
    if (!vw_stor_scsi_batch(vm, VS_BATCH_N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in,
                            res) ||
        vm->failed)
        return false;
    for (unsigned i = 0; i < VS_BATCH_N; i++) {
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "%s: %s of LBA %llu: SRB 0x%02x", what, write ? "write" : "read",
                  (unsigned long long)(lba + i), res[i].srb_status);
        if (write)
            continue;
        vs_fill(want, 512, lba + i, gen);
        VW_EXPECT(vm, memcmp(data[i], want, 512) == 0, "%s: LBA %llu does not read back as written",
                  what, (unsigned long long)(lba + i));
    }
    return !vm->failed;
}

/* The image's bytes at SECTOR (512-byte units), LEN of them, into OUT. */
static inline bool vs_image_read(struct vs_disk *d, uint64_t sector, void *out, uint32_t len)
{
    return pread(d->blk.fd, out, len, (off_t)(sector * 512)) == (ssize_t)len;
}
