/*
 * vmodel_input.h - a virtio-input device (virtio spec 5.8) on the device
 * model: the configuration answers select/subsel (name, serial, ids,
 * property and event bitmaps, abs ranges) for a keyboard, mouse and/or
 * tablet personality; the event queue holds the driver's buffers until the
 * test injects events, one per buffer; the status queue's events (LEDs) are
 * captured in order.  Hostile knobs: an absurd size field, an empty abs
 * range, short event writes.
 */
#ifndef VMODEL_INPUT_H
#define VMODEL_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include "vmodel.h"

#define VMODEL_INPUT_CFG_LEN 136 /* select, subsel, size, reserved[5], 128 bytes */

#define VMODEL_INPUT_KEYBOARD 0x1
#define VMODEL_INPUT_MOUSE    0x2
#define VMODEL_INPUT_TABLET   0x4

#define VMODEL_INPUT_EV_SYN 0x00
#define VMODEL_INPUT_EV_KEY 0x01
#define VMODEL_INPUT_EV_REL 0x02
#define VMODEL_INPUT_EV_ABS 0x03
#define VMODEL_INPUT_EV_MSC 0x04
#define VMODEL_INPUT_EV_LED 0x11

struct vmodel_input_event {
    uint16_t type, code;
    uint32_t value;
};

struct vmodel_input {
    struct vmodel *m;
    unsigned kinds;
    char name[64];
    uint16_t bustype, vendor, product, version;
    uint8_t bits[0x20][128]; /* EV_BITS per event type (subsel) */
    int32_t abs_min[2], abs_max[2];
    /* Hostile knobs. */
    int size_override;  /* >= 0: every answer claims this size */
    uint32_t event_len; /* bytes reported per event (0: 8) */
    /* Events waiting for a driver buffer. */
    struct vmodel_input_event fifo[512];
    unsigned fifo_head, fifo_count;
    /* Status queue: what the driver sent. */
    struct vmodel_input_event status[256];
    unsigned status_count;
    unsigned cfg_answers; /* select writes answered */
};

/* A personality (VMODEL_INPUT_* kinds) on M, which must have 2 queues and a
 * VMODEL_INPUT_CFG_LEN device configuration. */
void vmodel_input_init(struct vmodel_input *vi, struct vmodel *m, unsigned kinds);
/* Queue one event for the driver; false when the FIFO is full. */
bool vmodel_input_event(struct vmodel_input *vi, uint16_t type, uint16_t code, uint32_t value);
/* EV_SYN / SYN_REPORT. */
bool vmodel_input_syn(struct vmodel_input *vi);

#endif /* VMODEL_INPUT_H */
