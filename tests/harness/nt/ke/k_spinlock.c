/*
 * Spin locks: the lock word is set while held.  Acquiring a lock the same
 * CPU holds is a deadlock, reported at once; one another CPU holds makes
 * this CPU spin until it is released (k_cpus.c); releasing a lock not held
 * (twice, or never taken), or with a lower IRQL than the lock needs, is a
 * bug.  The
 * balance checker (vw_kernel_after_call) fails a driver routine that
 * returns holding a lock it took.
 *   x86:         KfAcquireSpinLock/KfReleaseSpinLock (fastcall, hal),
 *                KefAcquireSpinLockAtDpcLevel/KefReleaseSpinLockFromDpcLevel
 *   amd64/arm64: KeAcquireSpinLockRaiseToDpc/KeReleaseSpinLock,
 *                KeAcquireSpinLockAtDpcLevel/KeReleaseSpinLockFromDpcLevel
 *   all:         KeAcquireInStackQueuedSpinLock/KeReleaseInStackQueuedSpinLock
 */
#include <inttypes.h>
#include <stdlib.h>
#include "abi.h"
#include "kernel.h"

/* True when the running CPU now holds LOCK; false after a failure or when
 * it spins (the call is made again when the CPU resumes). */
static bool acquire(struct vm *vm, gva_t lock, const char *who)
{
    struct vw_kernel *k = vm->k;
    char w[48], w2[48];
    for (unsigned i = 0; i < k->held_count; i++)
        if (k->held[i].lock == lock) {
            vw_fail(vm,
                    "deadlock: %s(0x%" PRIx64 ") from %s: the lock is already held (acquired at "
                    "%s) on this CPU",
                    who, lock, vw_where(vm, vw_return_address(vm), w),
                    vw_where(vm, k->held[i].where, w2));
            return false;
        }
    if (vw_cpu_lock_holder(vm, lock) >= 0 && !vw_cpu_wait_holder(vm, lock, who))
        return false;
    if (k->held_count == k->held_cap) { /* own growth: the array moves between CPUs */
        unsigned cap = k->held_cap ? 2 * k->held_cap : 16;
        struct vw_spinlock_hold *grown = realloc(k->held, cap * sizeof(*grown));
        if (grown == NULL) {
            vw_fail(vm, "harness: out of host memory for %u held spin locks", cap);
            return false;
        }
        k->held = grown;
        k->held_cap = cap;
    }
    k->held[k->held_count++] = (struct vw_spinlock_hold){lock, vw_return_address(vm)};
    vw_wrptr(vm, lock, 1);
    return true;
}

static void release(struct vm *vm, gva_t lock, const char *who)
{
    struct vw_kernel *k = vm->k;
    char w[48];
    for (unsigned i = k->held_count; i-- > 0;) {
        if (k->held[i].lock != lock)
            continue;
        for (; i + 1 < k->held_count; i++)
            k->held[i] = k->held[i + 1];
        k->held_count--;
        vw_wrptr(vm, lock, 0);
        vw_cpu_released(vm, lock);
        return;
    }
    int h = vw_cpu_lock_holder(vm, lock);
    if (h >= 0)
        vw_fail(vm, "%s(0x%" PRIx64 ") from %s on CPU %u: the lock is held by CPU %d", who, lock,
                vw_where(vm, vw_return_address(vm), w), vw_cpu_current(vm), h);
    else
        vw_fail(vm, "%s(0x%" PRIx64 ") from %s: the lock is not held (released twice?)", who, lock,
                vw_where(vm, vw_return_address(vm), w));
}

void vw_spinlock_note(struct vm *vm, gva_t lock, bool acquired, const char *who)
{
    if (acquired)
        acquire(vm, lock, who);
    else
        release(vm, lock, who);
}

static void need_dispatch(struct vm *vm, const char *who)
{
    char w[48];
    if (vm->irql < VW_DISPATCH_LEVEL)
        vw_fail(vm, "IRQL: %s at IRQL %u (needs DISPATCH_LEVEL) from %s", who, vm->irql,
                vw_where(vm, vw_return_address(vm), w));
}

/* KeAcquireSpinLockRaiseToDpc(lock) and x86 KfAcquireSpinLock(lock). */
void vw_KeAcquireSpinLockRaiseToDpc(struct vm *vm, const struct vw_api *api)
{
    unsigned old = vm->irql;
    if (!acquire(vm, vw_arg(vm, api, 0), api->name))
        return;
    vm->irql = VW_DISPATCH_LEVEL;
    vw_set_return(vm, old);
}

/* KeReleaseSpinLock(lock, irql) and x86 KfReleaseSpinLock(lock, irql). */
void vw_KeReleaseSpinLock(struct vm *vm, const struct vw_api *api)
{
    unsigned irql = (unsigned)(vw_arg(vm, api, 1) & 0xff);
    need_dispatch(vm, api->name);
    release(vm, vw_arg(vm, api, 0), api->name);
    if (irql > VW_DISPATCH_LEVEL) {
        vw_fail(vm, "IRQL: %s restores IRQL %u above DISPATCH_LEVEL", api->name, irql);
        return;
    }
    vw_irql_set(vm, irql, api->name);
}

void vw_KeAcquireSpinLockAtDpcLevel(struct vm *vm, const struct vw_api *api)
{
    need_dispatch(vm, api->name);
    acquire(vm, vw_arg(vm, api, 0), api->name);
}

void vw_KeReleaseSpinLockFromDpcLevel(struct vm *vm, const struct vw_api *api)
{
    need_dispatch(vm, api->name);
    release(vm, vw_arg(vm, api, 0), api->name);
}

/* KLOCK_QUEUE_HANDLE: LockQueue {Next, Lock}, then OldIrql. */
void vw_KeAcquireInStackQueuedSpinLock(struct vm *vm, const struct vw_api *api)
{
    gva_t lock = vw_arg(vm, api, 0), handle = vw_arg(vm, api, 1);
    unsigned old = vm->irql;
    if (!acquire(vm, lock, api->name))
        return;
    vw_wrptr(vm, handle, 0);
    vw_wrptr(vm, handle + vm->ptr_size, lock);
    vw_wr(vm, handle + 2ull * vm->ptr_size, old, 1);
    vm->irql = VW_DISPATCH_LEVEL;
}

void vw_KeReleaseInStackQueuedSpinLock(struct vm *vm, const struct vw_api *api)
{
    gva_t handle = vw_arg(vm, api, 0);
    gva_t lock = vw_rdptr(vm, handle + vm->ptr_size);
    unsigned old = (unsigned)vw_rd(vm, handle + 2ull * vm->ptr_size, 1);
    need_dispatch(vm, api->name);
    release(vm, lock, api->name);
    vw_irql_set(vm, old, api->name);
}
