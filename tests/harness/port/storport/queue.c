/*
 * StorPort's queue outside the class layer's wait: what restarts held
 * requests when nobody waits for them (vw_stor_submit_writes, a scenario
 * running the clock with vw_run_for).
 *  - StorPortResume, StorPortReady and the last of StorPortBusy's
 *    RequestsToComplete start what was held ("All requests to the adapter
 *    are held until the time-out expires or the device resumes",
 *    storport/nf-storport-storportpause; storport/nf-storport-storportbusy:
 *    held "until the adapter has completed enough outstanding requests"):
 *    StorPort's queue DPC queues each held request's submission.
 *  - A pause runs out on its own after its Timeout seconds (same page).
 *  - A request the miniport answered SRB_STATUS_BUSY is sent again later
 *    ("The port driver resubmits any request returned with ...
 *    SRB_STATUS_BUSY ... later", storage/return-from-hwscsistartio): when
 *    another request of the adapter completes (room was made), or else
 *    STOR_BUSY_RETRY later on the virtual clock.  The port driver retries
 *    busy errors and, when its retries fail, "completes the request with an
 *    appropriate error" (storage/storage-class-driver-s-retryrequest-routine);
 *    no page names the count, so the bound is the request's TimeOutValue:
 *    a request still BUSY that long after its first BUSY goes to the
 *    class layer with SRB_STATUS_BUSY.
 * The DPC is a KDPC with a kernel timer (the earliest pause end or BUSY
 * retry), so a wait of any kind (KeWaitFor..., vw_run_for) lets it run.
 */
#include <inttypes.h>
#include "internal.h"

/* 1 ms: the granularity of the timers StorPort gives miniports
 * (storport/nc-storport-hw_timer takes microseconds, Windows fires on its
 * clock tick); not documented for BUSY, stated here. */
#define STOR_BUSY_RETRY 10000ull

static vw_api_fn stor_queue_dpc;
static const struct vw_api queue_dpc_api = {"storport queue DPC", VW_ALL_ARCHES, VW_STDCALL, 4, 0,
                                            VW_HIGH_LEVEL,        stor_queue_dpc};

/* The KTIMER and KDPC in one pool block, made on first use; false when
 * the run failed. */
static bool queue_objects(struct vm *vm, struct stor_adapter *a)
{
    if (a->qdpc != 0)
        return true;
    uint64_t tsize = (VW_SIZEOF(vm, KTIMER) + 15) & ~15ull;
    gva_t block = vw_pool_alloc(vm, tsize + VW_SIZEOF(vm, KDPC), VW_TAG('S', 't', 'o', 'r'),
                                "StorPort queue timer", false);
    if (block == 0) {
        vw_fail(vm, "storport: no pool for the queue timer");
        return false;
    }
    a->qtimer = block;
    a->qdpc = block + tsize;
    vw_wrptr(vm, a->qdpc + VW_OFFSET(vm, KDPC, DeferredRoutine),
             vw_kernel_routine(vm, &queue_dpc_api));
    vw_wrptr(vm, a->qdpc + VW_OFFSET(vm, KDPC, DeferredContext), a->ext);
    return true;
}

uint64_t stor_queue_next_due(const struct stor_adapter *a)
{
    uint64_t due = VW_NO_DEADLINE;
    if (a->paused && a->pause_until != 0)
        due = a->pause_until;
    if (a->kick_at != 0 && a->kick_at < due)
        due = a->kick_at;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        const struct stor_req *r = &a->reqs[i];
        if (r->state == REQ_COMPLETED && r->busy_waiting && r->retry_at < due)
            due = r->retry_at;
    }
    return due;
}

void stor_queue_arm(struct vm *vm, struct stor_adapter *a)
{
    uint64_t due = stor_queue_next_due(a);
    if (a->dump)
        return; /* the dump port runs no timers: its polling loop retries */
    if (due == VW_NO_DEADLINE) {
        if (a->qtimer != 0)
            vw_timer_cancel(vm, a->qtimer);
        return;
    }
    if (queue_objects(vm, a))
        vw_timer_set_at(vm, a->qtimer, due, a->qdpc);
}

void stor_queue_busy(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    uint64_t now = vm->k->interrupt_time;
    if (!r->busy_waiting)
        r->busy_since = r->busy_retries == 0 ? now : r->busy_since;
    r->busy_waiting = true;
    r->retry_at = now + STOR_BUSY_RETRY;
    if (now - r->busy_since >= a->timeout_s * 10000000ull) {
        /* Retried for its whole TimeOutValue: the class layer gets BUSY. */
        r->busy_waiting = false;
        a->stats.busy_failed++;
        vw_log(vm,
               "storport: SRB 0x%" PRIx64 " still BUSY after %u retries over %u s: completed "
               "to the class layer",
               r->srb, r->busy_retries, a->timeout_s);
        return;
    }
    stor_queue_arm(vm, a);
}

void stor_queue_room(struct vm *vm, struct stor_adapter *a)
{
    bool any = false;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state == REQ_COMPLETED && r->busy_waiting) {
            r->retry_at = vm->k->interrupt_time;
            any = true;
        }
    }
    if (any)
        stor_queue_kick(vm, a);
}

bool stor_queue_due(struct vm *vm, struct stor_adapter *a)
{
    uint64_t now = vm->k->interrupt_time;
    bool any = false;
    if (a->paused && a->pause_until != 0 && now >= a->pause_until) {
        a->paused = false;
        a->pause_until = 0;
        a->stats.pause_timeouts++;
        vw_log(vm, "storport: the pause ran out: held requests start");
        any = true;
    }
    if (a->kick_at != 0 && now >= a->kick_at)
        a->kick_at = 0, any = true;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state != REQ_COMPLETED || !r->busy_waiting || r->retry_at > now)
            continue;
        r->busy_waiting = false;
        r->busy_retries++;
        r->state = REQ_PENDING;
        r->completed_once = false;
        vw_wr(vm, r->srb + VW_OFFSET(vm, STORAGE_REQUEST_BLOCK, SrbStatus), 0, 1);
        a->stats.busy_retries++;
        any = true;
    }
    return any;
}

void stor_queue_kick(struct vm *vm, struct stor_adapter *a)
{
    if (a->plant_no_resume_start || a->dump || !a->started || a->crashed || !queue_objects(vm, a))
        return;
    vw_dpc_queue(vm, a->qdpc, 0, 0);
}

void stor_queue_later(struct vm *vm, struct stor_adapter *a)
{
    uint64_t at = vm->k->interrupt_time + 100; /* 10 us */
    if (a->kick_at == 0 || at < a->kick_at)
        a->kick_at = at;
    stor_queue_arm(vm, a);
}

/* DISPATCH_LEVEL (args: KDPC, device extension, two system arguments):
 * what came due, then each held request's submission on its CPU. */
static void stor_queue_dpc(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), api->name);
    if (a == NULL || !a->started || a->crashed)
        return;
    stor_queue_due(vm, a);
    for (unsigned i = 0; i < STOR_MAX_REQ && !vm->failed; i++) {
        struct stor_req *r = &a->reqs[i];
        if (r->state != REQ_PENDING)
            continue;
        if (!a->no_gate && !stor_gate_open(a))
            break;
        if (a->no_gate || stor_lun_room(a, r))
            stor_queue_submission(vm, a, r);
    }
    stor_queue_arm(vm, a);
}

bool stor_queue_held_check(struct vm *vm, struct stor_adapter *a, const char *when)
{
    if (a->no_gate || !stor_gate_open(a))
        return true;
    unsigned held = 0;
    for (unsigned i = 0; i < STOR_MAX_REQ; i++)
        if (a->reqs[i].state == REQ_PENDING && stor_lun_room(a, &a->reqs[i]))
            held++;
    if (held == 0)
        return true;
    vw_fail(vm,
            "storport: %u request(s) held by the port at %s while nothing holds them (not "
            "paused, not busy, room at the adapter and the LUN): StorPortResume/Ready must "
            "start what was held (storport/nf-storport-storportpause)",
            held, when);
    return false;
}

void stor_queue_free(struct vm *vm, struct stor_adapter *a)
{
    if (a->qdpc == 0)
        return;
    vw_timer_cancel(vm, a->qtimer);
    vw_cpu_dpc_queued_in(vm, 0, 0, true, a->qdpc);
    vw_timer_set_in(vm, a->qtimer, 1); /* forget it: the memory goes */
    vw_pool_free(vm, a->qtimer, "storport");
    a->qtimer = a->qdpc = 0;
}

void vw_stor_plant_no_resume_start(struct vm *vm)
{
    stor_state(vm)->normal.plant_no_resume_start = true;
}
