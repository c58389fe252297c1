/*
 * bed.c - the test bed (bed.h).
 */
#include <stdlib.h>
#include <string.h>

#include "bed.h"

static void bed_irq(void *ctx, uint16_t vector)
{
    struct bed *b = ctx;

    b->irqs++;
    b->last_vector = vector;
}

void bed_default_config(struct vmodel_config *mc)
{
    memset(mc, 0, sizeof(*mc));
    mc->seed = 1;
    mc->transport = VMODEL_MODERN;
    mc->device_type = 2;
    mc->num_queues = 4;
    mc->queue_max = 256;
    mc->features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                   VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) | 0x3;
    mc->msix_vectors = 8;
    mc->msix_enabled = true;
    mc->notify_off_multiplier = 4;
    mc->device_cfg_len = 64;
}

int bed_init(struct bed *b, const struct vmodel_config *mc, enum virtio_pci_mode mode,
             uint64_t want, unsigned nq, uint16_t qsize, uint16_t indirect_max)
{
    unsigned i;
    int rc;

    memset(b, 0, sizeof(*b));
    b->m = vmodel_create(mc);
    if (b->m == NULL)
        return VIRTIO_ENOMEM;
    vmodel_set_irq(b->m, bed_irq, b);
    host_os_init(&b->h, b->m, &b->os);
    if ((rc = b->os.ops->dma_alloc(b->os.ctx, 64 * BED_BUF_SIZE, 4096, &b->buf)) != 0)
        return rc;
    if ((rc = virtio_pci_probe(&b->dev, &b->os, mode)) != 0)
        return rc;
    if ((rc = virtio_negotiate(&b->dev, want, NULL)) != 0)
        return rc;
    if (b->dev.msix && (rc = virtio_set_config_vector(&b->dev, 0)) != 0)
        return rc;
    for (i = 0; i < nq; i++) {
        struct virtio_queue_config qc = {
            .index = (uint16_t)i,
            .size = qsize,
            .indirect_max = indirect_max,
            .msix_vector = b->dev.msix ? (uint16_t)(1 + i) : VIRTIO_MSI_NO_VECTOR,
        };
        if ((rc = virtio_queue_setup(&b->dev, &b->vq[i], &qc)) != 0)
            return rc;
        b->nq = i + 1;
    }
    return virtio_device_ready(&b->dev);
}

void bed_fini(struct bed *b)
{
    unsigned i;

    if (b->dev.ops != NULL) {
        virtio_device_reset(&b->dev);
        for (i = 0; i < b->nq; i++)
            virtio_queue_teardown(&b->dev, &b->vq[i]);
        virtio_pci_release(&b->dev);
    }
    if (b->buf.va != NULL)
        b->os.ops->dma_free(b->os.ctx, &b->buf);
    vmodel_destroy(b->m);
    b->m = NULL;
}

uint64_t bed_buf_pa(struct bed *b, unsigned i)
{
    return b->buf.pa + (uint64_t)(i % 64) * BED_BUF_SIZE;
}

void *bed_buf_va(struct bed *b, unsigned i)
{
    return (uint8_t *)b->buf.va + (size_t)(i % 64) * BED_BUF_SIZE;
}
