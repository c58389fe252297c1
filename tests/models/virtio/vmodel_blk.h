/*
 * vmodel_blk.h - the device end of virtio-blk (spec 5.2) over a disk image
 * file, as a vmodel request handler: the in-process block device of the
 * execution harness, deterministic where the vhost-user tier is not.
 *
 *   struct vmodel_blk blk;
 *   vmodel_blk_open(&blk, "disk.img", false);
 *   vmodel_set_handler(model, vmodel_blk_handler, &blk);
 *   vmodel_blk_config(&blk, model);   (capacity into the device config)
 *
 * A request is a header (type, reserved, sector: 16 bytes, device-readable),
 * data (readable for OUT, writable for IN and GET_ID) and a one-byte status
 * (the last writable byte). Segments may split those anywhere; the model
 * treats the readable and the writable bytes each as one stream. Every
 * malformed request gets VIRTIO_BLK_S_IOERR (when there is a status byte to
 * write) and is counted, never trusted.
 */
#ifndef VMODEL_BLK_H
#define VMODEL_BLK_H

#include "vmodel.h"

#define VMODEL_BLK_SECTOR 512u
#define VMODEL_BLK_ID_LEN 20u

#define VMODEL_BLK_RANGES 64u

/** One DISCARD or WRITE_ZEROES range as the device got it */
struct vmodel_blk_range {
    uint32_t type; /**< 11 DISCARD, 13 WRITE_ZEROES */
    uint64_t sector;
    uint32_t sectors, flags;
};

struct vmodel_blk {
    int fd;
    bool read_only;
    uint64_t sectors; /**< capacity in 512-byte sectors */
    char id[VMODEL_BLK_ID_LEN];
    uint64_t reads, writes, flushes, ids, errors, unsupported;
    /** DISCARD / WRITE_ZEROES (with discard_ok / write_zeroes_ok, else
     *  UNSUPP): every range in order, the first VMODEL_BLK_RANGES kept;
     *  WRITE_ZEROES writes zeroes into the file, DISCARD only records */
    bool discard_ok, write_zeroes_ok;
    uint64_t discards, write_zeroes;
    struct vmodel_blk_range ranges[VMODEL_BLK_RANGES];
    unsigned nranges;
    /** Faults: the next fault_count requests get status fault_status
     *  (any byte) with nothing transferred; the next short_count reads
     *  say they wrote the status byte only */
    uint8_t fault_status;
    unsigned fault_count, short_count;
    uint64_t faults;
};

int vmodel_blk_open(struct vmodel_blk *b, const char *path, bool read_only);
void vmodel_blk_close(struct vmodel_blk *b);
/** Writes capacity (and nothing else) into the model's device config */
void vmodel_blk_config(const struct vmodel_blk *b, struct vmodel *m);
uint32_t vmodel_blk_handler(void *ctx, const struct vmodel_req *req);

#endif
