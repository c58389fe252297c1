/* nk_rxfilter: the receive filter the data path reads without a lock.
 * Reader and writer steps interleaved by hand: a frame judged while a
 * multicast-list set is half copied sees the old list whole, a frame after
 * the publish sees the new one, a snapshot a reader is inside is never
 * written, and a set dropped before its publish changes nothing.  The copy
 * built with NK_PLANTED_RXFILTER_INPLACE (the published snapshot rewritten
 * in place, a torn read) must fail.  The per-frame judge (nk_rx_filter_judge,
 * a unicast frame's one compare) against hand-stated verdicts and against a
 * byte-at-a-time reference of the NDIS rules for every filter, address and
 * list; the copy built with NK_PLANTED_RXFILTER_FAST (a unicast frame to us
 * taken without NDIS_PACKET_TYPE_DIRECTED) must fail. */
#include <string.h>

#include "nku.h"

static const uint8_t me[NK_ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t ga[NK_ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x0a};
static const uint8_t gb[NK_ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x0b};
static const uint8_t gc[NK_ETH_ALEN] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x0c};

/* The frame to dest judged against snapshot f, as the data path does. */
static bool judge(const struct nk_rx_filter *f, const uint8_t *dest)
{
    return nk_rx_filter_pass(f->filter, dest, f->mac, (const uint8_t(*)[NK_ETH_ALEN])f->mcast,
                             f->count);
}

void test_rxfilter(void)
{
    static struct nk_rx_filter_pub p;
    unsigned sa, sb;
    memset(&p, 0, sizeof(p));
    static const uint8_t bc[NK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    check(!nk_rx_filter_check(&p, gb) && !nk_rx_filter_check(&p, me) && !nk_rx_filter_check(&p, bc),
          "rxfilter: before NDIS sets a filter (filter 0) no frame passes");
    struct nk_rx_filter *w = nk_rx_filter_write_begin(&p);
    if (w != NULL) {
        memset(w, 0, sizeof(*w));
        w->filter = NK_FILTER_DIRECTED | NK_FILTER_MULTICAST;
        memcpy(w->mac, me, sizeof(me));
        memcpy(w->mcast[0], ga, sizeof(ga));
        w->count = 1;
    }
    nk_rx_filter_publish(&p);
    check(w != NULL && nk_rx_filter_check(&p, ga) && !nk_rx_filter_check(&p, gb) &&
              nk_rx_filter_check(&p, me),
          "rxfilter: the first set is what frames are judged by (list {a})");
    /* Frame A's DPC is inside the snapshot while a set replaces the list by {b, c} */
    const struct nk_rx_filter *a = nk_rx_filter_read_begin(&p, &sa);
    w = nk_rx_filter_write_begin(&p);
    check(w != NULL && w != a, "rxfilter: a set builds in the spare snapshot");
    if (w != NULL) {
        *w = *a;
        memcpy(w->mcast[0], gb, sizeof(gb)); /* half copied: b in, c not yet */
        w->count = 2;
    }
    check(judge(a, ga) && !judge(a, gb) && !judge(a, gc),
          "rxfilter: a frame judged during a multicast-list set sees the old list whole");
    if (w != NULL)
        memcpy(w->mcast[1], gc, sizeof(gc));
    check(judge(a, ga) && !judge(a, gb),
          "rxfilter: the whole new list is not seen before its publish");
    nk_rx_filter_publish(&p);
    const struct nk_rx_filter *b = nk_rx_filter_read_begin(&p, &sb);
    check(!judge(b, ga) && judge(b, gb) && judge(b, gc) && judge(a, ga),
          "rxfilter: after the publish a new frame sees {b, c}, the one inside keeps {a}");
    /* The next set needs A's snapshot: it must wait for A */
    w = nk_rx_filter_write_begin(&p);
    check(w == NULL && judge(a, ga), "rxfilter: a set never writes a snapshot a frame is inside");
    nk_rx_filter_read_end(&p, sa);
    w = nk_rx_filter_write_begin(&p);
    check(w != NULL && w != b, "rxfilter: once the frame left, the set may build");
    if (w != NULL) {
        *w = *b;
        w->filter = NK_FILTER_PROMISCUOUS;
    }
    /* Dropped without publishing (a refused set): frames keep {b, c}, no promiscuous */
    check(!nk_rx_filter_check(&p, ga) && nk_rx_filter_check(&p, gc) && judge(b, gb),
          "rxfilter: a set not published changes nothing for frames");
    nk_rx_filter_read_end(&p, sb);
    check(p.pub.readers[0] == 0 && p.pub.readers[1] == 0,
          "rxfilter: every frame counted out (%u, %u)", p.pub.readers[0], p.pub.readers[1]);
}

/* The NDIS packet-filter rules byte by byte (the reference): the verdict
 * and the class (0 directed, 1 multicast, 2 broadcast). */
static bool ref_pass(const struct nk_rx_filter *f, const uint8_t *d, unsigned *cls)
{
    bool bc = true, me_ = true, listed = false;
    for (unsigned b = 0; b < NK_ETH_ALEN; b++) {
        bc = bc && d[b] == 0xff;
        me_ = me_ && d[b] == f->mac[b];
    }
    for (unsigned i = 0; i < f->count; i++)
        listed = listed || memcmp(f->mcast[i], d, NK_ETH_ALEN) == 0;
    *cls = bc ? 2u : (d[0] & 1) ? 1u : 0u;
    if (f->filter & NK_FILTER_PROMISCUOUS)
        return true;
    if (bc)
        return (f->filter & NK_FILTER_BROADCAST) != 0;
    if (d[0] & 1)
        return (f->filter & NK_FILTER_ALL_MULTI) || ((f->filter & NK_FILTER_MULTICAST) && listed);
    return (f->filter & NK_FILTER_DIRECTED) && me_;
}

void test_rxfilter_judge(void)
{
    static struct nk_rx_filter f;
    static const uint8_t bc[NK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t other[NK_ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x57};
    static const uint8_t nearbc[NK_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xfe};
    unsigned cls = 9;
    memset(&f, 0, sizeof(f));
    memcpy(f.mac, me, sizeof(me));
    memcpy(f.mcast[0], ga, sizeof(ga));
    f.count = 1;
    f.filter = NK_FILTER_DIRECTED | NK_FILTER_MULTICAST | NK_FILTER_BROADCAST;
    bool pass = nk_rx_filter_judge(&f, me, &cls);
    check(pass && cls == 0,
          "rxfilter: judge: directed to us passes with DIRECTED|MULTICAST|BROADCAST (class %u)",
          cls);
    check(!nk_rx_filter_judge(&f, other, &cls) && cls == 0,
          "rxfilter: judge: another station's frame (last byte differs) is dropped");
    check(nk_rx_filter_judge(&f, bc, &cls) && cls == 2 && nk_rx_filter_judge(&f, ga, &cls) &&
              cls == 1 && !nk_rx_filter_judge(&f, gb, &cls) && cls == 1,
          "rxfilter: judge: broadcast and the listed group pass, an unlisted group does not");
    f.filter = NK_FILTER_MULTICAST | NK_FILTER_BROADCAST;
    check(!nk_rx_filter_judge(&f, me, &cls) && nk_rx_filter_judge(&f, ga, &cls),
          "rxfilter: judge: without DIRECTED a frame to us is dropped");
    f.filter = NK_FILTER_PROMISCUOUS;
    check(nk_rx_filter_judge(&f, other, &cls) && nk_rx_filter_judge(&f, gc, &cls),
          "rxfilter: judge: promiscuous takes another station's frame and any group");
    f.filter = NK_FILTER_ALL_MULTI;
    check(nk_rx_filter_judge(&f, gc, &cls) && !nk_rx_filter_judge(&f, me, &cls) &&
              !nk_rx_filter_judge(&f, bc, &cls),
          "rxfilter: judge: ALL_MULTICAST takes any group, not our unicast nor broadcast");
    f.filter = 0;
    check(!nk_rx_filter_judge(&f, me, &cls) && !nk_rx_filter_judge(&f, bc, &cls) &&
              !nk_rx_filter_judge(&f, ga, &cls),
          "rxfilter: judge: filter 0 takes nothing");

    /* Every filter (the six bits' 64 combinations) x every address kind
     * (us, us with one byte changed, broadcast, nearly broadcast, listed,
     * unlisted, the list's last entry, zero) x list lengths 0, 1 and full */
    uint8_t addrs[8 + NK_ETH_ALEN][NK_ETH_ALEN];
    unsigned na = 0, bad = 0, runs = 0;
    memcpy(addrs[na++], me, NK_ETH_ALEN);
    for (unsigned b = 0; b < NK_ETH_ALEN; b++) {
        memcpy(addrs[na], me, NK_ETH_ALEN);
        addrs[na++][b] ^= (uint8_t)(b == 0 ? 0x02 : 0x80);
    }
    memcpy(addrs[na++], bc, NK_ETH_ALEN);
    memcpy(addrs[na++], nearbc, NK_ETH_ALEN);
    memcpy(addrs[na++], ga, NK_ETH_ALEN);
    memcpy(addrs[na++], gb, NK_ETH_ALEN);
    memcpy(addrs[na++], gc, NK_ETH_ALEN);
    memset(addrs[na++], 0, NK_ETH_ALEN);
    static const unsigned counts[3] = {0, 1, NK_MCAST_MAX};
    for (unsigned c = 0; c < 3; c++) {
        unsigned count = counts[c];
        memset(&f, 0, sizeof(f));
        memcpy(f.mac, me, sizeof(me));
        for (unsigned i = 0; i < count; i++) {
            memcpy(f.mcast[i], ga, NK_ETH_ALEN);
            f.mcast[i][5] = (uint8_t)(0x40 + i);
        }
        if (count != 0)
            memcpy(f.mcast[count - 1], gc, NK_ETH_ALEN); /* the last entry */
        f.count = count;
        for (uint32_t filter = 0; filter < 64; filter++) {
            f.filter = filter;
            for (unsigned k = 0; k < na; k++) {
                unsigned want_cls, got_cls = 9;
                bool want = ref_pass(&f, addrs[k], &want_cls);
                bool got = nk_rx_filter_judge(&f, addrs[k], &got_cls);
                bool full = nk_rx_filter_pass(f.filter, addrs[k], f.mac,
                                              (const uint8_t(*)[NK_ETH_ALEN])f.mcast, f.count);
                runs++;
                if (got != want || got_cls != want_cls || full != want) {
                    if (bad++ < 4)
                        check(0,
                              "rxfilter: judge: filter 0x%x list %u address %u: %d class %u "
                              "(reference %d class %u, nk_rx_filter_pass %d)",
                              filter, count, k, got, got_cls, want, want_cls, full);
                }
            }
        }
    }
    check(bad == 0 && runs == 3u * 64 * na,
          "rxfilter: judge agrees with the reference for every filter, address and list "
          "(%u of %u differ)",
          bad, runs);
}
