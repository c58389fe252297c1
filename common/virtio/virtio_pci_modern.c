/*
 * virtio_pci_modern.c - the virtio 1.x PCI interface (spec 4.1.4): common
 * configuration structure, notification structure, ISR and device
 * configuration, each found through a vendor capability.
 */
#include "virtio_pci.h"

/* Read the device status from the common configuration structure. IRQL: any. */
static uint8_t modern_get_status(struct virtio_device *dev)
{
    return virtio_reg_read8(dev, &dev->common, VIRTIO_PCI_COMMON_STATUS);
}

/* Write the device status in the common configuration structure. IRQL: any. */
static void modern_set_status(struct virtio_device *dev, uint8_t status)
{
    virtio_reg_write8(dev, &dev->common, VIRTIO_PCI_COMMON_STATUS, status);
}

/** Features are read 32 bits at a time through a select register. IRQL: any. */
static uint64_t modern_get_features(struct virtio_device *dev)
{
    uint64_t lo, hi;

    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_DFSELECT, 0);
    lo = virtio_reg_read32(dev, &dev->common, VIRTIO_PCI_COMMON_DF);
    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_DFSELECT, 1);
    hi = virtio_reg_read32(dev, &dev->common, VIRTIO_PCI_COMMON_DF);
    return lo | (hi << 32);
}

/* Write the 64 accepted feature bits, 32 at a time through the select register. IRQL: any. */
static void modern_set_features(struct virtio_device *dev, uint64_t features)
{
    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_GFSELECT, 0);
    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_GF, (uint32_t)features);
    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_GFSELECT, 1);
    virtio_reg_write32(dev, &dev->common, VIRTIO_PCI_COMMON_GF, (uint32_t)(features >> 32));
}

/* Read config_generation, which changes when the device configuration does. IRQL: any. */
static bool modern_generation(struct virtio_device *dev, uint8_t *gen)
{
    *gen = virtio_reg_read8(dev, &dev->common, VIRTIO_PCI_COMMON_CFGGENERATION);
    return true;
}

/**
 * Device configuration access with the widths the spec requires (4.1.3.1):
 * naturally aligned 8/16/32-bit accesses; 64-bit fields as two 32-bit.
 * IRQL: any.
 */
static void modern_config_read(struct virtio_device *dev, uint32_t off, void *buf, uint32_t len)
{
    uint8_t *p = buf;

    while (len) {
        if (len >= 4 && !(off & 3)) {
            uint32_t v = virtio_cpu_to_le32(virtio_reg_read32(dev, &dev->device, off));
            memcpy(p, &v, 4);
            off += 4, p += 4, len -= 4;
        } else if (len >= 2 && !(off & 1)) {
            uint16_t v = virtio_cpu_to_le16(virtio_reg_read16(dev, &dev->device, off));
            memcpy(p, &v, 2);
            off += 2, p += 2, len -= 2;
        } else {
            *p = virtio_reg_read8(dev, &dev->device, off);
            off += 1, p += 1, len -= 1;
        }
    }
}

/* Write device configuration with the access widths the spec requires (4.1.3.1). IRQL: any. */
static void modern_config_write(struct virtio_device *dev, uint32_t off, const void *buf,
                                uint32_t len)
{
    const uint8_t *p = buf;

    while (len) {
        if (len >= 4 && !(off & 3)) {
            uint32_t v;
            memcpy(&v, p, 4);
            virtio_reg_write32(dev, &dev->device, off, virtio_le32_to_cpu(v));
            off += 4, p += 4, len -= 4;
        } else if (len >= 2 && !(off & 1)) {
            uint16_t v;
            memcpy(&v, p, 2);
            virtio_reg_write16(dev, &dev->device, off, virtio_le16_to_cpu(v));
            off += 2, p += 2, len -= 2;
        } else {
            virtio_reg_write8(dev, &dev->device, off, *p);
            off += 1, p += 1, len -= 1;
        }
    }
}

/* Largest size the device allows for a queue (0: no such queue). IRQL: any. */
static uint16_t modern_queue_max(struct virtio_device *dev, uint16_t index)
{
    if (index >= dev->num_queues)
        return 0;
    virtio_reg_write16(dev, &dev->common, VIRTIO_PCI_COMMON_Q_SELECT, index);
    return virtio_reg_read16(dev, &dev->common, VIRTIO_PCI_COMMON_Q_SIZE);
}

/** Write a 64-bit register as two 32-bit halves, low first. IRQL: any. */
static void modern_write64(struct virtio_device *dev, uint32_t lo_off, uint64_t v)
{
    virtio_reg_write32(dev, &dev->common, lo_off, (uint32_t)v);
    virtio_reg_write32(dev, &dev->common, lo_off + 4, (uint32_t)(v >> 32));
}

/**
 * Queue setup (spec 4.1.5.1.3): select, size, addresses, vector with
 * read-back, notify address with bounds check, enable.
 * IRQL: any.
 */
static int modern_queue_activate(struct virtio_device *dev, struct virtqueue *vq, uint16_t vector)
{
    struct virtio_region *c = &dev->common;
    uint32_t width = vq->notification_data ? 4 : 2;
    uint64_t notify_off;
    uint16_t noff;

    virtio_reg_write16(dev, c, VIRTIO_PCI_COMMON_Q_SELECT, vq->index);
    virtio_reg_write16(dev, c, VIRTIO_PCI_COMMON_Q_SIZE, vq->num);
    modern_write64(dev, VIRTIO_PCI_COMMON_Q_DESCLO, vq->desc_pa);
    modern_write64(dev, VIRTIO_PCI_COMMON_Q_AVAILLO, vq->driver_pa);
    modern_write64(dev, VIRTIO_PCI_COMMON_Q_USEDLO, vq->device_pa);

    /* MSI-X vector: the device answers NO_VECTOR if it cannot map it */
    if (dev->msix) {
        virtio_reg_write16(dev, c, VIRTIO_PCI_COMMON_Q_MSIX, vector);
        if (virtio_reg_read16(dev, c, VIRTIO_PCI_COMMON_Q_MSIX) != vector)
            return vector == VIRTIO_MSI_NO_VECTOR ? VIRTIO_EPROTO : VIRTIO_ENOSPC;
    }
    vq->msix_vector = dev->msix ? vector : VIRTIO_MSI_NO_VECTOR;

    /* Notification address: cap.offset + queue_notify_off * multiplier */
    noff = virtio_reg_read16(dev, c, VIRTIO_PCI_COMMON_Q_NOFF);
    notify_off = (uint64_t)noff * dev->caps.notify_off_multiplier;
    if (notify_off + width > dev->notify.len) {
        virtio_device_set_broken(dev, VIRTIO_VIOL_NOTIFY_RANGE);
        return VIRTIO_EPROTO;
    }
    vq->notify_addr = dev->notify.base + (uintptr_t)notify_off;
    vq->notify_space = dev->notify.space;

    virtio_reg_write16(dev, c, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
    return 0;
}

/* Nothing to do per queue: without RING_RESET only a device reset disables a queue. IRQL: any. */
static void modern_queue_deactivate(struct virtio_device *dev, struct virtqueue *vq)
{
    /* A 1.x queue cannot be disabled alone without RING_RESET: reset does it */
    (void)dev;
    (void)vq;
}

/* Program the configuration MSI-X vector and read back what the device kept. IRQL: any. */
static uint16_t modern_set_config_vector(struct virtio_device *dev, uint16_t vector)
{
    virtio_reg_write16(dev, &dev->common, VIRTIO_PCI_COMMON_MSIX, vector);
    return virtio_reg_read16(dev, &dev->common, VIRTIO_PCI_COMMON_MSIX);
}

/* Read (and so acknowledge) the ISR status byte. IRQL: any. */
static uint8_t modern_isr(struct virtio_device *dev)
{
    return virtio_reg_read8(dev, &dev->isr, 0);
}

/** Driver notification: 16-bit queue index, or 32-bit notification data. IRQL: any. */
static void modern_notify(struct virtqueue *vq, uint32_t data)
{
    struct virtio_device *dev = vq->priv;

    if (vq->notification_data)
        dev->os.ops->write32(dev->os.ctx, vq->notify_space, vq->notify_addr, data);
    else
        dev->os.ops->write16(dev->os.ctx, vq->notify_space, vq->notify_addr, (uint16_t)data);
}

const struct virtio_transport_ops virtio_pci_modern_ops = {
    .name = "modern",
    .features = VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |
                VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_ORDER_PLATFORM) |
                VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA),
    .has_features_ok = true,
    .used_align = 4,
    .get_status = modern_get_status,
    .set_status = modern_set_status,
    .get_features = modern_get_features,
    .set_features = modern_set_features,
    .generation = modern_generation,
    .config_read = modern_config_read,
    .config_write = modern_config_write,
    .queue_max = modern_queue_max,
    .queue_activate = modern_queue_activate,
    .queue_deactivate = modern_queue_deactivate,
    .set_config_vector = modern_set_config_vector,
    .isr = modern_isr,
    .notify = modern_notify,
};
