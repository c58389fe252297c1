/*
 * vmodel_scsi.c - virtio-scsi requests, task management and events over a
 * SCSI target back end (see vmodel_scsi.h).
 */
#include "vmodel_scsi.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENT_BUFS 64u
#define MAX_EVENT_SEGS 4u
#define MAX_KNOWN_LUNS SCSI_TGT_LUNS_MAX
#define MAX_AN_SUBS    64u /* LUNs with an asynchronous notification subscription */

/** A command or TMF the back end owns */
struct inflight {
    struct inflight *next;
    struct vmodel_scsi *s;
    uint32_t gen; /* device resets when taken: a completion from before a reset is stale */
    uint16_t queue, id;
    bool is_tmf;
    bool internal; /* the device's own TMF after a device reset: no buffer to answer in */
    bool taking;   /* inside the handler: the back end answered at once */
    bool answered; /* response written, used length in written */
    bool ready;    /* TMF answered inside the handler with commands it ended, or a command
                      vmodel_scsi_answer_next answers: used at poll */
    uint32_t written;
    uint64_t *ended; /* TMF: tickets of the commands it ended (vmodel_ticket) */
    unsigned nended, ended_cap;
    struct scsi_cmd cmd;
    struct scsi_tmf tmf;
    uint8_t *out, *in;
    uint32_t resp_len, sense_size;
    uint32_t underrun;        /* vmodel_scsi_answer_next: bytes of the transfer left unmoved */
    struct vmodel_seg *wsegs; /* the request's device-writable segments */
    unsigned nwsegs;
};

struct event_buf {
    uint16_t id;
    unsigned nsegs;
    struct vmodel_seg segs[MAX_EVENT_SEGS];
};

/** One LUN's asynchronous notification subscription */
struct an_sub {
    uint16_t target;
    uint32_t lun;
    uint32_t classes;
};

struct vmodel_scsi {
    struct vmodel *m;
    struct scsi_target *t;
    struct vmodel_scsi_config cfg;
    struct vmodel_scsi_hostile hostile;
    struct vmodel_scsi_planted planted;
    unsigned writes_seen;  /* WRITE commands taken, for planted.lose_write_every */
    bool tmf_answer_first; /* vmodel_scsi_set_tmf_answer_first */
    uint64_t answer_hold;  /* and how long the ended commands are kept after the answer */
    uint32_t gen;
    struct inflight *inflight;
    unsigned ninflight;
    struct event_buf ev[MAX_EVENT_BUFS];
    unsigned nev;
    bool missed;
    struct an_sub subs[MAX_AN_SUBS];
    unsigned nsubs;
    unsigned answer_count; /* vmodel_scsi_answer_next */
    uint8_t answer_response;
    uint32_t answer_resid;
    uint16_t nknown[256];
    uint32_t *known[256]; /* each target's LUNs at the last rescan */
    struct vmodel_scsi_stats st;
};

/** Record that the driver broke RULE; the text names it first */
static void rule(struct vmodel_scsi *s, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rule(struct vmodel_scsi *s, const char *name, const char *fmt, ...)
{
    va_list ap;
    int n;

    s->st.rule_errors++;
    n = snprintf(s->st.last_rule, sizeof(s->st.last_rule), "%s: ", name);
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof(s->st.last_rule))
        vsnprintf(s->st.last_rule + n, sizeof(s->st.last_rule) - (size_t)n, fmt, ap);
    va_end(ap);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A byte stream over the readable or the writable segments of a request. */
struct stream {
    const struct vmodel_seg *segs;
    unsigned nsegs;
    bool write;
    unsigned seg;
    uint32_t off;
};

/** Copy LEN bytes out of (TO != NULL) or into (FROM) the stream; NULL both skips */
static uint32_t stream_copy(struct stream *s, uint8_t *to, const uint8_t *from, uint32_t len)
{
    uint32_t done = 0;

    while (done < len && s->seg < s->nsegs) {
        const struct vmodel_seg *g = &s->segs[s->seg];
        if (g->write != s->write || s->off == g->len) {
            s->seg++;
            s->off = 0;
            continue;
        }
        uint32_t n = g->len - s->off;
        if (n > len - done)
            n = len - done;
        if (to != NULL)
            memcpy(to + done, (uint8_t *)g->va + s->off, n);
        else if (from != NULL)
            memcpy((uint8_t *)g->va + s->off, from + done, n);
        s->off += n;
        done += n;
    }
    return done;
}

static uint32_t cfg32(struct vmodel_scsi *s, uint32_t off)
{
    uint8_t b[4];

    vmodel_get_device_cfg(s->m, off, b, 4);
    return le32(b);
}

static bool negotiated(struct vmodel_scsi *s, unsigned bit)
{
    return (vmodel_driver_features(s->m) >> bit) & 1;
}

static void abort_stale(struct vmodel_scsi *s);

/** A device reset drops every buffer the device held; the back end's late answers are stale */
static void check_reset(struct vmodel_scsi *s)
{
    uint32_t gen = vmodel_reset_count(s->m);

    if (gen == s->gen)
        return;
    s->gen = gen;
    s->nev = 0;
    s->missed = false;
    s->nsubs = 0;
    abort_stale(s);
}

/* ---------------------------------------------------------------------- */
/* Completion                                                             */

static void release(struct inflight *f)
{
    struct vmodel_scsi *s = f->s;

    for (struct inflight **p = &s->inflight; *p != NULL; p = &(*p)->next)
        if (*p == f) {
            *p = f->next;
            s->ninflight--;
            break;
        }
    free(f->out);
    free(f->in);
    free(f->wsegs);
    free(f->ended);
    free(f);
}

/** Hand the used length to the ring, or to the handler still taking the request; a TMF's
 *  entry is used after those of the commands it ended (SAM-5: FUNCTION COMPLETE once the
 *  affected tasks are ended; QEMU pushes their used entries first) */
static void finish(struct inflight *f, uint32_t written)
{
    struct vmodel_scsi *s = f->s;

    if (f->taking) {
        f->answered = true;
        f->written = written;
        return;
    }
    if (f->gen == vmodel_reset_count(s->m)) {
        vmodel_complete_after(s->m, f->queue, f->id, written, f->ended, f->nended, 0);
        if (f->nended > 0)
            s->st.tmf_after_ended++;
    }
    release(f);
}

/** The TMFs outstanding that may have ended command C: those on its I_T nexus (a back end
 *  may end more than SAM's scope: libiscsi cancels every task of the session) */
static bool may_end(const struct inflight *o, const struct scsi_cmd *c)
{
    return o->is_tmf && !o->internal && !o->answered && o->gen == o->s->gen &&
           o->tmf.target == c->target;
}

/** Command F was ended by a TMF: note its ticket in each TMF that may have ended it, or, in
 *  the answer-first order, complete it after the first such TMF's entry; false when F
 *  is still to be finished as usual */
static bool ended_by_tmf(struct inflight *f, uint32_t written)
{
    struct vmodel_scsi *s = f->s;
    uint64_t ticket;

    for (struct inflight *o = s->inflight; o != NULL; o = o->next) {
        if (!may_end(o, &f->cmd))
            continue;
        if (s->tmf_answer_first && !f->taking) {
            ticket = vmodel_ticket(s->m, o->queue, o->id);
            vmodel_complete_after(s->m, f->queue, f->id, written, &ticket, 1, s->answer_hold);
            s->st.tmf_answer_first++;
            release(f);
            return true;
        }
        if (o->nended == o->ended_cap) {
            unsigned cap = o->ended_cap ? 2 * o->ended_cap : 8;
            uint64_t *e = realloc(o->ended, cap * sizeof(*e));
            if (e == NULL)
                continue; /* out of memory: that TMF is not held back for F */
            o->ended = e;
            o->ended_cap = cap;
        }
        o->ended[o->nended++] = vmodel_ticket(s->m, f->queue, f->id);
    }
    return false;
}

static uint8_t response_of(enum scsi_tgt_result r)
{
    switch (r) {
    case SCSI_TGT_DONE:
        return VIRTIO_SCSI_S_OK;
    case SCSI_TGT_NO_LUN:
        return VIRTIO_SCSI_S_BAD_TARGET;
    case SCSI_TGT_ABORTED:
        return VIRTIO_SCSI_S_ABORTED;
    case SCSI_TGT_RESET:
        return VIRTIO_SCSI_S_RESET;
    case SCSI_TGT_TRANSPORT:
        break;
    }
    return VIRTIO_SCSI_S_TRANSPORT_FAILURE;
}

/** Write a command response (spec 5.6.6.1) and its data in; returns the used length */
static uint32_t write_response(struct inflight *f, uint8_t response)
{
    struct vmodel_scsi *s = f->s;
    struct scsi_cmd *c = &f->cmd;
    uint8_t hdr[VIRTIO_SCSI_RESP_HDR] = {0};
    struct stream w = {f->wsegs, f->nwsegs, true, 0, 0};
    uint32_t sense = 0, resid = 0, in_done = 0;

    if (s->planted.swap && response == s->planted.swap_from) {
        response = s->planted.swap_to;
        s->st.planted++;
    }
    if (response == VIRTIO_SCSI_S_OK) {
        sense = c->sense_len < f->sense_size ? c->sense_len : f->sense_size;
        if (sense > SCSI_TGT_SENSE_MAX)
            sense = SCSI_TGT_SENSE_MAX;
        in_done = c->in_done < c->in_len ? c->in_done : c->in_len;
        if (c->in_len > 0 && f->underrun > 0)
            in_done = in_done < c->in_len - f->underrun ? in_done : c->in_len - f->underrun;
        if (c->in_len > 0)
            resid = c->in_len - in_done;
        else
            resid = c->residual < c->out_len ? c->residual : c->out_len;
        if (c->in_len == 0 && resid < f->underrun)
            resid = f->underrun;
        put_le32(hdr, s->hostile.sense_len ? c->sense_len : sense);
        put_le32(hdr + 4, s->hostile.residual ? c->residual : resid);
        hdr[10] = c->status;
    }
    hdr[11] = response;
    if (response < 13)
        s->st.responses[response]++;
    stream_copy(&w, NULL, hdr, sizeof(hdr));
    stream_copy(&w, NULL, c->sense, sense);
    stream_copy(&w, NULL, NULL, f->resp_len - VIRTIO_SCSI_RESP_HDR - sense);
    stream_copy(&w, NULL, c->in, in_done);
    return f->resp_len + in_done;
}

static void cmd_done(void *ctx, struct scsi_cmd *c)
{
    struct inflight *f = c->owner;

    (void)ctx;
    if (f->gen != vmodel_reset_count(f->s->m)) {
        f->s->st.stale++;
        f->taking = false;
        release(f);
        return;
    }
    uint32_t written = write_response(f, response_of(c->result));
    if ((c->result == SCSI_TGT_ABORTED || c->result == SCSI_TGT_RESET) && ended_by_tmf(f, written))
        return;
    finish(f, written);
}

/** Write a control response byte at OFF of the writable bytes */
static uint32_t ctrl_response(struct inflight *f, uint32_t off, uint8_t response)
{
    struct stream w = {f->wsegs, f->nwsegs, true, 0, 0};

    stream_copy(&w, NULL, NULL, off);
    stream_copy(&w, NULL, &response, 1);
    return off + 1;
}

static void tmf_done(void *ctx, struct scsi_tmf *t)
{
    struct inflight *f = t->owner;
    static const uint8_t map[] = {
        [SCSI_TMF_COMPLETE] = VIRTIO_SCSI_S_FUNCTION_COMPLETE,
        [SCSI_TMF_REJECTED] = VIRTIO_SCSI_S_FUNCTION_REJECTED,
        [SCSI_TMF_FAILED] = VIRTIO_SCSI_S_FAILURE,
    };

    (void)ctx;
    if (f->internal) {
        f->taking = false;
        release(f);
        return;
    }
    if (f->gen != vmodel_reset_count(f->s->m)) {
        f->s->st.stale++;
        f->taking = false;
        release(f);
        return;
    }
    finish(f, ctrl_response(f, 0, map[t->result]));
}

/** After a device reset: ABORT TASK SET on each LUN with commands still at the back end, so
 *  the target stops work nobody waits for (its answers arrive as stale) */
static void abort_stale(struct vmodel_scsi *s)
{
    for (struct inflight *o = s->inflight; o != NULL; o = o->next) {
        bool asked = false;

        if (o->is_tmf || o->gen == s->gen)
            continue;
        for (struct inflight *p = s->inflight; p != o && !asked; p = p->next)
            asked = p->internal && p->gen == s->gen && p->tmf.target == o->cmd.target &&
                    p->tmf.lun == o->cmd.lun;
        if (asked)
            continue;
        struct inflight *f = calloc(1, sizeof(*f));
        if (f == NULL)
            return;
        f->s = s;
        f->gen = s->gen;
        f->is_tmf = f->internal = true;
        f->tmf.kind = SCSI_TMF_ABORT_TASK_SET;
        f->tmf.target = o->cmd.target;
        f->tmf.lun = o->cmd.lun;
        f->tmf.owner = f;
        f->next = s->inflight; /* at the head: the walk goes on from O */
        s->inflight = f;
        s->ninflight++;
        s->st.reset_aborts++;
        s->t->ops->tmf(s->t, &f->tmf);
    }
}

/* ---------------------------------------------------------------------- */
/* Taking requests                                                        */

static struct inflight *new_inflight(struct vmodel_scsi *s, const struct vmodel_req *req)
{
    struct inflight *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return NULL;
    f->s = s;
    f->gen = s->gen;
    f->queue = req->queue;
    f->id = req->id;
    f->wsegs = calloc(req->nsegs ? req->nsegs : 1, sizeof(*f->wsegs));
    if (f->wsegs == NULL) {
        free(f);
        return NULL;
    }
    for (unsigned i = 0; i < req->nsegs; i++)
        if (req->segs[i].write)
            f->wsegs[f->nwsegs++] = req->segs[i];
    f->next = s->inflight;
    s->inflight = f;
    s->ninflight++;
    return f;
}

/** Decode the 8-byte LUN (spec 5.6.6.1: 1, target, single-level LUN, four zero bytes) */
static bool decode_lun(struct vmodel_scsi *s, const uint8_t *lun, uint16_t *target, uint32_t *l)
{
    if (lun[0] != 1 || lun[4] | lun[5] | lun[6] | lun[7] || (lun[2] >> 6) > 1 ||
        ((lun[2] >> 6) == 0 && lun[2] != 0)) {
        rule(s, "lun-format", "%02x %02x %02x %02x %02x %02x %02x %02x", lun[0], lun[1], lun[2],
             lun[3], lun[4], lun[5], lun[6], lun[7]);
        return false;
    }
    *target = lun[1];
    *l = (uint32_t)(lun[2] & 0x3f) << 8 | lun[3];
    if (*target > s->cfg.max_target || *l > s->cfg.max_lun) {
        rule(s, "lun-out-of-range", "target %u LUN %u (max %u, %u)", *target, *l, s->cfg.max_target,
             s->cfg.max_lun);
        return false;
    }
    return true;
}

/** Note the commands outstanding at F's LUN (F among them) and READ CAPACITY taken */
static void count_lun(struct vmodel_scsi *s, const struct inflight *f)
{
    uint64_t n = 0;

    for (const struct inflight *o = s->inflight; o != NULL; o = o->next)
        n += !o->is_tmf && o->gen == s->gen && o->cmd.target == f->cmd.target &&
             o->cmd.lun == f->cmd.lun;
    if (n > s->st.max_lun_cmds)
        s->st.max_lun_cmds = n;
    if (f->cmd.cdb[0] == 0x25 || (f->cmd.cdb[0] == 0x9e && (f->cmd.cdb[1] & 0x1f) == 0x10))
        s->st.read_capacity++;
}

/** Answer a broken or unroutable request at once with RESPONSE */
static uint32_t answer_now(struct inflight *f, uint8_t response)
{
    uint32_t n = write_response(f, response);

    release(f);
    return n;
}

/** Planted: this WRITE (6/10/12/16) is one planted.lose_write_every drops */
static bool planted_lost_write(struct vmodel_scsi *s, const struct scsi_cmd *c)
{
    uint8_t op = c->cdb[0];

    if (s->planted.lose_write_every == 0 || (op != 0x0a && op != 0x2a && op != 0xaa && op != 0x8a))
        return false;
    if (++s->writes_seen % s->planted.lose_write_every != 0)
        return false;
    s->st.planted++;
    return true;
}

static uint32_t take_cmd(struct vmodel_scsi *s, const struct vmodel_req *req)
{
    uint32_t cdb_size = cfg32(s, 24), sense_size = cfg32(s, 20);
    uint64_t hdr_len = VIRTIO_SCSI_REQ_HDR + (uint64_t)cdb_size;
    uint64_t resp_len = VIRTIO_SCSI_RESP_HDR + (uint64_t)sense_size;
    uint8_t hdr[VIRTIO_SCSI_REQ_HDR];
    struct stream r = {req->segs, req->nsegs, false, 0, 0};
    struct inflight *f;
    uint32_t lun;
    uint16_t target;

    s->st.cmds++;
    if (req->in_len < resp_len) {
        rule(s, "short-response", "%u writable bytes, response needs %llu (sense_size %u)",
             req->in_len, (unsigned long long)resp_len, sense_size);
        return 0;
    }
    if ((f = new_inflight(s, req)) == NULL)
        return 0;
    f->resp_len = (uint32_t)resp_len;
    f->sense_size = sense_size;
    if (req->out_len < hdr_len) {
        rule(s, "short-request-header", "%u readable bytes, header needs %llu (cdb_size %u)",
             req->out_len, (unsigned long long)hdr_len, cdb_size);
        return answer_now(f, VIRTIO_SCSI_S_FAILURE);
    }
    if (req->nsegs > (uint64_t)s->cfg.seg_max + 2) {
        rule(s, "too-many-segments", "%u segments, seg_max %u", req->nsegs, s->cfg.seg_max);
        return answer_now(f, VIRTIO_SCSI_S_FAILURE);
    }
    stream_copy(&r, hdr, NULL, VIRTIO_SCSI_REQ_HDR);
    f->cmd.cdb_len = cdb_size < SCSI_TGT_CDB_MAX ? cdb_size : SCSI_TGT_CDB_MAX;
    stream_copy(&r, f->cmd.cdb, NULL, f->cmd.cdb_len);
    stream_copy(&r, NULL, NULL, (uint32_t)(hdr_len - VIRTIO_SCSI_REQ_HDR - f->cmd.cdb_len));
    if (!decode_lun(s, hdr, &target, &lun))
        return answer_now(f, VIRTIO_SCSI_S_BAD_TARGET);
    f->cmd.target = target;
    f->cmd.lun = lun;
    f->cmd.tag = 0;
    for (unsigned i = 0; i < 8; i++)
        f->cmd.tag |= (uint64_t)hdr[8 + i] << (8 * i);
    f->cmd.out_len = req->out_len - (uint32_t)hdr_len;
    f->cmd.in_len = req->in_len - (uint32_t)resp_len;
    if (f->cmd.out_len > 0 && f->cmd.in_len > 0 && !negotiated(s, VIRTIO_SCSI_F_INOUT)) {
        rule(s, "inout-without-feature", "%u bytes out and %u in", f->cmd.out_len, f->cmd.in_len);
        return answer_now(f, VIRTIO_SCSI_S_FAILURE);
    }
    for (struct inflight *o = s->inflight; o != NULL; o = o->next)
        if (o != f && !o->is_tmf && o->gen == s->gen && o->cmd.target == target &&
            o->cmd.lun == lun && o->cmd.tag == f->cmd.tag) {
            rule(s, "tag-in-use", "tag %llu on target %u LUN %u is outstanding",
                 (unsigned long long)f->cmd.tag, target, lun);
            return answer_now(f, VIRTIO_SCSI_S_FAILURE);
        }
    if (target >= s->t->ntargets)
        return answer_now(f, VIRTIO_SCSI_S_BAD_TARGET);
    f->out = malloc(f->cmd.out_len ? f->cmd.out_len : 1);
    f->in = calloc(1, f->cmd.in_len ? f->cmd.in_len : 1);
    if (f->out == NULL || f->in == NULL)
        return answer_now(f, VIRTIO_SCSI_S_FAILURE);
    stream_copy(&r, f->out, NULL, f->cmd.out_len);
    f->cmd.out = f->out;
    f->cmd.in = f->in;
    f->cmd.owner = f;
    count_lun(s, f);
    if (s->answer_count > 0) {
        s->answer_count--;
        s->st.injected++;
        if (s->answer_response != VIRTIO_SCSI_S_OK) { /* answered at the next poll */
            f->written = write_response(f, s->answer_response);
            f->ready = true;
            return VMODEL_ASYNC;
        }
        f->underrun = s->answer_resid < f->cmd.in_len + f->cmd.out_len
                          ? s->answer_resid
                          : f->cmd.in_len + f->cmd.out_len;
        if (s->planted.resid_zero && f->underrun > 0) {
            f->underrun = 0;
            s->st.planted++;
        }
    }
    if (planted_lost_write(s, &f->cmd)) /* answered GOOD, never written */
        return answer_now(f, VIRTIO_SCSI_S_OK);
    f->taking = true;
    s->t->ops->submit(s->t, &f->cmd);
    f->taking = false;
    if (f->answered) {
        uint32_t n = f->written;
        release(f);
        return n;
    }
    return VMODEL_ASYNC;
}

/** QUERY TASK (SET): answered by the device from what it has outstanding */
static uint8_t query(struct vmodel_scsi *s, uint32_t subtype, uint16_t target, uint32_t lun,
                     uint64_t tag)
{
    for (struct inflight *o = s->inflight; o != NULL; o = o->next)
        if (!o->is_tmf && o->gen == s->gen && o->cmd.target == target && o->cmd.lun == lun &&
            (subtype == VIRTIO_SCSI_T_TMF_QUERY_TASK_SET || o->cmd.tag == tag))
            return VIRTIO_SCSI_S_FUNCTION_SUCCEEDED;
    return VIRTIO_SCSI_S_FUNCTION_COMPLETE;
}

static uint32_t take_tmf(struct vmodel_scsi *s, const struct vmodel_req *req, struct inflight *f,
                         const uint8_t *b)
{
    uint32_t subtype = le32(b + 4);
    uint16_t target;
    uint32_t lun;
    uint64_t tag = 0;
    uint32_t n;

    s->st.tmfs++;
    if (req->out_len < 24 || req->in_len < 1) {
        rule(s, "ctrl-short", "TMF with %u readable (24) and %u writable (1) bytes", req->out_len,
             req->in_len);
        n = req->in_len >= 1 ? ctrl_response(f, 0, VIRTIO_SCSI_S_FAILURE) : 0;
        release(f);
        return n;
    }
    for (unsigned i = 0; i < 8; i++)
        tag |= (uint64_t)b[16 + i] << (8 * i);
    if (!decode_lun(s, b + 8, &target, &lun) || target >= s->t->ntargets) {
        n = ctrl_response(f, 0, VIRTIO_SCSI_S_BAD_TARGET);
        release(f);
        return n;
    }
    f->is_tmf = true;
    f->tmf.target = target;
    f->tmf.lun = lun;
    f->tmf.tag = tag;
    f->tmf.owner = f;
    switch (subtype) {
    case VIRTIO_SCSI_T_TMF_ABORT_TASK:
        f->tmf.kind = SCSI_TMF_ABORT_TASK;
        break;
    case VIRTIO_SCSI_T_TMF_ABORT_TASK_SET:
    case VIRTIO_SCSI_T_TMF_CLEAR_TASK_SET:
        f->tmf.kind = SCSI_TMF_ABORT_TASK_SET;
        break;
    case VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET:
        f->tmf.kind = SCSI_TMF_IT_NEXUS_RESET;
        break;
    case VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET:
        f->tmf.kind = SCSI_TMF_LUN_RESET;
        break;
    case VIRTIO_SCSI_T_TMF_QUERY_TASK:
    case VIRTIO_SCSI_T_TMF_QUERY_TASK_SET:
        n = ctrl_response(f, 0, query(s, subtype, target, lun, tag));
        release(f);
        return n;
    default: /* CLEAR ACA (no NACA support) and unknown subtypes */
        n = ctrl_response(f, 0, VIRTIO_SCSI_S_FUNCTION_REJECTED);
        release(f);
        return n;
    }
    uint64_t at_lun = 0; /* commands the TMF may race at the back end */
    for (const struct inflight *o = s->inflight; o != NULL; o = o->next)
        at_lun += !o->is_tmf && !o->ready && o->gen == s->gen && o->cmd.target == target &&
                  (f->tmf.kind == SCSI_TMF_IT_NEXUS_RESET || o->cmd.lun == lun);
    if (at_lun > s->st.tmf_raced)
        s->st.tmf_raced = at_lun;
    f->taking = true;
    s->t->ops->tmf(s->t, &f->tmf);
    f->taking = false;
    if (f->answered && f->nended > 0) {
        f->ready = true; /* its entry waits for the ended commands': vmodel_scsi_poll */
        return VMODEL_ASYNC;
    }
    if (f->answered) {
        n = f->written;
        release(f);
        return n;
    }
    return VMODEL_ASYNC;
}

/** Record TARGET:LUN's subscription to CLASSES (0 ends it); false when the table is full */
static bool an_record(struct vmodel_scsi *s, uint16_t target, uint32_t lun, uint32_t classes)
{
    for (unsigned i = 0; i < s->nsubs; i++) {
        if (s->subs[i].target != target || s->subs[i].lun != lun)
            continue;
        if (classes != 0) {
            s->subs[i].classes = classes;
        } else {
            memmove(&s->subs[i], &s->subs[i + 1], (s->nsubs - i - 1) * sizeof(s->subs[0]));
            s->nsubs--;
        }
        return true;
    }
    if (classes == 0)
        return true;
    if (s->nsubs == MAX_AN_SUBS)
        return false;
    s->subs[s->nsubs++] = (struct an_sub){target, lun, classes};
    return true;
}

/** Asynchronous notification query / subscribe (spec 5.6.6.2.2): the query answers the
 *  classes the LUN supports, the subscription those asked of them, recorded */
static uint32_t take_an(struct vmodel_scsi *s, const struct vmodel_req *req, struct inflight *f,
                        const uint8_t *b, uint32_t type)
{
    uint8_t resp[5];
    struct stream w = {f->wsegs, f->nwsegs, true, 0, 0};
    uint16_t target;
    uint32_t lun, actual = 0;

    s->st.ans++;
    if (req->out_len < 16 || req->in_len < 5) {
        rule(s, "ctrl-short", "AN with %u readable (16) and %u writable (5) bytes", req->out_len,
             req->in_len);
        release(f);
        return 0;
    }
    resp[4] = decode_lun(s, b + 4, &target, &lun) && target < s->t->ntargets
                  ? VIRTIO_SCSI_S_OK
                  : VIRTIO_SCSI_S_BAD_TARGET;
    if (resp[4] == VIRTIO_SCSI_S_OK && type == VIRTIO_SCSI_T_AN_QUERY) {
        actual = s->cfg.an_supported;
        s->st.an_queries++;
    } else if (resp[4] == VIRTIO_SCSI_S_OK) {
        actual = le32(b + 12) & s->cfg.an_supported;
        s->st.planted += s->planted.an_next_lun;
        if (an_record(s, target, lun + s->planted.an_next_lun, actual)) {
            s->st.an_subscribes++;
        } else {
            actual = 0;
            resp[4] = VIRTIO_SCSI_S_FAILURE;
        }
    }
    put_le32(resp, actual);
    stream_copy(&w, NULL, resp, 5);
    release(f);
    return 5;
}

static uint32_t take_ctrl(struct vmodel_scsi *s, const struct vmodel_req *req)
{
    uint8_t b[24] = {0};
    struct stream r = {req->segs, req->nsegs, false, 0, 0};
    struct inflight *f;
    uint32_t type;

    if (req->out_len < 4) {
        rule(s, "ctrl-short", "control request with %u readable bytes", req->out_len);
        return 0;
    }
    if ((f = new_inflight(s, req)) == NULL)
        return 0;
    stream_copy(&r, b, NULL, req->out_len < 24 ? req->out_len : 24);
    type = le32(b);
    if (type == VIRTIO_SCSI_T_TMF)
        return take_tmf(s, req, f, b);
    if (type == VIRTIO_SCSI_T_AN_QUERY || type == VIRTIO_SCSI_T_AN_SUBSCRIBE)
        return take_an(s, req, f, b, type);
    rule(s, "ctrl-unknown-type", "type %u", type);
    uint32_t n = req->in_len >= 1 ? ctrl_response(f, 0, VIRTIO_SCSI_S_FAILURE) : 0;
    release(f);
    return n;
}

/** Keep an event buffer until there is an event for it */
static uint32_t take_event_buf(struct vmodel_scsi *s, const struct vmodel_req *req)
{
    uint32_t need = s->cfg.event_info_size;
    struct event_buf *e;

    if (req->out_len > 0) {
        rule(s, "event-buffer-readable", "event buffer %u has %u readable bytes", req->id,
             req->out_len);
        return 0;
    }
    if (req->in_len < need || req->in_len < VIRTIO_SCSI_EVENT_LEN) {
        rule(s, "event-buffer-short", "event buffer %u of %u bytes (event_info_size %u)", req->id,
             req->in_len, need);
        return 0;
    }
    if (s->nev == MAX_EVENT_BUFS || req->nsegs > MAX_EVENT_SEGS)
        return 0; /* more than the model keeps: handed back empty */
    e = &s->ev[s->nev++];
    e->id = req->id;
    e->nsegs = req->nsegs;
    memcpy(e->segs, req->segs, req->nsegs * sizeof(req->segs[0]));
    return VMODEL_ASYNC;
}

static uint32_t handler(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_scsi *s = ctx;

    check_reset(s);
    if (req->queue == VMODEL_SCSI_CONTROLQ)
        return take_ctrl(s, req);
    if (req->queue == VMODEL_SCSI_EVENTQ)
        return take_event_buf(s, req);
    if ((uint32_t)(req->queue - VMODEL_SCSI_REQUESTQ) >= s->cfg.num_queues) {
        rule(s, "request-on-wrong-queue", "queue %u", req->queue);
        return 0;
    }
    return take_cmd(s, req);
}

/* ---------------------------------------------------------------------- */
/* Events                                                                 */

/** Put an event in the oldest buffer, used LEN bytes of it, or remember that one was missed */
static void raise_event_len(struct vmodel_scsi *s, uint32_t event, uint16_t target, uint32_t lun,
                            uint32_t reason, uint32_t len)
{
    uint8_t ev[VIRTIO_SCSI_EVENT_LEN] = {0};
    struct stream w;

    if (s->planted.drop_events) {
        s->st.planted++;
        return;
    }
    if (s->nev == 0) {
        s->missed = true;
        s->st.events_missed++;
        return;
    }
    if (s->missed)
        event |= VIRTIO_SCSI_T_EVENTS_MISSED;
    s->missed = false;
    put_le32(ev, event);
    ev[4] = 1;
    ev[5] = (uint8_t)target;
    ev[6] = (uint8_t)(0x40 | ((lun >> 8) & 0x3f));
    ev[7] = (uint8_t)lun;
    put_le32(ev + 12, reason);
    if (len > sizeof(ev))
        len = sizeof(ev);
    w = (struct stream){s->ev[0].segs, s->ev[0].nsegs, true, 0, 0};
    stream_copy(&w, NULL, ev, len);
    vmodel_complete(s->m, VMODEL_SCSI_EVENTQ, s->ev[0].id, len);
    memmove(&s->ev[0], &s->ev[1], (s->nev - 1) * sizeof(s->ev[0]));
    s->nev--;
    s->st.events++;
}

/** Put a whole event in the oldest buffer, or remember that one was missed */
static void raise_event(struct vmodel_scsi *s, uint32_t event, uint16_t target, uint32_t lun,
                        uint32_t reason)
{
    raise_event_len(s, event, target, lun, reason, VIRTIO_SCSI_EVENT_LEN);
}

void vmodel_scsi_poll(struct vmodel_scsi *s, int timeout_ms)
{
    check_reset(s);
    for (struct inflight *f = s->inflight, *next; f != NULL; f = next) {
        next = f->next;
        if (f->ready) {
            f->answered = false;
            finish(f, f->written);
        }
    }
    s->t->ops->poll(s->t, timeout_ms);
    if (s->missed && s->nev > 0) /* spec 5.6.6.3: tell the driver it missed events */
        raise_event(s, VIRTIO_SCSI_T_NO_EVENT, 0, 0, 0);
}

static bool has_lun(const uint32_t *luns, unsigned n, uint32_t lun)
{
    for (unsigned i = 0; i < n; i++)
        if (luns[i] == lun)
            return true;
    return false;
}

/** The LUN look of vmodel_scsi_rescan; QUIET records without raising events */
static int rescan(struct vmodel_scsi *s, bool quiet)
{
    uint32_t now[MAX_KNOWN_LUNS];
    int changes = 0;
    bool hotplug;

    check_reset(s);
    hotplug = !quiet && negotiated(s, VIRTIO_SCSI_F_HOTPLUG);
    for (uint16_t t = 0; t < s->t->ntargets && t < 256; t++) {
        int n = s->t->ops->luns(s->t, t, now, MAX_KNOWN_LUNS);
        if (n < 0)
            continue;
        for (int i = 0; i < n; i++)
            if (!has_lun(s->known[t], s->nknown[t], now[i])) {
                changes++;
                if (hotplug)
                    raise_event(s, VIRTIO_SCSI_T_TRANSPORT_RESET, t, now[i],
                                VIRTIO_SCSI_EVT_RESET_RESCAN);
            }
        for (unsigned i = 0; i < s->nknown[t]; i++)
            if (!has_lun(now, (unsigned)n, s->known[t][i])) {
                changes++;
                if (hotplug)
                    raise_event(s, VIRTIO_SCSI_T_TRANSPORT_RESET, t, s->known[t][i],
                                VIRTIO_SCSI_EVT_RESET_REMOVED);
            }
        memcpy(s->known[t], now, (unsigned)n * sizeof(now[0]));
        s->nknown[t] = (uint16_t)n;
    }
    return changes;
}

int vmodel_scsi_rescan(struct vmodel_scsi *s)
{
    return rescan(s, false);
}

void vmodel_scsi_param_change(struct vmodel_scsi *s, uint16_t target, uint32_t lun, uint8_t asc,
                              uint8_t ascq)
{
    check_reset(s);
    if (negotiated(s, VIRTIO_SCSI_F_CHANGE))
        raise_event(s, VIRTIO_SCSI_T_PARAM_CHANGE, target, lun, asc | (uint32_t)ascq << 8);
}

uint32_t vmodel_scsi_an_subscribed(const struct vmodel_scsi *s, uint16_t target, uint32_t lun)
{
    for (unsigned i = 0; i < s->nsubs; i++)
        if (s->subs[i].target == target && s->subs[i].lun == lun)
            return s->subs[i].classes;
    return 0;
}

uint32_t vmodel_scsi_an_subscription(const struct vmodel_scsi *s, unsigned i, uint16_t *target,
                                     uint32_t *lun)
{
    if (i >= s->nsubs)
        return 0;
    *target = s->subs[i].target;
    *lun = s->subs[i].lun;
    return s->subs[i].classes;
}

int vmodel_scsi_async_notify(struct vmodel_scsi *s, const struct vmodel_scsi_an_event *e)
{
    uint32_t reason = e->classes;
    uint64_t before;

    check_reset(s);
    if (!e->unchecked)
        reason &= vmodel_scsi_an_subscribed(s, e->target, e->lun);
    if (reason == 0)
        return 0;
    before = s->st.events;
    raise_event_len(s, VIRTIO_SCSI_T_ASYNC_NOTIFY, e->target, e->lun, reason,
                    e->used_len != 0 ? e->used_len : VIRTIO_SCSI_EVENT_LEN);
    if (s->st.events == before)
        return -1;
    s->st.an_events++;
    return 1;
}

/* ---------------------------------------------------------------------- */
/* Set-up                                                                 */

void vmodel_scsi_default_config(struct vmodel_scsi_config *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->num_queues = 1;
    sc->seg_max = 126;
    sc->max_sectors = 0xffff;
    sc->cmd_per_lun = 128;
    sc->event_info_size = VIRTIO_SCSI_EVENT_LEN;
    sc->sense_size = 96;
    sc->cdb_size = 32;
    sc->max_channel = 0;
    sc->max_target = 255;
    sc->max_lun = 16383;
    sc->features =
        1u << VIRTIO_SCSI_F_INOUT | 1u << VIRTIO_SCSI_F_HOTPLUG | 1u << VIRTIO_SCSI_F_CHANGE;
}

void vmodel_scsi_vmodel_config(struct vmodel_config *mc, const struct vmodel_scsi_config *sc)
{
    mc->device_type = VMODEL_SCSI_DEVICE_TYPE;
    mc->num_queues = (uint16_t)(VMODEL_SCSI_REQUESTQ + (sc->num_queues < 64 ? sc->num_queues : 64));
    mc->device_cfg_len = VMODEL_SCSI_CFG_LEN;
    mc->features = (mc->features & ~0xffffffull) | (sc->features & 0xffffffull);
}

struct vmodel_scsi *vmodel_scsi_create(struct vmodel *m, struct scsi_target *t,
                                       const struct vmodel_scsi_config *sc)
{
    struct vmodel_scsi *s = calloc(1, sizeof(*s));
    uint8_t cfg[VMODEL_SCSI_CFG_LEN];

    if (s == NULL)
        return NULL;
    for (unsigned i = 0; i < 256; i++)
        if ((s->known[i] = calloc(MAX_KNOWN_LUNS, sizeof(uint32_t))) == NULL) {
            vmodel_scsi_destroy(s);
            return NULL;
        }
    s->m = m;
    s->t = t;
    s->cfg = *sc;
    s->gen = vmodel_reset_count(m);
    put_le32(cfg + 0, sc->num_queues);
    put_le32(cfg + 4, sc->seg_max);
    put_le32(cfg + 8, sc->max_sectors);
    put_le32(cfg + 12, sc->cmd_per_lun);
    put_le32(cfg + 16, sc->event_info_size);
    put_le32(cfg + 20, sc->sense_size);
    put_le32(cfg + 24, sc->cdb_size);
    cfg[28] = (uint8_t)sc->max_channel;
    cfg[29] = (uint8_t)(sc->max_channel >> 8);
    cfg[30] = (uint8_t)sc->max_target;
    cfg[31] = (uint8_t)(sc->max_target >> 8);
    put_le32(cfg + 32, sc->max_lun);
    vmodel_set_device_cfg(m, 0, cfg, sizeof(cfg));
    vmodel_set_handler(m, handler, s);
    scsi_target_bind(t, cmd_done, tmf_done, s);
    rescan(s, true); /* the LUNs present at start raise no event */
    return s;
}

void vmodel_scsi_destroy(struct vmodel_scsi *s)
{
    if (s == NULL)
        return;
    while (s->inflight != NULL)
        release(s->inflight);
    for (unsigned i = 0; i < 256; i++)
        free(s->known[i]);
    free(s);
}

void vmodel_scsi_set_hostile(struct vmodel_scsi *s, const struct vmodel_scsi_hostile *h)
{
    s->hostile = *h;
}

void vmodel_scsi_plant(struct vmodel_scsi *s, const struct vmodel_scsi_planted *p)
{
    s->planted = *p;
}

void vmodel_scsi_answer_next(struct vmodel_scsi *s, unsigned count, uint8_t response,
                             uint32_t resid)
{
    s->answer_count = count;
    s->answer_response = response;
    s->answer_resid = resid;
}

void vmodel_scsi_set_tmf_answer_first(struct vmodel_scsi *s, bool on, uint64_t hold)
{
    s->tmf_answer_first = on;
    s->answer_hold = hold;
}

unsigned vmodel_scsi_inflight(const struct vmodel_scsi *s)
{
    return s->ninflight;
}

const struct vmodel_scsi_stats *vmodel_scsi_stats(const struct vmodel_scsi *s)
{
    return &s->st;
}
