/*
 * What a StorPort miniport may hand its device, announced to the device
 * models as DMA memory while it lives: the uncached extension ("a common
 * buffer shared by the processor and the device":
 * storport/nf-storport-storportgetuncachedextension) and each request's
 * SRB, SRB extension, data buffer and sense buffer, whose addresses
 * StorPortGetPhysicalAddress and the scatter/gather list give out for DMA
 * (storport/nf-storport-storportgetphysicaladdress,
 * storport/nf-storport-storportgetscattergatherlist).  Without it a virtio
 * device model refuses every descriptor a miniport builds.
 */
#include "internal.h"
#include "ram.h"

/* Announce (ADD) or withdraw [VA, VA+LEN) run by physically contiguous run. */
void stor_dma(struct vm *vm, gva_t va, uint64_t len, bool add)
{
    uint64_t run_pa = 0, run_len = 0;
    for (uint64_t off = 0; va != 0 && off < len;) {
        uint64_t chunk = 0x1000 - ((va + off) & 0xfff);
        if (chunk > len - off)
            chunk = len - off;
        uint64_t pa = vw_ram_pa(vm, va + off);
        if (run_len != 0 && run_pa + run_len == pa) {
            run_len += chunk;
        } else {
            if (run_len != 0)
                vw_dma_announce(vm, run_pa, run_len, add);
            run_pa = pa, run_len = chunk;
        }
        off += chunk;
    }
    if (run_len != 0)
        vw_dma_announce(vm, run_pa, run_len, add);
}
