/*
 * Host unit tests of our VSS provider's logic (agent/vss/provider.c)
 * against fake events: the snapshot-set states, CommitSnapshots'
 * handshake and its time-out, and calls in the wrong state or for the
 * wrong set.  Each case prints PASS/FAIL; the last line is
 * "N passed, N failed".
 */
#include <stdio.h>
#include <string.h>

#include "../provider.h"
#include "../qga_vss.h"

static int passed, failed;

static void check(int ok, const char *name)
{
    printf("%s: %s\n", ok ? "PASS" : "FAIL", name);
    ok ? passed++ : failed++;
}

/* The fake events: whether the agent's events exist, when thaw comes
 * (ms after frozen; -1: never), and what the provider did. */
struct fake_sync {
    int agent_running;
    long thaw_after_ms;
    int opened, closed, frozen, timeouts;
    unsigned long waited_ms;
};

static bool f_open(void *ctx)
{
    struct fake_sync *f = ctx;
    if (!f->agent_running) {
        return false;
    }
    f->opened++;
    return true;
}

static void f_frozen(void *ctx)
{
    ((struct fake_sync *)ctx)->frozen++;
}

static bool f_wait(void *ctx, uint32_t ms)
{
    struct fake_sync *f = ctx;
    if (f->thaw_after_ms >= 0 && (unsigned long)f->thaw_after_ms <= ms) {
        f->waited_ms = (unsigned long)f->thaw_after_ms;
        return true;
    }
    f->waited_ms = ms;
    return false;
}

static void f_timeout(void *ctx)
{
    ((struct fake_sync *)ctx)->timeouts++;
}

static void f_close(void *ctx)
{
    ((struct fake_sync *)ctx)->closed++;
}

static const struct qvss_sync_ops ops = {f_open, f_frozen, f_wait, f_timeout, f_close};

static const unsigned char set_a[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const unsigned char set_b[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};

/* Walks a set to PREPARED with two volumes. */
static void prepare(struct qvss_provider *p)
{
    qvss_init(p);
    qvss_begin_prepare(p, set_a);
    qvss_begin_prepare(p, set_a);
    qvss_end_prepare(p, set_a);
}

int main(void)
{
    struct qvss_provider p;
    struct fake_sync f;

    /* The whole walk, thaw after 3 s. */
    memset(&f, 0, sizeof(f));
    f.agent_running = 1;
    f.thaw_after_ms = 3000;
    qvss_init(&p);
    check(qvss_begin_prepare(&p, set_a) == QVSS_S_OK &&
              qvss_begin_prepare(&p, set_a) == QVSS_S_OK && p.volumes == 2 &&
              p.state == QVSS_PREPARING,
          "BeginPrepareSnapshot: two volumes join the set");
    check(qvss_end_prepare(&p, set_a) == QVSS_S_OK && qvss_pre_commit(&p, set_a) == QVSS_S_OK &&
              p.state == QVSS_PREPARED,
          "EndPrepareSnapshots, PreCommitSnapshots: prepared");
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_S_OK && f.frozen == 1 && f.timeouts == 0 &&
              f.opened == 1 && f.closed == 1 && f.waited_ms == 3000 && p.state == QVSS_COMMITTED,
          "CommitSnapshots: frozen signalled, thaw after 3 s, events closed");
    check(qvss_after_commit(&p, set_a) == QVSS_S_OK, "PostCommitSnapshots after commit");

    /* Thaw never comes: the wait is bounded by VSS's hold limit. */
    memset(&f, 0, sizeof(f));
    f.agent_running = 1;
    f.thaw_after_ms = -1;
    prepare(&p);
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_FAIL && f.frozen == 1 && f.timeouts == 1 &&
              f.closed == 1 && p.timed_out,
          "CommitSnapshots: no thaw, timeout signalled, E_FAIL");
    check(f.waited_ms == QGA_VSS_HOLD_MS && QGA_VSS_HOLD_MS == 10000u,
          "CommitSnapshots waits at most 10 s (VSS's hold limit)");

    /* Thaw arrives just after the limit: still a time-out. */
    memset(&f, 0, sizeof(f));
    f.agent_running = 1;
    f.thaw_after_ms = 10001;
    prepare(&p);
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_FAIL && f.timeouts == 1,
          "thaw 1 ms past the limit is a time-out");

    /* No agent freeze running (another requester picked us). */
    memset(&f, 0, sizeof(f));
    prepare(&p);
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_FAIL && f.frozen == 0 && f.closed == 0,
          "CommitSnapshots without the agent's events: E_FAIL, nothing signalled");
    check(!qvss_volume_supported(&ops, &f), "IsVolumeSupported: no while no agent freeze runs");
    f.agent_running = 1;
    check(qvss_volume_supported(&ops, &f) && f.opened == f.closed,
          "IsVolumeSupported: yes during an agent freeze, events closed again");

    /* Bad calls. */
    memset(&f, 0, sizeof(f));
    f.agent_running = 1;
    qvss_init(&p);
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_BAD_STATE && f.frozen == 0,
          "CommitSnapshots with no set: bad state, no freeze");
    check(qvss_end_prepare(&p, set_a) == QVSS_E_BAD_STATE, "EndPrepareSnapshots with no set");
    check(qvss_after_commit(&p, set_a) == QVSS_E_BAD_STATE, "PostCommitSnapshots with no set");
    qvss_begin_prepare(&p, set_a);
    check(qvss_begin_prepare(&p, set_b) == QVSS_E_BAD_STATE && p.volumes == 1,
          "BeginPrepareSnapshot for a second set while one is prepared");
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_BAD_STATE && f.frozen == 0,
          "CommitSnapshots before EndPrepareSnapshots");
    check(qvss_end_prepare(&p, set_b) == QVSS_E_BAD_STATE, "EndPrepareSnapshots for another set");
    qvss_end_prepare(&p, set_a);
    check(qvss_begin_prepare(&p, set_a) == QVSS_E_BAD_STATE,
          "BeginPrepareSnapshot after the set is complete");
    check(qvss_commit(&p, set_b, &ops, &f) == QVSS_E_BAD_STATE && f.frozen == 0,
          "CommitSnapshots for another set");
    check(qvss_abort(&p, set_a) == QVSS_S_OK && p.state == QVSS_IDLE && p.volumes == 0,
          "AbortSnapshots forgets the set");
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_BAD_STATE && f.frozen == 0,
          "CommitSnapshots after abort");
    prepare(&p);
    f.thaw_after_ms = 0;
    qvss_commit(&p, set_a, &ops, &f);
    check(qvss_commit(&p, set_a, &ops, &f) == QVSS_E_BAD_STATE && f.frozen == 1,
          "a second CommitSnapshots for the same set");
    check(qvss_begin_prepare(&p, set_b) == QVSS_S_OK && p.volumes == 1,
          "a new set after a committed one starts afresh");

    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
