/*
 * The attachment's own checker, planted: a virtio-scsi rule broken on the
 * ring fails the run by name (devices/dev_scsi.c forwards the model's
 * rules).  Planted input: after the start the device's cdb_size becomes
 * 64 behind the driver's back, so vioscsi's requests (laid out for the 32
 * it wrote) are short for the device: short-request-header must be named.
 */
#include "vioscsi_test.h"

VW_SCENARIO("vioscsi", checker_scsi_rule_forwarded, "broke a device rule: short-request-header")
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    uint8_t cdb_size[4] = {64, 0, 0, 0};
    vmodel_set_device_cfg(h.scsi->dev->model, 24, cdb_size, sizeof(cdb_size));
    uint8_t tur[6] = {0};
    struct vw_stor_result r;
    sc_scsi(vm, 0, 0, tur, 6, NULL, 0, false, &r);
out:
    sc_finish(vm, &h);
}
