/*
 * The virtio PCI function (see dev_virtio.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../../common/virtio/virtio_spec.h"
#include "bus.h"
#include "dev_virtio.h"
#include "port/storport/stor.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"

#define MODERN_PHYS 0xfe000000ull
#define LEGACY_PORT 0xc000u
/* Windows of 1 MiB from MODERN_PHYS and 0x200 ports from LEGACY_PORT per
 * device of the machine: 32 fit below 4 GiB and in the port space. */
#define VW_VIRTIO_MAX_SLOTS 32u
#define ARM64_PIO_WINDOW    0x3eff0000ull /* where arm64 maps PCI I/O space */

/* Reads of a removed function: the model answers all ones itself
 * (vmodel_set_removed); writes skip the harness's checkers too. */
static uint64_t bar_read(struct vw_virtio *dev, unsigned bar, uint64_t off, unsigned size)
{
    dev->bar_accesses++;
    if (dev->gone) /* counted against a StorPort miniport's removal rule */
        vw_stor_gone_access(dev->vm, "virtio register read");
    else /* a StorPort miniport's stopped adapter is left alone */
        vw_stor_device_access(dev->vm, "virtio register read");
    uint64_t v = vmodel_bar_read(dev->model, bar, off, size);
    vw_virtio_check_model(dev);
    vw_virtio_check_reset(dev);
    return v;
}

static bool poll(struct vm *vm, void *opaque);

static void bar_write(struct vw_virtio *dev, unsigned bar, uint64_t off, uint64_t v, unsigned size)
{
    dev->bar_accesses++;
    if (dev->gone) {
        vw_stor_gone_access(dev->vm, "virtio register write");
        return;
    }
    vw_stor_device_access(dev->vm, "virtio register write");
    uint8_t status = dev->status;
    vw_virtio_check_write(dev, bar, off, v);
    /* A notification for a queue an external back end serves is its kick
     * only: the model never looks at that queue. */
    if (dev->backend != NULL && bar == VMODEL_MODERN_BAR && off >= VMODEL_NOTIFY_OFF &&
        dev->backend->notify(dev, (uint16_t)v))
        return;
    vmodel_bar_write(dev->model, bar, off, size, v);
    vw_virtio_check_model(dev);
    vw_virtio_check_reset(dev);
    if (dev->pending_watch) {
        dev->pending_watch = false;
        vw_virtio_watch(dev);
        vw_virtio_fetch_arm(dev);
        if (dev->backend != NULL)
            dev->backend->driver_ok(dev);
    }
    if (dev->backend != NULL && status != 0 && dev->status == 0)
        dev->backend->reset(dev);
    if (dev->cfg.sync) /* completes inside the write (the notification), whatever the seed */
        poll(dev->vm, dev);
}

static uint64_t modern_read(struct vm *vm, void *opaque, uint64_t off, unsigned size)
{
    (void)vm;
    return bar_read(opaque, VMODEL_MODERN_BAR, off, size);
}

static void modern_write(struct vm *vm, void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    (void)vm;
    bar_write(opaque, VMODEL_MODERN_BAR, off, v, size);
}

static uint64_t legacy_read(struct vm *vm, void *opaque, uint64_t off, unsigned size)
{
    (void)vm;
    return bar_read(opaque, VMODEL_LEGACY_BAR, off, size);
}

static void legacy_write(struct vm *vm, void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    (void)vm;
    bar_write(opaque, VMODEL_LEGACY_BAR, off, v, size);
}

static const struct vw_device_ops modern_ops = {modern_read, modern_write};
static const struct vw_device_ops legacy_ops = {legacy_read, legacy_write};

static uint32_t cfg_read(struct vm *vm, void *opaque, uint32_t off, unsigned size)
{
    struct vw_virtio *dev = opaque;
    (void)vm;
    return vmodel_cfg_read(dev->model, off, size);
}

static void cfg_write(struct vm *vm, void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    (void)opaque;
    vw_log(vm, "virtio: config space write 0x%x (%u bytes) at 0x%x ignored", v, size, off);
}

static const struct vw_pci_ops pci_ops = {cfg_read, cfg_write};

/* The device fills what it is given from a seeded stream and logs it. */
static uint32_t handler(void *ctx, const struct vmodel_req *req)
{
    struct vw_virtio *dev = ctx;
    uint32_t written = 0;
    for (unsigned i = 0; i < req->nsegs; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (!s->write)
            continue;
        uint8_t *p = s->va;
        for (uint32_t j = 0; j < s->len; j++) {
            dev->rng ^= dev->rng << 13;
            dev->rng ^= dev->rng >> 7;
            dev->rng ^= dev->rng << 17;
            p[j] = (uint8_t)(dev->rng >> 24);
            if (dev->produced_len < sizeof(dev->produced))
                dev->produced[dev->produced_len++] = p[j];
        }
        written += s->len;
    }
    return written;
}

static void on_irq(void *ctx, uint16_t vector)
{
    struct vw_virtio *dev = ctx;
    vw_intr_raise(dev->vm, dev->pdo, vector == 0xffff ? 0 : vector);
}

/* When each queue started to stall (see vmodel_stall), in virtual time. */
static void stall_note(struct vw_virtio *dev)
{
    char why[320];
    for (uint16_t q = 0; q < dev->cfg.queues; q++) {
        enum vmodel_stall s = vmodel_stall(dev->model, q, why, sizeof(why));
        if (s == VMODEL_STALL_NONE || s == VMODEL_STALL_MAYBE_LOST_IRQ)
            dev->stall_since[q] = 0;
        else if (dev->stall_since[q] == 0)
            dev->stall_since[q] = dev->vm->k->interrupt_time + 1; /* 0 = none */
    }
}

/* vw_stall_fn: a queue the driver left without a notification, or whose
 * interrupt it lost, fails the run by name: at once when nothing else can
 * run (HANG), else after VW_VIRTIO_STALL_LIMIT of virtual time. */
static void stall_check(struct vm *vm, void *opaque, bool hang)
{
    struct vw_virtio *dev = opaque;
    char why[320];
    if (dev->gone || dev->hold || dev->backend != NULL)
        return;
    for (uint16_t q = 0; q < dev->cfg.queues; q++) {
        enum vmodel_stall s = vmodel_stall(dev->model, q, why, sizeof(why));
        if (s == VMODEL_STALL_NONE) {
            dev->stall_since[q] = 0;
            continue;
        }
        if (hang) {
            vw_fail(vm, "virtio: queue %u hangs: %s", q, why);
            return;
        }
        if (s == VMODEL_STALL_MAYBE_LOST_IRQ)
            continue;
        uint64_t now = vm->k->interrupt_time + 1;
        if (dev->stall_since[q] == 0)
            dev->stall_since[q] = now;
        else if (now - dev->stall_since[q] >= VW_VIRTIO_STALL_LIMIT) {
            vw_fail(vm, "virtio: queue %u stuck for %" PRIu64 " ms of virtual time: %s", q,
                    (now - dev->stall_since[q]) / 10000, why);
            return;
        }
    }
}

static bool poll(struct vm *vm, void *opaque)
{
    struct vw_virtio *dev = opaque;
    (void)vm;
    if (dev->gone || dev->hold)
        return false;
    if (dev->backend != NULL)
        return dev->backend->poll(dev);
    uint64_t now = vm->k->interrupt_time;
    vmodel_set_time(dev->model, now);
    unsigned done = vmodel_run(dev->model);
    vw_virtio_check_model(dev);
    bool service_busy = false;
    if (dev->service.poll != NULL && !vm->failed) {
        /* The back end answers what the model took; the answers become
         * used entries in the same step. */
        service_busy = dev->service.poll(dev, dev->service.ctx);
        done += vmodel_run(dev->model);
        vw_virtio_check_model(dev);
    }
    stall_note(dev);
    /* Busy while a completion is due now; later ones move an idle clock
     * (next_due). */
    return done != 0 || service_busy || vmodel_next_due(dev->model) <= now;
}

/* vw_next_due_fn: the device's next delayed completion. */
static uint64_t next_due(struct vm *vm, void *opaque)
{
    struct vw_virtio *dev = opaque;
    (void)vm;
    /* With a back end the model has requests only on the queues it still
     * serves itself (net's control queue). */
    if (dev->gone || dev->hold)
        return VW_NO_DEADLINE;
    uint64_t at = vmodel_next_due(dev->model);
    if (dev->service.next_due != NULL) {
        uint64_t s = dev->service.next_due(dev, dev->service.ctx);
        if (s != VW_NO_DEADLINE && s < at)
            at = s;
    }
    return at == UINT64_MAX ? VW_NO_DEADLINE : at;
}

void vw_virtio_set_service(struct vw_virtio *dev, const struct vw_virtio_service *svc)
{
    dev->service = *svc;
}

void vw_virtio_delay(struct vw_virtio *dev, int queue, uint64_t min, uint64_t max,
                     bool out_of_order)
{
    for (uint16_t q = 0; q < dev->cfg.queues; q++)
        if (queue < 0 || q == queue)
            vmodel_queue_delay(dev->model, q, min, max);
    vmodel_set_behaviour(dev->model,
                         &(struct vmodel_behaviour){.busy_steps = 2, .out_of_order = out_of_order});
}

void vw_virtio_hang_queue(struct vw_virtio *dev, uint16_t queue, uint64_t duration)
{
    vmodel_queue_freeze(dev->model, queue, dev->vm->k->interrupt_time + duration);
}

static void on_dma(struct vm *vm, void *opaque, uint64_t pa, uint64_t len, bool add)
{
    struct vw_virtio *dev = opaque;
    if (!add) {
        vmodel_dma_unregister(dev->model, pa);
        return;
    }
    if (vmodel_dma_register(dev->model, pa, vw_ram_host(vm, pa, len), len) != 0)
        vw_fail(vm, "harness: the device model tracks too many DMA regions");
}

static void destroy(struct vw_virtio *dev)
{
    vw_virtio_fetch_disarm(dev);
    for (unsigned q = 0; q < dev->cfg.queues; q++) {
        free(dev->watch[q].fresh);
        free(dev->watch[q].flags_mark);
    }
    vmodel_destroy(dev->model);
}

struct vw_virtio *vw_virtio_create(struct vm *vm, const struct vw_virtio_config *cfg)
{
    if (vm->k->pdo_count >= VW_VIRTIO_MAX_SLOTS) { /* 16-bit port space, 32-bit BARs */
        vw_fail(vm,
                "harness: hard limit: a virtio function as device %u of the machine (%u "
                "BAR windows)",
                vm->k->pdo_count + 1, VW_VIRTIO_MAX_SLOTS);
        return NULL;
    }
    struct vw_virtio *dev = calloc(1, sizeof(*dev));
    if (dev == NULL)
        return NULL;
    vw_kernel_keep(vm, dev);
    dev->vm = vm;
    dev->cfg = *cfg;
    const uint32_t seed = vw_device_seed(vm, cfg->seed); /* varies with the run seed */
    dev->rng = 0x9e3779b97f4a7c15ull ^ seed;
    struct vmodel_config mc = {
        .seed = seed,
        .transport = cfg->transport,
        .device_type = cfg->device_type,
        .num_queues = cfg->queues,
        .queue_max = cfg->queue_max,
        .features = cfg->features,
        .msix_vectors = (uint16_t)(!cfg->msix          ? 0
                                   : cfg->msix_vectors ? cfg->msix_vectors
                                                       : cfg->queues + 1),
        .msix_enabled = cfg->msix,
        .notify_off_multiplier = 4,
        .device_cfg_len = cfg->device_cfg_len,
    };
    dev->model = vmodel_create(&mc);
    dev->watch = calloc(cfg->queues ? cfg->queues : 1, sizeof(*dev->watch));
    dev->stall_since = calloc(cfg->queues ? cfg->queues : 1, sizeof(*dev->stall_since));
    vw_kernel_keep(vm, dev->watch);
    vw_kernel_keep(vm, dev->stall_since);
    if (dev->model == NULL || dev->watch == NULL || dev->stall_since == NULL) {
        vw_fail(vm, "harness: cannot create the virtio device model");
        return NULL;
    }
    vw_kernel_keep_fn(vm, (void (*)(void *))destroy, dev);
    vmodel_set_handler(dev->model, handler, dev);
    vmodel_set_irq(dev->model, on_irq, dev);
    /* A device that sometimes keeps working a step or two with
     * notifications suppressed (seeded), so drivers meet both states, and
     * completes each request after a seeded delay (in ring order by
     * default: the order of an event or receive stream is the used order,
     * and the model fills buffers when it takes them). */
    vw_virtio_delay(dev, -1, 0, cfg->sync ? 0 : VW_VIRTIO_DELAY_MAX, false);

    struct vw_resource res[3];
    unsigned n = 0;
    uint64_t len;
    bool io;
    /* Several functions per machine: each PCI function its own windows. */
    unsigned slot = vm->k->pdo_count;
    const uint64_t modern_phys = MODERN_PHYS + 0x100000ull * slot;
    const uint16_t legacy_port = (uint16_t)(LEGACY_PORT + 0x200u * slot);
    uint8_t *pcicfg = vmodel_cfg_space(dev->model); /* the BARs as assigned */
    if (pcicfg[0x10 + 4 * VMODEL_LEGACY_BAR] & 1) {
        uint32_t bar = legacy_port | 1u;
        memcpy(&pcicfg[0x10 + 4 * VMODEL_LEGACY_BAR], &bar, 4);
    }
    if (vmodel_bar_info(dev->model, VMODEL_MODERN_BAR, &len, &io) == 0) {
        uint32_t bar = (uint32_t)modern_phys;
        memcpy(&pcicfg[0x10 + 4 * VMODEL_MODERN_BAR], &bar, 4);
    }
    if (vmodel_bar_info(dev->model, VMODEL_LEGACY_BAR, &len, &io) == 0 && io) {
        if (vm->arch == VW_ARM64) {
            uint64_t cpu = ARM64_PIO_WINDOW + legacy_port;
            vw_bus_add_memory(vm, cpu, len, &legacy_ops, dev);
            res[n++] = (struct vw_resource){VW_RES_PORT, legacy_port, len, cpu};
        } else {
            vw_bus_add_ports(vm, legacy_port, (uint16_t)len, &legacy_ops, dev);
            res[n++] = (struct vw_resource){VW_RES_PORT, legacy_port, len, 0};
        }
    }
    if (vmodel_bar_info(dev->model, VMODEL_MODERN_BAR, &len, &io) == 0 && !io) {
        vw_bus_add_memory(vm, modern_phys, len, &modern_ops, dev);
        res[n++] = (struct vw_resource){VW_RES_MEMORY, modern_phys, len, 0};
    }
    res[n++] = (struct vw_resource){VW_RES_INTERRUPT, 11, cfg->msix ? mc.msix_vectors : 0, 0};
    dev->pdo = vw_pdo_create(vm, VW_PCI_BUS, res, n);
    vw_pdo_set_pci(vm, dev->pdo, &pci_ops, dev);
    vw_sched_add_poller(vm, poll, dev);
    vw_sched_add_stall_check(vm, stall_check, dev);
    vw_sched_add_next_due(vm, next_due, dev);
    vw_dma_add_listener(vm, on_dma, dev);
    vw_stor_add_owner_check(vm, vw_virtio_owns, dev); /* for a StorPort miniport on it */
    return dev;
}

void vw_virtio_unplug(struct vw_virtio *dev)
{
    vw_virtio_unwatch(dev);
    dev->gone = true;
    vmodel_set_removed(dev->model, true);
}

void vw_virtio_platform_reset(struct vw_virtio *dev)
{
    if (dev->gone)
        return;
    bool modern = dev->cfg.transport != VMODEL_LEGACY;
    bar_write(dev, modern ? VMODEL_MODERN_BAR : VMODEL_LEGACY_BAR,
              modern ? VIRTIO_PCI_COMMON_STATUS : VIRTIO_PCI_LEGACY_STATUS, 0, 1);
}

static uint64_t read_sel(struct vmodel *m, unsigned bar, uint64_t sel_off, unsigned q, uint64_t off,
                         unsigned size)
{
    uint64_t sel = vmodel_bar_read(m, bar, sel_off, 2);
    vmodel_bar_write(m, bar, sel_off, 2, q);
    uint64_t v = vmodel_bar_read(m, bar, off, size);
    vmodel_bar_write(m, bar, sel_off, 2, sel);
    return v;
}

bool vw_virtio_queue_layout(struct vw_virtio *dev, unsigned q, uint64_t *desc, uint64_t *avail,
                            uint64_t *used, uint16_t *size)
{
    struct vmodel *m = dev->model;
    if (!vmodel_queue_enabled(m, (uint16_t)q))
        return false;
    *size = vmodel_queue_size(m, (uint16_t)q);
    if (dev->cfg.transport != VMODEL_LEGACY &&
        (vmodel_driver_features(m) >> VIRTIO_F_VERSION_1 & 1)) {
        const unsigned bar = VMODEL_MODERN_BAR, sel = VIRTIO_PCI_COMMON_Q_SELECT;
        *desc = read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_DESCLO, 4) |
                read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_DESCHI, 4) << 32;
        *avail = read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_AVAILLO, 4) |
                 read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_AVAILHI, 4) << 32;
        *used = read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_USEDLO, 4) |
                read_sel(m, bar, sel, q, VIRTIO_PCI_COMMON_Q_USEDHI, 4) << 32;
    } else {
        /* Legacy layout: avail after the table, used on the next 4 KiB. */
        const unsigned bar = VMODEL_LEGACY_BAR, sel = VIRTIO_PCI_LEGACY_QUEUE_SEL;
        *desc = read_sel(m, bar, sel, q, VIRTIO_PCI_LEGACY_QUEUE_PFN, 4) << 12;
        *avail = *desc + 16ull * *size;
        *used = (*avail + 6 + 2ull * *size + 4095) & ~4095ull;
    }
    return *size != 0;
}

uint16_t vw_virtio_queue_vector(struct vw_virtio *dev, unsigned q)
{
    if (dev->cfg.transport == VMODEL_LEGACY || !dev->cfg.msix)
        return 0xffff;
    return (uint16_t)read_sel(dev->model, VMODEL_MODERN_BAR, VIRTIO_PCI_COMMON_Q_SELECT, q,
                              VIRTIO_PCI_COMMON_Q_MSIX, 2);
}
