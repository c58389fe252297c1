/*
 * The virtio-scsi function (see dev_scsi.h): dev_virtio's function with
 * the virtio-scsi model as its request handler and a SCSI target behind it,
 * polled from the function's own device step (vw_virtio_set_service).
 */
#include <stdlib.h>
#include <time.h>
#include "../../../common/virtio/virtio_spec.h"
#include "dev_scsi.h"
#include "kernel.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Everything that reached the device for the target, as one number that
 * grows with each command, TMF, AN request or device-sent abort. */
static uint64_t work_count(const struct vw_scsi *s)
{
    const struct vmodel_scsi_stats *st = vmodel_scsi_stats(s->model);
    return st->cmds + st->tmfs + st->ans + st->reset_aborts;
}

/* Seeded delay of the next answer: 0..VW_VIRTIO_DELAY_MAX (100 ns units). */
static uint64_t next_delay(struct vw_scsi *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (s->rng >> 16) % (VW_VIRTIO_DELAY_MAX + 1);
}

/* The in-process target: new work (or a new event buffer, which may carry
 * a missed-events report) is answered a seeded delay later, in one batch. */
static bool poll_virtual(struct vw_scsi *s)
{
    struct vm *vm = s->dev->vm;
    uint64_t now = vm->k->interrupt_time;
    uint64_t work = work_count(s);
    unsigned events = vmodel_pending(s->dev->model, VMODEL_SCSI_EVENTQ);
    if ((work != s->work_seen || events != s->events_seen) && !s->poll_pending) {
        s->poll_pending = true;
        s->poll_at = now + next_delay(s);
    }
    s->work_seen = work;
    s->events_seen = events;
    if (!s->poll_pending || now < s->poll_at)
        return false;
    s->poll_pending = false;
    vmodel_scsi_poll(s->model, 0);
    s->work_seen = work_count(s); /* answers may have started device-sent aborts */
    return false;
}

/* tgt: while commands are at tgt virtual time waits (busy), each step
 * waiting up to 1 ms of real time for its answers (none inside an ISR or
 * DPC's nested point); no answer for VW_SCSI_REAL_TIMEOUT_MS fails. */
static bool poll_real(struct vw_scsi *s)
{
    struct vm *vm = s->dev->vm;
    unsigned out = s->target->ops->outstanding(s->target);
    if (out == 0) {
        s->waiting_ms = 0;
        vmodel_scsi_poll(s->model, 0);
        return false;
    }
    if (s->no_wait) {
        s->waiting_ms = 0;
        vmodel_scsi_poll(s->model, 0);
        return false;
    }
    uint64_t now = now_ms();
    if (s->waiting_ms == 0 || out < s->waiting_outstanding)
        s->waiting_ms = now;
    s->waiting_outstanding = out;
    if (now - s->waiting_ms > VW_SCSI_REAL_TIMEOUT_MS) {
        vw_fail(vm, "virtio-scsi: tgt left %u commands unanswered for %u ms of real time", out,
                VW_SCSI_REAL_TIMEOUT_MS);
        return false;
    }
    vmodel_scsi_poll(s->model, vm->k->in_poll ? 0 : 1);
    return true;
}

/* vw_virtio_service poll: the target's answers become the model's; a
 * virtio-scsi rule the driver broke (vmodel_scsi.h's list) fails the run. */
static bool service_poll(struct vw_virtio *dev, void *ctx)
{
    struct vw_scsi *s = ctx;
    if (s->closed)
        return false;
    const struct vmodel_scsi_stats *st = vmodel_scsi_stats(s->model);
    if (st->rule_errors != 0) {
        vw_fail(dev->vm, "virtio-scsi: the driver broke a device rule: %s", st->last_rule);
        return false;
    }
    return s->real_time ? poll_real(s) : poll_virtual(s);
}

/* vw_virtio_service next_due: when the in-process target answers. */
static uint64_t service_next_due(struct vw_virtio *dev, void *ctx)
{
    struct vw_scsi *s = ctx;
    (void)dev;
    return !s->closed && s->poll_pending ? s->poll_at : VW_NO_DEADLINE;
}

/* The back end and the model go; the function reads as removed. */
void vw_scsi_close(struct vw_scsi *s)
{
    if (s == NULL || s->closed)
        return;
    s->closed = true;
    s->dev->gone = true; /* the handler's model goes: nothing reaches it again */
    s->dev->service = (struct vw_virtio_service){0};
    if (s->target != NULL)
        s->target->ops->destroy(s->target);
    vmodel_scsi_destroy(s->model);
    s->target = NULL;
    s->model = NULL;
}

void vw_scsi_flush(struct vw_scsi *s)
{
    if (!s->closed && !s->real_time)
        s->poll_at = s->dev->vm->k->interrupt_time;
}

struct vw_scsi *vw_scsi_create(struct vm *vm, const struct vw_scsi_config *cfg,
                               struct scsi_target *target, bool real_time)
{
    struct vw_scsi *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        target->ops->destroy(target);
        vw_fail(vm, "harness: out of memory for the virtio-scsi function");
        return NULL;
    }
    vw_kernel_keep(vm, s);
    s->target = target;
    s->real_time = real_time;
    /* its own batch delays vary with the run seed (the function's streams
     * are mixed by vw_virtio_create) */
    s->rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)vw_device_seed(vm, cfg->seed) << 1) ^ 1;
    unsigned rq = cfg->scsi.num_queues < 64 ? cfg->scsi.num_queues : 64;
    uint64_t generic = cfg->features ? cfg->features
                                     : 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC |
                                           1ull << VIRTIO_F_EVENT_IDX;
    struct vw_virtio_config vc = {.transport = cfg->transport,
                                  .device_type = VMODEL_SCSI_DEVICE_TYPE,
                                  .features = generic | (cfg->scsi.features & 0xffffffull),
                                  .queues = (uint16_t)(VMODEL_SCSI_REQUESTQ + rq),
                                  .queue_max = cfg->queue_max ? cfg->queue_max : 128,
                                  .msix = !cfg->line,
                                  .msix_vectors = cfg->msix_vectors,
                                  .seed = cfg->seed,
                                  .device_cfg_len = VMODEL_SCSI_CFG_LEN};
    s->dev = vw_virtio_create(vm, &vc);
    if (s->dev == NULL) {
        target->ops->destroy(target);
        return NULL;
    }
    s->model = vmodel_scsi_create(s->dev->model, target, &cfg->scsi);
    if (s->model == NULL) {
        target->ops->destroy(target);
        vw_fail(vm, "harness: cannot create the virtio-scsi model");
        return NULL;
    }
    vw_kernel_keep_fn(vm, (void (*)(void *))vw_scsi_close, s);
    vw_virtio_set_service(s->dev, &(struct vw_virtio_service){service_poll, service_next_due, s});
    return s;
}

void vw_scsi_no_wait(struct vw_scsi *s, bool on)
{
    s->no_wait = on;
}
