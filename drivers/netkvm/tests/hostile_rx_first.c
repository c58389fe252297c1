/*
 * A merged frame (MRG_RXBUF) whose FIRST buffer the device uses with a
 * length past that buffer's end (the model's used_len_past_first: its
 * writable bytes plus 1000; virtio 1.2 2.7.8.1 / 2.8.22.1: the device
 * writes at most the buffer), its other buffers as written, on split and
 * packed rings.  Four such 5000-byte frames (*JumboPacket 9014: page-sized
 * buffers, two per frame), then four good ones.  The whole frame is dropped,
 * its later buffers too (nothing is indicated of it, none as a frame of its
 * own), counted once each as a receive error (OID_GEN_RCV_ERROR +4,
 * OID_GEN_RCV_DISCARDS +0: network/oid-gen-rcv-error), and the driver's log
 * line carries the length the device wrote; the good frames arrive intact.
 */
#include "nk_harness.h"

#define HF_N   4
#define HF_LEN 5000

/* Does the log from byte FROM on hold the decimal VALUE as a whole number? */
static bool hf_logged(const struct vm *vm, size_t from, uint32_t value)
{
    char want[16];
    int n = snprintf(want, sizeof(want), "%u", value);
    for (size_t i = from; vm->log != NULL && n > 0 && i + (size_t)n <= vm->log_len; i++)
        if (memcmp(vm->log + i, want, (size_t)n) == 0 &&
            (i == 0 || vm->log[i - 1] < '0' || vm->log[i - 1] > '9') &&
            (i + (size_t)n == vm->log_len || vm->log[i + n] < '0' || vm->log[i + n] > '9'))
            return true;
    return false;
}

/* Frames K0..K0+HF_N-1 of HF_LEN bytes for the adapter on the wire. */
static void hf_inject(struct vm *vm, struct nk_rig *r, unsigned k0)
{
    static uint8_t f[HF_LEN];
    for (unsigned k = 0; k < HF_N && !vm->failed; k++) {
        nk_frame(f, HF_LEN, nk_mac, nk_peer, k0 + k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r->net->model, f, HF_LEN, NULL) >= 0,
                  "the model dropped frame %u", k0 + k);
    }
}

static void hf_run(struct vm *vm, bool packed)
{
    static const char *const kw[] = {"*JumboPacket", "9014", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .packed = packed,
                        .mtu = 9000,
                        .keywords = kw,
                        .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    size_t log_at = vm->log_len;
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.used_len_past_first = 1000});
    uint64_t err0 = nk_query_u64(vm, VW_OID_GEN_RCV_ERROR);
    uint64_t dis0 = nk_query_u64(vm, VW_OID_GEN_RCV_DISCARDS);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    uint64_t merged0 = ms->rx_merged;
    struct nk_mark m = nk_mark(vm);
    hf_inject(vm, &r, 0);
    vw_run_for(vm, 20000); /* 2 ms */
    unsigned bad_in = nk_mark(vm).indicated - m.indicated;
    vw_ndis_return_all(vm);
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){0});
    uint64_t err = nk_query_u64(vm, VW_OID_GEN_RCV_ERROR) - err0;
    uint64_t dis = nk_query_u64(vm, VW_OID_GEN_RCV_DISCARDS) - dis0;
    uint32_t value = ms->hostile_len;
    vw_log(vm,
           "netkvm merged first past: %u of %u indicated, errors +%llu, discards +%llu, the "
           "device's first used length %u",
           bad_in, HF_N, (unsigned long long)err, (unsigned long long)dis, value);
    VW_EXPECT(vm, ms->hostile_done >= HF_N && ms->rx_merged - merged0 >= HF_N,
              "the model misbehaved %llu times over %llu merged frames, %u sent",
              (unsigned long long)ms->hostile_done, (unsigned long long)(ms->rx_merged - merged0),
              HF_N);
    VW_EXPECT(vm, bad_in == 0, "%u indications from frames whose first buffer overflowed", bad_in);
    VW_EXPECT(vm, err == HF_N && dis == 0,
              "OID_GEN_RCV_ERROR +%llu, OID_GEN_RCV_DISCARDS +%llu for %u dropped frames "
              "(+%u and +0 expected: each counted once, as an error)",
              (unsigned long long)err, (unsigned long long)dis, HF_N, HF_N);
    VW_EXPECT(vm, hf_logged(vm, log_at, value),
              "no driver log line carries the device's used length %u", value);
    /* The device behaves again: good frames, merged too, arrive intact */
    struct nk_mark m2 = nk_mark(vm);
    hf_inject(vm, &r, 100);
    unsigned good = nk_wait_indicated_since(vm, m2, HF_N);
    nk_expect_received(vm, m2.indicated, HF_LEN, 100, good, "good frames");
    VW_EXPECT(vm, good == HF_N, "%u of %u good frames indicated after", good, HF_N);
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_hostile_rx_merged_first_past, NULL)
{
    hf_run(vm, false);
}

VW_SCENARIO("netkvm", netkvm_hostile_rx_merged_first_past_packed, NULL)
{
    hf_run(vm, true);
}
