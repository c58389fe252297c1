/*
 * The protocol's frame in memory as a real stack may hand it down: one MDL
 * or a chain of several (network/net-buffer: a NET_BUFFER's data is the
 * MdlChain from CurrentMdl, CurrentMdlOffset bytes in, DataLength bytes),
 * each piece in its own pool block so no two pieces are physically adjacent
 * (the SG list then has at least one element per piece).
 */
#include <string.h>

#include "internal.h"
#include "layout.h"

#define LEAD_FILL 0xee /* bytes before the frame in the first MDL: not data */
#define PIECE_GAP 16u  /* pool bytes after each piece, so the next is not contiguous */

/* Where piece I of LEN bytes in LAY's MDLS pieces ends. */
static unsigned cut_at(const struct vw_ndis_layout *lay, unsigned len, unsigned i)
{
    if (i + 1 >= lay->mdls)
        return len;
    if (lay->cuts != NULL)
        return lay->cuts[i] < len ? lay->cuts[i] : len;
    return (unsigned)((uint64_t)len * (i + 1) / lay->mdls);
}

gva_t ndis_send_mdls(struct vm *vm, const uint8_t *f, unsigned len,
                     const struct vw_ndis_layout *lay)
{
    struct vw_ndis_layout one = {1, 0, NULL};
    if (lay == NULL || lay->mdls <= 1)
        lay = lay != NULL ? &(struct vw_ndis_layout){1, lay->lead, NULL} : &one;
    gva_t head = 0, prev = 0;
    for (unsigned i = 0, at = 0; i < lay->mdls && !vm->failed; i++) {
        unsigned end = cut_at(lay, len, i), lead = i == 0 ? lay->lead : 0;
        if (end <= at && i + 1 < lay->mdls) {
            vw_fail(vm, "harness: MDL %u of a split frame would be empty (cuts not increasing)", i);
            break;
        }
        unsigned n = lead + (end - at);
        gva_t buf = vw_pool_alloc(vm, n + PIECE_GAP, NDIS_TAG, "protocol frame", false);
        if (buf == 0) {
            vw_fail(vm, "ndis: no pool for a protocol frame");
            break;
        }
        uint8_t fill[64];
        memset(fill, LEAD_FILL, sizeof(fill));
        for (unsigned k = 0; k < lead; k += sizeof(fill))
            vw_write(vm, buf + k, fill, lead - k < sizeof(fill) ? lead - k : sizeof(fill));
        vw_write(vm, buf + lead, f + at, end - at);
        gva_t mdl = ndis_mdl_build(vm, buf, n);
        if (mdl == 0) {
            vw_pool_free(vm, buf, "protocol frame");
            vw_fail(vm, "ndis: no pool for a protocol MDL");
            break;
        }
        if (prev)
            vw_wrptr(vm, prev + VW_OFFSET(vm, MDL, Next), mdl);
        else
            head = mdl;
        prev = mdl;
        at = end;
    }
    if (vm->failed) {
        ndis_send_mdls_free(vm, head);
        return 0;
    }
    return head;
}

void ndis_send_mdls_free(struct vm *vm, gva_t mdl)
{
    for (unsigned hops = 0; mdl != 0 && hops < NDIS_MAX_SEND_MDLS; hops++) {
        gva_t next = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, Next));
        vw_pool_free(vm, vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa)), "protocol frame");
        vw_pool_free(vm, mdl, "protocol MDL");
        mdl = next;
    }
}
