/*
 * Asynchronous notification at every LUN (virtio 1.2 5.6.6.2.2: an
 * AN_SUBSCRIBE names one LUN): on 2 targets x 2 LUNs whose LUNs support
 * MEDIA_CHANGE and OPERATIONAL_CHANGE, StorPort's bus scan at the start
 * (REPORT LUNS at each target's LUN 0, then INQUIRY at each LUN listed)
 * makes vioscsi subscribe each LUN once (the model records it per LUN); an
 * event at 1:1 is one StorPortStateChangeDetected at 1:1 (no bus change);
 * after a device reset (which ends every subscription) each LUN is
 * subscribed again and an event at 1:0 reaches StorPort.  On targets that
 * refuse REPORT LUNS (SCSI-2: the scan's INQUIRY at LUNs 0-7 instead)
 * exactly the LUNs the scan found are subscribed.
 */
#include "vioscsi_test.h"

#define AL_CLASSES (VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE | VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE)

/* StorPort's enumeration of O's targets: REPORT LUNS at T:0, INQUIRY at
 * every LUN it lists */
static void al_enumerate(struct vm *vm, const struct sc_opts *o)
{
    for (uint8_t t = 0; t < o->targets && !vm->failed; t++) {
        uint8_t rl[12] = {0xa0} /* REPORT LUNS */, list[8 + 8 * 16];
        uint32_t moved = 0;
        rl[9] = sizeof(list);
        if (!sc_ok_moved(vm, t, 0, rl, 12, list, sizeof(list), true, "REPORT LUNS", &moved))
            return;
        uint32_t n = moved >= 8 ? (stor_be32(list) / 8) : 0;
        VW_EXPECT(vm, n == o->luns, "REPORT LUNS of target %u lists %u LUNs (want %u)", t, n,
                  o->luns);
        for (uint32_t i = 0; i < n && i < 16 && !vm->failed; i++) {
            uint8_t inq[6] = {0x12, 0, 0, 0, 96, 0} /* INQUIRY */, data[96];
            sc_ok_moved(vm, t, list[8 + 8 * i + 1], inq, 6, data, sizeof(data), true, "INQUIRY",
                        &moved);
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

/* One scenario of this file after the start: its options, host and the
 * event buffers vioscsi posted */
struct al_run {
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
};

/* al_start on one queue, the enumeration again (al_enumerate) and its
 * answers, every LUN subscribed WHEN it ends; then BODY, then the end */
static void al_run_enumerated(struct vm *vm, const char *when,
                              void (*body)(struct vm *vm, struct al_run *r))
{
    struct al_run r;
    if (al_start(vm, &r.h, &r.o, 1, &r.posted)) {
        al_enumerate(vm, &r.o);
        sc_deliver(vm);
        if (!vm->failed && al_all_subscribed(vm, &r.h, &r.o, when))
            body(vm, &r);
    }
    sc_finish(vm, &r.h);
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
    al_enumerate(vm, &o);
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

/* The SCSI-2 bus of an_inquiry_subscribes: every target refuses REPORT
 * LUNS (mem_target no_report_luns); target 0 has LUNs 0, 1, 3 and 9,
 * target 1 LUN 1 alone, target 2 LUNs 0 and 1 */
#define AL_S2_TARGETS 3
#define AL_S2_LUNS    16 /* the LUNs checked at each target: 0-15 */
static struct mem_target *al_scsi2_target(struct vm *vm, const struct sc_opts *o)
{
    struct mem_target *mem = sc_mem_target(vm, o);
    if (mem == NULL)
        return NULL;
    mem_target_set_faults(mem, &(struct mem_target_faults){.no_report_luns = true});
    if (mem_target_set_lun(mem, 0, 3, o->blocks) != 0 ||
        mem_target_set_lun(mem, 0, 9, o->blocks) != 0 || mem_target_set_lun(mem, 1, 0, 0) != 0)
        vw_fail(vm, "cannot lay out the SCSI-2 bus's LUNs");
    return mem;
}

/* Whether the scan found T:L */
static bool al_found(const struct vw_stor_scan *scan, unsigned t, unsigned l)
{
    for (unsigned i = 0; i < scan->nfound; i++)
        if (scan->found[i].target == t && scan->found[i].lun == l)
            return true;
    return false;
}

/* vioscsi on the SCSI-2 bus (PLANT: model faults for the twin): the scan
 * asks INQUIRY at LUN 0 of each target and LUNs 1-7 where LUN 0 answered
 * (8 + 1 + 8), finds 0:0 0:1 0:3 2:0 2:1 and never asks 0:9 (above 7) or
 * 1:1 (its LUN 0 absent); AN_SUBSCRIBE at each LUN found and at no other
 * LUN of the 3 targets; OPERATIONAL_CHANGE at 0:3 → one state change at 0:3 */
static void al_scsi2(struct vm *vm, const struct vmodel_scsi_planted *plant)
{
    struct sc_opts o;
    struct sc_host h;
    unsigned posted;
    sc_defaults(&o);
    o.sc.an_supported = AL_CLASSES;
    o.targets = AL_S2_TARGETS;
    o.plant = *plant;
    o.timeout_s = 2;
    if (!sc_start_mem_on(vm, &h, &o, al_scsi2_target(vm, &o)) || vm->failed)
        goto out;
    sc_deliver(vm);
    posted = vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ);
    struct vw_stor_scan scan;
    vw_stor_scan(vm, &scan);
    char found[64] = "";
    for (unsigned i = 0, n = 0; i < scan.nfound && n + 8 < sizeof(found); i++)
        n += (unsigned)snprintf(found + n, sizeof(found) - n, " %u:%u", scan.found[i].target,
                                scan.found[i].lun);
    VW_EXPECT(vm,
              scan.ran && scan.report_luns == scan.targets && scan.inquiries == 17 &&
                  scan.nfound == 5 && al_found(&scan, 0, 0) && al_found(&scan, 0, 1) &&
                  al_found(&scan, 0, 3) && al_found(&scan, 2, 0) && al_found(&scan, 2, 1),
              "bus scan: %u REPORT LUNS of %u targets, %u INQUIRY, found%s (want all refused, "
              "17 INQUIRY, found 0:0 0:1 0:3 2:0 2:1)",
              scan.report_luns, scan.targets, scan.inquiries, found);
    if (vm->failed)
        goto out;
    char extra[96] = "", missing[96] = "";
    size_t ne = 0, nm = 0;
    for (unsigned t = 0; t < AL_S2_TARGETS; t++)
        for (unsigned l = 0; l < AL_S2_LUNS; l++) {
            uint32_t sub = vmodel_scsi_an_subscribed(h.scsi->model, (uint16_t)t, l);
            bool want = al_found(&scan, t, l);
            if (want && sub != AL_CLASSES && nm + 16 < sizeof(missing))
                nm +=
                    (size_t)snprintf(missing + nm, sizeof(missing) - nm, " %u:%u(0x%x)", t, l, sub);
            if (!want && sub != 0 && ne + 16 < sizeof(extra))
                ne += (size_t)snprintf(extra + ne, sizeof(extra) - ne, " %u:%u(0x%x)", t, l, sub);
        }
    VW_EXPECT(vm, ne == 0 && nm == 0,
              "AN subscriptions: LUNs the scan did not find subscribed:%s; LUNs found without "
              "0x%x:%s",
              ne ? extra : " none", AL_CLASSES, nm ? missing : " none");
    vw_log(vm, "AN_SUBSCRIBE: %llu after the start's scan of the SCSI-2 bus",
           (unsigned long long)vmodel_scsi_stats(h.scsi->model)->an_subscribes);
    if (!vm->failed)
        al_notify(vm, &h, 0, 3, VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE, posted);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", an_inquiry_subscribes, NULL)
{
    al_scsi2(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: each subscription recorded at the next LUN, so a LUN the
 * scan never found (0:2 after 0:1) reads subscribed: the check names it */
VW_SCENARIO("vioscsi", checker_an_subscribed_unfound_lun,
            "LUNs the scan did not find subscribed: 0:2(0x12)")
{
    al_scsi2(vm, &(struct vmodel_scsi_planted){.an_next_lun = true});
}

/* A device reset (a READ lost, its TMFs rejected: HwResetBus resets the
 * device) ends every subscription at the device: each LUN subscribed
 * again, an event at 1:0 reaches StorPort */
static void al_after_reset(struct vm *vm, struct al_run *a)
{
    uint32_t resets = vmodel_reset_count(a->h.scsi->dev->model);
    struct vw_stor_result r;
    uint64_t took;
    if (!sc_lost_read(vm, &a->h, false, true, &r, &took))
        return;
    sc_deliver(vm);
    VW_EXPECT(vm, vmodel_reset_count(a->h.scsi->dev->model) > resets,
              "the lost READ (SRB 0x%02x) ended without a device reset", r.srb_status);
    if (vm->failed || !al_all_subscribed(vm, &a->h, &a->o, "after the device reset"))
        return;
    al_notify(vm, &a->h, 1, 0, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, a->posted);
    if (!vm->failed)
        sc_works(vm, &a->h, 32, 0x62, "a device reset and an event at 1:0");
}

VW_SCENARIO("vioscsi", an_lun_subscriptions_after_reset, NULL)
{
    al_run_enumerated(vm, "before the reset", al_after_reset);
}

/* 1:1 removed (REMOVED: forgotten) and added again (RESCAN): subscribed
 * again at once, one AN_SUBSCRIBE, before any INQUIRY; an event at 1:1
 * after reaches StorPort */
static void al_rescanned(struct vm *vm, struct al_run *a)
{
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(a->h.scsi->model);
    for (int pass = 0; pass < 2 && !vm->failed; pass++) {
        uint64_t subs = ms->an_subscribes, events = ms->events;
        mem_target_set_lun(a->h.mem, 1, 1, pass == 1 ? 4096 : 0);
        int changes = vmodel_scsi_rescan(a->h.scsi->model);
        sc_deliver(vm);
        VW_EXPECT(vm, changes == 1 && ms->events - events == 1,
                  "1:1 %s: %d changes, %llu events (want 1 and 1)", pass ? "added" : "removed",
                  changes, (unsigned long long)(ms->events - events));
        VW_EXPECT(vm, ms->an_subscribes - subs == (uint64_t)pass,
                  "1:1 %s: %llu AN_SUBSCRIBE (want %d)", pass ? "added" : "removed",
                  (unsigned long long)(ms->an_subscribes - subs), pass);
    }
    if (vm->failed || !al_all_subscribed(vm, &a->h, &a->o, "after 1:1 came back"))
        return;
    al_notify(vm, &a->h, 1, 1, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, a->posted);
}

VW_SCENARIO("vioscsi", an_rescanned_lun_subscribed, NULL)
{
    al_run_enumerated(vm, "after the enumeration", al_rescanned);
}
