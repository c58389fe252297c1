/*
 * NetKVM's task offload configuration under the NDIS emulation: transmit
 * checksums are offered only on a device offering VIRTIO_NET_F_CSUM.
 * OID_TCP_OFFLOAD_PARAMETERS turning every checksum off succeeds and is
 * followed by NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG with no IPv4
 * transmit checksum (network/oid-tcp-offload-parameters); turning the
 * TCP/IPv4 one on is refused with NDIS_STATUS_INVALID_DATA and changes
 * nothing without CSUM, and succeeds, indicated, with it.  Malformed requests get one
 * clear status each; OID_OFFLOAD_ENCAPSULATION takes IEEE 802.3 only.
 */
#include "nk_harness.h"

#define OF_PARAMS_REV1 20u /* NDIS_SIZEOF_OFFLOAD_PARAMETERS_REVISION_1 */
#define OF_ENCAP_SIZE  28u /* NDIS_OFFLOAD_ENCAPSULATION, revision 1 */

/* OFFER_CSUM: the device offers CSUM besides the defaults (transmit checksums offered). */
static void of_csum_offered(struct vm *vm, bool offer_csum)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = offer_csum ? 1ull << VIRTIO_NET_F_CSUM : 0};
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
    vw_ndis_stats(vm, &st);
    if (offer_csum) {
        VW_EXPECT(vm, status == 0, "TCP/IPv4 transmit checksum on, offered: status 0x%08x", status);
        VW_EXPECT(vm, st.offload_tx4 != 0, "after turning it on: IPv4 transmit 0x%x",
                  st.offload_tx4);
    } else {
        VW_EXPECT(vm, status == VW_NDIS_STATUS_INVALID_DATA,
                  "TCP/IPv4 transmit checksum on, not offered: status 0x%08x", status);
        VW_EXPECT(vm, st.offload_tx4 == 0, "after the refusal: IPv4 transmit 0x%x", st.offload_tx4);
    }
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_offload_parameters_nothing_offered, NULL)
{
    of_csum_offered(vm, false);
}

VW_SCENARIO("netkvm", netkvm_offload_parameters_csum_device, NULL)
{
    of_csum_offered(vm, true);
}

/* NDIS_OFFLOAD_ENCAPSULATION: header, then IPv4 and IPv6 {Enabled, type, header size}. */
static void of_encap(uint8_t *e, uint32_t type)
{
    uint32_t v[6] = {1, type, 14, 1, type, 14}; /* NDIS_OFFLOAD_SET_ON */
    memset(e, 0, OF_ENCAP_SIZE);
    e[0] = 0xA8, e[1] = 1, e[2] = OF_ENCAP_SIZE; /* NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION */
    memcpy(e + 4, v, sizeof(v));
}

/* A short buffer, a header that is not NDIS_OBJECT_TYPE_DEFAULT, an
 * encapsulation other than IEEE 802.3: refused; IEEE 802.3 accepted. */
VW_SCENARIO("netkvm", netkvm_offload_malformed_requests, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t buf[64] = {0};
    uint32_t status = 0, done = 0;
    vw_ndis_oid(vm, true, VW_OID_TCP_OFFLOAD_PARAMETERS, buf, 4, &status, &done);
    VW_EXPECT(vm, status == VW_NDIS_STATUS_INVALID_LENGTH,
              "4-byte OID_TCP_OFFLOAD_PARAMETERS: 0x%08x", status);
    vw_ndis_oid(vm, true, VW_OID_TCP_OFFLOAD_PARAMETERS, buf, OF_PARAMS_REV1, &status, &done);
    VW_EXPECT(vm, status == VW_NDIS_STATUS_INVALID_DATA, "header type 0: 0x%08x", status);
    of_encap(buf, 1); /* NDIS_ENCAPSULATION_NULL */
    vw_ndis_oid(vm, true, VW_OID_OFFLOAD_ENCAPSULATION, buf, OF_ENCAP_SIZE, &status, &done);
    VW_EXPECT(vm, status == VW_NDIS_STATUS_INVALID_PARAMETER, "NULL encapsulation: 0x%08x", status);
    of_encap(buf, VW_NDIS_ENCAPSULATION_IEEE_802_3);
    VW_EXPECT(
        vm,
        vw_ndis_oid(vm, true, VW_OID_OFFLOAD_ENCAPSULATION, buf, OF_ENCAP_SIZE, &status, &done) &&
            status == 0,
        "IEEE 802.3 encapsulation: 0x%08x", status);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.offload_tx4 == 0, "current config after encapsulation: 0x%x", st.offload_tx4);
    nk_down(vm, &r);
}
