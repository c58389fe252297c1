/*
 * NetKVM's task offload configuration under the NDIS emulation: the send
 * and receive paths do not offload yet, so nothing is offered, even on a
 * device offering VIRTIO_NET_F_CSUM.  OID_TCP_OFFLOAD_PARAMETERS turning
 * every checksum off succeeds and is followed by
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG with no IPv4 transmit checksum
 * (network/oid-tcp-offload-parameters); turning one on is refused with
 * NDIS_STATUS_INVALID_DATA and changes nothing.
 */
#include "nk_harness.h"

#define OF_INVALID_DATA 0xC0230015u /* NDIS_STATUS_INVALID_DATA */
#define OF_F_CSUM       0           /* VIRTIO_NET_F_CSUM */

/* OFFER_CSUM: the device offers CSUM besides the defaults. */
static void of_nothing_offered(struct vm *vm, bool offer_csum)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = offer_csum ? 1ull << OF_F_CSUM : 0};
    if (!nk_up(vm, &r, &o))
        return;
    static const uint8_t off[5] = {1, 1, 1, 1, 1};  /* NDIS_OFFLOAD_PARAMETERS_TX_RX_DISABLED */
    static const uint8_t tcp4[5] = {0, 2, 0, 0, 0}; /* TCP/IPv4 TX_ENABLED_RX_DISABLED */
    uint32_t status = 1;
    VW_EXPECT(vm, vw_ndis_set_offload_parameters(vm, off, &status) && status == 0,
              "every checksum off: status 0x%08x", status);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.offload_tx4 == 0, "current config after all off: IPv4 transmit 0x%x",
              st.offload_tx4);
    status = 0;
    vw_ndis_set_offload_parameters(vm, tcp4, &status);
    VW_EXPECT(vm, status == OF_INVALID_DATA,
              "TCP/IPv4 transmit checksum on, not offered: status 0x%08x", status);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.offload_tx4 == 0, "after the refusal: IPv4 transmit 0x%x", st.offload_tx4);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_offload_parameters_nothing_offered, NULL)
{
    of_nothing_offered(vm, false);
}

VW_SCENARIO("netkvm", netkvm_offload_parameters_csum_device, NULL)
{
    of_nothing_offered(vm, true);
}
