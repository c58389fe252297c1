/*
 * The double-fetch knob of a virtio function (vw_virtio_double_fetch): a
 * read hook on each queue's used elements (split: the used ring entries;
 * packed: the id and length of the descriptors) remembers which bytes the
 * driver has read since the device last wrote the element; after the
 * first read the device model rewrites those bytes (the value the driver
 * got stays right, a second read sees another), and a second read of the
 * same bytes fails the run by name.  A driver must read each used entry
 * once: the device owns it and may change it at any time (spec 2.7.8).
 */
#include <stdlib.h>
#include <string.h>
#include "../../../common/virtio/virtio_spec.h"
#include "dev_virtio.h"
#include "ram.h"

/* One queue's watch: bytes read per element (8 per element). */
struct vw_fetch_watch {
    struct vw_virtio *dev;
    unsigned queue;
    bool packed, active;
    uint16_t size;
    uint64_t pa;
    gva_t va;
    uint8_t *seen; /* bit per byte of the element's id and length */
    bool *live;    /* written by the device since the watch began */
    uc_hook hook;
};

/* Byte offset of the id/length area of element SLOT from the watched base. */
static uint64_t elem_off(const struct vw_fetch_watch *w, unsigned slot)
{
    return w->packed ? 16ull * slot + 8 : 4 + 8ull * slot;
}

static void on_read(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value,
                    void *user)
{
    struct vw_fetch_watch *w = user;
    (void)uc, (void)type, (void)value;
    for (uint64_t a = address; a < address + (uint64_t)size; a++) {
        uint64_t rel = a - w->va;
        unsigned slot, off;
        if (w->packed) {
            slot = (unsigned)(rel / 16);
            off = (unsigned)(rel % 16);
            if (off < 8 || off >= 14)
                continue; /* address and flags: not the device's answer */
            off -= 8;
        } else {
            if (rel < 4)
                continue; /* flags and idx */
            slot = (unsigned)((rel - 4) / 8);
            off = (unsigned)((rel - 4) % 8);
        }
        if (slot >= w->size || !w->live[slot])
            continue;
        struct vm *vm = w->dev->vm;
        if (w->seen[slot] >> off & 1) {
            vw_fail(vm,
                    "virtio: queue %u used element %u read twice by the driver (double fetch: the "
                    "device may change it between the two reads)",
                    w->queue, slot);
            return;
        }
        w->seen[slot] |= (uint8_t)(1u << off);
        /* The device changes what was read: only a second read can see it. */
        uint8_t *p = vw_ram_host(vm, w->pa + elem_off(w, slot) + off, 1);
        if (p != NULL)
            *p ^= 0xa5;
    }
}

/* vmodel_used_fn: the device wrote element SLOT of QUEUE afresh. */
static void on_used(void *ctx, uint16_t queue, uint16_t slot)
{
    struct vw_virtio *dev = ctx;
    for (unsigned i = 0; i < dev->fetch_count; i++) {
        struct vw_fetch_watch *w = &dev->fetch[i];
        if (w->active && w->queue == queue && slot < w->size) {
            w->seen[slot] = 0;
            w->live[slot] = true;
        }
    }
}

void vw_virtio_double_fetch(struct vw_virtio *dev, bool on)
{
    dev->double_fetch = on;
    vmodel_set_used_hook(dev->model, on ? on_used : NULL, dev);
}

void vw_virtio_fetch_arm(struct vw_virtio *dev)
{
    struct vm *vm = dev->vm;
    if (!dev->double_fetch || dev->fetch != NULL)
        return;
    bool packed = vmodel_driver_features(dev->model) >> VIRTIO_F_RING_PACKED & 1;
    dev->fetch = calloc(dev->cfg.queues, sizeof(*dev->fetch));
    if (dev->fetch == NULL) {
        vw_fail(vm, "harness: out of host memory for the double-fetch watch");
        return;
    }
    dev->fetch_count = dev->cfg.queues;
    for (unsigned q = 0; q < dev->cfg.queues; q++) {
        struct vw_fetch_watch *w = &dev->fetch[q];
        uint64_t desc, avail, used;
        uint16_t size;
        *w = (struct vw_fetch_watch){.dev = dev, .queue = q, .packed = packed};
        if (!vw_virtio_queue_layout(dev, q, &desc, &avail, &used, &size))
            continue;
        w->size = size;
        w->pa = packed ? desc : used;
        w->va = vw_ram_va(vm, w->pa);
        w->seen = calloc(size, 1);
        w->live = calloc(size, sizeof(bool));
        uint64_t len = packed ? 16ull * size : 4 + 8ull * size;
        if (w->va == 0 || w->seen == NULL || w->live == NULL ||
            uc_hook_add(vm->uc, &w->hook, UC_HOOK_MEM_READ_AFTER, (void *)on_read, w, w->va,
                        w->va + len - 1) != UC_ERR_OK) {
            vw_fail(vm, "harness: cannot watch queue %u for double fetches", q);
            return;
        }
        w->active = true;
    }
}

void vw_virtio_fetch_disarm(struct vw_virtio *dev)
{
    for (unsigned i = 0; i < dev->fetch_count; i++) {
        struct vw_fetch_watch *w = &dev->fetch[i];
        if (w->active)
            uc_hook_del(dev->vm->uc, w->hook);
        free(w->seen);
        free(w->live);
    }
    free(dev->fetch);
    dev->fetch = NULL;
    dev->fetch_count = 0;
}
