/*
 * virtio_device.c - transport-independent device handling: status
 * sequence, feature negotiation, configuration reads, queue setup and the
 * re-initialisation path. Calls the transport only through dev->ops.
 */
#include "virtio_pci.h"

/** Transport feature bits the core itself implements */
#define VIRTIO_CORE_FEATURES                                                                       \
    (VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |                         \
     VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) |                       \
     VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_ORDER_PLATFORM) |                      \
     VIRTIO_BIT(VIRTIO_F_NOTIFICATION_DATA))

/** Mask of all transport bits (28..41) */
#define VIRTIO_TRANSPORT_MASK                                                                      \
    (((VIRTIO_BIT(VIRTIO_TRANSPORT_F_END - VIRTIO_TRANSPORT_F_START)) - 1)                         \
     << VIRTIO_TRANSPORT_F_START)

/**
 * Every read from a surprise-removed PCI function returns all ones. 0xff
 * is no status a device can report (bits 4 and 5 are reserved).
 */
#define VIRTIO_STATUS_GONE 0xff

/* Record the first protocol violation that makes the device unusable and report it to the OS layer
 * once. IRQL: any. */
void virtio_device_set_broken(struct virtio_device *dev, enum virtio_violation why)
{
    if (dev->broken)
        return;
    dev->broken = (uint8_t)why;
    if (dev->os.ops->report != NULL)
        dev->os.ops->report(dev->os.ctx, -1, why);
}

/* Read the device status byte (spec 2.1). IRQL: any. */
uint8_t virtio_get_status(struct virtio_device *dev)
{
    return dev->ops->get_status(dev);
}

/* Set more bits in the device status byte, keeping those already set. IRQL: any. */
void virtio_add_status(struct virtio_device *dev, uint8_t bits)
{
    dev->ops->set_status(dev, (uint8_t)(dev->ops->get_status(dev) | bits));
}

/**
 * Reset, first part (spec 2.4, 4.1.4.3.2): write 0, then read device_status
 * up to Polls times, VIRTIO_RESET_DELAY_US apart, until it reads back 0.
 * VIRTIO_EAGAIN: not yet (virtio_device_reset_poll goes on).  A removed
 * device (VIRTIO_STATUS_GONE) will never finish: VIRTIO_ENODEV at once.
 * IRQL <= DISPATCH_LEVEL.
 */
int virtio_device_reset_start(struct virtio_device *dev, unsigned polls)
{
    unsigned i;
    int rc = VIRTIO_EAGAIN;

    dev->ops->set_status(dev, 0);
    for (i = 0; i < polls; i++) {
        if (i != 0)
            dev->os.ops->delay_us(dev->os.ctx, VIRTIO_RESET_DELAY_US);
        if ((rc = virtio_device_reset_poll(dev)) != VIRTIO_EAGAIN)
            break;
    }
    return rc;
}

/* One read of device_status after virtio_device_reset_start (see virtio_pci.h). IRQL: any. */
int virtio_device_reset_poll(struct virtio_device *dev)
{
    uint8_t status = dev->ops->get_status(dev);

    if (status == 0)
        return 0;
    if (status == VIRTIO_STATUS_GONE) {
        virtio_device_set_broken(dev, VIRTIO_VIOL_GONE);
        return VIRTIO_ENODEV;
    }
    return VIRTIO_EAGAIN;
}

/**
 * Reset and wait until the device reads back 0, bounded (VIRTIO_RESET_POLLS
 * reads); a device that never finishes is reported.
 * IRQL <= DISPATCH_LEVEL.
 */
int virtio_device_reset(struct virtio_device *dev)
{
    int rc = virtio_device_reset_start(dev, VIRTIO_RESET_POLLS);

    if (rc != VIRTIO_EAGAIN)
        return rc;
    virtio_device_set_broken(dev, VIRTIO_VIOL_RESET_TIMEOUT);
    return VIRTIO_ETIMEDOUT;
}

/**
 * Steps 2-6 of the negotiation (see virtio_pci.h), on a device that has
 * just read back 0 after a reset.
 * IRQL: PASSIVE_LEVEL (DISPATCH_LEVEL in a StorPort miniport's reset, DIRQL
 * in its adapter restart).
 */
int virtio_negotiate_from_reset(struct virtio_device *dev, uint64_t wanted, uint64_t *features)
{
    uint64_t offered, accept;
    int rc;

    /* 2. ACKNOWLEDGE: we noticed the device; 3. DRIVER: we can drive it */
    dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);

    /* 4. Read the device features and pick the intersection */
    offered = dev->ops->get_features(dev);
    dev->device_features = offered;
    accept = wanted & ~VIRTIO_TRANSPORT_MASK;
    accept |= wanted & VIRTIO_CORE_FEATURES & dev->ops->features;
    /* Bus addresses come from the OS DMA layer: platform rules are met */
    accept |= VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM) & dev->ops->features;
    /* Ordering for real hardware costs little: always honour it */
    accept |= VIRTIO_BIT(VIRTIO_F_ORDER_PLATFORM) & dev->ops->features;
    if (dev->ops->has_features_ok)
        accept |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
    else
        accept &= 0xffffffffu;
    accept &= offered;

    /* A modern interface requires a 1.x device (spec 4.1.2.1) */
    if (dev->ops->has_features_ok && !(accept & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
        rc = VIRTIO_ENOTSUP;
        goto err_features;
    }

    /* 5. Write our subset */
    dev->ops->set_features(dev, accept);
    dev->features = accept;

    /* 6. FEATURES_OK, then read it back: the device may refuse (spec 3.1.1) */
    if (dev->ops->has_features_ok) {
        dev->ops->set_status(dev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                                      VIRTIO_CONFIG_S_FEATURES_OK);
        if (!(dev->ops->get_status(dev) & VIRTIO_CONFIG_S_FEATURES_OK)) {
            virtio_device_set_broken(dev, VIRTIO_VIOL_FEATURES_REFUSED);
            rc = VIRTIO_ENOTSUP;
            goto err_features;
        }
    }
    if (features != NULL)
        *features = accept;
    return 0;

err_features:
    dev->features = 0;
    virtio_device_fail(dev);
    return rc;
}

/**
 * Feature negotiation (see virtio_pci.h). Device-specific bits (0..27 and
 * 42..63) are taken from "wanted"; transport bits only if both this core
 * and the transport implement them.
 * IRQL: PASSIVE_LEVEL.
 */
int virtio_negotiate(struct virtio_device *dev, uint64_t wanted, uint64_t *features)
{
    int rc;

    /* 1. Reset */
    if ((rc = virtio_device_reset(dev)) != 0)
        return rc;
    return virtio_negotiate_from_reset(dev, wanted, features);
}

/* Set DRIVER_OK once the queues are live, and see whether the device took it or has gone. IRQL:
 * any. */
int virtio_device_ready(struct virtio_device *dev)
{
    uint8_t status;

    virtio_add_status(dev, VIRTIO_CONFIG_S_DRIVER_OK);
    status = dev->ops->get_status(dev);
    if (status == VIRTIO_STATUS_GONE) {
        virtio_device_set_broken(dev, VIRTIO_VIOL_GONE);
        return VIRTIO_ENODEV;
    }
    if (status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET) {
        virtio_device_set_broken(dev, VIRTIO_VIOL_NEEDS_RESET);
        return VIRTIO_EIO;
    }
    return 0;
}

/* Tell the device the driver gave up on it (status FAILED). IRQL: any. */
void virtio_device_fail(struct virtio_device *dev)
{
    virtio_add_status(dev, VIRTIO_CONFIG_S_FAILED);
}

/* Whether the device asked for a reset (DEVICE_NEEDS_RESET) or has gone from the bus. IRQL: any. */
bool virtio_device_needs_reset(struct virtio_device *dev)
{
    uint8_t status = dev->ops->get_status(dev);

    if (status == VIRTIO_STATUS_GONE) {
        /* The caller's reset then fails at once with VIRTIO_ENODEV */
        virtio_device_set_broken(dev, VIRTIO_VIOL_GONE);
        return true;
    }
    if (!(status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET))
        return false;
    virtio_device_set_broken(dev, VIRTIO_VIOL_NEEDS_RESET);
    return true;
}

/**
 * Consistent configuration read (spec 2.5.1, 4.1.4.3): read between two
 * equal config_generation values; a legacy device has none, so read twice
 * and compare. Bounded by VIRTIO_CONFIG_RETRIES.
 * IRQL: any.
 */
int virtio_config_read(struct virtio_device *dev, uint32_t off, void *buf, uint32_t len)
{
    uint8_t before, after, check[8];
    unsigned i;

    if (len == 0 || off > dev->device.len || len > dev->device.len - off)
        return VIRTIO_ERANGE;

    for (i = 0; i < VIRTIO_CONFIG_RETRIES; i++) {
        if (dev->ops->generation(dev, &before)) {
            dev->ops->config_read(dev, off, buf, len);
            dev->ops->generation(dev, &after);
            if (before == after)
                return 0;
        } else {
            /* Legacy: the second read (in chunks of up to 8) must agree */
            uint32_t done;
            bool same = true;

            dev->ops->config_read(dev, off, buf, len);
            for (done = 0; done < len && same; done += 8) {
                uint32_t n = len - done < 8 ? len - done : 8;

                dev->ops->config_read(dev, off + done, check, n);
                for (uint32_t k = 0; k < n; k++)
                    same = same && check[k] == ((uint8_t *)buf)[done + k];
            }
            if (same)
                return 0;
        }
    }
    virtio_device_set_broken(dev, VIRTIO_VIOL_CONFIG_UNSTABLE);
    return VIRTIO_EAGAIN;
}

/* Write bytes of the device-specific configuration, refusing a range outside it. IRQL: any. */
int virtio_config_write(struct virtio_device *dev, uint32_t off, const void *buf, uint32_t len)
{
    if (len == 0 || off > dev->device.len || len > dev->device.len - off)
        return VIRTIO_ERANGE;
    dev->ops->config_write(dev, off, buf, len);
    return 0;
}

/* Route configuration-change interrupts to an MSI-X vector, checking the device accepted it. IRQL:
 * any. */
int virtio_set_config_vector(struct virtio_device *dev, uint16_t vector)
{
    if (!dev->msix)
        return vector == VIRTIO_MSI_NO_VECTOR ? 0 : VIRTIO_ENOTSUP;
    if (dev->ops->set_config_vector(dev, vector) != vector) {
        /* NO_VECTOR back means the device could not map it */
        return VIRTIO_ENOSPC;
    }
    dev->config_vector = vector;
    return 0;
}

/* Read the line interrupt's ISR status, which also acknowledges it. IRQL: any. */
uint8_t virtio_isr_read(struct virtio_device *dev)
{
    return dev->ops->isr(dev);
}

/* Say which causes (queue, configuration change) an interrupt stands for, from its MSI-X message or
 * by reading ISR status once. IRQL: any. */
uint8_t virtio_isr_ack(struct virtio_device *dev, uint16_t message)
{
    if (!dev->msix)
        return dev->ops->isr(dev);
    if (message == dev->config_vector)
        return VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG;
    return VIRTIO_PCI_ISR_QUEUE;
}

/** Ring options that follow from the negotiated features. IRQL: any. */
static uint32_t queue_options(const struct virtio_device *dev)
{
    uint32_t opt = 0;

    if (virtio_has_feature(dev, VIRTIO_F_EVENT_IDX))
        opt |= VIRTQUEUE_OPT_EVENT_IDX;
    if (virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC))
        opt |= VIRTQUEUE_OPT_INDIRECT;
    if (virtio_has_feature(dev, VIRTIO_F_ORDER_PLATFORM))
        opt |= VIRTQUEUE_OPT_ORDER_PLATFORM;
    if (virtio_has_feature(dev, VIRTIO_F_NOTIFICATION_DATA))
        opt |= VIRTQUEUE_OPT_NOTIFICATION_DATA;
    return opt;
}

/** Largest power of two <= x (x > 0). IRQL: any. */
static uint16_t pow2_floor(uint16_t x)
{
    uint16_t p = 1;

    while ((uint16_t)(p << 1) != 0 && (uint16_t)(p << 1) <= x)
        p = (uint16_t)(p << 1);
    return p;
}

/**
 * The size a queue will have: the device's (legacy, fixed), or the wanted
 * size within the device's maximum (split: a power of two). 0 and rc set
 * when the queue is absent or its size unusable.
 * IRQL: any.
 */
static uint16_t queue_size(struct virtio_device *dev, uint16_t index, uint16_t want,
                           enum virtqueue_format format, int *rc)
{
    uint16_t max = dev->ops->queue_max(dev, index);

    *rc = 0;
    if (max == 0) {
        *rc = VIRTIO_ENODEV;
        return 0;
    }
    if (max > VIRTQ_MAX_SIZE)
        max = VIRTQ_MAX_SIZE;
    if (!dev->ops->has_features_ok) {
        /* Legacy sizes are fixed and must be powers of two */
        if (!virtio_is_pow2(max)) {
            virtio_device_set_broken(dev, VIRTIO_VIOL_QUEUE_SIZE);
            *rc = VIRTIO_EPROTO;
            return 0;
        }
        return max;
    }
    want = (want != 0 && want < max) ? want : max;
    return format == VIRTQUEUE_SPLIT ? pow2_floor(want) : want;
}

/** The ring format the negotiated features ask for. IRQL: any. */
static enum virtqueue_format queue_format(const struct virtio_device *dev)
{
    return virtio_has_feature(dev, VIRTIO_F_RING_PACKED) ? VIRTQUEUE_PACKED : VIRTQUEUE_SPLIT;
}

/**
 * Allocate, initialise and enable a queue (see virtio_pci.h).
 * IRQL: PASSIVE_LEVEL.
 */
int virtio_queue_setup(struct virtio_device *dev, struct virtqueue *vq,
                       const struct virtio_queue_config *cfg)
{
    const struct virtio_os_ops *o = dev->os.ops;
    enum virtqueue_format format = queue_format(dev);
    bool legacy = !dev->ops->has_features_ok;
    struct virtqueue_params p;
    struct virtqueue_layout layout;
    struct virtio_dma ring, ind;
    uint16_t num, indirect_max;
    void *state;
    int rc;

    memset(&ring, 0, sizeof(ring));
    memset(&ind, 0, sizeof(ind));

    /* Queue size (spec 4.1.5.1.3): 0 means absent */
    if ((num = queue_size(dev, cfg->index, cfg->size, format, &rc)) == 0)
        return rc;

    /* Ring memory; a modern device accepts a smaller ring if memory is short */
    indirect_max = virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC) ? cfg->indirect_max : 0;
    for (;;) {
        if ((rc = virtqueue_layout(format, num, indirect_max, dev->ops->used_align, &layout)) != 0)
            return rc;
        if ((rc = o->dma_alloc(dev->os.ctx, layout.ring_size, layout.ring_align, &ring)) == 0)
            break;
        if (legacy || num <= 1)
            goto err_ring;
        num = (uint16_t)(num / 2);
    }

    /* Indirect tables are an optimisation: go without if memory is short */
    if (layout.indirect_size != 0 &&
        o->dma_alloc(dev->os.ctx, layout.indirect_size, 16, &ind) != 0) {
        memset(&ind, 0, sizeof(ind));
        indirect_max = 0;
    }

    /* Driver-private state */
    state = o->mem_alloc(dev->os.ctx, layout.state_size);
    if (state == NULL) {
        rc = VIRTIO_ENOMEM;
        goto err_state;
    }

    memset(&p, 0, sizeof(p));
    p.format = format;
    p.index = cfg->index;
    p.num = num;
    p.indirect_max = indirect_max;
    p.indirect_min = cfg->indirect_min;
    p.seg_max = cfg->seg_max;
    p.options = queue_options(dev);
    p.used_align = dev->ops->used_align;
    p.ring_va = ring.va;
    p.ring_pa = ring.pa;
    p.indirect_va = ind.va;
    p.indirect_pa = ind.pa;
    p.state = state;
    p.notify = dev->ops->notify;
    p.priv = dev;
    p.os = &dev->os;
    if ((rc = virtqueue_init(vq, &p)) != 0)
        goto err_init;
    vq->ring_dma = ring;
    vq->indirect_dma = ind;
    vq->state_alloc = layout.state_size;

    /* Tell the device */
    if ((rc = dev->ops->queue_activate(dev, vq, cfg->msix_vector)) != 0)
        goto err_activate;
    return 0;

    dev->ops->queue_deactivate(dev, vq);
err_activate:
    memset(vq, 0, sizeof(*vq));
err_init:
    o->mem_free(dev->os.ctx, state, layout.state_size);
err_state:
    if (ind.va != NULL)
        o->dma_free(dev->os.ctx, &ind);
    o->dma_free(dev->os.ctx, &ring);
err_ring:
    return rc < 0 ? rc : VIRTIO_ENOMEM;
}

/**
 * Plan the memory of a set of queues (see virtio_pci.h): their sizes come
 * from the device, as virtio_queue_setup() would choose them.
 * IRQL: any.
 */
int virtio_queue_plan(struct virtio_device *dev, const struct virtio_queue_config *cfg,
                      unsigned nqueues, uint16_t indirect_max, uint16_t *num,
                      struct virtqueue_plan *plan)
{
    enum virtqueue_format format = queue_format(dev);
    unsigned i;
    int rc;

    for (i = 0; i < nqueues; i++)
        if ((num[i] = queue_size(dev, cfg[i].index, cfg[i].size, format, &rc)) == 0)
            return rc;
    if (!virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC))
        indirect_max = 0;
    return virtqueue_plan_init(plan, format, dev->ops->used_align, nqueues, num, indirect_max);
}

/**
 * Initialise and enable queue q of a plan over the caller's blocks (see
 * virtio_pci.h). The device must still offer the planned size.
 * IRQL: any.
 */
int virtio_queue_setup_planned(struct virtio_device *dev, struct virtqueue *vq,
                               const struct virtio_queue_config *cfg,
                               const struct virtqueue_plan *plan, unsigned q,
                               const struct virtio_dma *block, void *mem)
{
    struct virtqueue_params p;
    uint16_t num;
    int rc;

    if (q >= plan->nqueues || block == NULL || block->size < plan->dma_size ||
        plan->format != queue_format(dev) || plan->used_align != dev->ops->used_align)
        return VIRTIO_EINVAL;
    if ((num = queue_size(dev, cfg->index, plan->num[q], plan->format, &rc)) == 0)
        return rc;
    if (num != plan->num[q])
        return VIRTIO_EINVAL;
    memset(&p, 0, sizeof(p));
    p.index = cfg->index;
    p.indirect_min = cfg->indirect_min;
    p.seg_max = cfg->seg_max;
    p.options = queue_options(dev);
    p.notify = dev->ops->notify;
    p.priv = dev;
    p.os = &dev->os;
    if ((rc = virtqueue_init_planned(vq, plan, q, &p, block->va, block->pa, mem)) != 0)
        return rc;
    /* The memory is the caller's: teardown frees nothing */
    if ((rc = dev->ops->queue_activate(dev, vq, cfg->msix_vector)) != 0) {
        memset(vq, 0, sizeof(*vq));
        return rc;
    }
    return 0;
}

/**
 * Free a queue's memory (device already reset, or queue never enabled).
 * IRQL: PASSIVE_LEVEL.
 */
void virtio_queue_teardown(struct virtio_device *dev, struct virtqueue *vq)
{
    const struct virtio_os_ops *o = dev->os.ops;

    if (vq->ring_va == NULL)
        return;
    if (dev->ops != NULL)
        dev->ops->queue_deactivate(dev, vq);
    /* A planned queue lives in the caller's blocks: nothing of ours to free */
    if (vq->state_alloc != 0)
        o->mem_free(dev->os.ctx, vq->state, vq->state_alloc);
    if (vq->indirect_dma.va != NULL)
        o->dma_free(dev->os.ctx, &vq->indirect_dma);
    if (vq->ring_dma.va != NULL)
        o->dma_free(dev->os.ctx, &vq->ring_dma);
    memset(vq, 0, sizeof(*vq));
}

/**
 * Re-initialise the device (see virtio_pci.h). Used after
 * DEVICE_NEEDS_RESET, a broken queue, or a timeout.
 * IRQL: PASSIVE_LEVEL.
 */
int virtio_device_restart(struct virtio_device *dev, struct virtqueue *const *vqs, unsigned nvqs,
                          void (*cancel)(void *ctx, struct virtqueue *vq, void *cookie), void *ctx)
{
    int rc;

    /* Stop the device; after this it owns no buffer */
    if ((rc = virtio_device_reset(dev)) != 0)
        return rc;
    return virtio_device_restart_finish(dev, vqs, nvqs, cancel, ctx);
}

/**
 * The rest of a restart once the device read back 0 (see virtio_pci.h).
 * IRQL: PASSIVE_LEVEL (DISPATCH_LEVEL in a StorPort miniport's reset).
 */
int virtio_device_restart_finish(struct virtio_device *dev, struct virtqueue *const *vqs,
                                 unsigned nvqs,
                                 void (*cancel)(void *ctx, struct virtqueue *vq, void *cookie),
                                 void *ctx)
{
    uint64_t features = dev->features;
    uint16_t config_vector = dev->config_vector;
    uint64_t got;
    unsigned i;
    void *cookie;
    int rc;

    dev->broken = 0;

    /* Give back every outstanding request, then empty the rings */
    for (i = 0; i < nvqs; i++) {
        while ((cookie = virtqueue_detach_unused(vqs[i])) != NULL)
            if (cancel != NULL)
                cancel(ctx, vqs[i], cookie);
        virtqueue_reinit(vqs[i]);
    }

    /* Same features as before: the rings were laid out for them.  The
     * device was reset just before: a second reset would only repeat it */
    if ((rc = virtio_negotiate_from_reset(dev, features, &got)) != 0)
        goto err;
    if (got != features) {
        rc = VIRTIO_EPROTO;
        goto err;
    }
    if (config_vector != VIRTIO_MSI_NO_VECTOR &&
        (rc = virtio_set_config_vector(dev, config_vector)) != 0)
        goto err;
    for (i = 0; i < nvqs; i++)
        if ((rc = dev->ops->queue_activate(dev, vqs[i], vqs[i]->msix_vector)) != 0)
            goto err;
    return virtio_device_ready(dev);

err:
    virtio_device_fail(dev);
    return rc;
}
