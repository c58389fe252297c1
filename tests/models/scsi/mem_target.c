/*
 * mem_target.c - the in-process SCSI target with seeded faults (see
 * mem_target.h).
 */
#include "mem_target.h"

#include <stdlib.h>
#include <string.h>

#include "scsi_cdb.h"

#define MEM_MAX_TARGETS 16u
#define MEM_MAX_LUNS    64u
#define MEM_QUEUE_MAX   4096u

struct mem_lun {
    uint8_t *disk; /* NULL: no LUN here */
    uint64_t blocks;
};

struct mem_target {
    struct scsi_target base;
    struct mem_lun lun[MEM_MAX_TARGETS][MEM_MAX_LUNS];
    struct mem_target_faults faults;
    uint64_t submitted;
    struct scsi_cmd *cmds[MEM_QUEUE_MAX]; /* executed, not completed */
    bool lost[MEM_QUEUE_MAX];             /* response lost: only a TMF ends it */
    uint64_t seq[MEM_QUEUE_MAX];          /* arrival: `submitted` when it came */
    unsigned ncmds;
    struct scsi_tmf *tmfs[MEM_QUEUE_MAX];
    uint64_t tmf_seq[MEM_QUEUE_MAX]; /* arrival: commands after it are not in its scope */
    unsigned ntmfs;
};

/** Fixed-format sense data (SPC 4.5.3) */
static void set_sense(struct scsi_cmd *c, uint8_t key, uint8_t asc, uint8_t ascq)
{
    memset(c->sense, 0, 18);
    c->sense[0] = 0x70;
    c->sense[2] = key;
    c->sense[7] = 10;
    c->sense[12] = asc;
    c->sense[13] = ascq;
    c->sense_len = 18;
    c->status = SAM_STAT_CHECK_CONDITION;
}

/** Data in: at most what the initiator posted, the rest a residual */
static void data_in(struct scsi_cmd *c, const void *data, uint32_t len)
{
    uint32_t n = len < c->in_len ? len : c->in_len;

    if (n > 0)
        memcpy(c->in, data, n);
    c->in_done = n;
}

static void inquiry(struct scsi_cmd *c, const struct mem_lun *l)
{
    uint8_t buf[64] = {0};
    uint32_t alloc = (uint32_t)c->cdb[3] << 8 | c->cdb[4];

    if (c->cdb[1] & 1) { /* EVPD */
        if (l->disk == NULL || (c->cdb[2] != 0x00 && c->cdb[2] != 0x80)) {
            set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD, 0);
            return;
        }
        buf[1] = c->cdb[2];
        if (c->cdb[2] == 0x00) {
            buf[3] = 2;
            buf[4] = 0x00;
            buf[5] = 0x80;
        } else {
            buf[3] = 8;
            memcpy(buf + 4, "MEM00001", 8);
        }
        data_in(c, buf, alloc < 4u + buf[3] ? alloc : 4u + buf[3]);
        return;
    }
    buf[0] = l->disk != NULL ? 0x00 : 0x7f; /* disk; or qualifier 3: no LUN here */
    buf[2] = 0x06;                          /* SPC-4 */
    buf[3] = 0x02;                          /* response data format 2 */
    buf[4] = 31;
    buf[7] = 0x02; /* CmdQue */
    memcpy(buf + 8, "VWMEM   ", 8);
    memcpy(buf + 16, "mem_target      ", 16);
    memcpy(buf + 32, "0001", 4);
    data_in(c, buf, alloc < 36 ? alloc : 36);
}

static void report_luns(struct mem_target *t, struct scsi_cmd *c)
{
    uint8_t buf[8 + 8 * MEM_MAX_LUNS] = {0};
    uint32_t n = 0, alloc = scsi_be32(c->cdb + 6);

    for (uint32_t i = 0; i < MEM_MAX_LUNS; i++)
        if (t->lun[c->target][i].disk != NULL)
            scsi_put_lun(buf + 8 + 8 * n++, i);
    scsi_put_be32(buf, 8 * n);
    data_in(c, buf, alloc < 8 + 8 * n ? alloc : 8 + 8 * n);
}

static void read_capacity(struct scsi_cmd *c, const struct mem_lun *l, bool sixteen)
{
    uint8_t buf[32] = {0};

    if (sixteen) {
        uint32_t alloc = scsi_be32(c->cdb + 10);
        scsi_put_be64(buf, l->blocks - 1);
        scsi_put_be32(buf + 8, MEM_TARGET_BLOCK);
        buf[14] = 0x80; /* LBPME: UNMAP frees blocks */
        data_in(c, buf, alloc < 32 ? alloc : 32);
    } else {
        scsi_put_be32(buf, l->blocks - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(l->blocks - 1));
        scsi_put_be32(buf + 4, MEM_TARGET_BLOCK);
        data_in(c, buf, 8);
    }
}

static void read_write(struct scsi_cmd *c, struct mem_lun *l, bool write, bool sixteen)
{
    uint64_t lba = sixteen ? scsi_be64(c->cdb + 2) : scsi_be32(c->cdb + 2);
    uint32_t count = sixteen ? scsi_be32(c->cdb + 10) : (uint32_t)c->cdb[7] << 8 | c->cdb[8];
    uint64_t bytes = (uint64_t)count * MEM_TARGET_BLOCK;
    uint32_t have = write ? c->out_len : c->in_len;

    if (lba > l->blocks || count > l->blocks - lba) {
        set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    if (bytes > have)
        bytes = have - have % MEM_TARGET_BLOCK; /* what the initiator gave; the rest a residual */
    if (write)
        memcpy(l->disk + lba * MEM_TARGET_BLOCK, c->out, bytes);
    else
        data_in(c, l->disk + lba * MEM_TARGET_BLOCK, (uint32_t)bytes);
}

static void unmap(struct scsi_cmd *c, struct mem_lun *l)
{
    uint32_t len = c->out_len, desc_len;

    if (len < 8 || (desc_len = (uint32_t)c->out[2] << 8 | c->out[3]) > len - 8 ||
        desc_len % 16 != 0) {
        set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD, 0);
        return;
    }
    for (uint32_t off = 8; off < 8 + desc_len; off += 16) {
        uint64_t lba = scsi_be64(c->out + off);
        uint32_t n = scsi_be32(c->out + off + 8);
        if (lba > l->blocks || n > l->blocks - lba) {
            set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_LBA_OUT_OF_RANGE, 0);
            return;
        }
        memset(l->disk + lba * MEM_TARGET_BLOCK, 0, (size_t)n * MEM_TARGET_BLOCK);
    }
}

/** Run a command against the LUN now; the response goes out at poll */
static void execute(struct mem_target *t, struct scsi_cmd *c)
{
    struct mem_lun *l = &t->lun[c->target][c->lun < MEM_MAX_LUNS ? c->lun : 0];
    static const struct mem_lun none = {NULL, 0};
    uint8_t op = c->cdb[0];

    if (c->lun >= MEM_MAX_LUNS)
        l = (struct mem_lun *)&none;
    c->status = SAM_STAT_GOOD;
    if (op == SCSI_OP_INQUIRY) {
        inquiry(c, l);
        return;
    }
    if (op == SCSI_OP_REPORT_LUNS && t->faults.no_report_luns) {
        set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
        return;
    }
    if (op == SCSI_OP_REPORT_LUNS) {
        report_luns(t, c);
        return;
    }
    if (l->disk == NULL) {
        set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_LUN_NOT_SUPPORTED, 0);
        return;
    }
    switch (op) {
    case SCSI_OP_TEST_UNIT_READY:
    case SCSI_OP_SYNC_CACHE10:
        break;
    case SCSI_OP_READ_CAPACITY10:
        read_capacity(c, l, false);
        break;
    case SCSI_OP_SERVICE_IN16:
        if ((c->cdb[1] & 0x1f) == SCSI_SA_READ_CAPACITY16)
            read_capacity(c, l, true);
        else
            set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD, 0);
        break;
    case SCSI_OP_READ10:
    case SCSI_OP_WRITE10:
    case SCSI_OP_READ16:
    case SCSI_OP_WRITE16:
        read_write(c, l, op == SCSI_OP_WRITE10 || op == SCSI_OP_WRITE16,
                   op == SCSI_OP_READ16 || op == SCSI_OP_WRITE16);
        break;
    case SCSI_OP_UNMAP:
        unmap(c, l);
        break;
    default:
        set_sense(c, SENSE_KEY_ILLEGAL_REQUEST, SCSI_ASC_INVALID_OPCODE, 0);
        break;
    }
}

static void mem_submit(struct scsi_target *base, struct scsi_cmd *c)
{
    struct mem_target *t = (struct mem_target *)base;
    struct mem_target_faults *f = &t->faults;

    c->result = SCSI_TGT_DONE;
    c->in_done = 0;
    c->sense_len = 0;
    c->residual = 0;
    if (c->target >= base->ntargets || t->ncmds == MEM_QUEUE_MAX) {
        c->result = c->target >= base->ntargets ? SCSI_TGT_NO_LUN : SCSI_TGT_TRANSPORT;
        base->cmd_done(base->ctx, c);
        return;
    }
    t->submitted++;
    if (f->busy > 0) {
        f->busy--;
        c->status = SAM_STAT_BUSY;
    } else {
        execute(t, c);
    }
    uint32_t want = c->in_len > 0 ? c->in_len : c->out_len;
    c->residual = c->in_len > 0 ? c->in_len - c->in_done : 0;
    if (f->big_residual)
        c->residual = want + 4096;
    if (f->long_sense && c->status == SAM_STAT_CHECK_CONDITION) {
        memset(c->sense + 18, 0xee, 200 - 18);
        c->sense[7] = 200 - 8;
        c->sense_len = 200;
    }
    t->lost[t->ncmds] = f->lose_every != 0 && t->submitted % f->lose_every == 0;
    t->seq[t->ncmds] = t->submitted;
    t->cmds[t->ncmds++] = c;
}

/** Remove outstanding command K, ending it with RESULT */
static void end_cmd(struct mem_target *t, unsigned k, enum scsi_tgt_result result)
{
    struct scsi_cmd *c = t->cmds[k];

    memmove(&t->cmds[k], &t->cmds[k + 1], (t->ncmds - k - 1) * sizeof(t->cmds[0]));
    memmove(&t->lost[k], &t->lost[k + 1], (t->ncmds - k - 1) * sizeof(t->lost[0]));
    memmove(&t->seq[k], &t->seq[k + 1], (t->ncmds - k - 1) * sizeof(t->seq[0]));
    t->ncmds--;
    c->result = result;
    if (result != SCSI_TGT_DONE) {
        c->status = 0;
        c->sense_len = 0;
        c->in_done = 0;
    }
    t->base.cmd_done(t->base.ctx, c);
}

static void mem_tmf(struct scsi_target *base, struct scsi_tmf *f)
{
    struct mem_target *t = (struct mem_target *)base;

    if (t->ntmfs == MEM_QUEUE_MAX) {
        f->result = SCSI_TMF_FAILED;
        base->tmf_done(base->ctx, f);
        return;
    }
    t->tmf_seq[t->ntmfs] = t->submitted;
    t->tmfs[t->ntmfs++] = f;
}

/** Carry out a TMF: the commands it ends complete before it does; only
 *  commands that arrived before it (up to SEEN) are in its scope (SAM-5
 *  7.1: a TMF acts on the task set as it is when the TMF is received) */
static void run_tmf(struct mem_target *t, struct scsi_tmf *f, uint64_t seen)
{
    if (t->faults.tmf_reject) {
        f->result = SCSI_TMF_REJECTED;
        t->base.tmf_done(t->base.ctx, f);
        return;
    }
    f->result = SCSI_TMF_COMPLETE;
    for (unsigned k = 0; k < t->ncmds;) {
        struct scsi_cmd *c = t->cmds[k];
        bool nexus = c->target == f->target;
        bool hit = false;
        enum scsi_tgt_result r = SCSI_TGT_RESET;

        switch (f->kind) {
        case SCSI_TMF_ABORT_TASK:
            hit = nexus && c->lun == f->lun && c->tag == f->tag;
            r = SCSI_TGT_ABORTED;
            break;
        case SCSI_TMF_ABORT_TASK_SET:
            hit = nexus && c->lun == f->lun;
            r = SCSI_TGT_ABORTED;
            break;
        case SCSI_TMF_LUN_RESET:
            hit = nexus && c->lun == f->lun;
            break;
        case SCSI_TMF_IT_NEXUS_RESET:
            hit = nexus;
            break;
        }
        if (hit && t->seq[k] <= seen)
            end_cmd(t, k, r);
        else
            k++;
    }
    t->base.tmf_done(t->base.ctx, f);
}

static void mem_poll(struct scsi_target *base, int timeout_ms)
{
    struct mem_target *t = (struct mem_target *)base;

    (void)timeout_ms;
    if (t->faults.hung)
        return;
    if (!t->faults.tmf_never)
        while (t->ntmfs > 0) {
            struct scsi_tmf *f = t->tmfs[0];
            uint64_t seen = t->tmf_seq[0];
            memmove(&t->tmfs[0], &t->tmfs[1], (t->ntmfs - 1) * sizeof(t->tmfs[0]));
            memmove(&t->tmf_seq[0], &t->tmf_seq[1], (t->ntmfs - 1) * sizeof(t->tmf_seq[0]));
            t->ntmfs--;
            run_tmf(t, f, seen);
        }
    for (unsigned k = 0; k < t->ncmds;) {
        if (t->lost[k])
            k++;
        else
            end_cmd(t, k, SCSI_TGT_DONE);
    }
}

static int mem_luns(struct scsi_target *base, uint16_t target, uint32_t *luns, unsigned max)
{
    struct mem_target *t = (struct mem_target *)base;
    unsigned n = 0;

    if (target >= base->ntargets)
        return -1;
    for (uint32_t i = 0; i < MEM_MAX_LUNS && n < max; i++)
        if (t->lun[target][i].disk != NULL)
            luns[n++] = i;
    return (int)n;
}

static unsigned mem_outstanding(struct scsi_target *base)
{
    struct mem_target *t = (struct mem_target *)base;

    return t->ncmds + t->ntmfs;
}

static void mem_destroy(struct scsi_target *base)
{
    struct mem_target *t = (struct mem_target *)base;

    for (unsigned i = 0; i < MEM_MAX_TARGETS; i++)
        for (unsigned j = 0; j < MEM_MAX_LUNS; j++)
            free(t->lun[i][j].disk);
    free(t);
}

static const struct scsi_target_ops mem_ops = {
    mem_submit, mem_tmf, mem_poll, mem_luns, mem_outstanding, mem_destroy,
};

struct mem_target *mem_target_create(uint16_t ntargets, uint32_t luns, uint64_t blocks)
{
    struct mem_target *t;

    if (ntargets == 0 || ntargets > MEM_MAX_TARGETS || luns > MEM_MAX_LUNS)
        return NULL;
    t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->base.ops = &mem_ops;
    t->base.ntargets = ntargets;
    for (uint16_t i = 0; i < ntargets; i++)
        for (uint32_t j = 0; j < luns; j++)
            if (mem_target_set_lun(t, i, j, blocks) != 0) {
                mem_destroy(&t->base);
                return NULL;
            }
    return t;
}

struct scsi_target *mem_target_base(struct mem_target *t)
{
    return &t->base;
}

void mem_target_set_faults(struct mem_target *t, const struct mem_target_faults *f)
{
    t->faults = *f;
}

unsigned mem_target_release_lost(struct mem_target *t)
{
    unsigned n = 0;

    for (unsigned k = 0; k < t->ncmds; k++)
        if (t->lost[k]) {
            t->lost[k] = false;
            n++;
        }
    return n;
}

int mem_target_set_lun(struct mem_target *t, uint16_t target, uint32_t lun, uint64_t blocks)
{
    struct mem_lun *l;

    if (target >= t->base.ntargets || lun >= MEM_MAX_LUNS || blocks > (1u << 20))
        return -1;
    l = &t->lun[target][lun];
    free(l->disk);
    l->disk = NULL;
    l->blocks = 0;
    if (blocks == 0)
        return 0;
    l->disk = calloc(blocks, MEM_TARGET_BLOCK);
    if (l->disk == NULL)
        return -1;
    l->blocks = blocks;
    return 0;
}

uint8_t *mem_target_disk(struct mem_target *t, uint16_t target, uint32_t lun, uint64_t *blocks)
{
    if (target >= t->base.ntargets || lun >= MEM_MAX_LUNS)
        return NULL;
    *blocks = t->lun[target][lun].blocks;
    return t->lun[target][lun].disk;
}
