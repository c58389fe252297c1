/*
 * The host end of a virtio console (see vmodel_console.h).
 */
#include <string.h>
#include "vmodel_console.h"

void vmodel_console_raw(struct vmodel_console *c, uint32_t id, uint16_t event, uint16_t value,
                        const void *extra, uint32_t extra_len)
{
    if (c->ctrl_count == sizeof(c->ctrl) / sizeof(c->ctrl[0])) {
        model_report(&c->report, true, "control queue overflow");
        return;
    }
    struct vmodel_console_msg *m = &c->ctrl[(c->ctrl_head + c->ctrl_count++) % 64];
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

static void queue_add(struct vmodel_console *c, unsigned id)
{
    vmodel_console_raw(c, id, VMODEL_CONSOLE_PORT_ADD, 1, NULL, 0);
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

static void guest_control(struct vmodel_console *c, const uint8_t *m, uint32_t len)
{
    if (len < 8) {
        model_report(&c->report, true, "control message of %u bytes from the guest", len);
        return;
    }
    uint32_t id = m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
    uint16_t event = (uint16_t)(m[4] | m[5] << 8), value = (uint16_t)(m[6] | m[7] << 8);
    if (event < 8)
        c->guest_msgs[event]++;
    model_report(&c->report, false, "guest control id %u event %u value %u", id, event, value);
    if (event == VMODEL_CONSOLE_DEVICE_READY) {
        c->device_ready = true;
        c->device_ready_count++;
        c->ctrl_count = 0; /* a new session: what was queued before is void */
        for (unsigned i = 0; i < c->max_ports && i < VMODEL_CONSOLE_MAX_PORTS; i++) {
            c->port[i].ready = c->port[i].guest_open = false;
            if (c->port[i].exists)
                queue_add(c, i);
        }
        return;
    }
    if (id >= c->max_ports || id >= VMODEL_CONSOLE_MAX_PORTS) {
        model_report(&c->report, true, "guest control event %u for port %u", event, id);
        return;
    }
    struct vmodel_console_port *p = &c->port[id];
    if (event == VMODEL_CONSOLE_PORT_READY && value == 1) {
        p->ready = true;
        if (p->name_len)
            vmodel_console_raw(c, id, VMODEL_CONSOLE_PORT_NAME, 1, p->name, p->name_len);
        if (p->host_open)
            vmodel_console_raw(c, id, VMODEL_CONSOLE_PORT_OPEN, 1, NULL, 0);
    } else if (event == VMODEL_CONSOLE_PORT_OPEN) {
        p->guest_open = value != 0;
    }
}

/* Serve one request of queue REQ->queue (see vmodel_console.h). */
uint32_t vmodel_console_handler(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_console *c = ctx;
    unsigned q = req->queue;
    static uint8_t buf[VMODEL_CONSOLE_BUF];
    if (c->multiport && q == 2) {
        if (c->ctrl_count == 0)
            return VMODEL_LATER;
        struct vmodel_console_msg *m = &c->ctrl[c->ctrl_head];
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
    if (id >= VMODEL_CONSOLE_MAX_PORTS)
        return 0;
    struct vmodel_console_port *p = &c->port[id];
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
    uint32_t cap = p->cap ? p->cap : VMODEL_CONSOLE_BUF;
    if (p->from_guest_len + req->out_len > cap) {
        if (p->from_guest_len == 0) {
            model_report(&c->report, true, "a %u-byte write never fits the host buffer",
                         req->out_len);
            return 0;
        }
        p->host_full++;
        return VMODEL_LATER;
    }
    p->from_guest_len += gather(req, p->from_guest + p->from_guest_len, cap - p->from_guest_len);
    return 0;
}

void vmodel_console_init(struct vmodel_console *c, bool multiport, uint32_t max_ports, uint8_t *cfg)
{
    c->multiport = multiport;
    c->max_ports = multiport ? max_ports : 1;
    uint8_t devcfg[VMODEL_CONSOLE_CFG_LEN] = {80, 0, 25, 0};
    memcpy(devcfg + 4, &max_ports, 4);
    memcpy(cfg, devcfg, sizeof(devcfg));
    if (!multiport) {
        c->port[0].exists = true;
        c->port[0].host_open = true;
    }
}

void vmodel_console_port_add(struct vmodel_console *c, unsigned id, const char *name,
                             bool host_open)
{
    struct vmodel_console_port *p = &c->port[id];
    p->exists = true;
    p->host_open = host_open;
    p->name_len = name ? (unsigned)strlen(name) : 0;
    if (name)
        memcpy(p->name, name, p->name_len);
    if (c->device_ready)
        queue_add(c, id);
}

void vmodel_console_port_remove(struct vmodel_console *c, unsigned id)
{
    c->port[id].exists = false;
    c->port[id].ready = false;
    vmodel_console_raw(c, id, VMODEL_CONSOLE_PORT_REMOVE, 1, NULL, 0);
}

void vmodel_console_host_open(struct vmodel_console *c, unsigned id, bool open)
{
    c->port[id].host_open = open;
    vmodel_console_raw(c, id, VMODEL_CONSOLE_PORT_OPEN, open, NULL, 0);
}

void vmodel_console_send(struct vmodel_console *c, unsigned id, const void *data, uint32_t len)
{
    struct vmodel_console_port *p = &c->port[id];
    if (p->to_guest_len + len > VMODEL_CONSOLE_BUF) {
        model_report(&c->report, true, "host buffer overflow");
        return;
    }
    memcpy(p->to_guest + p->to_guest_len, data, len);
    p->to_guest_len += len;
}

uint32_t vmodel_console_take(struct vmodel_console *c, unsigned id, void *out, uint32_t max)
{
    struct vmodel_console_port *p = &c->port[id];
    uint32_t n = p->from_guest_len < max ? p->from_guest_len : max;
    memcpy(out, p->from_guest, n);
    memmove(p->from_guest, p->from_guest + n, p->from_guest_len - n);
    p->from_guest_len -= n;
    return n;
}
