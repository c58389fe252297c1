/*
 * Asynchronous notification (virtio 1.2 5.6.6.2.2, 5.6.6.3): with the
 * device supporting MEDIA_CHANGE and OPERATIONAL_CHANGE on every LUN
 * (an_supported), vioscsi subscribes after its start (AN_SUBSCRIBE, seen
 * by the model per LUN); an ASYNC_NOTIFY for a subscribed LUN and class
 * makes vioscsi tell StorPort (the class layer's view: a bus change, the
 * emulation's observation of StorPortNotification) and gives the buffer
 * back; a hostile event (an unknown LUN, a short event, a class never
 * subscribed) is ignored: nothing told (no bus change, no
 * StorPortStateChangeDetected), the buffer back, a log line, and
 * the adapter keeps working.
 */
#include "vioscsi_test.h"

#define AN_CLASSES (VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE | VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE)

/* vioscsi on the in-process target whose LUNs support AN_CLASSES, the
 * event buffers it posted taken by the device (their count in *POSTED) */
static bool an_start(struct vm *vm, struct sc_host *h, unsigned *posted)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.an_supported = AN_CLASSES;
    if (!sc_start_mem(vm, h, &o))
        return false;
    sc_deliver(vm);
    *posted = vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ);
    return true;
}

/* The driver's subscriptions as the model recorded them, logged; their count */
static unsigned an_subscriptions(struct vm *vm, struct sc_host *h)
{
    unsigned n = 0;
    uint16_t t;
    uint32_t l, classes;
    while ((classes = vmodel_scsi_an_subscription(h->scsi->model, n, &t, &l)) != 0) {
        vw_log(vm, "AN subscription %u: %u:%u classes 0x%x", n, t, l, classes);
        n++;
    }
    return n;
}

/* After the start the device has seen AN_SUBSCRIBE for the LUNs (the
 * model records only classes the device supports) */
VW_SCENARIO("vioscsi", an_subscribed_after_start, NULL)
{
    struct sc_host h;
    unsigned posted;
    if (!an_start(vm, &h, &posted))
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    unsigned n = an_subscriptions(vm, &h);
    VW_EXPECT(vm, ms->an_subscribes >= 1 && n >= 1,
              "after the start: %llu AN_SUBSCRIBE answered, %u LUNs subscribed (want >= 1)",
              (unsigned long long)ms->an_subscribes, n);
out:
    sc_finish(vm, &h);
}

/* An ASYNC_NOTIFY for the first subscribed LUN, every class it asked:
 * vioscsi tells StorPort that LUN changed (StorPortStateChangeDetected,
 * STATE_CHANGE_LUN at its address: what the class layer sees), the buffer
 * comes back and I/O works after */
VW_SCENARIO("vioscsi", an_event_delivered, NULL)
{
    struct sc_host h;
    unsigned posted;
    uint16_t t = 0;
    uint32_t l = 0;
    if (!an_start(vm, &h, &posted))
        goto out;
    uint32_t classes = vmodel_scsi_an_subscription(h.scsi->model, 0, &t, &l);
    if (classes == 0) {
        vw_fail(vm, "no LUN subscribed to asynchronous notification after the start");
        goto out;
    }
    unsigned states = sc_state_changes(vm);
    int rc = vmodel_scsi_async_notify(
        h.scsi->model, &(struct vmodel_scsi_an_event){.target = t, .lun = l, .classes = classes});
    sc_deliver(vm);
    struct vw_stor_state_change st;
    if (!vw_stor_state_change(vm, &st))
        goto out;
    VW_EXPECT(vm,
              rc == 1 && sc_state_changes(vm) > states && st.ran && st.entity == 1 &&
                  st.target == t && st.lun == l,
              "ASYNC_NOTIFY 0x%x at %u:%u: raised %d, %u state changes told StorPort, the last "
              "%s entity %u at %u:%u (want LUN 1 at %u:%u)",
              classes, t, l, rc, sc_state_changes(vm) - states, st.ran ? "for" : "none,", st.entity,
              st.target, st.lun, t, l);
    VW_EXPECT(vm, vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ) == posted,
              "%u event buffers back with the device, %u were posted",
              vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ), posted);
    if (!vm->failed)
        sc_works(vm, &h, 11, 0x41, "an asynchronous notification");
out:
    sc_finish(vm, &h);
}

/* Lines the driver printed (DbgPrint: "dbg") in the run's log from FROM on */
static unsigned dbg_lines_since(struct vm *vm, size_t from)
{
    unsigned n = 0;
    for (const char *p = vm->log + from; p != NULL && *p != 0; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        n += strncmp(p, "dbg", 3) == 0;
    }
    return n;
}

/* Hostile events (no subscription needed: the device sends them as
 * given): an unknown LUN (target 200 of a 2-target device), a class the
 * device never offered (POWER_MGMT), an 8-byte event (used length below
 * the 16 of struct virtio_scsi_event) */
VW_SCENARIO("vioscsi", an_hostile_events_ignored, NULL)
{
    struct sc_host h;
    unsigned posted;
    if (!an_start(vm, &h, &posted))
        goto out;
    static const struct {
        const char *what;
        struct vmodel_scsi_an_event e;
    } cases[] = {
        {"an unknown LUN", {.target = 200, .lun = 7, .classes = AN_CLASSES, .unchecked = true}},
        {"a class never subscribed",
         {.target = 0, .lun = 0, .classes = VIRTIO_SCSI_EVT_ASYNC_POWER_MGMT, .unchecked = true}},
        {"a short event",
         {.target = 0, .lun = 0, .classes = AN_CLASSES, .unchecked = true, .used_len = 8}},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]) && !vm->failed; i++) {
        unsigned before = sc_bus_changes(vm), states = sc_state_changes(vm);
        size_t mark = vm->log_len;
        int rc = vmodel_scsi_async_notify(h.scsi->model, &cases[i].e);
        sc_deliver(vm);
        unsigned lines = dbg_lines_since(vm, mark);
        VW_EXPECT(vm, rc == 1 && sc_bus_changes(vm) == before && sc_state_changes(vm) == states,
                  "ASYNC_NOTIFY with %s: raised %d, %u bus changes and %u state changes told "
                  "StorPort (want 0)",
                  cases[i].what, rc, sc_bus_changes(vm) - before, sc_state_changes(vm) - states);
        VW_EXPECT(vm, vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ) == posted,
                  "after %s: %u event buffers back with the device, %u were posted", cases[i].what,
                  vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ), posted);
        VW_EXPECT(vm, lines >= 1, "ASYNC_NOTIFY with %s ignored without a log line", cases[i].what);
    }
    if (!vm->failed)
        sc_works(vm, &h, 12, 0x42, "hostile asynchronous notifications");
out:
    sc_finish(vm, &h);
}
