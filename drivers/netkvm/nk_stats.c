/* nk_stats.c - the error and discard counters as NDIS reports them (see
 * nk_stats.h). */
#include "nk_stats.h"

/* IRQL: any. Errors and discards apart, as RFC 2863 defines them. */
void nk_stats_if(const struct nk_counts *c, struct nk_if_counts *out)
{
    out->in_errors = c->rx_errors;
    out->out_errors = c->tx_errors;
#ifdef NK_PLANTED_STATS_BOTH /* planted: an error also counted a discard */
    out->in_discards = c->rx_discards + c->rx_errors;
    out->out_discards = c->tx_discards + c->tx_errors;
#else
    out->in_discards = c->rx_discards;
    out->out_discards = c->tx_discards;
#endif
}
