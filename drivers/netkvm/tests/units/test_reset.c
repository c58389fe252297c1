/*
 * nk_reset tests: the reset's states in order only (a second reset while
 * one runs refused, no step skipped or repeated, the end only after the
 * device reset), what the data path may do in each, and a toy data path
 * driven by those answers through a reset under traffic: every send
 * completed exactly once (SUCCESS or RESET_IN_PROGRESS), nothing posted
 * while the device is down, every receive buffer back on the ring after.
 * The copy built with NK_PLANTED_RESET_SKIP (the restore without the device
 * reset) must fail.
 */
#include <string.h>

#include "../../nk_reset.h"
#include "nku.h"

/* The states and their order. */
static void test_order(void)
{
    struct nk_reset r;
    memset(&r, 0, sizeof(r));
    check(!nk_reset_refuses_sends(&r) && nk_reset_may_post(&r) && !nk_reset_end(&r, true),
          "reset: idle: sends taken, posts allowed, nothing to end");
    check(nk_reset_begin(&r) && !nk_reset_begin(&r),
          "reset: a second reset while one runs refused");
    check(nk_reset_refuses_sends(&r) && !nk_reset_may_post(&r),
          "reset: quiesce: sends refused, nothing posted");
    check(!nk_reset_advance(&r, NK_RESET_RESTORE) && r.state == NK_RESET_QUIESCE,
          "reset: the restore before the device reset refused");
    check(!nk_reset_end(&r, true) && r.state == NK_RESET_QUIESCE,
          "reset: the end before the device reset refused");
    check(nk_reset_advance(&r, NK_RESET_DEVICE) && !nk_reset_advance(&r, NK_RESET_DEVICE),
          "reset: the device reset once");
    check(nk_reset_refuses_sends(&r) && !nk_reset_may_post(&r),
          "reset: device down: sends refused, nothing posted");
    check(nk_reset_advance(&r, NK_RESET_RESTORE) && nk_reset_may_post(&r) &&
              nk_reset_refuses_sends(&r),
          "reset: restore: buffers posted, sends still refused");
    check(!nk_reset_advance(&r, NK_RESET_IDLE) && !nk_reset_advance(&r, (enum nk_reset_state)9),
          "reset: no step to idle or past the last state");
    check(nk_reset_end(&r, true) && r.state == NK_RESET_IDLE && r.done == 1 && r.failed == 0,
          "reset: ended, counted");
    check(nk_reset_begin(&r) && nk_reset_advance(&r, NK_RESET_DEVICE) && nk_reset_end(&r, true) &&
              r.done == 2 && r.failed == 1 && !nk_reset_refuses_sends(&r),
          "reset: ended without a restore: counted failed, idle again");
}

enum { T_NONE, T_DEVICE, T_WAIT, T_DONE_OK, T_DONE_RESET };
#define T_SENDS 96
#define T_BUFS  32

/* A toy adapter: sends at the device or waiting, receive buffers posted,
 * free or held by the protocol; each move asks the state machine. */
struct toy {
    struct nk_reset r;
    int send[T_SENDS];
    unsigned completions[T_SENDS];
    int buf[T_BUFS]; /* 0 free, 1 posted, 2 indicated (held) */
    unsigned posted_while_down;
};

/* A send arriving: to the device, refused while a reset runs. */
static void toy_send(struct toy *t, unsigned i)
{
    if (nk_reset_refuses_sends(&t->r)) {
        t->send[i] = T_DONE_RESET;
        t->completions[i]++;
    } else {
        t->send[i] = i % 3 == 0 ? T_WAIT : T_DEVICE;
    }
}

/* Free buffers go to the ring when the state allows. */
static void toy_post(struct toy *t)
{
    for (unsigned b = 0; b < T_BUFS; b++)
        if (t->buf[b] == 0 && nk_reset_may_post(&t->r)) {
            if (t->r.state == NK_RESET_DEVICE || t->r.state == NK_RESET_QUIESCE)
                t->posted_while_down++;
            t->buf[b] = 1;
        }
}

/* The reset, as driver.c runs it, with returns and sends interleaved. */
static void toy_reset(struct toy *t, unsigned next_send)
{
    check(nk_reset_begin(&t->r), "reset: toy: begins");
    toy_send(t, next_send++);   /* refused */
    t->buf[3] = 0, toy_post(t); /* a return while quiescing: stays free */
    nk_reset_advance(&t->r, NK_RESET_DEVICE);
    for (unsigned i = 0; i < T_SENDS; i++)
        if (t->send[i] == T_DEVICE || t->send[i] == T_WAIT)
            t->send[i] = T_DONE_RESET, t->completions[i]++;
    for (unsigned b = 0; b < T_BUFS; b++)
        if (t->buf[b] == 1)
            t->buf[b] = 0;      /* taken back */
    t->buf[5] = 0, toy_post(t); /* a return while down: stays free */
    toy_send(t, next_send++);   /* refused */
    nk_reset_advance(&t->r, NK_RESET_RESTORE);
    toy_post(t);
    nk_reset_end(&t->r, true);
}

/* Traffic, a reset in the middle, traffic again. */
static void test_traffic(void)
{
    struct toy t;
    memset(&t, 0, sizeof(t));
    toy_post(&t);
    for (unsigned i = 0; i < 40; i++)
        toy_send(&t, i);
    for (unsigned i = 0; i < 10; i++) /* the device completes some */
        if (t.send[i] == T_DEVICE)
            t.send[i] = T_DONE_OK, t.completions[i]++;
    for (unsigned b = 0; b < 8; b++)
        t.buf[b] = 2; /* indicated, held by the protocol */
    toy_reset(&t, 40);
    for (unsigned b = 0; b < T_BUFS; b++)
        if (t.buf[b] == 2)
            t.buf[b] = 0; /* returned after the reset */
    toy_post(&t);
    for (unsigned i = 42; i < T_SENDS; i++)
        toy_send(&t, i);
    for (unsigned i = 42; i < T_SENDS; i++)
        if (t.send[i] == T_DEVICE || t.send[i] == T_WAIT)
            t.send[i] = T_DONE_OK, t.completions[i]++;
    bool once = true, posted = true;
    unsigned reset_done = 0;
    for (unsigned i = 0; i < T_SENDS; i++) {
        once = once && t.completions[i] == 1;
        reset_done += t.send[i] == T_DONE_RESET;
    }
    for (unsigned b = 0; b < T_BUFS; b++)
        posted = posted && t.buf[b] == 1;
    check(once, "reset: toy: every send completed exactly once");
    check(reset_done == 36,
          "reset: toy: 34 in flight and 2 arriving completed with RESET_IN_PROGRESS (%u)",
          reset_done);
    check(t.posted_while_down == 0 && posted,
          "reset: toy: nothing posted while down, every buffer posted after");
}

/* See the file comment. */
void test_reset(void)
{
    test_order();
    test_traffic();
}
