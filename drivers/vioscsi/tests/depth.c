/*
 * Queue depth from the device's configuration (issue 15: "queue depth from
 * ring capacity x queues and cmd_per_lun"; virtio 1.2 5.6.4: cmd_per_lun
 * "a hint to the driver about the maximum number of linked commands it
 * can send to one LUN"): StorPort is given MaxNumberOfIO = ring size x
 * request queues (one per CPU up to num_queues) and a LUN depth of cmd_per_lun, and a device with a
 * small cmd_per_lun never has more than that many commands outstanding
 * at one LUN, counted at the device (vmodel_scsi_stats max_lun_cmds),
 * independently of StorPort's gate; the depth is each LUN's, so 8 LUNs
 * at depth 8 have 64 at the miniport at once.
 */
#include "vioscsi_test.h"

#define DP_REQS 64u

/* 64 one-block writes to the 2 x 2 LUNs (16 each in a row) in one batch from every
 * CPU; each succeeds; the depths StorPort got and the most the device saw
 * at one LUN (PLANT: StorPort's gate opened, vw_stor_plant_no_gate) */
static void small_cmd_per_lun(struct vm *vm, uint32_t per_lun, bool plant)
{
    struct sc_opts o;
    struct sc_host h;
    static uint8_t btl[DP_REQS][2], cdbs[DP_REQS][16], data[DP_REQS][SC_BLOCK], *bufs[DP_REQS];
    static unsigned lens[DP_REQS];
    static uint32_t sizes[DP_REQS];
    static bool in[DP_REQS];
    static struct vw_stor_result res[DP_REQS];
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.sc.cmd_per_lun = per_lun;
    o.queue_max = 64;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    if (plant)
        vw_stor_plant_no_gate(vm);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned queues = vw_cpu_count(vm) < 4 ? vw_cpu_count(vm) : 4; /* one per CPU, up to 4 */
    VW_EXPECT(vm, st.max_io == 64 * queues && st.lun_depth == per_lun,
              "MaxNumberOfIO %u (ring 64 x %u queues = %u), LUN depth %u (cmd_per_lun %u)",
              st.max_io, queues, 64 * queues, st.lun_depth, per_lun);
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (unsigned i = 0; i < DP_REQS; i++) {
        unsigned t = i / (DP_REQS / 2), l = i / (DP_REQS / 4) % 2; /* 16 in a row each */
        btl[i][0] = (uint8_t)t, btl[i][1] = (uint8_t)l;
        sc_rw16(cdbs[i], true, 10 + i, 1);
        sc_fill(data[i], SC_BLOCK, t, l, 10 + i, 3);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = SC_BLOCK, in[i] = false;
    }
    if (!vw_stor_scsi_batch_at(vm, DP_REQS, (const uint8_t(*)[2])btl, (const uint8_t(*)[16])cdbs,
                               lens, bufs, sizes, in, res))
        goto out;
    for (unsigned i = 0; i < DP_REQS && !vm->failed; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "write %u to %u:%u: SRB 0x%02x", i, btl[i][0], btl[i][1], res[i].srb_status);
    uint64_t most = vmodel_scsi_stats(h.scsi->model)->max_lun_cmds;
    vw_log(vm, "cmd_per_lun %u: %llu commands at one LUN at the device at most", per_lun,
           (unsigned long long)most);
    VW_EXPECT(vm, most <= per_lun, "%llu commands at one LUN at the model, cmd_per_lun %u",
              (unsigned long long)most, per_lun);
    VW_EXPECT(vm, most >= 2, "never more than %llu command at one LUN: the limit was not reached",
              (unsigned long long)most);
out:
    sc_finish(vm, &h);
}

/* cmd_per_lun 4 on 4 queues of 64 */
VW_SCENARIO("vioscsi", depth_small_cmd_per_lun, NULL)
{
    small_cmd_per_lun(vm, 4, false);
}

/* Planted: StorPort's gate lets everything through; the device's count
 * catches the LUN overrun the driver does not prevent itself */
VW_SCENARIO("vioscsi", checker_depth_no_gate, "at one LUN at the model")
{
    small_cmd_per_lun(vm, 4, true);
}

/* The LUN depth is per LUN (storport/nf-storport-storportsetdevicequeuedepth,
 * PORT_CONFIGURATION_INFORMATION MaxIOsPerLun): 2 x 4 LUNs at cmd_per_lun
 * 8, 64 writes spread over them (8 each, from every CPU) all at the
 * miniport at once, never more than 8 at one LUN at the device */
VW_SCENARIO("vioscsi", depth_per_lun_adds_up, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    static uint8_t btl[DP_REQS][2], cdbs[DP_REQS][16], data[DP_REQS][SC_BLOCK], *bufs[DP_REQS];
    static unsigned lens[DP_REQS];
    static uint32_t sizes[DP_REQS];
    static bool in[DP_REQS];
    static struct vw_stor_result res[DP_REQS];
    sc_defaults(&o);
    o.sc.num_queues = 4;
    o.sc.cmd_per_lun = 8;
    o.queue_max = 64;
    o.targets = 2;
    o.luns = 4;
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (unsigned i = 0; i < DP_REQS; i++) {
        unsigned t = i % 2, l = i / 2 % 4;
        btl[i][0] = (uint8_t)t, btl[i][1] = (uint8_t)l;
        sc_rw16(cdbs[i], true, 10 + i, 1);
        sc_fill(data[i], SC_BLOCK, t, l, 10 + i, 5);
        bufs[i] = data[i], lens[i] = 16, sizes[i] = SC_BLOCK, in[i] = false;
    }
    if (!vw_stor_scsi_batch_at(vm, DP_REQS, (const uint8_t(*)[2])btl, (const uint8_t(*)[16])cdbs,
                               lens, bufs, sizes, in, res))
        goto out;
    for (unsigned i = 0; i < DP_REQS && !vm->failed; i++)
        VW_EXPECT(vm, (res[i].srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
                  "write %u to %u:%u: SRB 0x%02x", i, btl[i][0], btl[i][1], res[i].srb_status);
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    uint64_t most = vmodel_scsi_stats(h.scsi->model)->max_lun_cmds;
    vw_log(vm, "8 LUNs at depth 8: %u at the miniport at most, %llu at one LUN at the device",
           st.max_outstanding, (unsigned long long)most);
    VW_EXPECT(vm, st.lun_depth == 8 && st.max_outstanding == DP_REQS && most <= 8,
              "LUN depth %u: %u of %u at the miniport at once (8 LUNs x 8), %llu at one LUN at "
              "the device",
              st.lun_depth, st.max_outstanding, DP_REQS, (unsigned long long)most);
out:
    sc_finish(vm, &h);
}
