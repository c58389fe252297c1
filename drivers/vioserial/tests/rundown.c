/*
 * The framework's rundown on the port device objects: a STOP or a
 * surprise removal from another thread while a write, a read or a
 * PORT_INFO request is inside the port's dispatch routine (preempted at
 * its acquisition of the device lock, the second spin-lock acquisition
 * of the request: the first is the global owner lock).  The PnP IRP must
 * not run D0Exit/ReleaseHardware (reset, free the port buffers, unmap
 * the BARs) before the request has left its dispatch routine
 * (common/wdm/rundown.c); the request finishes or fails, requests after
 * the IRP fail, and a START brings the port back.
 */
#include <string.h>
#include "vioser_test.h"
#include "vw_irp.h"
#include "vw_ntstatus.h"

#define GA "org.qemu.guest_agent.0"
/* KeAcquireSpinLock: an import on x86, the RaiseToDpc form elsewhere. */
#define SPIN "KfAcquireSpinLock|KeAcquireSpinLockRaiseToDpc"

struct race {
    struct vw_console *c;
    uint8_t minor;
    bool request_left; /* the dispatch routine returned */
    bool pnp_done;
};

static void pnp_now(struct vm *vm, void *ctx)
{
    struct race *r = ctx;
    gva_t pdo = r->c->dev->pdo;
    if (r->minor == VW_IRP_MN_STOP_DEVICE)
        VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    else
        vw_virtio_unplug(r->c->dev);
    uint32_t status = vw_pnp(vm, pdo, r->minor);
    VW_EXPECT(vm, status == 0, "PnP 0x%02x failed with 0x%08x", r->minor, status);
    VW_EXPECT(vm, r->request_left,
              "PnP 0x%02x released the hardware while a port request was still inside its "
              "dispatch routine",
              r->minor);
    r->pnp_done = true;
}

/* MAJOR: VW_IRP_MJ_WRITE, VW_IRP_MJ_READ or VW_IRP_MJ_DEVICE_CONTROL (PORT_INFO). */
static void pnp_during_request(struct vm *vm, uint8_t major, uint8_t minor)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 2);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    if (!vioser_start(vm, c))
        return;
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "open failed");
    if (vm->failed)
        return;
    struct race r = {c, minor, false, false};
    struct vw_async a = {0};
    uint8_t buf[512] = {0};
    uint64_t info = 0;

    vw_preempt_at_import(vm, SPIN, 2, pnp_now, &r);
    if (major == VW_IRP_MJ_DEVICE_CONTROL) {
        vw_ioctl(vm, ga, IOCTL_VIOSER_PORT_INFO, NULL, 0, buf, sizeof(buf), &info);
        a.done = true;
    } else {
        vw_request_start(vm, ga, major, "abc", major == VW_IRP_MJ_READ ? buf : NULL, 3, &a);
    }
    r.request_left = true;
    vw_run(vm);
    vw_preempt_finish(vm);
    VW_EXPECT(vm, r.pnp_done, "the PnP IRP never finished (or never landed in the request)");
    VW_EXPECT(vm, a.done, "a request (major 0x%02x) never completed across PnP 0x%02x", major,
              minor);
    char got[8];
    if (major == VW_IRP_MJ_WRITE && a.status == 0)
        VW_EXPECT(vm,
                  a.info == 3 && vmodel_console_take(&c->con, 1, got, 8) == 3 &&
                      !memcmp(got, "abc", 3),
                  "a write that succeeded across PnP 0x%02x did not reach the host", minor);
    /* New requests fail with the framework's gate status (rundown.c). */
    uint64_t n = 0;
    uint32_t want =
        minor == VW_IRP_MN_STOP_DEVICE ? VW_STATUS_DEVICE_NOT_READY : VW_STATUS_DELETE_PENDING;
    uint32_t st = vw_read_request(vm, ga, buf, 8, &n);
    VW_EXPECT(vm, st == want, "a read after PnP 0x%02x: 0x%08x, expected 0x%08x", minor, st, want);
    if (minor == VW_IRP_MN_STOP_DEVICE) {
        VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START failed");
        vw_run(vm);
        vw_close(vm, ga);
        ga = vioser_open_name(vm, GA);
        VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after START");
        if (vm->failed)
            return;
        uint64_t w = 0;
        VW_EXPECT(vm, vioser_write(vm, ga, "abc", 3, &w) == 0 && w == 3, "write after START");
        VW_EXPECT(vm, vmodel_console_take(&c->con, 1, got, 8) == 3 && !memcmp(got, "abc", 3),
                  "the host got nothing after START");
    } else {
        vw_cleanup(vm, ga);
    }
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", stop_waits_for_write_in_dispatch, NULL)
{
    pnp_during_request(vm, VW_IRP_MJ_WRITE, VW_IRP_MN_STOP_DEVICE);
}

VW_SCENARIO("vioser", surprise_removal_waits_for_write_in_dispatch, NULL)
{
    pnp_during_request(vm, VW_IRP_MJ_WRITE, VW_IRP_MN_SURPRISE_REMOVAL);
}

VW_SCENARIO("vioser", stop_waits_for_read_in_dispatch, NULL)
{
    pnp_during_request(vm, VW_IRP_MJ_READ, VW_IRP_MN_STOP_DEVICE);
}

VW_SCENARIO("vioser", surprise_removal_waits_for_ioctl_in_dispatch, NULL)
{
    pnp_during_request(vm, VW_IRP_MJ_DEVICE_CONTROL, VW_IRP_MN_SURPRISE_REMOVAL);
}

/* A read left pending (nothing delivered) when STOP comes: completed with
 * an error before the hardware goes, not left hanging; a write and a
 * PORT_INFO after the STOP fail with VW_STATUS_DEVICE_NOT_READY; after START
 * the port works. */
VW_SCENARIO("vioser", stop_completes_pending_read_and_fails_new_requests, NULL)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 2);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    if (!vioser_start(vm, c))
        return;
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "open failed");
    if (vm->failed)
        return;
    struct vw_async rd = {0};
    uint8_t buf[512] = {0};
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, 8, &rd);
    vw_run(vm);
    VW_EXPECT(vm, !rd.done, "the read did not wait for data");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, rd.done && rd.status != 0, "pending read across STOP: done %d, 0x%08x", rd.done,
              rd.status);
    struct vw_async wr = {0};
    vw_request_start(vm, ga, VW_IRP_MJ_WRITE, "abc", NULL, 3, &wr);
    VW_EXPECT(vm, wr.done && wr.status == VW_STATUS_DEVICE_NOT_READY,
              "write after STOP: done %d, 0x%08x", wr.done, wr.status);
    uint64_t info = 0;
    uint32_t st = vw_ioctl(vm, ga, IOCTL_VIOSER_PORT_INFO, NULL, 0, buf, sizeof(buf), &info);
    VW_EXPECT(vm, st == VW_STATUS_DEVICE_NOT_READY, "PORT_INFO after STOP: 0x%08x", st);
    VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START failed");
    vw_run(vm);
    vw_close(vm, ga);
    ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after START");
    if (vm->failed)
        return;
    uint64_t w = 0;
    char got[8];
    VW_EXPECT(vm, vioser_write(vm, ga, "abc", 3, &w) == 0 && w == 3, "write after START");
    VW_EXPECT(vm, vmodel_console_take(&c->con, 1, got, 8) == 3 && !memcmp(got, "abc", 3),
              "the host got nothing after START");
    vw_close(vm, ga);
    vioser_finish(vm, c);
}
