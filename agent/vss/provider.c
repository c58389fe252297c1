/*
 * Our VSS provider's logic (see provider.h): the states of one snapshot
 * set and CommitSnapshots' handshake with the agent.  The provider makes
 * no shadow copy: the host takes its snapshot while VSS holds the writes.
 */
#include "provider.h"

#include "qga_vss.h"

/* How long CommitSnapshots waits for thaw (a planted bug in the tests
 * waits longer than VSS holds writes). */
#ifdef QVSS_PLANTED_HOLD_MS
#define QVSS_WAIT_MS QVSS_PLANTED_HOLD_MS
#else
#define QVSS_WAIT_MS QGA_VSS_HOLD_MS
#endif

/* Compares two 16-byte set IDs. */
static bool same_set(const unsigned char a[16], const unsigned char b[16])
{
    for (int i = 0; i < 16; i++) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

/* The provider's state machine at rest, no snapshot set. */
void qvss_init(struct qvss_provider *p)
{
    p->state = QVSS_IDLE;
    for (int i = 0; i < 16; i++) {
        p->set_id[i] = 0;
    }
    p->volumes = 0;
    p->timed_out = false;
}

/* BeginPrepareSnapshot: start or continue preparing one snapshot set. */
int32_t qvss_begin_prepare(struct qvss_provider *p, const unsigned char set_id[16])
{
    if (p->state == QVSS_PREPARING && !same_set(p->set_id, set_id)) {
        return QVSS_E_BAD_STATE; /* another set is being prepared */
    }
    if (p->state == QVSS_PREPARED) {
        return QVSS_E_BAD_STATE; /* the set is complete: no more volumes */
    }
    if (p->state != QVSS_PREPARING) { /* idle, or a finished set: a new one */
        qvss_init(p);
        for (int i = 0; i < 16; i++) {
            p->set_id[i] = set_id[i];
        }
        p->state = QVSS_PREPARING;
    }
    p->volumes++;
    return QVSS_S_OK;
}

/* EndPrepareSnapshots: the set is prepared. */
int32_t qvss_end_prepare(struct qvss_provider *p, const unsigned char set_id[16])
{
    if (p->state != QVSS_PREPARING || !same_set(p->set_id, set_id)) {
        return QVSS_E_BAD_STATE;
    }
    p->state = QVSS_PREPARED;
    return QVSS_S_OK;
}

/* PreCommitSnapshots: accepted only for the prepared set. */
int32_t qvss_pre_commit(struct qvss_provider *p, const unsigned char set_id[16])
{
    return p->state == QVSS_PREPARED && same_set(p->set_id, set_id) ? QVSS_S_OK : QVSS_E_BAD_STATE;
}

/* CommitSnapshots: tell the agent volumes are frozen and hold writes until it thaws or times out.
 */
int32_t qvss_commit(struct qvss_provider *p, const unsigned char set_id[16],
                    const struct qvss_sync_ops *ops, void *ctx)
{
    if (p->state != QVSS_PREPARED || !same_set(p->set_id, set_id)) {
        return QVSS_E_BAD_STATE;
    }
    if (!ops->open(ctx)) {
        return QVSS_E_FAIL; /* no agent freeze to hold writes for */
    }
    ops->signal_frozen(ctx);
    p->timed_out = !ops->wait_thaw(ctx, QVSS_WAIT_MS);
    if (p->timed_out) {
        ops->signal_timeout(ctx);
    }
    ops->close(ctx);
    p->state = QVSS_COMMITTED;
    /* Past the limit VSS has given up on the set: failing makes it report
     * a provider error, which the agent reads with "timeout" as the hold
     * running out. */
    return p->timed_out ? QVSS_E_FAIL : QVSS_S_OK;
}

/* The post-commit steps: accepted only for the committed set. */
int32_t qvss_after_commit(struct qvss_provider *p, const unsigned char set_id[16])
{
    return p->state == QVSS_COMMITTED && same_set(p->set_id, set_id) ? QVSS_S_OK : QVSS_E_BAD_STATE;
}

/* AbortSnapshots: back to rest whatever state it was in. */
int32_t qvss_abort(struct qvss_provider *p, const unsigned char set_id[16])
{
    (void)set_id; /* VSS aborts whatever it started: nothing to check */
    qvss_init(p);
    return QVSS_S_OK;
}

/* Whether a volume can be handled: only while the agent asked for a freeze. */
bool qvss_volume_supported(const struct qvss_sync_ops *ops, void *ctx)
{
    if (!ops->open(ctx)) {
        return false;
    }
    ops->close(ctx);
    return true;
}
