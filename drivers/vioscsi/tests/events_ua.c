/*
 * PARAM_CHANGE as a unit attention (virtio 1.2 5.6.6.3.3: the event's
 * reason carries the ASC and ASCQ; SPC-4 5.14): after PARAM_CHANGE 2A/09
 * (CAPACITY DATA HAS CHANGED) at 0:1 the next command to 0:1 completes
 * with CHECK CONDITION and fixed sense UNIT ATTENTION 2A/09, once; the
 * command after it goes to the device; 0:0 never sees it; INQUIRY passes
 * it by.  StorPort is told of a bus change as well (the rescan covers a
 * LUN the change adds).  Without F_CHANGE no event comes and nothing is
 * reported.  The in-process target raises no unit attention of its own
 * here: what the scenario sees is vioscsi's.
 */
#include "vioscsi_test.h"

/* Bus changes StorPort was told of so far */
static unsigned ua_bus_changes(struct vm *vm)
{
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    return st.bus_changes;
}

/* A command whose answer says whether a unit attention 2A/09 came with it */
static bool ua_seen(struct vm *vm, uint8_t target, uint8_t lun, const uint8_t *cdb, unsigned n,
                    void *buf, uint32_t len, struct vw_stor_result *r)
{
    if (!sc_scsi(vm, target, lun, cdb, n, buf, len, len != 0, r))
        return false;
    return (r->srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r->scsi_status == 0x02 &&
           r->sense_valid && r->sense_key == 0x06 && r->asc == 0x2a && r->ascq == 0x09;
}

/* PARAM_CHANGE 2A/09 raised at 0:1 (F_CHANGE offered or not) */
static void ua_param_change(struct vm *vm, bool change)
{
    struct sc_opts o;
    struct sc_host h;
    struct vw_stor_result r;
    uint8_t tur[6] = {0};
    uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0};
    uint8_t data[36];
    sc_defaults(&o);
    o.targets = 1;
    if (!change)
        o.sc.features &= ~(1ull << VIRTIO_SCSI_F_CHANGE);
    if (!sc_start_mem(vm, &h, &o) || !sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    unsigned before = ua_bus_changes(vm);
    vmodel_scsi_param_change(h.scsi->model, 0, 1, 0x2a, 0x09);
    for (int i = 0; i < 4; i++)
        vw_sched_settle(vm);
    bool other = ua_seen(vm, 0, 0, tur, 6, NULL, 0, &r);
    bool other_good = (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0;
    bool inquiry = ua_seen(vm, 0, 1, inq, 6, data, sizeof(data), &r);
    bool first = ua_seen(vm, 0, 1, tur, 6, NULL, 0, &r);
    vw_log(vm,
           "after PARAM_CHANGE (CHANGE %s): 0:1 TUR SRB 0x%02x SCSI 0x%02x sense %s %x/%02x/%02x",
           change ? "on" : "off", r.srb_status, r.scsi_status, r.sense_valid ? "valid" : "none",
           r.sense_key, r.asc, r.ascq);
    bool second = ua_seen(vm, 0, 1, tur, 6, NULL, 0, &r);
    bool second_good = (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && r.scsi_status == 0;
    if (vm->failed)
        goto out;
    VW_EXPECT(vm, !other && other_good, "0:0's TEST UNIT READY: GOOD, no unit attention of 0:1's");
    VW_EXPECT(vm, !inquiry, "INQUIRY at 0:1 passes the unit attention by (SPC-4 5.14)");
    if (change) {
        VW_EXPECT(vm, first, "0:1's next command: CHECK CONDITION, UNIT ATTENTION 2A/09");
        VW_EXPECT(vm, !second && second_good, "0:1's command after it: GOOD (reported once)");
        VW_EXPECT(vm, ua_bus_changes(vm) > before, "StorPort told of a bus change as well");
    } else {
        VW_EXPECT(vm, !first && !second && ua_bus_changes(vm) == before,
                  "without F_CHANGE: no unit attention, no bus change");
    }
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", events_param_change_unit_attention, NULL)
{
    ua_param_change(vm, true);
}

VW_SCENARIO("vioscsi", events_param_change_no_change_feature, NULL)
{
    ua_param_change(vm, false);
}
