/*
 * test_tgt.c - the virtio-scsi model over tgt (through libiscsi): SCSI
 * answers from a target we did not write, data checked in the backing
 * files outside tgt, hot plug with tgtadm raising virtio-scsi events, task
 * management, and the fixture itself (a missing tgtd fails; two instances
 * run at once).  A tgtd that cannot start fails every test here.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_target.h"
#include "scsi_test.h"
#include "tgt_fixture.h"

#define LUN_BYTES (8u << 20)
#define IQN0      "iqn.2026-12.org.virtio-win.test:t0"
#define IQN1      "iqn.2026-12.org.virtio-win.test:t1"
#define IQN2      "iqn.2026-12.org.virtio-win.test:t2" /* made at run time */

static struct tgt_fixture fx;
static bool fx_up, fx_failed;

static const char *work_dir(void)
{
    const char *d = getenv("SCSI_TGT_DIR");

    return d != NULL && *d != '\0' ? d : "build/scsimodel";
}

static void fx_stop(void)
{
    tgt_stop(&fx);
}

/** One tgtd for the tests: target 1 (IQN0) with LUNs 1 and 2, target 2 (IQN1) with LUN 1 */
static bool fx_get(void)
{
    char dir[256];

    if (fx_up || fx_failed)
        return fx_up;
    snprintf(dir, sizeof(dir), "%s/tgt-%d", work_dir(), (int)getpid());
    if (mkdir(work_dir(), 0755) != 0 && access(work_dir(), W_OK) != 0) {
        fprintf(stderr, "  %s: not writable\n", work_dir());
        fx_failed = true;
        return false;
    }
    if (tgt_start(&fx, dir) != 0 || tgt_add_target(&fx, 1, IQN0) != 0 ||
        tgt_add_lun(&fx, 1, 1, "t0l1.img", LUN_BYTES, 1) != 0 ||
        tgt_add_lun(&fx, 1, 2, "t0l2.img", LUN_BYTES, 1) != 0 ||
        tgt_add_target(&fx, 2, IQN1) != 0 ||
        tgt_add_lun(&fx, 2, 1, "t1l1.img", LUN_BYTES, 0) != 0) {
        fprintf(stderr, "  tgt fixture: %s\n", fx.err);
        tgt_stop(&fx);
        fx_failed = true;
        return false;
    }
    atexit(fx_stop);
    fx_up = true;
    return true;
}

struct trig {
    struct rig r;
    struct iscsi_target *it;
};

static bool trig_init(struct trig *t)
{
    const char *iqns[] = {IQN0, IQN1};
    struct vmodel_scsi_config sc;
    char err[256];

    if (!fx_get())
        return false;
    t->it = iscsi_target_open(fx.portal, iqns, 2, err, sizeof(err));
    if (t->it == NULL) {
        fprintf(stderr, "  %s\n", err);
        return false;
    }
    vmodel_scsi_default_config(&sc);
    sc.max_target = 2; /* target 2: added at run time */
    sc.max_lun = 255;
    if (rig_init(&t->r, iscsi_target_base(t->it), &sc, ALL_SCSI, NULL) != 0)
        return false;
    t->r.poll_ms = 100;
    return true;
}

static void trig_fini(struct trig *t)
{
    rig_fini(&t->r);
    iscsi_target_base(t->it)->ops->destroy(iscsi_target_base(t->it));
}

/** Send and wait (up to ~5 s); a unit attention (a new nexus, changed LUNs) is retried */
static bool run(struct trig *t, unsigned slot, const struct rig_cmd *c, struct rig_resp *resp)
{
    for (int i = 0; i < 4; i++) {
        if (rig_send(&t->r, 0, slot, c) != 0 || !rig_wait(&t->r, 0, slot, resp, 50))
            return false;
        if (resp->response != VIRTIO_SCSI_S_OK || resp->status != SAM_STAT_CHECK_CONDITION ||
            (resp->sense[2] & 0xf) != SENSE_KEY_UNIT_ATTENTION)
            return true;
    }
    return true;
}

static bool read_file(const char *name, uint64_t off, void *buf, size_t len)
{
    char path[300];
    int fd;
    bool ok;

    tgt_path(&fx, name, path, sizeof(path));
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ok = pread(fd, buf, len, (off_t)off) == (ssize_t)len;
    close(fd);
    return ok;
}

static void t_tgt_inquiry_report_luns(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 0, .lun = 1, .tag = 1};
    struct rig_resp resp;

    CHECK(trig_init(&t));
    cdb_inquiry(&c, 96);
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.data[0] & 0x1f, 0x00);         /* direct-access block device */
    CHECK(memcmp(resp.data + 8, "IET", 3) == 0); /* tgt's vendor: tgt answered */
    CHECK_EQ(resp.resid, 96 - (resp.data[4] + 5));
    cdb_report_luns(&c, 256);
    c.lun = 0;
    CHECK(run(&t, 1, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be32(resp.data), 24); /* LUN 0 (tgt's controller), 1, 2 */
    CHECK_EQ(scsi_get_lun(resp.data + 16), 1);
    CHECK_EQ(scsi_get_lun(resp.data + 24), 2);
    c.target = 1;
    CHECK(run(&t, 1, &c, &resp));
    CHECK_EQ(scsi_be32(resp.data), 16);
    trig_fini(&t);
}

static void t_tgt_capacity_write_read(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 0, .lun = 2, .tag = 1};
    struct rig_resp resp;
    uint8_t file[4096];

    CHECK(trig_init(&t));
    cdb_read_capacity16(&c);
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be64(resp.data), LUN_BYTES / 512 - 1);
    CHECK_EQ(scsi_be32(resp.data + 8), 512);
    CHECK_EQ(resp.data[14] & 0x80, 0x80); /* thin provisioning on: LBPME */
    for (unsigned i = 0; i < 4096; i++)
        rig_data(&t.r, 1)[i] = (uint8_t)(i * 13 + 1);
    c.tag = 2;
    cdb_rw16(&c, true, 40, 8);
    CHECK(run(&t, 1, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.resid, 0);
    CHECK(read_file("t0l2.img", 40 * 512, file, 4096)); /* outside tgt */
    CHECK(memcmp(file, rig_data(&t.r, 1), 4096) == 0);
    c.tag = 3;
    cdb_rw16(&c, false, 40, 8);
    CHECK(run(&t, 2, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(resp.used, 12 + 96 + 4096);
    CHECK(memcmp(resp.data, file, 4096) == 0);
    /* Past the end: tgt's sense data, through libiscsi, as auto-sense */
    cdb_rw16(&c, false, LUN_BYTES / 512 - 1, 8);
    CHECK(run(&t, 2, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_CHECK_CONDITION);
    CHECK(resp.sense_len >= 14);
    CHECK_EQ(resp.sense[2] & 0xf, SENSE_KEY_ILLEGAL_REQUEST);
    CHECK_EQ(resp.sense[12], SCSI_ASC_LBA_OUT_OF_RANGE);
    trig_fini(&t);
}

static void t_tgt_unmap_reaches_file(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 0, .lun = 1, .tag = 1};
    struct rig_resp resp;
    uint8_t file[4 * 4096];

    CHECK(trig_init(&t));
    memset(rig_data(&t.r, 0), 0xab, 4096);
    for (unsigned i = 0; i < 4; i++) {
        cdb_rw16(&c, true, 1024 + 8 * i, 8); /* 16 KiB at LBA 1024 */
        CHECK(run(&t, 0, &c, &resp));
        CHECK_EQ(resp.status, SAM_STAT_GOOD);
    }
    cdb_unmap(&c, rig_data(&t.r, 1), 1032, 8); /* the second 4 KiB */
    CHECK(run(&t, 1, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK(read_file("t0l1.img", 1024 * 512, file, sizeof(file)));
    for (unsigned i = 0; i < sizeof(file); i++)
        CHECK_EQ(file[i], i >= 4096 && i < 8192 ? 0 : 0xab);
    trig_fini(&t);
}

/** WRITE SAME(16): one block of data out, repeated by tgt over the range in the file */
static void t_tgt_write_same_reaches_file(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 0, .lun = 1, .tag = 1};
    struct rig_resp resp;
    uint8_t file[10 * 512];

    CHECK(trig_init(&t));
    for (unsigned i = 0; i < 512; i++)
        rig_data(&t.r, 0)[i] = (uint8_t)(i ^ 0x5c);
    memset(c.cdb, 0, 16);
    c.cdb[0] = 0x93; /* WRITE SAME(16) */
    scsi_put_be64(c.cdb + 2, 3001);
    scsi_put_be32(c.cdb + 10, 8);
    c.out_len = 512;
    c.in_len = 0;
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK(read_file("t0l1.img", 3000 * 512, file, sizeof(file)));
    for (unsigned b = 0; b < 10; b++)
        for (unsigned i = 0; i < 512; i++)
            CHECK_EQ(file[b * 512 + i], b >= 1 && b <= 8 ? (uint8_t)(i ^ 0x5c) : 0);
    trig_fini(&t);
}

/** tgtadm adds a LUN: TRANSPORT_RESET RESCAN; deletes it: REMOVED */
static void t_tgt_hotplug_events(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 1, .lun = 4, .tag = 1};
    struct rig_resp resp;
    uint8_t ev[16];
    unsigned e;

    CHECK(trig_init(&t));
    CHECK_EQ(rig_post_event(&t.r, 0), 0);
    CHECK_EQ(rig_post_event(&t.r, 1), 0);
    rig_step(&t.r);
    CHECK_EQ(vmodel_scsi_rescan(t.r.s), 0);
    CHECK_EQ(tgt_add_lun(&fx, 2, 4, "t1l4.img", 1u << 20, 0), 0);
    CHECK_EQ(vmodel_scsi_rescan(t.r.s), 1);
    rig_step(&t.r);
    CHECK(rig_get_event(&t.r, &e, ev));
    CHECK_EQ(ev[0], VIRTIO_SCSI_T_TRANSPORT_RESET);
    CHECK_EQ(ev[5], 1);
    CHECK_EQ(ev[7], 4);
    CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_RESCAN);
    cdb_read_capacity16(&c);
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be64(resp.data), (1u << 20) / 512 - 1);
    CHECK_EQ(tgt_del_lun(&fx, 2, 4), 0);
    CHECK_EQ(vmodel_scsi_rescan(t.r.s), 1);
    rig_step(&t.r);
    CHECK(rig_get_event(&t.r, &e, ev));
    CHECK_EQ(ev[7], 4);
    CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_REMOVED);
    trig_fini(&t);
}

/** A whole target made with tgtadm after the start: the back end logs in to it as target 2,
 *  the rescan raises RESCAN for its LUNs 0 and 1, which answer; logged out and deleted,
 *  REMOVED for both, and a command to it ends BAD_TARGET */
static void t_tgt_target_added_removed(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 2, .lun = 1, .tag = 1};
    struct rig_resp resp;
    uint8_t ev[16];
    unsigned e;
    char err[256];

    CHECK(trig_init(&t));
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(rig_post_event(&t.r, i), 0);
    rig_step(&t.r);
    CHECK_EQ(tgt_add_target(&fx, 3, IQN2), 0);
    CHECK_EQ(tgt_add_lun(&fx, 3, 1, "t2l1.img", LUN_BYTES, 1), 0);
    CHECK_EQ(iscsi_target_add(t.it, 2, fx.portal, IQN2, err, sizeof(err)), 0);
    CHECK_EQ(vmodel_scsi_rescan(t.r.s), 2);
    rig_step(&t.r);
    for (uint8_t lun = 0; lun < 2; lun++) {
        CHECK(rig_get_event(&t.r, &e, ev));
        CHECK_EQ(ev[0], VIRTIO_SCSI_T_TRANSPORT_RESET);
        CHECK_EQ(ev[5], 2);
        CHECK_EQ(ev[7], lun);
        CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_RESCAN);
    }
    cdb_read_capacity16(&c);
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_OK);
    CHECK_EQ(resp.status, SAM_STAT_GOOD);
    CHECK_EQ(scsi_be64(resp.data), LUN_BYTES / 512 - 1);
    /* A READ at tgt (stopped) when the target goes: ended ABORTED, once */
    CHECK_EQ(kill(fx.pid, SIGSTOP), 0);
    c.lun = 1;
    cdb_rw16(&c, false, 0, 1);
    CHECK_EQ(rig_send(&t.r, 0, 1, &c), 0);
    rig_step(&t.r);
    CHECK_EQ(iscsi_target_base(t.it)->ops->outstanding(iscsi_target_base(t.it)), 1);
    iscsi_target_remove(t.it, 2);
    CHECK(rig_wait(&t.r, 0, 1, &resp, 4));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_ABORTED);
    CHECK_EQ(iscsi_target_base(t.it)->ops->outstanding(iscsi_target_base(t.it)), 0);
    CHECK_EQ(kill(fx.pid, SIGCONT), 0);
    CHECK_EQ(tgt_del_target(&fx, 3), 0);
    /* Gone: deleting it again fails at once (only "still active" is
     * retried, for up to 10 s) and says why. */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(tgt_del_target(&fx, 3), -1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(t1.tv_sec - t0.tv_sec < 3);
    CHECK(strstr(fx.err, "find the target") != NULL);
    CHECK_EQ(vmodel_scsi_rescan(t.r.s), 2);
    rig_step(&t.r);
    for (uint8_t lun = 0; lun < 2; lun++) {
        CHECK(rig_get_event(&t.r, &e, ev));
        CHECK_EQ(ev[5], 2);
        CHECK_EQ(ev[7], lun);
        CHECK_EQ(ev[12], VIRTIO_SCSI_EVT_RESET_REMOVED);
    }
    CHECK(run(&t, 0, &c, &resp));
    CHECK_EQ(resp.response, VIRTIO_SCSI_S_BAD_TARGET);
    CHECK_EQ(vmodel_scsi_stats(t.r.s)->rule_errors, 0);
    trig_fini(&t);
}

/** A LUN reset among writes: every command completes once, the TMF completes */
static void t_tgt_lun_reset(void)
{
    struct trig t;
    struct rig_cmd c = {.target = 0, .lun = 1};
    struct rig_resp resp;
    uint8_t tmf;

    CHECK(trig_init(&t));
    cdb_inquiry(&c, 36);
    c.tag = 99;
    CHECK(run(&t, 9, &c, &resp)); /* clears the new nexus' unit attention */
    for (unsigned i = 0; i < 8; i++) {
        c.tag = i;
        cdb_rw16(&c, true, 8 * i, 8);
        CHECK_EQ(rig_send(&t.r, 0, i, &c), 0);
    }
    vmodel_run(t.r.b.m);
    CHECK_EQ(rig_tmf(&t.r, 0, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 1, 0), 0);
    CHECK(rig_wait_ctrl(&t.r, 0, &tmf, 50));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    for (unsigned i = 0; i < 8; i++) {
        CHECK(rig_wait(&t.r, 0, i, &resp, 50));
        CHECK(resp.response == VIRTIO_SCSI_S_OK || resp.response == VIRTIO_SCSI_S_RESET);
    }
    CHECK_EQ(vmodel_scsi_inflight(t.r.s), 0);
    CHECK_EQ(vmodel_stats(t.r.b.m)->completions, 1 + 8 + 1);
    /* ABORT TASK of a tag no longer outstanding: FUNCTION COMPLETE */
    CHECK_EQ(rig_tmf(&t.r, 1, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0, 1, 3), 0);
    CHECK(rig_wait_ctrl(&t.r, 1, &tmf, 50));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    /* ABORT TASK SET reaches tgt; I_T NEXUS RESET (as iSCSI TARGET WARM RESET) tgt
     * does not support: FUNCTION REJECTED, as tgt answered */
    CHECK_EQ(rig_tmf(&t.r, 2, VIRTIO_SCSI_T_TMF_ABORT_TASK_SET, 0, 1, 0), 0);
    CHECK(rig_wait_ctrl(&t.r, 2, &tmf, 50));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_COMPLETE);
    CHECK_EQ(rig_tmf(&t.r, 3, VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET, 0, 1, 0), 0);
    CHECK(rig_wait_ctrl(&t.r, 3, &tmf, 50));
    CHECK_EQ(tmf, VIRTIO_SCSI_S_FUNCTION_REJECTED);
    trig_fini(&t);
}

/** Planted: no tgtd where TGTD points: the fixture fails and says which file */
static void t_tgt_missing_tgtd_fails(void)
{
    struct tgt_fixture f;
    char dir[256];

    snprintf(dir, sizeof(dir), "%s/tgt-missing", work_dir());
    setenv("TGTD", "/nonexistent/tgtd", 1);
    int rc = tgt_start(&f, dir);
    unsetenv("TGTD");
    CHECK_EQ(rc, -1);
    CHECK(strstr(f.err, "/nonexistent/tgtd") != NULL);
    CHECK_EQ(f.pid, 0);
}

/** A second tgtd beside the first: own port, own control socket, both answer */
static void t_tgt_two_instances(void)
{
    struct tgt_fixture f2;
    char dir[256];

    CHECK(fx_get());
    snprintf(dir, sizeof(dir), "%s/tgt-%d-b", work_dir(), (int)getpid());
    CHECK_EQ(tgt_start(&f2, dir), 0);
    CHECK(f2.port != fx.port);
    CHECK_EQ(tgt_add_target(&f2, 1, IQN0), 0);
    CHECK_EQ(tgt_add_lun(&fx, 1, 7, "t0l7.img", 1u << 20, 0), 0); /* the first still answers */
    CHECK_EQ(tgt_del_lun(&fx, 1, 7), 0);
    tgt_stop(&f2);
    CHECK_EQ(f2.pid, 0);
}

const struct vtest scsi_tgt_tests[] = {
    {"tgt_inquiry_report_luns", t_tgt_inquiry_report_luns},
    {"tgt_capacity_write_read", t_tgt_capacity_write_read},
    {"tgt_unmap_reaches_file", t_tgt_unmap_reaches_file},
    {"tgt_write_same_reaches_file", t_tgt_write_same_reaches_file},
    {"tgt_hotplug_events", t_tgt_hotplug_events},
    {"tgt_target_added_removed", t_tgt_target_added_removed},
    {"tgt_lun_reset", t_tgt_lun_reset},
    {"tgt_missing_tgtd_fails", t_tgt_missing_tgtd_fails},
    {"tgt_two_instances", t_tgt_two_instances},
    {NULL, NULL},
};
