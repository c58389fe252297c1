/*
 * test_refill_race.c - the refill timer's gate under real concurrency: 3
 * threads enter and leave it as posts and timer routines do while the main
 * thread closes it (D3 / halt), waits until it is idle and then checks that
 * no thread got in after that; then opens it again (D0), 100 rounds.  What
 * rx.c's NkRxRefillStop relies on: once idle is seen, no timer is set and no
 * routine works until the gate opens.  The copy built with
 * NK_PLANTED_REFILL_GATE_OPEN must fail.
 */
#include <pthread.h>
#include <sched.h>

#include "../../nk_refill.h"
#include "nku.h"

#define RACE_THREADS 3
#define RACE_ROUNDS  100

struct race {
    struct nk_refill_gate g;
    unsigned idle_seen; /* the main thread saw the gate idle (this round) */
    unsigned late;      /* entries made after idle was seen */
    unsigned entries;   /* successful entries, all rounds */
    unsigned done;      /* the threads stop */
};

/* A post or timer routine: enter, work a little, leave; counts an entry
 * made after the closer saw the gate idle. */
static void *race_thread(void *arg)
{
    struct race *r = arg;
    while (!__atomic_load_n(&r->done, __ATOMIC_SEQ_CST)) {
        if (!nk_refill_gate_enter(&r->g)) {
            sched_yield();
            continue;
        }
        if (__atomic_load_n(&r->idle_seen, __ATOMIC_SEQ_CST))
            __atomic_fetch_add(&r->late, 1u, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&r->entries, 1u, __ATOMIC_SEQ_CST);
        for (volatile unsigned k = 0; k < 2000; k++)
            ; /* inside a while: the closer finds it there */
        nk_refill_gate_leave(&r->g);
        sched_yield(); /* a shared 2-core host: spin gently */
    }
    return NULL;
}

/* See the file comment. */
void test_refill_race(void)
{
    static struct race r;
    pthread_t t[RACE_THREADS];
    int started = 0;
    for (int i = 0; i < RACE_THREADS; i++)
        started += pthread_create(&t[i], NULL, race_thread, &r) == 0;
    unsigned rounds = 0, spins_max = 0, waited = 0;
    for (; rounds < RACE_ROUNDS; rounds++) {
        unsigned before = __atomic_load_n(&r.entries, __ATOMIC_SEQ_CST);
        while (__atomic_load_n(&r.entries, __ATOMIC_SEQ_CST) == before)
            sched_yield(); /* some thread is in and out while it is open */
        nk_refill_gate_close(&r.g);
        unsigned spins = 0;
        while (!nk_refill_gate_idle(&r.g)) {
            sched_yield();
            spins++;
        }
        spins_max = spins > spins_max ? spins : spins_max;
        waited += spins != 0;
        __atomic_store_n(&r.idle_seen, 1u, __ATOMIC_SEQ_CST);
        for (int k = 0; k < 50; k++)
            sched_yield(); /* the threads keep trying while it is closed */
        if (__atomic_load_n(&r.late, __ATOMIC_SEQ_CST) != 0)
            break;
        __atomic_store_n(&r.idle_seen, 0u, __ATOMIC_SEQ_CST);
        nk_refill_gate_open(&r.g);
    }
    __atomic_store_n(&r.done, 1u, __ATOMIC_SEQ_CST);
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    check(started == RACE_THREADS && rounds == RACE_ROUNDS && r.late == 0,
          "refill: race: %d threads entering, %u closes: none got in once the gate was seen idle "
          "(%u late, %u entries; %u closes found one inside, at most %u waits)",
          started, rounds, r.late, r.entries, waited, spins_max);
}
