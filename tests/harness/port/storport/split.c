/*
 * The class layer's split of a transfer above the adapter's limit: a disk
 * class driver reads MaximumTransferLength from the adapter descriptor
 * (storage/ns-ntddstor-_storage_adapter_descriptor: "the maximum number
 * of bytes the storage adapter can transfer in a single operation") and
 * sends a larger READ/WRITE as several, each within it, one after the
 * other.  Only READ(16)/WRITE(16) are split here, at whole blocks.
 */
#include <string.h>
#include "internal.h"

/* Big-endian N bytes at P. */
static uint64_t get_be(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Big-endian V into N bytes at P. */
static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

bool vw_stor_scsi_split(struct vm *vm, const uint8_t *cdb16, uint32_t block, void *buf,
                        uint32_t len, bool data_in, struct vw_stor_result *res, unsigned *pieces)
{
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    *pieces = 0;
    if ((cdb16[0] != 0x88 && cdb16[0] != 0x8a) || block == 0 || len % block != 0 ||
        st.max_transfer < block) {
        vw_fail(vm, "harness: vw_stor_scsi_split takes READ(16)/WRITE(16) of whole blocks "
                    "within a limit of at least one block");
        return false;
    }
    uint32_t step = st.max_transfer / block * block;
    uint64_t lba = get_be(cdb16 + 2, 8);
    memset(res, 0, sizeof(*res));
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < step ? len - done : step;
        uint8_t c[16];
        memcpy(c, cdb16, 16);
        put_be(c + 2, lba + done / block, 8);
        put_be(c + 10, n / block, 4);
        if (!vw_stor_scsi(vm, c, 16, (uint8_t *)buf + done, n, data_in, res) || vm->failed)
            return false;
        ++*pieces;
        uint32_t moved = res->transferred;
        if ((res->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
            return true; /* the failed piece's result ends it, as the class driver's would */
        res->transferred = done + moved;
        done += n;
    }
    return true;
}
