/*
 * Ports: MULTIPORT start-up with named ports reachable by their links,
 * data both ways, port information, read cancellation, and hot-unplug of
 * a port with a read pending.
 */
#include <string.h>
#include "vioser_test.h"

#define GA "org.qemu.guest_agent.0"

struct port_info {
    uint32_t id;
    uint8_t host_connected, is_console, named, reserved;
    char name[65];
};

static struct vw_console *start_two_ports(struct vm *vm, enum vmodel_transport t, bool msix)
{
    struct vw_console *c = vw_console_create(vm, t, msix, 0, true, 4);
    if (c == NULL)
        return NULL;
    vmodel_console_port_add(&c->con, 0, NULL, false);
    vmodel_console_port_add(&c->con, 1, GA, true);
    return vioser_start(vm, c) ? c : NULL;
}

VW_SCENARIO("vioser", named_port_round_trip, NULL)
{
    struct vw_console *c = start_two_ports(vm, VMODEL_MODERN, true);
    if (c == NULL)
        return;
    VW_EXPECT(vm, c->con.guest_msgs[VMODEL_CONSOLE_DEVICE_READY] == 1, "DEVICE_READY sent %u times",
              c->con.guest_msgs[VMODEL_CONSOLE_DEVICE_READY]);
    VW_EXPECT(vm, c->con.port[0].ready && c->con.port[1].ready, "ports not READY (%d, %d)",
              c->con.port[0].ready, c->con.port[1].ready);
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && ga == vioser_port_object(vm, 1),
              "\\\\.\\Global\\" GA " does not reach \\Device\\vport0p1");
    VW_EXPECT(vm, vioser_port_object(vm, 0) != 0, "unnamed port 0 has no device object");
    VW_EXPECT(vm, vw_create(vm, ga) == 0, "CREATE on the guest agent port failed");
    vw_run(vm);
    VW_EXPECT(vm, c->con.port[1].guest_open, "the host did not see PORT_OPEN 1");

    struct port_info info;
    uint64_t n = 0;
    uint32_t st = vw_ioctl(vm, ga, IOCTL_VIOSER_PORT_INFO, NULL, 0, &info, sizeof(info), &n);
    VW_EXPECT(vm, st == 0 && n == sizeof(info), "PORT_INFO: 0x%08x, %llu bytes", st,
              (unsigned long long)n);
    VW_EXPECT(vm, info.id == 1 && info.host_connected && info.named && !strcmp(info.name, GA),
              "PORT_INFO: id %u connected %u named %u '%s'", info.id, info.host_connected,
              info.named, info.name);

    static const char req[] = "{\"execute\":\"guest-ping\"}\n";
    uint64_t written = 0;
    st = vioser_write(vm, ga, req, sizeof(req) - 1, &written);
    VW_EXPECT(vm, st == 0 && written == sizeof(req) - 1, "write: 0x%08x, %llu bytes", st,
              (unsigned long long)written);
    char got[64] = {0};
    VW_EXPECT(vm,
              vmodel_console_take(&c->con, 1, got, sizeof(got)) == sizeof(req) - 1 &&
                  !memcmp(got, req, 26),
              "the host did not receive the request");

    /* A read waits for the host's answer. */
    static const char answer[] = "{\"return\": {}}\n";
    struct vw_async rd;
    char buf[128] = {0};
    st = vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    VW_EXPECT(vm, st == VW_STATUS_PENDING && !rd.done, "read with no data: 0x%08x", st);
    vmodel_console_send(&c->con, 1, answer, sizeof(answer) - 1);
    vw_run(vm);
    VW_EXPECT(vm,
              rd.done && rd.status == 0 && rd.info == sizeof(answer) - 1 &&
                  !memcmp(buf, answer, sizeof(answer) - 1),
              "read: done %d status 0x%08x %llu bytes", rd.done, rd.status,
              (unsigned long long)rd.info);

    /* The host hangs up: PORT_INFO says so. */
    vmodel_console_host_open(&c->con, 1, false);
    vw_run(vm);
    vw_ioctl(vm, ga, IOCTL_VIOSER_PORT_INFO, NULL, 0, &info, sizeof(info), &n);
    VW_EXPECT(vm, !info.host_connected, "host close not tracked");
    VW_EXPECT(vm, vw_cleanup(vm, ga) == 0 && vw_close(vm, ga) == 0, "CLEANUP/CLOSE failed");
    vw_run(vm);
    VW_EXPECT(vm, !c->con.port[1].guest_open, "the host did not see PORT_OPEN 0");
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", read_cancel_keeps_data, NULL)
{
    struct vw_console *c = start_two_ports(vm, VMODEL_TRANSITIONAL, false);
    if (c == NULL)
        return;
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "open failed");
    struct vw_async rd;
    char buf[32];
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    vw_run(vm);
    VW_EXPECT(vm, !rd.done, "read completed with no data");
    VW_EXPECT(vm, vw_request_cancel(vm, &rd), "no cancel routine on a pending read");
    VW_EXPECT(vm, rd.done && rd.status == VW_STATUS_CANCELLED && rd.info == 0,
              "cancelled read: done %d status 0x%08x", rd.done, rd.status);
    /* Data arriving after the cancel goes to the next read, intact. */
    vmodel_console_send(&c->con, 1, "0123456789", 10);
    vw_run(vm);
    struct vw_async rd2;
    memset(buf, 0, sizeof(buf));
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, 4, &rd2);
    VW_EXPECT(vm, rd2.done && rd2.info == 4 && !memcmp(buf, "0123", 4), "first part lost");
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd2);
    VW_EXPECT(vm, rd2.done && rd2.info == 6 && !memcmp(buf, "456789", 6), "second part lost");
    /* A read cancelled by CLEANUP. */
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd2);
    VW_EXPECT(vm, !rd2.done, "read completed with no data");
    vw_cleanup(vm, ga);
    VW_EXPECT(vm, rd2.done && rd2.status == VW_STATUS_CANCELLED, "CLEANUP left a read pending");
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", hot_unplug_with_read_pending, NULL)
{
    struct vw_console *c = start_two_ports(vm, VMODEL_MODERN, true);
    if (c == NULL)
        return;
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "open failed");
    struct vw_async rd;
    char buf[32];
    vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, buf, sizeof(buf), &rd);
    vmodel_console_port_remove(&c->con, 1);
    vw_run(vm);
    VW_EXPECT(vm, rd.done && rd.status == VW_STATUS_DEVICE_NOT_CONNECTED,
              "read across PORT_REMOVE: done %d status 0x%08x", rd.done, rd.status);
    VW_EXPECT(vm, vioser_open_name(vm, GA) == 0, "the link outlived PORT_REMOVE");
    VW_EXPECT(vm, vioser_port_object(vm, 1) == ga, "the object went while a handle holds it");
    uint64_t w = 0;
    VW_EXPECT(vm, vioser_write(vm, ga, "x", 1, &w) == VW_STATUS_DEVICE_NOT_CONNECTED,
              "write to a removed port did not fail");
    vw_cleanup(vm, ga);
    vw_close(vm, ga);
    vw_run(vm);
    VW_EXPECT(vm, vioser_port_object(vm, 1) == 0, "the object outlived its last handle");
    /* The host adds it again, under the same name. */
    vmodel_console_port_add(&c->con, 1, GA, true);
    vw_run(vm);
    VW_EXPECT(vm, vioser_open_name(vm, GA) != 0, "re-added port has no link");
    vioser_finish(vm, c);
}
