/*
 * What viostor answers to StorQueryCapabilities as Windows sends it to
 * the disk's PDO (SRB_FUNCTION_PNP, a STOR_DEVICE_CAPABILITIES_EX of
 * version 1 and 24 bytes at DataBuffer: storport/ns-storport-_stor_
 * device_capabilities_ex): the README says SurpriseRemovalOK is set;
 * the emulation decodes the bits and fails the run on reserved ones.
 */
#include "viostor_test.h"

/* The query answered with SurpriseRemovalOK as WANT; on 1 or 4 queues */
static void caps_case(struct vm *vm, uint16_t queues, bool want)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT, .queues = queues};
    if (!vs_start(vm, &d, &o))
        goto out;
    struct vw_stor_caps caps;
    struct vw_stor_result r;
    if (!vw_stor_query_capabilities(vm, &caps, &r))
        goto out;
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && caps.answered,
              "StorQueryCapabilities: SRB status 0x%02x", r.srb_status);
    VW_EXPECT(vm, caps.surprise_removal_ok == want, "SurpriseRemovalOK %u on %u queue(s)",
              caps.surprise_removal_ok, queues);
out:
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", pnp_capabilities_surprise_removal_ok, NULL)
{
    caps_case(vm, 1, true);
}

VW_SCENARIO("viostor", pnp_capabilities_surprise_removal_ok_four_queues, NULL)
{
    caps_case(vm, 4, true);
}

/* Planted twin: asking the bit clear must fail by name */
VW_SCENARIO("viostor", planted_pnp_capabilities_surprise_removal_clear, "SurpriseRemovalOK 1")
{
    caps_case(vm, 1, false);
}
