/*
 * NET_BUFFER_LIST.NetBufferListInfo: pointer-sized slots indexed by
 * NDIS_NET_BUFFER_LIST_INFO (nblinfo/ne-nblinfo-ndis_net_buffer_list_info);
 * the offload structures are unions of ULONG bit fields with a PVOID, so
 * their bits are the slot's low 32 bits.
 */
#include "internal.h"
#include "layout.h"

/* Where NBL's information slot I is. */
static gva_t slot(struct vm *vm, gva_t nbl, unsigned i)
{
    return nbl + VW_OFFSET(vm, NET_BUFFER_LIST, NetBufferListInfo) + (uint64_t)i * vm->ptr_size;
}

uint32_t ndis_nbl_info(struct vm *vm, gva_t nbl, unsigned i)
{
    return (uint32_t)vw_rd(vm, slot(vm, nbl, i), 4);
}

void ndis_nbl_set_info(struct vm *vm, gva_t nbl, unsigned i, uint32_t v)
{
    vw_wrptr(vm, slot(vm, nbl, i), v);
}

unsigned ndis_rsc_slot(struct vm *vm)
{
    return vm->ptr_size == 8 ? VW_NBL_INFO_RSC_64 : VW_NBL_INFO_RSC_32;
}
