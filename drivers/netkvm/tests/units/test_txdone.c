/*
 * test_txdone.c - nk_txdone: a send's used length (0 only: a send is a
 * device-readable chain) and the transmit queue's progress as
 * MiniportCheckForHangEx looks at it (hung after NK_TX_STALL_LOOKS looks
 * with sends held and none completed; never when empty or progressing).
 */
#include "../../nk_txdone.h"
#include "nku.h"

/* Used lengths of a completed send: 0 taken, anything else refused. */
static void used(void)
{
    check(nk_tx_used_ok(0), "txdone: a send completed with used length 0 taken");
    check(!nk_tx_used_ok(1) && !nk_tx_used_ok(60) && !nk_tx_used_ok(1514) &&
              !nk_tx_used_ok(0xFFFFFFFFu),
          "txdone: a send completed with used length 1 / 60 / 1514 / 0xffffffff refused");
}

/* The watch over a queue, look by look. */
static void watch(void)
{
    struct nk_tx_watch w = {0};
    bool any = false;
    for (unsigned i = 0; i < 10; i++)
        any |= nk_tx_watch(&w, 0, 5);
    check(!any, "txdone: an empty queue is never hung (10 looks)");
    any = false;
    for (unsigned i = 0; i < 10; i++)
        any |= nk_tx_watch(&w, 8, 100 + i);
    check(!any, "txdone: a queue completing sends between looks is never hung (10 looks)");

    /* Sends held, nothing completed since: the first look after the last
     * completion starts the count; NK_TX_STALL_LOOKS in a row report */
    w = (struct nk_tx_watch){0};
    bool first = nk_tx_watch(&w, 8, 7);
    bool second = nk_tx_watch(&w, 8, 7);
    bool third = nk_tx_watch(&w, 8, 7);
    bool fourth = nk_tx_watch(&w, 8, 7);
    check(!first && !second && third && fourth,
          "txdone: 8 sends held, none completed: hung at the third look and after (%d %d %d %d)",
          first, second, third, fourth);
    bool moved = nk_tx_watch(&w, 8, 8);
    bool again = nk_tx_watch(&w, 8, 8);
    check(!moved && !again, "txdone: a completion ends the stall; one look later still not hung");
    w = (struct nk_tx_watch){0};
    nk_tx_watch(&w, 1, 3);
    nk_tx_watch(&w, 1, 3);
    bool emptied = nk_tx_watch(&w, 0, 3);
    bool refilled = nk_tx_watch(&w, 1, 3);
    check(!emptied && !refilled, "txdone: a queue that emptied starts the count again");
}

/* Every nk_txdone test. */
void test_txdone(void)
{
    used();
    watch();
}
