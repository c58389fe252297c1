/*
 * test_mem.c - the virtio-scsi model over the in-process target: SCSI
 * commands end to end, hot plug and parameter events, task management, and
 * every seeded fault of mem_target.
 */
#include <stdlib.h>
#include <string.h>

#include "mem_target.h"
#include "scsi_test.h"

#define BLOCKS 2048u

struct mrig {
    struct rig r;
    struct mem_target *mt;
};

static int mrig_init(struct mrig *m, uint16_t targets, uint32_t luns, uint64_t want)
{
    struct vmodel_scsi_config sc;

    m->mt = mem_target_create(targets, luns, BLOCKS);
    if (m->mt == NULL)
        return -1;
    vmodel_scsi_default_config(&sc);
    return rig_init(&m->r, mem_target_base(m->mt), &sc, want, NULL);
}

static void mrig_fini(struct mrig *m)
{
    rig_fini(&m->r);
    mem_target_base(m->mt)->ops->destroy(mem_target_base(m->mt));
}

/** Send C in SLOT on queue 0 and wait for its response */
static bool run(struct mrig *m, unsigned slot, const struct rig_cmd *c, struct rig_resp *resp)
{
    return rig_send(&m->r, 0, slot, c) == 0 && rig_wait(&m->r, 0, slot, resp, 4);
}

static void t_mem_inquiry(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 0, .lun = 1, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 2, ALL_SCSI), 0);
    cdb_inquiry(&c, 96);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.data[0], 0x00);
    CHECK(memcmp(resp.data + 8, "VWMEM   ", 8) == 0);
    CHECK_EQ(resp.resid, 96 - 36);
    CHECK_EQ(resp.used, 12 + 96 + 36);
    /* A LUN that is not there: peripheral qualifier 3 */
    c.lun = 9;
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.data[0], 0x7f);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->rule_errors, 0);
    mrig_fini(&m);
}

static void t_mem_bad_target(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 3, .lun = 0, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    cdb_inquiry(&c, 36);
    /* Within max_target (255) but not there: BAD_TARGET, and no rule broken */
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_BAD_TARGET);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->rule_errors, 0);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->responses[VIRTIO_SCSI_S_BAD_TARGET], 1);
    mrig_fini(&m);
}

static void t_mem_report_luns_capacity(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 1, .lun = 0, .tag = 7};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 2, 3, ALL_SCSI), 0);
    cdb_report_luns(&c, 256);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be32(resp.data), 24);
    for (unsigned i = 0; i < 3; i++)
        CHECK_EQ(scsi_get_lun(resp.data + 8 + 8 * i), i);
    CHECK_EQ(resp.resid, 256 - 32);
    c.lun = 2;
    cdb_read_capacity16(&c);
    CHECK(run(&m, 1, &c, &resp));
    CHECK_EQ(scsi_be64(resp.data), BLOCKS - 1);
    CHECK_EQ(scsi_be32(resp.data + 8), 512);
    mrig_fini(&m);
}

static void t_mem_write_read_unmap(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 0, .lun = 1, .tag = 1};
    struct rig_resp resp;
    uint64_t blocks;
    uint8_t *disk;

    CHECK_EQ(mrig_init(&m, 1, 2, ALL_SCSI), 0);
    for (unsigned i = 0; i < 4096; i++)
        rig_data(&m.r, 0)[i] = (uint8_t)(i * 7 + 3);
    cdb_rw16(&c, true, 100, 8);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.used, 12 + 96);
    disk = mem_target_disk(m.mt, 0, 1, &blocks);
    CHECK(memcmp(disk + 100 * 512, rig_data(&m.r, 0), 4096) == 0);
    c.tag = 2;
    cdb_rw16(&c, false, 100, 8);
    CHECK(run(&m, 1, &c, &resp));
    CHECK_EQ(resp.used, 12 + 96 + 4096);
    CHECK(memcmp(resp.data, disk + 100 * 512, 4096) == 0);
    /* Out of range: CHECK CONDITION, ILLEGAL REQUEST, LBA OUT OF RANGE, as auto-sense */
    cdb_rw16(&c, false, BLOCKS - 1, 8);
    CHECK(run(&m, 1, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_CHECK_CONDITION);
    CHECK_EQ(resp.sense_len, 18);
    CHECK_EQ(resp.sense[2] & 0xf, SENSE_KEY_ILLEGAL_REQUEST);
    CHECK_EQ(resp.sense[12], SCSI_ASC_LBA_OUT_OF_RANGE);
    cdb_unmap(&c, rig_data(&m.r, 2), 101, 2);
    CHECK(run(&m, 2, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    for (unsigned i = 0; i < 2 * 512; i++)
        CHECK_EQ(disk[101 * 512 + i], 0);
    CHECK(disk[100 * 512 + 1] != 0 && disk[103 * 512 + 1] != 0);
    mrig_fini(&m);
}

/** Hot add and remove with F_HOTPLUG: TRANSPORT_RESET events, RESCAN and REMOVED */
static void t_mem_hotplug_events(void)
{
    struct mrig m;
    uint8_t ev[16];
    unsigned e;

    CHECK_EQ(mrig_init(&m, 2, 1, ALL_SCSI), 0);
    CHECK_EQ(rig_post_event(&m.r, 0), 0);
    CHECK_EQ(rig_post_event(&m.r, 1), 0);
    rig_step(&m.r);
    CHECK_EQ(mem_target_set_lun(m.mt, 1, 5, 64), 0);
    CHECK_EQ(vmodel_scsi_rescan(m.r.s), 1);
    rig_step(&m.r);
    CHECK(rig_get_event(&m.r, &e, ev));
    CHECK_EQ(e, 0);
    CHECK_EQ(ev[0], VIRTIO_SCSI_T_TRANSPORT_RESET);
    CHECK_EQ(ev[4], 1);
    CHECK_EQ(ev[5], 1);
    CHECK_EQ(ev[6], 0x40);
    CHECK_EQ(ev[7], 5);
    CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_RESCAN);
    CHECK_EQ(mem_target_set_lun(m.mt, 0, 0, 0), 0);
    CHECK_EQ(vmodel_scsi_rescan(m.r.s), 1);
    rig_step(&m.r);
    CHECK(rig_get_event(&m.r, &e, ev));
    CHECK_EQ(ev[5], 0);
    CHECK_EQ(ev[7], 0);
    CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_REMOVED);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->events, 2);
    mrig_fini(&m);
}

/** No event buffer posted: the next event carries EVENTS_MISSED */
static void t_mem_events_missed(void)
{
    struct mrig m;
    uint8_t ev[16];
    unsigned e;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    CHECK_EQ(mem_target_set_lun(m.mt, 0, 3, 64), 0);
    CHECK_EQ(vmodel_scsi_rescan(m.r.s), 1);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->events_missed, 1);
    CHECK_EQ(rig_post_event(&m.r, 2), 0);
    rig_step(&m.r);
    rig_step(&m.r);
    CHECK(rig_get_event(&m.r, &e, ev));
    CHECK_EQ(e, 2);
    CHECK_EQ(ev[0], VIRTIO_SCSI_T_NO_EVENT);
    CHECK_EQ(ev[3], 0x80);
    mrig_fini(&m);
}

/** PARAM_CHANGE with F_CHANGE; without HOTPLUG/CHANGE negotiated, no events at all */
static void t_mem_param_change(void)
{
    struct mrig m;
    uint8_t ev[16];
    unsigned e;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    CHECK_EQ(rig_post_event(&m.r, 0), 0);
    rig_step(&m.r);
    vmodel_scsi_param_change(m.r.s, 0, 0, 0x2a, 0x09); /* CAPACITY DATA HAS CHANGED */
    rig_step(&m.r);
    CHECK(rig_get_event(&m.r, &e, ev));
    CHECK_EQ(ev[0], VIRTIO_SCSI_T_PARAM_CHANGE);
    CHECK_EQ(ev[12], 0x2a);
    CHECK_EQ(ev[13], 0x09);
    mrig_fini(&m);

    CHECK_EQ(mrig_init(&m, 1, 1, SCSI_F(INOUT)), 0);
    CHECK_EQ(rig_post_event(&m.r, 0), 0);
    rig_step(&m.r);
    vmodel_scsi_param_change(m.r.s, 0, 0, 0x2a, 0x09);
    CHECK_EQ(mem_target_set_lun(m.mt, 0, 3, 64), 0);
    CHECK_EQ(vmodel_scsi_rescan(m.r.s), 1);
    rig_step(&m.r);
    CHECK(!rig_get_event(&m.r, &e, ev));
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->events, 0);
    mrig_fini(&m);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/** Asynchronous notification: the query answers what the LUN supports, the subscription
 *  what was asked of it and is recorded per LUN; ASYNC_NOTIFY carries only subscribed
 *  classes; hostile events (unchecked, short) as asked; a device reset ends subscriptions */
static void t_mem_async_notify(void)
{
    const uint32_t media = VIRTIO_SCSI_EVT_ASYNC_MEDIA_CHANGE;
    const uint32_t opch = VIRTIO_SCSI_EVT_ASYNC_OPERATIONAL_CHANGE;
    struct mrig m;
    struct vmodel_scsi_config sc;
    uint8_t ev[16], resp;
    uint32_t len, lun;
    uint16_t target;
    unsigned e;

    m.mt = mem_target_create(2, 2, BLOCKS);
    CHECK(m.mt != NULL);
    vmodel_scsi_default_config(&sc);
    sc.an_supported = media | opch;
    CHECK_EQ(rig_init(&m.r, mem_target_base(m.mt), &sc, ALL_SCSI, NULL), 0);
    CHECK_EQ(rig_an(&m.r, 0, VIRTIO_SCSI_T_AN_QUERY, 0, 1, media), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &resp, 3));
    CHECK_EQ(le32(rig_ctrl_resp(&m.r, 0)), media | opch);
    CHECK_EQ(rig_ctrl_resp(&m.r, 0)[4], VIRTIO_SCSI_S_OK);
    CHECK_EQ(vmodel_scsi_an_subscribed(m.r.s, 0, 1), 0); /* a query subscribes nothing */
    CHECK_EQ(rig_an(&m.r, 0, VIRTIO_SCSI_T_AN_SUBSCRIBE, 0, 1, media | 0x100), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &resp, 3));
    CHECK_EQ(le32(rig_ctrl_resp(&m.r, 0)), media);
    CHECK_EQ(rig_ctrl_resp(&m.r, 0)[4], VIRTIO_SCSI_S_OK);
    CHECK_EQ(vmodel_scsi_an_subscribed(m.r.s, 0, 1), media);
    CHECK_EQ(vmodel_scsi_an_subscription(m.r.s, 0, &target, &lun), media);
    CHECK_EQ(target, 0);
    CHECK_EQ(lun, 1);
    CHECK_EQ(vmodel_scsi_an_subscription(m.r.s, 1, &target, &lun), 0);
    CHECK_EQ(rig_an(&m.r, 0, VIRTIO_SCSI_T_AN_SUBSCRIBE, 9, 0, media), 0); /* no target 9 */
    CHECK(rig_wait_ctrl(&m.r, 0, &resp, 3));
    CHECK_EQ(le32(rig_ctrl_resp(&m.r, 0)), 0);
    CHECK_EQ(rig_ctrl_resp(&m.r, 0)[4], VIRTIO_SCSI_S_BAD_TARGET);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->an_subscribes, 1);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(rig_post_event(&m.r, i), 0);
    rig_step(&m.r);
    /* Nothing subscribed at 1:0, and 0:1 never asked for OPERATIONAL_CHANGE */
    CHECK_EQ(vmodel_scsi_async_notify(
                 m.r.s, &(struct vmodel_scsi_an_event){.target = 1, .lun = 0, .classes = media}),
             0);
    CHECK_EQ(vmodel_scsi_async_notify(
                 m.r.s, &(struct vmodel_scsi_an_event){.target = 0, .lun = 1, .classes = opch}),
             0);
    CHECK_EQ(
        vmodel_scsi_async_notify(
            m.r.s, &(struct vmodel_scsi_an_event){.target = 0, .lun = 1, .classes = media | opch}),
        1);
    rig_step(&m.r);
    CHECK(rig_get_event(&m.r, &e, ev));
    CHECK_EQ(le32(ev), VIRTIO_SCSI_T_ASYNC_NOTIFY);
    CHECK_EQ(ev[4], 1);
    CHECK_EQ(ev[5], 0);
    CHECK_EQ(ev[6], 0x40);
    CHECK_EQ(ev[7], 1);
    CHECK_EQ(le32(ev + 12), media); /* a subset of what was subscribed */
    /* Hostile: an unknown LUN, an unsubscribed class, a short event */
    CHECK_EQ(vmodel_scsi_async_notify(m.r.s, &(struct vmodel_scsi_an_event){.target = 200,
                                                                            .lun = 7,
                                                                            .classes = media,
                                                                            .unchecked = true}),
             1);
    CHECK_EQ(vmodel_scsi_async_notify(m.r.s, &(struct vmodel_scsi_an_event){.target = 0,
                                                                            .lun = 1,
                                                                            .classes = opch,
                                                                            .unchecked = true}),
             1);
    CHECK_EQ(vmodel_scsi_async_notify(m.r.s,
                                      &(struct vmodel_scsi_an_event){
                                          .target = 0, .lun = 1, .classes = media, .used_len = 8}),
             1);
    rig_step(&m.r);
    CHECK(rig_get_event_len(&m.r, &e, ev, &len));
    CHECK_EQ(ev[5], 200);
    CHECK_EQ(ev[7], 7);
    CHECK(rig_get_event_len(&m.r, &e, ev, &len));
    CHECK_EQ(le32(ev + 12), opch);
    CHECK(rig_get_event_len(&m.r, &e, ev, &len));
    CHECK_EQ(len, 8);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->an_events, 4);
    /* No buffer left: missed */
    CHECK_EQ(vmodel_scsi_async_notify(
                 m.r.s, &(struct vmodel_scsi_an_event){.target = 0, .lun = 1, .classes = media}),
             -1);
    /* Subscribing to nothing ends the subscription */
    CHECK_EQ(rig_an(&m.r, 0, VIRTIO_SCSI_T_AN_SUBSCRIBE, 0, 1, 0), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &resp, 3));
    CHECK_EQ(vmodel_scsi_an_subscribed(m.r.s, 0, 1), 0);
    /* Planted: the subscription of 1:0 lands at 1:1 */
    vmodel_scsi_plant(m.r.s, &(struct vmodel_scsi_planted){.an_next_lun = true});
    CHECK_EQ(rig_an(&m.r, 0, VIRTIO_SCSI_T_AN_SUBSCRIBE, 1, 0, media), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &resp, 3));
    CHECK_EQ(vmodel_scsi_an_subscribed(m.r.s, 1, 0), 0);
    CHECK_EQ(vmodel_scsi_an_subscribed(m.r.s, 1, 1), media);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->rule_errors, 0);
    rig_fini(&m.r);
    mem_target_base(m.mt)->ops->destroy(mem_target_base(m.mt));
}

/** Lost responses end with a LUN RESET: each command once with RESET, then the TMF */
static void t_mem_lost_then_lun_reset(void)
{
    struct mrig m;
    struct mem_target_faults f = {.lose_every = 1};
    struct rig_cmd c = {.target = 0, .lun = 0};
    struct rig_resp resp;
    uint8_t tmf;

    CHECK_EQ(mrig_init(&m, 1, 2, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    for (unsigned i = 0; i < 4; i++) {
        c.tag = 10 + i;
        c.lun = i == 3; /* three on LUN 0, one on LUN 1 */
        cdb_rw16(&c, false, i, 1);
        CHECK_EQ(rig_send(&m.r, 0, i, &c), 0);
    }
    CHECK(!rig_wait(&m.r, 0, 0, &resp, 10));
    CHECK_EQ(vmodel_scsi_inflight(m.r.s), 4);
    CHECK_EQ(rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_QUERY_TASK, 0, 0, 11), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &tmf, 3));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_SUCCEEDED);
    CHECK_EQ(rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 0, 0), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &tmf, 3));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    for (unsigned i = 0; i < 3; i++) {
        CHECK(rig_wait(&m.r, 0, i, &resp, 2));
        CHECK_EQ(resp.response, VIRTIO_SCSI_S_RESET);
    }
    CHECK(!rig_wait(&m.r, 0, 3, &resp, 3)); /* LUN 1's command is still lost */
    CHECK_EQ(rig_tmf(&m.r, 1, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0, 1, 13), 0);
    CHECK(rig_wait_ctrl(&m.r, 1, &tmf, 3));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    CHECK(rig_wait(&m.r, 0, 3, &resp, 2));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_ABORTED);
    CHECK_EQ(vmodel_scsi_inflight(m.r.s), 0);
    CHECK_EQ(vmodel_stats(m.r.b.m)->completions, 4 + 3); /* four commands, three TMFs */
    mrig_fini(&m);
}

/* The order a driver sees used entries in: a LUN RESET ends 6 lost commands on two request
 * queues whose seeded delays (20..200) are far longer than the control queue's (none). */
#define ORDER_CMDS 6

struct order {
    int tmf_at;             /* the look at which the TMF's entry was seen, -1 never */
    int cmd_at[ORDER_CMDS]; /* the same for each command */
    uint8_t tmf, resp[ORDER_CMDS];
};

static uint32_t order_seed;

static void order_mc(struct vmodel_config *mc)
{
    mc->seed = order_seed;
}

/** Take what the device used since the last look (look number LOOK) on every queue */
static void order_look(struct mrig *m, struct order *o, int look)
{
    uint8_t *ctrl = (uint8_t *)bed_buf_va(&m->r.b, RIG_CTRL_BUF);
    uint32_t len;
    uint8_t *cookie;

    while ((cookie = virtqueue_get(&m->r.b.vq[VMODEL_SCSI_CONTROLQ], &len)) != NULL)
        if (cookie == ctrl) {
            o->tmf_at = look;
            o->tmf = ctrl[256];
        }
    for (unsigned q = 0; q < 2; q++)
        while ((cookie = virtqueue_get(&m->r.b.vq[VMODEL_SCSI_REQUESTQ + q], &len)) != NULL)
            for (unsigned i = 0; i < ORDER_CMDS; i++)
                if (cookie == bed_buf_va(&m->r.b, 2 * i)) {
                    o->cmd_at[i] = look;
                    o->resp[i] = cookie[2048 + 11];
                }
}

/** The LUN RESET run at model seed SEED (ANSWER_FIRST: the other order); false on a set-up
 *  failure */
static bool order_run(uint32_t seed, bool answer_first, struct order *o, uint64_t *stat)
{
    struct mrig m;
    struct vmodel_scsi_config sc;
    struct rig_cmd c = {.target = 0, .lun = 0};
    uint64_t now = 0;
    int look = 0;

    memset(o, 0xff, sizeof(*o));
    m.mt = mem_target_create(1, 1, BLOCKS);
    if (m.mt == NULL)
        return false;
    vmodel_scsi_default_config(&sc);
    sc.num_queues = 2;
    order_seed = seed;
    if (rig_init(&m.r, mem_target_base(m.mt), &sc, ALL_SCSI, order_mc) != 0) {
        mrig_fini(&m);
        return false;
    }
    vmodel_scsi_set_tmf_answer_first(m.r.s, answer_first, answer_first ? 50 : 0);
    vmodel_queue_delay(m.r.b.m, VMODEL_SCSI_REQUESTQ, 20, 200);
    vmodel_queue_delay(m.r.b.m, VMODEL_SCSI_REQUESTQ + 1, 20, 200);
    mem_target_set_faults(m.mt, &(struct mem_target_faults){.lose_every = 1});
    for (unsigned i = 0; i < ORDER_CMDS; i++) {
        c.tag = 40 + i;
        cdb_rw16(&c, false, i, 1);
        if (rig_send(&m.r, i % 2, i, &c) != 0) {
            mrig_fini(&m);
            return false;
        }
    }
    rig_step(&m.r);
    rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 0, 0);
    for (unsigned i = 0; i < 300; i++) { /* a look after every used-index update */
        vmodel_set_time(m.r.b.m, ++now);
        vmodel_run(m.r.b.m);
        order_look(&m, o, look++);
        vmodel_scsi_poll(m.r.s, 0);
        vmodel_run(m.r.b.m);
        order_look(&m, o, look++);
    }
    *stat = answer_first ? vmodel_scsi_stats(m.r.s)->tmf_answer_first
                         : vmodel_scsi_stats(m.r.s)->tmf_after_ended;
    mrig_fini(&m);
    return true;
}

/** The rule: every ended command's entry was seen at an earlier look than the TMF's */
static bool tmf_used_last(const struct order *o)
{
    if (o->tmf_at < 0)
        return false;
    for (unsigned i = 0; i < ORDER_CMDS; i++)
        if (o->cmd_at[i] < 0 || o->cmd_at[i] >= o->tmf_at)
            return false;
    return true;
}

/** A TMF is answered on the control queue only after the used entries of the commands it
 *  ended are on their request queues, whatever the seeded delays (SAM-5: FUNCTION
 *  COMPLETE after the affected tasks are ended; QEMU pushes them first) */
static void t_mem_tmf_after_ended(void)
{
    struct order o;
    uint64_t held;

    for (uint32_t seed = 1; seed <= 8; seed++) {
        CHECK(order_run(seed, false, &o, &held));
        CHECK(tmf_used_last(&o));
        CHECK_EQ(o.tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
        for (unsigned i = 0; i < ORDER_CMDS; i++)
            CHECK_EQ(o.resp[i], VIRTIO_SCSI_S_RESET);
        CHECK_EQ(held, 1);
    }
}

/** The other order, legal for virtio (no queue is ordered against another), asked for
 *  with vmodel_scsi_set_tmf_answer_first: the TMF's entry comes before every ended
 *  command's, those kept 50 ticks after it, and the order check above (planted case)
 *  says so */
static void t_mem_tmf_answer_first(void)
{
    struct order o;
    uint64_t after;

    for (uint32_t seed = 1; seed <= 8; seed++) {
        CHECK(order_run(seed, true, &o, &after));
        CHECK(!tmf_used_last(&o));
        CHECK(o.tmf_at >= 0);
        for (unsigned i = 0; i < ORDER_CMDS; i++) {
            CHECK(o.cmd_at[i] >= o.tmf_at + 2 * 45); /* kept 50 after it (2 looks a tick) */
            CHECK_EQ(o.resp[i], VIRTIO_SCSI_S_RESET);
        }
        CHECK_EQ(after, ORDER_CMDS);
    }
}

/** A TMF that never completes stays the device's; a device reset takes the buffers back
 *  and the target's late answers are dropped as stale, never written */
static void t_mem_tmf_never_then_reset(void)
{
    struct mrig m;
    struct mem_target_faults f = {.lose_every = 1, .tmf_never = true};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 5};
    struct rig_resp resp;
    uint8_t tmf;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    cdb_inquiry(&c, 36);
    CHECK_EQ(rig_send(&m.r, 0, 0, &c), 0);
    CHECK_EQ(rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0, 0, 5), 0);
    CHECK(!rig_wait_ctrl(&m.r, 0, &tmf, 20));
    CHECK_EQ(vmodel_pending(m.r.b.m, VMODEL_SCSI_CONTROLQ), 1);
    uint64_t used = vmodel_stats(m.r.b.m)->completions;
    virtio_device_reset(&m.r.b.dev);
    CHECK_EQ(vmodel_pending(m.r.b.m, VMODEL_SCSI_CONTROLQ), 0);
    f.tmf_never = false; /* the target wakes up after the reset */
    mem_target_set_faults(m.mt, &f);
    vmodel_scsi_poll(m.r.s, 0);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->stale, 2);        /* the abort, then the command it ended */
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->reset_aborts, 1); /* the device's own, for LUN 0 */
    CHECK_EQ(vmodel_scsi_inflight(m.r.s), 0);
    CHECK_EQ(vmodel_stats(m.r.b.m)->completions, used);
    (void)resp;
    mrig_fini(&m);
}

/** A BUSY storm: status BUSY for the first N, then the command goes through */
/** The owned map of queue Q (vmodel_split_owned_map) against a look at each descriptor
 *  (vmodel_split_desc_owned); how many it holds in *N */
static bool owned_map_agrees(struct mrig *m, uint16_t q, unsigned *n)
{
    static uint8_t map[32768 / 8];
    struct virtqueue *vq = &m->r.b.vq[q];
    uint16_t idx = vq->u.split.avail_published;
    bool any = vmodel_split_owned_map(m->r.b.m, q, idx, map, sizeof(map));

    *n = 0;
    for (uint16_t d = 0; d < vq->num; d++) {
        bool bit = (map[d / 8] >> (d % 8)) & 1;
        if (bit != vmodel_split_desc_owned(m->r.b.m, q, d, idx))
            return false;
        *n += bit;
    }
    return any == (*n > 0);
}

/** The device's descriptors in one walk agree with a look at each: commands taken whose
 *  answers were lost, commands available and not taken yet, event buffers posted */
static void t_mem_owned_map(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 0, .lun = 0};
    struct rig_resp resp;
    unsigned n;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    CHECK(owned_map_agrees(&m, VMODEL_SCSI_REQUESTQ, &n));
    CHECK_EQ(n, 0);
    mem_target_set_faults(m.mt, &(struct mem_target_faults){.lose_every = 2});
    for (unsigned i = 0; i < 4; i++) {
        c.tag = 70 + i;
        cdb_rw16(&c, false, i, 1);
        CHECK_EQ(rig_send(&m.r, 0, i, &c), 0);
    }
    CHECK(rig_wait(&m.r, 0, 0, &resp, 4));
    CHECK(owned_map_agrees(&m, VMODEL_SCSI_REQUESTQ, &n));
    unsigned lost = n;
    CHECK(lost > 0);
    for (unsigned i = 4; i < 6; i++) { /* available, not taken: no step */
        c.tag = 70 + i;
        cdb_rw16(&c, false, i, 1);
        CHECK_EQ(rig_send(&m.r, 0, i, &c), 0);
    }
    CHECK(owned_map_agrees(&m, VMODEL_SCSI_REQUESTQ, &n));
    CHECK(n > lost);
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(rig_post_event(&m.r, i), 0);
    rig_step(&m.r);
    CHECK(owned_map_agrees(&m, VMODEL_SCSI_EVENTQ, &n));
    CHECK(n >= 4);
    mem_target_release_lost(m.mt);
    mrig_fini(&m);
}

/** A SCSI-2 target (no_report_luns): REPORT LUNS is an unknown opcode, INQUIRY still
 *  answers a disk at LUN 0 and qualifier 3 where no LUN is; the fault off, the list again */
static void t_mem_no_report_luns(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 2, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &(struct mem_target_faults){.no_report_luns = true});
    cdb_report_luns(&c, 256);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.status, SAM_STAT_CHECK_CONDITION);
    CHECK_EQ(resp.sense[2] & 0x0f, SENSE_KEY_ILLEGAL_REQUEST);
    CHECK_EQ(resp.sense[12], SCSI_ASC_INVALID_OPCODE);
    cdb_inquiry(&c, 36);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.data[0], 0x00);
    c.lun = 5;
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.data[0], 0x7f);
    mem_target_set_faults(m.mt, &(struct mem_target_faults){0});
    c.lun = 0;
    cdb_report_luns(&c, 256);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be32(resp.data), 16);
    mrig_fini(&m);
}

static void t_mem_busy_storm(void)
{
    struct mrig m;
    struct mem_target_faults f = {.busy = 5};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;
    unsigned busy = 0;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    cdb_inquiry(&c, 36);
    for (unsigned i = 0; i < 6; i++) {
        CHECK(run(&m, 0, &c, &resp));
        CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
        busy += resp.status == SAM_STAT_BUSY;
    }
    CHECK_EQ(busy, 5);
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    mrig_fini(&m);
}

/** 200 bytes of sense against sense_size 96: the model writes 96 and says so; hostile, it
 *  claims 200 and still writes no more than 96 */
static void t_mem_long_sense(void)
{
    struct mrig m;
    struct mem_target_faults f = {.long_sense = true};
    struct vmodel_scsi_hostile h = {.sense_len = true};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    memset(c.cdb, 0, 16);
    c.cdb[0] = 0xc7; /* vendor specific: ILLEGAL REQUEST, INVALID COMMAND OPERATION CODE */
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_CHECK_CONDITION);
    CHECK_EQ(resp.sense_len, 96);
    CHECK_EQ(resp.sense[12], SCSI_ASC_INVALID_OPCODE);
    vmodel_scsi_set_hostile(m.r.s, &h);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.sense_len, 200);
    CHECK_EQ(resp.sense[95], 0xee);
    CHECK_EQ(resp.sense[96], 0x5a); /* nothing written past the posted sense buffer */
    mrig_fini(&m);
}

/** A residual larger than the transfer: clamped, or passed through when hostile */
static void t_mem_big_residual(void)
{
    struct mrig m;
    struct mem_target_faults f = {.big_residual = true};
    struct vmodel_scsi_hostile h = {.residual = true};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    cdb_rw16(&c, true, 0, 2);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.resid, 1024); /* clamped to the transfer */
    cdb_inquiry(&c, 64);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.resid, 64 - 36);
    vmodel_scsi_set_hostile(m.r.s, &h);
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(resp.resid, 64 + 4096);
    mrig_fini(&m);
}

/** A hung target answers nothing, commands or TMFs, until it wakes */
static void t_mem_hung_target(void)
{
    struct mrig m;
    struct mem_target_faults f = {.hung = true};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;
    uint8_t tmf;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    mem_target_set_faults(m.mt, &f);
    cdb_inquiry(&c, 36);
    CHECK_EQ(rig_send(&m.r, 0, 0, &c), 0);
    /* The command reaches the target before the TMF does (a TMF acts on
     * the tasks there when it arrives, SAM-5 7.1) */
    CHECK(!rig_wait(&m.r, 0, 0, &resp, 20));
    CHECK_EQ(rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET, 0, 0, 0), 0);
    CHECK(!rig_wait_ctrl(&m.r, 0, &tmf, 5));
    CHECK_EQ(vmodel_pending(m.r.b.m, VMODEL_SCSI_REQUESTQ), 1);
    f.hung = false;
    mem_target_set_faults(m.mt, &f);
    CHECK(rig_wait_ctrl(&m.r, 0, &tmf, 3));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    CHECK(rig_wait(&m.r, 0, 0, &resp, 3));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_RESET);
    mrig_fini(&m);
}

/** Several request queues, many commands in flight, each completed once */
static void t_mem_queues_in_flight(void)
{
    struct mrig m;
    struct vmodel_scsi_config sc;
    struct rig_cmd c = {.target = 0, .lun = 0};
    struct rig_resp resp;

    m.mt = mem_target_create(1, 1, BLOCKS);
    CHECK(m.mt != NULL);
    vmodel_scsi_default_config(&sc);
    sc.num_queues = 4;
    CHECK_EQ(rig_init(&m.r, mem_target_base(m.mt), &sc, ALL_SCSI, NULL), 0);
    for (unsigned i = 0; i < 16; i++) {
        c.tag = i;
        cdb_rw16(&c, false, i, 1);
        CHECK_EQ(rig_send(&m.r, i % 4, i, &c), 0);
    }
    for (unsigned i = 0; i < 16; i++) {
        CHECK(rig_wait(&m.r, i % 4, i, &resp, 3));
        CHECK_EQ(resp.status, SAM_STAT_GOOD);
    }
    CHECK_EQ(vmodel_stats(m.r.b.m)->completions, 16);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->cmds, 16);
    mrig_fini(&m);
}

/* vmodel_scsi_answer_next: the next commands answered by the device (BUSY, at the next poll,
 * never at the target), then an underrun: resid of a READ and of a WRITE */
static void t_mem_answer_next(void)
{
    struct mrig m;
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 1};
    struct rig_resp resp;

    CHECK_EQ(mrig_init(&m, 1, 1, ALL_SCSI), 0);
    cdb_rw16(&c, false, 8, 8);
    c.in_len = 4096;
    vmodel_scsi_answer_next(m.r.s, 2, VIRTIO_SCSI_S_BUSY, 0);
    for (unsigned i = 0; i < 2; i++) {
        CHECK(run(&m, i, &c, &resp));
        CHECK_EQ(resp.response, VIRTIO_SCSI_S_BUSY);
        CHECK_EQ(resp.used, 12 + 96);
    }
    CHECK(run(&m, 2, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.resid, 0);
    CHECK_EQ(resp.used, 12 + 96 + 4096);
    vmodel_scsi_answer_next(m.r.s, 1, VIRTIO_SCSI_S_OK, 1024);
    CHECK(run(&m, 3, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.resid, 1024);
    CHECK_EQ(resp.used, 12 + 96 + 3072);
    cdb_rw16(&c, true, 8, 8);
    c.in_len = 0;
    c.out_len = 4096;
    vmodel_scsi_answer_next(m.r.s, 1, VIRTIO_SCSI_S_OK, 512);
    CHECK(run(&m, 4, &c, &resp));
    CHECK_EQ(resp.resid, 512);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->injected, 4);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->responses[VIRTIO_SCSI_S_BUSY], 2);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->rule_errors, 0);
    mrig_fini(&m);
}

/* The counts scenarios assert on: commands at one LUN at once (max_lun_cmds), those a LUN
 * RESET found at the target (tmf_raced), READ CAPACITY taken */
static void t_mem_lun_counts(void)
{
    struct mrig m;
    struct mem_target_faults f = {.lose_every = 1};
    struct rig_cmd c = {.target = 0, .lun = 0};
    struct rig_resp resp;
    uint8_t tmf;

    CHECK_EQ(mrig_init(&m, 1, 2, ALL_SCSI), 0);
    cdb_read_capacity16(&c);
    c.in_len = 32;
    CHECK(run(&m, 0, &c, &resp));
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->read_capacity, 1);
    mem_target_set_faults(m.mt, &f);
    for (unsigned i = 0; i < 6; i++) {
        c.tag = 10 + i;
        c.lun = i >= 4; /* four on LUN 0, two on LUN 1 */
        cdb_rw16(&c, false, i, 1);
        c.in_len = 512;
        CHECK_EQ(rig_send(&m.r, 0, i, &c), 0);
    }
    CHECK(!rig_wait(&m.r, 0, 0, &resp, 4));
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->max_lun_cmds, 4);
    CHECK_EQ(rig_tmf(&m.r, 0, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 1, 0), 0);
    CHECK(rig_wait_ctrl(&m.r, 0, &tmf, 3));
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->tmf_raced, 2);
    CHECK_EQ(rig_tmf(&m.r, 1, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 0, 0), 0);
    CHECK(rig_wait_ctrl(&m.r, 1, &tmf, 3));
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->tmf_raced, 4);
    CHECK_EQ(vmodel_scsi_stats(m.r.s)->rule_errors, 0);
    mrig_fini(&m);
}

const struct vtest scsi_mem_tests[] = {
    {"mem_inquiry", t_mem_inquiry},
    {"mem_bad_target", t_mem_bad_target},
    {"mem_report_luns_capacity", t_mem_report_luns_capacity},
    {"mem_write_read_unmap", t_mem_write_read_unmap},
    {"mem_hotplug_events", t_mem_hotplug_events},
    {"mem_events_missed", t_mem_events_missed},
    {"mem_param_change", t_mem_param_change},
    {"mem_async_notify", t_mem_async_notify},
    {"mem_lost_then_lun_reset", t_mem_lost_then_lun_reset},
    {"mem_tmf_after_ended", t_mem_tmf_after_ended},
    {"mem_tmf_answer_first", t_mem_tmf_answer_first},
    {"mem_tmf_never_then_reset", t_mem_tmf_never_then_reset},
    {"mem_no_report_luns", t_mem_no_report_luns},
    {"mem_owned_map", t_mem_owned_map},
    {"mem_busy_storm", t_mem_busy_storm},
    {"mem_long_sense", t_mem_long_sense},
    {"mem_big_residual", t_mem_big_residual},
    {"mem_hung_target", t_mem_hung_target},
    {"mem_queues_in_flight", t_mem_queues_in_flight},
    {"mem_answer_next", t_mem_answer_next},
    {"mem_lun_counts", t_mem_lun_counts},
    {NULL, NULL},
};
