/*
 * host_os.h - the virtio OS services (common/virtio/virtio_os.h) on the
 * build host, backed by the device model (vmodel.h). Used by the unit
 * tests, the fuzzers and the benchmark.
 *
 * Register addresses encode the BAR: MMIO is ((bar + 1) << 32) | offset,
 * I/O ports are 0xc000 + offset (BAR 0 only). DMA memory gets bus addresses
 * above 4 GiB that differ from its host address, so mixing the two up is
 * caught by the model.
 */
#ifndef HOST_OS_H
#define HOST_OS_H

#include "../../common/virtio/virtio_os.h"
#include "../models/virtio/vmodel.h"

struct host_os {
    struct vmodel *m;
    uint64_t next_pa;
    unsigned dma_live; /**< DMA blocks allocated, not freed */
    unsigned mem_live; /**< Private blocks allocated, not freed */
    size_t dma_max;    /**< Fail DMA allocations larger than this (0 = no limit) */
    unsigned reports;  /**< Violations reported */
    int last_queue;
    enum virtio_violation last_violation;
    uint64_t delay_total_us;
};

/** Fill h and os; os->ops points at a static table, os->ctx at h */
void host_os_init(struct host_os *h, struct vmodel *m, struct virtio_os *os);

#endif /* HOST_OS_H */
