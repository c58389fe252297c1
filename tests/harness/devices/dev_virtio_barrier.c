/*
 * The barrier rules of the virtio rings, checked at the points the ring
 * watch (dev_virtio_check.c) sees, against the barrier instructions the
 * driver executed (vm->barriers, cpu_barrier.c).  The emulator runs every
 * access in program order, so these counts are the only way a missing
 * barrier shows.  The rules (spec 2.7.13 / 2.8.21 and 2.7.7 / 2.8.22; the
 * Linux virt_wmb/virt_rmb/virt_mb and Windows KeMemoryBarrier models):
 *  (a) publish: between the last descriptor or ring entry store and the
 *      store that publishes it (split avail->idx, packed head flags) a
 *      store barrier (arm64 DMB/DSB ST or stronger, or a store-release
 *      STLR, which orders the stores before it);
 *  (b) consume: between reading used->idx (split) or a descriptor's flags
 *      (packed) and reading the used element (split ring entry, packed id
 *      and length) a load barrier (arm64 DMB/DSB LD or stronger, or the
 *      index read was a load-acquire LDAR/LDAPR);
 *  (c) notify: between the publication and reading the device's
 *      notification suppression (split used->flags or avail_event, packed
 *      device event structure) a full barrier (store->load: arm64 DMB/DSB
 *      SY/ISH, x86 MFENCE or a locked instruction).
 * x86 is TSO (stores are not reordered with stores, nor loads with loads),
 * so (a) and (b) need only a compiler barrier there, whose absence shows as
 * a store or load out of program order (the order checks); (c) holds on
 * every architecture.  Counts are per machine, not per CPU: another CPU's
 * barrier between the two points hides a missing one (a rare miss, never a
 * false failure); so does an STLR to another address or an LDAR of
 * another location just before a plain ring read (the acquire is given to
 * the next ring read).  A publication must be followed by its own full
 * barrier: a locked store that publishes is not taken as one.
 */
#include <stdlib.h>
#include "dev_virtio.h"
#include "ram.h"

/* The read that runs now was a load-acquire (arm64 LDAR/LDAPR: the
 * instruction's code hook ran just before this memory hook). */
static bool acquired(struct vm *vm)
{
    bool a = vm->barriers.acquire;
    vm->barriers.acquire = false;
    return a;
}

static bool weakly_ordered(const struct vm *vm)
{
    return vm->arch == VW_ARM64;
}

void vw_vq_barrier_store(struct vw_vq_watch *w)
{
    w->stored = true;
    w->store_mark = w->vm->barriers.store;
}

bool vw_vq_barrier_publish(struct vw_vq_watch *w)
{
    struct vm *vm = w->vm;
    const struct vw_barriers *b = &vm->barriers;
    if (weakly_ordered(vm) && w->stored && b->store == w->store_mark) {
        vw_fail(vm,
                "virtio: queue %u %s published with no store barrier since the last "
                "descriptor store (missing write barrier)",
                w->queue, w->packed ? "packed head" : "avail->idx");
        return true;
    }
    w->stored = false;
    w->kicked = true;
    w->kick_mark = b->full;
    return false;
}

/* (c): a read of the device's notification suppression. */
static void suppression_read(struct vw_vq_watch *w, const char *what)
{
    struct vm *vm = w->vm;
    if (!w->kicked)
        return;
    if (vm->barriers.full == w->kick_mark) {
        vw_fail(vm,
                "virtio: queue %u %s read after publishing with no full barrier between "
                "(missing memory barrier: the notification may be lost)",
                w->queue, what);
        return;
    }
    w->kicked = false;
}

/* Split: after the CPU reads SIZE bytes at ADDR of the used ring. */
static void on_used_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                         void *user)
{
    struct vw_vq_watch *w = user;
    struct vm *vm = w->vm;
    (void)uc, (void)type, (void)value;
    if (!w->active || vm->failed)
        return;
    bool acquire = acquired(vm);
    uint64_t off = addr - w->used_va, ring_end = 4 + 8ull * w->size;
    if (off < 2 || off >= ring_end) {
        suppression_read(w, off < 2 ? "used->flags" : "avail_event");
    } else if (off < 4) {
        w->idx_read = !acquire;
        w->idx_mark = vm->barriers.load;
    } else if (weakly_ordered(vm) && w->idx_read && vm->barriers.load == w->idx_mark) {
        vw_fail(vm,
                "virtio: queue %u used ring entry %u read with no load barrier after reading "
                "used->idx (missing read barrier)",
                w->queue, (unsigned)((off - 4) / 8));
    }
    (void)size;
}

/* Packed: after the CPU reads at ADDR of the descriptor ring. */
static void on_packed_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                           void *user)
{
    struct vw_vq_watch *w = user;
    struct vm *vm = w->vm;
    (void)uc, (void)type, (void)value, (void)size;
    if (!w->active || vm->failed)
        return;
    bool acquire = acquired(vm);
    uint64_t rel = addr - w->va;
    unsigned slot = (unsigned)(rel / 16), f = (unsigned)(rel % 16);
    if (slot >= w->size)
        return;
    if (f >= 14) {
        w->flags_mark[slot] = acquire ? 0 : vm->barriers.load + 1;
    } else if (f >= 8 && w->flags_mark[slot] == vm->barriers.load + 1) {
        vw_fail(vm,
                "virtio: queue %u used descriptor %u id/length read with no load barrier "
                "after reading its flags (missing read barrier)",
                w->queue, slot);
    }
}

/* Packed: after the CPU reads the device event suppression structure. */
static void on_event_read(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
    struct vw_vq_watch *w = user;
    (void)uc, (void)type, (void)addr, (void)size, (void)value;
    if (w->active && !w->vm->failed)
        suppression_read(w, "device event suppression");
}

bool vw_vq_barrier_watch(struct vw_vq_watch *w, uint64_t used_pa)
{
    struct vm *vm = w->vm;
    w->used_va = vw_ram_va(vm, used_pa);
    if (w->used_va == 0)
        return false;
    if (w->packed) {
        w->flags_mark = calloc(w->size, sizeof(*w->flags_mark));
        if (w->flags_mark == NULL)
            return false;
        if (weakly_ordered(vm)) {
            if (uc_hook_add(vm->uc, &w->read_hook, UC_HOOK_MEM_READ_AFTER, (void *)on_packed_read,
                            w, w->va, w->va + 16ull * w->size - 1) != UC_ERR_OK)
                return false;
            w->read_hooked = true;
        }
        if (uc_hook_add(vm->uc, &w->event_hook, UC_HOOK_MEM_READ_AFTER, (void *)on_event_read, w,
                        w->used_va, w->used_va + 3) != UC_ERR_OK)
            return false;
        w->event_hooked = true;
        return true;
    }
    if (uc_hook_add(vm->uc, &w->read_hook, UC_HOOK_MEM_READ_AFTER, (void *)on_used_read, w,
                    w->used_va, w->used_va + 4 + 8ull * w->size + 1) != UC_ERR_OK)
        return false;
    w->read_hooked = true;
    return true;
}

void vw_vq_barrier_unwatch(struct vw_vq_watch *w)
{
    if (w->read_hooked)
        uc_hook_del(w->vm->uc, w->read_hook);
    if (w->event_hooked)
        uc_hook_del(w->vm->uc, w->event_hook);
    w->read_hooked = w->event_hooked = false;
    free(w->flags_mark);
    w->flags_mark = NULL;
}
