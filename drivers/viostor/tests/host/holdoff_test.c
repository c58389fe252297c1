/*
 * Host unit tests of CompletionHoldoff (check-viostor; viostor and vioscsi
 * share it): the used_event the core writes for it, on a split ring in
 * host memory the test plays the device of (its indices across 65535),
 * that it equals virtqueue_enable_cb with one request held or none and
 * without EVENT_IDX, and the setting's clamp; and the same hold set by
 * each publish (virtqueue_hold_published: a batch of 32 from an idle queue
 * interrupts at its 32nd completion only).  A copy built with
 * VIRTQUEUE_PLANTED_HOLDOFF_PAST (used_event one past the last held
 * request: the interrupt never comes for it) must fail, and one built with
 * VIRTQUEUE_PLANTED_HOLD_BEFORE_PUBLISH (the publish counts the held
 * requests without its own: the interrupt at the 31st) too.
 */
#define HOSTCHECK_PREFIX "holdoff: "
#include "hostcheck.h"

#include <stdlib.h>
#include <string.h>

#include <storport/holdoff_policy.h>
#include <virtio/virtqueue.h>

#define QSIZE 64

/* One split queue in host memory, the test its device */
struct bed {
    struct virtqueue vq;
    struct virtqueue_layout lay;
    uint8_t *ring;
    void *state;
    uint16_t dev_avail; /* next avail entry the device takes */
    uint16_t dev_used;  /* the used index the device has written */
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The driver's used_event: after avail flags, idx and ring[num] (spec 2.7.6) */
static uint16_t used_event_of(struct bed *b)
{
    return rd16(b->ring + b->lay.driver_off + 4 + 2 * QSIZE);
}
static uint16_t avail_flags_of(struct bed *b)
{
    return rd16(b->ring + b->lay.driver_off);
}

static int bed_init(struct bed *b, bool event_idx)
{
    memset(b, 0, sizeof(*b));
    if (virtqueue_layout(VIRTQUEUE_SPLIT, QSIZE, 0, 4, &b->lay) != 0)
        return -1;
    b->ring = aligned_alloc(4096, (b->lay.ring_size + 4095) & ~(size_t)4095);
    b->state = calloc(1, b->lay.state_size);
    if (b->ring == NULL || b->state == NULL)
        return -1;
    memset(b->ring, 0, b->lay.ring_size);
    struct virtqueue_params p = {
        .format = VIRTQUEUE_SPLIT,
        .num = QSIZE,
        .options = event_idx ? VIRTQUEUE_OPT_EVENT_IDX : 0,
        .used_align = 4,
        .ring_va = b->ring,
        .ring_pa = 0x100000,
        .state = b->state,
    };
    return virtqueue_init(&b->vq, &p);
}

static void bed_free(struct bed *b)
{
    free(b->ring);
    free(b->state);
}

/* The driver posts n one-segment requests (cookies 1..n) and publishes them */
static int post(struct bed *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct virtqueue_sg sg = {.addr = 0x200000 + 512 * i, .len = 512};
        if (virtqueue_add(&b->vq, &sg, 0, 1, (void *)(uintptr_t)(i + 1)) != 0)
            return -1;
    }
    (void)virtqueue_kick_prepare(&b->vq);
    return 0;
}

/* The device completes n of the requests it was given, in order */
static void complete(struct bed *b, unsigned n)
{
    uint8_t *avail = b->ring + b->lay.driver_off;
    uint8_t *used = b->ring + b->lay.device_off;
    for (unsigned i = 0; i < n; i++) {
        uint16_t head = rd16(avail + 4 + 2 * (b->dev_avail % QSIZE));
        b->dev_avail++;
        uint8_t *e = used + 4 + 8 * (b->dev_used % QSIZE);
        wr32(e, head);
        wr32(e + 4, 0);
        b->dev_used++;
    }
    wr16(used + 2, b->dev_used);
}

/* The driver takes every completion waiting */
static unsigned drain(struct bed *b)
{
    unsigned n = 0;
    uint32_t len;
    while (virtqueue_get(&b->vq, &len) != NULL)
        n++;
    return n;
}

/* The device's interrupt test (spec 2.7.10), written here from the spec */
static int device_interrupts(uint16_t used_event, uint16_t new_idx, uint16_t old_idx)
{
    return (uint16_t)(new_idx - used_event - 1) < (uint16_t)(new_idx - old_idx);
}

static void test_event_arithmetic(void)
{
    static const struct {
        uint16_t last, held, want;
    } cases[] = {
        {0, 0, 0},          {0, 1, 0},         {0, 2, 1},     {0, 32, 31},
        {100, 32, 131},     {65535, 1, 65535}, {65535, 2, 0}, {65530, 32, 25},
        {65504, 32, 65535}, {65505, 32, 0},    {7, 65535, 5}, {65535, 0, 65535},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint16_t got = virtqueue_holdoff_event(cases[i].last, cases[i].held);
        expect(got == cases[i].want, "used_event for last_used %u, %u held: %u (want %u)",
               cases[i].last, cases[i].held, got, cases[i].want);
    }
}

/* Rounds of QD 32 with 8 completed per drain, across the 16-bit wrap: the
 * interrupt comes exactly when the last request held completes, never
 * before (one per batch of 32), and the queue's indices stay right */
static void test_ring_last(void)
{
    struct bed b;
    if (bed_init(&b, true) != 0) {
        expect(0, "split ring with EVENT_IDX set up");
        return;
    }
    unsigned rounds = 0, bad_event = 0, early = 0, missed = 0, lost = 0;
    /* 2100 rounds of 32: the indices pass 65535 once */
    for (rounds = 0; rounds < 2100; rounds++) {
        if (post(&b, 32) != 0) {
            lost++;
            break;
        }
        complete(&b, 8);
        if (drain(&b) != 8)
            lost++;
        uint16_t last = (uint16_t)(b.dev_used);
        uint16_t held = virtqueue_in_flight(&b.vq);
        if (held != 24)
            lost++;
        if (!virtqueue_enable_cb_last(&b.vq))
            lost++;
        if (used_event_of(&b) != (uint16_t)(last + 23))
            bad_event++;
        /* The device completes the rest one by one: an interrupt only at the last */
        for (unsigned i = 0; i < 24; i++) {
            uint16_t old = b.dev_used;
            complete(&b, 1);
            int irq = device_interrupts(used_event_of(&b), b.dev_used, old);
            if (irq && i != 23)
                early++;
            if (!irq && i == 23)
                missed++;
        }
        if (drain(&b) != 24)
            lost++;
        (void)virtqueue_enable_cb(&b.vq);
    }
    expect(b.dev_used == (uint16_t)(2100 * 32), "used index after 2100 rounds of 32: %u",
           b.dev_used);
    expect(bad_event == 0, "used_event = last_used + held - 1 in every round: %u wrong", bad_event);
    expect(early == 0, "no interrupt before the last held request completes: %u early", early);
    expect(missed == 0, "the interrupt when the last held request completes: %u missed", missed);
    expect(lost == 0, "every request posted, completed and taken once: %u wrong", lost);
    bed_free(&b);
}

/* One request or none at the device, or no EVENT_IDX: as virtqueue_enable_cb */
static void test_same_as_enable_cb(void)
{
    struct bed b;
    if (bed_init(&b, true) != 0 || post(&b, 3) != 0) {
        expect(0, "split ring set up");
        return;
    }
    complete(&b, 2);
    drain(&b);
    expect(virtqueue_in_flight(&b.vq) == 1, "one request held: %u", virtqueue_in_flight(&b.vq));
    expect(virtqueue_enable_cb_last(&b.vq) && used_event_of(&b) == 2,
           "one held: used_event 2 (the next completion), as virtqueue_enable_cb: %u",
           used_event_of(&b));
    complete(&b, 1);
    drain(&b);
    expect(virtqueue_enable_cb_last(&b.vq) && used_event_of(&b) == 3,
           "none held: used_event 3, as virtqueue_enable_cb: %u", used_event_of(&b));
    /* A completion that raced the enable: drain again, as virtqueue_enable_cb says */
    post(&b, 4);
    complete(&b, 1);
    expect(!virtqueue_enable_cb_last(&b.vq), "a completion already waiting: drain again");
    bed_free(&b);

    if (bed_init(&b, false) != 0 || post(&b, 8) != 0) {
        expect(0, "split ring without EVENT_IDX set up");
        return;
    }
    virtqueue_disable_cb(&b.vq);
    expect(avail_flags_of(&b) == 1, "without EVENT_IDX: disable sets NO_INTERRUPT");
    expect(virtqueue_enable_cb_last(&b.vq) && avail_flags_of(&b) == 0 && used_event_of(&b) == 0,
           "without EVENT_IDX, 8 held: NO_INTERRUPT cleared, used_event untouched (%u)",
           used_event_of(&b));
    bed_free(&b);
}

/* Rounds of 32 requests published one at a time on an idle queue (the
 * used_event of virtqueue_enable_cb: the next completion), across the
 * 16-bit wrap: after each publish with 2 or more held the event is at the
 * last one, and the device, completing them one by one after the batch,
 * interrupts at the 32nd only */
static void test_publish_batch(void)
{
    struct bed b;
    if (bed_init(&b, true) != 0) {
        expect(0, "publish: split ring with EVENT_IDX set up");
        return;
    }
    unsigned rounds, bad_event = 0, bad_ret = 0, early = 0, missed = 0, lost = 0;
    for (rounds = 0; rounds < 2100; rounds++) {
        uint16_t last = b.dev_used;
        if (used_event_of(&b) != last)
            bad_event++; /* idle: the next completion */
        for (unsigned i = 1; i <= 32; i++) {
            if (post(&b, 1) != 0) {
                lost++;
                break;
            }
            bool held = virtqueue_hold_published(&b.vq);
            if (held != (i >= 2))
                bad_ret++;
            if (used_event_of(&b) != (uint16_t)(last + (i >= 2 ? i - 1 : 0)))
                bad_event++;
        }
        for (unsigned i = 0; i < 32; i++) {
            uint16_t old = b.dev_used;
            complete(&b, 1);
            int irq = device_interrupts(used_event_of(&b), b.dev_used, old);
            if (irq && i != 31)
                early++;
            if (!irq && i == 31)
                missed++;
        }
        if (drain(&b) != 32)
            lost++;
        if (!virtqueue_enable_cb_last(&b.vq))
            lost++;
    }
    expect(b.dev_used == (uint16_t)(2100 * 32), "publish: used index after 2100 batches: %u",
           b.dev_used);
    expect(bad_ret == 0, "publish: held reported from the 2nd request of a batch: %u wrong",
           bad_ret);
    expect(bad_event == 0, "publish: used_event = last_used + held - 1 after each: %u wrong",
           bad_event);
    expect(early == 0, "publish: no interrupt before the 32nd completion: %u early", early);
    expect(missed == 0, "publish: the interrupt at the 32nd completion: %u missed", missed);
    expect(lost == 0, "publish: every request posted, completed and taken once: %u wrong", lost);
    bed_free(&b);
}

/* What a publish leaves alone: one request held (QD 1: the next completion
 * interrupts at once), a drain's event (only forward), callbacks off,
 * no EVENT_IDX; and a completion that raced the store is the caller's
 * timer's (the publish says held) */
static void test_publish_unchanged(void)
{
    struct bed b;
    if (bed_init(&b, true) != 0 || post(&b, 1) != 0) {
        expect(0, "publish: split ring set up");
        return;
    }
    bool one = virtqueue_hold_published(&b.vq);
    expect(!one && used_event_of(&b) == 0,
           "publish: one held: not held, used_event 0 (the next completion): %u",
           used_event_of(&b));
    complete(&b, 1);
    expect(device_interrupts(used_event_of(&b), 1, 0), "publish: one held: it interrupts");
    drain(&b);
    (void)virtqueue_enable_cb(&b.vq);

    /* 32 at the device, 8 drained: the drain holds the other 24 */
    post(&b, 32);
    complete(&b, 8);
    drain(&b);
    (void)virtqueue_enable_cb_last(&b.vq);
    expect(used_event_of(&b) == 9 + 23, "publish: the drain's event at the 24th held: %u",
           used_event_of(&b));
    post(&b, 1);
    bool more = virtqueue_hold_published(&b.vq);
    expect(more && used_event_of(&b) == 9 + 24,
           "publish: one more: the event moves forward to the 25th: %u", used_event_of(&b));
    complete(&b, 25);
    drain(&b);
    (void)virtqueue_enable_cb(&b.vq);

    /* Idle again, one request at the device; it publishes its completion
     * and reads used_event only after the next publish moved it past: no
     * interrupt for it (the old event would have given one), so the
     * publish must have said held: the caller's timer reports it */
    uint16_t idle = used_event_of(&b);
    post(&b, 1);
    complete(&b, 1);
    post(&b, 1);
    bool held = virtqueue_hold_published(&b.vq);
    uint16_t now = b.dev_used;
    expect(device_interrupts(idle, now, (uint16_t)(now - 1)) &&
               !device_interrupts(used_event_of(&b), now, (uint16_t)(now - 1)) && held,
           "publish: a completion that raced the store waits for the caller's timer (held %d)",
           held);
    complete(&b, 1);
    drain(&b);

    /* Callbacks off (a drain in progress): nothing moves */
    virtqueue_disable_cb(&b.vq);
    uint16_t off = used_event_of(&b);
    post(&b, 2);
    bool disabled = virtqueue_hold_published(&b.vq);
    expect(!disabled && used_event_of(&b) == off,
           "publish: callbacks off: used_event stays %u (%u)", off, used_event_of(&b));
    bed_free(&b);

    if (bed_init(&b, false) != 0 || post(&b, 8) != 0) {
        expect(0, "publish: split ring without EVENT_IDX set up");
        return;
    }
    expect(!virtqueue_hold_published(&b.vq) && used_event_of(&b) == 0 && avail_flags_of(&b) == 0,
           "publish: without EVENT_IDX nothing changes");
    bed_free(&b);
}

static void test_clamp(void)
{
    static const struct {
        uint32_t raw;
        bool event_idx, packed;
        uint32_t want;
        enum vw_holdoff_note note;
    } cases[] = {
        {0, true, false, 0, VW_HOLDOFF_NOTE_NONE},
        {0, false, false, 0, VW_HOLDOFF_NOTE_NONE},
        {1, true, false, 1, VW_HOLDOFF_NOTE_NONE},
        {200, true, false, 200, VW_HOLDOFF_NOTE_NONE},
        {1000, true, false, 1000, VW_HOLDOFF_NOTE_NONE},
        {1001, true, false, 1000, VW_HOLDOFF_NOTE_CLAMPED},
        {0xffffffffu, true, false, 1000, VW_HOLDOFF_NOTE_CLAMPED},
        {200, false, false, 0, VW_HOLDOFF_NOTE_NO_EVENT_IDX},
        {5000, false, false, 0, VW_HOLDOFF_NOTE_NO_EVENT_IDX},
        {200, true, true, 0, VW_HOLDOFF_NOTE_PACKED},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum vw_holdoff_note note;
        uint32_t got = vw_holdoff_us(cases[i].raw, cases[i].event_idx, cases[i].packed, &note);
        expect(got == cases[i].want && note == cases[i].note,
               "CompletionHoldoff %u (EVENT_IDX %d, packed %d): %u us, note %d (want %u, %d)",
               cases[i].raw, cases[i].event_idx, cases[i].packed, got, (int)note, cases[i].want,
               (int)cases[i].note);
    }
}

static void test_idle_periods(void)
{
    static const uint32_t us[] = {1, 3, 100, 125, 130, 200, 300, 1000};
    static const uint32_t want[] = {16, 16, 16, 16, 16, 10, 7, 2};
    for (unsigned i = 0; i < sizeof(us) / sizeof(us[0]); i++)
        expect(vw_holdoff_idle_periods(us[i]) == want[i],
               "empty timer drains in a row at %u us: %u (want %u: 2 ms, 1 to 16)", us[i],
               vw_holdoff_idle_periods(us[i]), want[i]);
}

int main(void)
{
    test_event_arithmetic();
    test_ring_last();
    test_same_as_enable_cb();
    test_publish_batch();
    test_publish_unchanged();
    test_clamp();
    test_idle_periods();
    return hostcheck_end();
}
