/*
 * Security by default (issue 20): a port (\\.\Global\org.qemu.guest_agent.0,
 * \Device\vport0pN) opens for SYSTEM and Administrators only, so no user
 * can take the guest agent's port before the agent or pose as it; the
 * AllowUserAccess device parameter (vioser.inx) admits BUILTIN\Users.
 * ports_admin_only fails on a driver that leaves the default descriptor.
 */
#include "process.h"
#include "vioser_test.h"
#include "vw_registry.h"

#define GA        "org.qemu.guest_agent.0"
#define GA_PATH   "\\GLOBAL??\\" GA
#define ST_DENIED 0xc0000022u

static struct vw_console *start(struct vm *vm, bool allow_users)
{
    struct vw_console *c = vw_console_create(vm, VMODEL_MODERN, true, 0, true, 4);
    if (c == NULL)
        return NULL;
    if (allow_users) {
        uint32_t one = 1;
        vw_registry_set(vm, c->dev->pdo, "AllowUserAccess", VW_REG_DWORD, &one, 4);
    }
    vmodel_console_port_add(&c->con, 0, NULL, false);
    vmodel_console_port_add(&c->con, 1, GA, true);
    return vioser_start(vm, c) ? c : NULL;
}

/* Opens PATH from PROCESS with ACCESS and closes it again: the status. */
static uint32_t try_open(struct vm *vm, unsigned process, const char *path, uint32_t access)
{
    uint32_t status;
    gva_t file = vw_open_name(vm, process, path, access, &status);
    if (file != 0)
        vw_handle_close(vm, process, file);
    return file != 0 ? 0 : status;
}

VW_SCENARIO("vioser", ports_admin_only, NULL)
{
    struct vw_console *c = start(vm, false);
    if (c == NULL)
        return;
    VW_EXPECT(vm, vw_expect_access_denied(vm, GA_PATH, VW_OPEN_READ_WRITE),
              "a user may open the guest agent's port");
    VW_EXPECT(vm, vw_expect_access_denied(vm, GA_PATH, VW_FILE_READ_DATA),
              "a user may read the guest agent's port");
    VW_EXPECT(vm, vw_expect_access_denied(vm, "\\Device\\vport0p0", VW_FILE_WRITE_DATA),
              "a user may write to port 0");
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    unsigned admin = vw_process_create(vm, VW_TOKEN_ADMIN);
    unsigned system = vw_process_create(vm, VW_TOKEN_SYSTEM);
    uint32_t status = try_open(vm, user, GA_PATH, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == ST_DENIED, "a user's open of the agent port: 0x%08x", status);
    status = try_open(vm, system, GA_PATH, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == 0, "SYSTEM's open of the agent port (the agent service): 0x%08x",
              status);
    status = try_open(vm, admin, "\\Device\\vport0p0", VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == 0, "an administrator's open of port 0: 0x%08x", status);
    vw_process_exit(vm, user);
    vw_process_exit(vm, admin);
    vw_process_exit(vm, system);
    vw_run(vm);
    vioser_finish(vm, c);
}

VW_SCENARIO("vioser", ports_allow_user_access, NULL)
{
    struct vw_console *c = start(vm, true);
    if (c == NULL)
        return;
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    uint32_t status = try_open(vm, user, GA_PATH, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == 0, "a user's open with AllowUserAccess: 0x%08x", status);
    status = try_open(vm, user, GA_PATH, 0x00040000u /* WRITE_DAC */);
    VW_EXPECT(vm, status == ST_DENIED, "a user's WRITE_DAC open: 0x%08x", status);
    vw_process_exit(vm, user);
    vw_run(vm);
    vioser_finish(vm, c);
}
