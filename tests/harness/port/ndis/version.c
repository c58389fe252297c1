/*
 * The NDIS version the miniport registered (MajorNdisVersion.MinorNdisVersion
 * of ndis/ns-ndis-_ndis_miniport_driver_characteristics) and the structure
 * revisions it allows: a structure's page names the NDIS version each
 * revision is for, and a miniport of an older version does not know it.
 * NDIS_MINIPORT_DRIVER_CHARACTERISTICS: revision 2 NDIS 6.1, 3 NDIS 6.80;
 * NDIS_OFFLOAD (ntddndis/ns-ntddndis-_ndis_offload): revision 2 NDIS 6.1,
 * 3 NDIS 6.30, 4 NDIS 6.50, 5 NDIS 6.70, 6 NDIS 6.83 (UdpSegmentation).
 */
#include "internal.h"

struct ndis_revisions {
    const char *structure, *page;
    unsigned count;         /* revisions 1..count are documented */
    const uint8_t minor[8]; /* minor[r]: the NDIS 6.x revision r is for */
};

static const struct ndis_revisions revisions[] = {
    [NDIS_REV_CHARACTERISTICS] = {"NDIS_MINIPORT_DRIVER_CHARACTERISTICS",
                                  "ndis/ns-ndis-_ndis_miniport_driver_characteristics",
                                  3,
                                  {0, 0, 1, 80}},
    [NDIS_REV_OFFLOAD] = {"NDIS_OFFLOAD",
                          "ntddndis/ns-ntddndis-_ndis_offload",
                          6,
                          {0, 0, 1, 30, 50, 70, 83}},
};

/* NdisMRegisterMiniportDriver accepted MAJOR.MINOR. */
void ndis_version_set(struct vm *vm, unsigned major, unsigned minor)
{
    struct ndis_state *s = ndis_state(vm);
    s->ndis_major = major;
    s->ndis_minor = minor;
}

/* False, the run failed naming WHERE and the page, when revision REV of
 * structure WHICH is undocumented or newer than the registered version. */
bool ndis_version_allows(struct vm *vm, enum ndis_rev_structure which, unsigned rev,
                         const char *where)
{
    const struct ndis_state *s = ndis_state(vm);
    const struct ndis_revisions *t = &revisions[which];
    if (rev >= 1 && rev <= t->count && t->minor[rev] <= s->ndis_minor)
        return true;
    if (rev < 1 || rev > t->count)
        vw_fail(vm, "%s: %s revision %u is none the page lists (1 to %u: %s)", where, t->structure,
                rev, t->count, t->page);
    else
        vw_fail(vm,
                "%s: %s revision %u is for NDIS 6.%u and later, the miniport registered NDIS "
                "%u.%u (%s)",
                where, t->structure, rev, t->minor[rev], s->ndis_major, s->ndis_minor, t->page);
    return false;
}
