/*
 * A hostile host: control messages for ports that do not exist, ids far
 * beyond max_nr_ports, absurd and malformed names, short messages, events
 * out of order, a max_nr_ports beyond what the driver serves; and data
 * back-pressure in both directions with seeded scheduling, where not a
 * byte may be lost or duplicated.
 */
#include <string.h>
#include "vioser_test.h"

#define GA "org.qemu.guest_agent.0"

VW_SCENARIO("vioser", hostile_control_messages, NULL)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 4);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    if (!vioser_start(vm, c))
        return;
    char longname[250];
    memset(longname, 'a', sizeof(longname));
    vmodel_console_raw(&c->con, 1000, VMODEL_CONSOLE_PORT_ADD, 1, NULL,
                       0); /* id beyond max_nr_ports */
    vmodel_console_raw(&c->con, 0xffffffffu, VMODEL_CONSOLE_PORT_NAME, 1, "x", 1); /* ditto */
    vmodel_console_raw(&c->con, 3, VMODEL_CONSOLE_PORT_OPEN, 1, NULL, 0); /* port never added */
    vmodel_console_raw(&c->con, 3, VMODEL_CONSOLE_PORT_REMOVE, 1, NULL, 0);
    vmodel_console_raw(&c->con, 2, VMODEL_CONSOLE_PORT_ADD, 1, NULL, 0);
    vmodel_console_raw(&c->con, 2, VMODEL_CONSOLE_PORT_NAME, 1, longname,
                       sizeof(longname)); /* absurd length */
    vmodel_console_raw(&c->con, 2, VMODEL_CONSOLE_PORT_NAME, 1, "..", 2);
    vmodel_console_raw(&c->con, 2, VMODEL_CONSOLE_PORT_NAME, 1, "a\\b", 3); /* separator */
    vmodel_console_raw(&c->con, 2, VMODEL_CONSOLE_PORT_NAME, 1, "", 0);
    vmodel_console_raw(&c->con, 1, VMODEL_CONSOLE_PORT_ADD, 1, NULL, 0); /* added twice */
    vmodel_console_raw(&c->con, 1, VMODEL_CONSOLE_PORT_NAME, 1, "evil.rename", 11); /* renamed */
    vmodel_console_raw(&c->con, 1, VMODEL_CONSOLE_RESIZE, 1, NULL, 0);
    vmodel_console_raw(&c->con, 1, 77, 1, NULL, 0); /* unknown event */
    vmodel_console_raw(&c->con, 1, VMODEL_CONSOLE_DEVICE_READY, 1, NULL,
                       0); /* device-to-driver only */
    vw_run(vm);
    VW_EXPECT(vm, vioser_open_name(vm, "evil.rename") == 0, "a named port was renamed");
    VW_EXPECT(vm, vioser_open_name(vm, "..") == 0 && vioser_open_name(vm, "a\\b") == 0,
              "a malformed name became a link");
    VW_EXPECT(vm, vioser_port_object(vm, 2) != 0, "port 2 was not added");
    VW_EXPECT(vm, vioser_port_object(vm, 3) == 0, "port 3 appeared from an OPEN");
    /* The good port still works. */
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "the guest agent port is gone");
    uint64_t w = 0;
    VW_EXPECT(vm, vioser_write(vm, ga, "ok", 2, &w) == 0 && w == 2, "write failed");
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", too_many_ports_bounded, NULL)
{
    /* max_nr_ports 5000: the driver serves 31 and refuses higher ids. */
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 5000);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    VW_EXPECT(vm, vw_driver_load(vm, "vioser") && vw_add_device(vm, c->dev->pdo), "load");
    /* The model has 16 queues, fewer than 31 ports need: start must fail
     * cleanly (a queue is missing), not touch queues that are not there. */
    uint32_t st = vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, st != 0, "START with missing queues succeeded");
    vw_pnp(vm, c->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

/* Both directions at once with small host buffers and small reads. */
static void backpressure(struct vm *vm, uint64_t seed)
{
    static uint8_t out[24000], in[20000], got_out[24000], got_in[20000];
    uint64_t r = seed * 0x9e3779b97f4a7c15ull + 1;
#define RND() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, (uint32_t)r)
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)RND();
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)RND();
    struct vw_console *c =
        vw_console_create(vm, VMODEL_MODERN, true, seed & 1 ? (1ull << 34) : 0, true, 2);
    if (c == NULL)
        return;
    vmodel_console_port_add(&c->con, 1, GA, true);
    c->con.port[1].cap = 5000; /* the host holds little */
    c->con.port[1].chunk = 700;
    if (!vioser_start(vm, c))
        return;
    vw_sched_seed(vm, seed);
    gva_t ga = vioser_open_name(vm, GA);
    VW_EXPECT(vm, ga != 0 && vw_create(vm, ga) == 0, "open failed");
    uint32_t sent = 0, fed = 0, read = 0, taken = 0;
    unsigned guest_full = 0; /* steps where the guest held every receive buffer */
    struct vw_async wr = {.done = true}, rd = {.done = true};
    uint32_t wr_len = 0, rd_len = 0;
    static uint8_t rdbuf[3000];
    bool wr_busy = false, rd_busy = false;
    for (unsigned step = 0; step < 20000 && !vm->failed; step++) {
        if (sent == sizeof(out) && read == sizeof(in) && taken == sizeof(out) && !wr_busy &&
            !rd_busy)
            break;
        if (!wr_busy && sent < sizeof(out)) {
            wr_len = 1 + RND() % 6000;
            if (wr_len > sizeof(out) - sent)
                wr_len = sizeof(out) - sent;
            vw_request_start(vm, ga, VW_IRP_MJ_WRITE, out + sent, NULL, wr_len, &wr);
            wr_busy = true;
        }
        if (!rd_busy && read < sizeof(in) && RND() % 3 == 0) { /* a slow reader */
            rd_len = 1 + RND() % sizeof(rdbuf);
            vw_request_start(vm, ga, VW_IRP_MJ_READ, NULL, rdbuf, rd_len, &rd);
            rd_busy = true;
        }
        if (fed < sizeof(in) && RND() % 2 == 0) {
            uint32_t n = 1 + RND() % 3000;
            if (n > sizeof(in) - fed)
                n = sizeof(in) - fed;
            if (c->con.port[1].to_guest_len + n <= VMODEL_CONSOLE_BUF) {
                vmodel_console_send(&c->con, 1, in + fed, n);
                fed += n;
            }
        }
        if (RND() % 4 == 0)
            taken += vmodel_console_take(&c->con, 1, got_out + taken, RND() % 2000);
        vw_run(vm);
        if (c->con.port[1].to_guest_len > c->con.port[1].to_guest_pos)
            guest_full++;
        if (wr_busy && wr.done) {
            VW_EXPECT(vm, wr.status == 0 && wr.info > 0 && wr.info <= wr_len,
                      "write of %u: 0x%08x, %llu bytes", wr_len, wr.status,
                      (unsigned long long)wr.info);
            sent += (uint32_t)wr.info;
            wr_busy = false;
        }
        if (rd_busy && rd.done) {
            VW_EXPECT(
                vm,
                rd.status == 0 && rd.info > 0 && rd.info <= rd_len && read + rd.info <= sizeof(in),
                "read of %u: 0x%08x, %llu bytes", rd_len, rd.status, (unsigned long long)rd.info);
            if (!vm->failed)
                memcpy(got_in + read, rdbuf, rd.info);
            read += (uint32_t)rd.info;
            rd_busy = false;
        }
    }
#undef RND
    VW_EXPECT(vm, sent == sizeof(out) && taken == sizeof(out) && read == sizeof(in),
              "stalled: sent %u taken %u of %zu, read %u of %zu", sent, taken, sizeof(out), read,
              sizeof(in));
    VW_EXPECT(vm, c->con.port[1].host_full > 0 && guest_full > 0,
              "no back-pressure exercised (host full %u, guest full %u)", c->con.port[1].host_full,
              guest_full);
    VW_EXPECT(vm, !memcmp(got_out, out, sizeof(out)), "guest-to-host stream damaged");
    VW_EXPECT(vm, !memcmp(got_in, in, sizeof(in)), "host-to-guest stream damaged");
    vw_sched_seed(vm, 0);
    vw_close(vm, ga);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", backpressure_seed_1, NULL)
{
    backpressure(vm, 1);
}

VW_SCENARIO("vioser", backpressure_seed_2, NULL)
{
    backpressure(vm, 2);
}

VW_SCENARIO("vioser", backpressure_seed_3, NULL)
{
    backpressure(vm, 3);
}
