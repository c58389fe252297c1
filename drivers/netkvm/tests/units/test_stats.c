/*
 * test_stats.c - nk_stats: each dropped frame in ifInErrors or
 * ifInDiscards (ifOutErrors or ifOutDiscards), never both (RFC 2863, which
 * OID_GEN_RCV_DISCARDS / OID_GEN_XMIT_DISCARDS name).
 */
#include "../../nk_stats.h"
#include "nku.h"

/* See the file comment. */
void test_stats(void)
{
    struct nk_if_counts o;
    struct nk_counts c = {.rx_errors = 1};
    nk_stats_if(&c, &o);
    check(o.in_errors == 1 && o.in_discards == 0,
          "stats: one hostile frame: ifInErrors 1, ifInDiscards 0 (got %llu, %llu)",
          (unsigned long long)o.in_errors, (unsigned long long)o.in_discards);
    c = (struct nk_counts){.rx_discards = 3};
    nk_stats_if(&c, &o);
    check(o.in_errors == 0 && o.in_discards == 3,
          "stats: three frames dropped while paused: ifInDiscards 3, ifInErrors 0");
    c = (struct nk_counts){.tx_errors = 2};
    nk_stats_if(&c, &o);
    check(o.out_errors == 2 && o.out_discards == 0,
          "stats: two sends failed: ifOutErrors 2, ifOutDiscards 0 (got %llu, %llu)",
          (unsigned long long)o.out_errors, (unsigned long long)o.out_discards);
    c = (struct nk_counts){.tx_discards = 5};
    nk_stats_if(&c, &o);
    check(o.out_errors == 0 && o.out_discards == 5,
          "stats: five sends refused while paused: ifOutDiscards 5, ifOutErrors 0");
    c = (struct nk_counts){7, 11, 13, 17};
    nk_stats_if(&c, &o);
    check(o.in_errors + o.in_discards == 18 && o.out_errors + o.out_discards == 30,
          "stats: every frame counted once: 7 + 11 received, 13 + 17 sent");
}
