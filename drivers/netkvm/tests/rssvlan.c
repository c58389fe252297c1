/*
 * NetKVM's RSS and 802.1Q on the in-process net model (the model offers
 * neither VIRTIO_NET_F_RSS nor CTRL_VLAN here, so the driver does both
 * itself): OID_GEN_RECEIVE_SCALE_CAPABILITIES and _PARAMETERS
 * (ntddndis/ns-ntddndis-_ndis_receive_scale_parameters: revision 2, a
 * PROCESSOR_NUMBER table and a 40-byte key after the structure) set,
 * refused and queried back; TCP/IPv4 flows after RSS is on are all
 * indicated intact whichever processor's DPC the table names; with
 * VlanId 100 a send leaves tagged 81 00 00 64, a frame of VLAN 100 is
 * indicated without its tag and one of VLAN 200 is not indicated.
 */
#include "nk_harness.h"

#define RV_TYPE_CAPS     0x88u       /* NDIS_OBJECT_TYPE_RSS_CAPABILITIES */
#define RV_TYPE_PARAMS   0x89u       /* NDIS_OBJECT_TYPE_RSS_PARAMETERS */
#define RV_PARAMS_REV2   40u         /* NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_2 */
#define RV_FLAG_DISABLE  0x0010u     /* NDIS_RSS_PARAM_FLAG_DISABLE_RSS */
#define RV_INVALID_PARM  0xC000000Du /* NDIS_STATUS_INVALID_PARAMETER */
#define RV_NOT_SUPPORTED 0xC00000BBu /* NDIS_STATUS_NOT_SUPPORTED */
#define RV_TOEPLITZ_TCP4 0x00000301u /* Toeplitz | NDIS_HASH_IPV4 | NDIS_HASH_TCP_IPV4 */
#define RV_FRAME         74u         /* Ethernet + IPv4 + TCP + 20 bytes */

static const uint8_t rv_key[40] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
                                   0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
                                   0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
                                   0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa};

/* Stores a little-endian value of N bytes. */
static void rv_put(uint8_t *p, uint32_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* Reads a little-endian value of N bytes. */
static uint32_t rv_get(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << 8 * i;
    return v;
}

/* NDIS_RECEIVE_SCALE_PARAMETERS revision 2 with ENTRIES processors
 * (entry i on CPU i % CPUS, group 0) and a KEY_LEN-byte key; its length. */
static unsigned rv_params(uint8_t *b, uint32_t info, unsigned entries, unsigned cpus,
                          unsigned key_len, uint16_t flags)
{
    unsigned tbl = RV_PARAMS_REV2, key = tbl + 4 * entries;
    memset(b, 0, key + key_len);
    b[0] = RV_TYPE_PARAMS, b[1] = 2, rv_put(b + 2, RV_PARAMS_REV2, 2);
    rv_put(b + 4, flags, 2);
    rv_put(b + 8, info, 4);
    rv_put(b + 12, 4 * entries, 2);
    rv_put(b + 16, tbl, 4);
    rv_put(b + 20, key_len, 2);
    rv_put(b + 24, key, 4);
    for (unsigned i = 0; i < entries; i++)
        b[tbl + 4 * i + 2] = (uint8_t)(i % cpus); /* PROCESSOR_NUMBER: Group, Number, Reserved */
    memcpy(b + key, rv_key, key_len < sizeof(rv_key) ? key_len : sizeof(rv_key));
    return key + key_len;
}

/* A TCP/IPv4 frame of flow K from the peer to the adapter. */
static void rv_tcp(uint8_t *f, unsigned k)
{
    memset(f, 0, RV_FRAME);
    memcpy(f, nk_mac, 6);
    memcpy(f + 6, nk_peer, 6);
    f[12] = 0x08, f[13] = 0x00;
    uint8_t *ip = f + 14;
    ip[0] = 0x45, ip[3] = RV_FRAME - 14, ip[8] = 64, ip[9] = 6;
    ip[12] = 10, ip[13] = 0, ip[14] = (uint8_t)(k >> 8), ip[15] = (uint8_t)k;
    ip[16] = 10, ip[17] = 0, ip[18] = 0, ip[19] = 1;
    uint8_t *tcp = ip + 20;
    tcp[0] = (uint8_t)((1024 + k) >> 8), tcp[1] = (uint8_t)(1024 + k), tcp[3] = 80;
    tcp[12] = 0x50;
    for (unsigned i = 54; i < RV_FRAME; i++)
        f[i] = (uint8_t)(k + i);
}

/* Capabilities, a good set, four refused ones that change nothing, the
 * query, and RSS switched off. */
VW_SCENARIO("netkvm", netkvm_rss_parameters_set_query, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 4, .cpus = 4, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t b[1024], q[1024];
    uint32_t status = 1, done = 0;
    vw_ndis_oid(vm, false, VW_OID_GEN_RECEIVE_SCALE_CAPABILITIES, q, sizeof(q), &status, &done);
    VW_EXPECT(vm,
              status == 0 && q[0] == RV_TYPE_CAPS && rv_get(q + 12, 4) == 4 &&
                  rv_get(q + 16, 2) == 128,
              "capabilities: status 0x%08x type 0x%x queues %u entries %u", status, q[0],
              rv_get(q + 12, 4), rv_get(q + 16, 2));
    unsigned n = rv_params(b, RV_TOEPLITZ_TCP4, 128, 4, 40, 0);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == 0, "128 entries over 4 CPUs: 0x%08x", status);
    n = rv_params(b, RV_TOEPLITZ_TCP4, 128, 4, 39, 0);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == RV_INVALID_PARM, "39-byte key: 0x%08x", status);
    n = rv_params(b, RV_TOEPLITZ_TCP4, 96, 4, 40, 0);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == RV_INVALID_PARM, "96 entries: 0x%08x", status);
    n = rv_params(b, RV_TOEPLITZ_TCP4, 8, 4, 40, 0);
    b[RV_PARAMS_REV2 + 4 * 5 + 2] = 9; /* processor 9 of 4 */
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == RV_INVALID_PARM, "processor 9 of 4: 0x%08x", status);
    n = rv_params(b, RV_TOEPLITZ_TCP4, 8, 4, 40, 0);
    rv_put(b + 24, 4000, 4); /* the key's offset past the buffer */
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == RV_INVALID_PARM, "key past the buffer: 0x%08x", status);
    memset(q, 0, sizeof(q));
    vw_ndis_oid(vm, false, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, q, sizeof(q), &status, &done);
    unsigned tbl = rv_get(q + 16, 4), key = rv_get(q + 24, 4);
    bool table_ok = rv_get(q + 12, 2) == 4 * 128 && tbl + 512 <= sizeof(q);
    for (unsigned i = 0; table_ok && i < 128; i++)
        table_ok = q[tbl + 4 * i + 2] == i % 4 && q[tbl + 4 * i] == 0;
    VW_EXPECT(vm,
              status == 0 && q[0] == RV_TYPE_PARAMS && rv_get(q + 8, 4) == RV_TOEPLITZ_TCP4 &&
                  table_ok && rv_get(q + 20, 2) == 40 && key + 40 <= sizeof(q) &&
                  memcmp(q + key, rv_key, 40) == 0,
              "query after the refused sets: status 0x%08x info 0x%x, the good set's table "
              "and key expected",
              status, rv_get(q + 8, 4));
    n = rv_params(b, 0, 0, 4, 0, RV_FLAG_DISABLE);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == 0, "RSS off: 0x%08x", status);
    vw_ndis_oid(vm, false, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, q, sizeof(q), &status, &done);
    VW_EXPECT(vm, status == 0 && (rv_get(q + 4, 2) & RV_FLAG_DISABLE) && rv_get(q + 8, 4) == 0,
              "query after RSS off: flags 0x%x info 0x%x", rv_get(q + 4, 2), rv_get(q + 8, 4));
    nk_down(vm, &r);
}

/* With RSS on over 4 CPUs, 32 TCP flows arriving on pair 0 are all
 * indicated intact (each on the DPC of the CPU its hash names) and returned. */
VW_SCENARIO("netkvm", netkvm_rss_flows_all_indicated, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 4, .cpus = 4, .shape = {.queue_max = 64}};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t b[1024];
    uint8_t f[RV_FRAME], got[RV_FRAME];
    uint32_t status = 1, done = 0;
    unsigned n = rv_params(b, RV_TOEPLITZ_TCP4, 128, 4, 40, 0);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == 0, "RSS parameters: 0x%08x", status);
    struct nk_mark m = nk_mark(vm);
    for (unsigned k = 0; k < 32 && !vm->failed; k++) {
        struct vmodel_net_rx_opts ro = {.queue = 0};
        rv_tcp(f, k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, RV_FRAME, &ro) == 0,
                  "flow %u not queued on pair 0", k);
    }
    unsigned got_n = nk_wait_indicated_since(vm, m, 32);
    VW_EXPECT(vm, got_n == 32, "%u of 32 flows indicated", got_n);
    bool seen[32] = {false};
    for (unsigned i = 0; i < got_n && i < 32 && !vm->failed; i++) {
        unsigned len = vw_ndis_received(vm, i, got, sizeof(got)), k;
        for (k = 0; k < 32; k++) {
            rv_tcp(f, k);
            if (len == RV_FRAME && memcmp(got, f, RV_FRAME) == 0)
                break;
        }
        VW_EXPECT(vm, k < 32 && !seen[k], "indication %u is no flow injected (%u bytes)", i, len);
        if (k < 32)
            seen[k] = true;
    }
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}

/* VlanId 100: a send leaves tagged; VLAN 100 comes in stripped, VLAN 200
 * is dropped, an untagged frame comes in as is. */
VW_SCENARIO("netkvm", netkvm_vlan_tag_insert_strip_filter, NULL)
{
    static const char *const kw[] = {"VlanId", "100", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t f[100], t[104], got[128];
    nk_frame(f, sizeof(f), nk_peer, nk_mac, 1);
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, &r, f, sizeof(f), NULL, &w))
        return;
    VW_EXPECT(vm, nk_is_tagged(&w, f, sizeof(f), 100),
              "the wire frame is not the send tagged with VLAN 100 (%u bytes)", w.len);
    /* In: VLAN 100 (priority 5), VLAN 200, untagged */
    nk_frame(f, sizeof(f), nk_mac, nk_peer, 2);
    struct nk_mark m = nk_mark(vm);
    memcpy(t, f, 12), memcpy(t + 16, f + 12, 88);
    t[12] = 0x81, t[13] = 0x00, t[14] = 0xA0, t[15] = 100;
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, t, sizeof(t), NULL) >= 0, "inject 100");
    t[14] = 0x00, t[15] = 200;
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, t, sizeof(t), NULL) >= 0, "inject 200");
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, sizeof(f), NULL) >= 0, "inject");
    nk_wait_indicated_since(vm, m, 3);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.indicated == 2, "%u indicated: VLAN 100 and the untagged frame expected",
              st.indicated);
    for (unsigned i = 0; i < 2 && i < st.indicated && !vm->failed; i++) {
        unsigned l = vw_ndis_received(vm, i, got, sizeof(got));
        VW_EXPECT(vm, l == sizeof(f) && memcmp(got, f, sizeof(f)) == 0,
                  "indication %u: %u bytes, not the untagged frame", i, l);
    }
    vw_ndis_return_all(vm);
    nk_down_clean(vm, &r);
}

/* *RSS 0: no capabilities, and a parameters set is not supported. */
VW_SCENARIO("netkvm", netkvm_rss_keyword_off, NULL)
{
    static const char *const kw[] = {"*RSS", "0", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .pairs = 4, .cpus = 4, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t b[1024];
    uint32_t status = 0, done = 0;
    vw_ndis_oid(vm, false, VW_OID_GEN_RECEIVE_SCALE_CAPABILITIES, b, sizeof(b), &status, &done);
    VW_EXPECT(vm, status == RV_NOT_SUPPORTED, "capabilities with *RSS 0: 0x%08x", status);
    unsigned n = rv_params(b, RV_TOEPLITZ_TCP4, 128, 4, 40, 0);
    vw_ndis_oid(vm, true, VW_OID_GEN_RECEIVE_SCALE_PARAMETERS, b, n, &status, &done);
    VW_EXPECT(vm, status == RV_NOT_SUPPORTED, "parameters with *RSS 0: 0x%08x", status);
    nk_down(vm, &r);
}
