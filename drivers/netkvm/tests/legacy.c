/*
 * NetKVM on the older virtio-net functions QEMU still gives
 * (disable-modern=on, older machine types): a legacy-only device (1AF4:1000,
 * the I/O BAR, no VERSION_1) on the INTx line or with MSI-X (the device
 * configuration then starts at offset 24 of the I/O BAR, not 20: virtio 1.2
 * 4.1.4.8), and a transitional one (both register files: the driver must
 * use the modern one and VERSION_1).  Each: the MAC the device has, the
 * link up and a link change seen, checksums asked both ways, plain frames
 * both ways byte for byte, an NDIS reset, frames again, and a halt that
 * leaves nothing.  On the line the emulation checks every ISR call
 * (port/ndis/hw.c: claims exactly what its device asserted, reads the ISR
 * status before it returns); an interrupt of another device on the shared
 * line (ISR status 0) must be declined.
 */
#include "nkoff.h"

#define NK_OLD_FRAMES 4

/* Frames of 60..1514 bytes each way, byte for byte. */
static void nk_old_frames(struct vm *vm, struct nk_rig *r, unsigned k0)
{
    static const unsigned len[NK_OLD_FRAMES] = {60, 333, 1000, 1514};
    static uint8_t buf[NK_LEN_MAX], got[2048];
    for (unsigned i = 0; i < NK_OLD_FRAMES && !vm->failed; i++) {
        struct nk_mark m = nk_mark(vm);
        nk_send_frames(vm, buf, len[i], k0 + i, 1);
        VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "send of %u bytes not completed",
                  len[i]);
        nk_expect_wire(vm, r, len[i], k0 + i, 1);
        nk_inject_frames(vm, r, len[i], k0 + i, 1);
        VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "frame of %u bytes not indicated",
                  len[i]);
        uint8_t want[NK_LEN_MAX];
        nk_frame(want, len[i], nk_mac, nk_peer, k0 + i);
        VW_EXPECT(vm,
                  vw_ndis_received(vm, m.indicated, got, sizeof(got)) == len[i] &&
                      memcmp(got, want, len[i]) == 0,
                  "frame of %u bytes indicated different", len[i]);
        vw_ndis_return_all(vm);
    }
}

/* Received frames with their checksums: good TCP and UDP over both versions,
 * one partial (NEEDS_CSUM): indicated with "succeeded" bits the emulation
 * checks against each frame. */
static void nk_old_rx_csum(struct vm *vm, struct nk_rig *r)
{
    static uint8_t f[4][1514];
    struct nk_mark m = nk_mark(vm);
    struct vw_ndis_offload_stats before, after;
    vw_ndis_offload_stats(vm, &before);
    struct vmodel_net_rx_opts partial = {.queue = -1, .partial_csum = true};
    for (unsigned i = 0; i < 4 && !vm->failed; i++) {
        unsigned len = ndis_frame_build(f[i], i & 1 ? 6 : 4, i & 2 ? 17 : 6, 300,
                                        (uint16_t)(3000 + i), nk_mac, nk_peer, false);
        VW_EXPECT(vm,
                  vmodel_net_wire_inject(r->net->model, f[i], len, i == 3 ? &partial : NULL) >= 0,
                  "the model dropped checksum frame %u", i);
    }
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 4) == 4, "not every checksum frame indicated");
    vw_ndis_offload_stats(vm, &after);
    VW_EXPECT(vm, after.rx_csum_flagged - before.rx_csum_flagged >= 4,
              "%u of the 4 frames reported with checksum bits",
              after.rx_csum_flagged - before.rx_csum_flagged);
    vw_ndis_return_all(vm);
}

/* The link down and up: one NDIS_STATUS_LINK_STATE each way (the status read
 * from the device configuration where the transport puts it). */
static void nk_old_link_flap(struct vm *vm, struct nk_rig *r)
{
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned before = st.link_indications;
    for (int up = 0; up < 2 && !vm->failed; up++) {
        vmodel_net_set_link(r->net->model, up);
        for (int i = 0; i < 20 && !vm->failed; i++)
            vw_run_for(vm, 100);
        vw_ndis_stats(vm, &st);
        VW_EXPECT(vm,
                  st.link_indications == before + 1 + (unsigned)up &&
                      st.media_connect == (up ? 1u : 2u),
                  "link %s: %u indications, state %u", up ? "up" : "down",
                  st.link_indications - before, st.media_connect);
    }
}

/* NDIS's reset: SUCCESS, the addressing kept, frames both ways after it. */
static void nk_old_reset(struct vm *vm, struct nk_rig *r)
{
    bool hung = true, addressing = true;
    uint32_t status = 1;
    if (!vw_ndis_check_for_hang(vm, &hung) || !vw_ndis_reset(vm, &status, &addressing))
        return;
    VW_EXPECT(vm, !hung, "an idle adapter reported hung");
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS && !addressing,
              "MiniportResetEx: 0x%08x, AddressingReset %d", status, addressing);
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    nk_old_frames(vm, r, 40);
}

/* An interrupt another device raised on the shared line, while idle: the
 * ISR status reads 0 and the ISR declines it (the emulation fails a claim);
 * frames flow after it. */
static void nk_old_shared_line(struct vm *vm, struct nk_rig *r)
{
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned calls = st.line_isr_calls, declined = st.line_declined;
    vw_intr_raise(vm, r->net->dev->pdo, 0);
    vw_run_for(vm, 1000);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.line_isr_calls == calls + 1 && st.line_declined == declined + 1,
              "the other device's interrupt: %u ISR calls, %u declined (1 and 1 expected)",
              st.line_isr_calls - calls, st.line_declined - declined);
    nk_old_frames(vm, r, 60);
}

/* netkvm on transport T, MSI-X or the line, on CPUS processors (0: the
 * run's): everything above, then the halt. */
static void nk_old(struct vm *vm, enum vmodel_transport t, bool msix, uint16_t cpus)
{
    struct nk_rig r;
    struct nk_opts o = {
        .mrg_rxbuf = true, .transport = t, .line = !msix, .cpus = cpus, .add = NKOFF_FEATURES};
    if (!nk_up(vm, &r, &o) || !nkoff_enable(vm, false))
        return;
    uint64_t drv = vmodel_driver_features(r.net->dev->model);
    VW_EXPECT(vm, (drv >> 32 & 1) == (t != VMODEL_LEGACY),
              "driver features 0x%llx: VERSION_1 %s on a %s device", (unsigned long long)drv,
              drv >> 32 & 1 ? "accepted" : "not accepted",
              t == VMODEL_LEGACY ? "legacy" : "transitional");
    uint8_t mac[6] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(mac, nk_mac, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS: status 0x%08x, %02x:%02x:%02x:%02x:%02x:%02x, not the "
              "device's MAC",
              status, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.media_connect == 1, "InitializeEx reported media connect state %u, not up",
              st.media_connect);
    nk_old_link_flap(vm, &r);
    static const unsigned payload[4] = {1, 100, 1000, 1400};
    nkoff_tx_checked(vm, &r, 4, 6, payload, 1000);
    nkoff_tx_checked(vm, &r, 6, 17, payload, 1100);
    nk_old_rx_csum(vm, &r);
    nk_old_frames(vm, &r, 0);
    if (!msix)
        nk_old_shared_line(vm, &r);
    nk_old_reset(vm, &r);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm,
              msix ? st.line_isr_calls == 0
                   : st.line_isr_calls > 0 && st.isr_calls == st.line_isr_calls,
              "%u ISR calls, %u on the line (%s expected)", st.isr_calls, st.line_isr_calls,
              msix ? "none" : "all");
    vw_log(vm, "netkvm: %s device, %s: %u ISR calls (%u declined), %u DPC calls",
           t == VMODEL_LEGACY ? "legacy" : "transitional", msix ? "MSI-X" : "the line",
           st.isr_calls, st.line_declined, st.dpc_calls);
    nk_down_clean(vm, &r);
}

/* The legacy-only device on x86 and amd64, where its I/O BAR is ports; on
 * arm64 (I/O space translated to memory) netkvm_legacy_arm64_io_bar. */
#define NK_PORT_ARCHES (VW_ARCH_BIT(VW_X86) | VW_ARCH_BIT(VW_AMD64))

/* Two scenarios on ARCHES (0: every arch), each nk_old on transport T with
 * MSI-X or the line: NAME on the run's processors, NAME_64 on 64 whatever
 * CPUS the run has (x86: 32, the most 32-bit Windows runs): DPCs of the
 * line and of each message on any processor, sends from one.  Both names
 * are spelled out: the runner's --only, the README and CI history use
 * them. */
#define NK_OLD_SCENARIOS(NAME, NAME_64, ARCHES, T, MSIX)                                           \
    VW_SCENARIO_ON("netkvm", NAME, NULL, ARCHES)                                                   \
    {                                                                                              \
        nk_old(vm, T, MSIX, 0);                                                                    \
    }                                                                                              \
    VW_SCENARIO_ON("netkvm", NAME_64, NULL, ARCHES)                                                \
    {                                                                                              \
        nk_old(vm, T, MSIX, 64);                                                                   \
    }

NK_OLD_SCENARIOS(netkvm_legacy_line, netkvm_legacy_line_64_cpus, NK_PORT_ARCHES, VMODEL_LEGACY,
                 false)
NK_OLD_SCENARIOS(netkvm_legacy_msix, netkvm_legacy_msix_64_cpus, NK_PORT_ARCHES, VMODEL_LEGACY,
                 true)
NK_OLD_SCENARIOS(netkvm_transitional_msix, netkvm_transitional_msix_64_cpus, 0, VMODEL_TRANSITIONAL,
                 true)
NK_OLD_SCENARIOS(netkvm_transitional_line, netkvm_transitional_line_64_cpus, 0, VMODEL_TRANSITIONAL,
                 false)
/* arm64: the I/O BAR reaches the driver as a memory range (the translated
 * resource Windows on ARM64 gives for PCI I/O space). */
NK_OLD_SCENARIOS(netkvm_legacy_arm64_io_bar, netkvm_legacy_arm64_io_bar_64_cpus,
                 VW_ARCH_BIT(VW_ARM64), VMODEL_LEGACY, false)

/* The legacy-only device on the line with one processor. */
VW_SCENARIO_ON("netkvm", netkvm_legacy_line_one_cpu, NULL, NK_PORT_ARCHES)
{
    nk_old(vm, VMODEL_LEGACY, false, 1);
}
