/*
 * Asynchronous notification at every LUN (virtio 1.2 5.6.6.2.2: an
 * AN_SUBSCRIBE names one LUN): on 2 targets x 2 LUNs whose LUNs support
 * MEDIA_CHANGE and OPERATIONAL_CHANGE, StorPort's bus scan at the start
 * (REPORT LUNS at each target's LUN 0, then INQUIRY at each LUN listed)
 * makes vioscsi subscribe each LUN once (the model records it per LUN); an
 * event at 1:1 is one StorPortStateChangeDetected at 1:1 (no bus change);
 * after a device reset (which ends every subscription) each LUN is
 * subscribed again and an event at 1:0 reaches StorPort.
 */
#include "vioscsi_test.h"

#define AL_CLASSES (VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE | VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE)

/* StorPort's enumeration of O's targets: REPORT LUNS at T:0, INQUIRY at
 * every LUN it lists (or, INQUIRY_ONLY, at every LUN without the list) */
static void al_enumerate(struct vm *vm, const struct sc_opts *o, bool inquiry_only)
{
    for (uint8_t t = 0; t < o->targets && !vm->failed; t++) {
        uint8_t rl[12] = {0xa0} /* REPORT LUNS */, list[8 + 8 * 16];
        uint32_t moved = 0, n = o->luns;
        rl[9] = sizeof(list);
        if (!inquiry_only) {
            if (!sc_ok_moved(vm, t, 0, rl, 12, list, sizeof(list), true, "REPORT LUNS", &moved))
                return;
            n = moved >= 8 ? (sc_be32(list) / 8) : 0;
            VW_EXPECT(vm, n == o->luns, "REPORT LUNS of target %u lists %u LUNs (want %u)", t, n,
                      o->luns);
        }
        for (uint32_t i = 0; i < n && i < 16 && !vm->failed; i++) {
            uint8_t inq[6] = {0x12, 0, 0, 0, 96, 0} /* INQUIRY */, data[96];
            uint8_t lun = inquiry_only ? (uint8_t)i : list[8 + 8 * i + 1];
            sc_ok_moved(vm, t, lun, inq, 6, data, sizeof(data), true, "INQUIRY", &moved);
        }
    }
}

/* Every LUN of O subscribed AL_CLASSES at the model; false (logged) if not */
static bool al_all_subscribed(struct vm *vm, struct sc_host *h, const struct sc_opts *o,
                              const char *when)
{
    for (uint16_t t = 0; t < o->targets; t++)
        for (uint32_t l = 0; l < o->luns; l++) {
            uint32_t sub = vmodel_scsi_an_subscribed(h->scsi->model, t, l);
            VW_EXPECT(vm, sub == AL_CLASSES, "%s: %u:%u subscribed 0x%x (want 0x%x)", when, t, l,
                      sub, AL_CLASSES);
        }
    return !vm->failed;
}

/* One ASYNC_NOTIFY of CLASSES at T:L: exactly one state change, at T:L,
 * no bus change, the event buffers back */
static void al_notify(struct vm *vm, struct sc_host *h, uint8_t t, uint8_t l, uint32_t classes,
                      unsigned posted)
{
    unsigned buses = sc_bus_changes(vm), states = sc_state_changes(vm);
    int rc = vmodel_scsi_async_notify(
        h->scsi->model, &(struct vmodel_scsi_an_event){.target = t, .lun = l, .classes = classes});
    sc_deliver(vm);
    struct vw_stor_state_change st;
    if (!vw_stor_state_change(vm, &st))
        return;
    VW_EXPECT(vm,
              rc == 1 && sc_state_changes(vm) == states + 1 && st.ran && st.entity == 1 &&
                  st.target == t && st.lun == l && sc_bus_changes(vm) == buses,
              "ASYNC_NOTIFY 0x%x at %u:%u: raised %d, %u state changes (the last entity %u at "
              "%u:%u), %u bus changes (want one state change, LUN 1 at %u:%u, no bus change)",
              classes, t, l, rc, sc_state_changes(vm) - states, st.entity, st.target, st.lun,
              sc_bus_changes(vm) - buses, t, l);
    VW_EXPECT(vm, vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ) == posted,
              "after the event at %u:%u: %u event buffers with the device, %u were posted", t, l,
              vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ), posted);
}

/* vioscsi on 2 x 2 LUNs supporting AL_CLASSES, QUEUES request queues
 * (more than one: concurrent channels, the answers drained under their
 * queue's lock alone); the event buffers it posted in *POSTED */
static bool al_start(struct vm *vm, struct sc_host *h, struct sc_opts *o, uint16_t queues,
                     unsigned *posted)
{
    sc_defaults(o);
    o->sc.an_supported = AL_CLASSES;
    o->sc.num_queues = queues;
    o->queue_max = 64;
    o->timeout_s = 2;
    if (!sc_start_mem(vm, h, o))
        return false;
    sc_deliver(vm);
    *posted = vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ);
    return true;
}

/* al_start, then the enumeration again (al_enumerate) and its answers:
 * every LUN subscribed WHEN it ends */
static bool al_start_enumerated(struct vm *vm, struct sc_host *h, struct sc_opts *o,
                                uint16_t queues, bool inquiry_only, unsigned *posted,
                                const char *when)
{
    if (!al_start(vm, h, o, queues, posted))
        return false;
    al_enumerate(vm, o, inquiry_only);
    sc_deliver(vm);
    return !vm->failed && al_all_subscribed(vm, h, o, when);
}

/* StorPort's bus scan at the start (REPORT LUNS then INQUIRY at each
 * LUN listed; port/storport/scan.c) subscribes each of the 4 LUNs, once;
 * the same enumeration again (a rescan) asks nothing more; MEDIA_CHANGE
 * at 1:1 → one state change at 1:1 */
static void al_every_lun(struct vm *vm, uint16_t queues)
{
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
    if (!al_start(vm, &h, &o, queues, &posted))
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    uint64_t at_start = ms->an_subscribes;
    struct vw_stor_scan scan;
    vw_stor_scan(vm, &scan);
    VW_EXPECT(vm, scan.ran && scan.nfound == 4u,
              "the start's bus scan found %u LUNs (want the 4 of 2 x 2)", scan.nfound);
    if (vm->failed || !al_all_subscribed(vm, &h, &o, "after the start's bus scan"))
        goto out;
    al_enumerate(vm, &o, false);
    sc_deliver(vm);
    if (vm->failed || !al_all_subscribed(vm, &h, &o, "after the enumeration"))
        goto out;
    vw_log(vm, "AN_SUBSCRIBE: %llu at the start, %llu after the enumeration",
           (unsigned long long)at_start, (unsigned long long)ms->an_subscribes);
    VW_EXPECT(vm, at_start == 4u && ms->an_subscribes == at_start,
              "AN_SUBSCRIBE: %llu at the start, %llu after the enumeration again (want 4: one "
              "for each LUN, from the start's bus scan, and none more)",
              (unsigned long long)at_start, (unsigned long long)ms->an_subscribes);
    if (!vm->failed)
        al_notify(vm, &h, 1, 1, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, posted);
    if (!vm->failed)
        sc_works(vm, &h, 31, 0x61, "an event at 1:1");
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", an_every_lun_subscribed, NULL)
{
    al_every_lun(vm, 1);
}

/* The same on 4 request queues with concurrent channels */
VW_SCENARIO("vioscsi", an_every_lun_subscribed_4q, NULL)
{
    al_every_lun(vm, 4);
}

/* INQUIRY alone at each LUN (no REPORT LUNS): each LUN subscribed (the
 * start's bus scan subscribed them already: INQUIRY alone keeps them); an
 * OPERATIONAL_CHANGE at 0:1 → one state change at 0:1 */
VW_SCENARIO("vioscsi", an_inquiry_subscribes, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
    if (!al_start_enumerated(vm, &h, &o, 1, true, &posted, "after INQUIRY at each LUN"))
        goto out;
    al_notify(vm, &h, 0, 1, VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE, posted);
out:
    sc_finish(vm, &h);
}

/* A device reset (a READ lost, its TMFs rejected: HwResetBus resets the
 * device) ends every subscription at the device: each LUN subscribed
 * again, an event at 1:0 reaches StorPort */
VW_SCENARIO("vioscsi", an_lun_subscriptions_after_reset, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
    if (!al_start_enumerated(vm, &h, &o, 1, false, &posted, "before the reset"))
        goto out;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    struct vw_stor_result r;
    uint64_t took;
    if (!sc_lost_read(vm, &h, false, true, &r, &took))
        goto out;
    sc_deliver(vm);
    VW_EXPECT(vm, vmodel_reset_count(h.scsi->dev->model) > resets,
              "the lost READ (SRB 0x%02x) ended without a device reset", r.srb_status);
    if (vm->failed || !al_all_subscribed(vm, &h, &o, "after the device reset"))
        goto out;
    al_notify(vm, &h, 1, 0, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, posted);
    if (!vm->failed)
        sc_works(vm, &h, 32, 0x62, "a device reset and an event at 1:0");
out:
    sc_finish(vm, &h);
}

/* 1:1 removed (REMOVED: forgotten) and added again (RESCAN): subscribed
 * again at once, one AN_SUBSCRIBE, before any INQUIRY; an event at 1:1
 * after reaches StorPort */
VW_SCENARIO("vioscsi", an_rescanned_lun_subscribed, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
    if (!al_start_enumerated(vm, &h, &o, 1, false, &posted, "after the enumeration"))
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    for (int pass = 0; pass < 2 && !vm->failed; pass++) {
        uint64_t subs = ms->an_subscribes, events = ms->events;
        mem_target_set_lun(h.mem, 1, 1, pass == 1 ? 4096 : 0);
        int changes = vmodel_scsi_rescan(h.scsi->model);
        sc_deliver(vm);
        VW_EXPECT(vm, changes == 1 && ms->events - events == 1,
                  "1:1 %s: %d changes, %llu events (want 1 and 1)", pass ? "added" : "removed",
                  changes, (unsigned long long)(ms->events - events));
        VW_EXPECT(vm, ms->an_subscribes - subs == (uint64_t)pass,
                  "1:1 %s: %llu AN_SUBSCRIBE (want %d)", pass ? "added" : "removed",
                  (unsigned long long)(ms->an_subscribes - subs), pass);
    }
    if (vm->failed || !al_all_subscribed(vm, &h, &o, "after 1:1 came back"))
        goto out;
    al_notify(vm, &h, 1, 1, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, posted);
out:
    sc_finish(vm, &h);
}
