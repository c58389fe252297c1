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
#include "vcon_model.h"
#include "vw_irp.h"

#define GA "org.qemu.guest_agent.0"
/* KeAcquireSpinLock: an import on x86, the RaiseToDpc form elsewhere. */
#define SPIN "KfAcquireSpinLock|KeAcquireSpinLockRaiseToDpc"

struct race {
    struct vcon *c;
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

/* MAJOR: IRP_MJ_WRITE, IRP_MJ_READ or IRP_MJ_DEVICE_CONTROL (PORT_INFO). */
static void pnp_during_request(struct vm *vm, uint8_t major, uint8_t minor)
{
    struct vcon *c = vcon_create(vm, VMODEL_MODERN, true, 0, true, 2);
    if (c == NULL)
        return;
    vcon_port_add(c, 1, GA, true);
    if (!vcon_start(vm, c))
        return;
    gva_t ga = vcon_open_name(vm, GA);
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
        VW_EXPECT(vm, a.info == 3 && vcon_take(c, 1, got, 8) == 3 && !memcmp(got, "abc", 3),
                  "a write that succeeded across PnP 0x%02x did not reach the host", minor);
    uint64_t n = 0;
    VW_EXPECT(vm, vw_read_request(vm, ga, buf, 8, &n) != 0, "a read after PnP 0x%02x succeeded",
              minor);
    if (minor == VW_IRP_MN_STOP_DEVICE) {
        VW_EXPECT(vm, vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "START failed");
        vw_run(vm);
        vw_close(vm, ga);
        ga = vcon_open_name(vm, GA);
        VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "port not back after START");
        if (vm->failed)
            return;
        uint64_t w = 0;
        VW_EXPECT(vm, vcon_write(vm, ga, "abc", 3, &w) == 0 && w == 3, "write after START");
        VW_EXPECT(vm, vcon_take(c, 1, got, 8) == 3 && !memcmp(got, "abc", 3),
                  "the host got nothing after START");
    } else {
        vw_cleanup(vm, ga);
    }
    vw_close(vm, ga);
    vcon_finish(vm, c);
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
