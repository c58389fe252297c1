/*
 * The statistics checker: the protocol layer is the adapter's only traffic,
 * so the OID_GEN_STATISTICS counters the miniport reports
 * (network/oid-gen-statistics, NDIS_STATISTICS_INFO) must equal what it
 * counted itself: frames completed with NDIS_STATUS_SUCCESS (sent) and
 * frames indicated (received), split by destination address as the
 * directed/multicast/broadcast counters are (RFC 2863's ifHCIn/Out*Pkts),
 * and their bytes: the frame as NDIS passes it, Ethernet header included.
 */
#include <inttypes.h>
#include <string.h>
#include "internal.h"

/* NDIS_STATISTICS_INFO: the 4-byte header, ULONG SupportedStatistics, then
 * 18 ULONG64 counters in the page's order, from offset 8. */
#define STAT_COUNTERS 18
#define STAT_SIZE     (8 + 8 * STAT_COUNTERS)

void ndis_stats_count(struct ndis_state *s, bool out, const uint8_t *dst, unsigned len)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    unsigned c = len < 6 ? 0 : memcmp(dst, bcast, 6) == 0 ? 2 : (dst[0] & 1) ? 1 : 0;
    if (out) {
        s->out_frames[c]++;
        s->out_bytes[c] += len;
    } else {
        s->in_frames[c]++;
        s->in_bytes[c] += len;
    }
}

struct counter {
    const char *name;
    unsigned index;  /* ULONG64 counter index in NDIS_STATISTICS_INFO */
    uint32_t flag;   /* its NDIS_STATISTICS_FLAGS_VALID_* */
    bool out, bytes; /* direction; bytes rather than frames */
    int cls;         /* 0..2 a class, -1 the three summed */
};

/* The frame and byte counters the protocol layer can account for; NDIS 6
 * miniports must support all statistics (network/oid-gen-statistics). */
static const struct counter counters[] = {
    {"ifHCInOctets", 2, 0x00000008, false, true, -1},
    {"ifHCInUcastPkts", 3, 0x00000001, false, false, 0},
    {"ifHCInMulticastPkts", 4, 0x00000002, false, false, 1},
    {"ifHCInBroadcastPkts", 5, 0x00000004, false, false, 2},
    {"ifHCOutOctets", 6, 0x00000200, true, true, -1},
    {"ifHCOutUcastPkts", 7, 0x00000040, true, false, 0},
    {"ifHCOutMulticastPkts", 8, 0x00000080, true, false, 1},
    {"ifHCOutBroadcastPkts", 9, 0x00000100, true, false, 2},
    {"ifHCInUcastOctets", 12, 0x00010000, false, true, 0},
    {"ifHCInMulticastOctets", 13, 0x00020000, false, true, 1},
    {"ifHCInBroadcastOctets", 14, 0x00040000, false, true, 2},
    {"ifHCOutUcastOctets", 15, 0x00080000, true, true, 0},
    {"ifHCOutMulticastOctets", 16, 0x00100000, true, true, 1},
    {"ifHCOutBroadcastOctets", 17, 0x00200000, true, true, 2},
};

static uint64_t expected(const struct ndis_state *s, const struct counter *c)
{
    const uint64_t *v = c->out ? (c->bytes ? s->out_bytes : s->out_frames)
                               : (c->bytes ? s->in_bytes : s->in_frames);
    return c->cls < 0 ? v[0] + v[1] + v[2] : v[c->cls];
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

bool vw_ndis_check_statistics(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    uint8_t info[STAT_SIZE] = {0};
    uint32_t st = 0, done = 0;
    if (!vw_ndis_oid(vm, false, VW_OID_GEN_STATISTICS, info, sizeof(info), &st, &done))
        return false;
    unsigned size = info[2] | info[3] << 8;
    if (st != VW_NDIS_STATUS_SUCCESS || done < STAT_SIZE ||
        info[0] != VW_NDIS_OBJECT_TYPE_DEFAULT || info[1] < 1 || size < STAT_SIZE) {
        vw_fail(vm,
                "ndis: OID_GEN_STATISTICS returned 0x%08x, %u bytes, header type 0x%x revision "
                "%u size %u (an NDIS_STATISTICS_INFO of %u bytes: network/oid-gen-statistics)",
                st, done, info[0], info[1], size, STAT_SIZE);
        return false;
    }
    uint32_t supported = info[4] | info[5] << 8 | info[6] << 16 | (uint32_t)info[7] << 24;
    for (unsigned i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
        const struct counter *c = &counters[i];
        uint64_t got = le64(info + 8 + 8 * c->index), want = expected(s, c);
        if (!(supported & c->flag)) {
            vw_fail(vm,
                    "ndis: OID_GEN_STATISTICS: SupportedStatistics 0x%08x lacks 0x%08x (%s; "
                    "NDIS 6 miniports support every statistic: network/oid-gen-statistics)",
                    supported, c->flag, c->name);
            return false;
        }
        if (got != want) {
            vw_fail(vm,
                    "ndis: OID_GEN_STATISTICS: %s is %" PRIu64 ", the protocol layer %s %" PRIu64
                    " (network/oid-gen-statistics)",
                    c->name, got, c->out ? "sent" : "was indicated", want);
            return false;
        }
    }
    return true;
}
