/*
 * bed.h - a test bed: device model + host OS services + probed and
 * initialised virtio device with queues, ready for I/O.
 */
#ifndef BED_H
#define BED_H

#include "../../common/virtio/virtio_pci.h"
#include "host_os.h"
#include "../models/virtio/vmodel.h"

#define BED_MAX_QUEUES 8
#define BED_BUF_SIZE   4096

struct bed {
    struct vmodel *m;
    struct host_os h;
    struct virtio_os os;
    struct virtio_device dev;
    struct virtqueue vq[BED_MAX_QUEUES];
    unsigned nq;
    unsigned irqs;
    uint16_t last_vector;
    struct virtio_dma buf; /* 64 x 4 KiB of DMA memory for payloads */
};

/** Default model config: modern block-like device, 4 queues of 256 */
void bed_default_config(struct vmodel_config *mc);

/**
 * Create the model, probe, negotiate, set up nq queues (size qsize, 0 =
 * device max, indirect tables of indirect_max), DRIVER_OK. Returns 0 or the
 * first failing step's error; on failure the bed is still safe to bed_fini.
 */
int bed_init(struct bed *b, const struct vmodel_config *mc, enum virtio_pci_mode mode,
             uint64_t want, unsigned nq, uint16_t qsize, uint16_t indirect_max);
void bed_fini(struct bed *b);

/** Bus address of payload buffer i (4 KiB each, 64 of them) */
uint64_t bed_buf_pa(struct bed *b, unsigned i);
void *bed_buf_va(struct bed *b, unsigned i);

#endif /* BED_H */
