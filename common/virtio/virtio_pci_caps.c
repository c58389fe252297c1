/*
 * virtio_pci_caps.c - PCI capability walk and transport selection
 * (spec 4.1.4). Everything read from configuration space is device input
 * and is range-checked before use.
 */
#include "virtio_pci.h"

/** Minimum structure sizes we accept per cfg_type. IRQL: any. */
static uint32_t cap_min_length(uint8_t type)
{
    switch (type) {
    case VIRTIO_PCI_CAP_COMMON_CFG:
        return VIRTIO_PCI_COMMON_SIZE;
    case VIRTIO_PCI_CAP_NOTIFY_CFG:
        return 2;
    default:
        return 1;
    }
}

/** Record a malformed-capability finding (the first one is kept). IRQL: any. */
static void caps_note(struct virtio_pci_caps *caps, enum virtio_violation why)
{
    if (caps->violation == VIRTIO_VIOL_NONE)
        caps->violation = (uint8_t)why;
}

/* IRQL: any. a configuration-space byte, word or dword (little-endian on the bus). */
static uint8_t pci_read8(const struct virtio_os *os, uint32_t off)
{
    uint8_t v;
    os->ops->pci_read(os->ctx, off, &v, 1);
    return v;
}

/* IRQL: any. see pci_read8. */
static uint16_t pci_read16(const struct virtio_os *os, uint32_t off)
{
    uint8_t b[2];
    os->ops->pci_read(os->ctx, off, b, 2);
    return (uint16_t)(b[0] | b[1] << 8);
}

/* IRQL: any. see pci_read8. */
static uint32_t pci_read32(const struct virtio_os *os, uint32_t off)
{
    uint8_t b[4];
    os->ops->pci_read(os->ctx, off, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/**
 * Check one virtio vendor capability and record it if it is the first
 * usable one of its type (spec 4.1.4: "the driver SHOULD use the first
 * instance of each virtio structure type it can support").
 * IRQL: PASSIVE_LEVEL.
 */
static void caps_vendor(const struct virtio_os *os, struct virtio_pci_caps *caps, uint8_t pos)
{
    const struct virtio_os_ops *o = os->ops;
    struct virtio_pci_cap_info *info;
    uint8_t cap_len = pci_read8(os, pos + VIRTIO_PCI_CAP_LEN);
    uint8_t type = pci_read8(os, pos + VIRTIO_PCI_CAP_CFG_TYPE);
    uint8_t bar = pci_read8(os, pos + VIRTIO_PCI_CAP_BAR);
    uint32_t offset, length, mult = 0;
    uint64_t bar_len;
    uint8_t space;

    /* The capability itself must fit in configuration space */
    if (cap_len < VIRTIO_PCI_CAP_SIZE || (unsigned)pos + cap_len > PCI_CFG_SPACE_SIZE) {
        caps_note(caps, VIRTIO_VIOL_CAP);
        return;
    }
    switch (type) {
    case VIRTIO_PCI_CAP_COMMON_CFG:
        info = &caps->common;
        break;
    case VIRTIO_PCI_CAP_NOTIFY_CFG:
        info = &caps->notify;
        break;
    case VIRTIO_PCI_CAP_ISR_CFG:
        info = &caps->isr;
        break;
    case VIRTIO_PCI_CAP_DEVICE_CFG:
        info = &caps->device;
        break;
    default:
        /* PCI_CFG access window, shared memory, vendor data: not used */
        return;
    }
    if (info->present)
        return;

    /* Reserved BAR numbers are ignored (spec 4.1.4) */
    if (bar >= PCI_STD_NUM_BARS)
        return;
    offset = pci_read32(os, pos + VIRTIO_PCI_CAP_OFFSET);
    length = pci_read32(os, pos + VIRTIO_PCI_CAP_LENGTH);

    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
        if (cap_len < VIRTIO_PCI_NOTIFY_CAP_SIZE) {
            caps_note(caps, VIRTIO_VIOL_CAP);
            return;
        }
        /* 0 (one shared register) or an even power of two */
        mult = pci_read32(os, pos + VIRTIO_PCI_NOTIFY_CAP_MULT);
        if (mult != 0 && (mult < 2 || !virtio_is_pow2(mult))) {
            caps_note(caps, VIRTIO_VIOL_CAP);
            return;
        }
    }

    /* Sane length and alignment */
    if (length < cap_min_length(type) || (type != VIRTIO_PCI_CAP_ISR_CFG && (offset & 3))) {
        caps_note(caps, VIRTIO_VIOL_CAP_RANGE);
        return;
    }

    /* The structure must lie inside its BAR (64-bit sum: no overflow) */
    if (o->bar_info(os->ctx, bar, &bar_len, &space) != 0 || space == VIRTIO_SPACE_NONE) {
        caps_note(caps, VIRTIO_VIOL_CAP_RANGE);
        return;
    }
    if ((uint64_t)offset + length > bar_len) {
        caps_note(caps, VIRTIO_VIOL_CAP_RANGE);
        return;
    }

    info->present = true;
    info->bar = bar;
    info->offset = offset;
    info->length = length;
    if (type == VIRTIO_PCI_CAP_NOTIFY_CFG)
        caps->notify_off_multiplier = mult;
}

/**
 * Walk the capability list (see virtio_pci.h). At most PCI_CAP_WALK_LIMIT
 * entries; each pointer must be dword-aligned, past the standard header and
 * not visited before.
 * IRQL: PASSIVE_LEVEL.
 */
int virtio_pci_parse_caps(const struct virtio_os *os, struct virtio_pci_caps *caps)
{
    uint32_t visited[PCI_CFG_SPACE_SIZE / 4 / 32];
    uint8_t pos;
    unsigned n;

    memset(caps, 0, sizeof(*caps));
    memset(visited, 0, sizeof(visited));

    if (!(pci_read16(os, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;

    pos = pci_read8(os, PCI_CAPABILITY_LIST);
    for (n = 0; n < PCI_CAP_WALK_LIMIT && pos != 0; n++) {
        uint8_t id, next;
        unsigned slot;

        /* Pointer sanity: aligned, beyond the header, room for id+next */
        if ((pos & 3) || pos < PCI_STD_HEADER_SIZE || pos > PCI_CFG_SPACE_SIZE - 4) {
            caps_note(caps, VIRTIO_VIOL_CAP);
            return 0;
        }
        slot = pos / 4;
        if (visited[slot / 32] & (1u << (slot % 32))) {
            /* A loop in the list */
            caps_note(caps, VIRTIO_VIOL_CAP);
            return 0;
        }
        visited[slot / 32] |= 1u << (slot % 32);
        caps->ncaps++;

        id = pci_read8(os, pos);
        next = pci_read8(os, pos + 1);
        if (id == PCI_CAP_ID_VNDR)
            caps_vendor(os, caps, pos);
        else if (id == PCI_CAP_ID_MSIX && caps->msix_cap == 0)
            caps->msix_cap = pos;
        pos = next;
    }
    if (pos != 0)
        caps_note(caps, VIRTIO_VIOL_CAP);
    return 0;
}

/** Map a capability's structure into a region. IRQL: PASSIVE_LEVEL. */
static int map_region(struct virtio_device *dev, const struct virtio_pci_cap_info *info,
                      struct virtio_region *r)
{
    uint64_t bar_len;
    uint8_t space;
    int rc;

    if ((rc = dev->os.ops->bar_info(dev->os.ctx, info->bar, &bar_len, &space)) != 0)
        return rc;
    if ((rc = dev->os.ops->bar_map(dev->os.ctx, info->bar, info->offset, info->length, &r->base)) !=
        0)
        return rc;
    r->len = info->length;
    r->space = space;
    r->bar = info->bar;
    return 0;
}

/* Give back a region's BAR mapping and forget the region. IRQL: PASSIVE_LEVEL. */
static void unmap_region(struct virtio_device *dev, struct virtio_region *r)
{
    if (r->space != VIRTIO_SPACE_NONE && dev->os.ops->bar_unmap != NULL)
        dev->os.ops->bar_unmap(dev->os.ctx, r->base, r->len);
    memset(r, 0, sizeof(*r));
}

/**
 * Map the modern interface: common, notify and ISR are mandatory, device
 * configuration is optional (some devices have none).
 * IRQL: PASSIVE_LEVEL.
 */
static int probe_modern(struct virtio_device *dev)
{
    struct virtio_pci_caps *caps = &dev->caps;
    int rc;

    if (!caps->common.present || !caps->notify.present || !caps->isr.present)
        return VIRTIO_ENODEV;

    if ((rc = map_region(dev, &caps->common, &dev->common)) != 0)
        goto err_common;
    if ((rc = map_region(dev, &caps->notify, &dev->notify)) != 0)
        goto err_notify;
    if ((rc = map_region(dev, &caps->isr, &dev->isr)) != 0)
        goto err_isr;
    if (caps->device.present && (rc = map_region(dev, &caps->device, &dev->device)) != 0)
        goto err_device;

    dev->ops = &virtio_pci_modern_ops;
    dev->mode = VIRTIO_PCI_MODE_MODERN;
    dev->num_queues = virtio_reg_read16(dev, &dev->common, VIRTIO_PCI_COMMON_NUMQ);
    return 0;

    unmap_region(dev, &dev->device);
err_device:
    unmap_region(dev, &dev->isr);
err_isr:
    unmap_region(dev, &dev->notify);
err_notify:
    unmap_region(dev, &dev->common);
err_common:
    return rc;
}

/**
 * Map the legacy interface: BAR 0 is an I/O (or memory) BAR holding the
 * registers of spec 4.1.4.8 followed by the device configuration, which
 * starts at 24 with MSI-X enabled and at 20 without.
 * IRQL: PASSIVE_LEVEL.
 */
static int probe_legacy(struct virtio_device *dev)
{
    uint32_t cfg_off = dev->msix ? VIRTIO_PCI_LEGACY_CONFIG_MSIX : VIRTIO_PCI_LEGACY_CONFIG;
    struct virtio_pci_cap_info bar0;
    uint64_t bar_len;
    uint8_t space;
    int rc;

    /* Only transitional device IDs have a legacy interface (spec 4.1.2) */
    if (dev->pci_device_id > VIRTIO_PCI_DEVICE_LEGACY_MAX || dev->revision != 0)
        return VIRTIO_ENODEV;
    if (dev->os.ops->bar_info(dev->os.ctx, 0, &bar_len, &space) != 0 ||
        space == VIRTIO_SPACE_NONE || bar_len < cfg_off)
        return VIRTIO_ENODEV;
    if (bar_len > 0x10000)
        bar_len = 0x10000;

    bar0.present = true;
    bar0.bar = 0;
    bar0.offset = 0;
    bar0.length = (uint32_t)bar_len;
    if ((rc = map_region(dev, &bar0, &dev->legacy)) != 0)
        return rc;

    /* Device configuration is the rest of the BAR */
    dev->device = dev->legacy;
    dev->device.base += cfg_off;
    dev->device.len -= cfg_off;
    dev->ops = &virtio_pci_legacy_ops;
    dev->mode = VIRTIO_PCI_MODE_LEGACY;
    dev->num_queues = 0;
    return 0;
}

/**
 * Find and map the transport (see virtio_pci.h).
 * IRQL: PASSIVE_LEVEL.
 */
int virtio_pci_probe(struct virtio_device *dev, const struct virtio_os *os,
                     enum virtio_pci_mode mode)
{
    uint16_t vendor, device, msix_ctl;
    int rc;

    memset(dev, 0, sizeof(*dev));
    dev->os = *os;
    dev->config_vector = VIRTIO_MSI_NO_VECTOR;

    /* Identify the function (spec 4.1.2) */
    vendor = pci_read16(os, PCI_VENDOR_ID);
    device = pci_read16(os, PCI_DEVICE_ID);
    if (vendor != VIRTIO_PCI_VENDOR_ID || device < VIRTIO_PCI_DEVICE_LEGACY_MIN ||
        device > VIRTIO_PCI_DEVICE_MODERN_MAX)
        return VIRTIO_ENODEV;
    dev->pci_device_id = device;
    dev->revision = pci_read8(os, PCI_REVISION_ID);
    if (device >= VIRTIO_PCI_DEVICE_MODERN_MIN)
        dev->device_type = (uint16_t)(device - VIRTIO_PCI_DEVICE_MODERN_MIN);
    else
        dev->device_type = pci_read16(os, PCI_SUBSYSTEM_ID);

    /* Capabilities: virtio structures and MSI-X */
    if ((rc = virtio_pci_parse_caps(os, &dev->caps)) != 0)
        return rc;
    if (dev->caps.msix_cap != 0) {
        msix_ctl = pci_read16(os, dev->caps.msix_cap + PCI_MSIX_FLAGS);
        dev->msix = (msix_ctl & PCI_MSIX_FLAGS_ENABLE) != 0;
        dev->msix_vectors = (uint16_t)((msix_ctl & PCI_MSIX_FLAGS_QSIZE) + 1);
    }

    /* Prefer the modern interface; fall back to legacy if allowed */
    rc = VIRTIO_ENODEV;
    if (mode != VIRTIO_PCI_MODE_LEGACY)
        rc = probe_modern(dev);
    if (rc != 0 && mode != VIRTIO_PCI_MODE_MODERN)
        rc = probe_legacy(dev);
    if (rc != 0 && dev->caps.violation != VIRTIO_VIOL_NONE) {
        /* Nothing usable, and the capability list was malformed: say so */
        virtio_device_set_broken(dev, (enum virtio_violation)dev->caps.violation);
        return VIRTIO_EPROTO;
    }
    return rc;
}

/** Unmap everything probe mapped. IRQL: PASSIVE_LEVEL. */
void virtio_pci_release(struct virtio_device *dev)
{
    if (dev->mode == VIRTIO_PCI_MODE_LEGACY) {
        unmap_region(dev, &dev->legacy);
        memset(&dev->device, 0, sizeof(dev->device));
    } else {
        unmap_region(dev, &dev->device);
        unmap_region(dev, &dev->isr);
        unmap_region(dev, &dev->notify);
        unmap_region(dev, &dev->common);
    }
    dev->ops = NULL;
}

/* IRQL: any. see virtio_pci.h. */
int virtio_pci_bar_of(const struct virtio_os *os, uint64_t base, bool is_io)
{
    for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
        uint32_t lo = pci_read32(os, PCI_BASE_ADDRESS_0 + 4 * bar);
        bool io = lo & 1, is64 = !io && (lo & 6) == 4;
        uint64_t at = io ? lo & ~3u : lo & ~0xfu;

        if (lo == 0xffffffffu) /* past what the OS could read */
            break;
        if (is64 && bar + 1 < PCI_NUM_BARS)
            at |= (uint64_t)pci_read32(os, PCI_BASE_ADDRESS_0 + 4 * (bar + 1)) << 32;
        if (at != 0 && at == base && io == is_io)
            return (int)bar;
        if (is64)
            bar++;
    }
    return -1;
}

/* IRQL: any. see virtio_pci.h. */
int virtio_pci_io_bar_left(const struct virtio_os *os, uint32_t taken)
{
    for (unsigned bar = 0; bar < PCI_NUM_BARS; bar++) {
        uint32_t lo = pci_read32(os, PCI_BASE_ADDRESS_0 + 4 * bar);

        if (lo == 0xffffffffu) /* past what the OS could read */
            break;
        if (lo & 1) {
            if ((lo & ~3u) != 0 && !(taken & (1u << bar)))
                return (int)bar;
        } else if ((lo & 6) == 4) {
            bar++; /* a 64-bit memory BAR's high half */
        }
    }
    return -1;
}
