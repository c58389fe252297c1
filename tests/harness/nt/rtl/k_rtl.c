/*
 * The C runtime routines ntoskrnl exports.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"

static void copy(struct vm *vm, const struct vw_api *api, bool may_overlap)
{
    gva_t dst = vw_arg(vm, api, 0), src = vw_arg(vm, api, 1);
    uint64_t n = vw_arg(vm, api, 2);
    if (!may_overlap && n != 0 && dst < src + n && src < dst + n) {
        vw_fail(vm, "memcpy with overlapping buffers (0x%" PRIx64 ", 0x%" PRIx64 ", %" PRIu64 ")",
                dst, src, n);
        return;
    }
    void *buf = malloc(n ? n : 1);
    if (buf != NULL && vw_read(vm, src, buf, n))
        vw_write(vm, dst, buf, n);
    free(buf);
    vw_set_return(vm, dst);
}

void vw_memcpy(struct vm *vm, const struct vw_api *api)
{
    copy(vm, api, false);
}

void vw_memmove(struct vm *vm, const struct vw_api *api)
{
    copy(vm, api, true);
}

void vw_memset(struct vm *vm, const struct vw_api *api)
{
    gva_t dst = vw_arg(vm, api, 0);
    uint64_t n = vw_arg(vm, api, 2);
    void *buf = malloc(n ? n : 1);
    if (buf != NULL) {
        memset(buf, (int)(vw_arg(vm, api, 1) & 0xff), n);
        vw_write(vm, dst, buf, n);
    }
    free(buf);
    vw_set_return(vm, dst);
}
