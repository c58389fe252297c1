/*
 * host_os.c - host implementation of the virtio OS services over vmodel.
 */
#include <stdlib.h>
#include <string.h>

#include "host_os.h"

#define HOST_PORT_BASE 0xc000u

static void decode(uint8_t space, uintptr_t addr, unsigned *bar, uint64_t *off)
{
    if (space == VIRTIO_SPACE_PORT) {
        *bar = 0;
        *off = addr - HOST_PORT_BASE;
    } else {
        *bar = (unsigned)((uint64_t)addr >> 32) - 1;
        *off = (uint64_t)addr & 0xffffffffu;
    }
}

static uint64_t rd(void *ctx, uint8_t space, uintptr_t addr, unsigned width)
{
    struct host_os *h = ctx;
    unsigned bar;
    uint64_t off;

    decode(space, addr, &bar, &off);
    return vmodel_bar_read(h->m, bar, off, width);
}

static void wr(void *ctx, uint8_t space, uintptr_t addr, unsigned width, uint64_t v)
{
    struct host_os *h = ctx;
    unsigned bar;
    uint64_t off;

    decode(space, addr, &bar, &off);
    vmodel_bar_write(h->m, bar, off, width, v);
}

static uint8_t h_read8(void *c, uint8_t s, uintptr_t a)
{
    return (uint8_t)rd(c, s, a, 1);
}
static uint16_t h_read16(void *c, uint8_t s, uintptr_t a)
{
    return (uint16_t)rd(c, s, a, 2);
}
static uint32_t h_read32(void *c, uint8_t s, uintptr_t a)
{
    return (uint32_t)rd(c, s, a, 4);
}
static void h_write8(void *c, uint8_t s, uintptr_t a, uint8_t v)
{
    wr(c, s, a, 1, v);
}
static void h_write16(void *c, uint8_t s, uintptr_t a, uint16_t v)
{
    wr(c, s, a, 2, v);
}
static void h_write32(void *c, uint8_t s, uintptr_t a, uint32_t v)
{
    wr(c, s, a, 4, v);
}

/* Configuration space of the model, byte by byte (bus order). */
static void h_pci_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++)
        b[i] = (uint8_t)vmodel_cfg_read(((struct host_os *)ctx)->m, off + i, 1);
}

static int h_bar_info(void *ctx, unsigned bar, uint64_t *len, uint8_t *space)
{
    struct host_os *h = ctx;
    bool io;

    if (vmodel_bar_info(h->m, bar, len, &io) != 0)
        return -1;
    *space = io ? VIRTIO_SPACE_PORT : VIRTIO_SPACE_MMIO;
    return 0;
}

static int h_bar_map(void *ctx, unsigned bar, uint64_t offset, uint32_t len, uintptr_t *addr)
{
    struct host_os *h = ctx;
    uint64_t blen;
    bool io;

    if (vmodel_bar_info(h->m, bar, &blen, &io) != 0 || offset + len > blen)
        return -1;
    if (io)
        *addr = (uintptr_t)(HOST_PORT_BASE + offset);
    else
        *addr = (uintptr_t)((((uint64_t)bar + 1) << 32) | offset);
    return 0;
}

static int h_dma_alloc(void *ctx, size_t size, size_t align, struct virtio_dma *dma)
{
    struct host_os *h = ctx;
    size_t rounded = (size + align - 1) / align * align;
    void *va;

    if (h->dma_max != 0 && size > h->dma_max)
        return -12;
    va = aligned_alloc(align < 64 ? 64 : align, rounded < 64 ? 64 : (rounded + 63) / 64 * 64);
    if (va == NULL)
        return -12;
    memset(va, 0, size);
    /* A bus address aligned like the host one but elsewhere */
    h->next_pa = (h->next_pa + 4095) & ~(uint64_t)4095;
    dma->va = va;
    dma->pa = h->next_pa;
    dma->size = size;
    dma->handle = NULL;
    h->next_pa += (size + 4095) & ~(size_t)4095;
    if (vmodel_dma_register(h->m, dma->pa, va, size) != 0) {
        free(va);
        return -12;
    }
    h->dma_live++;
    return 0;
}

static void h_dma_free(void *ctx, struct virtio_dma *dma)
{
    struct host_os *h = ctx;

    vmodel_dma_unregister(h->m, dma->pa);
    free(dma->va);
    memset(dma, 0, sizeof(*dma));
    h->dma_live--;
}

static void *h_mem_alloc(void *ctx, size_t size)
{
    struct host_os *h = ctx;
    void *p = calloc(1, size ? size : 1);

    if (p != NULL)
        h->mem_live++;
    return p;
}

static void h_mem_free(void *ctx, void *p, size_t size)
{
    struct host_os *h = ctx;

    (void)size;
    free(p);
    h->mem_live--;
}

static void h_delay_us(void *ctx, uint32_t us)
{
    ((struct host_os *)ctx)->delay_total_us += us;
}

static void h_report(void *ctx, int queue, enum virtio_violation why)
{
    struct host_os *h = ctx;

    h->reports++;
    h->last_queue = queue;
    h->last_violation = why;
}

static const struct virtio_os_ops host_os_ops = {
    .read8 = h_read8,
    .read16 = h_read16,
    .read32 = h_read32,
    .write8 = h_write8,
    .write16 = h_write16,
    .write32 = h_write32,
    .pci_read = h_pci_read,
    .bar_info = h_bar_info,
    .bar_map = h_bar_map,
    .bar_unmap = NULL,
    .dma_alloc = h_dma_alloc,
    .dma_free = h_dma_free,
    .mem_alloc = h_mem_alloc,
    .mem_free = h_mem_free,
    .delay_us = h_delay_us,
    .report = h_report,
};

void host_os_init(struct host_os *h, struct vmodel *m, struct virtio_os *os)
{
    memset(h, 0, sizeof(*h));
    h->m = m;
    h->next_pa = 0x100000000ull;
    h->last_queue = -2;
    os->ops = &host_os_ops;
    os->ctx = h;
}
