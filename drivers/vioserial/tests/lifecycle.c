/*
 * Device life: no MULTIPORT (one port on queues 0/1), NEEDS_RESET with a
 * read pending, surprise removal with a read pending, D3 and back with a
 * handle open, stop/restart.
 */
#include <string.h>
#include "vioser_test.h"

#define GA "org.qemu.guest_agent.0"

VW_SCENARIO("vioser", single_port_without_multiport, NULL)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_LEGACY, false, 0, false, 1);
    if (!vioser_start(vm, c))
        return;
    gva_t p0 = vioser_port_object(vm, 0);
    VW_EXPECT(vm, p0 != 0 && vw_create(vm, p0) == 0, "port 0 missing or not openable");
    uint64_t w = 0;
    VW_EXPECT(vm, vioser_write(vm, p0, "ping", 4, &w) == 0 && w == 4, "write failed");
    char got[8];
    VW_EXPECT(vm, vmodel_console_take(&c->con, 0, got, 8) == 4 && !memcmp(got, "ping", 4),
              "host got nothing");
    vmodel_console_send(&c->con, 0, "pong", 4);
    vw_run(vm);
    uint64_t n = 0;
    VW_EXPECT(vm, vw_read_request(vm, p0, got, 8, &n) == 0 && n == 4 && !memcmp(got, "pong", 4),
              "read failed");
    vw_close(vm, p0);
    vioser_finish(vm, c);
}

static struct vw_console *start_ga(struct vm *vm, enum vmodel_transport t, bool msix, gva_t *ga)
{
    struct vw_console *c = vw_console_create(vm, t, msix, 0, true, 2);
    if (c == NULL)
        return NULL;
    vmodel_console_port_add(&c->con, 1, GA, true);
    if (!vioser_start(vm, c))
        return NULL;
    *ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, *ga != 0 && vw_create(vm, *ga) == 0, "open failed");
    return vm->failed ? NULL : c;
}

static void round_trip(struct vm *vm, struct vw_console *c, gva_t ga)
{
    uint64_t w = 0, n = 0;
    char got[8];
    VW_EXPECT(vm, vioser_write(vm, ga, "abc", 3, &w) == 0 && w == 3, "write failed");
    VW_EXPECT(vm, vmodel_console_take(&c->con, 1, got, 8) == 3 && !memcmp(got, "abc", 3),
              "host got nothing");
    vmodel_console_send(&c->con, 1, "xyz", 3);
    vw_run(vm);
    VW_EXPECT(vm, vw_read_request(vm, ga, got, 8, &n) == 0 && n == 3 && !memcmp(got, "xyz", 3),
              "read failed (%llu bytes)", (unsigned long long)n);
}

VW_SCENARIO("vioser", needs_reset_restarts, NULL)
{
    gva_t ga = 0;
    struct vw_console *c = start_ga(vm, VMODEL_MODERN, true, &ga);
    if (c == NULL)
        return;
    struct vw_async rd;
    char buf[8];
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    vmodel_needs_reset(c->dev->model);
    vmodel_config_changed(c->dev->model);
    vw_run(vm);
    VW_EXPECT(vm, rd.done && rd.status != 0, "read across NEEDS_RESET: done %d status 0x%08x",
              rd.done, rd.status);
    VW_EXPECT(vm, c->con.device_ready_count == 2, "the driver did not restart (DEVICE_READY x%u)",
              c->con.device_ready_count);
    VW_EXPECT(vm, c->con.port[1].guest_open, "the open handle was not announced again");
    VW_EXPECT(vm, vioser_open_name(vm, GA) == ga, "link lost across the restart");
    round_trip(vm, c, ga);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

static void pull(struct vm *vm, void *ctx)
{
    struct vw_console *c = ctx;
    vw_virtio_unplug(c->dev);
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_SURPRISE_REMOVAL) == 0,
              "SURPRISE_REMOVAL failed");
}

VW_SCENARIO("vioser", surprise_removal_with_read_pending, NULL)
{
    gva_t ga = 0;
    struct vw_console *c = start_ga(vm, VMODEL_MODERN, true, &ga);
    if (c == NULL)
        return;
    struct vw_async rd;
    char buf[8];
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    pull(vm, c);
    VW_EXPECT(vm, rd.done && rd.status != 0, "read across surprise removal: done %d 0x%08x",
              rd.done, rd.status);
    uint64_t n = 0;
    VW_EXPECT(vm, vw_read_request(vm, ga, buf, 8, &n) != 0, "read after removal succeeded");
    vw_cleanup(vm, ga);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", power_d3_and_back, NULL)
{
    gva_t ga = 0;
    struct vw_console *c = start_ga(vm, VMODEL_TRANSITIONAL, true, &ga);
    if (c == NULL)
        return;
    round_trip(vm, c, ga);
    VW_EXPECT(vm, vw_power_set_device(vm, c->dev->pdo, 4) == 0, "D3 failed");
    VW_EXPECT(vm, vmodel_status(c->dev->model) == 0, "device not reset in D3");
    VW_EXPECT(vm, vw_power_set_device(vm, c->dev->pdo, 1) == 0, "D0 failed");
    vw_run(vm);
    VW_EXPECT(vm, vioser_open_name(vm, GA) == ga, "the open port lost its link across D3");
    VW_EXPECT(vm, c->con.port[1].guest_open, "the open handle was not announced after D0");
    round_trip(vm, c, ga);
    vw_close(vm, ga);
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, vioser_open_name(vm, GA) == 0, "link left while stopped");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    vw_run(vm);
    ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after restart");
    round_trip(vm, c, ga);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

/* A device that corrupts used entries (ids out of range or not in flight,
 * lengths beyond the buffer): the driver restarts it, requests in flight
 * fail, and once the device behaves the port works again. */
VW_SCENARIO("vioser", bad_used_entries_restart, NULL)
{
    gva_t ga = 0;
    struct vw_console *c = start_ga(vm, VMODEL_MODERN, true, &ga);
    if (c == NULL)
        return;
    struct vmodel_behaviour evil = {
        .evil = VMODEL_EVIL_BAD_ID | VMODEL_EVIL_IDLE_ID,
    };
    vmodel_set_behaviour(c->dev->model, &evil);
    unsigned failed = 0;
    for (unsigned i = 0; i < 4 && !vm->failed; i++) {
        struct vw_async rd;
        char buf[16];
        vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
        vmodel_console_send(&c->con, 1, "data", 4);
        vw_run(vm);
        if (!rd.done)
            vw_request_cancel(vm, &rd);
        VW_EXPECT(vm, rd.done, "read neither completed nor cancelled");
        failed += rd.status != 0;
        c->con.port[1].to_guest_len = c->con.port[1].to_guest_pos = 0;
    }
    VW_EXPECT(vm, failed > 0, "no request failed against a corrupting device");
    VW_EXPECT(vm, c->con.device_ready_count > 1, "the driver never restarted the device");
    /* Bounded: a device that breaks at once every time is given up on. */
    VW_EXPECT(vm, c->con.device_ready_count <= 1 + 3 + 1, "%u restarts", c->con.device_ready_count);
    VW_EXPECT(vm, vmodel_status(c->dev->model) & 0x80, "the driver did not set FAILED");
    vw_cleanup(vm, ga);
    vw_close(vm, ga);
    /* Disable/enable with a device that behaves again: all works. */
    struct vmodel_behaviour good = {0};
    vmodel_set_behaviour(c->dev->model, &good);
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    vw_run(vm);
    ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after restart");
    round_trip(vm, c, ga);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}
