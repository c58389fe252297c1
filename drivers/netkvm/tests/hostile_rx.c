/*
 * NetKVM on a device that breaks the receive rules of virtio 1.2 5.1.6.4
 * (the model's hostile knobs, vmodel_net_set_hostile): a used length of 4,
 * shorter than the 12-byte virtio_net_hdr; num_buffers 0 (at least 1);
 * num_buffers 1000, beyond the 64 buffers posted; and NEEDS_CSUM with
 * csum_start past the frame (GUEST_CSUM negotiated); a used length past the
 * buffer's end (the device writes at most the buffer, 2.7.8.1 / 2.8.22.1:
 * by 1 byte, by 64 KiB, 0xffffffff), on split and packed rings; num_buffers
 * one more than the buffers the frame used.  Four such frames arrive, then
 * the device behaves and four good ones follow.  A broken frame is never
 * indicated as something it is not: each is dropped and counted
 * (OID_GEN_RCV_ERROR + OID_GEN_RCV_DISCARDS at least the frames dropped:
 * network/oid-gen-rcv-error, network/oid-gen-rcv-discards), or, for the
 * checksum claim alone, indicated byte for byte as sent (its checksum
 * judged in software, which the emulation checks); the four good frames
 * are indicated intact after them, the model finds no rule broken, and
 * pause, halt and unload leave nothing.  No driver write outside its
 * buffers goes unseen: the harness's memory checks.
 */
#include "nk_harness.h"
#include "port/ndis/frame.h"

#define HR_N   4
#define HR_LEN 100

enum hr_mode {
    HR_USED_SHORT,
    HR_NB_ZERO,
    HR_NB_BEYOND,
    HR_CSUM_BEYOND,
    HR_PAST_LITTLE,
    HR_PAST_LOT,
    HR_PAST_MAX,
    HR_NB_EXTRA
};

/* Frame K: UDP/IPv4 to the adapter with right checksums. */
static unsigned hr_frame(uint8_t *f, unsigned k)
{
    return ndis_frame_build(f, 4, 17, HR_LEN - 42, (uint16_t)(3000 + k), nk_mac, nk_peer, false);
}

static void hr_run(struct vm *vm, enum hr_mode mode, bool packed)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .packed = packed,
                        .shape = {.queue_max = 64},
                        .add = mode == HR_CSUM_BEYOND ? 1ull << VIRTIO_NET_F_GUEST_CSUM : 0};
    if (!nk_up(vm, &r, &o))
        return;
    struct vmodel_net_hostile h = {0};
    if (mode == HR_USED_SHORT)
        h.used_len = 4;
    else if (mode == HR_NB_ZERO)
        h.num_buffers_zero = true;
    else if (mode == HR_NB_BEYOND)
        h.num_buffers = 1000;
    else if (mode == HR_CSUM_BEYOND)
        h.csum_start_beyond = true;
    else if (mode == HR_PAST_LITTLE)
        h.used_len_past = 1;
    else if (mode == HR_PAST_LOT)
        h.used_len_past = 65536;
    else if (mode == HR_PAST_MAX)
        h.used_len_past = ~0u;
    else if (mode == HR_NB_EXTRA)
        h.num_buffers_extra = 1;
    size_t log_at = vm->log_len;
    vmodel_net_set_hostile(r.net->model, &h);
    uint64_t before =
        nk_query_u64(vm, VW_OID_GEN_RCV_ERROR) + nk_query_u64(vm, VW_OID_GEN_RCV_DISCARDS);
    uint8_t f[HR_LEN], got[HR_LEN + 64];
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < HR_N && !vm->failed; k++) {
        unsigned len = hr_frame(f, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, len, NULL) >= 0,
                  "the model dropped hostile frame %u", k);
    }
    vw_run_for(vm, 20000); /* 2 ms */
    unsigned bad_in = nk_mark(vm).indicated - m.indicated;
    /* Whatever was indicated of the broken frames is one of them, intact */
    for (unsigned i = 0; i < bad_in && !vm->failed; i++) {
        unsigned len = vw_ndis_received(vm, m.indicated + i, got, sizeof(got)), ok = 0;
        for (unsigned k = 0; k < HR_N && !ok; k++)
            ok = len == hr_frame(f, k) && memcmp(got, f, len) == 0;
        VW_EXPECT(vm, ok, "hostile frame indicated as %u bytes other than any sent", len);
    }
    vw_ndis_return_all(vm);
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){0});
    uint64_t counted =
        nk_query_u64(vm, VW_OID_GEN_RCV_ERROR) + nk_query_u64(vm, VW_OID_GEN_RCV_DISCARDS) - before;
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    unsigned dbg = nk_dbg_lines(vm, log_at);
    vw_log(vm,
           "netkvm hostile mode %d: %u of %u indicated, %llu counted as errors or discards, %u "
           "driver log lines",
           mode, bad_in, HR_N, (unsigned long long)counted, dbg);
    VW_EXPECT(vm, ms->hostile_done >= HR_N, "the model misbehaved %llu times, %u frames",
              (unsigned long long)ms->hostile_done, HR_N);
    VW_EXPECT(vm, bad_in + counted >= HR_N,
              "of %u broken frames %u indicated and %llu counted dropped", HR_N, bad_in,
              (unsigned long long)counted);
    VW_EXPECT(vm, mode == HR_CSUM_BEYOND || bad_in == 0,
              "%u frames indicated from buffers the device described wrongly", bad_in);
    /* A device that wrote past a buffer may be taken for broken: NDIS asks
     * MiniportCheckForHangEx (every 2 s by default) and resets the adapter when
     * it says hung (network/miniport-adapter-check-for-hang-and-reset-operations);
     * the older modes run without, as before */
    bool past = mode == HR_PAST_LITTLE || mode == HR_PAST_LOT || mode == HR_PAST_MAX;
    bool hung = false, addressing = false;
    uint32_t rstatus = 0;
    if (past && vw_ndis_check_for_hang(vm, &hung) && hung &&
        vw_ndis_reset(vm, &rstatus, &addressing))
        VW_EXPECT(vm, rstatus == VW_NDIS_STATUS_SUCCESS,
                  "MiniportResetEx after the device broke a rule: 0x%08x", rstatus);
    if (past)
        vw_log(vm, "netkvm hostile mode %d: check for hang says hung %d, reset 0x%08x", mode, hung,
               rstatus);
    /* The device behaves again: good frames flow */
    struct nk_mark m2 = nk_mark(vm);
    for (unsigned k = 0; k < HR_N && !vm->failed; k++) {
        unsigned len = hr_frame(f, 100 + k);
        vmodel_net_wire_inject(r.net->model, f, len, NULL);
    }
    unsigned good = nk_wait_indicated_since(vm, m2, HR_N), intact = 0;
    for (unsigned i = 0; i < good; i++) {
        unsigned len = vw_ndis_received(vm, m2.indicated + i, got, sizeof(got));
        for (unsigned k = 100; k < 100 + HR_N; k++)
            if (len == hr_frame(f, k) && memcmp(got, f, len) == 0)
                intact++;
    }
    VW_EXPECT(vm, good == HR_N && intact == HR_N,
              "after the hostile frames %u of %u good frames indicated, %u intact", good, HR_N,
              intact);
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}

/* Scenario NAME: hr_run in MODE, on the packed ring when PACKED (the name
 * spelled out for the runner's --only and the README). */
#define HR_SCENARIO(NAME, MODE, PACKED)                                                            \
    VW_SCENARIO("netkvm", NAME, NULL)                                                              \
    {                                                                                              \
        hr_run(vm, MODE, PACKED);                                                                  \
    }

HR_SCENARIO(netkvm_hostile_rx_used_len_short, HR_USED_SHORT, false)
HR_SCENARIO(netkvm_hostile_rx_num_buffers_zero, HR_NB_ZERO, false)
HR_SCENARIO(netkvm_hostile_rx_num_buffers_beyond_posted, HR_NB_BEYOND, false)
HR_SCENARIO(netkvm_hostile_rx_csum_start_beyond_frame, HR_CSUM_BEYOND, false)
HR_SCENARIO(netkvm_hostile_rx_num_buffers_one_extra, HR_NB_EXTRA, false)
HR_SCENARIO(netkvm_hostile_rx_num_buffers_one_extra_packed, HR_NB_EXTRA, true)
HR_SCENARIO(netkvm_hostile_rx_used_len_past_by_1, HR_PAST_LITTLE, false)
HR_SCENARIO(netkvm_hostile_rx_used_len_past_by_1_packed, HR_PAST_LITTLE, true)
HR_SCENARIO(netkvm_hostile_rx_used_len_past_by_64k, HR_PAST_LOT, false)
HR_SCENARIO(netkvm_hostile_rx_used_len_past_by_64k_packed, HR_PAST_LOT, true)
HR_SCENARIO(netkvm_hostile_rx_used_len_ffffffff, HR_PAST_MAX, false)
HR_SCENARIO(netkvm_hostile_rx_used_len_ffffffff_packed, HR_PAST_MAX, true)

/* ifInDiscards and ifInErrors of OID_GEN_STATISTICS (NDIS_STATISTICS_INFO:
 * the 8-byte header and SupportedStatistics, then the two in that order). */
static void hs_statistics(struct vm *vm, uint64_t *discards, uint64_t *errors)
{
    uint8_t info[8 + 8 * 18] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_GEN_STATISTICS, info, sizeof(info), &status, &done) &&
                  status == 0 && done >= 24,
              "OID_GEN_STATISTICS: status 0x%08x, %u bytes", status, done);
    *discards = *errors = 0;
    for (unsigned i = 0; i < 8; i++) {
        *discards |= (uint64_t)info[8 + i] << (8 * i);
        *errors |= (uint64_t)info[16 + i] << (8 * i);
    }
}

/*
 * One frame the device describes wrongly (a used length of 4, below the
 * header): it held an error that kept it from the protocol, so ifInErrors
 * (RFC 2863, which OID_GEN_STATISTICS's NDIS_STATISTICS_INFO follows:
 * network/oid-gen-statistics) rises by exactly one; OID_GEN_RCV_ERROR and
 * OID_GEN_RCV_DISCARDS equal ifInErrors and ifInDiscards (their pages:
 * "identical to the ifInErrors / ifInDiscards counter"), and ifInDiscards
 * rises by at most one (RFC 2863: 0, no error-free frame was discarded;
 * the older Compact 2013 page of OID_GEN_RCV_DISCARDS: errors plus
 * no-buffer drops, 1).
 */
VW_SCENARIO("netkvm", netkvm_hostile_rx_one_frame_statistics, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t d0, e0, d1, e1;
    hs_statistics(vm, &d0, &e0);
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.used_len = 4});
    uint8_t f[HR_LEN];
    struct nk_mark m = nk_mark(vm);
    unsigned len = hr_frame(f, 0);
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, len, NULL) >= 0,
              "the model dropped the hostile frame");
    vw_run_for(vm, 20000); /* 2 ms */
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){0});
    hs_statistics(vm, &d1, &e1);
    uint64_t rcv_error = nk_query_u64(vm, VW_OID_GEN_RCV_ERROR),
             rcv_discards = nk_query_u64(vm, VW_OID_GEN_RCV_DISCARDS);
    vw_log(vm,
           "netkvm one hostile frame: ifInErrors +%llu, ifInDiscards +%llu; OID_GEN_RCV_ERROR "
           "%llu, OID_GEN_RCV_DISCARDS %llu",
           (unsigned long long)(e1 - e0), (unsigned long long)(d1 - d0),
           (unsigned long long)rcv_error, (unsigned long long)rcv_discards);
    VW_EXPECT(vm, nk_mark(vm).indicated == m.indicated, "the hostile frame was indicated");
    VW_EXPECT(vm, e1 - e0 == 1, "ifInErrors rose by %llu for one frame with an error",
              (unsigned long long)(e1 - e0));
    VW_EXPECT(vm, d1 - d0 <= 1, "ifInDiscards rose by %llu for one frame",
              (unsigned long long)(d1 - d0));
    VW_EXPECT(vm, rcv_error == e1 && rcv_discards == d1,
              "OID_GEN_RCV_ERROR %llu / OID_GEN_RCV_DISCARDS %llu, statistics %llu / %llu",
              (unsigned long long)rcv_error, (unsigned long long)rcv_discards,
              (unsigned long long)e1, (unsigned long long)d1);
    nk_down(vm, &r);
}
