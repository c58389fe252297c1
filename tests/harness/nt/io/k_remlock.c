/*
 * Remove locks.  State lives in the driver's IO_REMOVE_LOCK (Removed,
 * IoCount, RemoveEvent) as on Windows; the count starts at 1 (the bias that
 * IoReleaseRemoveLockAndWait drops).  With one CPU and synchronous IRPs, a
 * count still above zero at the final wait can never drop: deadlock.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

/* Remove locks the driver initialized: this part's state (vw_part_state). */
struct remlock_state {
    gva_t *remove_locks; /* grows (vw_grow) */
    unsigned remove_lock_count, remove_lock_cap;
};

static const char remlocks_key;

/* This machine's remlock state; harness side, any IRQL. */
static struct remlock_state *remlocks(struct vm *vm)
{
    return vw_part_state(vm, &remlocks_key, sizeof(struct remlock_state));
}

static bool known(struct vm *vm, gva_t lock, const char *who)
{
    struct remlock_state *s = remlocks(vm);
    for (unsigned i = 0; i < s->remove_lock_count; i++)
        if (s->remove_locks[i] == lock)
            return true;
    vw_fail(vm, "%s: remove lock 0x%" PRIx64 " was never initialized", who, lock);
    return false;
}

static int32_t count(struct vm *vm, gva_t lock)
{
    return (int32_t)vw_rd(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.IoCount), 4);
}

static void set_count(struct vm *vm, gva_t lock, int32_t value)
{
    vw_wr(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.IoCount), (uint32_t)value, 4);
}

void vw_IoInitializeRemoveLockEx(struct vm *vm, const struct vw_api *api)
{
    struct remlock_state *s = remlocks(vm);
    gva_t lock = vw_arg(vm, api, 0);
    if ((uint32_t)vw_arg(vm, api, 4) < VW_SIZEOF(vm, IO_REMOVE_LOCK)) {
        vw_fail(vm, "IoInitializeRemoveLockEx: RemlockSize %u too small",
                (unsigned)vw_arg(vm, api, 4));
        return;
    }
    vw_wr(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.Removed), 0, 1);
    set_count(vm, lock, 1);
    vw_event_init(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.RemoveEvent), 1, false);
    for (unsigned i = 0; i < s->remove_lock_count; i++)
        if (s->remove_locks[i] == lock)
            return;
    if (VW_GROW(vm, s->remove_locks, s->remove_lock_count, s->remove_lock_cap, "remove locks"))
        s->remove_locks[s->remove_lock_count++] = lock;
}

void vw_IoAcquireRemoveLockEx(struct vm *vm, const struct vw_api *api)
{
    gva_t lock = vw_arg(vm, api, 0);
    if (!known(vm, lock, api->name))
        return;
    if (vw_rd(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.Removed), 1)) {
        vw_set_return(vm, VW_STATUS_DELETE_PENDING);
        return;
    }
    set_count(vm, lock, count(vm, lock) + 1);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_IoReleaseRemoveLockEx(struct vm *vm, const struct vw_api *api)
{
    gva_t lock = vw_arg(vm, api, 0);
    if (!known(vm, lock, api->name))
        return;
    int32_t n = count(vm, lock) - 1;
    if (n < 0 || (n == 0 && !vw_rd(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.Removed), 1))) {
        vw_fail(vm, "IoReleaseRemoveLock: released more often than acquired");
        return;
    }
    set_count(vm, lock, n);
    if (n == 0)
        vw_event_set(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.RemoveEvent));
}

void vw_IoReleaseRemoveLockAndWaitEx(struct vm *vm, const struct vw_api *api)
{
    gva_t lock = vw_arg(vm, api, 0);
    if (!known(vm, lock, api->name))
        return;
    vw_wr(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.Removed), 1, 1);
    int32_t n = count(vm, lock) - 2; /* the caller's acquisition and the bias */
    if (n < 0) {
        vw_fail(vm, "IoReleaseRemoveLockAndWait without holding the lock");
        return;
    }
    set_count(vm, lock, n);
    if (n > 0) {
        vw_fail(vm,
                "deadlock: IoReleaseRemoveLockAndWait waits for %d outstanding "
                "acquisition(s) that nothing can release",
                n);
        return;
    }
    vw_event_set(vm, lock + VW_OFFSET(vm, IO_REMOVE_LOCK, Common.RemoveEvent));
}
