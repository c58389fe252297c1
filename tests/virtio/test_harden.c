/*
 * test_harden.c - a malicious device must be detected: each check in the
 * core has a test here that fails if the check is removed.
 */
#include <stdlib.h>
#include <string.h>

#include "traffic.h"
#include "vtest.h"

#define F(x) VIRTIO_BIT(VIRTIO_F_##x)

/**
 * Run traffic against a device with one malicious behaviour; the queue must
 * end up broken for the expected reason, with no bogus completion handed to
 * the caller, and stay inert afterwards.
 */
static void evil_ring2(bool packed, uint32_t evil, enum virtio_violation expect,
                       enum virtio_violation alt, unsigned depth)
{
    struct vmodel_behaviour beh = {.evil = evil, .evil_rate = 50, .out_of_order = true};
    struct vmodel_config mc;
    struct traffic *t = calloc(1, sizeof(*t));
    struct virtqueue_sg sg = {0, 8};
    enum virtio_violation why;
    struct bed b;
    unsigned seed;
    int c;

    CHECK(t != NULL);
    for (seed = 1; seed <= 8; seed++) {
        bed_default_config(&mc);
        mc.seed = seed;
        mc.queue_max = 16;
        CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO,
                          F(EVENT_IDX) | F(INDIRECT_DESC) | (packed ? F(RING_PACKED) : 0), 1, 16,
                          4),
                 0);
        vmodel_set_behaviour(b.m, &beh);
        memset(t, 0, sizeof(*t));
        traffic_run(t, &b, &b.vq[0], 100000, depth);
        CHECK(vmodel_stats(b.m)->evil_done > 0);
        why = expect;
        if (alt != VIRTIO_VIOL_NONE && virtqueue_broken(&b.vq[0]) == (int)alt)
            why = alt; /* caught by the other check first */
        CHECK_EQ(virtqueue_broken(&b.vq[0]), why);
        CHECK_EQ(b.h.reports, 1);
        CHECK_EQ(b.h.last_queue, 0);
        CHECK_EQ(b.h.last_violation, why);
        CHECK_EQ(t->bad, 0);
        /* Inert once broken */
        vmodel_run(b.m);
        CHECK(virtqueue_get(&b.vq[0], NULL) == NULL);
        CHECK(!virtqueue_has_used(&b.vq[0]));
        sg.addr = bed_buf_pa(&b, 0);
        CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 1, 0, &c), VIRTIO_EIO);
        CHECK(!virtqueue_kick_prepare(&b.vq[0]));
        CHECK_EQ(b.h.reports, 1);
        bed_fini(&b);
    }
    free(t);
}

static void evil_ring(bool packed, uint32_t evil, enum virtio_violation expect, unsigned depth)
{
    evil_ring2(packed, evil, expect, VIRTIO_VIOL_NONE, depth);
}

static void t_split_bad_id(void)
{
    evil_ring(false, VMODEL_EVIL_BAD_ID, VIRTIO_VIOL_USED_ID_RANGE, 8);
}
static void t_split_idle_id(void)
{
    evil_ring(false, VMODEL_EVIL_IDLE_ID, VIRTIO_VIOL_USED_ID_IDLE, 8);
}
static void t_split_double(void)
{
    evil_ring2(false, VMODEL_EVIL_DOUBLE, VIRTIO_VIOL_USED_ID_IDLE, VIRTIO_VIOL_USED_IDX, 8);
}
static void t_split_double_idx(void)
{
    /* One request in flight, two used entries: the index moved too far */
    evil_ring(false, VMODEL_EVIL_DOUBLE, VIRTIO_VIOL_USED_IDX, 1);
}
static void t_split_bad_len(void)
{
    evil_ring(false, VMODEL_EVIL_BAD_LEN, VIRTIO_VIOL_USED_LEN, 8);
}
static void t_split_idx_jump(void)
{
    evil_ring(false, VMODEL_EVIL_IDX_JUMP, VIRTIO_VIOL_USED_IDX, 8);
}
static void t_packed_bad_id(void)
{
    evil_ring(true, VMODEL_EVIL_BAD_ID, VIRTIO_VIOL_USED_ID_RANGE, 8);
}
static void t_packed_idle_id(void)
{
    evil_ring(true, VMODEL_EVIL_IDLE_ID, VIRTIO_VIOL_USED_ID_IDLE, 8);
}
static void t_packed_double(void)
{
    evil_ring2(true, VMODEL_EVIL_DOUBLE, VIRTIO_VIOL_USED_ID_IDLE, VIRTIO_VIOL_PACKED_WRAP, 8);
}
static void t_packed_bad_len(void)
{
    evil_ring(true, VMODEL_EVIL_BAD_LEN, VIRTIO_VIOL_USED_LEN, 8);
}
static void t_packed_wrap(void)
{
    /* A used descriptor appears with nothing in flight */
    evil_ring(true, VMODEL_EVIL_WRAP, VIRTIO_VIOL_PACKED_WRAP, 1);
}

/** Completing a non-head descriptor of a live chain (split) is caught */
static void t_split_non_head(void)
{
    struct vmodel_config mc;
    struct virtqueue_sg sg[3];
    struct virtq_used_elem *e;
    struct bed b;
    unsigned i;
    int c;

    bed_default_config(&mc);
    mc.queue_max = 8;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 8, 0), 0);
    for (i = 0; i < 3; i++) {
        sg[i].addr = bed_buf_pa(&b, i);
        sg[i].len = 8;
    }
    CHECK_EQ(virtqueue_add(&b.vq[0], sg, 1, 2, &c), 0); /* descriptors 0,1,2 */
    CHECK(virtqueue_kick_prepare(&b.vq[0]));
    /* Act as the device, by hand: complete descriptor 1 */
    e = &b.vq[0].u.split.used->ring[0];
    virtio_write_le32(&e->id, 1);
    virtio_write_le32(&e->len, 0);
    virtio_write_le16(&b.vq[0].u.split.used->idx, 1);
    CHECK(virtqueue_get(&b.vq[0], NULL) == NULL);
    CHECK_EQ(virtqueue_broken(&b.vq[0]), VIRTIO_VIOL_USED_ID_IDLE);
    bed_fini(&b);
}

/** A device-readable-only request must report 0 bytes written */
static void t_len_on_readonly(void)
{
    struct vmodel_config mc;
    struct virtqueue_sg sg = {0, 64};
    struct virtq_used_elem *e;
    struct bed b;
    int c;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 8, 0), 0);
    sg.addr = bed_buf_pa(&b, 0);
    CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 1, 0, &c), 0);
    CHECK(virtqueue_kick_prepare(&b.vq[0]));
    e = &b.vq[0].u.split.used->ring[0];
    virtio_write_le32(&e->id, 0);
    virtio_write_le32(&e->len, 1);
    virtio_write_le16(&b.vq[0].u.split.used->idx, 1);
    CHECK(virtqueue_get(&b.vq[0], NULL) == NULL);
    CHECK_EQ(virtqueue_broken(&b.vq[0]), VIRTIO_VIOL_USED_LEN);
    bed_fini(&b);
}

/**
 * Packed: a used descriptor without VIRTQ_DESC_F_WRITE reports no bytes,
 * whatever its reserved length says (DPDK leaves the driver's length there,
 * spec 2.8.4); with the flag, a length above what was posted is refused.
 */
static void packed_used_readonly(bool write_flag, uint32_t len)
{
    struct vmodel_config mc;
    struct virtqueue_sg sg = {0, 64};
    struct pvirtq_desc *d;
    uint32_t got = 12345;
    struct bed b;
    int c;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, F(RING_PACKED), 1, 8, 0), 0);
    sg.addr = bed_buf_pa(&b, 0);
    CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 1, 0, &c), 0);
    CHECK(virtqueue_kick_prepare(&b.vq[0]));
    d = &b.vq[0].u.packed.desc[0];
    virtio_write_le16(&d->id, 0);
    virtio_write_le32(&d->len, len);
    virtio_write_le16(&d->flags, (uint16_t)((1u << VIRTQ_DESC_F_AVAIL) | (1u << VIRTQ_DESC_F_USED) |
                                            (write_flag ? VIRTQ_DESC_F_WRITE : 0)));
    if (write_flag) {
        CHECK(virtqueue_get(&b.vq[0], &got) == NULL);
        CHECK_EQ(virtqueue_broken(&b.vq[0]), VIRTIO_VIOL_USED_LEN);
    } else {
        CHECK(virtqueue_get(&b.vq[0], &got) == &c);
        CHECK_EQ(got, 0);
        CHECK_EQ(virtqueue_broken(&b.vq[0]), 0);
    }
    bed_fini(&b);
}

static void t_packed_len_ignored_without_write(void)
{
    packed_used_readonly(false, 108);
}
static void t_packed_len_on_readonly(void)
{
    packed_used_readonly(true, 1);
}

/** Act as the device: complete request id with used length len, as the
 *  k-th completion of the first lap (split: used ring entry k; packed: the
 *  descriptor at k, written, in the first wrap) */
static void hand_used(struct bed *b, bool packed, uint16_t k, uint16_t id, uint32_t len)
{
    struct virtqueue *vq = &b->vq[0];

    if (packed) {
        struct pvirtq_desc *d = &vq->u.packed.desc[k];

        virtio_write_le16(&d->id, id);
        virtio_write_le32(&d->len, len);
        virtio_write_le16(&d->flags, (uint16_t)((1u << VIRTQ_DESC_F_AVAIL) |
                                                (1u << VIRTQ_DESC_F_USED) | VIRTQ_DESC_F_WRITE));
    } else {
        struct virtq_used_elem *e = &vq->u.split.used->ring[k];

        virtio_write_le32(&e->id, id);
        virtio_write_le32(&e->len, len);
        virtio_write_le16(&vq->u.split.used->idx, (uint16_t)(k + 1));
    }
}

/**
 * A queue that passes used lengths past the buffer on (virtqueue_pass_len_past,
 * NetKVM's receive queues): by 1 byte and 0xffffffff each completes its
 * request with VIRTQUEUE_LEN_PAST, never the device's number (kept for the
 * caller's log: virtqueue_len_past_seen); the queue is
 * not broken, nothing reported, the next request completes as written and
 * new ones are taken; across virtqueue_reinit() too.  Any other violation
 * (an id out of range) still breaks it.
 */
static void len_past_passed(bool packed)
{
    const uint32_t lens[3] = {65, 0xffffffffu, 64};
    struct vmodel_config mc;
    struct virtqueue_sg sg = {0, 64};
    uint32_t got;
    struct bed b;
    int c[4];
    unsigned round, i;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, packed ? F(RING_PACKED) : 0, 1, 8, 0), 0);
    virtqueue_pass_len_past(&b.vq[0]);
    for (round = 0; round < 2; round++) {
        for (i = 0; i < 3; i++) {
            sg.addr = bed_buf_pa(&b, i);
            CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 0, 1, &c[i]), 0);
        }
        CHECK(virtqueue_kick_prepare(&b.vq[0]));
        for (i = 0; i < 3; i++)
            hand_used(&b, packed, (uint16_t)i, (uint16_t)i, lens[i]);
        for (i = 0; i < 3; i++) {
            got = 12345;
            CHECK(virtqueue_get(&b.vq[0], &got) == &c[i]);
            CHECK_EQ(got, i < 2 ? VIRTQUEUE_LEN_PAST : 64u);
            /* The device's number kept for the caller's log */
            CHECK_EQ(virtqueue_len_past_seen(&b.vq[0]), lens[i < 2 ? i : 1]);
        }
        CHECK_EQ(virtqueue_broken(&b.vq[0]), 0);
        CHECK_EQ(b.h.reports, 0);
        /* The queue goes on: a new request is taken */
        sg.addr = bed_buf_pa(&b, 3);
        CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 0, 1, &c[3]), 0);
        /* After a reset the queue still passes them on */
        CHECK(virtqueue_detach_unused(&b.vq[0]) == &c[3]);
        virtqueue_reinit(&b.vq[0]);
    }
    /* Any other violation still breaks the queue */
    sg.addr = bed_buf_pa(&b, 0);
    CHECK_EQ(virtqueue_add(&b.vq[0], &sg, 0, 1, &c[0]), 0);
    CHECK(virtqueue_kick_prepare(&b.vq[0]));
    hand_used(&b, packed, 0, 100, 1);
    CHECK(virtqueue_get(&b.vq[0], &got) == NULL);
    CHECK_EQ(virtqueue_broken(&b.vq[0]), VIRTIO_VIOL_USED_ID_RANGE);
    CHECK_EQ(b.h.reports, 1);
    bed_fini(&b);
}

static void t_split_len_past_passed(void)
{
    len_past_passed(false);
}
static void t_packed_len_past_passed(void)
{
    len_past_passed(true);
}

/* ---------------------------------------------------------------------- */
/* Capabilities                                                           */

static void evil_caps(enum vmodel_cap_evil ce, enum virtio_violation expect)
{
    struct vmodel_config mc;
    struct traffic *t = calloc(1, sizeof(*t));
    struct bed b;

    CHECK(t != NULL);
    /* Modern-only device: nothing usable, reported */
    bed_default_config(&mc);
    mc.cap_evil = ce;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), VIRTIO_EPROTO);
    CHECK_EQ(b.dev.broken, expect);
    CHECK_EQ(b.h.last_violation, expect);
    CHECK_EQ(b.h.last_queue, -1);
    bed_fini(&b);
    /* Transitional device: falls back to the legacy interface and works */
    mc.transport = VMODEL_TRANSITIONAL;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), 0);
    CHECK_EQ(b.dev.mode, VIRTIO_PCI_MODE_LEGACY);
    CHECK_EQ(b.dev.caps.violation, expect);
    CHECK(traffic_run(t, &b, &b.vq[0], 100, 4) >= 100);
    bed_fini(&b);
    free(t);
}

static void t_cap_loop(void)
{
    evil_caps(VMODEL_CAP_LOOP, VIRTIO_VIOL_CAP);
}
static void t_cap_bad_ptr(void)
{
    evil_caps(VMODEL_CAP_BAD_PTR, VIRTIO_VIOL_CAP);
}
static void t_cap_short(void)
{
    evil_caps(VMODEL_CAP_SHORT, VIRTIO_VIOL_CAP);
}
static void t_cap_out_of_bar(void)
{
    evil_caps(VMODEL_CAP_OUT_OF_BAR, VIRTIO_VIOL_CAP_RANGE);
}
static void t_cap_overflow(void)
{
    evil_caps(VMODEL_CAP_OVERFLOW, VIRTIO_VIOL_CAP_RANGE);
}
static void t_cap_bad_mult(void)
{
    evil_caps(VMODEL_CAP_BAD_MULT, VIRTIO_VIOL_CAP);
}

/** A reserved BAR number is ignored silently: no modern interface */
static void t_cap_bad_bar(void)
{
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    mc.cap_evil = VMODEL_CAP_BAD_BAR;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), VIRTIO_ENODEV);
    bed_fini(&b);
}

/** A BAR smaller than the capabilities claim */
static void t_cap_bar_shrunk(void)
{
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    memset(&b, 0, sizeof(b));
    b.m = vmodel_create(&mc);
    vmodel_set_bar_len(b.m, VMODEL_MODERN_BAR, 0x3000);
    host_os_init(&b.h, b.m, &b.os);
    CHECK_EQ(virtio_pci_probe(&b.dev, &b.os, VIRTIO_PCI_MODE_AUTO), VIRTIO_EPROTO);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_CAP_RANGE);
    CHECK(!b.dev.caps.notify.present);
    CHECK(b.dev.caps.common.present);
    vmodel_destroy(b.m);
}

/** Notify offset of a queue beyond the notify region */
static void t_notify_range(void)
{
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 1, .msix_vector = 2};
    struct bed b;

    bed_default_config(&mc);
    mc.cap_evil = VMODEL_CAP_NOTIFY_SHORT;
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 1, 0, 0), 0); /* queue 0: offset 0 */
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), 0);
    CHECK_EQ(virtio_queue_setup(&b.dev, &b.vq[1], &qc), VIRTIO_EPROTO);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_NOTIFY_RANGE);
    CHECK_EQ(b.h.mem_live, 1); /* queue 0 only: queue 1 cleaned up */
    bed_fini(&b);
}

/** MSI-X vectors that do not read back */
static void t_msix_readback(void)
{
    struct vmodel_behaviour evil = {.evil = VMODEL_EVIL_MSIX};
    struct vmodel_config mc;
    struct virtio_queue_config qc = {.index = 0, .msix_vector = 1};
    struct bed b;

    bed_default_config(&mc);
    CHECK_EQ(bed_init(&b, &mc, VIRTIO_PCI_MODE_AUTO, 0, 0, 0, 0), 0);
    vmodel_set_behaviour(b.m, &evil);
    CHECK_EQ(virtio_set_config_vector(&b.dev, 1), VIRTIO_ENOSPC);
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), 0);
    CHECK(virtio_queue_setup(&b.dev, &b.vq[0], &qc) < 0);
    CHECK_EQ(b.h.mem_live, 0);
    bed_fini(&b);
}

/** DEVICE_NEEDS_RESET right at DRIVER_OK */
static void t_needs_reset_at_ready(void)
{
    struct vmodel_behaviour evil = {.evil = VMODEL_EVIL_NEEDS_RESET};
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    memset(&b, 0, sizeof(b));
    b.m = vmodel_create(&mc);
    vmodel_set_behaviour(b.m, &evil);
    host_os_init(&b.h, b.m, &b.os);
    CHECK_EQ(virtio_pci_probe(&b.dev, &b.os, VIRTIO_PCI_MODE_AUTO), 0);
    CHECK_EQ(virtio_negotiate(&b.dev, 0, NULL), 0);
    CHECK_EQ(virtio_device_ready(&b.dev), VIRTIO_EIO);
    CHECK_EQ(b.dev.broken, VIRTIO_VIOL_NEEDS_RESET);
    virtio_pci_release(&b.dev);
    vmodel_destroy(b.m);
}

/** Not a virtio function at all */
static void t_not_virtio(void)
{
    struct vmodel_config mc;
    struct bed b;

    bed_default_config(&mc);
    memset(&b, 0, sizeof(b));
    b.m = vmodel_create(&mc);
    vmodel_cfg_space(b.m)[0] = 0x86;
    host_os_init(&b.h, b.m, &b.os);
    CHECK_EQ(virtio_pci_probe(&b.dev, &b.os, VIRTIO_PCI_MODE_AUTO), VIRTIO_ENODEV);
    vmodel_destroy(b.m);
}

const struct vtest vtest_harden[] = {
    {"harden_split_bad_id", t_split_bad_id},
    {"harden_split_idle_id", t_split_idle_id},
    {"harden_split_double", t_split_double},
    {"harden_split_double_idx", t_split_double_idx},
    {"harden_split_bad_len", t_split_bad_len},
    {"harden_split_idx_jump", t_split_idx_jump},
    {"harden_split_non_head", t_split_non_head},
    {"harden_len_on_readonly", t_len_on_readonly},
    {"harden_packed_len_ignored_without_write", t_packed_len_ignored_without_write},
    {"harden_packed_len_on_readonly", t_packed_len_on_readonly},
    {"harden_packed_bad_id", t_packed_bad_id},
    {"harden_packed_idle_id", t_packed_idle_id},
    {"harden_packed_double", t_packed_double},
    {"harden_packed_bad_len", t_packed_bad_len},
    {"harden_packed_wrap", t_packed_wrap},
    {"harden_split_len_past_passed", t_split_len_past_passed},
    {"harden_packed_len_past_passed", t_packed_len_past_passed},
    {"harden_cap_loop", t_cap_loop},
    {"harden_cap_bad_ptr", t_cap_bad_ptr},
    {"harden_cap_short", t_cap_short},
    {"harden_cap_out_of_bar", t_cap_out_of_bar},
    {"harden_cap_overflow", t_cap_overflow},
    {"harden_cap_bad_mult", t_cap_bad_mult},
    {"harden_cap_bad_bar", t_cap_bad_bar},
    {"harden_cap_bar_shrunk", t_cap_bar_shrunk},
    {"harden_notify_range", t_notify_range},
    {"harden_msix_readback", t_msix_readback},
    {"harden_needs_reset_at_ready", t_needs_reset_at_ready},
    {"harden_not_virtio", t_not_virtio},
    {NULL, NULL},
};
