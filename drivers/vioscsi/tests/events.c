/*
 * The event queue (virtio 1.2 5.6.6.3): a LUN added or removed on the
 * target raises TRANSPORT_RESET with RESCAN or REMOVED, and vioscsi tells
 * StorPort to enumerate again (storport/nf-storport-storportnotification,
 * BusChangeDetected), after which REPORT LUNS shows the LUN or not;
 * PARAM_CHANGE and a report of missed events (EVENTS_MISSED) do the same.
 * Every event buffer goes back to the device.
 */
#include "vioscsi_test.h"

/* The number of LUNs REPORT LUNS lists at target T. */
static int lun_count(struct vm *vm, uint8_t t)
{
    uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0}, r[512];
    if (!sc_ok(vm, t, 0, cdb, 12, r, sizeof(r), true, "REPORT LUNS"))
        return -1;
    return (int)(stor_be32(r) / 8);
}

/* A LUN added, then removed, at target T (LUN L) with ADD/REMOVE; BASE
 * LUNs there before. */
static void hotplug(struct vm *vm, struct sc_host *h, uint8_t t, uint8_t l, int base,
                    bool (*add)(struct sc_host *, bool))
{
    unsigned before = sc_bus_changes(vm);
    if (!add(h, true)) {
        vw_fail(vm, "cannot add LUN %u to target %u", l, t);
        return;
    }
    int changes = vmodel_scsi_rescan(h->scsi->model);
    sc_deliver(vm);
    VW_EXPECT(vm, changes == 1 && sc_bus_changes(vm) > before,
              "LUN %u:%u added: %d changes seen by the device, %u bus changes told StorPort", t, l,
              changes, sc_bus_changes(vm) - before);
    int n = vm->failed ? -1 : lun_count(vm, t);
    VW_EXPECT(vm, n == base + 1, "after RESCAN: REPORT LUNS at %u lists %d, want %d", t, n,
              base + 1);
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0}, r[36];
    if (!vm->failed && sc_ok(vm, t, l, cdb, 6, r, 36, true, "INQUIRY of the new LUN"))
        VW_EXPECT(vm, (r[0] & 0x1f) == 0, "new LUN %u:%u is type 0x%02x", t, l, r[0]);
    before = sc_bus_changes(vm);
    if (vm->failed || !add(h, false))
        return;
    changes = vmodel_scsi_rescan(h->scsi->model);
    sc_deliver(vm);
    VW_EXPECT(vm, changes == 1 && sc_bus_changes(vm) > before,
              "LUN %u:%u removed: %d changes, %u bus changes", t, l, changes,
              sc_bus_changes(vm) - before);
    n = vm->failed ? -1 : lun_count(vm, t);
    VW_EXPECT(vm, n == base, "after REMOVED: REPORT LUNS at %u lists %d, want %d", t, n, base);
    VW_EXPECT(vm, vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ) >= 2,
              "%u event buffers left with the device",
              vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ));
}

static bool mem_lun2(struct sc_host *h, bool add)
{
    return mem_target_set_lun(h->mem, 1, 2, add ? 1024 : 0) == 0;
}

static bool tgt_lun3(struct sc_host *h, bool add)
{
    return add ? tgt_add_lun(&h->tgt, sc_tgt_tid(h, 1), 3, "t1l3.img", 1u << 20, 1) == 0
               : tgt_del_lun(&h->tgt, sc_tgt_tid(h, 1), 3) == 0;
}

VW_SCENARIO("vioscsi", events_mem_hotplug, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (sc_start_mem(vm, &h, &o))
        hotplug(vm, &h, 1, 2, 2, mem_lun2);
    sc_finish(vm, &h);
}

/* tgt's 1:3 added and removed with tgtadm, under planted device faults P */
static void tgt_hotplug(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *p;
    if (sc_start_tgt(vm, &h, &o))
        hotplug(vm, &h, 1, 3, 3, tgt_lun3);
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", events_tgt_hotplug, NULL)
{
    tgt_hotplug(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device drops its events; StorPort must not be told */
VW_SCENARIO("vioscsi", planted_events_tgt_hotplug_dropped,
            "added: 1 changes seen by the device, 0 bus changes")
{
    tgt_hotplug(vm, &(struct vmodel_scsi_planted){.drop_events = true});
}

/* Without F_HOTPLUG offered the device raises nothing and vioscsi is told nothing */
VW_SCENARIO("vioscsi", events_mem_no_hotplug_feature, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.features &= ~(1ull << VIRTIO_SCSI_F_HOTPLUG);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    unsigned before = sc_bus_changes(vm);
    mem_lun2(&h, true);
    vmodel_scsi_rescan(h.scsi->model);
    sc_deliver(vm);
    VW_EXPECT(vm, sc_bus_changes(vm) == before && vmodel_scsi_stats(h.scsi->model)->events == 0,
              "no HOTPLUG: %llu events, %u bus changes",
              (unsigned long long)vmodel_scsi_stats(h.scsi->model)->events,
              sc_bus_changes(vm) - before);
out:
    sc_finish(vm, &h);
}

/* PARAM_CHANGE (capacity data changed, 2A/09): a bus change */
VW_SCENARIO("vioscsi", events_mem_param_change, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    unsigned before = sc_bus_changes(vm);
    vmodel_scsi_param_change(h.scsi->model, 0, 1, 0x2a, 0x09);
    sc_deliver(vm);
    VW_EXPECT(vm, vmodel_scsi_stats(h.scsi->model)->events == 1 && sc_bus_changes(vm) > before,
              "PARAM_CHANGE: %llu events delivered, %u bus changes",
              (unsigned long long)vmodel_scsi_stats(h.scsi->model)->events,
              sc_bus_changes(vm) - before);
out:
    sc_finish(vm, &h);
}

/* More events than buffers posted: the device reports EVENTS_MISSED on
 * the next buffer, which is a bus change; buffers keep coming back */
static void missed(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.plant = *p;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    sc_deliver(vm); /* the device takes the event buffers posted at the start */
    unsigned posted = vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ);
    VW_EXPECT(vm, posted >= 1, "no event buffer posted after the start");
    for (unsigned i = 0; i < posted + 3; i++)
        vmodel_scsi_param_change(h.scsi->model, 0, 0, 0x2a, 0x09);
    const struct vmodel_scsi_stats *st = vmodel_scsi_stats(h.scsi->model);
    VW_EXPECT(vm, st->events_missed >= 1, "%u buffers took %llu events, none missed", posted,
              (unsigned long long)st->events);
    unsigned before = sc_bus_changes(vm);
    sc_deliver(vm);
    uint8_t tur[6] = {0};
    sc_ok(vm, 0, 0, tur, 6, NULL, 0, false, "TEST UNIT READY");
    sc_deliver(vm);
    VW_EXPECT(vm, st->events == posted + 1 && sc_bus_changes(vm) > before,
              "EVENTS_MISSED: %llu events delivered (want %u), %u bus changes after",
              (unsigned long long)st->events, posted + 1, sc_bus_changes(vm) - before);
    VW_EXPECT(vm, vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ) == posted,
              "%u event buffers back with the device, %u were posted",
              vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ), posted);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", events_mem_missed, NULL)
{
    missed(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: events dropped without a missed report */
VW_SCENARIO("vioscsi", planted_events_mem_missed_dropped, "none missed")
{
    missed(vm, &(struct vmodel_scsi_planted){.drop_events = true});
}
