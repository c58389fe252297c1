/*
 * The host end of a virtio console (see vcon_model.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vcon_model.h"

#define VIRTIO_ID_CONSOLE 3
#define F_VERSION_1       (1ull << 32)
#define F_MULTIPORT       (1ull << 1)

void vcon_raw(struct vcon *c, uint32_t id, uint16_t event, uint16_t value, const void *extra,
              uint32_t extra_len)
{
    if (c->ctrl_count == sizeof(c->ctrl) / sizeof(c->ctrl[0])) {
        vw_fail(c->vm, "console model: control queue overflow");
        return;
    }
    struct vcon_msg *m = &c->ctrl[(c->ctrl_head + c->ctrl_count++) % 64];
    uint8_t h[8] = {(uint8_t)id,         (uint8_t)(id >> 8),   (uint8_t)(id >> 16),
                    (uint8_t)(id >> 24), (uint8_t)event,       (uint8_t)(event >> 8),
                    (uint8_t)value,      (uint8_t)(value >> 8)};
    if (extra_len > sizeof(m->bytes) - 8)
        extra_len = sizeof(m->bytes) - 8;
    memcpy(m->bytes, h, 8);
    if (extra_len)
        memcpy(m->bytes + 8, extra, extra_len);
    m->len = 8 + extra_len;
}

static void queue_add(struct vcon *c, unsigned id)
{
    vcon_raw(c, id, VCON_PORT_ADD, 1, NULL, 0);
}

/* Gather the device-readable bytes of a request. */
static uint32_t gather(const struct vmodel_req *req, uint8_t *out, uint32_t cap)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < req->nsegs; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (s->write)
            continue;
        uint32_t take = s->len < cap - n ? s->len : cap - n;
        memcpy(out + n, s->va, take);
        n += take;
    }
    return n;
}

/* Scatter into the device-writable segments; the bytes written. */
static uint32_t scatter(const struct vmodel_req *req, const uint8_t *in, uint32_t len)
{
    uint32_t n = 0;
    for (unsigned i = 0; i < req->nsegs && n < len; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (!s->write)
            continue;
        uint32_t take = s->len < len - n ? s->len : len - n;
        memcpy(s->va, in + n, take);
        n += take;
    }
    return n;
}

static void guest_control(struct vcon *c, const uint8_t *m, uint32_t len)
{
    if (len < 8) {
        vw_fail(c->vm, "console model: control message of %u bytes from the guest", len);
        return;
    }
    uint32_t id = m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    uint16_t event = (uint16_t)(m[4] | m[5] << 8), value = (uint16_t)(m[6] | m[7] << 8);
    if (event < 8)
        c->guest_msgs[event]++;
    vw_log(c->vm, "console model: guest control id %u event %u value %u", id, event, value);
    if (event == VCON_DEVICE_READY) {
        c->device_ready = true;
        c->device_ready_count++;
        c->ctrl_count = 0; /* a new session: what was queued before is void */
        for (unsigned i = 0; i < c->max_ports && i < VCON_MAX_PORTS; i++) {
            c->port[i].ready = c->port[i].guest_open = false;
            if (c->port[i].exists)
                queue_add(c, i);
        }
        return;
    }
    if (id >= c->max_ports || id >= VCON_MAX_PORTS) {
        vw_fail(c->vm, "console model: guest control event %u for port %u", event, id);
        return;
    }
    struct vcon_port *p = &c->port[id];
    if (event == VCON_PORT_READY && value == 1) {
        p->ready = true;
        if (p->name_len)
            vcon_raw(c, id, VCON_PORT_NAME, 1, p->name, p->name_len);
        if (p->host_open)
            vcon_raw(c, id, VCON_PORT_OPEN, 1, NULL, 0);
    } else if (event == VCON_PORT_OPEN) {
        p->guest_open = value != 0;
    }
}

static uint32_t handler(void *ctx, const struct vmodel_req *req)
{
    struct vcon *c = ctx;
    unsigned q = req->queue;
    static uint8_t buf[VCON_BUF];
    if (c->multiport && q == 2) {
        if (c->ctrl_count == 0)
            return VMODEL_LATER;
        struct vcon_msg *m = &c->ctrl[c->ctrl_head];
        c->ctrl_head = (c->ctrl_head + 1) % 64;
        c->ctrl_count--;
        return scatter(req, m->bytes, m->len);
    }
    if (c->multiport && q == 3) {
        uint32_t n = gather(req, buf, sizeof(buf));
        guest_control(c, buf, n);
        return 0;
    }
    unsigned id = q < 2 ? 0 : q / 2 - 1;
    if (id >= VCON_MAX_PORTS)
        return 0;
    struct vcon_port *p = &c->port[id];
    if ((q & 1) == 0) { /* receive buffer: host to guest */
        uint32_t avail = p->to_guest_len - p->to_guest_pos;
        if (avail == 0)
            return VMODEL_LATER;
        if (p->chunk && avail > p->chunk)
            avail = p->chunk;
        uint32_t n = scatter(req, p->to_guest + p->to_guest_pos, avail);
        p->to_guest_pos += n;
        if (p->to_guest_pos == p->to_guest_len)
            p->to_guest_pos = p->to_guest_len = 0;
        return n;
    }
    /* transmit buffer: guest to host, while the host has room */
    uint32_t cap = p->cap ? p->cap : VCON_BUF;
    if (p->from_guest_len + req->out_len > cap) {
        if (p->from_guest_len == 0) {
            vw_fail(c->vm, "console model: a %u-byte write never fits the host buffer",
                    req->out_len);
            return 0;
        }
        p->host_full++;
        return VMODEL_LATER;
    }
    p->from_guest_len += gather(req, p->from_guest + p->from_guest_len, cap - p->from_guest_len);
    return 0;
}

struct vcon *vcon_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                         uint64_t extra_features, bool multiport, uint32_t max_ports)
{
    struct vcon *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    vw_kernel_keep(vm, c);
    c->vm = vm;
    c->multiport = multiport;
    c->max_ports = multiport ? max_ports : 1;
    uint32_t ports = c->max_ports < VCON_MAX_PORTS ? c->max_ports : VCON_MAX_PORTS;
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VIRTIO_ID_CONSOLE,
        .features = (transport == VMODEL_LEGACY ? 0 : F_VERSION_1) | (multiport ? F_MULTIPORT : 0) |
                    extra_features,
        .queues = (uint16_t)(multiport ? 2 * ports + 2 : 2),
        .queue_max = 64,
        .msix = msix,
        .seed = 0xc0c0,
        .device_cfg_len = 12,
    };
    c->dev = vw_virtio_create(vm, &cfg);
    if (c->dev == NULL)
        return NULL;
    uint8_t devcfg[12] = {80, 0, 25, 0};
    memcpy(devcfg + 4, &max_ports, 4);
    vmodel_set_device_cfg(c->dev->model, 0, devcfg, sizeof(devcfg));
    vmodel_set_handler(c->dev->model, handler, c);
    if (!multiport) {
        c->port[0].exists = true;
        c->port[0].host_open = true;
    }
    return c;
}

void vcon_port_add(struct vcon *c, unsigned id, const char *name, bool host_open)
{
    struct vcon_port *p = &c->port[id];
    p->exists = true;
    p->host_open = host_open;
    p->name_len = name ? (unsigned)strlen(name) : 0;
    if (name)
        memcpy(p->name, name, p->name_len);
    if (c->device_ready)
        queue_add(c, id);
}

void vcon_port_remove(struct vcon *c, unsigned id)
{
    c->port[id].exists = false;
    c->port[id].ready = false;
    vcon_raw(c, id, VCON_PORT_REMOVE, 1, NULL, 0);
}

void vcon_host_open(struct vcon *c, unsigned id, bool open)
{
    c->port[id].host_open = open;
    vcon_raw(c, id, VCON_PORT_OPEN, open, NULL, 0);
}

void vcon_send(struct vcon *c, unsigned id, const void *data, uint32_t len)
{
    struct vcon_port *p = &c->port[id];
    if (p->to_guest_len + len > VCON_BUF) {
        vw_fail(c->vm, "console model: host buffer overflow");
        return;
    }
    memcpy(p->to_guest + p->to_guest_len, data, len);
    p->to_guest_len += len;
}

uint32_t vcon_take(struct vcon *c, unsigned id, void *out, uint32_t max)
{
    struct vcon_port *p = &c->port[id];
    uint32_t n = p->from_guest_len < max ? p->from_guest_len : max;
    memcpy(out, p->from_guest, n);
    memmove(p->from_guest, p->from_guest + n, p->from_guest_len - n);
    p->from_guest_len -= n;
    return n;
}

bool vcon_start(struct vm *vm, struct vcon *c)
{
    if (c == NULL || !vw_driver_load(vm, "vioser") || !vw_add_device(vm, c->dev->pdo))
        return false;
    uint32_t status = vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    vw_run(vm);
    return !vm->failed;
}

gva_t vcon_open_name(struct vm *vm, const char *name)
{
    char path[300];
    snprintf(path, sizeof(path), "\\GLOBAL??\\%s", name);
    return vw_object_lookup(vm, path);
}

gva_t vcon_port_object(struct vm *vm, unsigned id)
{
    char path[64];
    snprintf(path, sizeof(path), "\\Device\\vport0p%u", id);
    return vw_object_lookup(vm, path);
}

void vcon_finish(struct vm *vm, struct vcon *c)
{
    vw_pnp(vm, c->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, vcon_port_object(vm, 0) == 0 && vcon_port_object(vm, 1) == 0,
              "port objects left after REMOVE");
    vw_driver_unload(vm);
}

uint32_t vcon_write(struct vm *vm, gva_t port, const void *data, uint32_t len, uint64_t *written)
{
    struct vw_async a;
    uint32_t status = vw_request_start(vm, port, VW_IRP_MJ_WRITE, data, NULL, len, &a);
    for (unsigned i = 0; i < 16 && !a.done && !vm->failed; i++)
        vw_run(vm);
    VW_EXPECT(vm, a.done, "a write of %u bytes never completed", len);
    if (written)
        *written = a.info;
    return a.done ? a.status : status;
}
