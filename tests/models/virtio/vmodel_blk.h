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

struct vmodel_blk {
    int fd;
    bool read_only;
    uint64_t sectors; /**< capacity in 512-byte sectors */
    char id[VMODEL_BLK_ID_LEN];
    uint64_t reads, writes, flushes, ids, errors, unsupported;
};

int vmodel_blk_open(struct vmodel_blk *b, const char *path, bool read_only);
void vmodel_blk_close(struct vmodel_blk *b);
/** Writes capacity (and nothing else) into the model's device config */
void vmodel_blk_config(const struct vmodel_blk *b, struct vmodel *m);
uint32_t vmodel_blk_handler(void *ctx, const struct vmodel_req *req);

#endif
