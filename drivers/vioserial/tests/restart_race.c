/*
 * The restart work item against PnP and power: the device asks for a
 * reset, the DPC queues the work item that restarts it, and a QUERY_STOP +
 * STOP or a D3 (another thread, vw_on_worker_point) lands while the work item runs, after it has
 * looked at the device state.  The stop must win: the device stays reset
 * while stopped, nothing touches the released BARs or leaks the buffers
 * the stop freed, and START (or D0) brings the port back.
 *
 * Points inside the work item's restart (once it holds StateMutex) are not
 * swept: there the stop waits for the restart to finish, which a nested
 * action cannot do in the harness (it would be reported as a deadlock).
 */
#include <string.h>
#include "vioser_test.h"

#define GA "org.qemu.guest_agent.0"

struct race {
    struct vw_console *c;
    bool d3; /* D3 instead of QUERY_STOP + STOP */
    bool stopped;
};

static void stop_now(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    if (r->d3) {
        VW_EXPECT(vm, vw_power_set_device(vm, r->c->dev->pdo, 4) == 0, "D3 failed");
    } else {
        VW_EXPECT(vm, vw_pnp(vm, r->c->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP");
        VW_EXPECT(vm, vw_pnp(vm, r->c->dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    }
    r->stopped = true;
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

/* SKIP 0: the stop lands before the work item looks at the state; 1: just
 * after it decided to restart (the first kernel entry after that). */
static void stop_during_restart(struct vm *vm, unsigned skip, bool d3)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 2);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    if (!vioser_start(vm, c))
        return;
    struct race r = {c, d3, false};

    vmodel_needs_reset(c->dev->model);
    vmodel_config_changed(c->dev->model);
    vw_on_worker_point(vm, skip, stop_now, &r);
    vw_run(vm);
    vw_on_worker_point(vm, 0, NULL, NULL);
    if (vm->failed)
        return;
    VW_EXPECT(vm, r.stopped, "the stop never landed inside the restart work item");
    VW_EXPECT(vm, vmodel_status(c->dev->model) == 0,
              "the device runs (status 0x%02x) while stopped or in D3",
              vmodel_status(c->dev->model));
    VW_EXPECT(vm, c->con.device_ready_count == 1, "restarted behind the stop (DEVICE_READY x%u)",
              c->con.device_ready_count);
    VW_EXPECT(vm, vioser_open_name(vm, GA) == 0, "link left while stopped or in D3");

    if (d3)
        VW_EXPECT(vm, vw_power_set_device(vm, c->dev->pdo, 1) == 0, "D0 after D3");
    else
        VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START after the stop");
    vw_run(vm);
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after START");
    if (vm->failed)
        return;
    round_trip(vm, c, ga);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", stop_before_restart_looks, NULL)
{
    stop_during_restart(vm, 0, false);
}

VW_SCENARIO("vioser", stop_after_restart_decided, NULL)
{
    stop_during_restart(vm, 1, false);
}

VW_SCENARIO("vioser", d3_after_restart_decided, NULL)
{
    stop_during_restart(vm, 1, true);
}
