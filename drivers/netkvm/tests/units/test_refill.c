/*
 * test_refill.c - nk_refill: a receive queue whose ring refuses free
 * buffers below the plan's minimum is retried by a timer NK_REFILL_TRIES
 * times at most, one retry set at a time; a post that works, or nothing
 * left free, ends the shortage and a later one starts over.  The copy
 * built with NK_PLANTED_REFILL_UNBOUNDED (no bound) must fail.  The
 * timer's gate (D3 and halt stop the timer before the device is reset or
 * memory goes): test_refill_stop.
 */
#include "../../nk_refill.h"
#include "nku.h"

/* See the file comment. */
void test_refill(void)
{
    struct nk_refill r = {0};
    check(nk_refill_after_post(&r, 64, 16, 0, false) == NK_REFILL_NONE &&
              nk_refill_after_post(&r, 64, 16, 5, false) == NK_REFILL_NONE,
          "refill: enough posted: no timer");
    check(nk_refill_after_post(&r, 4, 16, 0, false) == NK_REFILL_NONE,
          "refill: short with nothing free: the returns refill, no timer");
    check(nk_refill_after_post(&r, 4, 16, 12, false) == NK_REFILL_ARM && r.tries == 1 &&
              nk_refill_after_post(&r, 4, 16, 12, false) == NK_REFILL_NONE &&
              nk_refill_after_post(&r, 5, 16, 11, false) == NK_REFILL_NONE,
          "refill: the ring refused 12 free buffers: one timer set, none more while it waits");
    /* The timer runs and the ring still refuses: retried up to the bound */
    unsigned armed = 1, gave_up = 0, runs = 0;
    for (; runs < 100; runs++) {
        enum nk_refill_act act = nk_refill_after_post(&r, 4, 16, 12, true);
        if (act == NK_REFILL_ARM)
            armed++;
        else if (act == NK_REFILL_GAVE_UP)
            gave_up++;
        if (act != NK_REFILL_ARM)
            break;
    }
    check(armed == NK_REFILL_TRIES && gave_up == 1,
          "refill: %u retries then given up once (%u timers set, bound %u)", armed, armed,
          NK_REFILL_TRIES);
    check(nk_refill_after_post(&r, 4, 16, 12, false) == NK_REFILL_NONE,
          "refill: given up: a later post that fails sets no timer");
    check(nk_refill_after_post(&r, 16, 16, 0, false) == NK_REFILL_NONE && r.tries == 0 &&
              nk_refill_after_post(&r, 4, 16, 12, false) == NK_REFILL_ARM,
          "refill: a post that works ends the shortage; the next one is retried again");
    check(nk_refill_after_post(&r, 10, 16, 6, true) == NK_REFILL_ARM && r.tries == 2 &&
              nk_refill_after_post(&r, 16, 16, 0, true) == NK_REFILL_NONE && !r.armed,
          "refill: the timer's post that fills the minimum ends it, nothing set");
    check(NK_REFILL_INTERVAL_US >= 100 && NK_REFILL_INTERVAL_US <= 100000 && NK_REFILL_TRIES >= 1 &&
              NK_REFILL_TRIES <= 64,
          "refill: the retry is bounded in number (%u) and interval (%u us)", NK_REFILL_TRIES,
          NK_REFILL_INTERVAL_US);
}

/* A toy of the adapter's refill timer as rx.c drives it through the gate:
 * set by a post that entered, run by its routine, cancelled at D3. */
struct toy_timer {
    struct nk_refill_gate g;
    struct nk_refill q; /* one receive queue's retry */
    bool set;           /* the timer is in the system's queue */
    unsigned sets;      /* NdisSetTimerObject calls */
};

/* IRQL: any (toy). rx.c's NkRxPostFrom on a ring that refuses 12 buffers. */
static void toy_post(struct toy_timer *t, bool from_timer)
{
    enum nk_refill_act act = nk_refill_after_post(&t->q, 4, 16, 12, from_timer);
    if (act == NK_REFILL_ARM && !nk_refill_gate_enter(&t->g)) {
        nk_refill_stop(&t->q);
        act = NK_REFILL_NONE;
    }
    if (act == NK_REFILL_ARM) {
        t->set = true;
        t->sets++;
        nk_refill_gate_leave(&t->g);
    }
}

/* IRQL: any (toy). rx.c's NkRxRefillStop: close, wait, cancel, forget. */
static bool toy_stop(struct toy_timer *t)
{
    nk_refill_gate_close(&t->g);
    if (!nk_refill_gate_idle(&t->g))
        return false; /* the driver would wait here */
    t->set = false;   /* NdisCancelTimerObject */
    nk_refill_stop(&t->q);
    return true;
}

/* The gate and the D3 / halt stop of the refill timer (rx.c NkRxRefillStop).
 * The copies built with NK_PLANTED_REFILL_GATE_OPEN (a closed gate lets the
 * timer be set) and NK_PLANTED_REFILL_KEEP_ARMED (a cancelled retry still
 * counts as set) must fail. */
void test_refill_stop(void)
{
    struct nk_refill_gate g = {0};
    bool in = nk_refill_gate_enter(&g);
    check(in && !nk_refill_gate_idle(&g), "refill: gate open: a post enters to set the timer");
    nk_refill_gate_close(&g);
    check(!nk_refill_gate_idle(&g),
          "refill: gate closed with a post inside: not idle, the stop waits for it");
    nk_refill_gate_leave(&g);
    check(nk_refill_gate_idle(&g), "refill: the post left: idle, the timer can be cancelled");
    bool late = nk_refill_gate_enter(&g);
    if (late)
        nk_refill_gate_leave(&g);
    check(!late && nk_refill_gate_idle(&g),
          "refill: gate closed: neither a post nor the timer's routine enters");
    nk_refill_gate_open(&g);
    in = nk_refill_gate_enter(&g);
    if (in)
        nk_refill_gate_leave(&g);
    check(in && !nk_refill_gate_idle(&g), "refill: opened again at D0: a post enters");

    /* D3 while a retry is set: cancelled; shortage in D3: no timer; D0: retried again */
    struct toy_timer t = {0};
    toy_post(&t, false);
    check(t.set && t.sets == 1 && t.q.armed, "refill: toy: a shortage sets the timer");
    check(toy_stop(&t) && !t.set, "refill: toy: D3 with a retry set: the timer is cancelled");
    toy_post(&t, false);
    check(!t.set && t.sets == 1 && !t.q.armed,
          "refill: toy: a shortage while stopped sets no timer and leaves nothing armed");
    nk_refill_gate_open(&t.g);
    toy_post(&t, false);
    check(t.set && t.sets == 2,
          "refill: toy: after D3 and D0 a shortage sets the timer again (%u set)", t.sets);
    /* The timer's routine runs when the stop begins: its post sets nothing,
     * and the stop waits until it has left before it cancels */
    struct toy_timer u = {0};
    toy_post(&u, false);
    bool routine = nk_refill_gate_enter(&u.g); /* the routine runs */
    u.set = false;                             /* its timer fired */
    nk_refill_gate_close(&u.g);                /* D3 begins on another CPU */
    bool waited = !nk_refill_gate_idle(&u.g);
    toy_post(&u, true); /* the routine's post: still short */
    bool set_late = u.set;
    if (routine)
        nk_refill_gate_leave(&u.g);
    check(routine && waited && !set_late && u.sets == 1 && !u.q.armed && toy_stop(&u),
          "refill: toy: a routine running at the stop sets no timer and is waited for");
}
