/*
 * Device security (k_security.c) with badsec: a named device left with the
 * default descriptor is flagged by vw_expect_access_denied; one the driver
 * locked to SYSTEM and Administrators refuses an unprivileged user before
 * the driver sees the request; a PnP device takes the registry's Security
 * value, and IOCTLs need the access their code names.
 */
#include "kernel.h"
#include "process.h"
#include "scenario.h"
#include "vw_ntstatus.h"

#define IOCTL(f, access) (0x22u << 16 | (access) << 14 | (0x800u + (f)) << 2)
#define IOCTL_READ       IOCTL(0, 1u)
#define IOCTL_WRITE      IOCTL(1, 2u)
#define IOCTL_CREATES    IOCTL(2, 0u)

static int32_t creates(struct vm *vm, gva_t dev)
{
    uint32_t status;
    int32_t n = -1;
    gva_t file = vw_open_as(vm, VW_PROCESS_SCENARIO, dev, VW_OPEN_READ_WRITE, &status);
    unsigned prev = vw_process_enter(vm, VW_PROCESS_SCENARIO);
    vw_file_ioctl(vm, dev, file, IOCTL_CREATES, NULL, 0, &n, sizeof(n), NULL);
    vw_file_close(vm, dev, file);
    vw_process_enter(vm, prev);
    return n;
}

VW_SCENARIO("harness", checker_device_default_security, "an unprivileged user may open")
{
    if (!vw_driver_load(vm, "badsec"))
        return;
    vw_expect_access_denied(vm, "\\Device\\BadSecLocked", VW_OPEN_READ_WRITE);
    vw_expect_access_denied(vm, "\\Device\\BadSecOpen", VW_OPEN_READ_WRITE);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", security_set_by_driver, NULL)
{
    if (!vw_driver_load(vm, "badsec"))
        return;
    VW_EXPECT(vm, vw_expect_access_denied(vm, "\\Device\\BadSecLocked", VW_GENERIC_READ),
              "locked device open to users");
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadSecLocked");
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    unsigned admin = vw_process_create(vm, VW_TOKEN_ADMIN);
    unsigned service = vw_process_create(vm, VW_TOKEN_SYSTEM);
    uint32_t status;
    gva_t f = vw_open_as(vm, user, dev, VW_GENERIC_READ, &status);
    VW_EXPECT(vm, f == 0 && status == VW_STATUS_ACCESS_DENIED, "user open: 0x%08x", status);
    VW_EXPECT(vm, creates(vm, dev) == 1, "the driver saw the refused open (%d creates)",
              creates(vm, dev));
    f = vw_open_as(vm, admin, dev, VW_OPEN_READ_WRITE, &status);
    VW_EXPECT(vm, f != 0, "administrator open: 0x%08x", status);
    gva_t g = vw_open_as(vm, service, dev, VW_OPEN_READ_WRITE, &status);
    VW_EXPECT(vm, g != 0, "SYSTEM open: 0x%08x", status);
    vw_process_exit(vm, admin);
    vw_process_exit(vm, service);
    vw_process_exit(vm, user);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", security_from_registry, NULL)
{
    if (!vw_driver_load(vm, "badsec"))
        return;
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, NULL, 0);
    /* Users may read, not write; the INF's HKR,,Security line. */
    vw_device_security(vm, pdo, "D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GR;;;BU)");
    if (!vw_add_device(vm, pdo))
        return;
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    uint32_t status;
    gva_t f = vw_open_as(vm, user, pdo, VW_OPEN_READ_WRITE, &status);
    VW_EXPECT(vm, f == 0 && status == VW_STATUS_ACCESS_DENIED, "user read-write open: 0x%08x",
              status);
    f = vw_open_as(vm, user, pdo, VW_GENERIC_READ, &status);
    VW_EXPECT(vm, f != 0, "user read open: 0x%08x", status);
    vw_process_enter(vm, user);
    status = vw_file_ioctl(vm, pdo, f, IOCTL_READ, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "read IOCTL on a read handle: 0x%08x", status);
    status = vw_file_ioctl(vm, pdo, f, IOCTL_WRITE, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_ACCESS_DENIED, "write IOCTL on a read handle: 0x%08x",
              status);
    vw_process_exit(vm, user);
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE) == VW_STATUS_SUCCESS, "remove");
    vw_driver_unload(vm);
}
