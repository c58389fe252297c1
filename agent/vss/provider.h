/*
 * The logic of our VSS software provider (qga-vss.dll), without Windows
 * headers so the host tests run it against fake events: the snapshot-set
 * states VSS walks the provider through, and CommitSnapshots' handshake
 * with the agent (signal "frozen", wait for "thaw" at most the hold
 * limit, signal "timeout" past it).  provider_win.c puts the COM objects
 * around it.
 */
#ifndef QGA_VSS_PROVIDER_H
#define QGA_VSS_PROVIDER_H

#include <stdbool.h>
#include <stdint.h>

/* HRESULTs the provider answers (winerror.h, vsserror.h). */
#define QVSS_S_OK               ((int32_t)0)
#define QVSS_S_FALSE            ((int32_t)1)
#define QVSS_E_FAIL             ((int32_t)0x80004005u)
#define QVSS_E_NOTIMPL          ((int32_t)0x80004001u)
#define QVSS_E_POINTER          ((int32_t)0x80004003u)
#define QVSS_E_BAD_STATE        ((int32_t)0x80042301u)
#define QVSS_E_OBJECT_NOT_FOUND ((int32_t)0x80042308u)

/* The agent's three events, behind functions (named events on Windows,
 * a script in the tests). */
struct qvss_sync_ops {
    /* Opens the requester's events; false when no agent freeze runs. */
    bool (*open)(void *ctx);
    void (*signal_frozen)(void *ctx);
    /* Waits for "thaw" at most ms; true when it came. */
    bool (*wait_thaw)(void *ctx, uint32_t ms);
    void (*signal_timeout)(void *ctx);
    void (*close)(void *ctx);
};

enum qvss_state {
    QVSS_IDLE,      /* no snapshot set */
    QVSS_PREPARING, /* BeginPrepareSnapshot seen */
    QVSS_PREPARED,  /* EndPrepareSnapshots seen */
    QVSS_COMMITTED, /* CommitSnapshots done: the hold is over */
};

/* One provider instance's snapshot set. */
struct qvss_provider {
    enum qvss_state state;
    unsigned char set_id[16]; /* the set VSS is working on */
    unsigned volumes;         /* volumes added to it */
    bool timed_out;           /* the last commit's hold ran out */
};

void qvss_init(struct qvss_provider *p);
/* BeginPrepareSnapshot: a volume joins set set_id (a new set, or the one
 * being prepared). */
int32_t qvss_begin_prepare(struct qvss_provider *p, const unsigned char set_id[16]);
/* EndPrepareSnapshots / PreCommitSnapshots: the set is complete. */
int32_t qvss_end_prepare(struct qvss_provider *p, const unsigned char set_id[16]);
int32_t qvss_pre_commit(struct qvss_provider *p, const unsigned char set_id[16]);
/* CommitSnapshots: called by VSS while it holds writes and I/O; tells the
 * agent "frozen" and waits for "thaw" at most QGA_VSS_HOLD_MS.  E_FAIL
 * (after signalling "timeout") when the hold ran out, or when no agent
 * freeze is running. */
int32_t qvss_commit(struct qvss_provider *p, const unsigned char set_id[16],
                    const struct qvss_sync_ops *ops, void *ctx);
/* PostCommitSnapshots, PreFinalCommitSnapshots, PostFinalCommitSnapshots. */
int32_t qvss_after_commit(struct qvss_provider *p, const unsigned char set_id[16]);
/* AbortSnapshots: forgets the set, whatever its state. */
int32_t qvss_abort(struct qvss_provider *p, const unsigned char set_id[16]);
/* IsVolumeSupported: only while an agent freeze is running (its events
 * exist), so other requesters never pick our provider. */
bool qvss_volume_supported(const struct qvss_sync_ops *ops, void *ctx);

#endif
