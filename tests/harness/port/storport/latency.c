/*
 * Completion latency in virtual time.  Every request: from HwStartIo to
 * its RequestComplete (counted for vw_stor_stats: bench-storage's latency
 * columns).  With vw_stor_completion_bound: from the moment the device made
 * the request's used entry visible (the model's publish hook; the request
 * found by its data buffer, which the miniport hands the device as is) to
 * the miniport's RequestComplete, which must come within the bound: a
 * miniport that holds completions back (CompletionHoldoff: used_event past
 * what it holds, a RequestTimerCall to drain them, virtio 1.2 2.7.10 and
 * storport/nc-storport-hw_timer) must still report each within it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "internal.h"
#include "ram.h"
#include "../../../models/virtio/vmodel.h"

#define LAT_SLOTS 16384u /* direct-mapped by buffer address: a collision loses a record */

struct lat_slot {
    const void *host; /* a buffer of a request the device made used */
    uint64_t when;    /* interrupt time then */
};

struct stor_latency {
    struct lat_slot slot[LAT_SLOTS];
    uint64_t bound; /* 100 ns units */
    char why[96];   /* what the bound is made of, for the failure */
};

static struct stor_latency *watch; /* one run per process */

/* The slot of the buffer at HOST. */
static struct lat_slot *lat_slot(const void *host)
{
    return &watch->slot[((uintptr_t)host >> 9) % LAT_SLOTS];
}

/* The host address of request R's data buffer, or NULL (none, or not RAM). */
static const void *req_data(struct vm *vm, const struct stor_req *r)
{
    if (r->data == 0 || r->len == 0)
        return NULL;
    uint64_t pa = vw_ram_pa(vm, r->data);
    return pa == ~0ull ? NULL : vw_ram_host(vm, pa, 1);
}

/* vmodel_published_fn: the device made a request used; its buffers are
 * remembered with the time. */
static void on_published(void *ctx, uint16_t queue, const struct vmodel_seg *segs, unsigned nsegs,
                         uint64_t now)
{
    struct vm *vm = ctx;
    (void)queue, (void)now; /* the harness's clock, not the model's idea of it */
    for (unsigned i = 0; i < nsegs && watch != NULL; i++)
        *lat_slot(segs[i].va) = (struct lat_slot){segs[i].va, vm->k->interrupt_time};
}

void vw_stor_completion_bound(struct vm *vm, struct vmodel *model, unsigned bound_us,
                              const char *why)
{
    if (watch == NULL && (watch = calloc(1, sizeof(*watch))) == NULL) {
        vw_fail(vm, "storport: no memory for the completion bound");
        return;
    }
    watch->bound = 10ull * bound_us;
    snprintf(watch->why, sizeof(watch->why), "%s", why);
    vmodel_set_published_hook(model, on_published, vm);
}

void vw_stor_latency_restart(struct vm *vm)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    a->stats.latency_max = a->stats.published_max = 0;
}

void stor_latency_start(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    (void)a;
    r->start_time = vm->k->interrupt_time;
    const void *host = watch != NULL ? req_data(vm, r) : NULL;
    if (host != NULL && lat_slot(host)->host == host)
        *lat_slot(host) = (struct lat_slot){0}; /* an older request's, in the same buffer */
}

void stor_latency_done(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    uint64_t now = vm->k->interrupt_time, took = now - r->start_time;
    a->stats.latency_count++;
    a->stats.latency_sum += took;
    if (took > a->stats.latency_max)
        a->stats.latency_max = took;
    const void *host = watch != NULL ? req_data(vm, r) : NULL;
    if (host == NULL)
        return;
    struct lat_slot *s = lat_slot(host);
    if (s->host != host) {
        a->stats.published_unmatched++; /* never at the device, or its record lost */
        return;
    }
    uint64_t held = now - s->when;
    *s = (struct lat_slot){0};
    a->stats.published_matched++;
    if (held > a->stats.published_max)
        a->stats.published_max = held;
    if (held > watch->bound) {
        vw_fail(vm,
                "storport: SRB 0x%" PRIx64 " (%u bytes at %u:%u) completed %" PRIu64
                " us of virtual time after the device made its used entry visible, past the "
                "bound of %" PRIu64 " us (%s)",
                r->srb, r->len, r->target, r->lun, held / 10, watch->bound / 10, watch->why);
    }
}
