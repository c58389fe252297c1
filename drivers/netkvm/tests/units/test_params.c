/* nk_params tests: every keyword at its default, min, max and invalid
 * values (as strings and as integers), NetworkAddress forms, the log
 * lines, read errors, and the effective offload switches. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nku.h"

/* A fake registry: name=value pairs the reader answers from. */
struct reg {
    const char *name[8];
    const char *text[8]; /* NULL with is_int: integer */
    int64_t ival[8];
    bool is_int[8];
    bool fail[8];
    size_t n;
};

/* The reader callback over a struct reg. */
static int reg_read(void *ctx, const char *name, struct nk_raw *raw)
{
    struct reg *r = ctx;
    for (size_t i = 0; i < r->n; i++) {
        if (strcasecmp(r->name[i], name))
            continue;
        if (r->fail[i])
            return -1;
        if (r->is_int[i]) {
            raw->kind = NK_RAW_INT;
            raw->ival = r->ival[i];
        } else {
            raw->kind = NK_RAW_STRING;
            size_t len = strlen(r->text[i]);
            raw->truncated = len >= NK_RAW_STR_MAX;
            memcpy(raw->str, r->text[i], raw->truncated ? NK_RAW_STR_MAX - 1 : len);
        }
        return 0;
    }
    return 0;
}

/* Loads with one string value for one keyword. */
static unsigned load1(struct nk_params *p, const char *name, const char *text)
{
    struct reg r = {.name = {name}, .text = {text}, .n = 1};
    return nk_params_load(p, reg_read, &r);
}

/* Loads with one integer value for one keyword. */
static unsigned load1i(struct nk_params *p, const char *name, int64_t v)
{
    struct reg r = {.name = {name}, .ival = {v}, .is_int = {true}, .n = 1};
    return nk_params_load(p, reg_read, &r);
}

/* The table is consistent with itself. */
static void table_tests(void)
{
    unsigned bad = 0;
    for (int i = 0; i < NK_P_COUNT; i++) {
        const struct nk_param_def *d = &nk_param_table[i];
        if (!d->name || !d->desc || nk_param_def_named(d->name) != d)
            bad++;
        if (d->type != NK_PT_MAC && (d->def < d->min || d->def > d->max))
            bad++;
        if (d->type == NK_PT_ENUM || d->type == NK_PT_POW2) {
            bool found = false;
            for (int k = 0; k < d->nenums; k++)
                found |= d->enums[k] == d->def;
            bad += !found || !d->enums;
        }
    }
    check(!bad, "params: %d keywords: names unique, defaults within their own rules", NK_P_COUNT);
    check(nk_param_def_named("*rss") == &nk_param_table[NK_P_RSS] && !nk_param_def_named("*RSSX") &&
              !nk_param_def_named(""),
          "params: keyword lookup is case-insensitive and exact");
    check(nk_param_table[NK_P_NUM_RSS_QUEUES].max == 128 &&
              nk_param_table[NK_P_MERGEABLE_BUFFERS].def == 1,
          "params: *NumRssQueues goes to 128; MergeableBuffers on by default");
}

/* Every keyword: default silently, min and max taken, invalid -> default + finding. */
static void each_keyword(void)
{
    struct nk_params p;
    check(nk_params_load(&p, reg_read, &(struct reg){0}) == 0 &&
              p.value[NK_P_JUMBO_PACKET] == 1514 && p.value[NK_P_RX_CAPACITY] == 1024 && !p.mac_set,
          "params: nothing in the registry: defaults, no findings");
    for (int i = 0; i < NK_P_COUNT; i++) {
        const struct nk_param_def *d = &nk_param_table[i];
        char buf[32];
        if (d->type == NK_PT_MAC)
            continue;
        unsigned bad = 0;
        snprintf(buf, sizeof(buf), "%d", d->min);
        bad += load1(&p, d->name, buf) != 0 || p.value[i] != d->min;
        snprintf(buf, sizeof(buf), " %d ", d->max);
        bad += load1(&p, d->name, buf) != 0 || p.value[i] != d->max;
        bad += load1i(&p, d->name, d->max) != 0 || p.value[i] != d->max;
        snprintf(buf, sizeof(buf), "%d", d->def);
        bad += load1(&p, d->name, buf) != 0 || p.value[i] != d->def;
        check(!bad, "params: %s takes default %d, min %d and max %d", d->name, d->def, d->min,
              d->max);
        snprintf(buf, sizeof(buf), "%d", d->max + 1);
        unsigned n = load1(&p, d->name, buf);
        check(n == 1 && p.value[i] == d->def && p.finding[i] == NK_PF_RANGE,
              "params: %s %s is out of range: default %d", d->name, buf, d->def);
        n = load1i(&p, d->name, (int64_t)d->min - 1);
        check(n == 1 && p.value[i] == d->def && p.finding[i] == NK_PF_RANGE,
              "params: %s %lld (integer) is out of range", d->name, (long long)d->min - 1);
        n = load1(&p, d->name, "12abc");
        check(n == 1 && p.value[i] == d->def && p.finding[i] == NK_PF_MALFORMED,
              "params: %s '12abc' is malformed", d->name);
        n = load1(&p, d->name, "");
        check(n == 1 && p.finding[i] == NK_PF_MALFORMED, "params: %s empty is malformed", d->name);
        n = load1i(&p, d->name, (int64_t)1 << 40);
        check(n == 1 && p.finding[i] == NK_PF_RANGE, "params: %s 2^40 is out of range", d->name);
    }
    unsigned n = load1(&p, "TxCapacity", "100");
    check(n == 1 && p.value[NK_P_TX_CAPACITY] == 1024 &&
              p.finding[NK_P_TX_CAPACITY] == NK_PF_NOT_POW2,
          "params: TxCapacity 100 is not a power of two");
    n = load1(&p, "Offload.TxChecksum", "2");
    check(n == 1 && p.value[NK_P_OFFLOAD_TX_CSUM] == 31 &&
              p.finding[NK_P_OFFLOAD_TX_CSUM] == NK_PF_NOT_ENUM,
          "params: Offload.TxChecksum 2 is not an allowed value");
    n = load1(&p, "VlanId", "99999999999999999999999");
    check(n == 1 && p.finding[NK_P_VLAN_ID] == NK_PF_MALFORMED,
          "params: a number past 64 bits is malformed, not wrapped");
    struct reg r = {
        .name = {"*RSS", "DebugLevel"}, .text = {"0", "8"}, .fail = {false, true}, .n = 2};
    n = nk_params_load(&p, reg_read, &r);
    check(n == 1 && p.value[NK_P_RSS] == 0 && p.finding[NK_P_DEBUG_LEVEL] == NK_PF_MALFORMED &&
              p.value[NK_P_DEBUG_LEVEL] == 0,
          "params: a read error is a finding; other keywords still read");
    char longtext[100];
    memset(longtext, '1', sizeof(longtext) - 1);
    longtext[99] = 0;
    n = load1(&p, "VlanId", longtext);
    check(n == 1 && p.finding[NK_P_VLAN_ID] == NK_PF_MALFORMED,
          "params: truncated text is malformed");
}

/* NetworkAddress forms. */
static void mac_tests(void)
{
    struct nk_params p;
    struct {
        const char *text;
        int want;
    } cases[] = {
        {"02-11-22-33-44-55", NK_PF_NONE},       {"021122334455", NK_PF_NONE},
        {"06:aa:BB:cc:dd:ee", NK_PF_NONE},       {"01-00-5E-00-00-01", NK_PF_MAC_MULTICAST},
        {"FFFFFFFFFFFF", NK_PF_MAC_MULTICAST},   {"000000000000", NK_PF_MAC_ZERO},
        {"001122334455", NK_PF_MAC_NOT_LOCAL},   {"02-11-22:33-44-55", NK_PF_MALFORMED},
        {"0211-22334455", NK_PF_MALFORMED},      {"02112233445", NK_PF_MALFORMED},
        {"0211223344556", NK_PF_MALFORMED},      {"02112233445G", NK_PF_MALFORMED},
        {"02-11-22-33-44-55-", NK_PF_MALFORMED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned n = load1(&p, "NetworkAddress", cases[i].text);
        bool ok = p.finding[NK_P_NETWORK_ADDRESS] == cases[i].want &&
                  n == (cases[i].want != NK_PF_NONE) && p.mac_set == (cases[i].want == NK_PF_NONE);
        check(ok, "params: NetworkAddress '%s' -> finding %d", cases[i].text, cases[i].want);
    }
    load1(&p, "NetworkAddress", "06:aa:BB:cc:dd:ee");
    check(!memcmp(p.mac, "\x06\xaa\xbb\xcc\xdd\xee", 6) && p.mac_local, "params: MAC bytes right");
    check(load1(&p, "NetworkAddress", "") == 0 && !p.mac_set,
          "params: empty NetworkAddress: unset");
    check(load1i(&p, "NetworkAddress", 5) == 1, "params: an integer NetworkAddress is malformed");
}

/* Log lines. */
static void describe_tests(void)
{
    struct nk_params p;
    char line[160];
    load1(&p, "VlanId", "5000");
    size_t n = nk_params_describe(&p, NK_P_VLAN_ID, line, sizeof(line));
    check(n == strlen(line) && !strcmp(line, "VlanId: '5000' is out of range 0..4094; using 0"),
          "params: log line '%s'", line);
    load1(&p, "NetworkAddress", "01-00-5E-00-00-01");
    nk_params_describe(&p, NK_P_NETWORK_ADDRESS, line, sizeof(line));
    check(!strcmp(line, "NetworkAddress: '01-00-5E-00-00-01' is a multicast address; using the "
                        "device's address"),
          "params: log line '%s'", line);
    load1i(&p, "*JumboPacket", -3);
    n = nk_params_describe(&p, NK_P_JUMBO_PACKET, line, 20);
    check(n == 19 && line[19] == 0, "params: a short log buffer is cut and terminated");
    check(nk_params_describe(&p, NK_P_RSS, line, sizeof(line)) == 0 && !line[0],
          "params: no finding, no line");
    load1(&p, "VlanId",
          "\x01\x7f"
          "9");
    nk_params_describe(&p, NK_P_VLAN_ID, line, sizeof(line));
    check(!strncmp(line, "VlanId: '??9'", 13), "params: control bytes are not logged raw");
}

/* Keyword AND legacy mask. */
static void offload_tests(void)
{
    struct nk_params p;
    struct nk_offload_cfg o;
    nk_params_defaults(&p);
    nk_params_offloads(&p, &o);
    check(o.tx_ip4 && o.tx_tcp4 && o.tx_udp4 && o.tx_tcp6 && o.tx_udp6 && o.rx_ip4 && o.rx_tcp6 &&
              o.lso4 && o.lso6 && o.rsc4 && o.rsc6 && o.uso4 && o.uso6,
          "params: defaults enable every offload");
    load1(&p, "*TCPChecksumOffloadIPv4", "2");
    nk_params_offloads(&p, &o);
    check(!o.tx_tcp4 && o.rx_tcp4 && !o.lso4 && o.lso6, "params: TCPv4 checksum Rx only: no LSOv4");
    load1(&p, "Offload.TxChecksum", "3");
    nk_params_offloads(&p, &o);
    check(o.tx_tcp4 && o.tx_udp4 && !o.tx_ip4 && !o.tx_tcp6 && !o.lso6 && !o.uso6,
          "params: legacy mask 3 leaves TCPv4 and UDPv4 only");
    load1(&p, "Offload.TxLSO", "1");
    nk_params_offloads(&p, &o);
    check(o.lso4 && !o.lso6, "params: Offload.TxLSO 1 is IPv4 only");
}

/* Every nk_params test. */
void test_params(void)
{
    table_tests();
    each_keyword();
    mac_tests();
    describe_tests();
    offload_tests();
}
