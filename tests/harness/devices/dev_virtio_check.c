/*
 * Driver-side virtio checks, made by the device (see dev_virtio.h):
 *  - device status only grows, in the order ACKNOWLEDGE, DRIVER,
 *    FEATURES_OK (modern), DRIVER_OK, until a reset (write of 0);
 *  - driver features are written only after DRIVER;
 *  - split rings: avail->idx moves past an entry only after the driver
 *    wrote that entry; packed rings: a descriptor's flags make it available
 *    only after its address and length were written (write hooks on the
 *    rings, armed at DRIVER_OK);
 *  - whatever the model itself finds (features not offered, descriptors
 *    outside the common buffers, loops, bad sizes, ...).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "../../../common/virtio/virtio_spec.h"
#include "dev_virtio.h"
#include "port/storport/stor.h"
#include "ram.h"

#define ACK         VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRIVER      VIRTIO_CONFIG_S_DRIVER
#define FEATURES_OK VIRTIO_CONFIG_S_FEATURES_OK
#define DRIVER_OK   VIRTIO_CONFIG_S_DRIVER_OK

void vw_virtio_check_model(struct vw_virtio *dev)
{
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    if (st->errors > dev->errors_seen) {
        dev->errors_seen = st->errors;
        vw_fail(dev->vm, "virtio: the device saw a driver error: %s", st->last_error);
    }
}

static uint16_t rd16(struct vw_virtio *dev, uint64_t pa)
{
    const uint8_t *p = vw_ram_host(dev->vm, pa, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

/* Before the CPU stores SIZE bytes of VALUE at ADDR in the avail ring. */
static void on_avail_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                           void *user)
{
    struct vw_vq_watch *w = user;
    struct vm *vm = w->vm;
    (void)uc;
    (void)type;
    if (!w->active || vm->failed)
        return;
    uint64_t start = addr - w->va, end = start + (uint64_t)size;
    uint8_t idx[2];
    memcpy(idx, vw_ram_host(vm, vw_ram_pa(vm, w->va) + 2, 2), 2);
    bool idx_written = false;
    for (uint64_t b = start; b < end; b++) {
        uint8_t byte = (uint8_t)((uint64_t)value >> (8 * (b - start)));
        if (b == 2 || b == 3) {
            idx[b - 2] = byte;
            idx_written = true;
        } else if (b >= 4 && b < 4 + 2ull * w->size) {
            unsigned slot = (unsigned)(b - 4) / 2;
            vw_vq_barrier_store(w);
            if (w->dev->backend != NULL) { /* the model does not take entries */
                w->fresh[slot] = 1;
                continue;
            }
            /* Published and not yet taken by the device: the device may
             * be reading it (spec 2.7.13.2: entry, barrier, then idx). */
            uint16_t seen = vmodel_avail_seen(w->dev->model, (uint16_t)w->queue);
            for (uint16_t k = 0; k < (uint16_t)(w->idx - seen) && k < w->size; k++)
                if ((uint16_t)(seen + k) % w->size == slot) {
                    vw_fail(vm,
                            "virtio: queue %u avail ring entry %u written after avail->idx "
                            "published it (idx %u, device at %u)",
                            w->queue, slot, w->idx, seen);
                    return;
                }
            w->fresh[slot] = 1;
        }
    }
    if (!idx_written)
        return;
    uint16_t next = (uint16_t)(idx[0] | idx[1] << 8);
    uint16_t moved = (uint16_t)(next - w->idx);
    if (moved > w->size) {
        vw_fail(vm, "virtio: queue %u avail->idx moved by %u on a ring of %u", w->queue, moved,
                w->size);
        return;
    }
    for (uint16_t i = 0; i < moved; i++) {
        unsigned slot = (uint16_t)(w->idx + i) % w->size;
        if (!w->fresh[slot]) {
            vw_fail(vm,
                    "virtio: queue %u avail->idx published (%u -> %u) before ring entry %u was "
                    "written",
                    w->queue, w->idx, next, slot);
            return;
        }
        w->fresh[slot] = 0;
    }
    if (moved != 0 && vw_vq_barrier_publish(w))
        return;
    w->idx = next;
}

/* Packed: flags FLAGS stored at the driver's next head position make the
 * head available; every later descriptor of its chain must already be
 * available, since the device may take the chain now (spec 2.8.21: the
 * head's flags are written last).  Moves the expected head past the chain;
 * true when the run failed. */
static bool packed_head_check(struct vw_vq_watch *w, uint16_t slot, uint16_t flags)
{
    struct vm *vm = w->vm;
    const uint8_t *ring = vw_ram_host(vm, vw_ram_pa(vm, w->va), 16ull * w->size);
    uint16_t pos = slot, f = flags;
    bool wrap = w->wrap;
    /* A batch may publish its first head last: then the heads after it
     * are already available and are checked here too. */
    for (unsigned heads = 0; heads < w->size; heads++) {
        if ((((f >> VIRTQ_DESC_F_AVAIL) & 1) != wrap) || (((f >> VIRTQ_DESC_F_USED) & 1) == wrap))
            return false; /* not (yet) this lap's head */
        uint16_t head = pos, count = 1;
        while ((f & VIRTQ_DESC_F_NEXT) && !(f & VIRTQ_DESC_F_INDIRECT) && count < w->size) {
            if (++pos == w->size) {
                pos = 0;
                wrap = !wrap;
            }
            f = (uint16_t)(ring[16u * pos + 14] | ring[16u * pos + 15] << 8);
            if ((((f >> VIRTQ_DESC_F_AVAIL) & 1) != wrap) ||
                (((f >> VIRTQ_DESC_F_USED) & 1) == wrap)) {
                vw_fail(vm,
                        "virtio: queue %u packed head %u made available before descriptor %u "
                        "of its chain",
                        w->queue, head, pos);
                return true;
            }
            count++;
        }
        if (++pos == w->size) {
            pos = 0;
            wrap = !wrap;
        }
        w->idx = pos;
        w->wrap = wrap;
        f = (uint16_t)(ring[16u * pos + 14] | ring[16u * pos + 15] << 8);
    }
    return false;
}

/* Split: before the CPU stores into the descriptor table: a descriptor of
 * a chain avail->idx published and the device has not taken yet must not
 * change (spec 2.7.13.1: descriptors first, then the ring, then idx). */
static void on_desc_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
    struct vw_vq_watch *w = user;
    struct vm *vm = w->vm;
    (void)uc;
    (void)type;
    (void)value;
    if (!w->active || vm->failed)
        return;
    vw_vq_barrier_store(w);
    if (w->dev->backend != NULL)
        return; /* an external back end: the model does not take entries */
    uint64_t start = addr - w->desc_va, end = start + (uint64_t)size;
    for (uint64_t d = start / 16; d * 16 < end && d < w->size; d++)
        if (vmodel_split_desc_owned(w->dev->model, (uint16_t)w->queue, (uint16_t)d, w->idx)) {
            vw_fail(vm,
                    "virtio: queue %u descriptor %u written after avail->idx published its "
                    "chain (the device owns it until it is used)",
                    w->queue, (unsigned)d);
            return;
        }
}

/* Before the CPU stores SIZE bytes of VALUE at ADDR in the packed ring. */
static void on_packed_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                            void *user)
{
    struct vw_vq_watch *w = user;
    struct vm *vm = w->vm;
    (void)uc;
    (void)type;
    if (!w->active || vm->failed)
        return;
    uint64_t start = addr - w->va, end = start + (uint64_t)size;
    for (uint64_t slot = start / 16; slot * 16 < end && slot < w->size; slot++) {
        uint64_t base = slot * 16;
        if (w->dev->backend == NULL && vmodel_packed_desc_owned(w->dev->model, (uint16_t)w->queue,
                                                                (uint16_t)slot, w->idx, w->wrap)) {
            vw_fail(vm,
                    "virtio: queue %u packed descriptor %u written while the device owns it "
                    "(made available, not used yet)",
                    w->queue, (unsigned)slot);
            return;
        }
        uint8_t flags[2];
        bool flags_written = false;
        memcpy(flags, vw_ram_host(vm, vw_ram_pa(vm, w->va) + base + 14, 2), 2);
        for (uint64_t b = start > base ? start : base; b < end && b < base + 16; b++) {
            uint8_t byte = (uint8_t)((uint64_t)value >> (8 * (b - start)));
            uint64_t f = b - base;
            if (f < 8) {
                w->fresh[slot] |= 1;
            } else if (f < 12) {
                w->fresh[slot] |= 2;
            } else if (f >= 14) {
                flags[f - 14] = byte;
                flags_written = true;
            }
        }
        uint16_t v = (uint16_t)(flags[0] | flags[1] << 8);
        bool available = ((v >> VIRTQ_DESC_F_AVAIL) & 1) != ((v >> VIRTQ_DESC_F_USED) & 1);
        bool publishes = flags_written && available && slot == w->idx;
        if (start < base + 14 || (flags_written && !publishes))
            vw_vq_barrier_store(w); /* the body, or a flag that publishes nothing yet */
        if (!flags_written || !available)
            continue;
        if ((w->fresh[slot] & 3) != 3) {
            vw_fail(vm,
                    "virtio: queue %u packed descriptor %u made available before its %s was "
                    "written",
                    w->queue, (unsigned)slot, w->fresh[slot] & 1 ? "length" : "address");
            return;
        }
        w->fresh[slot] = 0;
        if (publishes && (packed_head_check(w, (uint16_t)slot, v) || vw_vq_barrier_publish(w)))
            return;
    }
}

void vw_virtio_watch(struct vw_virtio *dev)
{
    struct vm *vm = dev->vm;
    bool packed = vmodel_driver_features(dev->model) >> VIRTIO_F_RING_PACKED & 1;
    for (unsigned q = 0; q < dev->cfg.queues; q++) {
        struct vw_vq_watch *w = &dev->watch[q];
        uint64_t desc, avail, used;
        uint16_t size;
        if (w->active || !vw_virtio_queue_layout(dev, q, &desc, &avail, &used, &size))
            continue;
        free(w->fresh);
        free(w->flags_mark);
        memset(w, 0, sizeof(*w));
        w->fresh = calloc(size, 1);
        if (w->fresh == NULL) {
            vw_fail(vm, "harness: out of host memory for the ring watch of queue %u", q);
            return;
        }
        w->vm = vm;
        w->dev = dev;
        w->queue = q;
        w->size = size;
        w->packed = packed;
        w->va = vw_ram_va(vm, packed ? desc : avail);
        w->idx = packed ? 0 : rd16(dev, avail + 2);
        w->wrap = true; /* packed: the driver's wrap counter starts at 1 */
        /* Packed: descriptors the driver made available before DRIVER_OK (receive
         * buffers posted first) are the device's; the driver's next head is past them. */
        while (packed && w->idx < size) {
            uint16_t f = rd16(dev, desc + 16ull * w->idx + 14);
            if (((f >> VIRTQ_DESC_F_AVAIL) & 1) != 1 || ((f >> VIRTQ_DESC_F_USED) & 1) != 0)
                break;
            w->idx++;
        }
        if (packed && w->idx == size) {
            w->idx = 0;
            w->wrap = false;
        }
        if (w->va == 0)
            continue;
        uint64_t len = packed ? 16ull * size : 4 + 2ull * size;
        if (uc_hook_add(vm->uc, &w->hook, UC_HOOK_MEM_WRITE,
                        packed ? (void *)on_packed_write : (void *)on_avail_write, w, w->va,
                        w->va + len - 1) == UC_ERR_OK)
            w->active = true;
        w->desc_va = vw_ram_va(vm, desc);
        if (w->active && !packed && w->desc_va != 0 &&
            uc_hook_add(vm->uc, &w->desc_hook, UC_HOOK_MEM_WRITE, (void *)on_desc_write, w,
                        w->desc_va, w->desc_va + 16ull * size - 1) == UC_ERR_OK)
            w->desc_hooked = true;
        if (w->active && !vw_vq_barrier_watch(w, used)) {
            vw_fail(vm, "harness: cannot watch queue %u for barriers", q);
            return;
        }
    }
}

void vw_virtio_unwatch(struct vw_virtio *dev)
{
    vw_virtio_fetch_disarm(dev);
    for (unsigned q = 0; q < dev->cfg.queues; q++)
        if (dev->watch[q].active) {
            uc_hook_del(dev->vm->uc, dev->watch[q].hook);
            if (dev->watch[q].desc_hooked)
                uc_hook_del(dev->vm->uc, dev->watch[q].desc_hook);
            dev->watch[q].desc_hooked = false;
            vw_vq_barrier_unwatch(&dev->watch[q]);
            dev->watch[q].active = false;
        }
}

static void status_write(struct vw_virtio *dev, uint8_t v, bool modern)
{
    struct vm *vm = dev->vm;
    if (v == 0) { /* the watches end with the reset itself (vw_virtio_check_reset) */
        dev->status = 0;
        dev->unwatch_pending = true;
        return;
    }
    /* FAILED is no reinitialization: the driver gave up on the device */
    if (dev->unwatch_pending && vmodel_reset_pending(dev->model) && !(v & VIRTIO_CONFIG_S_FAILED)) {
        vw_fail(vm,
                "virtio: status 0x%02x written while the device's reset is still in progress: "
                "\"after writing 0 to device_status, the driver MUST wait for a read of "
                "device_status to return 0 before reinitializing the device\" (virtio 1.2 "
                "4.1.4.3.2)",
                v);
        vw_virtio_check_reset(dev);
    }
    uint8_t added = (uint8_t)(v & ~dev->status);
    if ((added & DRIVER) && !(v & ACK))
        vw_fail(vm, "virtio: status DRIVER set before ACKNOWLEDGE (0x%02x -> 0x%02x)", dev->status,
                v);
    else if ((added & FEATURES_OK) && !(v & DRIVER))
        vw_fail(vm, "virtio: status FEATURES_OK set before DRIVER (0x%02x -> 0x%02x)", dev->status,
                v);
    else if ((added & DRIVER_OK) && (!(v & DRIVER) || (modern && !(v & FEATURES_OK))))
        vw_fail(vm, "virtio: status DRIVER_OK set before %s (0x%02x -> 0x%02x)",
                !(v & DRIVER) ? "DRIVER" : "FEATURES_OK", dev->status, v);
    dev->status = v;
}

/* After each register access: a reset the driver wrote is over once the
 * model says so (at once, or at the status read of 0 for reset_late);
 * only then do the ring watches and the device's claims end. */
void vw_virtio_check_reset(struct vw_virtio *dev)
{
    if (!dev->unwatch_pending || vmodel_reset_pending(dev->model))
        return;
    dev->unwatch_pending = false;
    vw_virtio_unwatch(dev);
}

void vw_virtio_check_write(struct vw_virtio *dev, unsigned bar, uint64_t offset, uint64_t value)
{
    bool modern = bar == VMODEL_MODERN_BAR;
    uint64_t status_off = modern ? VIRTIO_PCI_COMMON_STATUS : VIRTIO_PCI_LEGACY_STATUS;
    uint64_t features_off = modern ? VIRTIO_PCI_COMMON_GF : VIRTIO_PCI_LEGACY_GUEST_FEATURES;
    if (offset == features_off && !(dev->status & DRIVER))
        vw_fail(dev->vm, "virtio: driver features written before status DRIVER (status 0x%02x)",
                dev->status);
    if (offset != status_off)
        return;
    bool was_ok = dev->status & DRIVER_OK;
    status_write(dev, (uint8_t)value, modern);
    /* Armed once the device would look at the rings. */
    if (!was_ok && (dev->status & DRIVER_OK))
        dev->pending_watch = true;
}

/* Does [A, A+ALEN) meet [B, B+BLEN)? */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen != 0 && blen != 0 && a < b + blen && b < a + alen;
}

/* The guest memory one descriptor hands the device (an indirect table
 * and every buffer it lists); true when part of [PA, PA+LEN) is in it. */
static bool desc_meets(struct vm *vm, const uint8_t *e, bool packed, uint64_t pa, uint64_t len,
                       uint64_t *hit, uint32_t *hit_len)
{
    uint64_t addr;
    uint32_t dlen;
    uint16_t flags;
    memcpy(&addr, e, 8);
    memcpy(&dlen, e + 8, 4);
    memcpy(&flags, e + (packed ? 14 : 12), 2);
    *hit = addr, *hit_len = dlen;
    if (overlaps(addr, dlen, pa, len))
        return true;
    if (!(flags & VIRTQ_DESC_F_INDIRECT))
        return false;
    const uint8_t *table = vw_ram_host(vm, addr, dlen);
    for (uint32_t i = 0; table != NULL && i + 16 <= dlen; i += 16) {
        memcpy(hit, table + i, 8);
        memcpy(hit_len, table + i + 8, 4);
        if (overlaps(*hit, *hit_len, pa, len))
            return true;
    }
    return false;
}

/* Can split descriptor E meet [PA, PA+LEN) at all: its own buffer does,
 * or it is indirect (its table is looked at only when the device owns it). */
static bool might_meet(const uint8_t *e, uint64_t pa, uint64_t len)
{
    uint64_t addr;
    uint32_t dlen;
    uint16_t flags;
    memcpy(&addr, e, 8);
    memcpy(&dlen, e + 8, 4);
    memcpy(&flags, e + 12, 2);
    return overlaps(addr, dlen, pa, len) || (flags & VIRTQ_DESC_F_INDIRECT);
}

/* What vw_virtio_owns looks for in a packed ring, and the first hit. */
struct owns_look {
    struct vm *vm;
    uint64_t pa, len, hit;
    uint32_t hit_len;
    uint16_t slot;
};

/* One descriptor the device owns (vmodel_packed_owned_each): does it meet
 * the range looked for? */
static bool packed_owned_meets(void *ctx, uint16_t slot, const uint8_t *desc)
{
    struct owns_look *l = ctx;
    l->slot = slot;
    return desc_meets(l->vm, desc, true, l->pa, l->len, &l->hit, &l->hit_len);
}

bool vw_virtio_owns(struct vm *vm, void *opaque, uint64_t pa, uint64_t len, char *what, size_t n)
{
    struct vw_virtio *dev = opaque;
    /* An external back end (vhost-user) serves the rings: the model does
     * not know what it took, so it claims nothing (a gap, not a pass). */
    if (dev->gone || dev->watch == NULL || dev->backend != NULL)
        return false;
    for (unsigned q = 0; q < dev->cfg.queues; q++) {
        struct vw_vq_watch *w = &dev->watch[q];
        uint64_t desc, avail, used;
        uint16_t size;
        if (!w->active || !vw_virtio_queue_layout(dev, q, &desc, &avail, &used, &size))
            continue;
        /* Packed: by buffer, not by ring slot -- a used descriptor goes to
         * the next used slot whichever buffer it names, so out of order a
         * slot may hold another chain's used element while its own chain
         * is still the device's (virtio 1.2 2.8, Packed Virtqueues) */
        struct owns_look l = {.vm = vm, .pa = pa, .len = len};
        if (w->packed) {
            if (vmodel_packed_owned_each(dev->model, (uint16_t)q, w->idx, w->wrap,
                                         packed_owned_meets, &l)) {
                snprintf(what, n,
                         "virtio queue %u descriptor %u, available and not used: 0x%" PRIx64
                         " (%u bytes)",
                         q, l.slot, l.hit, l.hit_len);
                return true;
            }
            continue;
        }
        /* A descriptor that neither lists the range nor is indirect cannot
         * meet it: skipped before the ownership question.  The owned map is
         * made once per ring, at the first that might (one walk of the
         * chains, not a walk of them all for each descriptor). */
        static uint8_t map[32768 / 8];
        bool mapped = false;
        const uint8_t *table = vw_ram_host(vm, desc, 16ull * size);
        for (uint16_t d = 0; d < size; d++) {
            const uint8_t *e = table != NULL ? table + 16ull * d : NULL;
            if (e != NULL && !might_meet(e, pa, len))
                continue;
            if (!mapped) {
                if (!vmodel_split_owned_map(dev->model, (uint16_t)q, w->idx, map, sizeof(map)))
                    break;
                mapped = true;
            }
            bool owned = (map[d / 8] >> (d % 8)) & 1;
            e = owned ? vw_ram_host(vm, desc + 16ull * d, 16) : NULL;
            uint64_t hit;
            uint32_t hit_len;
            if (e != NULL && desc_meets(vm, e, w->packed, pa, len, &hit, &hit_len)) {
                snprintf(what, n,
                         "virtio queue %u descriptor %u, available and not used: 0x%" PRIx64
                         " (%u bytes)",
                         q, d, hit, hit_len);
                return true;
            }
        }
    }
    return false;
}
