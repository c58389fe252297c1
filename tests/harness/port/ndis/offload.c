/*
 * The task offload attributes a miniport gives NdisMSetMiniportAttributes
 * in InitializeEx (ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes):
 * header NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES revision 1 of
 * its size, DefaultOffloadConfiguration ("the current offload
 * capabilities") and HardwareOffloadCapabilities ("all the task offload
 * capabilities ... including capabilities that are currently disabled")
 * both NDIS_OFFLOAD (header NDIS_OBJECT_TYPE_OFFLOAD, revision 1's size at
 * least: ndis/ns-ndis-_ndis_offload).  So what is current is a subset of
 * the hardware's: every checksum and LSOv2 encapsulation bit, every
 * checksum/option field NDIS_OFFLOAD_SUPPORTED by default is supported by
 * the hardware too (ntddndis/ns-ntddndis-_ndis_tcp_ip_checksum_offload),
 * and the default LSOv2 MaxOffLoadSize is no larger than the hardware's
 * (ntddndis/ns-ntddndis-_ndis_tcp_large_send_offload_v2).
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"
#include "layout.h"

/* An NDIS_OFFLOAD's header, of a revision the miniport's NDIS version has
 * (WHO: the call that gave it); false and the run failed when it is not. */
static bool offload_header(struct vm *vm, gva_t o, const char *which, const char *who)
{
    uint64_t rev1 = VW_OFFSET(vm, NDIS_OFFLOAD, Flags) + 4;
    unsigned type = o ? (unsigned)vw_rd(vm, o, 1) : 0, rev = o ? (unsigned)vw_rd(vm, o + 1, 1) : 0;
    unsigned size = o ? (unsigned)vw_rd(vm, o + 2, 2) : 0;
    if (o != 0 && type == VW_NDIS_OBJECT_TYPE_OFFLOAD && rev >= 1 && size >= rev1)
        return ndis_version_allows(vm, NDIS_REV_OFFLOAD, rev, who);
    vw_fail(vm,
            "NdisMSetMiniportAttributes: offload attributes' %s is %s (header type 0x%x "
            "revision %u size %u; an NDIS_OFFLOAD of at least %" PRIu64
            " bytes: ndis/ns-ndis-_ndis_offload)",
            which, o ? "no NDIS_OFFLOAD" : "NULL", type, rev, size, rev1);
    return false;
}

/* Default's 2-bit fields in the word at D and H: SUPPORTED (1) only where
 * the hardware's is too.  NFIELDS fields from bit 0. */
static bool fields_subset(struct vm *vm, gva_t d, gva_t h, unsigned nfields, const char *what)
{
    uint32_t dv = (uint32_t)vw_rd(vm, d, 4), hv = (uint32_t)vw_rd(vm, h, 4);
    for (unsigned i = 0; i < nfields; i++)
        if (((dv >> (2 * i)) & 3) == 1 && ((hv >> (2 * i)) & 3) != 1) {
            vw_fail(vm,
                    "NdisMSetMiniportAttributes: the default offload configuration supports %s "
                    "field %u, the hardware capabilities do not (the current configuration is "
                    "part of what the hardware supports: "
                    "ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes)",
                    what, i);
            return false;
        }
    return true;
}

static bool encap_subset(struct vm *vm, gva_t d, gva_t h, const char *what)
{
    uint32_t dv = (uint32_t)vw_rd(vm, d, 4), hv = (uint32_t)vw_rd(vm, h, 4);
    if ((dv & ~hv) == 0)
        return true;
    vw_fail(vm,
            "NdisMSetMiniportAttributes: the default offload configuration's %s Encapsulation "
            "0x%x is not within the hardware's 0x%x "
            "(ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes)",
            what, dv, hv);
    return false;
}

bool ndis_offload_attributes(struct vm *vm, gva_t a)
{
    unsigned rev = (unsigned)vw_rd(vm, a + 1, 1), size = (unsigned)vw_rd(vm, a + 2, 2);
    if (rev != 1 || size < VW_SIZEOF(vm, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES)) {
        vw_fail(vm,
                "NdisMSetMiniportAttributes: offload attributes revision %u size %u "
                "(revision 1, %" PRIu64 " bytes)",
                rev, size, VW_SIZEOF(vm, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES));
        return false;
    }
    gva_t d = vw_rdptr(vm, a + VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
                                         DefaultOffloadConfiguration));
    gva_t h = vw_rdptr(vm, a + VW_OFFSET(vm, NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,
                                         HardwareOffloadCapabilities));
    if (!offload_header(vm, d, "DefaultOffloadConfiguration",
                        "NdisMSetMiniportAttributes: DefaultOffloadConfiguration") ||
        !offload_header(vm, h, "HardwareOffloadCapabilities",
                        "NdisMSetMiniportAttributes: HardwareOffloadCapabilities"))
        return false;
    /* Checksum: IPv4Transmit, IPv4Receive (5 fields), IPv6Transmit,
     * IPv6Receive (4 fields); each an Encapsulation ULONG then the fields. */
    static const char *const names[4] = {"IPv4Transmit", "IPv4Receive", "IPv6Transmit",
                                         "IPv6Receive"};
    uint64_t cs = VW_OFFSET(vm, NDIS_OFFLOAD, Checksum);
    uint64_t at[4] = {0, VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv4Receive),
                      VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Transmit),
                      VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Receive)};
    for (unsigned i = 0; i < 4; i++) {
        uint64_t o = cs + at[i];
        if (!encap_subset(vm, d + o, h + o, names[i]) ||
            !fields_subset(vm, d + o + 4, h + o + 4, i < 2 ? 5 : 4, names[i]))
            return false;
    }
    /* LSOv2: IPv4 {Encapsulation, MaxOffLoadSize, MinSegmentCount}, IPv6
     * {the same, then IpExtensionHeadersSupported and TcpOptionsSupported}. */
    uint64_t l4 = VW_OFFSET(vm, NDIS_OFFLOAD, LsoV2);
    uint64_t l6 = l4 + VW_OFFSET(vm, NDIS_TCP_LARGE_SEND_OFFLOAD_V2, IPv6);
    static const char *const lso[2] = {"LsoV2.IPv4", "LsoV2.IPv6"};
    uint64_t lat[2] = {l4, l6};
    for (unsigned i = 0; i < 2; i++) {
        uint32_t dmax = (uint32_t)vw_rd(vm, d + lat[i] + 4, 4);
        uint32_t hmax = (uint32_t)vw_rd(vm, h + lat[i] + 4, 4);
        if (!encap_subset(vm, d + lat[i], h + lat[i], lso[i]))
            return false;
        if (vw_rd(vm, d + lat[i], 4) != 0 && dmax > hmax) {
            vw_fail(vm,
                    "NdisMSetMiniportAttributes: default %s MaxOffLoadSize %u above the "
                    "hardware's %u (ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes)",
                    lso[i], dmax, hmax);
            return false;
        }
    }
    if (!fields_subset(vm, d + l6 + 12, h + l6 + 12, 2, "LsoV2.IPv6"))
        return false;
    ndis_offload_read_current(vm, d, (uint32_t)vw_rd(vm, d + 2, 2));
    return true;
}

/* Reads the NDIS_OFFLOAD at O (SIZE bytes) as the current configuration:
 * the checksum words, LSOv2, RSC from revision 3's Rsc member on, USO from
 * revision 6's UdpSegmentation on. */
void ndis_offload_read_current(struct vm *vm, gva_t o, uint32_t size)
{
    struct ndis_offload_cfg *c = &ndis_state(vm)->cur;
    uint64_t cs = VW_OFFSET(vm, NDIS_OFFLOAD, Checksum);
    uint64_t at[4] = {0, VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv4Receive),
                      VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Transmit),
                      VW_OFFSET(vm, NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Receive)};
    memset(c, 0, sizeof(*c));
    for (unsigned i = 0; i < 4; i++) {
        c->csum_encap[i] = (uint32_t)vw_rd(vm, o + cs + at[i], 4);
        c->csum[i] = (uint32_t)vw_rd(vm, o + cs + at[i] + 4, 4);
    }
    uint64_t l[2] = {VW_OFFSET(vm, NDIS_OFFLOAD, LsoV2),
                     VW_OFFSET(vm, NDIS_OFFLOAD, LsoV2) +
                         VW_OFFSET(vm, NDIS_TCP_LARGE_SEND_OFFLOAD_V2, IPv6)};
    for (unsigned i = 0; i < 2; i++) {
        c->lso_encap[i] = (uint32_t)vw_rd(vm, o + l[i], 4);
        c->lso_max[i] = (uint32_t)vw_rd(vm, o + l[i] + 4, 4);
        c->lso_min[i] = (uint32_t)vw_rd(vm, o + l[i] + 8, 4);
    }
    uint64_t rsc = VW_OFFSET(vm, NDIS_OFFLOAD, Rsc);
    if (size >= rsc + VW_SIZEOF(vm, NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD)) {
        c->rsc[0] = vw_rd(vm, o + rsc, 1) != 0;
        c->rsc[1] = vw_rd(vm, o + rsc + 1, 1) != 0;
    }
    /* UdpSegmentation (revision 6, NDIS 6.83): IPv4 {Encapsulation,
     * MaxOffLoadSize, MinSegmentCount:6 ...}, IPv6 the same */
    uint64_t u = VW_OFFSET(vm, NDIS_OFFLOAD, UdpSegmentation);
    if (size >= u + VW_SIZEOF(vm, NDIS_UDP_SEGMENTATION_OFFLOAD)) {
        uint64_t ua[2] = {u, u + VW_OFFSET(vm, NDIS_UDP_SEGMENTATION_OFFLOAD, IPv6)};
        for (unsigned i = 0; i < 2; i++) {
            c->uso_encap[i] = (uint32_t)vw_rd(vm, o + ua[i], 4);
            c->uso_max[i] = (uint32_t)vw_rd(vm, o + ua[i] + 4, 4);
            c->uso_min[i] = (uint32_t)vw_rd(vm, o + ua[i] + 8, 4) & 0x3Fu;
        }
    }
}

/* OID_TCP_OFFLOAD_PARAMETERS as the stack sends it: an NDIS_OFFLOAD_PARAMETERS
 * of revision 1 (header NDIS_OBJECT_TYPE_DEFAULT), the five checksum values
 * given, everything else NDIS_OFFLOAD_PARAMETERS_NO_CHANGE.  The miniport
 * then reports its new current configuration with an
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication (network/oid-tcp-offload-parameters). */
bool vw_ndis_set_offload_parameters(struct vm *vm, const uint8_t checksums[5], uint32_t *status)
{
    struct ndis_state *s = ndis_state(vm);
    uint64_t size = VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, Flags) + 4;
    uint8_t p[64] = {0};
    p[0] = VW_NDIS_OBJECT_TYPE_DEFAULT, p[1] = 1, p[2] = (uint8_t)size;
    for (unsigned i = 0; i < 5; i++)
        p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, IPv4Checksum) + i] = checksums[i];
    unsigned before = s->offload_indications;
    uint32_t done = 0;
    if (!vw_ndis_oid(vm, true, VW_OID_TCP_OFFLOAD_PARAMETERS, p, (uint32_t)size, status, &done))
        return false;
    if (*status == VW_NDIS_STATUS_SUCCESS && s->offload_indications == before) {
        vw_fail(vm, "ndis: OID_TCP_OFFLOAD_PARAMETERS succeeded without an "
                    "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication "
                    "(network/oid-tcp-offload-parameters)");
        return false;
    }
    return true;
}

/* An NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication's buffer: an
 * NDIS_OFFLOAD (ndis/ns-ndis-_ndis_offload); its IPv4 transmit checksum
 * word is kept for the scenario. */
void ndis_offload_indicated(struct vm *vm, gva_t buf, uint32_t len)
{
    struct ndis_state *s = ndis_state(vm);
    if (buf == 0 || len < VW_OFFSET(vm, NDIS_OFFLOAD, Flags) + 4 ||
        !offload_header(vm, buf, "indicated configuration",
                        "NdisMIndicateStatusEx: NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG"))
        return;
    s->offload_indications++;
    s->stats.offload_tx4 = (uint32_t)vw_rd(vm, buf + VW_OFFSET(vm, NDIS_OFFLOAD, Checksum) + 4, 4);
    uint32_t size = (uint32_t)vw_rd(vm, buf + 2, 2);
    ndis_offload_read_current(vm, buf, size < len ? size : len);
}

/* OID_TCP_OFFLOAD_PARAMETERS with checksums, LSOv2 and RSC values (0:
 * NO_CHANGE): revision 3 (NDIS 6.30, through RscIPv6) when RSC is asked,
 * else revision 1; a success must come with
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (network/oid-tcp-offload-parameters). */
bool vw_ndis_set_offload_params(struct vm *vm, const struct vw_ndis_offload_params *o,
                                uint32_t *status)
{
    struct ndis_state *s = ndis_state(vm);
    bool rsc = o->rsc4 != 0 || o->rsc6 != 0;
    uint64_t size = rsc ? VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, RscIPv6) + 1
                        : VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, Flags) + 4;
    uint8_t p[64] = {0};
    p[0] = VW_NDIS_OBJECT_TYPE_DEFAULT, p[1] = rsc ? 3 : 1, p[2] = (uint8_t)size;
    for (unsigned i = 0; i < 5; i++)
        p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, IPv4Checksum) + i] = o->checksums[i];
    p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, LsoV2IPv4)] = o->lso4;
    p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, LsoV2IPv6)] = o->lso6;
    if (rsc) {
        p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, RscIPv4)] = o->rsc4;
        p[VW_OFFSET(vm, NDIS_OFFLOAD_PARAMETERS, RscIPv6)] = o->rsc6;
    }
    unsigned before = s->offload_indications;
    uint32_t done = 0;
    if (!vw_ndis_oid(vm, true, VW_OID_TCP_OFFLOAD_PARAMETERS, p, (uint32_t)size, status, &done))
        return false;
    if (*status == VW_NDIS_STATUS_SUCCESS && s->offload_indications == before) {
        vw_fail(vm, "ndis: OID_TCP_OFFLOAD_PARAMETERS succeeded without an "
                    "NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG indication "
                    "(network/oid-tcp-offload-parameters)");
        return false;
    }
    return true;
}
