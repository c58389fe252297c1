/*
 * The device interface viorngum.dll finds the device by: registered with
 * viorng's GUID (viorng_ioctl.h), enabled once the device runs, still so
 * across a stop/restart (a rebalance pauses the device, it does not go
 * away), disabled on removal.
 */
#include "viorng_test.h"

/* {6393b2fb-56cf-48ec-96a2-b74723750f20} as a GUID lies in memory. */
static const uint8_t viorng_interface_guid[16] = {0xfb, 0xb2, 0x93, 0x63, 0xcf, 0x56, 0xec, 0x48,
                                                  0x96, 0xa2, 0xb7, 0x47, 0x23, 0x75, 0x0f, 0x20};

VW_SCENARIO("viorng", device_interface, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    if (!viorng_start(vm, dev))
        return;
    struct vw_kernel *k = vm->k;
    VW_EXPECT(vm, k->interface_count == 1, "%u device interfaces registered, expected 1",
              k->interface_count);
    if (k->interface_count < 1)
        return;
    VW_EXPECT(vm, memcmp(k->interface_guids[0], viorng_interface_guid, 16) == 0,
              "the interface is not viorng's GUID (viorng_ioctl.h)");
    VW_EXPECT(vm, k->interface_enabled[0], "interface not enabled after START_DEVICE");
    viorng_read_expect(vm, dev, 32);

    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_QUERY_STOP_DEVICE) == 0, "QUERY_STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_STOP_DEVICE) == 0, "STOP failed");
    VW_EXPECT(vm, vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE) == 0, "restart failed");
    VW_EXPECT(vm, k->interface_enabled[0], "interface not enabled after the restart");
    viorng_read_expect(vm, dev, 32);

    VW_EXPECT(vm, vw_close(vm, dev->pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, !k->interface_enabled[0], "interface still enabled after REMOVE_DEVICE");
    vw_driver_unload(vm);
}
