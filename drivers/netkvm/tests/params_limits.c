/*
 * The last of NetKVM's advanced properties shown by their effect at their
 * limits (issue 16: every keyword at its default, min, max and an invalid
 * value; the INF drivers/netkvm/netkvm.inx gives the ranges):
 * - *NumRssQueues 128 (its maximum and default) with 128 pairs offered on
 *   128 CPUs: 128 pairs at the device and 128 RSS receive queues.  64-bit
 *   only: on x86 the harness runs at most 32 processors (32-bit Windows'
 *   limit, nt/ke/k_cpus.c), where 32 pairs on 32 CPUs is the largest shown.
 * - TxCapacity 1024 (its maximum and default) on a transmit ring of 256:
 *   512 sends while the device holds the transmit queue's used entries;
 *   never more at the device than the ring holds (virtio 1.2 2.7.13 / 2.6:
 *   the driver may not make more descriptors available than the queue
 *   size), and every send completes, on the wire in order, after; also
 *   without indirect descriptors (two of the ring's per send).
 * - *RSS 2 (not in its enumeration 0/1): the default, RSS on (capabilities
 *   answered with 4 receive queues), and a log line naming the value.
 * - DoLog 2 (enumeration 0/1) and DebugLevel 9 (range 0..8): the defaults
 *   (logging on, no control command lines) and a log line naming each;
 *   DebugLevel 8 (its maximum) adds control command lines as 2 does.
 * Out-of-range values log "Name: 'value' ..." (drivers/netkvm/README.md).
 */
#include "nkoff.h"

#define PL_LEN   100
#define PL_RING  256
#define PL_SENDS 512   /* twice the ring */
#define PL_HOLD  40000 /* 4 ms of the transmit queue held */
#define PL_RSS_RING                                                                                \
    16 /* 128 receive rings of 16 buffers: 2048 NBLs, within the NDIS emulation's 4096 */

/* KEYWORD VALUE with PAIRS pairs offered on CPUS processors: WANT pairs at
 * the device and WANT RSS receive queues in the capabilities; LOGGED (if
 * not NULL) in the run's log. */
static void pl_rss(struct vm *vm, const char *keyword, const char *value, uint16_t pairs,
                   uint16_t cpus, unsigned want, const char *logged)
{
    const char *const kw[] = {keyword, value, NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .pairs = pairs,
                        .cpus = cpus,
                        .shape = {.queue_max = PL_RSS_RING},
                        .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    struct vw_ndis_offload_stats os;
    vw_ndis_offload_stats(vm, &os);
    vw_log(vm, "netkvm %s %s on %u CPUs: %u pairs at the device, %u RSS receive queues", keyword,
           value, vw_cpu_count(vm), ms->pairs, os.rss_queues);
    VW_EXPECT(vm, ms->pairs == want && os.rss_caps && os.rss_queues == want,
              "%s %s: %u pairs, %u RSS queues (caps %d), %u expected", keyword, value, ms->pairs,
              os.rss_queues, os.rss_caps, want);
    VW_EXPECT(vm, logged == NULL || nk_logged(vm, logged), "no log line '%s'", logged);
    nk_down(vm, &r);
}

/* The maximum: 128 pairs on 128 CPUs (two processor groups). */
VW_SCENARIO_ON("netkvm", netkvm_params_num_rss_queues_max_128, NULL,
               VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    pl_rss(vm, "*NumRssQueues", "128", 128, 128, 128, NULL);
}

/* x86's largest: 32 pairs on 32 CPUs, *NumRssQueues 128 asks for more. */
VW_SCENARIO_ON("netkvm", netkvm_params_num_rss_queues_max_x86_32_cpus, NULL, VW_ARCH_BIT(VW_X86))
{
    pl_rss(vm, "*NumRssQueues", "128", 32, 32, 32, NULL);
}

/* *RSS 2: not 0 or 1, so the default (on) and a log line. */
VW_SCENARIO("netkvm", netkvm_params_rss_invalid_default, NULL)
{
    pl_rss(vm, "*RSS", "2", 4, 4, 4, "*RSS: '2'");
}

/* TxCapacity 1024 on a device offering transmit rings of 256: PL_SENDS
 * sends (INDIRECT: indirect descriptors offered) while the transmit queue
 * is held; how many reached the device meanwhile must not pass the queue
 * size the driver enabled (PLANTED nonzero: this instead, the planted
 * twin's smaller claim), and all complete and reach the wire in order
 * after.  (The virtio model also
 * fails the run on its own if a head in flight is made available again or
 * avail idx moves past the ring.) */
static void pl_tx_capacity_over_ring(struct vm *vm, bool indirect, unsigned planted)
{
    static const char *const kw[] = {"TxCapacity", "1024", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true,
                        .shape = {.queue_max = PL_RING},
                        .keywords = kw,
                        .no_indirect = !indirect};
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[PL_SENDS * PL_LEN];
    unsigned size = vmodel_queue_size(r.net->dev->model, 1);
    unsigned limit = planted != 0 ? planted : size;
    VW_EXPECT(vm, size != 0 && size <= PL_RING, "transmit queue size %u, %u offered", size,
              PL_RING);
    struct nk_mark m = nk_mark(vm);
    vw_virtio_hang_queue(r.net->dev, 1, PL_HOLD);
    for (unsigned k = 0; k < PL_SENDS && !vm->failed; k += NK_SEND_MAX)
        nk_send_frames(vm, buf + k * PL_LEN, PL_LEN, k, NK_SEND_MAX);
    vw_run_for(vm, PL_HOLD / 8);
    unsigned early = (unsigned)vmodel_net_stats(r.net->model)->tx_frames;
    unsigned done_early = nk_mark(vm).completed - m.completed;
    vw_log(vm,
           "netkvm TxCapacity 1024, ring %u%s: %u of %u sends at the device while it holds them",
           size, indirect ? "" : " without indirect descriptors", early, PL_SENDS);
    VW_EXPECT(vm, early <= limit && early > 0,
              "TxCapacity 1024: %u sends at the device at once, the ring holds %u", early, limit);
    VW_EXPECT(vm, done_early == 0, "%u sends completed while the device held them all", done_early);
    unsigned done = 0;
    for (unsigned round = 0; round < 8 && done < PL_SENDS && !vm->failed; round++)
        done = nk_wait_completed_since(vm, m, PL_SENDS);
    VW_EXPECT(vm, done == PL_SENDS, "%u of %u sends completed", done, PL_SENDS);
    nk_expect_wire(vm, &r, PL_LEN, 0, PL_SENDS);
    nk_down_clean(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_params_tx_capacity_max_over_ring, NULL)
{
    pl_tx_capacity_over_ring(vm, true, 0);
}

/* The same without indirect descriptors: each send takes a chain of the
 * ring's own descriptors (its header and its data), so fewer sends fit at
 * once; still never more than the ring, each descriptor used once in
 * flight (the model's rules), all complete in order. */
VW_SCENARIO("netkvm", netkvm_params_tx_capacity_max_over_ring_no_indirect, NULL)
{
    pl_tx_capacity_over_ring(vm, false, 0);
}

/* Planted: the check told the ring holds 16 while it holds 256: the
 * driver's sends at the device pass it, and the check must fail. */
VW_SCENARIO("netkvm", netkvm_params_tx_capacity_max_over_ring_planted_small_limit,
            "the ring holds 16")
{
    pl_tx_capacity_over_ring(vm, true, 16);
}

/* DoLog 2: the default (1, logging on) and a line naming the value. */
VW_SCENARIO("netkvm", netkvm_logging_do_log_invalid_default, NULL)
{
    unsigned all, ctrl;
    nk_logging_run(vm, (const char *const[]){"DoLog", "2", NULL}, &all, &ctrl);
    VW_EXPECT(vm, all > 0 && ctrl == 0, "DoLog 2: %u driver lines, %u control command lines", all,
              ctrl);
    VW_EXPECT(vm, nk_logged(vm, "DoLog: '2'"), "no log line naming DoLog '2'");
}

/* DebugLevel 9: the default (0, no control command lines) and a line
 * naming the value. */
VW_SCENARIO("netkvm", netkvm_logging_debug_level_invalid_default, NULL)
{
    unsigned all, ctrl;
    nk_logging_run(vm, (const char *const[]){"DebugLevel", "9", NULL}, &all, &ctrl);
    VW_EXPECT(vm, all > 0 && ctrl == 0, "DebugLevel 9: %u driver lines, %u control command lines",
              all, ctrl);
    VW_EXPECT(vm, nk_logged(vm, "DebugLevel: '9'"), "no log line naming DebugLevel '9'");
}

/* DebugLevel 8 (the maximum): control command lines, as at 2. */
VW_SCENARIO("netkvm", netkvm_logging_debug_level_max, NULL)
{
    unsigned all, ctrl;
    nk_logging_run(vm, (const char *const[]){"DebugLevel", "8", NULL}, &all, &ctrl);
    VW_EXPECT(vm, ctrl > 0, "DebugLevel 8: no control command line (%u driver lines)", all);
}

/* Planted: *RSS 2 set but never delivered (NdisReadConfiguration answers
 * it not present): RSS is on by default all the same, but no line names
 * the value, so the log check above must fail. */
VW_SCENARIO("netkvm", netkvm_params_rss_invalid_planted_not_delivered, "no log line '*RSS: '2''")
{
    vw_ndis_plant_keyword_lost(vm, "*RSS");
    pl_rss(vm, "*RSS", "2", 4, 4, 4, "*RSS: '2'");
}

/* Planted: DebugLevel 8 never delivered: the default (0) writes no control
 * command line, and the check above must fail. */
VW_SCENARIO("netkvm", netkvm_logging_debug_level_max_planted_not_delivered,
            "DebugLevel 8: no control command line")
{
    vw_ndis_plant_keyword_lost(vm, "DebugLevel");
    unsigned all, ctrl;
    nk_logging_run(vm, (const char *const[]){"DebugLevel", "8", NULL}, &all, &ctrl);
    VW_EXPECT(vm, ctrl > 0, "DebugLevel 8: no control command line (%u driver lines)", all);
}

/* Planted: DoLog 2 never delivered: logging on by default, no line names
 * the value, and the check above must fail. */
VW_SCENARIO("netkvm", netkvm_logging_do_log_invalid_planted_not_delivered,
            "no log line naming DoLog '2'")
{
    vw_ndis_plant_keyword_lost(vm, "DoLog");
    unsigned all, ctrl;
    nk_logging_run(vm, (const char *const[]){"DoLog", "2", NULL}, &all, &ctrl);
    VW_EXPECT(vm, all > 0 && ctrl == 0, "DoLog 2: %u driver lines, %u control command lines", all,
              ctrl);
    VW_EXPECT(vm, nk_logged(vm, "DoLog: '2'"), "no log line naming DoLog '2'");
}
