/*
 * Kernel APCs and the regions that hold them off, and the check that a
 * synchronization event used as a lock is held with them disabled.
 *
 * KeEnterCriticalRegion / KeEnterGuardedRegion (and their Leave) count per
 * thread (k->critical_region, saved at thread switches).  The rule, from
 * "Disabling APCs" and KeEnterCriticalRegion ("Highest-level drivers can
 * call KeEnterCriticalRegion while performing I/O operations in the
 * context of a user-mode thread": a thread that holds a lock with normal
 * kernel APCs enabled can be suspended by one, e.g. SuspendThread, while
 * every other thread waits on its lock) and Static Driver Verifier's rules
 * on waits in user-thread context:
 *
 *   a thread in a user process's context (a dispatch routine called on
 *   behalf of a user process: not the System process, so not a system
 *   thread, work item or PnP/power request) that waits without time-out
 *   on a SynchronizationEvent at PASSIVE_LEVEL with normal kernel APCs
 *   enabled (no critical or guarded region), and later sets that same
 *   event itself, used it as a lock with APCs enabled: flagged at the set.
 *
 * Waits at APC_LEVEL (a fast or guarded mutex held) and on mutex objects
 * (which disable normal kernel APCs themselves) are not flagged.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ke.h"

#define MAX_HELD 16

struct held {
    gva_t event, where;
    unsigned thread;
};

struct apc_state {
    struct held held[MAX_HELD];
    unsigned count;
};

static struct vw_api_group apc_group;

static struct apc_state *state(struct vm *vm)
{
    return vw_port_state(vm, &apc_group, sizeof(struct apc_state));
}

void vw_apc_note_wait(struct vm *vm, gva_t object, bool no_timeout)
{
    struct apc_state *s = state(vm);
    if (s == NULL || !no_timeout || vm->irql != VW_PASSIVE_LEVEL || vm->k->critical_region != 0 ||
        vm->k->process == VW_PROCESS_SYSTEM || vm->k->in_worker)
        return;
    if (vw_rd(vm, object + VW_OFFSET(vm, KEVENT, Header.Type), 1) != VW_SYNCHRONIZATION_EVENT)
        return;
    if (s->count == MAX_HELD)
        s->held[0] = s->held[--s->count];
    s->held[s->count++] = (struct held){object, vw_return_address(vm), vw_thread_current(vm)};
}

void vw_apc_note_set(struct vm *vm, gva_t event)
{
    struct apc_state *s = state(vm);
    unsigned me = vw_thread_current(vm);
    char w1[48], w2[48];
    for (unsigned i = 0; s != NULL && i < s->count; i++) {
        if (s->held[i].event != event || s->held[i].thread != me)
            continue;
        vw_fail(vm,
                "event 0x%" PRIx64 " used as a lock with normal kernel APCs enabled: waited on "
                "at %s and set again at %s by the same thread, in a user process's context, "
                "without KeEnterCriticalRegion (a suspended holder blocks every waiter)",
                event, vw_where(vm, s->held[i].where, w1), vw_where(vm, vw_return_address(vm), w2));
        return;
    }
    /* A set by another thread (a wait's real signal): forget that holder. */
    for (unsigned i = 0; s != NULL && i < s->count;)
        if (s->held[i].event == event)
            s->held[i] = s->held[--s->count];
        else
            i++;
}

static void enter(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vm->k->critical_region++;
}

static void leave(struct vm *vm, const struct vw_api *api)
{
    if (vm->k->critical_region == 0) {
        vw_fail(vm, "%s without a matching enter", api->name);
        return;
    }
    vm->k->critical_region--;
}

#define ALL VW_ALL_ARCHES
static const struct vw_api apis[] = {
    {"KeEnterCriticalRegion", ALL, VW_STDCALL, 0, 0, VW_APC_LEVEL, enter},
    {"KeLeaveCriticalRegion", ALL, VW_STDCALL, 0, 0, VW_APC_LEVEL, leave},
    {"KeEnterGuardedRegion", ALL, VW_STDCALL, 0, 0, VW_APC_LEVEL, enter},
    {"KeLeaveGuardedRegion", ALL, VW_STDCALL, 0, 0, VW_APC_LEVEL, leave},
};
VW_API_GROUP(apc, apis);
