/*
 * test_refill.c - nk_refill: a receive queue whose ring refuses free
 * buffers below the plan's minimum is retried by a timer NK_REFILL_TRIES
 * times at most, one retry set at a time; a post that works, or nothing
 * left free, ends the shortage and a later one starts over.  The copy
 * built with NK_PLANTED_REFILL_UNBOUNDED (no bound) must fail.
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
