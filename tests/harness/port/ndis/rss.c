/*
 * Receive side scaling as NDIS and the stack drive it.  The general
 * attributes' RecvScaleCapabilities
 * (ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities) is checked:
 * header NDIS_OBJECT_TYPE_RSS_CAPABILITIES, revision 1 to 3 of its size,
 * the Toeplitz function and at least one hash type among the documented
 * flags, at least one receive queue, and interrupt messages when
 * NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS is set.
 * OID_GEN_RECEIVE_SCALE_PARAMETERS (network/oid-gen-receive-scale-parameters)
 * is set as the stack does, revision 2: key, hash information, an
 * indirection table of PROCESSOR_NUMBERs.  From then on each indicated NBL
 * with hash information is checked against the harness's own Toeplitz hash
 * (toeplitz.c) over the input its hash type names (network/rss-hashing-types):
 * function, type (the one the enabled types pick for the frame), value, and
 * the processor: the one the indirection table names for the hash's low
 * bits (network/receive-side-scaling-version-2-rssv2, "indicate on the
 * processor the table entry names").  NBLs with no hash type are exempt.
 */
#include <inttypes.h>
#include <string.h>
#include "frame.h"
#include "internal.h"
#include "layout.h"

#define CAPS_KNOWN                                                                                 \
    (VW_NDIS_HASH_FUNCTION_TOEPLITZ | VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 |                        \
     VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 | VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX |                \
     VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4 | VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6 |                   \
     VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6_EX | VW_NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS |       \
     VW_NDIS_RSS_CAPS_CLASSIFICATION_AT_ISR | VW_NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC |             \
     VW_NDIS_RSS_CAPS_USING_MSI_X | VW_NDIS_RSS_CAPS_RSS_AVAILABLE_ON_PORTS |                      \
     VW_NDIS_RSS_CAPS_SUPPORTS_MSI_X)
#define CAPS_TYPES                                                                                 \
    (VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 | VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 |                   \
     VW_NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX | VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4 |                \
     VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6 | VW_NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6_EX)

bool ndis_rss_capabilities(struct vm *vm, gva_t c)
{
    struct ndis_rss *r = &ndis_state(vm)->rss;
    if (c == 0)
        return true;
    unsigned type = (unsigned)vw_rd(vm, c, 1), rev = (unsigned)vw_rd(vm, c + 1, 1);
    unsigned size = (unsigned)vw_rd(vm, c + 2, 2);
    uint64_t rev1 = VW_OFFSET(vm, NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfIndirectionTableEntries);
    uint64_t rev2 = rev1 + 2;
#define RC(m) (c + VW_OFFSET(vm, NDIS_RECEIVE_SCALE_CAPABILITIES, m))
    uint32_t flags = (uint32_t)vw_rd(vm, RC(CapabilitiesFlags), 4);
    uint32_t msgs = (uint32_t)vw_rd(vm, RC(NumberOfInterruptMessages), 4);
    uint32_t queues = (uint32_t)vw_rd(vm, RC(NumberOfReceiveQueues), 4);
    uint32_t entries = rev >= 2 ? (uint32_t)vw_rd(vm, RC(NumberOfIndirectionTableEntries), 2) : 0;
#undef RC
    const char *why = NULL;
    if (type != VW_NDIS_OBJECT_TYPE_RSS_CAPABILITIES || rev < 1 || rev > 3 ||
        size < (rev == 1 ? rev1 : rev2))
        why = "header is not NDIS_OBJECT_TYPE_RSS_CAPABILITIES revision 1-3 of its size";
    else if (flags & ~CAPS_KNOWN)
        why = "CapabilitiesFlags has undocumented bits";
    else if (!(flags & VW_NDIS_HASH_FUNCTION_TOEPLITZ) || !(flags & CAPS_TYPES))
        why = "CapabilitiesFlags lacks the Toeplitz function or every hash type";
    else if (queues == 0)
        why = "NumberOfReceiveQueues is 0";
    else if ((flags & VW_NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS) && msgs == 0)
        why = "MSI capability with NumberOfInterruptMessages 0";
    if (why != NULL) {
        vw_fail(vm,
                "NdisMSetMiniportAttributes: RecvScaleCapabilities (type 0x%x revision %u size "
                "%u flags 0x%08x queues %u messages %u): %s "
                "(ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities)",
                type, rev, size, flags, queues, msgs, why);
        return false;
    }
    r->caps = true;
    r->caps_flags = flags, r->queues = queues, r->messages = msgs, r->table_entries = entries;
    return true;
}

bool vw_ndis_set_rss(struct vm *vm, uint32_t hash_info, const uint8_t *key, unsigned key_len,
                     const uint16_t *table, unsigned n, uint32_t *status)
{
    struct ndis_rss *r = &ndis_state(vm)->rss;
    if (key_len > NDIS_RSS_KEY_MAX || n > NDIS_RSS_TABLE_MAX || (n & (n - 1)) != 0 ||
        (hash_info != 0 && (n == 0 || key_len == 0))) {
        vw_fail(vm, "harness: RSS parameters with a %u-byte key and %u table entries", key_len, n);
        return false;
    }
#define RP(m) VW_OFFSET(vm, NDIS_RECEIVE_SCALE_PARAMETERS, m)
    uint64_t size = RP(ProcessorMasksEntrySize) + 4; /* revision 2 */
    uint64_t table_at = size, key_at = table_at + 4ull * n;
    uint8_t p[64 + 4 * NDIS_RSS_TABLE_MAX + NDIS_RSS_KEY_MAX] = {0};
    p[0] = VW_NDIS_OBJECT_TYPE_RSS_PARAMETERS, p[1] = VW_NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2;
    p[2] = (uint8_t)size;
    uint16_t flags = hash_info == 0 ? VW_NDIS_RSS_PARAM_FLAG_DISABLE_RSS : 0;
    uint16_t tsize = (uint16_t)(4 * n), ksize = (uint16_t)key_len;
    uint32_t toff = (uint32_t)table_at, koff = (uint32_t)key_at;
    memcpy(p + RP(Flags), &flags, 2);
    memcpy(p + RP(HashInformation), &hash_info, 4);
    memcpy(p + RP(IndirectionTableSize), &tsize, 2);
    memcpy(p + RP(IndirectionTableOffset), &toff, 4);
    memcpy(p + RP(HashSecretKeySize), &ksize, 2);
    memcpy(p + RP(HashSecretKeyOffset), &koff, 4);
#undef RP
    /* PROCESSOR_NUMBER {USHORT Group, UCHAR Number, UCHAR Reserved}: groups
     * hold 64 processors, filled in order (k_cpus.c), so CPU c is (c / 64, c % 64) */
    for (unsigned i = 0; i < n; i++) {
        p[table_at + 4 * i] = (uint8_t)(table[i] / 64);
        p[table_at + 4 * i + 1] = (uint8_t)(table[i] / 64 >> 8);
        p[table_at + 4 * i + 2] = (uint8_t)(table[i] % 64);
    }
    if (key_len)
        memcpy(p + key_at, key, key_len);
    uint32_t done = 0, len = (uint32_t)(key_at + key_len);
    if (!vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, p, len, status, &done))
        return false;
    if (*status != VW_NDIS_STATUS_SUCCESS)
        return true;
    r->on = hash_info != 0;
    r->hash_info = hash_info;
    memcpy(r->key, key, key_len);
    r->key_len = key_len;
    r->table_len = n;
    for (unsigned i = 0; i < n; i++)
        r->table[i] = table[i];
    return true;
}

bool ndis_rss_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_rss *r = &s->rss;
    uint32_t info = ndis_nbl_info(vm, nbl, VW_NBL_INFO_HASH_INFO);
    uint32_t value = ndis_nbl_info(vm, nbl, VW_NBL_INFO_HASH_VALUE);
    uint32_t type = info & VW_NDIS_HASH_TYPE_MASK, want = 0, hash = 0;
    if (!r->on)
        return true;
    if (type == 0) {
        s->off.rx_hash_none++;
        return true;
    }
    struct ndis_frame p;
    uint8_t in[36];
    unsigned n =
        ndis_frame_parse(f, len, &p) ? ndis_frame_hash_input(f, &p, r->hash_info, in, &want) : 0;
    unsigned cpu = vw_cpu_current(vm), table_cpu = 0;
    const char *why = NULL;
    if ((info & VW_NDIS_HASH_FUNCTION_MASK) != VW_NDIS_HASH_FUNCTION_TOEPLITZ ||
        (info & ~(VW_NDIS_HASH_FUNCTION_MASK | VW_NDIS_HASH_TYPE_MASK)) != 0)
        why = "the hash function is not NdisHashFunctionToeplitz";
    else if (type != want)
        why = "the hash type is not the one the enabled types pick for the frame";
    else if (value != (hash = vw_ndis_toeplitz(r->key, r->key_len, in, n)))
        why = "the hash value is not the Toeplitz hash of the frame";
    else if (cpu != (table_cpu = r->table[hash & (r->table_len - 1)]))
        why = "indicated on another processor than the indirection table names";
    if (why != NULL) {
        vw_fail(vm,
                "NdisMIndicateReceiveNetBufferLists: NBL 0x%" PRIx64 " hash info 0x%08x value "
                "0x%08x on CPU %u: %s (expected type 0x%x, hash 0x%08x, CPU %u; "
                "network/rss-hashing-types, network/oid-gen-receive-scale-parameters)",
                nbl, info, value, cpu, why, want, hash, table_cpu);
        return false;
    }
    s->off.rx_hashed++;
    if (s->off.rx_cpu_low == 0 || cpu + 1 < s->off.rx_cpu_low)
        s->off.rx_cpu_low = cpu + 1;
    if (cpu + 1 > s->off.rx_cpu_high)
        s->off.rx_cpu_high = cpu + 1;
    return true;
}

void vw_ndis_offload_stats(struct vm *vm, struct vw_ndis_offload_stats *out)
{
    struct ndis_state *s = ndis_state(vm);
    *out = s->off;
    out->rss_caps = s->rss.caps;
    out->rss_caps_flags = s->rss.caps_flags;
    out->rss_queues = s->rss.queues;
    for (unsigned i = 0; i < 4; i++)
        out->cur_csum[i] = s->cur.csum[i];
    for (unsigned i = 0; i < 2; i++) {
        out->cur_lso_max[i] = s->cur.lso_encap[i] != 0 ? s->cur.lso_max[i] : 0;
        out->cur_rsc[i] = s->cur.rsc[i];
        out->cur_uso_max[i] = s->cur.uso_encap[i] != 0 ? s->cur.uso_max[i] : 0;
    }
}
