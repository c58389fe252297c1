/*
 * NetKVM on a device that uses a send's chain (device-readable only,
 * virtio 1.2 5.1.6.2) with a used length it cannot have written (2.7.8.1:
 * len is the bytes written; 2.8.22.1 for the packed ring): the frame size
 * with its header, or 0xffffffff, on split and packed rings.  Four such
 * sends, then four with the device behaving.  As NDIS would, the emulation
 * then asks MiniportCheckForHangEx and resets the adapter when it says
 * hung.  Every send completes exactly once (the emulation fails a second
 * completion), each frame leaves intact, the later sends all succeed, the
 * model finds no rule broken, and nothing is read or written past a buffer
 * (the harness's memory checks).
 */
#include "nk_harness.h"

#define HT_N   4
#define HT_LEN 100

static void ht_run(struct vm *vm, uint32_t len, bool packed)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .packed = packed, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[NK_SEND_MAX * HT_LEN];
    size_t log_at = vm->log_len;
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){.tx_used_len = len});
    struct nk_mark m = nk_mark(vm);
    nk_send_frames(vm, buf, HT_LEN, 0, HT_N);
    unsigned done = nk_wait_completed_since(vm, m, HT_N);
    vmodel_net_set_hostile(r.net->model, &(struct vmodel_net_hostile){0});
    /* NDIS's check for hang, and its reset when the miniport says hung, as in hr_run */
    bool hung = false, addressing = false;
    uint32_t rstatus = 0;
    if (vw_ndis_check_for_hang(vm, &hung) && hung && vw_ndis_reset(vm, &rstatus, &addressing))
        VW_EXPECT(vm, rstatus == VW_NDIS_STATUS_SUCCESS,
                  "MiniportResetEx after the device broke a rule: 0x%08x", rstatus);
    unsigned first = done;
    done = nk_wait_completed_since(vm, m, HT_N);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    vw_log(vm,
           "netkvm hostile tx used length 0x%x: %u of %u sends completed (%u before the check "
           "for hang, hung %d, reset 0x%08x), %u driver log lines",
           len, done, HT_N, first, hung, rstatus, nk_dbg_lines(vm, log_at));
    VW_EXPECT(vm, ms->hostile_done >= HT_N, "the model misbehaved %llu times, %u sends",
              (unsigned long long)ms->hostile_done, HT_N);
    VW_EXPECT(vm, done == HT_N, "%u of %u sends completed with a used length on them", done, HT_N);
    nk_expect_wire(vm, &r, HT_LEN, 0, HT_N);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned failed = st.send_failed; /* a reset may fail the sends it found */
    m = nk_mark(vm);
    nk_send_frames(vm, buf, HT_LEN, 100, HT_N);
    done = nk_wait_completed_since(vm, m, HT_N);
    VW_EXPECT(vm, done == HT_N, "after them %u of %u sends completed", done, HT_N);
    nk_expect_wire(vm, &r, HT_LEN, 100, HT_N);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == st.sent && st.send_failed == failed,
              "%u of %u sends completed, %u failed after the device behaved", st.send_completed,
              st.sent, st.send_failed - failed);
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_hostile_tx_used_len, NULL)
{
    ht_run(vm, HT_LEN + 12, false);
}

VW_SCENARIO("netkvm", netkvm_hostile_tx_used_len_packed, NULL)
{
    ht_run(vm, HT_LEN + 12, true);
}

VW_SCENARIO("netkvm", netkvm_hostile_tx_used_len_ffffffff, NULL)
{
    ht_run(vm, ~0u, false);
}

VW_SCENARIO("netkvm", netkvm_hostile_tx_used_len_ffffffff_packed, NULL)
{
    ht_run(vm, ~0u, true);
}
