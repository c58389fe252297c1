/*
 * vmodel_input.c - the virtio-input device personality (vmodel_input.h).
 */
#include <string.h>
#include "vmodel_input.h"

#define CFG_UNSET     0x00
#define CFG_ID_NAME   0x01
#define CFG_ID_SERIAL 0x02
#define CFG_ID_DEVIDS 0x03
#define CFG_PROP_BITS 0x10
#define CFG_EV_BITS   0x11
#define CFG_ABS_INFO  0x12

static void set_bit(uint8_t *map, unsigned bit)
{
    map[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* How many bytes of a bitmap are in use (the size QEMU reports). */
static uint8_t bitmap_size(const uint8_t *map)
{
    int n = 128;
    while (n > 0 && map[n - 1] == 0)
        n--;
    return (uint8_t)n;
}

/* The driver wrote select or subsel: put the answer in place. */
static void answer(void *ctx, uint32_t off, unsigned width)
{
    struct vmodel_input *vi = ctx;
    uint8_t *cfg = vmodel_device_cfg(vi->m);
    uint8_t select = cfg[0], subsel = cfg[1], size = 0;
    uint8_t *data = cfg + 8;

    if (off > 1)
        return;
    (void)width;
    vi->cfg_answers++;
    memset(data, 0, 128);
    switch (select) {
    case CFG_ID_NAME:
        size = (uint8_t)strlen(vi->name);
        memcpy(data, vi->name, size);
        break;
    case CFG_ID_SERIAL:
        size = 4;
        memcpy(data, "0001", 4);
        break;
    case CFG_ID_DEVIDS:
        data[0] = (uint8_t)vi->bustype, data[1] = (uint8_t)(vi->bustype >> 8);
        data[2] = (uint8_t)vi->vendor, data[3] = (uint8_t)(vi->vendor >> 8);
        data[4] = (uint8_t)vi->product, data[5] = (uint8_t)(vi->product >> 8);
        data[6] = (uint8_t)vi->version, data[7] = (uint8_t)(vi->version >> 8);
        size = 8;
        break;
    case CFG_EV_BITS:
        if (subsel < 0x20) {
            memcpy(data, vi->bits[subsel], 128);
            size = bitmap_size(vi->bits[subsel]);
        }
        break;
    case CFG_ABS_INFO:
        if (subsel < 2 && (vi->kinds & VMODEL_INPUT_TABLET)) {
            put32(data, (uint32_t)vi->abs_min[subsel]);
            put32(data + 4, (uint32_t)vi->abs_max[subsel]);
            size = 20;
        }
        break;
    default: /* CFG_UNSET, PROP_BITS (none): size 0 */
        break;
    }
    if (vi->size_override >= 0 && select != CFG_UNSET)
        size = (uint8_t)vi->size_override;
    cfg[2] = size;
}

static uint32_t handle(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_input *vi = ctx;
    uint8_t raw[8];

    if (req->queue == 0) {
        /* Event buffers are taken only when there is an event for them. */
        if (vi->fifo_count == 0)
            return VMODEL_LATER;
        if (req->nsegs != 1 || !req->segs[0].write || req->segs[0].len < 8)
            return 0;
        const struct vmodel_input_event *e = &vi->fifo[vi->fifo_head];
        raw[0] = (uint8_t)e->type, raw[1] = (uint8_t)(e->type >> 8);
        raw[2] = (uint8_t)e->code, raw[3] = (uint8_t)(e->code >> 8);
        put32(raw + 4, e->value);
        memcpy(req->segs[0].va, raw, 8);
        vi->fifo_head = (vi->fifo_head + 1) % (sizeof(vi->fifo) / sizeof(vi->fifo[0]));
        vi->fifo_count--;
        return vi->event_len ? vi->event_len : 8;
    }
    /* Status queue: one event per device-readable buffer. */
    if (req->nsegs == 1 && !req->segs[0].write && req->segs[0].len >= 8 &&
        vi->status_count < sizeof(vi->status) / sizeof(vi->status[0])) {
        const uint8_t *p = req->segs[0].va;
        struct vmodel_input_event *e = &vi->status[vi->status_count++];
        e->type = (uint16_t)(p[0] | p[1] << 8);
        e->code = (uint16_t)(p[2] | p[3] << 8);
        e->value =
            (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
    }
    return 0;
}

void vmodel_input_init(struct vmodel_input *vi, struct vmodel *m, unsigned kinds)
{
    memset(vi, 0, sizeof(*vi));
    vi->m = m;
    vi->kinds = kinds;
    vi->size_override = -1;
    vi->bustype = 0x06; /* BUS_VIRTUAL */
    vi->vendor = 0x0627;
    vi->product = kinds == VMODEL_INPUT_KEYBOARD ? 0x0001
                  : kinds == VMODEL_INPUT_MOUSE  ? 0x0002
                                                 : 0x0003;
    vi->version = 1;
    strcpy(vi->name, kinds == VMODEL_INPUT_KEYBOARD ? "QEMU Virtio Keyboard"
                     : kinds == VMODEL_INPUT_MOUSE  ? "QEMU Virtio Mouse"
                     : kinds == VMODEL_INPUT_TABLET ? "QEMU Virtio Tablet"
                                                    : "QEMU Virtio Input");
    if (kinds & VMODEL_INPUT_KEYBOARD) {
        for (unsigned k = 1; k <= 88; k++) /* KEY_ESC .. KEY_F12 */
            set_bit(vi->bits[VMODEL_INPUT_EV_KEY], k);
        for (unsigned k = 96; k <= 127; k++)
            set_bit(vi->bits[VMODEL_INPUT_EV_KEY], k);
        for (unsigned led = 0; led < 5; led++)
            set_bit(vi->bits[VMODEL_INPUT_EV_LED], led);
    }
    if (kinds & (VMODEL_INPUT_MOUSE | VMODEL_INPUT_TABLET))
        for (unsigned b = 0x110; b <= 0x114; b++) /* BTN_LEFT .. BTN_EXTRA */
            set_bit(vi->bits[VMODEL_INPUT_EV_KEY], b);
    if (kinds & VMODEL_INPUT_MOUSE) {
        set_bit(vi->bits[VMODEL_INPUT_EV_REL], 0); /* REL_X */
        set_bit(vi->bits[VMODEL_INPUT_EV_REL], 1); /* REL_Y */
        set_bit(vi->bits[VMODEL_INPUT_EV_REL], 6); /* REL_HWHEEL */
        set_bit(vi->bits[VMODEL_INPUT_EV_REL], 8); /* REL_WHEEL */
    }
    if (kinds & VMODEL_INPUT_TABLET) {
        set_bit(vi->bits[VMODEL_INPUT_EV_ABS], 0);
        set_bit(vi->bits[VMODEL_INPUT_EV_ABS], 1);
        vi->abs_max[0] = vi->abs_max[1] = 0x7fff; /* QEMU's tablet range */
    }
    vmodel_set_handler(m, handle, vi);
    vmodel_set_cfg_write(m, answer, vi);
}

bool vmodel_input_event(struct vmodel_input *vi, uint16_t type, uint16_t code, uint32_t value)
{
    unsigned cap = sizeof(vi->fifo) / sizeof(vi->fifo[0]);
    if (vi->fifo_count == cap)
        return false;
    struct vmodel_input_event *e = &vi->fifo[(vi->fifo_head + vi->fifo_count++) % cap];
    e->type = type, e->code = code, e->value = value;
    return true;
}

bool vmodel_input_syn(struct vmodel_input *vi)
{
    return vmodel_input_event(vi, VMODEL_INPUT_EV_SYN, 0, 0);
}
