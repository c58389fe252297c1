/*
 * virtio_pci.h - virtio over PCI: device discovery, status and feature
 * negotiation, configuration access, queues and interrupts.
 *
 * Typical use (spec 3.1.1, driver initialisation):
 *
 *   virtio_pci_probe(&dev, &os, VIRTIO_PCI_MODE_AUTO);   map the transport
 *   virtio_negotiate(&dev, wanted, &features);           reset .. FEATURES_OK
 *   virtio_set_config_vector(&dev, 0);                    with MSI-X
 *   virtio_queue_setup(&dev, &vq[i], &qcfg);              each queue
 *   virtio_device_ready(&dev);                            DRIVER_OK
 *   ...
 *   virtio_device_reset(&dev); virtio_queue_teardown(..); virtio_pci_release(&dev);
 *
 * On any error after probe call virtio_device_fail() (FAILED).
 */
#ifndef VIRTIO_PCI_H
#define VIRTIO_PCI_H

#include "virtio_types.h"
#include "virtio_spec.h"
#include "virtio_os.h"
#include "virtqueue.h"
#include "virtqueue_plan.h"

/** Which interface to use */
enum virtio_pci_mode {
    VIRTIO_PCI_MODE_AUTO = 0,   /**< Modern if the capabilities are usable, else legacy */
    VIRTIO_PCI_MODE_MODERN = 1, /**< Modern only */
    VIRTIO_PCI_MODE_LEGACY = 2, /**< Legacy I/O BAR only (transitional devices) */
};

/** One virtio structure found through a vendor capability */
struct virtio_pci_cap_info {
    bool present;
    uint8_t bar;
    uint32_t offset;
    uint32_t length;
};

/** Result of the capability walk */
struct virtio_pci_caps {
    struct virtio_pci_cap_info common;
    struct virtio_pci_cap_info notify;
    struct virtio_pci_cap_info isr;
    struct virtio_pci_cap_info device;
    uint32_t notify_off_multiplier;
    uint8_t msix_cap;  /**< Offset of the MSI-X capability, 0 if none */
    uint8_t violation; /**< First malformed-capability finding, if any */
    uint8_t ncaps;     /**< Capabilities visited */
};

struct virtio_device;

/** Transport operations: one table per interface (modern, legacy) */
struct virtio_transport_ops {
    const char *name;
    uint64_t features;    /**< Transport feature bits this interface supports */
    bool has_features_ok; /**< FEATURES_OK step exists (not in legacy) */
    size_t used_align;    /**< Split ring used-area alignment */
    uint8_t (*get_status)(struct virtio_device *dev);
    void (*set_status)(struct virtio_device *dev, uint8_t status);
    uint64_t (*get_features)(struct virtio_device *dev);
    void (*set_features)(struct virtio_device *dev, uint64_t features);
    /** Read config_generation; false if the interface has none */
    bool (*generation)(struct virtio_device *dev, uint8_t *gen);
    /** Raw device-config access, range already checked */
    void (*config_read)(struct virtio_device *dev, uint32_t off, void *buf, uint32_t len);
    void (*config_write)(struct virtio_device *dev, uint32_t off, const void *buf, uint32_t len);
    /** Maximum size of a queue, 0 if absent */
    uint16_t (*queue_max)(struct virtio_device *dev, uint16_t index);
    /** Program a queue's size, addresses, vector, notify address; enable it */
    int (*queue_activate)(struct virtio_device *dev, struct virtqueue *vq, uint16_t vector);
    /** Forget a queue's addresses (legacy), or nothing */
    void (*queue_deactivate)(struct virtio_device *dev, struct virtqueue *vq);
    /** Program the configuration-change vector and read it back */
    uint16_t (*set_config_vector)(struct virtio_device *dev, uint16_t vector);
    uint8_t (*isr)(struct virtio_device *dev);
    void (*notify)(struct virtqueue *vq, uint32_t data);
};

/** A virtio PCI function */
struct virtio_device {
    struct virtio_os os;
    const struct virtio_transport_ops *ops;
    uint8_t mode; /**< enum virtio_pci_mode actually in use */
    uint16_t pci_device_id;
    uint16_t device_type; /**< Virtio device type (1 net, 2 blk, ...) */
    uint8_t revision;
    bool msix;              /**< MSI-X enabled on the function */
    uint16_t msix_vectors;  /**< MSI-X table size */
    uint16_t num_queues;    /**< Modern: num_queues; legacy: 0 (unknown) */
    uint16_t config_vector; /**< Configuration-change vector in use */
    uint8_t broken;         /**< enum virtio_violation, 0 while healthy */
    struct virtio_pci_caps caps;
    struct virtio_region common, notify, isr, device, legacy;
    uint64_t device_features; /**< Offered by the device */
    uint64_t features;        /**< Negotiated */
};

/** Polls of the status register after a reset, each after a delay */
#define VIRTIO_RESET_POLLS    1000
#define VIRTIO_RESET_DELAY_US 100
/** Attempts at a consistent configuration read */
#define VIRTIO_CONFIG_RETRIES 16

/**
 * Walk the PCI capability list and locate the virtio structures. Every
 * value read is range-checked: list pointers, lengths, BAR numbers, and
 * offset + length against the BAR size. Bounded; never loops forever.
 * Exposed for the fuzzer and the tests.
 */
int virtio_pci_parse_caps(const struct virtio_os *os, struct virtio_pci_caps *caps);

/**
 * The BAR (0..5) whose base address register holds base in the given space
 * (is_io: port, else memory), or -1. For OS bindings that receive their
 * device's resources as address ranges (StorPort access ranges, NDIS
 * resource lists) and must tell the core which BAR each one is.
 * IRQL: any (reads configuration space through the OS services).
 */
int virtio_pci_bar_of(const struct virtio_os *os, uint64_t base, bool is_io);

/**
 * The first I/O BAR (0..5) not in taken (bit n = BAR n already has its
 * range), or -1. For OS bindings that receive only translated resources: on
 * a platform without port space (ARM64) an I/O BAR arrives as a memory range
 * whose CPU address is not the bus address in the BAR register, so
 * virtio_pci_bar_of cannot place it; the binding gives it to the I/O BAR
 * left over. IRQL: any (reads configuration space through the OS services).
 */
int virtio_pci_io_bar_left(const struct virtio_os *os, uint32_t taken);

/**
 * Find and map the transport of a virtio PCI function.
 *
 * @v dev   Device, filled in
 * @v os    OS services (copied)
 * @v mode  Interface to use
 * @ret rc  0, VIRTIO_ENODEV (not virtio / no usable interface), VIRTIO_EPROTO
 */
int virtio_pci_probe(struct virtio_device *dev, const struct virtio_os *os,
                     enum virtio_pci_mode mode);

/** Unmap what probe mapped */
void virtio_pci_release(struct virtio_device *dev);

/** Reset the device and wait (bounded) until it reads back 0 (spec 4.1.4.3.1) */
int virtio_device_reset(struct virtio_device *dev);

/**
 * A reset whose wait the caller bounds (a StorPort miniport may stall less
 * than 1 ms): write 0 and read the status up to polls times.
 *
 * @ret rc  0 (reads 0), VIRTIO_EAGAIN (not yet: virtio_device_reset_poll
 *          later, and nothing reinitialised meanwhile), VIRTIO_ENODEV
 */
int virtio_device_reset_start(struct virtio_device *dev, unsigned polls);

/** One more read after virtio_device_reset_start: 0, VIRTIO_EAGAIN or VIRTIO_ENODEV */
int virtio_device_reset_poll(struct virtio_device *dev);

/** Read the device status */
uint8_t virtio_get_status(struct virtio_device *dev);

/** OR bits into the device status */
void virtio_add_status(struct virtio_device *dev, uint8_t bits);

/**
 * Device initialisation steps 1-6 (spec 3.1.1): reset, ACKNOWLEDGE, DRIVER,
 * read features, write the intersection with what the driver wants (and
 * the transport supports), FEATURES_OK and read-back.
 *
 * @v dev       Device
 * @v wanted    Feature bits the driver wants
 * @v features  Negotiated features (may be NULL)
 * @ret rc      0, VIRTIO_ENOTSUP (device refused), VIRTIO_ETIMEDOUT
 */
int virtio_negotiate(struct virtio_device *dev, uint64_t wanted, uint64_t *features);

/**
 * Steps 2-6 of virtio_negotiate on a device the caller has reset (it read
 * back 0 after virtio_device_reset_start / _poll): a caller that may not
 * wait as long as virtio_negotiate's reset does (a StorPort miniport).
 */
int virtio_negotiate_from_reset(struct virtio_device *dev, uint64_t wanted, uint64_t *features);

/** Set DRIVER_OK (spec 3.1.1 step 8) */
int virtio_device_ready(struct virtio_device *dev);

/** Set FAILED: the driver gave up on the device */
void virtio_device_fail(struct virtio_device *dev);

/**
 * True if the device set DEVICE_NEEDS_RESET (checked on config interrupts)
 * or is gone (status 0xff, dev->broken == VIRTIO_VIOL_GONE).
 */
bool virtio_device_needs_reset(struct virtio_device *dev);

/** True if feature bit is negotiated. IRQL: any. */
static inline bool virtio_has_feature(const struct virtio_device *dev, unsigned bit)
{
    return (dev->features & VIRTIO_BIT(bit)) != 0;
}

/** Per-queue setup parameters */
struct virtio_queue_config {
    uint16_t index;        /**< Queue index */
    uint16_t size;         /**< Wanted size, 0 = device maximum */
    uint16_t indirect_max; /**< Segments per indirect table (0 = none) */
    uint16_t indirect_min; /**< Use indirect from this many segments (0 = 2) */
    uint16_t seg_max;      /**< Device's segments per request (e.g. blk seg_max), 0 = none */
    uint16_t msix_vector;  /**< MSI-X vector, VIRTIO_MSI_NO_VECTOR for none */
};

/**
 * Allocate, initialise and enable a queue (spec 4.1.5.1.3). After
 * virtio_negotiate() and before virtio_device_ready().
 *
 * @ret rc  0, VIRTIO_ENODEV (no such queue), VIRTIO_ENOMEM, VIRTIO_EPROTO,
 *          VIRTIO_ENOSPC (device refused the MSI-X vector)
 */
int virtio_queue_setup(struct virtio_device *dev, struct virtqueue *vq,
                       const struct virtio_queue_config *cfg);

/**
 * Plan the memory of nqueues queues in one DMA block and one private block
 * (virtqueue_plan.h), e.g. in HwFindAdapter to size StorPort's uncached
 * extension. After virtio_negotiate().
 *
 * @v cfg           Per queue: index and wanted size (0 = device maximum)
 * @v indirect_max  Pool tables per queue (0: requests bring their own)
 * @v num           Filled with the sizes; must outlive the plan
 * @ret rc  0, VIRTIO_ENODEV (a queue is absent), VIRTIO_EPROTO, VIRTIO_EINVAL
 */
int virtio_queue_plan(struct virtio_device *dev, const struct virtio_queue_config *cfg,
                      unsigned nqueues, uint16_t indirect_max, uint16_t *num,
                      struct virtqueue_plan *plan);

/**
 * Initialise and enable queue q of the plan over the caller's blocks
 * (block: at least plan->dma_size bytes, aligned to plan->dma_align; mem:
 * plan->mem_size bytes, pointer aligned). cfg as for virtio_queue_setup();
 * its size is the plan's. Teardown then frees nothing.
 *
 * @ret rc  0, VIRTIO_EINVAL (block too small or misaligned, plan not for
 *          this device), VIRTIO_ENODEV, VIRTIO_EPROTO, VIRTIO_ENOSPC
 */
int virtio_queue_setup_planned(struct virtio_device *dev, struct virtqueue *vq,
                               const struct virtio_queue_config *cfg,
                               const struct virtqueue_plan *plan, unsigned q,
                               const struct virtio_dma *block, void *mem);

/** Free a queue's memory. The device must be reset first. */
void virtio_queue_teardown(struct virtio_device *dev, struct virtqueue *vq);

/**
 * Re-initialise after DEVICE_NEEDS_RESET or a driver-detected violation:
 * reset, hand every outstanding request to cancel(), negotiate the same
 * features again, re-enable the queues on their existing memory, DRIVER_OK.
 */
int virtio_device_restart(struct virtio_device *dev, struct virtqueue *const *vqs, unsigned nvqs,
                          void (*cancel)(void *ctx, struct virtqueue *vq, void *cookie), void *ctx);

/**
 * virtio_device_restart after its reset: the device has read back 0
 * (virtio_device_reset_start / _poll returned 0).
 */
int virtio_device_restart_finish(struct virtio_device *dev, struct virtqueue *const *vqs,
                                 unsigned nvqs,
                                 void (*cancel)(void *ctx, struct virtqueue *vq, void *cookie),
                                 void *ctx);

/**
 * Read device configuration consistently: retried while config_generation
 * changes (legacy: until two reads agree), bounded.
 *
 * @ret rc  0, VIRTIO_ERANGE, VIRTIO_EAGAIN (never settled)
 */
int virtio_config_read(struct virtio_device *dev, uint32_t off, void *buf, uint32_t len);

/** Write device configuration */
int virtio_config_write(struct virtio_device *dev, uint32_t off, const void *buf, uint32_t len);

/** Size of the device configuration region. IRQL: any. */
static inline uint32_t virtio_config_len(const struct virtio_device *dev)
{
    return dev->device.len;
}

/** Program the configuration-change MSI-X vector, with read-back */
int virtio_set_config_vector(struct virtio_device *dev, uint16_t vector);

/** Read (and so acknowledge) the INTx ISR status (VIRTIO_PCI_ISR_*) */
uint8_t virtio_isr_read(struct virtio_device *dev);

/**
 * What an interrupt of this device means, from its ISR (any IRQL): the
 * VIRTIO_PCI_ISR_* causes it may stand for, 0 when it is not ours.  With
 * MSI-X a message is never shared and needs no acknowledgement: a queue
 * message means QUEUE, the configuration vector CONFIG (and QUEUE too, as
 * drivers with one message share it).  A line interrupt may be shared:
 * reading ISR status acknowledges it and tells.
 */
uint8_t virtio_isr_ack(struct virtio_device *dev, uint16_t message);

/** Mark the device broken and report why, once */
void virtio_device_set_broken(struct virtio_device *dev, enum virtio_violation why);

extern const struct virtio_transport_ops virtio_pci_modern_ops;
extern const struct virtio_transport_ops virtio_pci_legacy_ops;

/** @defgroup virtio_reg Register access through the OS services @{. IRQL: any. */
static inline uint8_t virtio_reg_read8(struct virtio_device *dev, const struct virtio_region *r,
                                       uint32_t off)
{
    return dev->os.ops->read8(dev->os.ctx, r->space, r->base + off);
}
/* Read a 16-bit transport register through the OS services. IRQL: any. */
static inline uint16_t virtio_reg_read16(struct virtio_device *dev, const struct virtio_region *r,
                                         uint32_t off)
{
    return dev->os.ops->read16(dev->os.ctx, r->space, r->base + off);
}
/* Read a 32-bit transport register through the OS services. IRQL: any. */
static inline uint32_t virtio_reg_read32(struct virtio_device *dev, const struct virtio_region *r,
                                         uint32_t off)
{
    return dev->os.ops->read32(dev->os.ctx, r->space, r->base + off);
}
/* Write an 8-bit transport register through the OS services. IRQL: any. */
static inline void virtio_reg_write8(struct virtio_device *dev, const struct virtio_region *r,
                                     uint32_t off, uint8_t v)
{
    dev->os.ops->write8(dev->os.ctx, r->space, r->base + off, v);
}
/* Write a 16-bit transport register through the OS services. IRQL: any. */
static inline void virtio_reg_write16(struct virtio_device *dev, const struct virtio_region *r,
                                      uint32_t off, uint16_t v)
{
    dev->os.ops->write16(dev->os.ctx, r->space, r->base + off, v);
}
/* Write a 32-bit transport register through the OS services. IRQL: any. */
static inline void virtio_reg_write32(struct virtio_device *dev, const struct virtio_region *r,
                                      uint32_t off, uint32_t v)
{
    dev->os.ops->write32(dev->os.ctx, r->space, r->base + off, v);
}
/** @} */

#endif /* VIRTIO_PCI_H */
