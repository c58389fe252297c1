/*
 * What vioscsi answers to StorQueryCapabilities as Windows sends it to a
 * LUN's PDO (SRB_FUNCTION_PNP, a STOR_DEVICE_CAPABILITIES_EX of version 1
 * and 24 bytes at DataBuffer: storport/ns-storport-_stor_device_
 * capabilities_ex): the README says SurpriseRemovalOK, and Removable with
 * F_HOTPLUG (a LUN the host can take away).  The emulation decodes the
 * bits (port/storport/srbfn.c) and fails the run on reserved ones.
 */
#include "vioscsi_test.h"

/* Capabilities of LUN 0:1 on a device offering F_HOTPLUG or not: the
 * query answered, SurpriseRemovalOK set, Removable as WANT_REMOVABLE. */
static void caps_case(struct vm *vm, bool hotplug, bool want_removable)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!hotplug)
        o.sc.features &= ~(1ull << VIRTIO_SCSI_F_HOTPLUG);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    struct vw_stor_caps caps;
    struct vw_stor_result r;
    vw_stor_address(vm, 0, 1);
    if (!vw_stor_query_capabilities(vm, &caps, &r))
        goto out;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && caps.answered,
              "StorQueryCapabilities: SRB status 0x%02x", r.srb_status);
    VW_EXPECT(vm, caps.surprise_removal_ok, "SurpriseRemovalOK not set (F_HOTPLUG %s)",
              hotplug ? "offered" : "not offered");
    VW_EXPECT(vm, caps.removable == want_removable, "Removable %u with F_HOTPLUG %s",
              caps.removable, hotplug ? "offered" : "not offered");
    vw_stor_address(vm, 0, 0);
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", pnp_capabilities_hotplug, NULL)
{
    caps_case(vm, true, true);
}

VW_SCENARIO("vioscsi", pnp_capabilities_no_hotplug, NULL)
{
    caps_case(vm, false, false);
}

/* Planted twin: asking Removable clear with F_HOTPLUG offered must fail
 * by name */
VW_SCENARIO("vioscsi", planted_pnp_capabilities_removable_inverted, "Removable 1")
{
    caps_case(vm, true, false);
}
