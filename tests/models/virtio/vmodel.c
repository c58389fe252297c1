/*
 * vmodel.c - the virtual virtio PCI function: configuration space,
 * capability list, modern and legacy register files, MSI-X, reset.
 * The ring ends are in vmodel_ring.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmodel_priv.h"
#include "../../../common/virtio/virtio_spec.h"

void vmodel_error(struct vmodel *m, const char *fmt, ...)
{
    va_list ap;

    m->stats.errors++;
    va_start(ap, fmt);
    vsnprintf(m->stats.last_error, sizeof(m->stats.last_error), fmt, ap);
    va_end(ap);
}

/** xorshift64*: deterministic per seed */
uint32_t vmodel_rand(struct vmodel *m)
{
    m->rng ^= m->rng >> 12;
    m->rng ^= m->rng << 25;
    m->rng ^= m->rng >> 27;
    return (uint32_t)((m->rng * 2685821657736338717ull) >> 32);
}

bool vmodel_has(const struct vmodel *m, unsigned bit)
{
    return (m->driver_features >> bit) & 1;
}

/** Translate a guest bus address range; NULL (and an error) if outside */
void *vmodel_dma(struct vmodel *m, uint64_t pa, size_t len)
{
    for (unsigned i = 0; i < m->dma_count; i++) {
        struct vmodel_dma_region *r = &m->dma[i];

        if (pa >= r->pa && len <= r->len && pa - r->pa <= r->len - len)
            return r->va + (pa - r->pa);
    }
    vmodel_error(m, "DMA outside guest memory: pa %#llx len %zu", (unsigned long long)pa, len);
    return NULL;
}

/** Add a region; the table grows as needed (-1 only when the host is out of memory) */
int vmodel_dma_register(struct vmodel *m, uint64_t pa, void *va, size_t len)
{
    if (m->dma_count == m->dma_cap) {
        unsigned cap = m->dma_cap ? 2 * m->dma_cap : 16;
        struct vmodel_dma_region *d = realloc(m->dma, cap * sizeof(*d));

        if (d == NULL)
            return -1;
        m->dma = d;
        m->dma_cap = cap;
    }
    m->dma[m->dma_count++] = (struct vmodel_dma_region){pa, va, len};
    return 0;
}

void vmodel_dma_unregister(struct vmodel *m, uint64_t pa)
{
    for (unsigned i = m->dma_count; i-- > 0;)
        if (m->dma[i].pa == pa)
            m->dma[i] = m->dma[--m->dma_count];
}

/* ---------------------------------------------------------------------- */
/* Configuration space                                                    */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/** Write one struct virtio_pci_cap at pos */
static void put_vcap(uint8_t *c, uint8_t pos, uint8_t next, uint8_t len, uint8_t type, uint8_t bar,
                     uint32_t off, uint32_t length)
{
    c[pos + VIRTIO_PCI_CAP_VNDR] = PCI_CAP_ID_VNDR;
    c[pos + VIRTIO_PCI_CAP_NEXT] = next;
    c[pos + VIRTIO_PCI_CAP_LEN] = len;
    c[pos + VIRTIO_PCI_CAP_CFG_TYPE] = type;
    c[pos + VIRTIO_PCI_CAP_BAR] = bar;
    put32(&c[pos + VIRTIO_PCI_CAP_OFFSET], off);
    put32(&c[pos + VIRTIO_PCI_CAP_LENGTH], length);
}

static uint16_t legacy_device_id(uint16_t type)
{
    /* Transitional IDs: 0x1000 + type - 1 for the classic devices */
    if (type >= 1 && type <= 9)
        return (uint16_t)(0x1000 + type - 1);
    return (uint16_t)(0x1000 + (type & 0x3f));
}

static void build_config_space(struct vmodel *m)
{
    const struct vmodel_config *cfg = &m->cfg;
    uint8_t *c = m->pcicfg;
    bool modern = cfg->transport != VMODEL_LEGACY;
    bool legacy = cfg->transport != VMODEL_MODERN;
    uint32_t mult = cfg->notify_off_multiplier;
    uint32_t notify_len = mult ? (uint32_t)cfg->num_queues * mult + 4 : 4;
    uint8_t pos = 0x40, first = 0x40;

    memset(c, 0, sizeof(m->pcicfg));
    put16(&c[PCI_VENDOR_ID], VIRTIO_PCI_VENDOR_ID);
    put16(&c[PCI_DEVICE_ID], legacy ? legacy_device_id(cfg->device_type)
                                    : (uint16_t)(VIRTIO_PCI_DEVICE_MODERN_MIN + cfg->device_type));
    c[PCI_REVISION_ID] = legacy ? 0 : 1;
    put16(&c[0x2c], VIRTIO_PCI_VENDOR_ID);
    put16(&c[PCI_SUBSYSTEM_ID], legacy ? cfg->device_type : 0x1100);

    /* BARs: 0 = legacy I/O, 4 = modern MMIO */
    if (legacy) {
        m->bar_len[VMODEL_LEGACY_BAR] = 0x40 + (cfg->device_cfg_len + 63) / 64 * 64;
        m->bar_io[VMODEL_LEGACY_BAR] = true;
        put32(&c[PCI_BASE_ADDRESS_0], 0xc001);
    }
    if (modern) {
        m->bar_len[VMODEL_MODERN_BAR] = VMODEL_MODERN_BAR_LEN;
        put32(&c[PCI_BASE_ADDRESS_0 + 4 * VMODEL_MODERN_BAR], 0xfe000000);
    }

    /* MSI-X capability first */
    if (cfg->msix_vectors) {
        c[pos] = PCI_CAP_ID_MSIX;
        c[pos + 1] = modern ? (uint8_t)(pos + 12) : 0;
        put16(
            &c[pos + PCI_MSIX_FLAGS],
            (uint16_t)((cfg->msix_vectors - 1) | (cfg->msix_enabled ? PCI_MSIX_FLAGS_ENABLE : 0)));
        put32(&c[pos + 4], 0x7000 | VMODEL_MODERN_BAR); /* table */
        put32(&c[pos + 8], 0x7800 | VMODEL_MODERN_BAR); /* PBA */
        pos = (uint8_t)(pos + 12);
    }
    if (modern) {
        uint32_t common_off = VMODEL_COMMON_OFF, common_len = 0x38;
        uint8_t common_bar = VMODEL_MODERN_BAR, short_len = VIRTIO_PCI_CAP_SIZE;

        if (cfg->cap_evil == VMODEL_CAP_OUT_OF_BAR)
            common_off = VMODEL_MODERN_BAR_LEN - 0x20;
        if (cfg->cap_evil == VMODEL_CAP_OVERFLOW) {
            common_off = 0xfffffff0u;
            common_len = 0x38;
        }
        if (cfg->cap_evil == VMODEL_CAP_BAD_BAR)
            common_bar = 7;
        if (cfg->cap_evil == VMODEL_CAP_SHORT)
            short_len = 8;
        if (cfg->cap_evil == VMODEL_CAP_BAD_MULT)
            mult = 3;
        if (cfg->cap_evil == VMODEL_CAP_NOTIFY_SHORT)
            notify_len = 2;

        put_vcap(c, pos, (uint8_t)(pos + 16), short_len, VIRTIO_PCI_CAP_COMMON_CFG, common_bar,
                 common_off, common_len);
        pos = (uint8_t)(pos + 16);
        put_vcap(c, pos, (uint8_t)(pos + 20), 20, VIRTIO_PCI_CAP_NOTIFY_CFG, VMODEL_MODERN_BAR,
                 VMODEL_NOTIFY_OFF, notify_len);
        put32(&c[pos + VIRTIO_PCI_NOTIFY_CAP_MULT], mult);
        pos = (uint8_t)(pos + 20);
        put_vcap(c, pos, (uint8_t)(pos + 16), 16, VIRTIO_PCI_CAP_ISR_CFG, VMODEL_MODERN_BAR,
                 VMODEL_ISR_OFF, 4);
        pos = (uint8_t)(pos + 16);
        put_vcap(c, pos, 0, 16, VIRTIO_PCI_CAP_DEVICE_CFG, VMODEL_MODERN_BAR, VMODEL_DEVICE_OFF,
                 cfg->device_cfg_len ? cfg->device_cfg_len : 4);
        /* Broken list links, placed before the virtio capabilities */
        if (cfg->cap_evil == VMODEL_CAP_LOOP)
            c[first + 1] = first;
        if (cfg->cap_evil == VMODEL_CAP_BAD_PTR)
            c[first + 1] = 0x10;
    }
    if (pos != 0x40 || cfg->msix_vectors) {
        put16(&c[PCI_STATUS], PCI_STATUS_CAP_LIST);
        c[PCI_CAPABILITY_LIST] = first;
    }
}

static bool msix_on(const struct vmodel *m);

uint32_t vmodel_cfg_read(struct vmodel *m, uint32_t off, unsigned width)
{
    uint32_t v = 0;
    unsigned i;

    if (m->removed)
        return width >= 4 ? ~0u : (1u << (8 * width)) - 1;
    for (i = 0; i < width; i++)
        if (off + i < sizeof(m->pcicfg))
            v |= (uint32_t)m->pcicfg[off + i] << (8 * i);
        else
            v |= 0xffu << (8 * i);
    /* Status bit 3 follows the INTx line: asserted while the ISR status
     * is not 0 and MSI-X is off (the device signals by messages then;
     * virtio 1.2 4.1.4.5: reading the ISR status de-asserts it). */
    if (m->isr != 0 && !msix_on(m) && off <= PCI_STATUS && off + width > PCI_STATUS)
        v |= (uint32_t)PCI_STATUS_INTERRUPT << (8 * (PCI_STATUS - off));
    return v;
}

uint8_t *vmodel_cfg_space(struct vmodel *m)
{
    return m->pcicfg;
}

int vmodel_bar_info(struct vmodel *m, unsigned bar, uint64_t *len, bool *io)
{
    if (bar >= 6 || m->bar_len[bar] == 0)
        return -1;
    *len = m->bar_len[bar];
    *io = m->bar_io[bar];
    return 0;
}

void vmodel_set_bar_len(struct vmodel *m, unsigned bar, uint64_t len)
{
    if (bar < 6)
        m->bar_len[bar] = len;
}

/* ---------------------------------------------------------------------- */
/* Lifecycle                                                              */

static bool msix_on(const struct vmodel *m)
{
    return m->cfg.msix_vectors != 0 && (m->pcicfg[0x40 + 3] & 0x80);
}

/** Device reset: everything back to power-on state except memory maps */
static void device_reset(struct vmodel *m)
{
    uint16_t i;

    m->driver_features = 0;
    m->dfselect = m->gfselect = 0;
    m->queue_select = 0;
    m->isr = 0;
    m->msix_config = VIRTIO_MSI_NO_VECTOR;
    m->resets++;
    for (i = 0; i < m->cfg.num_queues; i++)
        vmodel_queue_reset(m, &m->q[i]);
    if (m->reset_hook != NULL)
        m->reset_hook(m->reset_ctx);
}

struct vmodel *vmodel_create(const struct vmodel_config *cfg)
{
    struct vmodel *m = calloc(1, sizeof(*m));
    uint16_t i;

    if (m == NULL)
        return NULL;
    m->cfg = *cfg;
    if (m->cfg.queue_max == 0)
        m->cfg.queue_max = 256;
    if (m->cfg.queue_max > VIRTQ_MAX_SIZE)
        m->cfg.queue_max = VIRTQ_MAX_SIZE;
    /* Mixed with ^, never |: an OR let every seed bit the constant already has
     * vanish, so seeds that differ only there (0x5c51 and 0x4c51, 2 and 0 at
     * bit 1) gave one stream.  The constant is odd and the shifted seed even:
     * never 0, which xorshift cannot leave. */
    m->rng = ((uint64_t)cfg->seed << 1) ^ 0x9e3779b97f4a7c15ull;
    m->nrng = ((uint64_t)cfg->seed << 7) ^ 0x2545f4914f6cdd1dull;
    m->drng = ((uint64_t)cfg->seed << 11) ^ 0x94d049bb133111ebull;
    m->devcfg = calloc(1, cfg->device_cfg_len + 8);
    m->q = calloc(cfg->num_queues ? cfg->num_queues : 1, sizeof(*m->q));
    if (m->devcfg == NULL || m->q == NULL) {
        vmodel_destroy(m);
        return NULL;
    }
    for (i = 0; i < cfg->num_queues; i++) {
        m->q[i].pending = calloc(m->cfg.queue_max, sizeof(struct vmodel_pending));
        if (m->q[i].pending == NULL) {
            vmodel_destroy(m);
            return NULL;
        }
    }
    build_config_space(m);
    device_reset(m);
    return m;
}

void vmodel_destroy(struct vmodel *m)
{
    uint16_t i;

    if (m == NULL)
        return;
    if (m->q != NULL)
        for (i = 0; i < m->cfg.num_queues; i++) {
            for (unsigned k = 0; m->q[i].pending != NULL && k < m->q[i].npending; k++) {
                free(m->q[i].pending[k].descs);
                free(m->q[i].pending[k].after);
            }
            free(m->q[i].pending);
        }
    free(m->q);
    free(m->dma);
    free(m->devcfg);
    free(m);
}

void vmodel_set_behaviour(struct vmodel *m, const struct vmodel_behaviour *b)
{
    m->beh = *b;
    m->churn_left = b->config_churn;
}

void vmodel_set_removed(struct vmodel *m, bool removed)
{
    m->removed = removed;
}

void vmodel_set_handler(struct vmodel *m, vmodel_handler_fn fn, void *ctx)
{
    m->handler = fn;
    m->handler_ctx = ctx;
}

void vmodel_set_irq(struct vmodel *m, vmodel_irq_fn fn, void *ctx)
{
    m->irq = fn;
    m->irq_ctx = ctx;
}

void vmodel_set_cfg_write(struct vmodel *m, vmodel_cfg_write_fn fn, void *ctx)
{
    m->cfg_write = fn;
    m->cfg_write_ctx = ctx;
}

void vmodel_set_used_hook(struct vmodel *m, vmodel_used_fn fn, void *ctx)
{
    m->used_hook = fn;
    m->used_ctx = ctx;
}

void vmodel_set_published_hook(struct vmodel *m, vmodel_published_fn fn, void *ctx)
{
    m->published_hook = fn;
    m->published_ctx = ctx;
}

void vmodel_set_reset_hook(struct vmodel *m, vmodel_reset_fn fn, void *ctx)
{
    m->reset_hook = fn;
    m->reset_ctx = ctx;
}

void vmodel_set_time(struct vmodel *m, uint64_t now)
{
    m->now = now;
}

void vmodel_queue_delay(struct vmodel *m, uint16_t queue, uint64_t min, uint64_t max)
{
    if (queue < m->cfg.num_queues) {
        m->q[queue].delay_min = min;
        m->q[queue].delay_max = max < min ? min : max;
    }
}

void vmodel_queue_freeze(struct vmodel *m, uint16_t queue, uint64_t until)
{
    if (queue < m->cfg.num_queues)
        m->q[queue].frozen_until = until;
}

uint64_t vmodel_next_due(struct vmodel *m)
{
    uint64_t next = UINT64_MAX;

    if (m->removed || !(m->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        (m->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET))
        return next;
    for (uint16_t i = 0; i < m->cfg.num_queues; i++) {
        const struct vmodel_queue *q = &m->q[i];

        if (!q->enabled || q->hold)
            continue;
        if (q->late_irq && q->late_irq_at < next)
            next = q->late_irq_at; /* planted notify_late: the interrupt owed */
        if ((q->kicked || q->active) && q->service_period != 0 && q->next_service < next)
            next = q->next_service; /* the device's next look at the ring */
        for (unsigned k = 0; k < q->npending; k++) {
            if (q->pending[k].deferred)
                continue; /* due when the back end says */
            if (vmodel_pending_blocked(m, &q->pending[k])) {
                if (!m->beh.out_of_order)
                    break; /* in order: nothing behind it goes first */
                continue;  /* due once what it waits for is used (that one counts) */
            }
            uint64_t at = q->pending[k].due > q->frozen_until ? q->pending[k].due : q->frozen_until;

            if (at < next)
                next = at;
        }
    }
    return next;
}

void vmodel_queue_service(struct vmodel *m, uint16_t queue, uint64_t period)
{
    if (queue < m->cfg.num_queues) {
        m->q[queue].service_period = period;
        m->q[queue].next_service = 0;
    }
}

uint8_t *vmodel_device_cfg(struct vmodel *m)
{
    return m->devcfg;
}

void vmodel_set_device_cfg(struct vmodel *m, uint32_t off, const void *buf, uint32_t len)
{
    if (off > m->cfg.device_cfg_len || len > m->cfg.device_cfg_len - off)
        return;
    memcpy(m->devcfg + off, buf, len);
    m->generation++;
}

/** Raise an interrupt for a queue (or 0xffff: configuration change) */
void vmodel_interrupt(struct vmodel *m, uint16_t queue)
{
    uint16_t vector;

    if (msix_on(m)) {
        vector = queue == 0xffff ? m->msix_config : m->q[queue].msix_vector;
        if (vector == VIRTIO_MSI_NO_VECTOR)
            return;
    } else {
        m->isr |= queue == 0xffff ? VIRTIO_PCI_ISR_CONFIG : VIRTIO_PCI_ISR_QUEUE;
        vector = VIRTIO_MSI_NO_VECTOR;
    }
    m->stats.interrupts++;
    if (m->irq != NULL)
        m->irq(m->irq_ctx, vector);
}

void vmodel_get_device_cfg(struct vmodel *m, uint32_t off, void *buf, uint32_t len)
{
    memset(buf, 0, len);
    if (off > m->cfg.device_cfg_len || len > m->cfg.device_cfg_len - off)
        return;
    memcpy(buf, m->devcfg + off, len);
}

void vmodel_hold_queue(struct vmodel *m, uint16_t queue, bool hold)
{
    if (queue < m->cfg.num_queues)
        m->q[queue].hold = hold;
}

void vmodel_config_changed(struct vmodel *m)
{
    vmodel_interrupt(m, 0xffff);
}

void vmodel_needs_reset(struct vmodel *m)
{
    m->status |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
    vmodel_config_changed(m);
}

/* ---------------------------------------------------------------------- */
/* Registers shared by both interfaces                                    */

static uint8_t status_read(struct vmodel *m)
{
    if (m->reset_reads != 0) {
        if (m->reset_reads != ~0u)
            m->reset_reads--;
        return m->status | 0x01; /* still resetting */
    }
    if (m->reset_pending) { /* the read that returns 0 ends a late reset */
        m->reset_pending = false;
        m->status = 0;
        device_reset(m);
    }
    return m->status;
}

static void status_write(struct vmodel *m, uint8_t v, bool modern)
{
    if (v == 0) {
        /* A late reset keeps the status (DRIVER_OK: the rings run) until
         * the read of 0; a write of 0 while it runs changes nothing. */
        if (m->reset_pending)
            return;
        m->reset_reads = m->beh.reset_delay;
        if (m->beh.reset_late && m->reset_reads != 0 && m->status != 0) {
            m->reset_pending = true;
            return;
        }
        m->reset_pending = false;
        m->status = 0;
        device_reset(m);
        return;
    }
    if (m->reset_pending && (v & VIRTIO_CONFIG_S_FAILED))
        return; /* the driver gave up on the reset: no reinitialization */
    if (m->reset_pending) {
        vmodel_error(m,
                     "status %#x written before a read of device_status returned 0 after the "
                     "reset (virtio 1.2 4.1.4.3.2)",
                     v);
        m->reset_pending = false;
        m->reset_reads = 0;
        m->status = 0;
        device_reset(m);
    }
    /* Status bits are never cleared except by reset (spec 2.1.2) */
    if ((m->status & ~v) & ~VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET)
        vmodel_error(m, "status bits cleared: %#x -> %#x", m->status, v);
    if ((v & VIRTIO_CONFIG_S_DRIVER) && !(v & VIRTIO_CONFIG_S_ACKNOWLEDGE))
        vmodel_error(m, "DRIVER without ACKNOWLEDGE");
    if (modern && (v & VIRTIO_CONFIG_S_FEATURES_OK) && !(m->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        bool ok = !m->beh.refuse_features_ok;

        if (m->driver_features & ~m->cfg.features) {
            vmodel_error(m, "driver accepted features not offered: %#llx",
                         (unsigned long long)(m->driver_features & ~m->cfg.features));
            ok = false;
        }
        if (!vmodel_has(m, VIRTIO_F_VERSION_1))
            ok = false;
        if (!ok)
            v &= (uint8_t)~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    if ((v & VIRTIO_CONFIG_S_DRIVER_OK) && !(m->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        if (modern && !(v & VIRTIO_CONFIG_S_FEATURES_OK))
            vmodel_error(m, "DRIVER_OK without FEATURES_OK");
        if (m->beh.evil & VMODEL_EVIL_NEEDS_RESET)
            v |= VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET;
    }
    m->status = (uint8_t)(v | (m->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET));
}

static uint16_t vector_accept(struct vmodel *m, uint16_t v)
{
    if (m->beh.evil & VMODEL_EVIL_MSIX) {
        m->stats.evil_done++;
        return (uint16_t)(v + 1);
    }
    if (v != VIRTIO_MSI_NO_VECTOR && v >= m->cfg.msix_vectors)
        return VIRTIO_MSI_NO_VECTOR;
    return v;
}

static uint8_t generation_read(struct vmodel *m)
{
    if (m->churn_left != 0) {
        if (m->churn_left != ~0u)
            m->churn_left--;
        m->generation++;
    }
    return m->generation;
}

static uint64_t devcfg_read(struct vmodel *m, uint64_t off, unsigned width)
{
    uint64_t v = 0;
    unsigned i;

    for (i = 0; i < width; i++)
        if (off + i < m->cfg.device_cfg_len)
            v |= (uint64_t)m->devcfg[off + i] << (8 * i);
    return v;
}

static void devcfg_write(struct vmodel *m, uint64_t off, unsigned width, uint64_t v)
{
    unsigned i;

    for (i = 0; i < width; i++)
        if (off + i < m->cfg.device_cfg_len)
            m->devcfg[off + i] = (uint8_t)(v >> (8 * i));
    if (m->cfg_write != NULL)
        m->cfg_write(m->cfg_write_ctx, (uint32_t)off, width);
}

static void queue_notify(struct vmodel *m, uint32_t data)
{
    uint16_t idx = (uint16_t)data;

    m->stats.notifies++;
    if (idx >= m->cfg.num_queues || !m->q[idx].enabled)
        vmodel_error(m, "notify for unknown/disabled queue %u", idx);
    else
        vmodel_ring_kick(m, idx);
}

/* ---------------------------------------------------------------------- */
/* Modern interface                                                       */

static struct vmodel_queue *sel_queue(struct vmodel *m)
{
    return m->queue_select < m->cfg.num_queues ? &m->q[m->queue_select] : NULL;
}

static uint64_t common_read(struct vmodel *m, uint64_t off, unsigned width)
{
    struct vmodel_queue *q = sel_queue(m);

    (void)width;
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        return m->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return m->dfselect == 0   ? (uint32_t)m->cfg.features
               : m->dfselect == 1 ? (uint32_t)(m->cfg.features >> 32)
                                  : 0;
    case VIRTIO_PCI_COMMON_GFSELECT:
        return m->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return m->gfselect < 2 ? (uint32_t)(m->driver_features >> (32 * m->gfselect)) : 0;
    case VIRTIO_PCI_COMMON_MSIX:
        return m->msix_config;
    case VIRTIO_PCI_COMMON_NUMQ:
        return m->cfg.num_queues;
    case VIRTIO_PCI_COMMON_STATUS:
        return status_read(m);
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return generation_read(m);
    case VIRTIO_PCI_COMMON_Q_SELECT:
        return m->queue_select;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        return q ? q->size : 0;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return q ? q->msix_vector : VIRTIO_MSI_NO_VECTOR;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        return q ? q->enabled : 0;
    case VIRTIO_PCI_COMMON_Q_NOFF:
        return m->queue_select;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        return q ? (uint32_t)q->desc : 0;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        return q ? (uint32_t)(q->desc >> 32) : 0;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        return q ? (uint32_t)q->driver : 0;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        return q ? (uint32_t)(q->driver >> 32) : 0;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        return q ? (uint32_t)q->device : 0;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        return q ? (uint32_t)(q->device >> 32) : 0;
    default:
        return 0;
    }
}

static void set_lo(uint64_t *r, uint32_t v)
{
    *r = (*r & 0xffffffff00000000ull) | v;
}

static void set_hi(uint64_t *r, uint32_t v)
{
    *r = (*r & 0xffffffffull) | ((uint64_t)v << 32);
}

static void common_write(struct vmodel *m, uint64_t off, unsigned width, uint64_t v)
{
    struct vmodel_queue *q = sel_queue(m);
    bool q_writable = q != NULL && !q->enabled;

    (void)width;
    if (q != NULL && q->enabled && off >= VIRTIO_PCI_COMMON_Q_SIZE &&
        off != VIRTIO_PCI_COMMON_Q_NOFF && off != VIRTIO_PCI_COMMON_Q_MSIX)
        vmodel_error(m, "queue %u register %#llx written while enabled", m->queue_select,
                     (unsigned long long)off);
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        m->dfselect = (uint32_t)v;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        m->gfselect = (uint32_t)v;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (m->status & VIRTIO_CONFIG_S_FEATURES_OK)
            vmodel_error(m, "features written after FEATURES_OK");
        if (m->gfselect == 0)
            set_lo(&m->driver_features, (uint32_t)v);
        else if (m->gfselect == 1)
            set_hi(&m->driver_features, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        m->msix_config = vector_accept(m, (uint16_t)v);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        status_write(m, (uint8_t)v, true);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        m->queue_select = (uint16_t)v;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        if (q_writable) {
            bool packed = vmodel_has(m, VIRTIO_F_RING_PACKED);

            if (v == 0 || v > m->cfg.queue_max || (!packed && (v & (v - 1))))
                vmodel_error(m, "bad queue size %llu", (unsigned long long)v);
            else
                q->size = (uint16_t)v;
        }
        break;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        if (q)
            q->msix_vector = vector_accept(m, (uint16_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        if (q_writable && v == 1) {
            if (!(m->status & VIRTIO_CONFIG_S_FEATURES_OK))
                vmodel_error(m, "queue enabled before FEATURES_OK");
            q->enabled = true;
        } else if (v != 1) {
            vmodel_error(m, "queue_enable written with %llu", (unsigned long long)v);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        if (q_writable)
            set_lo(&q->desc, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        if (q_writable)
            set_hi(&q->desc, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        if (q_writable)
            set_lo(&q->driver, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        if (q_writable)
            set_hi(&q->driver, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        if (q_writable)
            set_lo(&q->device, (uint32_t)v);
        break;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        if (q_writable)
            set_hi(&q->device, (uint32_t)v);
        break;
    default:
        vmodel_error(m, "write to read-only common register %#llx", (unsigned long long)off);
        break;
    }
}

/* ---------------------------------------------------------------------- */
/* Legacy interface                                                       */

static uint32_t legacy_cfg_off(struct vmodel *m)
{
    return msix_on(m) ? VIRTIO_PCI_LEGACY_CONFIG_MSIX : VIRTIO_PCI_LEGACY_CONFIG;
}

static uint64_t legacy_read(struct vmodel *m, uint64_t off, unsigned width)
{
    struct vmodel_queue *q = sel_queue(m);
    uint32_t cfg_off = legacy_cfg_off(m);
    uint8_t isr;

    if (off >= cfg_off)
        return devcfg_read(m, off - cfg_off, width);
    switch (off) {
    case VIRTIO_PCI_LEGACY_HOST_FEATURES:
        return (uint32_t)m->cfg.features;
    case VIRTIO_PCI_LEGACY_GUEST_FEATURES:
        return (uint32_t)m->driver_features;
    case VIRTIO_PCI_LEGACY_QUEUE_PFN:
        return q ? (uint32_t)(q->desc >> 12) : 0;
    case VIRTIO_PCI_LEGACY_QUEUE_NUM:
        return q ? m->cfg.queue_max : 0;
    case VIRTIO_PCI_LEGACY_QUEUE_SEL:
        return m->queue_select;
    case VIRTIO_PCI_LEGACY_STATUS:
        return status_read(m);
    case VIRTIO_PCI_LEGACY_ISR:
        isr = m->isr;
        m->isr = 0;
        return isr;
    case VIRTIO_PCI_LEGACY_MSIX_CONFIG:
        return m->msix_config;
    case VIRTIO_PCI_LEGACY_MSIX_QUEUE:
        return q ? q->msix_vector : VIRTIO_MSI_NO_VECTOR;
    default:
        return 0;
    }
}

static void legacy_write(struct vmodel *m, uint64_t off, unsigned width, uint64_t v)
{
    struct vmodel_queue *q = sel_queue(m);
    uint32_t cfg_off = legacy_cfg_off(m);

    if (off >= cfg_off) {
        devcfg_write(m, off - cfg_off, width, v);
        return;
    }
    switch (off) {
    case VIRTIO_PCI_LEGACY_GUEST_FEATURES:
        if (v & ~(uint32_t)m->cfg.features)
            vmodel_error(m, "legacy driver accepted features not offered");
        m->driver_features = (uint32_t)v;
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_PFN:
        if (q == NULL)
            break;
        if (v == 0) {
            vmodel_queue_reset(m, q);
            break;
        }
        /* Legacy layout: avail after the table, used 4096-aligned */
        q->size = m->cfg.queue_max;
        q->desc = v << 12;
        q->driver = q->desc + 16ull * q->size;
        q->device = (q->driver + 6 + 2ull * q->size + 4095) & ~4095ull;
        q->enabled = true;
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_SEL:
        m->queue_select = (uint16_t)v;
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_NOTIFY:
        queue_notify(m, (uint32_t)v);
        break;
    case VIRTIO_PCI_LEGACY_STATUS:
        status_write(m, (uint8_t)v, false);
        break;
    case VIRTIO_PCI_LEGACY_MSIX_CONFIG:
        m->msix_config = vector_accept(m, (uint16_t)v);
        break;
    case VIRTIO_PCI_LEGACY_MSIX_QUEUE:
        if (q)
            q->msix_vector = vector_accept(m, (uint16_t)v);
        break;
    default:
        vmodel_error(m, "legacy write to read-only register %#llx", (unsigned long long)off);
        break;
    }
}

/* ---------------------------------------------------------------------- */
/* BAR dispatch                                                           */

uint64_t vmodel_bar_read(struct vmodel *m, unsigned bar, uint64_t off, unsigned width)
{
    if (bar >= 6 || off + width > m->bar_len[bar]) {
        vmodel_error(m, "read outside BAR %u at %#llx", bar, (unsigned long long)off);
        return ~0ull;
    }
    /* A removed PCI function answers every read with all ones */
    if (m->removed)
        return width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
    if (bar == VMODEL_LEGACY_BAR && m->bar_io[bar])
        return legacy_read(m, off, width);
    if (bar != VMODEL_MODERN_BAR)
        return ~0ull;
    if (off < VMODEL_ISR_OFF)
        return common_read(m, off, width);
    if (off < VMODEL_DEVICE_OFF) {
        uint8_t isr = m->isr;

        m->isr = 0;
        return isr;
    }
    if (off < VMODEL_NOTIFY_OFF)
        return devcfg_read(m, off - VMODEL_DEVICE_OFF, width);
    return 0;
}

void vmodel_bar_write(struct vmodel *m, unsigned bar, uint64_t off, unsigned width, uint64_t val)
{
    if (bar >= 6 || off + width > m->bar_len[bar]) {
        vmodel_error(m, "write outside BAR %u at %#llx", bar, (unsigned long long)off);
        return;
    }
    if (m->removed)
        return;
    if (bar == VMODEL_LEGACY_BAR && m->bar_io[bar]) {
        legacy_write(m, off, width, val);
        return;
    }
    if (bar != VMODEL_MODERN_BAR)
        return;
    if (off < VMODEL_ISR_OFF) {
        common_write(m, off, width, val);
    } else if (off >= VMODEL_DEVICE_OFF && off < VMODEL_NOTIFY_OFF) {
        devcfg_write(m, off - VMODEL_DEVICE_OFF, width, val);
    } else if (off >= VMODEL_NOTIFY_OFF) {
        uint64_t rel = off - VMODEL_NOTIFY_OFF;
        uint32_t mult = m->cfg.notify_off_multiplier;
        uint32_t data = (uint32_t)val;

        if (width == 4 && !vmodel_has(m, VIRTIO_F_NOTIFICATION_DATA))
            vmodel_error(m, "32-bit notify without NOTIFICATION_DATA");
        if (mult != 0 && rel / mult != (uint16_t)data)
            vmodel_error(m, "notify at %#llx for queue %u", (unsigned long long)rel,
                         (uint16_t)data);
        queue_notify(m, data);
    }
}

/* ---------------------------------------------------------------------- */

unsigned vmodel_run(struct vmodel *m)
{
    unsigned done = 0;
    uint16_t i;

    m->step++;
    if (m->removed || !(m->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
        (m->status & VIRTIO_CONFIG_S_DEVICE_NEEDS_RESET))
        return 0;
    for (i = 0; i < m->cfg.num_queues; i++)
        if (m->q[i].enabled)
            done += vmodel_ring_run(m, i);
    return done;
}

uint16_t vmodel_avail_seen(struct vmodel *m, uint16_t queue)
{
    return queue < m->cfg.num_queues ? m->q[queue].last_avail : 0;
}

/** Is the request with TICKET still the device's (taken, not used)? */
static bool ticket_held(struct vmodel *m, uint64_t ticket)
{
    for (uint16_t i = 0; i < m->cfg.num_queues; i++)
        for (unsigned k = 0; k < m->q[i].npending; k++)
            if (m->q[i].pending[k].ticket == ticket)
                return true;
    return false;
}

/** Must P wait for a request it is used after (vmodel_complete_after)? */
bool vmodel_pending_blocked(struct vmodel *m, struct vmodel_pending *p)
{
    for (unsigned i = 0; i < p->nafter; i++)
        if (ticket_held(m, p->after[i]))
            return true;
    free(p->after); /* all used: nothing to look at again */
    p->after = NULL;
    p->nafter = 0;
    return false;
}

/* A hostile used length for the request being taken (vmodel_used_len_over). */
void vmodel_used_len_over(struct vmodel *m, uint32_t len)
{
    if (m->taking_ticket == 0) {
        vmodel_error(m, "vmodel_used_len_over outside a handler");
        return;
    }
    m->used_len_over = true;
    m->used_len_raw = len;
}

uint64_t vmodel_ticket(struct vmodel *m, uint16_t queue, uint16_t id)
{
    if (queue >= m->cfg.num_queues)
        return 0;
    for (unsigned k = 0; k < m->q[queue].npending; k++)
        if (m->q[queue].pending[k].id == id)
            return m->q[queue].pending[k].ticket;
    if (m->taking_ticket != 0 && m->taking_queue == queue && m->taking_id == id)
        return m->taking_ticket;
    return 0;
}

int vmodel_complete_after(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written,
                          const uint64_t *after, unsigned n, uint64_t hold)
{
    struct vmodel_queue *q;

    if (queue >= m->cfg.num_queues)
        return -1;
    q = &m->q[queue];
    for (unsigned k = 0; k < q->npending; k++) {
        struct vmodel_pending *p = &q->pending[k];

        if (p->id == id && p->deferred) {
            p->deferred = false;
            p->in_len = written > p->cap ? p->cap : written;
            if (p->due < m->now) /* the later of the answer and its own delay */
                p->due = m->now;
            if (p->due < m->now + hold)
                p->due = m->now + hold;
            if (n > 0 && (p->after = calloc(n, sizeof(*p->after))) != NULL) {
                for (unsigned i = 0; i < n; i++)
                    if (after[i] != 0 && after[i] != p->ticket)
                        p->after[p->nafter++] = after[i];
            } else if (n > 0) {
                vmodel_error(m, "no memory to order a completion after %u others", n);
            }
            return 0;
        }
    }
    return -1;
}

int vmodel_complete(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written)
{
    return vmodel_complete_after(m, queue, id, written, NULL, 0, 0);
}

int vmodel_complete_joined(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t written)
{
    if (vmodel_complete(m, queue, id, written) != 0)
        return -1;
    struct vmodel_queue *q = &m->q[queue];
    for (unsigned k = 0; k < q->npending; k++)
        if (q->pending[k].id == id && !q->pending[k].deferred) {
            q->pending[k].joined = true;
            q->pending[k].due = UINT64_MAX; /* until the next request is taken */
        }
    return 0;
}

int vmodel_used_len_set(struct vmodel *m, uint16_t queue, uint16_t id, uint32_t len)
{
    if (queue >= m->cfg.num_queues)
        return -1;
    struct vmodel_queue *q = &m->q[queue];
    for (unsigned k = 0; k < q->npending; k++)
        if (q->pending[k].id == id && !q->pending[k].deferred) {
            q->pending[k].in_len = len;
            return 0;
        }
    return -1;
}

bool vmodel_reset_pending(const struct vmodel *m)
{
    return m->reset_pending;
}

uint32_t vmodel_reset_count(struct vmodel *m)
{
    return m->resets;
}

unsigned vmodel_pending(struct vmodel *m, uint16_t queue)
{
    return queue < m->cfg.num_queues && !m->q[queue].hold ? m->q[queue].npending : 0;
}

uint8_t vmodel_status(struct vmodel *m)
{
    return m->status;
}

uint64_t vmodel_driver_features(struct vmodel *m)
{
    return m->driver_features;
}

bool vmodel_queue_enabled(struct vmodel *m, uint16_t queue)
{
    return queue < m->cfg.num_queues && m->q[queue].enabled;
}

uint16_t vmodel_queue_size(struct vmodel *m, uint16_t queue)
{
    return queue < m->cfg.num_queues ? m->q[queue].size : 0;
}

const struct vmodel_stats *vmodel_stats(struct vmodel *m)
{
    return &m->stats;
}

void vmodel_clear_stats(struct vmodel *m)
{
    memset(&m->stats, 0, sizeof(m->stats));
}
