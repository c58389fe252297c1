/*
 * NetKVM's GUEST_ANNOUNCE (virtio 1.2 5.1.6.5.4): the model offers the
 * feature, sets VIRTIO_NET_S_ANNOUNCE and raises a configuration
 * interrupt (vmodel_net_announce); the driver sends its announcement on
 * the wire and then VIRTIO_NET_CTRL_ANNOUNCE_ACK.  The ack clears the bit
 * (5.1.4.2): a later configuration interrupt (a link flap) must not
 * announce again.  With the IPv4 addresses OID_GEN_NETWORK_LAYER_ADDRESSES
 * gave (network/oid-gen-network-layer-addresses) each gets a gratuitous
 * ARP request; with none, one RARP request for the adapter's address.
 * The frames are written out byte by byte here.
 */
#include "nk_harness.h"

#define AN_LEN 60

/* The expected frame: an ARP request (oper 1, EtherType 0806) announcing
 * IP, or a RARP request (oper 3, EtherType 8035) when IP is NULL. */
static void an_expected(uint8_t *f, const uint8_t *ip)
{
    memset(f, 0, AN_LEN);
    memset(f, 0xff, 6);
    memcpy(f + 6, nk_mac, 6);
    f[12] = ip ? 0x08 : 0x80, f[13] = ip ? 0x06 : 0x35;
    f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = ip ? 1 : 3;
    memcpy(f + 22, nk_mac, 6);
    if (ip) {
        memcpy(f + 28, ip, 4);
        memcpy(f + 38, ip, 4);
    } else {
        memcpy(f + 32, nk_mac, 6);
    }
}

/* Lets the devices, DPCs and work items run for about 2 ms. */
static void an_run(struct vm *vm)
{
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
}

/* The wire holds exactly N frames, frame k announcing ips[k] (NULL: RARP). */
static void an_expect_wire(struct vm *vm, struct nk_rig *r, const uint8_t (*ips)[4], unsigned n,
                           const char *what)
{
    struct vmodel_net_frame w;
    uint8_t want[AN_LEN];
    unsigned got = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        an_expected(want, ips != NULL && got < n ? ips[got] : NULL);
        VW_EXPECT(vm, got < n && w.len == AN_LEN && memcmp(w.data, want, AN_LEN) == 0,
                  "%s: wire frame %u (%u bytes, EtherType %02x%02x) is not announcement %u", what,
                  got, w.len, w.data[12], w.data[13], got);
        got++;
    }
    VW_EXPECT(vm, got == n, "%s: %u frames on the wire, %u expected", what, got, n);
}

/* Ack counted: ctrl_ok moved by exactly N (the announcements' acks) */
static void an_expect_acks(struct vm *vm, struct nk_rig *r, uint64_t before, unsigned n,
                           const char *what)
{
    const struct vmodel_net_stats *mst = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, mst->ctrl_ok == before + n && mst->ctrl_err == 0 && mst->rule_errors == 0,
              "%s: %llu control commands acknowledged, %u expected; %s", what,
              (unsigned long long)(mst->ctrl_ok - before), n, mst->last_rule);
}

/* After the ack: S_ANNOUNCE clear, and a link flap brings no second
 * announcement. */
static void an_expect_quiet_after(struct vm *vm, struct nk_rig *r)
{
    VW_EXPECT(vm,
              !vmodel_net_announce_pending(r->net->model) &&
                  vmodel_net_stats(r->net->model)->announce_acks == 1,
              "after the ack: S_ANNOUNCE %d, %llu ANNOUNCE_ACK commands",
              vmodel_net_announce_pending(r->net->model),
              (unsigned long long)vmodel_net_stats(r->net->model)->announce_acks);
    uint64_t ok = vmodel_net_stats(r->net->model)->ctrl_ok;
    vmodel_net_set_link(r->net->model, false);
    an_run(vm);
    vmodel_net_set_link(r->net->model, true);
    an_run(vm);
    an_expect_wire(vm, r, NULL, 0, "after a link flap");
    an_expect_acks(vm, r, ok, 0, "after a link flap");
}

/* The device asks for an announcement (GUEST_ANNOUNCE): the wire holds
 * exactly the N announcements of IPS (NULL: one RARP), one ack follows,
 * and quiet after it (WHAT names the case in a failure). */
static void an_announce_expect(struct vm *vm, struct nk_rig *r, const uint8_t (*ips)[4], unsigned n,
                               const char *what)
{
    uint64_t ok = vmodel_net_stats(r->net->model)->ctrl_ok;
    vmodel_net_announce(r->net->model);
    an_run(vm);
    an_expect_wire(vm, r, ips, n, what);
    an_expect_acks(vm, r, ok, 1, what);
    an_expect_quiet_after(vm, r);
}

VW_SCENARIO("netkvm", netkvm_announce_rarp_without_addresses, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    VW_EXPECT(vm, vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_GUEST_ANNOUNCE & 1,
              "GUEST_ANNOUNCE offered with CTRL_VQ and not acknowledged");
    an_announce_expect(vm, &r, NULL, 1, "no address known");
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_announce_gratuitous_arp, NULL)
{
    static const uint8_t ips[2][4] = {{10, 1, 2, 3}, {192, 168, 0, 7}};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    /* NETWORK_ADDRESS_LIST of two NETWORK_ADDRESS_IP (ntddndis.h, natural
     * alignment: sin_port, padding, in_addr at 4, sin_zero: 16 bytes) */
    uint8_t list[6 + 2 * (4 + 16)];
    memset(list, 0, sizeof(list));
    list[0] = 2, list[4] = VW_NDIS_PROTOCOL_ID_TCP_IP;
    for (unsigned k = 0; k < 2; k++) {
        uint8_t *e = list + 6 + k * 20;
        e[0] = 16, e[2] = VW_NDIS_PROTOCOL_ID_TCP_IP;
        memcpy(e + 4 + 4, ips[k], 4);
    }
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_NETWORK_LAYER_ADDRESSES, list, sizeof(list), &status,
                          &done) &&
                  status == 0,
              "OID_GEN_NETWORK_LAYER_ADDRESSES: status 0x%08x", status);
    /* A list whose entry runs past the buffer: refused, the addresses kept */
    uint8_t bad[sizeof(list)];
    memcpy(bad, list, sizeof(bad));
    bad[6 + 20] = 200;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_NETWORK_LAYER_ADDRESSES, bad, sizeof(bad), &status,
                          &done) &&
                  status != 0,
              "a malformed NETWORK_ADDRESS_LIST was accepted");
    an_announce_expect(vm, &r, ips, 2, "two IPv4 addresses");
    nk_down(vm, &r);
}

/* Asked while paused: nothing is sent (a paused miniport sends nothing)
 * until the restart, which sends the announcement and the ack. */
VW_SCENARIO("netkvm", netkvm_announce_waits_for_restart, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t ok = vmodel_net_stats(r.net->model)->ctrl_ok;
    if (!vw_ndis_pause(vm))
        return;
    vmodel_net_announce(r.net->model);
    an_run(vm);
    an_expect_wire(vm, &r, NULL, 0, "paused");
    an_expect_acks(vm, &r, ok, 0, "paused");
    if (vm->failed || !vw_ndis_restart(vm))
        return;
    an_run(vm);
    an_expect_wire(vm, &r, NULL, 1, "after the restart");
    an_expect_acks(vm, &r, ok, 1, "after the restart");
    nk_down(vm, &r);
}

#define NA_MIN 86 /* Ethernet 14, IPv6 40, NA 24, target link-layer option 8 */

/* The ICMPv6 checksum of F's message (RFC 4443 2.3: IPv6 pseudo-header of
 * RFC 8200 8.1, then the message); 0 when right. */
static uint16_t na_csum(const uint8_t *f, unsigned plen)
{
    uint32_t sum = 58 + plen;             /* next header, upper-layer length */
    for (unsigned i = 22; i < 54; i += 2) /* source and destination addresses */
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    for (unsigned i = 0; i < plen; i += 2)
        sum += (uint32_t)(f[54 + i] << 8 | (i + 1 < plen ? f[54 + i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Is F an unsolicited neighbour advertisement (RFC 4861 4.4, 7.2.6) of one
 * of the N addresses IP6 to all nodes from the adapter?  Its index, or -1
 * with WHY set. */
static int na_which(const uint8_t *f, unsigned len, const uint8_t (*ip6)[16], unsigned n,
                    const char **why)
{
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1}; /* RFC 2464 7 */
    if (len < NA_MIN || f[12] != 0x86 || f[13] != 0xdd)
        return *why = "not IPv6 over Ethernet", -1;
    unsigned plen = (unsigned)(f[18] << 8 | f[19]);
    if (memcmp(f, all_nodes_mac, 6) != 0 || memcmp(f + 6, nk_mac, 6) != 0)
        return *why = "not from the adapter to 33:33:00:00:00:01", -1;
    if (f[14] >> 4 != 6 || f[20] != 58 || f[21] != 255 || plen < 32 || 54 + plen > len)
        return *why = "not ICMPv6 with hop limit 255 (RFC 4861 7.1.2)", -1;
    if (memcmp(f + 38, all_nodes, 16) != 0)
        return *why = "not to ff02::1", -1;
    if (f[54] != 136 || f[55] != 0 || na_csum(f, plen) != 0)
        return *why = "not a neighbour advertisement (type 136, code 0, checksum)", -1;
    if (f[58] & 0x40)
        return *why = "Solicited flag set (RFC 4861 7.2.6: zero)", -1;
    bool src_ours = false, lla = false;
    for (unsigned k = 0; k < n; k++)
        src_ours |= memcmp(f + 22, ip6[k], 16) == 0;
    for (unsigned o = 78; o + 8 <= 54 + plen && f[o + 1] != 0; o += f[o + 1] * 8u)
        lla |= f[o] == 2 && f[o + 1] == 1 && memcmp(f + o + 2, nk_mac, 6) == 0;
    if (!src_ours || !lla)
        return *why = "source not the interface's address, or no target link-layer option "
                      "with the adapter's MAC",
               -1;
    for (unsigned k = 0; k < n; k++)
        if (memcmp(f + 62, ip6[k], 16) == 0)
            return (int)k;
    return *why = "target not an address set", -1;
}

static const uint8_t an_ip4[1][4] = {{10, 1, 2, 3}};
static const uint8_t an_ip6[2][16] = {
    {0xfe, 0x80, [8] = 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56}, /* link-local */
    {0x20, 0x01, 0x0d, 0xb8, [15] = 7},                                 /* global */
};

/* What one announcement put on the wire */
struct an_seen {
    unsigned arps, nas[2], other;
};

/* One IPv4 and two IPv6 addresses (fe80::5054:ff:fe12:3456, 2001:db8::7)
 * set by OID_GEN_NETWORK_LAYER_ADDRESSES, then GUEST_ANNOUNCE: the frames
 * on the wire sorted into the gratuitous ARP request for 10.1.2.3 (byte for
 * byte), unsolicited neighbour advertisements per IPv6 address and others;
 * then exactly one ack and quiet after it.  False when the rig did not
 * come up. */
static bool an_mixed(struct vm *vm, struct nk_rig *r, struct an_seen *seen)
{
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    memset(seen, 0, sizeof(*seen));
    if (!nk_up(vm, r, &o))
        return false;
    uint32_t status = 1;
    VW_EXPECT(vm, vw_ndis_set_network_addresses(vm, an_ip4, 1, an_ip6, 2, &status) && status == 0,
              "OID_GEN_NETWORK_LAYER_ADDRESSES with IPv4 and IPv6 entries: status 0x%08x", status);
    uint64_t ok = vmodel_net_stats(r->net->model)->ctrl_ok;
    vmodel_net_announce(r->net->model);
    an_run(vm);
    struct vmodel_net_frame w;
    uint8_t arp[AN_LEN];
    an_expected(arp, an_ip4[0]);
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        const char *why = "";
        int k = na_which(w.data, w.len, an_ip6, 2, &why);
        if (k >= 0) {
            seen->nas[k]++;
        } else if (w.len == AN_LEN && memcmp(w.data, arp, AN_LEN) == 0) {
            seen->arps++;
        } else {
            seen->other++;
            vw_log(vm, "wire frame of %u bytes, EtherType %02x%02x: %s", w.len, w.data[12],
                   w.data[13], why);
        }
    }
    an_expect_acks(vm, r, ok, 1, "IPv4 and IPv6 addresses");
    an_expect_quiet_after(vm, r);
    return true;
}

/* IPv6 entries in the list (NDIS_PROTOCOL_ID_IP6) are no reason to refuse
 * it or to stop announcing the IPv4 address: its gratuitous ARP request
 * goes out, no frame is malformed (whatever is IPv6 is a valid unsolicited
 * neighbour advertisement, at most one per address), one ack. */
VW_SCENARIO("netkvm", netkvm_announce_mixed_addresses_keep_ipv4, NULL)
{
    struct nk_rig r;
    struct an_seen seen;
    if (!an_mixed(vm, &r, &seen))
        return;
    VW_EXPECT(vm, seen.arps == 1 && seen.nas[0] <= 1 && seen.nas[1] <= 1 && seen.other == 0,
              "after GUEST_ANNOUNCE: %u gratuitous ARP for 10.1.2.3, %u and %u neighbour "
              "advertisements, %u other frames (1, at most 1 each, 0 expected)",
              seen.arps, seen.nas[0], seen.nas[1], seen.other);
    nk_down(vm, &r);
}

/* After a migration the guest's IPv6 neighbours must learn the new port
 * too: one unsolicited neighbour advertisement per IPv6 address (RFC 4861
 * 7.2.6: to all nodes, Solicited clear, the adapter's address as the
 * target link-layer address option), besides the IPv4 address's
 * gratuitous ARP. */
VW_SCENARIO("netkvm", netkvm_announce_ipv6_neighbour_advertisement, NULL)
{
    struct nk_rig r;
    struct an_seen seen;
    if (!an_mixed(vm, &r, &seen))
        return;
    VW_EXPECT(vm, seen.arps == 1 && seen.nas[0] == 1 && seen.nas[1] == 1 && seen.other == 0,
              "IPv6 announcement: %u gratuitous ARP, %u and %u neighbour advertisements, %u "
              "other frames (1, 1, 1, 0 expected)",
              seen.arps, seen.nas[0], seen.nas[1], seen.other);
    nk_down(vm, &r);
}

/* The advertisement check itself (no driver): a neighbour advertisement
 * written out by hand from RFC 4861 4.4 is taken for its target, and each
 * planted fault in it (Solicited set, a checksum off by one, a target not
 * set, no target link-layer option, a hop limit of 64) is refused. */
VW_SCENARIO_NO_DRIVER("netkvm", netkvm_announce_na_check_planted)
{
    uint8_t good[NA_MIN] = {0x33, 0x33, 0, 0, 0, 1};
    memcpy(good + 6, nk_mac, 6);
    good[12] = 0x86, good[13] = 0xdd, good[14] = 0x60; /* IPv6, class and flow 0 */
    good[19] = 32, good[20] = 58, good[21] = 255;      /* length, ICMPv6, hop limit */
    memcpy(good + 22, an_ip6[0], 16);                  /* from the link-local address */
    good[38] = 0xff, good[39] = 0x02, good[53] = 1;    /* to ff02::1 */
    good[54] = 136, good[58] = 0x20;                   /* advertisement, Override */
    memcpy(good + 62, an_ip6[1], 16);                  /* target: the global address */
    good[78] = 2, good[79] = 1;                        /* target link-layer address */
    memcpy(good + 80, nk_mac, 6);
    uint16_t c = na_csum(good, 32);
    good[56] = (uint8_t)(c >> 8), good[57] = (uint8_t)c;
    const char *why = "";
    int k = na_which(good, NA_MIN, an_ip6, 2, &why);
    VW_EXPECT(vm, k == 1, "a valid advertisement of address 1: %d (%s)", k, why);
    static const struct {
        unsigned at;
        uint8_t x;
        const char *what;
    } planted[] = {
        {58, 0x40, "Solicited set"},  {57, 0x01, "checksum off"},
        {77, 0x01, "another target"}, {78, 0x02, "no target link-layer option"},
        {21, 0xbf, "hop limit 64"},
    };
    for (unsigned i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
        uint8_t f[NA_MIN];
        memcpy(f, good, NA_MIN);
        f[planted[i].at] ^= planted[i].x;
        VW_EXPECT(vm, na_which(f, NA_MIN, an_ip6, 2, &why) < 0, "planted: %s was accepted",
                  planted[i].what);
    }
}
