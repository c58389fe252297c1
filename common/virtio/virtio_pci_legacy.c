/*
 * virtio_pci_legacy.c - the legacy (pre-1.0) PCI interface of transitional
 * devices (spec 4.1.4.8): one I/O BAR holding all registers, 32 feature
 * bits, fixed queue sizes, queue address as a page frame number.
 */
#include "virtio_pci.h"

/* Read the legacy status register. IRQL: any. */
static uint8_t legacy_get_status(struct virtio_device *dev)
{
    return virtio_reg_read8(dev, &dev->legacy, VIRTIO_PCI_LEGACY_STATUS);
}

/* Write the legacy status register. IRQL: any. */
static void legacy_set_status(struct virtio_device *dev, uint8_t status)
{
    virtio_reg_write8(dev, &dev->legacy, VIRTIO_PCI_LEGACY_STATUS, status);
}

/* Read the 32 feature bits a legacy device offers. IRQL: any. */
static uint64_t legacy_get_features(struct virtio_device *dev)
{
    return virtio_reg_read32(dev, &dev->legacy, VIRTIO_PCI_LEGACY_HOST_FEATURES);
}

/* Write the 32 feature bits the driver accepts (legacy has no more). IRQL: any. */
static void legacy_set_features(struct virtio_device *dev, uint64_t features)
{
    virtio_reg_write32(dev, &dev->legacy, VIRTIO_PCI_LEGACY_GUEST_FEATURES, (uint32_t)features);
}

/** No config_generation in legacy: the caller compares two reads. IRQL: any. */
static bool legacy_generation(struct virtio_device *dev, uint8_t *gen)
{
    (void)dev;
    *gen = 0;
    return false;
}

/**
 * Legacy device configuration is in guest byte order for multi-byte
 * fields; all our targets are little-endian, and bytewise access keeps
 * it simple and correct for any field layout.
 * IRQL: any.
 */
static void legacy_config_read(struct virtio_device *dev, uint32_t off, void *buf, uint32_t len)
{
    uint8_t *p = buf;
    uint32_t i;

    for (i = 0; i < len; i++)
        p[i] = virtio_reg_read8(dev, &dev->device, off + i);
}

/* Write device configuration bytewise, as legacy_config_read reads it. IRQL: any. */
static void legacy_config_write(struct virtio_device *dev, uint32_t off, const void *buf,
                                uint32_t len)
{
    const uint8_t *p = buf;
    uint32_t i;

    for (i = 0; i < len; i++)
        virtio_reg_write8(dev, &dev->device, off + i, p[i]);
}

/* Size of a legacy queue, which the device fixes (0: no such queue). IRQL: any. */
static uint16_t legacy_queue_max(struct virtio_device *dev, uint16_t index)
{
    virtio_reg_write16(dev, &dev->legacy, VIRTIO_PCI_LEGACY_QUEUE_SEL, index);
    return virtio_reg_read16(dev, &dev->legacy, VIRTIO_PCI_LEGACY_QUEUE_NUM);
}

/**
 * Queue setup, legacy: the size is the device's, the ring is one block
 * with the used ring 4096-aligned, addressed by its page frame number.
 * IRQL: any.
 */
static int legacy_queue_activate(struct virtio_device *dev, struct virtqueue *vq, uint16_t vector)
{
    struct virtio_region *l = &dev->legacy;
    uint64_t pfn = vq->ring_pa >> VIRTIO_LEGACY_PFN_SHIFT;

    if ((vq->ring_pa & (VIRTIO_LEGACY_VRING_ALIGN - 1)) || pfn > UINT32_MAX ||
        vq->format != VIRTQUEUE_SPLIT)
        return VIRTIO_EINVAL;

    virtio_reg_write16(dev, l, VIRTIO_PCI_LEGACY_QUEUE_SEL, vq->index);
    if (virtio_reg_read16(dev, l, VIRTIO_PCI_LEGACY_QUEUE_NUM) != vq->num) {
        virtio_device_set_broken(dev, VIRTIO_VIOL_QUEUE_SIZE);
        return VIRTIO_EPROTO;
    }
    if (dev->msix) {
        virtio_reg_write16(dev, l, VIRTIO_PCI_LEGACY_MSIX_QUEUE, vector);
        if (virtio_reg_read16(dev, l, VIRTIO_PCI_LEGACY_MSIX_QUEUE) != vector)
            return vector == VIRTIO_MSI_NO_VECTOR ? VIRTIO_EPROTO : VIRTIO_ENOSPC;
    }
    vq->msix_vector = dev->msix ? vector : VIRTIO_MSI_NO_VECTOR;
    vq->notify_addr = l->base + VIRTIO_PCI_LEGACY_QUEUE_NOTIFY;
    vq->notify_space = l->space;
    /* Writing the PFN activates the queue */
    virtio_reg_write32(dev, l, VIRTIO_PCI_LEGACY_QUEUE_PFN, (uint32_t)pfn);
    return 0;
}

/* Detach a legacy queue's ring from the device by writing PFN 0. IRQL: any. */
static void legacy_queue_deactivate(struct virtio_device *dev, struct virtqueue *vq)
{
    virtio_reg_write16(dev, &dev->legacy, VIRTIO_PCI_LEGACY_QUEUE_SEL, vq->index);
    virtio_reg_write32(dev, &dev->legacy, VIRTIO_PCI_LEGACY_QUEUE_PFN, 0);
}

/* Program the legacy configuration MSI-X vector and read back what the device kept. IRQL: any. */
static uint16_t legacy_set_config_vector(struct virtio_device *dev, uint16_t vector)
{
    virtio_reg_write16(dev, &dev->legacy, VIRTIO_PCI_LEGACY_MSIX_CONFIG, vector);
    return virtio_reg_read16(dev, &dev->legacy, VIRTIO_PCI_LEGACY_MSIX_CONFIG);
}

/* Read (and so acknowledge) the legacy ISR status register. IRQL: any. */
static uint8_t legacy_isr(struct virtio_device *dev)
{
    return virtio_reg_read8(dev, &dev->legacy, VIRTIO_PCI_LEGACY_ISR);
}

/* Legacy notification: write the queue index to the notify register. IRQL: any. */
static void legacy_notify(struct virtqueue *vq, uint32_t data)
{
    struct virtio_device *dev = vq->priv;

    (void)data;
    dev->os.ops->write16(dev->os.ctx, vq->notify_space, vq->notify_addr, vq->index);
}

const struct virtio_transport_ops virtio_pci_legacy_ops = {
    .name = "legacy",
    .features = VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX),
    .has_features_ok = false,
    .used_align = VIRTIO_LEGACY_VRING_ALIGN,
    .get_status = legacy_get_status,
    .set_status = legacy_set_status,
    .get_features = legacy_get_features,
    .set_features = legacy_set_features,
    .generation = legacy_generation,
    .config_read = legacy_config_read,
    .config_write = legacy_config_write,
    .queue_max = legacy_queue_max,
    .queue_activate = legacy_queue_activate,
    .queue_deactivate = legacy_queue_deactivate,
    .set_config_vector = legacy_set_config_vector,
    .isr = legacy_isr,
    .notify = legacy_notify,
};
