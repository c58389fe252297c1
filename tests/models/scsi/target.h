/*
 * target.h - a SCSI target back end for the virtio-scsi device model
 * (tests/models/virtio/vmodel_scsi.h): a CDB and its data out go in, status,
 * sense, data in and a residual come back, asynchronously, through the
 * owner's callbacks from scsi_target_poll.  Task management functions
 * (abort, LUN reset, I_T nexus reset) complete the same way; a command a TMF
 * ends completes once, with SCSI_TGT_ABORTED or SCSI_TGT_RESET.
 *
 * Two back ends: iscsi_target.c (tgt through libiscsi: SCSI answers from
 * code we did not write) and mem_target.c (in-process, seeded faults).
 */
#ifndef SCSI_TARGET_H
#define SCSI_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#define SCSI_TGT_CDB_MAX   260u /* longest CDB a back end takes */
#define SCSI_TGT_SENSE_MAX 252u /* longest sense data (SPC: 8 + 244) */
#define SCSI_TGT_LUNS_MAX  256u /* LUNs per target a back end reports */

/** How a command ended; only SCSI_TGT_DONE carries a SCSI status */
enum scsi_tgt_result {
    SCSI_TGT_DONE = 0,  /**< status, sense, data in and residual are valid */
    SCSI_TGT_NO_LUN,    /**< no such target or LUN */
    SCSI_TGT_ABORTED,   /**< ended by ABORT TASK (or ABORT TASK SET) */
    SCSI_TGT_RESET,     /**< ended by a LUN or I_T nexus reset */
    SCSI_TGT_TRANSPORT, /**< the connection to the target failed */
};

struct scsi_cmd {
    /* Filled by the submitter */
    uint16_t target;
    uint32_t lun;
    uint64_t tag;
    uint8_t cdb[SCSI_TGT_CDB_MAX];
    uint32_t cdb_len;
    const uint8_t *out; /**< data out (owned by the submitter until done) */
    uint32_t out_len;
    uint8_t *in; /**< data-in buffer the target may fill */
    uint32_t in_len;
    void *owner; /**< the submitter's, untouched */
    /* Filled by the target before the done callback */
    enum scsi_tgt_result result;
    uint8_t status; /**< SAM status byte */
    uint8_t sense[SCSI_TGT_SENSE_MAX];
    uint32_t sense_len; /**< as the target claims (mem_target may claim more than it has) */
    uint32_t in_done;   /**< data-in bytes written */
    uint32_t residual;  /**< as the target reports it (may be hostile) */
};

enum scsi_tmf_kind {
    SCSI_TMF_ABORT_TASK,
    SCSI_TMF_ABORT_TASK_SET,
    SCSI_TMF_LUN_RESET,
    SCSI_TMF_IT_NEXUS_RESET,
};

/** TMF outcome, as SAM's service responses */
enum scsi_tmf_result {
    SCSI_TMF_COMPLETE = 0,
    SCSI_TMF_REJECTED, /**< not supported */
    SCSI_TMF_FAILED,
};

struct scsi_tmf {
    enum scsi_tmf_kind kind;
    uint16_t target;
    uint32_t lun;
    uint64_t tag; /**< ABORT TASK: the task's tag */
    void *owner;
    enum scsi_tmf_result result;
};

struct scsi_target;

/** Completion callbacks, called from scsi_target_poll (or from submit/tmf
 *  when the back end refuses at once) */
typedef void (*scsi_cmd_done_fn)(void *ctx, struct scsi_cmd *c);
typedef void (*scsi_tmf_done_fn)(void *ctx, struct scsi_tmf *f);

struct scsi_target_ops {
    void (*submit)(struct scsi_target *t, struct scsi_cmd *c);
    void (*tmf)(struct scsi_target *t, struct scsi_tmf *f);
    /** Do pending work for up to TIMEOUT_MS (0: what is ready) */
    void (*poll)(struct scsi_target *t, int timeout_ms);
    /** LUNs present on TARGET now (REPORT LUNS for tgt); -1 on failure */
    int (*luns)(struct scsi_target *t, uint16_t target, uint32_t *luns, unsigned max);
    /** Commands and TMFs submitted and not completed */
    unsigned (*outstanding)(struct scsi_target *t);
    void (*destroy)(struct scsi_target *t);
};

/** The common head of every back end */
struct scsi_target {
    const struct scsi_target_ops *ops;
    uint16_t ntargets;
    scsi_cmd_done_fn cmd_done;
    scsi_tmf_done_fn tmf_done;
    void *ctx;
};

/** Where completions go (the device model sets this) */
static inline void scsi_target_bind(struct scsi_target *t, scsi_cmd_done_fn cmd_done,
                                    scsi_tmf_done_fn tmf_done, void *ctx)
{
    t->cmd_done = cmd_done;
    t->tmf_done = tmf_done;
    t->ctx = ctx;
}

/* SAM status codes and sense keys the back ends and the model use */
#define SAM_STAT_GOOD             0x00
#define SAM_STAT_CHECK_CONDITION  0x02
#define SAM_STAT_BUSY             0x08
#define SENSE_KEY_ILLEGAL_REQUEST 0x05
#define SENSE_KEY_UNIT_ATTENTION  0x06

#endif /* SCSI_TARGET_H */
