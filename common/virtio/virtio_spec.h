/*
 * virtio_spec.h - constants and layouts from the Virtual I/O Device (VIRTIO)
 * specification 1.x, using the specification's own names.
 *
 * Only definitions live here: no code, no OS dependency.
 */
#ifndef VIRTIO_SPEC_H
#define VIRTIO_SPEC_H

#include "virtio_types.h"

/**
 * @defgroup virtio_status Device status field (spec 2.1)
 * @{
 */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE        0x01 /**< Guest noticed the device */
#define VIRTIO_CONFIG_S_DRIVER             0x02 /**< Guest knows how to drive it */
#define VIRTIO_CONFIG_S_DRIVER_OK          0x04 /**< Driver is ready */
#define VIRTIO_CONFIG_S_FEATURES_OK        0x08 /**< Feature negotiation complete */
#define VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET 0x40 /**< Device hit an error */
#define VIRTIO_CONFIG_S_FAILED             0x80 /**< Driver gave up */
/** @} */

/**
 * @defgroup virtio_feat Reserved (transport) feature bits (spec 6)
 * @{
 */
#define VIRTIO_F_INDIRECT_DESC     28 /**< Indirect descriptor tables */
#define VIRTIO_F_EVENT_IDX         29 /**< used_event / avail_event */
#define VIRTIO_F_VERSION_1         32 /**< Virtio 1.x compliance */
#define VIRTIO_F_ACCESS_PLATFORM   33 /**< Device behind an IOMMU / platform DMA rules */
#define VIRTIO_F_RING_PACKED       34 /**< Packed virtqueue layout */
#define VIRTIO_F_IN_ORDER          35 /**< Buffers used in the order made available */
#define VIRTIO_F_ORDER_PLATFORM    36 /**< Platform memory ordering required */
#define VIRTIO_F_SR_IOV            37 /**< Single root I/O virtualisation */
#define VIRTIO_F_NOTIFICATION_DATA 38 /**< Extra data in driver notifications */
#define VIRTIO_F_NOTIF_CONFIG_DATA 39 /**< Device-supplied notification data */
#define VIRTIO_F_RING_RESET        40 /**< Per-queue reset */
#define VIRTIO_TRANSPORT_F_START   28 /**< First transport bit */
#define VIRTIO_TRANSPORT_F_END     42 /**< One past the last transport bit */

/** Feature bit as a 64-bit mask */
#define VIRTIO_BIT(n) ((uint64_t)1 << (n))
/** @} */

/**
 * @defgroup virtio_split Split virtqueue layout (spec 2.7)
 * @{
 */
#define VIRTQ_DESC_F_NEXT     1 /**< Buffer continues via next */
#define VIRTQ_DESC_F_WRITE    2 /**< Buffer is device write-only */
#define VIRTQ_DESC_F_INDIRECT 4 /**< Buffer holds a descriptor table */

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1 /**< Driver: no used buffer notification */
#define VIRTQ_USED_F_NO_NOTIFY     1 /**< Device: no available buffer notification */

/** Maximum queue size (spec 2.6) */
#define VIRTQ_MAX_SIZE 32768

/** Descriptor (16 bytes, alignment 16) */
struct virtq_desc {
    uint64_t addr;  /**< le64: bus address */
    uint32_t len;   /**< le32: length */
    uint16_t flags; /**< le16: VIRTQ_DESC_F_* */
    uint16_t next;  /**< le16: next descriptor if F_NEXT */
};

/** Available ring header; ring[num] then used_event (le16) follow */
struct virtq_avail {
    uint16_t flags; /**< le16: VIRTQ_AVAIL_F_* */
    uint16_t idx;   /**< le16: where the driver puts the next entry */
    uint16_t ring[];
};

/** Used ring element */
struct virtq_used_elem {
    uint32_t id;  /**< le32: head of the used descriptor chain */
    uint32_t len; /**< le32: bytes written into the buffer */
};

/** Used ring header; ring[num] then avail_event (le16) follow */
struct virtq_used {
    uint16_t flags; /**< le16: VIRTQ_USED_F_* */
    uint16_t idx;   /**< le16: where the device puts the next entry */
    struct virtq_used_elem ring[];
};

/** Legacy interfaces align the used ring to this (spec 2.7, legacy) */
#define VIRTIO_LEGACY_VRING_ALIGN 4096
/** Legacy queue address is written as a page frame number */
#define VIRTIO_LEGACY_PFN_SHIFT 12
/** @} */

/**
 * @defgroup virtio_packed Packed virtqueue layout (spec 2.8)
 * @{
 */
#define VIRTQ_DESC_F_AVAIL 7  /**< Bit number of the avail flag */
#define VIRTQ_DESC_F_USED  15 /**< Bit number of the used flag */

#define RING_EVENT_FLAGS_ENABLE  0x0 /**< Notifications enabled */
#define RING_EVENT_FLAGS_DISABLE 0x1 /**< Notifications disabled */
#define RING_EVENT_FLAGS_DESC    0x2 /**< Notify at off_wrap (EVENT_IDX) */
#define RING_EVENT_WRAP_SHIFT    15  /**< Wrap counter bit in off_wrap */

/** Packed descriptor (16 bytes, alignment 16) */
struct pvirtq_desc {
    uint64_t addr;  /**< le64: bus address */
    uint32_t len;   /**< le32: length (written length when used) */
    uint16_t id;    /**< le16: buffer id */
    uint16_t flags; /**< le16: VIRTQ_DESC_F_* and avail/used bits */
};

/** Event suppression structure (4 bytes, alignment 4) */
struct pvirtq_event_suppress {
    uint16_t off_wrap; /**< le16: descriptor offset (15 bits) and wrap counter */
    uint16_t flags;    /**< le16: RING_EVENT_FLAGS_* */
};
/** @} */

/**
 * @defgroup virtio_pci PCI transport (spec 4.1)
 * @{
 */
#define VIRTIO_PCI_VENDOR_ID         0x1af4
#define VIRTIO_PCI_DEVICE_LEGACY_MIN 0x1000 /**< Transitional devices */
#define VIRTIO_PCI_DEVICE_LEGACY_MAX 0x103f
#define VIRTIO_PCI_DEVICE_MODERN_MIN 0x1040 /**< 0x1040 + device type */
#define VIRTIO_PCI_DEVICE_MODERN_MAX 0x107f

/* Standard PCI configuration header */
#define PCI_VENDOR_ID         0x00
#define PCI_DEVICE_ID         0x02
#define PCI_STATUS            0x06
#define PCI_STATUS_CAP_LIST   0x10
#define PCI_REVISION_ID       0x08
#define PCI_SUBSYSTEM_ID      0x2e
#define PCI_BASE_ADDRESS_0    0x10
#define PCI_NUM_BARS          6
#define PCI_CAPABILITY_LIST   0x34
#define PCI_CAP_ID_MSIX       0x11
#define PCI_CAP_ID_VNDR       0x09
#define PCI_MSIX_FLAGS        2      /**< Message control, in the MSI-X cap */
#define PCI_MSIX_FLAGS_ENABLE 0x8000 /**< MSI-X enable */
#define PCI_MSIX_FLAGS_QSIZE  0x07ff /**< Table size - 1 */
#define PCI_CFG_SPACE_SIZE    256
#define PCI_STD_HEADER_SIZE   0x40
#define PCI_STD_NUM_BARS      6
#define PCI_CAP_WALK_LIMIT    48 /**< (256 - 64) / 4 capabilities at most */

/* struct virtio_pci_cap field offsets */
#define VIRTIO_PCI_CAP_VNDR        0  /**< u8: PCI_CAP_ID_VNDR */
#define VIRTIO_PCI_CAP_NEXT        1  /**< u8: next capability */
#define VIRTIO_PCI_CAP_LEN         2  /**< u8: capability length */
#define VIRTIO_PCI_CAP_CFG_TYPE    3  /**< u8: VIRTIO_PCI_CAP_*_CFG */
#define VIRTIO_PCI_CAP_BAR         4  /**< u8: BAR index */
#define VIRTIO_PCI_CAP_ID          5  /**< u8: multiple caps of a type */
#define VIRTIO_PCI_CAP_OFFSET      8  /**< le32: offset in the BAR */
#define VIRTIO_PCI_CAP_LENGTH      12 /**< le32: length of the structure */
#define VIRTIO_PCI_CAP_SIZE        16 /**< sizeof(struct virtio_pci_cap) */
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16 /**< le32: notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE 20 /**< sizeof(struct virtio_pci_notify_cap) */

/* cfg_type values */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5

/* struct virtio_pci_common_cfg field offsets (spec 4.1.4.3) */
#define VIRTIO_PCI_COMMON_DFSELECT      0  /**< le32 RW device_feature_select */
#define VIRTIO_PCI_COMMON_DF            4  /**< le32 RO device_feature */
#define VIRTIO_PCI_COMMON_GFSELECT      8  /**< le32 RW driver_feature_select */
#define VIRTIO_PCI_COMMON_GF            12 /**< le32 RW driver_feature */
#define VIRTIO_PCI_COMMON_MSIX          16 /**< le16 RW config_msix_vector */
#define VIRTIO_PCI_COMMON_NUMQ          18 /**< le16 RO num_queues */
#define VIRTIO_PCI_COMMON_STATUS        20 /**< u8 RW device_status */
#define VIRTIO_PCI_COMMON_CFGGENERATION 21 /**< u8 RO config_generation */
#define VIRTIO_PCI_COMMON_Q_SELECT      22 /**< le16 RW queue_select */
#define VIRTIO_PCI_COMMON_Q_SIZE        24 /**< le16 RW queue_size */
#define VIRTIO_PCI_COMMON_Q_MSIX        26 /**< le16 RW queue_msix_vector */
#define VIRTIO_PCI_COMMON_Q_ENABLE      28 /**< le16 RW queue_enable */
#define VIRTIO_PCI_COMMON_Q_NOFF        30 /**< le16 RO queue_notify_off */
#define VIRTIO_PCI_COMMON_Q_DESCLO      32 /**< le64 RW queue_desc */
#define VIRTIO_PCI_COMMON_Q_DESCHI      36
#define VIRTIO_PCI_COMMON_Q_AVAILLO     40 /**< le64 RW queue_driver */
#define VIRTIO_PCI_COMMON_Q_AVAILHI     44
#define VIRTIO_PCI_COMMON_Q_USEDLO      48 /**< le64 RW queue_device */
#define VIRTIO_PCI_COMMON_Q_USEDHI      52
#define VIRTIO_PCI_COMMON_SIZE          56 /**< Size of the 1.0 structure */

/* Legacy I/O BAR 0 layout (spec 4.1.4.8) */
#define VIRTIO_PCI_LEGACY_HOST_FEATURES  0  /**< le32 RO */
#define VIRTIO_PCI_LEGACY_GUEST_FEATURES 4  /**< le32 RW */
#define VIRTIO_PCI_LEGACY_QUEUE_PFN      8  /**< le32 RW */
#define VIRTIO_PCI_LEGACY_QUEUE_NUM      12 /**< le16 RO */
#define VIRTIO_PCI_LEGACY_QUEUE_SEL      14 /**< le16 RW */
#define VIRTIO_PCI_LEGACY_QUEUE_NOTIFY   16 /**< le16 RW */
#define VIRTIO_PCI_LEGACY_STATUS         18 /**< u8 RW */
#define VIRTIO_PCI_LEGACY_ISR            19 /**< u8 RO (read clears) */
#define VIRTIO_PCI_LEGACY_MSIX_CONFIG    20 /**< le16 RW, only with MSI-X */
#define VIRTIO_PCI_LEGACY_MSIX_QUEUE     22 /**< le16 RW, only with MSI-X */
#define VIRTIO_PCI_LEGACY_CONFIG         20 /**< device config without MSI-X */
#define VIRTIO_PCI_LEGACY_CONFIG_MSIX    24 /**< device config with MSI-X */

/* ISR status bits */
#define VIRTIO_PCI_ISR_QUEUE  0x1 /**< Used buffer notification */
#define VIRTIO_PCI_ISR_CONFIG 0x2 /**< Configuration change */

/** "No vector" for MSI-X (spec 4.1.5.1.2) */
#define VIRTIO_MSI_NO_VECTOR 0xffff
/** @} */

#endif /* VIRTIO_SPEC_H */
