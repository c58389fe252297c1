/*
 * nk_stats.h - the error and discard counters as NDIS reports them,
 * OS-neutral (no Windows header; the host unit tests build it as is).
 *
 * Facts: OID_GEN_RCV_DISCARDS is "identical to the ifInDiscards counter
 * described in RFC 2863" and OID_GEN_XMIT_DISCARDS to ifOutDiscards
 * (network/oid-gen-rcv-discards, oid-gen-xmit-discards); OID_GEN_STATISTICS
 * carries the same four in NDIS_STATISTICS_INFO.  RFC 2863 keeps them
 * apart: a discard is a packet dropped "even though no errors had been
 * detected" (no buffer, paused, filtered), an error one that "contained
 * errors preventing" delivery (the device described it wrongly) or "could
 * not be transmitted because of errors".  So a dropped frame counts in one
 * of the two, never both; a ring that ran short of buffers (RCV_NO_BUFFER)
 * lost no frame the driver saw and is in neither.
 *
 * Usage (oid.c): fill struct nk_counts from the adapter's counters,
 * nk_stats_if(&c, &out), answer the OIDs and NDIS_STATISTICS_INFO from out.
 */
#ifndef NK_STATS_H
#define NK_STATS_H

#include <stdint.h>

/* The driver's own counts, each frame in one of them */
struct nk_counts {
    uint64_t rx_errors;   /* received frames the device described wrongly (dropped) */
    uint64_t rx_discards; /* good frames dropped: paused, another VLAN, no CPU path */
    uint64_t tx_errors;   /* sends failed: unmappable, too long, the device's error */
    uint64_t tx_discards; /* sends refused whole before a queue: paused, reset, removed */
};

/* RFC 2863's four as NDIS reports them */
struct nk_if_counts {
    uint64_t in_errors, in_discards, out_errors, out_discards;
};

/* The interface counters from the driver's counts. */
void nk_stats_if(const struct nk_counts *c, struct nk_if_counts *out);

#endif /* NK_STATS_H */
