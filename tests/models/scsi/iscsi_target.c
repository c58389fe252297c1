/*
 * iscsi_target.c - SCSI commands and TMFs over libiscsi (iscsi_target.h).
 */
#include "iscsi_target.h"

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scsi_cdb.h"

#define ISCSI_MAX_TARGETS 16u
#define INITIATOR_IQN     "iqn.2026-12.org.virtio-win.test:vmodel-scsi"

/** A command libiscsi owns */
struct itask {
    struct itask *next;
    struct iscsi_target *t;
    struct scsi_cmd *cmd;
    struct scsi_task *task;
    bool by_reset; /* cancelled by a reset, not an abort */
};

struct itmf {
    struct iscsi_target *t;
    struct scsi_tmf *f;
};

struct iscsi_target {
    struct scsi_target base;
    struct iscsi_context *ctx[ISCSI_MAX_TARGETS];
    struct iscsi_context *probe[ISCSI_MAX_TARGETS];
    struct itask *tasks;
    unsigned outstanding;
};

static void unlink_task(struct itask *it)
{
    for (struct itask **p = &it->t->tasks; *p != NULL; p = &(*p)->next)
        if (*p == it) {
            *p = it->next;
            break;
        }
    it->t->outstanding--;
}

/** The CDB's length from its operation code group (SPC 4.2.5) */
static int cdb_length(const uint8_t *cdb, uint32_t max)
{
    int n;

    switch (cdb[0] >> 5) {
    case 0:
        n = 6;
        break;
    case 1:
    case 2:
        n = 10;
        break;
    case 4:
        n = 16;
        break;
    case 5:
        n = 12;
        break;
    case 3:
        n = cdb[0] == 0x7f ? 8 + cdb[7] : 16;
        break;
    default:
        n = 16; /* vendor specific */
        break;
    }
    return (uint32_t)n <= max ? n : (int)max;
}

static void cmd_cb(struct iscsi_context *ctx, int status, void *data, void *priv)
{
    struct itask *it = priv;
    struct scsi_task *task = data;
    struct scsi_cmd *c = it->cmd;

    (void)ctx;
    unlink_task(it);
    c->status = 0;
    c->sense_len = 0;
    c->in_done = 0;
    c->residual = 0;
    if (status == SCSI_STATUS_CANCELLED) {
        c->result = it->by_reset ? SCSI_TGT_RESET : SCSI_TGT_ABORTED;
    } else if (status == SCSI_STATUS_ERROR || status == SCSI_STATUS_TIMEOUT || task == NULL) {
        c->result = SCSI_TGT_TRANSPORT;
    } else {
        c->result = SCSI_TGT_DONE;
        c->status = (uint8_t)status;
        if (task->residual_status != SCSI_RESIDUAL_NO_RESIDUAL)
            c->residual = (uint32_t)task->residual;
        if (status == SCSI_STATUS_CHECK_CONDITION && task->datain.size >= 2) {
            /* The response's data segment: a 2-byte length, then the sense data */
            uint32_t n = (uint32_t)task->datain.data[0] << 8 | task->datain.data[1];
            if (n > (uint32_t)task->datain.size - 2)
                n = (uint32_t)task->datain.size - 2;
            if (n > SCSI_TGT_SENSE_MAX)
                n = SCSI_TGT_SENSE_MAX;
            memcpy(c->sense, task->datain.data + 2, n);
            c->sense_len = n;
        } else if (c->in_len > 0) {
            uint32_t resid =
                task->residual_status == SCSI_RESIDUAL_UNDERFLOW ? (uint32_t)task->residual : 0;
            c->in_done = resid < c->in_len ? c->in_len - resid : 0;
        }
    }
    scsi_free_scsi_task(task);
    it->t->base.cmd_done(it->t->base.ctx, c);
    free(it);
}

static void fail_now(struct iscsi_target *t, struct scsi_cmd *c, enum scsi_tgt_result r)
{
    c->result = r;
    c->status = 0;
    c->sense_len = 0;
    c->in_done = 0;
    c->residual = 0;
    t->base.cmd_done(t->base.ctx, c);
}

static void is_submit(struct scsi_target *base, struct scsi_cmd *c)
{
    struct iscsi_target *t = (struct iscsi_target *)base;
    struct iscsi_data out = {.size = c->out_len, .data = (unsigned char *)c->out};
    int dir = c->in_len > 0 ? SCSI_XFER_READ : c->out_len > 0 ? SCSI_XFER_WRITE : SCSI_XFER_NONE;
    struct itask *it;

    if (c->target >= base->ntargets || t->ctx[c->target] == NULL) {
        fail_now(t, c, SCSI_TGT_NO_LUN);
        return;
    }
    if (c->in_len > 0 && c->out_len > 0) { /* libiscsi has no bidirectional commands */
        fail_now(t, c, SCSI_TGT_TRANSPORT);
        return;
    }
    it = calloc(1, sizeof(*it));
    if (it == NULL) {
        fail_now(t, c, SCSI_TGT_TRANSPORT);
        return;
    }
    it->t = t;
    it->cmd = c;
    it->task = scsi_create_task(cdb_length(c->cdb, c->cdb_len), c->cdb, dir,
                                (int)(c->in_len > 0 ? c->in_len : c->out_len));
    if (it->task == NULL ||
        (c->in_len > 0 && scsi_task_add_data_in_buffer(it->task, (int)c->in_len, c->in) != 0)) {
        if (it->task != NULL)
            scsi_free_scsi_task(it->task);
        free(it);
        fail_now(t, c, SCSI_TGT_TRANSPORT);
        return;
    }
    it->next = t->tasks;
    t->tasks = it;
    t->outstanding++;
    if (iscsi_scsi_command_async(t->ctx[c->target], (int)c->lun, it->task, cmd_cb,
                                 c->out_len > 0 ? &out : NULL, it) != 0) {
        unlink_task(it);
        scsi_free_scsi_task(it->task);
        free(it);
        fail_now(t, c, SCSI_TGT_TRANSPORT);
    }
}

static void tmf_cb(struct iscsi_context *ctx, int status, void *data, void *priv)
{
    struct itmf *m = priv;
    struct scsi_tmf *f = m->f;
    uint32_t response = data != NULL ? *(uint32_t *)data : 0xff;

    (void)ctx;
    m->t->outstanding--;
    /* RFC 7143 11.6.1: 0 complete, 1 task does not exist (done already), 5 not supported */
    if (status != SCSI_STATUS_GOOD)
        f->result = SCSI_TMF_FAILED;
    else if (response == 0 || response == 1)
        f->result = SCSI_TMF_COMPLETE;
    else if (response == 5)
        f->result = SCSI_TMF_REJECTED;
    else
        f->result = SCSI_TMF_FAILED;
    m->t->base.tmf_done(m->t->base.ctx, f);
    free(m);
}

static void is_tmf(struct scsi_target *base, struct scsi_tmf *f)
{
    struct iscsi_target *t = (struct iscsi_target *)base;
    struct iscsi_context *ctx = f->target < base->ntargets ? t->ctx[f->target] : NULL;
    struct itmf *m = calloc(1, sizeof(*m));
    struct itask *hit = NULL;
    int rc = -1;

    if (ctx == NULL || m == NULL) {
        free(m);
        f->result = SCSI_TMF_FAILED;
        base->tmf_done(base->ctx, f);
        return;
    }
    m->t = t;
    m->f = f;
    for (struct itask *it = t->tasks; it != NULL; it = it->next) {
        if (it->cmd->target != f->target)
            continue;
        if (f->kind == SCSI_TMF_ABORT_TASK && it->cmd->lun == f->lun && it->cmd->tag == f->tag)
            hit = it;
        if ((f->kind == SCSI_TMF_LUN_RESET && it->cmd->lun == f->lun) ||
            f->kind == SCSI_TMF_IT_NEXUS_RESET)
            it->by_reset = true;
    }
    t->outstanding++;
    switch (f->kind) {
    case SCSI_TMF_ABORT_TASK:
        if (hit == NULL) { /* nothing to abort: the task is done already */
            t->outstanding--;
            free(m);
            f->result = SCSI_TMF_COMPLETE;
            base->tmf_done(base->ctx, f);
            return;
        }
        rc = iscsi_task_mgmt_abort_task_async(ctx, hit->task, tmf_cb, m);
        break;
    case SCSI_TMF_ABORT_TASK_SET:
        rc = iscsi_task_mgmt_abort_task_set_async(ctx, f->lun, tmf_cb, m);
        break;
    case SCSI_TMF_LUN_RESET:
        rc = iscsi_task_mgmt_lun_reset_async(ctx, f->lun, tmf_cb, m);
        break;
    case SCSI_TMF_IT_NEXUS_RESET:
        rc = iscsi_task_mgmt_target_warm_reset_async(ctx, tmf_cb, m);
        break;
    }
    if (rc != 0) {
        t->outstanding--;
        free(m);
        f->result = SCSI_TMF_FAILED;
        base->tmf_done(base->ctx, f);
    }
}

static void is_poll(struct scsi_target *base, int timeout_ms)
{
    struct iscsi_target *t = (struct iscsi_target *)base;
    struct pollfd pfd[ISCSI_MAX_TARGETS];
    struct iscsi_context *ctx[ISCSI_MAX_TARGETS];
    unsigned n = 0;

    for (unsigned i = 0; i < base->ntargets; i++) {
        if (t->ctx[i] == NULL) /* removed */
            continue;
        ctx[n] = t->ctx[i];
        pfd[n].fd = iscsi_get_fd(ctx[n]);
        pfd[n].events = (short)iscsi_which_events(ctx[n]);
        pfd[n].revents = 0;
        n++;
    }
    if (poll(pfd, n, t->outstanding > 0 ? timeout_ms : 0) <= 0)
        return;
    for (unsigned i = 0; i < n; i++)
        if (pfd[i].revents != 0)
            iscsi_service(ctx[i], pfd[i].revents);
}

static int is_luns(struct scsi_target *base, uint16_t target, uint32_t *luns, unsigned max)
{
    struct iscsi_target *t = (struct iscsi_target *)base;
    struct scsi_task *task = NULL;
    int n = -1;

    if (target >= base->ntargets)
        return -1;
    if (t->probe[target] == NULL) /* removed: no LUNs */
        return 0;
    /* A unit attention (REPORTED LUNS DATA HAS CHANGED) may come first */
    for (int i = 0; i < 3; i++) {
        task = iscsi_reportluns_sync(t->probe[target], 0, 8 + 8 * SCSI_TGT_LUNS_MAX);
        if (task == NULL || task->status == SCSI_STATUS_GOOD)
            break;
        scsi_free_scsi_task(task);
        task = NULL;
    }
    if (task == NULL)
        return -1;
    if (task->datain.size >= 8) {
        uint32_t len = scsi_be32(task->datain.data);
        uint32_t have = (uint32_t)task->datain.size - 8;
        n = 0;
        for (uint32_t off = 0; off + 8 <= len && off + 8 <= have && (unsigned)n < max; off += 8) {
            int64_t l = scsi_get_lun(task->datain.data + 8 + off);
            if (l >= 0)
                luns[n++] = (uint32_t)l;
        }
    }
    scsi_free_scsi_task(task);
    return n;
}

static unsigned is_outstanding(struct scsi_target *base)
{
    return ((struct iscsi_target *)base)->outstanding;
}

static void is_destroy(struct scsi_target *base)
{
    struct iscsi_target *t = (struct iscsi_target *)base;

    for (unsigned i = 0; i < ISCSI_MAX_TARGETS; i++) {
        if (t->ctx[i] != NULL)
            iscsi_destroy_context(t->ctx[i]); /* no callbacks: the tasks are dropped */
        if (t->probe[i] != NULL)
            iscsi_destroy_context(t->probe[i]);
    }
    while (t->tasks != NULL) {
        struct itask *it = t->tasks;
        t->tasks = it->next;
        free(it);
    }
    free(t);
}

static const struct scsi_target_ops iscsi_ops = {
    is_submit, is_tmf, is_poll, is_luns, is_outstanding, is_destroy,
};

static struct iscsi_context *login(const char *portal, const char *iqn, char *err, size_t len)
{
    struct iscsi_context *ctx = iscsi_create_context(INITIATOR_IQN);

    if (ctx == NULL) {
        snprintf(err, len, "iscsi_create_context failed");
        return NULL;
    }
    if (iscsi_set_targetname(ctx, iqn) != 0 ||
        iscsi_set_session_type(ctx, ISCSI_SESSION_NORMAL) != 0 ||
        iscsi_set_header_digest(ctx, ISCSI_HEADER_DIGEST_NONE) != 0 ||
        iscsi_full_connect_sync(ctx, portal, 0) != 0) {
        snprintf(err, len, "login to %s at %s: %s", iqn, portal, iscsi_get_error(ctx));
        iscsi_destroy_context(ctx);
        return NULL;
    }
    return ctx;
}

struct iscsi_target *iscsi_target_open(const char *portal, const char *const *iqns, uint16_t n,
                                       char *err, size_t errlen)
{
    struct iscsi_target *t;

    if (n == 0 || n > ISCSI_MAX_TARGETS) {
        snprintf(err, errlen, "%u targets (1..%u)", n, ISCSI_MAX_TARGETS);
        return NULL;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->base.ops = &iscsi_ops;
    t->base.ntargets = n;
    for (uint16_t i = 0; i < n; i++)
        if ((t->ctx[i] = login(portal, iqns[i], err, errlen)) == NULL ||
            (t->probe[i] = login(portal, iqns[i], err, errlen)) == NULL) {
            is_destroy(&t->base);
            return NULL;
        }
    return t;
}

struct scsi_target *iscsi_target_base(struct iscsi_target *t)
{
    return &t->base;
}

int iscsi_target_add(struct iscsi_target *t, uint16_t slot, const char *portal, const char *iqn,
                     char *err, size_t errlen)
{
    if (slot >= ISCSI_MAX_TARGETS || t->ctx[slot] != NULL) {
        snprintf(err, errlen, "target %u: %s", slot,
                 slot >= ISCSI_MAX_TARGETS ? "beyond the 16 slots" : "in use");
        return -1;
    }
    if ((t->ctx[slot] = login(portal, iqn, err, errlen)) == NULL)
        return -1;
    if ((t->probe[slot] = login(portal, iqn, err, errlen)) == NULL) {
        iscsi_destroy_context(t->ctx[slot]);
        t->ctx[slot] = NULL;
        return -1;
    }
    if (slot >= t->base.ntargets)
        t->base.ntargets = (uint16_t)(slot + 1);
    return 0;
}

void iscsi_target_remove(struct iscsi_target *t, uint16_t slot)
{
    if (slot >= ISCSI_MAX_TARGETS || t->ctx[slot] == NULL)
        return;
    /* Its commands and TMFs end now, through their callbacks (CANCELLED: ABORTED); the
     * connections are closed without a logout, which would wait on a target that may be
     * stopped or gone */
    iscsi_scsi_cancel_all_tasks(t->ctx[slot]);
    iscsi_destroy_context(t->ctx[slot]);
    t->ctx[slot] = NULL;
    iscsi_destroy_context(t->probe[slot]);
    t->probe[slot] = NULL;
}
