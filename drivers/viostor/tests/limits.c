/*
 * What the issue lists beyond the other files: a back end that stalls for
 * 60 s (virtual time) inside the requests' 65 s time-out, then answers:
 * no reset, every write good and in the file; one processor with a
 * four-queue device: one queue, StorPort told that ring's depth, I/O
 * works; a 4 MiB transfer: seg_max 1100 on 2048-entry rings and
 * PhysicalBreaks 1024 give 1024 breaks and a 4 MiB maximum transfer, and a
 * 4 MiB WRITE(16) then READ(16) of it read back and land in the file.
 */
#include "pnp.h"
#include "viostor_test.h"

VW_SCENARIO("viostor", stall_60s_then_resume, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4, .timeout_s = 65};
    if (!vs_start(vm, &d, &o))
        goto out;
    enum { N = 16 };
    static uint8_t data[N][4096], back[N][4096];
    uint8_t cdbs[N][16], *bufs[N];
    unsigned lens[N];
    uint32_t sizes[N];
    bool in[N];
    struct vw_stor_result res[N];
    for (unsigned i = 0; i < N; i++) {
        vs_fill(data[i], 4096, 800 + 8 * i, 2);
        vs_rw16(cdbs[i], true, 800 + 8 * i, 8, false);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = 4096, in[i] = false;
    }
    for (uint16_t q = 0; q < 4; q++)
        vw_virtio_hang_queue(d.dev, q, 60 * VS_SECOND);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    uint64_t t0 = vm->k->interrupt_time;
    if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        goto out;
    uint64_t took = vm->k->interrupt_time - t0;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "write %u after the stall: SRB 0x%02x", i, res[i].srb_status);
    VW_EXPECT(vm, s.resets == 0 && took >= 60 * VS_SECOND && took < 65 * VS_SECOND,
              "%u resets, the batch took %llu ms of virtual time (no reset, 60..65 s expected)",
              s.resets, (unsigned long long)(took / 10000));
    for (unsigned i = 0; i < N; i++) {
        vs_rw16(cdbs[i], false, 800 + 8 * i, 8, false);
        bufs[i] = back[i], in[i] = true;
    }
    if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        goto out;
    static uint8_t file[4096];
    for (unsigned i = 0; i < N && !vm->failed; i++)
        VW_EXPECT(vm,
                  memcmp(back[i], data[i], 4096) == 0 &&
                      vs_image_read(&d, 800 + 8 * i, file, 4096) &&
                      memcmp(file, data[i], 4096) == 0,
                  "write %u after the stall: read back or file wrong", i);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", one_cpu_four_queue_device, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.queues = 4, .queue_max = 64};
    if (!vw_cpus_set(vm, 1) || !vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.max_io == 64 && s.lun_depth == 64,
              "1 CPU, 4 queues offered: MaxNumberOfIO %u, LUN depth %u (one queue of 64)", s.max_io,
              s.lun_depth);
    static uint8_t out[64][512], in[64][512];
    uint8_t cdbs[64][16], *bufs[64];
    unsigned lens[64];
    uint32_t sizes[64];
    bool dir[64];
    struct vw_stor_result res[64];
    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < 64; i++) {
            if (pass == 0)
                vs_fill(out[i], 512, 100 + i, 7);
            vs_rw16(cdbs[i], pass == 0, 100 + i, 1, false);
            bufs[i] = pass == 0 ? out[i] : in[i];
            lens[i] = 16, sizes[i] = 512, dir[i] = pass == 1;
        }
        if (!vw_stor_scsi_batch(vm, 64, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, dir, res))
            goto out;
        for (unsigned i = 0; i < 64; i++)
            VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                      "request %u of pass %u: SRB 0x%02x", i, pass, res[i].srb_status);
    }
    for (unsigned i = 0; i < 64 && !vm->failed; i++)
        VW_EXPECT(vm, memcmp(out[i], in[i], 512) == 0, "LBA %u read back wrong", 100 + i);
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.max_outstanding == 64 && s.startio_cpus == 1,
              "%u outstanding at most (64 expected), HwStartIo on CPUs 0x%x", s.max_outstanding,
              s.startio_cpus);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", max_transfer_4mib, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {
        .queue_max = 2048, .seg_max = 1100, .size_max = 1u << 20, .image_sectors = 16384};
    uint32_t breaks = 1024;
    vw_stor_registry_set(vm, true, "PhysicalBreaks", 4, &breaks, 4);
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    enum { LEN = 4u << 20 };
    VW_EXPECT(
        vm, s.breaks == 1024 && s.max_transfer == LEN,
        "seg_max 1100, PhysicalBreaks 1024: %u breaks, max transfer %u (1024, 4 MiB expected)",
        s.breaks, s.max_transfer);
    if (d.blk.sectors < LEN / 512 + 64) {
        vw_fail(vm, "the image holds %llu sectors, too few for 4 MiB",
                (unsigned long long)d.blk.sectors);
        goto out;
    }
    static uint8_t out[LEN], in[LEN], file[LEN];
    uint8_t cdb[16];
    vs_fill(out, LEN, 64, 8);
    vs_rw16(cdb, true, 64, LEN / 512, false);
    if (!vs_ok(vm, cdb, 16, out, LEN, false, "WRITE(16) of 4 MiB"))
        goto out;
    vs_rw16(cdb, false, 64, LEN / 512, false);
    if (vs_ok(vm, cdb, 16, in, LEN, true, "READ(16) of 4 MiB"))
        VW_EXPECT(vm,
                  memcmp(in, out, LEN) == 0 && vs_image_read(&d, 64, file, LEN) &&
                      memcmp(file, out, LEN) == 0,
                  "4 MiB read back or file wrong");
out:
    vs_finish(vm, &d);
}
