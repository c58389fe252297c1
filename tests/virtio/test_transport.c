/*
 * test_transport.c - PCI transport tests: modern, legacy, transitional;
 * negotiation matrix; reset; configuration; MSI-X and INTx; queue sizes;
 * DEVICE_NEEDS_RESET and restart.
 */
#include <stdlib.h>
#include <string.h>

#include "traffic.h"
#include "vtest.h"

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

/** Probe + I/O through each transport mode */
static void io_through(enum vmodel_transport tr, enum virtio_pci_mode mode, uint8_t want_mode,
                       bool msix)
{
    struct vmodel_config mc;
    struct traffic *t = calloc(1, sizeof(*t));
    struct bed b;

    CHECK(t != NULL);
    bed_default_config(&mc);
    mc.transport = tr;
    mc.msix_enabled = msix;
    CHECK_EQ(bed_init(&b, &mc, mode, F(EVENT_IDX) | F(INDIRECT_DESC) | F(RING_PACKED) | 1, 2, 0, 4),
             0);
    CHECK_EQ(b.dev.mode, want_mode);
    CHECK_EQ(b.dev.device_type, 2);
    CHECK_EQ(b.dev.msix, msix);
    if (want_mode == VIRTIO_PCI_MODE_LEGACY) {
        /* 32 feature bits, no VERSION_1, no packed ring */
        CHECK(!virtio_has_feature(&b.dev, VIRTIO_F_VERSION_1));
        CHECK(!virtio_has_feature(&b.dev, VIRTIO_F_RING_PACKED));
        CHECK_EQ(b.vq[0].format, VIRTQUEUE_SPLIT);
        CHECK(!(vmodel_status(b.m) & VIRTIO_CONFIG_S_FEATURES_OK));
    } else {
        CHECK(virtio_has_feature(&b.dev, VIRTIO_F_VERSION_1));
        CHECK_EQ(b.vq[0].format, VIRTQUEUE_PACKED);
        CHECK(vmodel_status(b.m) & VIRTIO_CONFIG_S_FEATURES_OK);
    }
    CHECK(virtio_has_feature(&b.dev, VIRTIO_F_EVENT_IDX));
    CHECK(vmodel_status(b.m) & VIRTIO_CONFIG_S_DRIVER_OK);
    CHECK(traffic_run(t, &b, &b.vq[1], 5000, 16) >= 5000);
    CHECK_EQ(t->bad, 0);
    CHECK(b.irqs > 0);
    CHECK_EQ(b.last_vector, msix ? 2 : VIRTIO_MSI_NO_VECTOR);
    if (msix) {
        /* A message is ours without reading anything; vector 0 is also the
         * configuration vector (bed.c). */
        CHECK_EQ(virtio_isr_ack(&b.dev, 2), VIRTIO_PCI_ISR_QUEUE);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
    } else {
        CHECK_EQ(virtio_isr_ack(&b.dev, 0) & VIRTIO_PCI_ISR_QUEUE, VIRTIO_PCI_ISR_QUEUE);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), 0); /* the read acknowledged: a shared line's */
    }
    CHECK_EQ(virtio_isr_read(&b.dev), 0); /* read clears */
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
    free(t);
}

static void t_modern(void)
{
    io_through(VMODEL_MODERN, VIRTIO_PCI_MODE_AUTO, VIRTIO_PCI_MODE_MODERN, true);
}
static void t_modern_intx(void)
{
    io_through(VMODEL_MODERN, VIRTIO_PCI_MODE_AUTO, VIRTIO_PCI_MODE_MODERN, false);
}
static void t_legacy(void)
{
    io_through(VMODEL_LEGACY, VIRTIO_PCI_MODE_AUTO, VIRTIO_PCI_MODE_LEGACY, true);
}
static void t_legacy_intx(void)
{
    io_through(VMODEL_LEGACY, VIRTIO_PCI_MODE_AUTO, VIRTIO_PCI_MODE_LEGACY, false);
}
static void t_transitional_modern(void)
{
    io_through(VMODEL_TRANSITIONAL, VIRTIO_PCI_MODE_AUTO, VIRTIO_PCI_MODE_MODERN, true);
}
static void t_transitional_legacy(void)
{
    io_through(VMODEL_TRANSITIONAL, VIRTIO_PCI_MODE_LEGACY, VIRTIO_PCI_MODE_LEGACY, true);
}
static void t_transitional_legacy_intx(void)
{
    io_through(VMODEL_TRANSITIONAL, VIRTIO_PCI_MODE_LEGACY, VIRTIO_PCI_MODE_LEGACY, false);
}

/** Mode constraints: legacy-only device cannot be driven as modern, and back */
static void t_mode_mismatch(void)
{
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    mc.transport = VMODEL_LEGACY;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_MODERN, 0, 0, 0, 0), VIRTIO_ENODEV);
    bed_fini(&b);
    mc.transport = VMODEL_MODERN;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_LEGACY, 0, 0, 0, 0), VIRTIO_ENODEV);
    bed_fini(&b);
}

/** Negotiation matrix: offered x wanted, both interfaces */
static void t_negotiation_matrix(void)
{
    static const uint64_t sets[] = {
        0,
        0x1,
        0x3 | F(EVENT_IDX),
        F(INDIRECT_DESC) | F(EVENT_IDX) | F(RING_PACKED) | F(ORDER_PLATFORM),
        F(ACCESS_PLATFORM) | F(NOTIFICATION_DATA) | F(IN_ORDER) | F(RING_RESET),
        0xffffffffffffffffull,
    };
    const uint64_t core = F(INDIRECT_DESC) | F(EVENT_IDX) | F(VERSION_1) | F(ACCESS_PLATFORM) |
                          F(RING_PACKED) | F(ORDER_PLATFORM) | F(NOTIFICATION_DATA);
    const uint64_t transport = ((1ull << 14) - 1) << 28;
    unsigned o, w, tr;

    for (tr = 0; tr < 2; tr++) {
        for (o = 0; o < sizeof(sets) / sizeof(sets[0]); o++) {
            for (w = 0; w < sizeof(sets) / sizeof(sets[0]); w++) {
                struct vmodel_config mc;
                struct bed b;
                uint64_t got = 0, expect;
                int rc;

                bed_default_config(&mc);
                mc.transport = tr ? VMODEL_LEGACY : VMODEL_MODERN;
                mc.features = sets[o] | (tr ? 0 : F(VERSION_1));
                memset(&b, 0, sizeof(b));
                b.m = vmodel_create(&mc);
                host_os_init(&b.h, b.m, &b.os);
                CHECK_EQ(virtio_pci_probe(&b.dev, &b.os, VIRTIO_PCI_MODE_AUTO), 0);
                rc = virtio_negotiate(&b.dev, sets[w], &got);
                CHECK_EQ(rc, 0);
                expect = (sets[w] & ~transport) | (sets[w] & core);
                expect |= F(ACCESS_PLATFORM) | F(ORDER_PLATFORM);
                if (tr)
                    expect &= 0xffffffffu & (F(INDIRECT_DESC) | F(EVENT_IDX) | ~transport);
                else
                    expect |= F(VERSION_1);
                expect &= mc.features;
                CHECK_EQ(got, expect);
                CHECK_EQ(vmodel_driver_features(b.m), expect);
                CHECK_EQ(vmodel_stats(b.m)->errors, 0);
                virtio_pci_release(&b.dev);
                vmodel_destroy(b.m);
            }
        }
    }
}

/** A modern device without VERSION_1, or one refusing FEATURES_OK */
static void t_features_refused(void)
{
    struct vmodel_behaviour refuse = {.refuse_features_ok = true};
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    mc.features &= ~F(VERSION_1);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 0, 0, 0), VIRTIO_ENOTSUP);
    CHECK(vmodel_status(b.m) & VIRTIO_CONFIG_S_FAILED);
    bed_fini(&b);

    bed_default_config(&mc);
    memset(&b, 0, sizeof(b));
    b.m = vmodel_create(&mc);
    vmodel_set_behaviour(b.m, &refuse);
    host_os_init(&b.h, b.m, &b.os);
    CHECK_EQ(virtio_pci_probe(&b.dev, &b.os, VIRTIO_PCI_MODE_AUTO), 0);
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), VIRTIO_ENOTSUP);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_FEATURES_REFUSED);
    CHECK_EQ(b.h.last_violation, VIRTIO_VIOL_FEATURES_REFUSED);
    CHECK(vmodel_status(b.m) & VIRTIO_CONFIG_S_FAILED);
    virtio_pci_release(&b.dev);
    vmodel_destroy(b.m);
}

/** Reset waits for 0, bounded */
static void t_reset_wait(void)
{
    struct vmodel_behaviour slow = {.reset_delay = 5}, never = {.reset_delay = ~0u};
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), 0);
    vmodel_set_behaviour(b.m, &slow);
    CHECK_EQ(virtio_device_reset(&b.dev), 0);
    CHECK_EQ(b.h.delay_total_us, 5 * VIRTIO_RESET_DELAY_US);
    vmodel_set_behaviour(b.m, &never);
    CHECK_EQ(virtio_device_reset(&b.dev), VIRTIO_ETIMEDOUT);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_RESET_TIMEOUT);
    CHECK(b.h.delay_total_us <= (VIRTIO_RESET_POLLS + 5) * VIRTIO_RESET_DELAY_US);
    vmodel_set_behaviour(b.m, &slow);
    bed_fini(&b);
}

/** A surprise-removed device (all reads 0xff) is gone at once, not after the timeout */
static void t_removed(void)
{
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), 0);
    vmodel_set_removed(b.m, true);
    CHECK(virtio_device_needs_reset(&b.dev));
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_GONE);
    CHECK_EQ(b.h.last_violation, VIRTIO_VIOL_GONE);
    b.h.delay_total_us = 0;
    CHECK_EQ(virtio_device_reset(&b.dev), VIRTIO_ENODEV);
    CHECK_EQ(b.h.delay_total_us, 0);
    vmodel_set_removed(b.m, false);
    bed_fini(&b);
}

/** Configuration reads: generation retry, legacy double read, ranges */
static void config(enum vmodel_transport tr, enum virtio_pci_mode mode, bool msix)
{
    struct vmodel_behaviour churn3 = {.config_churn = 3}, churn_forever = {.config_churn = ~0u};
    struct vmodel_config mc;
    uint8_t pattern[64], got[64];
    uint64_t cap;
    uint16_t w;
    struct bed b;
    unsigned i;

    bed_default_config(&mc);
    mc.transport = tr;
    mc.msix_enabled = msix;
    CHECK_EQ(bed_init(&b, &mc, mode, 0, 1, 0, 0), 0);
    for (i = 0; i < 64; i++)
        pattern[i] = (uint8_t)(i * 7 + 1);
    vmodel_set_device_cfg(b.m, 0, pattern, 64);
    CHECK(virtio_config_len(&b.dev) >= 64);
    CHECK_EQ(virtio_config_read(&b.dev, 0, got, 64), 0);
    CHECK(memcmp(got, pattern, 64) == 0);
    CHECK_EQ(virtio_config_read(&b.dev, 8, &cap, 8), 0);
    CHECK(memcmp(&cap, pattern + 8, 8) == 0);
    CHECK_EQ(virtio_config_read(&b.dev, 3, &w, 2), 0);
    CHECK(memcmp(&w, pattern + 3, 2) == 0);
    CHECK_EQ(virtio_config_read(&b.dev, virtio_config_len(&b.dev), got, 1), VIRTIO_ERANGE);
    CHECK_EQ(virtio_config_read(&b.dev, 60, got, 0xfffffff0u), VIRTIO_ERANGE);
    w = 0xbeef;
    CHECK_EQ(virtio_config_write(&b.dev, 4, &w, 2), 0);
    CHECK_EQ(virtio_config_read(&b.dev, 4, got, 2), 0);
    CHECK(got[0] == 0xef && got[1] == 0xbe);
    if (b.dev.mode != VIRTIO_PCI_MODE_LEGACY) {
        vmodel_set_behaviour(b.m, &churn3);
        CHECK_EQ(virtio_config_read(&b.dev, 0, got, 16), 0);
        vmodel_set_behaviour(b.m, &churn_forever);
        CHECK_EQ(virtio_config_read(&b.dev, 0, got, 16), VIRTIO_EAGAIN);
        CHECK_EQ(b.dev.broken, VIRTIO_VIOL_CONFIG_UNSTABLE);
        vmodel_set_behaviour(b.m, &churn3);
    }
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
}

static void t_config_modern(void)
{
    config(VMODEL_MODERN, VIRTIO_PCI_MODE_AUTO, true);
}
static void t_config_legacy_msix(void)
{
    config(VMODEL_TRANSITIONAL, VIRTIO_PCI_MODE_LEGACY, true);
}
static void t_config_legacy_intx(void)
{
    config(VMODEL_LEGACY, VIRTIO_PCI_MODE_AUTO, false);
}

/** MSI-X: vector read-back, vector beyond the table, NO_VECTOR queues */
static void msix(enum vmodel_transport tr, enum virtio_pci_mode mode)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 1, .msix_vector = 99};
    struct traffic *t = calloc(1, sizeof(*t));
    struct bed b;

    CHECK(t != NULL);
    bed_default_config(&mc);
    mc.transport = tr;
    mc.msix_vectors = 4;
    CHECK_EQ(bed_init(&b, &mc, mode, 0, 1, 0, 0), 0);
    CHECK(b.dev.msix);
    CHECK_EQ(b.dev.msix_vectors, 4);
    CHECK_EQ(virtio_set_config_vector(&b.dev, 3), 0);
    CHECK_EQ(virtio_set_config_vector(&b.dev, 4), VIRTIO_ENOSPC);
    CHECK_EQ(virtio_set_config_vector(&b.dev, VIRTIO_MSI_NO_VECTOR), 0);
    /* Queue 1 with an impossible vector: refused */
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), 0);
    virtio_queue_teardown(&b.dev, &b.vq[0]);
    b.nq = 0;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[1], &qc), VIRTIO_ENOSPC);
    CHECK_EQ(b.h.dma_live, 1); /* only the bed's payload buffer */
    CHECK_EQ(b.h.mem_live, 0);
    /* Queue 0 without a vector: works, polled, no interrupts */
    qc.index = 0;
    qc.msix_vector = VIRTIO_MSI_NO_VECTOR;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[0], &qc), 0);
    b.nq = 1;
    CHECK_EQ(virtio_device_ready(&b.dev), 0);
    b.irqs = 0;
    CHECK(traffic_run(t, &b, &b.vq[0], 100, 4) >= 100);
    CHECK_EQ(b.irqs, 0);
    /* Config change goes to the config vector */
    CHECK_EQ(virtio_set_config_vector(&b.dev, 2), 0);
    vmodel_config_changed(b.m);
    CHECK_EQ(b.irqs, 1);
    CHECK_EQ(b.last_vector, 2);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
    free(t);
}

static void t_msix_modern(void)
{
    msix(VMODEL_MODERN, VIRTIO_PCI_MODE_AUTO);
}
static void t_msix_legacy(void)
{
    msix(VMODEL_TRANSITIONAL, VIRTIO_PCI_MODE_LEGACY);
}

/** Queue size negotiation */
static void t_queue_sizes(void)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 0, .msix_vector = 1};
    struct bed b;

    bed_default_config(&mc);
    mc.queue_max = 1000;
    /* Split: largest power of two <= max */
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), 0);
    CHECK_EQ(b.vq[0].num, 512);
    CHECK_EQ(vmodel_queue_size(b.m, 0), 512);
    bed_fini(&b);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 100, 0), 0);
    CHECK_EQ(b.vq[0].num, 64);
    bed_fini(&b);
    /* Packed: any size */
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(RING_PACKED), 1, 0, 0), 0);
    CHECK_EQ(b.vq[0].num, 1000);
    bed_fini(&b);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(RING_PACKED), 1, 100, 0), 0);
    CHECK_EQ(b.vq[0].num, 100);
    bed_fini(&b);
    /* No such queue */
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 0, 0, 0), 0);
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), 0);
    qc.index = 4;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[0], &qc), VIRTIO_ENODEV);
    /* Short of DMA memory: the ring shrinks */
    b.h.dma_max = 8192;
    qc.index = 0;
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[0], &qc), 0);
    b.nq = 1;
    CHECK(b.vq[0].num <= 256 && b.vq[0].num >= 64);
    CHECK(b.vq[0].ring_size <= 8192);
    bed_fini(&b);
    /* Legacy with a size that is not a power of two: refused */
    mc.transport = VMODEL_LEGACY;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), VIRTIO_EPROTO);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_QUEUE_SIZE);
    bed_fini(&b);
}

/** DEVICE_NEEDS_RESET detection and the re-initialisation path */
static void t_needs_reset(void)
{
    struct vmodel_config mc;
    struct traffic *t = calloc(1, sizeof(*t));
    struct virtqueue *vqs[1];
    struct bed b;

    CHECK(t != NULL);
    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(RING_PACKED) | F(EVENT_IDX), 1, 64, 0), 0);
    CHECK(traffic_run(t, &b, &b.vq[0], 100, 8) >= 100);
    CHECK(!virtio_device_needs_reset(&b.dev));
    vmodel_needs_reset(b.m);
    CHECK_EQ(b.last_vector, 0); /* config vector */
    CHECK(virtio_device_needs_reset(&b.dev));
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_NEEDS_RESET);
    vqs[0] = &b.vq[0];
    CHECK_EQ(virtio_device_restart(&b.dev, vqs, 1, NULL, NULL), 0);
    CHECK(!virtio_device_needs_reset(&b.dev));
    CHECK_EQ(b.dev.broken, 0);
    memset(t->req, 0, sizeof(t->req));
    t->added = t->completed;
    CHECK(traffic_run(t, &b, &b.vq[0], 1000, 8) >= 1000);
    CHECK_EQ(t->bad, 0);
    CHECK_EQ(vmodel_stats(b.m)->errors, 0);
    bed_fini(&b);
    free(t);
}

/* The transport's ISR read, counted: virtio_isr_ack reads it once per
 * line interrupt and never for a message. */
static unsigned isr_reads;
static uint8_t (*real_isr)(struct virtio_device *dev);
static uint8_t counting_isr(struct virtio_device *dev)
{
    isr_reads++;
    return real_isr(dev);
}

/** virtio_isr_ack: what an interrupt stands for, on each transport and mode */
static void isr_ack_on(enum vmodel_transport tr, bool msix)
{
    struct virtio_transport_ops counted;
    const struct virtio_transport_ops *ops;
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    mc.transport = tr;
    mc.msix_enabled = msix;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(EVENT_IDX), 2, 0, 0), 0);
    ops = b.dev.ops;
    counted = *ops;
    real_isr = counted.isr;
    counted.isr = counting_isr;
    b.dev.ops = &counted;
    isr_reads = 0;
    if (msix) {
        /* Messages are never shared: no read, the vector says the cause.
         * The configuration vector is 0 (bed.c), shared with queue 0. */
        CHECK_EQ(virtio_isr_ack(&b.dev, 1), VIRTIO_PCI_ISR_QUEUE);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
        CHECK_EQ(virtio_set_config_vector(&b.dev, VIRTIO_MSI_NO_VECTOR), 0);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), VIRTIO_PCI_ISR_QUEUE);
        CHECK_EQ(isr_reads, 0);
    } else {
        /* A line may be shared: nothing pending is not ours */
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), 0);
        vmodel_config_changed(b.m);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), VIRTIO_PCI_ISR_CONFIG); /* no queue bit */
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), 0); /* that one read acknowledged it */
        CHECK_EQ(isr_reads, 3);                 /* one read per call */
        /* Completions (the bed's interrupt handler reads nothing), then a
         * configuration change: both causes in one read */
        struct traffic *t = calloc(1, sizeof(*t));
        CHECK(t != NULL);
        CHECK(traffic_run(t, &b, &b.vq[1], 10, 4) >= 10);
        vmodel_config_changed(b.m);
        isr_reads = 0;
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG);
        CHECK_EQ(virtio_isr_ack(&b.dev, 0), 0);
        CHECK_EQ(isr_reads, 2);
        free(t);
    }
    b.dev.ops = ops;
    bed_fini(&b);
}

static void t_isr_ack_modern_msix(void)
{
    isr_ack_on(VMODEL_MODERN, true);
}
static void t_isr_ack_modern_intx(void)
{
    isr_ack_on(VMODEL_MODERN, false);
}
static void t_isr_ack_legacy_intx(void)
{
    isr_ack_on(VMODEL_LEGACY, false);
}

/** Teardown frees everything */
static void t_no_leaks(void)
{
    struct vmodel_config mc;
    struct bed b;
    struct host_os *h;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(INDIRECT_DESC), 4, 0, 16), 0);
    h = &b.h;
    CHECK_EQ(h->dma_live, 1 + 4 * 2);
    CHECK_EQ(h->mem_live, 4);
    virtio_device_reset(&b.dev);
    for (unsigned i = 0; i < 4; i++)
        virtio_queue_teardown(&b.dev, &b.vq[i]);
    CHECK_EQ(h->dma_live, 1);
    CHECK_EQ(h->mem_live, 0);
    bed_fini(&b);
}

/* Configuration space of 64 bytes for the BAR lookups: what is past it reads 0xff. */
static void bars_pci_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    const uint8_t *cfg = ctx;
    for (uint32_t i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = off + i < 64 ? cfg[off + i] : 0xff;
}

/** BAR lookups for resources given translated: exact matches and the I/O BAR left over */
static void t_bar_lookup(void)
{
    static const struct virtio_os_ops ops = {.pci_read = bars_pci_read};
    uint8_t cfg[64] = {0};
    struct virtio_os os = {&ops, cfg};
    /* BAR0 I/O at 0xc000, BAR1 memory, BAR2/3 a 64-bit memory BAR, BAR5 I/O at 0xd000 */
    const uint32_t bars[6] = {0xc001, 0xfe000000, 0x0000000c, 0x80, 0, 0xd001};
    for (unsigned i = 0; i < 6; i++)
        for (unsigned k = 0; k < 4; k++)
            cfg[0x10 + 4 * i + k] = (uint8_t)(bars[i] >> (8 * k));
    CHECK_EQ(virtio_pci_bar_of(&os, 0xc000, true), 0);
    CHECK_EQ(virtio_pci_bar_of(&os, 0xc000, false), -1);
    CHECK_EQ(virtio_pci_bar_of(&os, 0xfe000000, false), 1);
    CHECK_EQ(virtio_pci_bar_of(&os, 0x8000000000ull, false), 2);
    CHECK_EQ(virtio_pci_bar_of(&os, 0x3eff0000c000ull, false), -1); /* a translated port */
    CHECK_EQ(virtio_pci_io_bar_left(&os, 0), 0);
    CHECK_EQ(virtio_pci_io_bar_left(&os, 1u << 0), 5);
    CHECK_EQ(virtio_pci_io_bar_left(&os, (1u << 0) | (1u << 5)), -1);
    /* the high half of a 64-bit BAR is never an I/O BAR, even with bit 0 set */
    cfg[0x10 + 4 * 3] = 0x81;
    CHECK_EQ(virtio_pci_io_bar_left(&os, (1u << 0) | (1u << 5)), -1);
    /* no configuration space (all ones): none */
    memset(cfg, 0xff, sizeof(cfg));
    CHECK_EQ(virtio_pci_io_bar_left(&os, 0), -1);
}

const struct vtest vtest_transport[] = {
    {"bar_lookup", t_bar_lookup},
    {"modern", t_modern},
    {"modern_intx", t_modern_intx},
    {"legacy", t_legacy},
    {"legacy_intx", t_legacy_intx},
    {"transitional_modern", t_transitional_modern},
    {"transitional_legacy", t_transitional_legacy},
    {"transitional_legacy_intx", t_transitional_legacy_intx},
    {"mode_mismatch", t_mode_mismatch},
    {"negotiation_matrix", t_negotiation_matrix},
    {"features_refused", t_features_refused},
    {"reset_wait", t_reset_wait},
    {"removed", t_removed},
    {"config_modern", t_config_modern},
    {"config_legacy_msix", t_config_legacy_msix},
    {"config_legacy_intx", t_config_legacy_intx},
    {"msix_modern", t_msix_modern},
    {"msix_legacy", t_msix_legacy},
    {"queue_sizes", t_queue_sizes},
    {"needs_reset", t_needs_reset},
    {"isr_ack_modern_msix", t_isr_ack_modern_msix},
    {"isr_ack_modern_intx", t_isr_ack_modern_intx},
    {"isr_ack_legacy_intx", t_isr_ack_legacy_intx},
    {"no_leaks", t_no_leaks},
    {NULL, NULL},
};
