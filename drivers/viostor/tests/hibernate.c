/*
 * Hibernation and resume (vw_stor_hibernate): writes in flight from every
 * CPU when the system goes to S4 are finished and flushed before
 * ScsiStopAdapter; viostor's hibernation copy (second image, DumpMode
 * DUMP_MODE_HIBER, polled, one queue, within the 32 KiB of uncached
 * extension a dump-mode miniport may ask for) writes 16 sectors of
 * "hibernation file"; after the resume (ScsiSetRunningConfig,
 * ScsiRestartAdapter) the normal instance reads them back as the
 * hibernation copy wrote them, the writes from before are there, and new
 * I/O works.
 */
#include "viostor_test.h"

#define HIBER_LBA   2000
#define HIBER_COUNT 16

static void hibernate_run(struct vm *vm, uint64_t features, uint16_t queues)
{
    struct vs_disk d;
    struct vs_opts o = {.features = features, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    /* The writes are taken by the device and due in 10-20 ms: still in
     * flight at the power-down; the hibernation copy's are quick again. */
    vw_virtio_delay(d.dev, -1, VS_SECOND / 100, VS_SECOND / 50, false);
    if (!vw_stor_submit_writes(vm, 8, 500, 0x2c))
        goto out;
    vw_virtio_delay(d.dev, -1, 0, VW_VIRTIO_DELAY_MAX, false);
    if (!vw_stor_hibernate(vm, HIBER_LBA, HIBER_COUNT, 0x70))
        goto out;
    vw_stor_submit_from(vm, 0);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.hibernations == 1 && st.drained_at_stop == 8 && st.control_stop == 1 &&
                  st.control_restart == 1 && st.dump_uncached > 0 &&
                  st.dump_uncached <= VW_STOR_DUMP_MEMORY_LIMIT,
              "hibernation: %u, drained %u, stop %u, restart %u, hibernation copy's uncached "
              "extension %u bytes",
              st.hibernations, st.drained_at_stop, st.control_stop, st.control_restart,
              st.dump_uncached);
    static uint8_t in[HIBER_COUNT * 512], file[HIBER_COUNT * 512];
    uint8_t cdb[16];
    vs_rw16(cdb, false, HIBER_LBA, HIBER_COUNT, false);
    if (!vs_ok(vm, cdb, 16, in, sizeof(in), true, "READ of the hibernation file after the resume"))
        goto out;
    bool have = vs_image_read(&d, HIBER_LBA, file, sizeof(file));
    for (unsigned i = 0; i < sizeof(in) && !vm->failed; i++)
        VW_EXPECT(vm, in[i] == (uint8_t)(0x70 + i / 512) && have && file[i] == in[i],
                  "hibernation file byte %u: read 0x%02x, file 0x%02x, written 0x%02x", i, in[i],
                  file[i], (uint8_t)(0x70 + i / 512));
    uint8_t before[8 * 512];
    vs_rw16(cdb, false, 500, 8, false);
    if (vs_ok(vm, cdb, 16, before, sizeof(before), true, "READ of the writes from before S4"))
        for (unsigned i = 0; i < sizeof(before) && !vm->failed; i++)
            VW_EXPECT(vm, before[i] == 0x2c, "byte %u of the writes before S4: 0x%02x", i,
                      before[i]);
    uint8_t out[4096], back[4096];
    vs_fill(out, sizeof(out), 700, 6);
    vs_rw16(cdb, true, 700, 8, false);
    if (!vs_ok(vm, cdb, 16, out, sizeof(out), false, "WRITE after the resume"))
        goto out;
    vs_rw16(cdb, false, 700, 8, false);
    if (vs_ok(vm, cdb, 16, back, sizeof(back), true, "READ after the resume"))
        VW_EXPECT(vm, memcmp(out, back, sizeof(out)) == 0, "read back wrong after the resume");
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", hibernate_resume, NULL)
{
    hibernate_run(vm, VS_F_DEFAULT, 1);
}

VW_SCENARIO("viostor", hibernate_resume_four_queues_packed, NULL)
{
    hibernate_run(vm, VS_F_DEFAULT | VS_F_PACKED, 4);
}
