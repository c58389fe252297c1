/*
 * TEMPORARY (deleted when h-stor4's registry routines reach main): the
 * three StorPort registry routines vioscsi imports, answering "no value"
 * so a miniport falls back to its defaults.  Only so vioscsi loads.
 */
#include "internal.h"

/* storport/nf-storport-storportallocateregistrybuffer: none (NULL, length 0). */
static void vw_StorPortAllocateRegistryBuffer(struct vm *vm, const struct vw_api *api)
{
    gva_t len = vw_arg(vm, api, 1);
    if (len != 0)
        vw_wr(vm, len, 0, 4);
    vw_set_return(vm, 0);
}

/* storport/nf-storport-storportregistryread: the value is absent. */
static void vw_StorPortRegistryRead(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, 0);
}

/* storport/nf-storport-storportfreeregistrybuffer: nothing was allocated. */
static void vw_StorPortFreeRegistryBuffer(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, 0);
}

static const struct vw_api stor_regstub_apis[] = {
    {"StorPortAllocateRegistryBuffer", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_PASSIVE_LEVEL,
     vw_StorPortAllocateRegistryBuffer},
    {"StorPortRegistryRead", VW_ALL_ARCHES, VW_STDCALL, 6, 0, VW_PASSIVE_LEVEL,
     vw_StorPortRegistryRead},
    {"StorPortFreeRegistryBuffer", VW_ALL_ARCHES, VW_STDCALL, 2, 0, VW_PASSIVE_LEVEL,
     vw_StorPortFreeRegistryBuffer},
};

VW_API_GROUP(storport_regstub, stor_regstub_apis)
