/*
 * Asynchronous notification to a per-LUN state change (virtio 1.2
 * 5.6.6.2.2 and 5.6.6.3; storport/nf-storport-storportstatechangedetected):
 * on a device whose LUNs support MEDIA_CHANGE and OPERATIONAL_CHANGE,
 * vioscsi subscribes both at 0:0 after its start (the model records it);
 * a MEDIA_CHANGE at 0:0 leads to one StorPortStateChangeDetected with
 * STATE_CHANGE_LUN at 0:0 (no bus change), StorPort's re-enumeration of
 * 0:0 finds the disk, the event buffer goes back and I/O works.  A second
 * one (OPERATIONAL_CHANGE) after the first was handled: a second state
 * change.
 */
#include "vioscsi_test.h"

#define AS_CLASSES (VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE | VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE)

/* One ASYNC_NOTIFY of CLASSES at 0:0: one state change at 0:0, no bus
 * change, the buffer back, the re-enumeration finds a disk */
static void as_notify(struct vm *vm, struct sc_host *h, uint32_t classes, unsigned posted,
                      const char *what)
{
    unsigned buses = sc_bus_changes(vm), states = sc_state_changes(vm);
    struct vmodel_scsi_an_event e = {.target = 0, .lun = 0, .classes = classes};
    int rc = vmodel_scsi_async_notify(h->scsi->model, &e);
    sc_deliver(vm);
    struct vw_stor_state_change sc;
    if (!vw_stor_state_change(vm, &sc))
        return;
    vw_log(vm, "%s: raised %d, %u state change(s) (entity %u at %u:%u, %s), %u bus change(s)", what,
           rc, sc_state_changes(vm) - states, sc.entity, sc.target, sc.lun,
           sc.found.inquiry_ok ? "INQUIRY answered" : "no INQUIRY", sc_bus_changes(vm) - buses);
    VW_EXPECT(vm,
              rc == 1 && sc_state_changes(vm) == states + 1 && sc.ran && sc.entity == 1 &&
                  sc.target == 0 && sc.lun == 0 && sc_bus_changes(vm) == buses,
              "%s at 0:0: one StorPortStateChangeDetected, STATE_CHANGE_LUN at 0:0, no bus change",
              what);
    VW_EXPECT(vm, sc.found.inquiry_ok && sc.found.device_type == 0,
              "%s: the re-enumeration of 0:0 finds the disk", what);
    VW_EXPECT(vm, vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ) == posted,
              "%s: %u event buffers with the device, %u were posted", what,
              vmodel_pending(h->scsi->dev->model, VMODEL_SCSI_EVENTQ), posted);
}

VW_SCENARIO("vioscsi", an_state_change_per_lun, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.an_supported = AS_CLASSES;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    sc_deliver(vm);
    unsigned posted = vmodel_pending(h.scsi->dev->model, VMODEL_SCSI_EVENTQ);
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    uint32_t sub = vmodel_scsi_an_subscribed(h.scsi->model, 0, 0);
    VW_EXPECT(vm, ms->an_subscribes >= 1 && sub == AS_CLASSES,
              "after the start: %llu AN_SUBSCRIBE, 0:0 subscribed 0x%x (0x%x wanted)",
              (unsigned long long)ms->an_subscribes, sub, AS_CLASSES);
    if (vm->failed)
        goto out;
    as_notify(vm, &h, VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE, posted, "MEDIA_CHANGE");
    if (!vm->failed)
        as_notify(vm, &h, VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE, posted, "OPERATIONAL_CHANGE");
    if (!vm->failed)
        sc_works(vm, &h, 21, 0x5a, "two asynchronous notifications");
out:
    sc_finish(vm, &h);
}
