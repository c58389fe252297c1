/*
 * test_rules.c - planted bad drivers: one request that breaks each ring
 * rule the virtio-scsi model checks; each must be named in last_rule and
 * never reach the target.  Hostile configuration values (cdb_size,
 * sense_size) leave the model safe.
 */
#include <string.h>

#include "mem_target.h"
#include "scsi_test.h"

struct seg {
    uint32_t off; /* into buffer 0..3 of the bed (16 KiB) */
    uint32_t len;
    bool write;
};

/** Put a request made of SEGS on queue Q; returns the used length or -1 */
static int64_t send_raw(struct rig *r, unsigned q, const struct seg *segs, unsigned n)
{
    struct virtqueue *vq = &r->b.vq[q];
    struct virtqueue_req rq;
    uint32_t len;
    void *cookie = bed_buf_va(&r->b, 0);

    if (virtqueue_req_open(vq, &rq, n, NULL) != 0)
        return -1;
    for (unsigned i = 0; i < n; i++)
        virtqueue_req_seg(&rq, bed_buf_pa(&r->b, 0) + segs[i].off, segs[i].len,
                          segs[i].write ? VIRTQUEUE_SEG_WRITE : 0);
    if (virtqueue_req_close(&rq, cookie) != 0)
        return -1;
    virtqueue_kick(vq);
    for (unsigned i = 0; i < 3; i++) {
        rig_step(r);
        if (virtqueue_get(vq, &len) == cookie)
            return len;
    }
    return -1;
}

struct brig {
    struct rig r;
    struct mem_target *mt;
};

static void four_queues(struct vmodel_config *mc)
{
    mc->num_queues = 4; /* the transport has one request queue more than num_queues says */
}

static int brig_init(struct brig *b, void (*edit)(struct vmodel_scsi_config *sc), uint64_t want,
                     void (*mc_edit)(struct vmodel_config *mc))
{
    struct vmodel_scsi_config sc;

    b->mt = mem_target_create(1, 1, 64);
    vmodel_scsi_default_config(&sc);
    if (edit != NULL)
        edit(&sc);
    if (b->mt == NULL)
        return -1;
    return rig_init(&b->r, mem_target_base(b->mt), &sc, want, mc_edit);
}

static void brig_fini(struct brig *b)
{
    rig_fini(&b->r);
    mem_target_base(b->mt)->ops->destroy(mem_target_base(b->mt));
}

/** A good INQUIRY header at buffer offset 0 (LUN 0 of target 0) */
static void good_header(struct brig *b)
{
    uint8_t *h = bed_buf_va(&b->r.b, 0);

    memset(h, 0, 4 * 4096);
    h[0] = 1;
    h[2] = 0x40;
    h[19] = SCSI_OP_INQUIRY;
    h[19 + 4] = 36;
}

/** Expect RULE named, nothing sent to the target */
static bool named(struct brig *b, const char *rule)
{
    const struct vmodel_scsi_stats *st = vmodel_scsi_stats(b->r.s);

    if (st->rule_errors != 1 || strncmp(st->last_rule, rule, strlen(rule)) != 0) {
        fprintf(stderr, "  rules %llu, last: %s\n", (unsigned long long)st->rule_errors,
                st->last_rule);
        return false;
    }
    return true;
}

static void t_good_driver_breaks_no_rule(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 108, true}, {8192, 36, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 3), 108 + 36);
    CHECK_EQ(vmodel_scsi_stats(b.r.s)->rule_errors, 0);
    CHECK(memcmp((uint8_t *)bed_buf_va(&b.r.b, 2) + 8, "VWMEM", 5) == 0);
    brig_fini(&b);
}

static void t_bad_readable_after_writable(void)
{
    struct brig b;
    const struct seg s[] = {{4096, 108, true}, {0, 51, false}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 2), -1); /* the ring layer refuses the chain */
    CHECK(vmodel_stats(b.r.b.m)->errors >= 1);
    CHECK(strstr(vmodel_stats(b.r.b.m)->last_error, "readable descriptor after a writable") !=
          NULL);
    CHECK_EQ(vmodel_scsi_stats(b.r.s)->cmds, 0);
    brig_fini(&b);
}

static void t_bad_short_header(void)
{
    struct brig b;
    const struct seg s[] = {{0, 40, false}, {4096, 108, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 108);
    CHECK(named(&b, "short-request-header"));
    CHECK_EQ(((uint8_t *)bed_buf_va(&b.r.b, 1))[11], VIRTIO_SCSI_S_FAILURE);
    brig_fini(&b);
}

static void t_bad_short_response(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 100, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 0);
    CHECK(named(&b, "short-response"));
    brig_fini(&b);
}

/** The header follows the driver's own cdb_size when it wrote a smaller one */
static void t_driver_cdb_size(void)
{
    struct brig b;
    const struct seg s[] = {{0, 19 + 16, false}, {4096, 12 + 32, true}, {8192, 36, true}};
    uint8_t v[4] = {16, 0, 0, 0}, w[4] = {32, 0, 0, 0};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    virtio_config_write(&b.r.b.dev, 24, v, 4);
    virtio_config_write(&b.r.b.dev, 20, w, 4);
    CHECK_EQ(send_raw(&b.r, 2, s, 3), 44 + 36);
    CHECK_EQ(vmodel_scsi_stats(b.r.s)->rule_errors, 0);
    brig_fini(&b);
}

static void t_bad_lun_format(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 108, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    ((uint8_t *)bed_buf_va(&b.r.b, 0))[0] = 0; /* lun[0] must be 1 */
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 108);
    CHECK(named(&b, "lun-format"));
    CHECK_EQ(((uint8_t *)bed_buf_va(&b.r.b, 1))[11], VIRTIO_SCSI_S_BAD_TARGET);
    brig_fini(&b);

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    ((uint8_t *)bed_buf_va(&b.r.b, 0))[2] = 0x80; /* neither peripheral nor flat */
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 108);
    CHECK(named(&b, "lun-format"));
    brig_fini(&b);
}

static void max_target_3(struct vmodel_scsi_config *sc)
{
    sc->max_target = 3;
    sc->max_lun = 7;
}

static void t_bad_lun_out_of_range(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 108, true}};

    CHECK_EQ(brig_init(&b, max_target_3, ALL_SCSI, NULL), 0);
    good_header(&b);
    ((uint8_t *)bed_buf_va(&b.r.b, 0))[3] = 8;
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 108);
    CHECK(named(&b, "lun-out-of-range"));
    brig_fini(&b);
}

static void t_bad_inout_without_feature(void)
{
    struct brig b;
    const struct seg s[] = {
        {0, 51, false}, {12288, 512, false}, {4096, 108, true}, {8192, 512, true}};

    CHECK_EQ(brig_init(&b, NULL, SCSI_F(HOTPLUG), NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 4), 108);
    CHECK(named(&b, "inout-without-feature"));
    brig_fini(&b);
}

static void seg_max_2(struct vmodel_scsi_config *sc)
{
    sc->seg_max = 2;
}

static void t_bad_too_many_segments(void)
{
    struct brig b;
    const struct seg s[] = {
        {0, 51, false}, {4096, 108, true}, {8192, 8, true}, {8200, 8, true}, {8208, 20, true}};

    CHECK_EQ(brig_init(&b, seg_max_2, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 5), 108);
    CHECK(named(&b, "too-many-segments"));
    brig_fini(&b);
}

static void t_bad_tag_in_use(void)
{
    struct brig b;
    struct mem_target_faults f = {.hung = true};
    struct rig_cmd c = {.target = 0, .lun = 0, .tag = 42};
    struct rig_resp resp;

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    mem_target_set_faults(b.mt, &f);
    cdb_inquiry(&c, 36);
    CHECK_EQ(rig_send(&b.r, 0, 4, &c), 0);
    CHECK_EQ(rig_send(&b.r, 0, 5, &c), 0);
    CHECK(rig_wait(&b.r, 0, 5, &resp, 3));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_FAILURE);
    CHECK(named(&b, "tag-in-use"));
    brig_fini(&b);
}

static void t_bad_ctrl(void)
{
    struct brig b;
    const struct seg s[] = {{0, 16, false}, {4096, 1, true}};
    uint8_t *h;

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    h = bed_buf_va(&b.r.b, 0);
    memset(h, 0, 24); /* TMF, ABORT TASK, but 16 readable bytes of 24 */
    CHECK_EQ(send_raw(&b.r, 0, s, 2), 1);
    CHECK(named(&b, "ctrl-short"));
    CHECK_EQ(((uint8_t *)bed_buf_va(&b.r.b, 1))[0], VIRTIO_SCSI_S_FAILURE);
    brig_fini(&b);

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    good_header(&b);
    h = bed_buf_va(&b.r.b, 0);
    memset(h, 0, 24);
    h[0] = 7;
    CHECK_EQ(send_raw(&b.r, 0, s, 2), 1);
    CHECK(named(&b, "ctrl-unknown-type"));
    brig_fini(&b);
}

static void t_an_query(void)
{
    struct brig b;
    const struct seg s[] = {{0, 16, false}, {4096, 5, true}};
    uint8_t *h, *resp;

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    h = bed_buf_va(&b.r.b, 0);
    memset(h, 0, 4 * 4096);
    h[0] = VIRTIO_SCSI_T_AN_QUERY;
    h[4] = 1;
    h[6] = 0x40;
    h[12] = 0xff; /* every class asked */
    CHECK_EQ(send_raw(&b.r, 0, s, 2), 5);
    resp = bed_buf_va(&b.r.b, 1);
    CHECK_EQ(resp[0], 0); /* the model supports none */
    CHECK_EQ(resp[4], VIRTIO_SCSI_S_OK);
    CHECK_EQ(vmodel_scsi_stats(b.r.s)->rule_errors, 0);
    brig_fini(&b);
}

static void t_bad_event_buffers(void)
{
    struct brig b;
    const struct seg rd[] = {{0, 4, false}, {4096, 16, true}};
    const struct seg shrt[] = {{4096, 8, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    CHECK_EQ(send_raw(&b.r, 1, rd, 2), 0);
    CHECK(named(&b, "event-buffer-readable"));
    brig_fini(&b);
    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, NULL), 0);
    CHECK_EQ(send_raw(&b.r, 1, shrt, 1), 0);
    CHECK(named(&b, "event-buffer-short"));
    brig_fini(&b);
}

static void t_bad_wrong_queue(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 108, true}};

    CHECK_EQ(brig_init(&b, NULL, ALL_SCSI, four_queues), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 3, s, 2), 0);
    CHECK(named(&b, "request-on-wrong-queue"));
    brig_fini(&b);
}

static void hostile_sizes(struct vmodel_scsi_config *sc)
{
    sc->cdb_size = 0xffffffffu;
    sc->sense_size = 0xfffffff0u;
    sc->num_queues = 0xffffffffu;
    sc->seg_max = 0;
    sc->event_info_size = 0xffffffffu;
}

/** Hostile config values: the model stays inside the buffers and names what fails */
static void t_hostile_config(void)
{
    struct brig b;
    const struct seg s[] = {{0, 51, false}, {4096, 108, true}};

    CHECK_EQ(brig_init(&b, hostile_sizes, ALL_SCSI, four_queues), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 2), 0);
    CHECK(named(&b, "short-response"));
    brig_fini(&b);
}

static void cdb_300(struct vmodel_scsi_config *sc)
{
    sc->cdb_size = 300;
}

/** A cdb_size beyond any CDB (300): the header is that long, the CDB the first 260 bytes */
static void t_long_cdb_size(void)
{
    struct brig b;
    const struct seg s[] = {{0, 319, false}, {4096, 108, true}, {8192, 36, true}};

    CHECK_EQ(brig_init(&b, cdb_300, ALL_SCSI, NULL), 0);
    good_header(&b);
    CHECK_EQ(send_raw(&b.r, 2, s, 3), 108 + 36);
    CHECK_EQ(vmodel_scsi_stats(b.r.s)->rule_errors, 0);
    CHECK(memcmp((uint8_t *)bed_buf_va(&b.r.b, 2) + 8, "VWMEM", 5) == 0);
    brig_fini(&b);
}

const struct vtest scsi_rule_tests[] = {
    {"rule_long_cdb_size", t_long_cdb_size},
    {"rule_good_driver_breaks_no_rule", t_good_driver_breaks_no_rule},
    {"rule_readable_after_writable", t_bad_readable_after_writable},
    {"rule_short_request_header", t_bad_short_header},
    {"rule_short_response", t_bad_short_response},
    {"rule_driver_cdb_size", t_driver_cdb_size},
    {"rule_lun_format", t_bad_lun_format},
    {"rule_lun_out_of_range", t_bad_lun_out_of_range},
    {"rule_inout_without_feature", t_bad_inout_without_feature},
    {"rule_too_many_segments", t_bad_too_many_segments},
    {"rule_tag_in_use", t_bad_tag_in_use},
    {"rule_ctrl", t_bad_ctrl},
    {"rule_an_query", t_an_query},
    {"rule_event_buffers", t_bad_event_buffers},
    {"rule_wrong_queue", t_bad_wrong_queue},
    {"rule_hostile_config", t_hostile_config},
    {NULL, NULL},
};
