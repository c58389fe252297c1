/*
 * vmodel_console.h - the host end of a virtio console (virtio spec 5.3) on
 * the device model: a request handler that speaks the control protocol
 * (DEVICE_READY -> PORT_ADD, PORT_READY -> PORT_NAME/PORT_OPEN) and moves
 * port data both ways with host-side buffers:
 *  - host to guest: bytes queued with vmodel_console_send are written into
 *    the guest's receive buffers as they are posted (at most CHUNK per
 *    buffer);
 *  - guest to host: transmit buffers are taken while the host buffer has
 *    room (CAP), so a host that does not vmodel_console_take makes the
 *    guest wait.
 * Hostile helpers queue raw control messages of any shape.  The PCI
 * function around it is tests/harness/devices/dev_console.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "model_report.h"
#include "vmodel.h"

#define VMODEL_CONSOLE_MAX_PORTS 7
#define VMODEL_CONSOLE_BUF       (1 << 16)

#define VMODEL_CONSOLE_DEVICE_READY 0
#define VMODEL_CONSOLE_PORT_ADD     1
#define VMODEL_CONSOLE_PORT_REMOVE  2
#define VMODEL_CONSOLE_PORT_READY   3
#define VMODEL_CONSOLE_CONSOLE_PORT 4
#define VMODEL_CONSOLE_RESIZE       5
#define VMODEL_CONSOLE_PORT_OPEN    6
#define VMODEL_CONSOLE_PORT_NAME    7

struct vmodel_console_port {
    bool exists;     /* the host has the port (added at DEVICE_READY or hot) */
    bool ready;      /* the guest said PORT_READY */
    bool guest_open; /* the guest's PORT_OPEN */
    bool host_open;
    char name[256];
    unsigned name_len;
    uint8_t to_guest[VMODEL_CONSOLE_BUF];
    uint32_t to_guest_len, to_guest_pos;
    uint8_t from_guest[VMODEL_CONSOLE_BUF];
    uint32_t from_guest_len;
    uint32_t cap;       /* host-side buffer limit for guest data */
    uint32_t chunk;     /* at most this many bytes per receive buffer (0 = all) */
    unsigned host_full; /* transmit buffers left in the ring: host buffer full */
};

struct vmodel_console_msg {
    uint8_t bytes[300];
    uint32_t len;
};

struct vmodel_console {
    struct model_report report; /* failures and log lines */
    uint32_t max_ports;
    bool multiport;
    bool device_ready; /* DEVICE_READY seen since the last reset */
    unsigned device_ready_count;
    struct vmodel_console_port port[VMODEL_CONSOLE_MAX_PORTS];
    struct vmodel_console_msg ctrl[64];
    unsigned ctrl_head, ctrl_count;
    unsigned guest_msgs[8]; /* control messages from the guest, per event */
};

/* Virtio device type and the feature bit of a multiport console. */
#define VMODEL_CONSOLE_ID          3
#define VMODEL_CONSOLE_F_MULTIPORT (1ull << 1)
/* Bytes of its device configuration (cols, rows, max_nr_ports, emerg_wr). */
#define VMODEL_CONSOLE_CFG_LEN 12

/* A console with MAX_PORTS ports (one without MULTIPORT); fills CFG
 * (VMODEL_CONSOLE_CFG_LEN bytes) with the device configuration. */
void vmodel_console_init(struct vmodel_console *c, bool multiport, uint32_t max_ports,
                         uint8_t *cfg);
/* The model's request handler (vmodel_set_handler with C as context). */
uint32_t vmodel_console_handler(void *ctx, const struct vmodel_req *req);
/* The host adds a port (now if the guest is ready, else at DEVICE_READY). */
void vmodel_console_port_add(struct vmodel_console *c, unsigned id, const char *name,
                             bool host_open);
void vmodel_console_port_remove(struct vmodel_console *c, unsigned id);
void vmodel_console_host_open(struct vmodel_console *c, unsigned id, bool open);
/* Host to guest data; guest to host data taken by the host (at most MAX). */
void vmodel_console_send(struct vmodel_console *c, unsigned id, const void *data, uint32_t len);
uint32_t vmodel_console_take(struct vmodel_console *c, unsigned id, void *out, uint32_t max);
/* Any control message, as the host would send it (hostile tests). */
void vmodel_console_raw(struct vmodel_console *c, uint32_t id, uint16_t event, uint16_t value,
                        const void *extra, uint32_t extra_len);
