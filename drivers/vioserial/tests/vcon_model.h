/*
 * The host end of a virtio console for the vioser scenarios: a handler on
 * the device model (tests/models/virtio/vmodel) that speaks the control protocol
 * (DEVICE_READY -> PORT_ADD, PORT_READY -> PORT_NAME/PORT_OPEN) and moves
 * port data both ways with host-side buffers:
 *  - host to guest: bytes queued with vcon_send are written into the
 *    guest's receive buffers as they are posted (at most CHUNK per buffer);
 *  - guest to host: transmit buffers are taken while the host buffer has
 *    room (CAP), so a host that does not vcon_take makes the guest wait.
 * Hostile helpers queue raw control messages of any shape.
 */
#pragma once
#include <stdint.h>
#include "dev_virtio.h"
#include "kernel.h"
#include "scenario.h"
#include "vw_irp.h"
#include "vw_ntstatus.h"

#define VCON_MAX_PORTS 7
#define VCON_BUF       (1 << 16)

#define VCON_DEVICE_READY 0
#define VCON_PORT_ADD     1
#define VCON_PORT_REMOVE  2
#define VCON_PORT_READY   3
#define VCON_CONSOLE_PORT 4
#define VCON_RESIZE       5
#define VCON_PORT_OPEN    6
#define VCON_PORT_NAME    7

#define IOCTL_VIOSER_PORT_INFO 0x222004u

struct vcon_port {
    bool exists;     /* the host has the port (added at DEVICE_READY or hot) */
    bool ready;      /* the guest said PORT_READY */
    bool guest_open; /* the guest's PORT_OPEN */
    bool host_open;
    char name[256];
    unsigned name_len;
    uint8_t to_guest[VCON_BUF];
    uint32_t to_guest_len, to_guest_pos;
    uint8_t from_guest[VCON_BUF];
    uint32_t from_guest_len;
    uint32_t cap;       /* host-side buffer limit for guest data */
    uint32_t chunk;     /* at most this many bytes per receive buffer (0 = all) */
    unsigned host_full; /* transmit buffers left in the ring: host buffer full */
};

struct vcon_msg {
    uint8_t bytes[300];
    uint32_t len;
};

struct vcon {
    struct vm *vm;
    struct vw_virtio *dev;
    uint32_t max_ports;
    bool multiport;
    bool device_ready; /* DEVICE_READY seen since the last reset */
    unsigned device_ready_count;
    struct vcon_port port[VCON_MAX_PORTS];
    struct vcon_msg ctrl[64];
    unsigned ctrl_head, ctrl_count;
    unsigned guest_msgs[8]; /* control messages from the guest, per event */
};

/* A console PCI function (features: MULTIPORT when MULTIPORT is set). */
struct vcon *vcon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                         uint64_t extra_features, bool multiport, uint32_t max_ports);
/* The host adds a port (now if the guest is ready, else at DEVICE_READY). */
void vcon_port_add(struct vcon *c, unsigned id, const char *name, bool host_open);
void vcon_port_remove(struct vcon *c, unsigned id);
void vcon_host_open(struct vcon *c, unsigned id, bool open);
/* Host to guest data; guest to host data taken by the host (at most MAX). */
void vcon_send(struct vcon *c, unsigned id, const void *data, uint32_t len);
uint32_t vcon_take(struct vcon *c, unsigned id, void *out, uint32_t max);
/* Any control message, as the host would send it (hostile tests). */
void vcon_raw(struct vcon *c, uint32_t id, uint16_t event, uint16_t value, const void *extra,
              uint32_t extra_len);

/* Load, add, start vioser and let the control exchange settle. */
bool vcon_start(struct vm *vm, struct vcon *c);
/* The device object of \\.\Global\NAME, or of \Device\vport0p<ID>. */
gva_t vcon_open_name(struct vm *vm, const char *name);
gva_t vcon_port_object(struct vm *vm, unsigned id);
/* Remove the device and unload the driver (with the leak checks). */
void vcon_finish(struct vm *vm, struct vcon *c);
/* Synchronous write/read through the request path; the status. */
uint32_t vcon_write(struct vm *vm, gva_t port, const void *data, uint32_t len, uint64_t *written);
