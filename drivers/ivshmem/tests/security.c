/*
 * Security by default (issue 20): only SYSTEM and Administrators open the
 * device; the AllowUserAccess device parameter (ivshmem.inx) admits
 * BUILTIN\Users.  "Like Looking Glass" is CreateFile with no desired
 * access, which Windows sends as SYNCHRONIZE | FILE_READ_ATTRIBUTES.
 * user_denied fails on a driver that leaves the default descriptor.
 */
#include "ivshmem_test.h"
#include "process.h"
#include "vw_registry.h"

#define LIKE_LOOKING_GLASS (VW_SYNCHRONIZE | 0x0080u /* FILE_READ_ATTRIBUTES */)

/* ivshmem_started with device parameter AllowUserAccess set first. */
static struct vw_ivshmem *started_with(struct vm *vm, uint32_t type, const void *value,
                                       uint32_t len)
{
    struct vw_ivshmem_config cfg = {.shm_len = SHM_LEN, .vectors = 2, .position = 3};
    struct vw_ivshmem *dev = vw_ivshmem_create(vm, &cfg);
    if (dev == NULL || !vw_driver_load(vm, "ivshmem"))
        return NULL;
    vw_registry_set(vm, dev->pdo, "AllowUserAccess", type, value, len);
    if (!vw_add_device(vm, dev->pdo))
        return NULL;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed: 0x%08x", status);
    return vm->failed ? NULL : dev;
}

/* Opens from PROCESS with ACCESS and maps: the status of the open, or of
 * the mapping. */
static uint32_t open_and_map(struct vm *vm, struct vw_ivshmem *dev, unsigned process,
                             uint32_t access)
{
    uint32_t status;
    gva_t file = vw_open_as(vm, process, dev->pdo, access, &status);
    if (file == 0)
        return status;
    unsigned prev = vw_process_enter(vm, process);
    struct ivshmem_map map;
    status = ivshmem_map(vm, dev, file, 2, &map);
    if (status == 0)
        ivshmem_expect_shared(vm, dev, map.ptr);
    vw_process_enter(vm, prev);
    vw_handle_close(vm, process, file);
    return status;
}

VW_SCENARIO("ivshmem", user_denied, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    if (dev == NULL)
        return;
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    unsigned admin = vw_process_create(vm, VW_TOKEN_ADMIN);
    unsigned system = vw_process_create(vm, VW_TOKEN_SYSTEM);
    uint32_t status = open_and_map(vm, dev, user, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == ST_ACCESS_DENIED, "a user's open for read/write: 0x%08x", status);
    status = open_and_map(vm, dev, user, LIKE_LOOKING_GLASS);
    VW_EXPECT(vm, status == ST_ACCESS_DENIED, "a user's open like Looking Glass: 0x%08x", status);
    status = open_and_map(vm, dev, admin, LIKE_LOOKING_GLASS);
    VW_EXPECT(vm, status == 0, "an administrator's open and map: 0x%08x", status);
    status = open_and_map(vm, dev, system, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == 0, "SYSTEM's open and map: 0x%08x", status);
    vw_process_exit(vm, user);
    vw_process_exit(vm, admin);
    vw_process_exit(vm, system);
    ivshmem_remove_and_unload(vm, dev);
}

VW_SCENARIO("ivshmem", allow_user_access, NULL)
{
    uint32_t one = 1;
    struct vw_ivshmem *dev = started_with(vm, VW_REG_DWORD, &one, 4);
    if (dev == NULL)
        return;
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    uint32_t status = open_and_map(vm, dev, user, LIKE_LOOKING_GLASS);
    VW_EXPECT(vm, status == 0, "a user's open and map with AllowUserAccess: 0x%08x", status);
    status = open_and_map(vm, dev, user, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == 0, "a user's read/write open with AllowUserAccess: 0x%08x", status);
    /* Users may use the device, not change who else may. */
    uint32_t st;
    gva_t file = vw_open_as(vm, user, dev->pdo, 0x00040000u /* WRITE_DAC */, &st);
    VW_EXPECT(vm, file == 0 && st == ST_ACCESS_DENIED, "a user's WRITE_DAC open: 0x%08x", st);
    vw_process_exit(vm, user);
    ivshmem_remove_and_unload(vm, dev);
}

/* A value of the wrong type does not widen anything. */
VW_SCENARIO("ivshmem", allow_user_access_wrong_type, NULL)
{
    static const char text[] = "1\0";
    struct vw_ivshmem *dev = started_with(vm, VW_REG_SZ, text, sizeof(text));
    if (dev == NULL)
        return;
    unsigned user = vw_process_create(vm, VW_TOKEN_USER);
    uint32_t status = open_and_map(vm, dev, user, VW_OPEN_READ_WRITE);
    VW_EXPECT(vm, status == ST_ACCESS_DENIED, "a user's open with a REG_SZ value: 0x%08x", status);
    vw_process_exit(vm, user);
    ivshmem_remove_and_unload(vm, dev);
}
