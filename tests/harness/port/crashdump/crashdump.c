/*
 * KeInitializeCrashDumpHeader, as a plug-in API group (api.h): the harness's stand-in for the
 * header Windows builds for a crash dump (DUMP_HEADER32, one page, on x86; DUMP_HEADER64, two
 * pages, elsewhere).  The real header's identifying words are where Windows puts them ("PAGE" +
 * "DUMP"/"DU64", the machine type, DumpType); the rest is a deterministic pattern, so a device
 * model can check that what reached it is exactly what the kernel produced (vw_crash_dump_header).
 * Documented: DumpType must be DUMP_TYPE_FULL (1), Flags 0, any IRQL; BufferNeeded is optional.
 */
#include <string.h>
#include "abi.h"
#include "crashdump.h"
#include "kernel.h"

#define DUMP_TYPE_FULL             1
#define VW_STATUS_INVALID_PARAM    0xc000000du
#define VW_STATUS_BUFFER_TOO_SMALL 0xc0000023u

uint32_t vw_crash_dump_header_size(struct vm *vm)
{
    return vm->arch == VW_X86 ? 0x1000 : 0x2000;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4); /* the harness host and every guest are little-endian */
}

void vw_crash_dump_header(struct vm *vm, uint8_t *out)
{
    uint32_t size = vw_crash_dump_header_size(vm);
    bool is64 = vm->arch != VW_X86;
    static const uint16_t machine[VW_ARCH_COUNT] = {0x014c, 0x8664, 0xaa64};

    for (uint32_t i = 0; i < size; i++)
        out[i] = (uint8_t)(i * 7 + 0x5a);
    memcpy(out, "PAGE", 4);
    memcpy(out + 4, is64 ? "DU64" : "DUMP", 4);
    put32(out + (is64 ? 0x30 : 0x20), machine[vm->arch]);
    put32(out + (is64 ? 0xf98 : 0xf88), DUMP_TYPE_FULL);
}

static void KeInitializeCrashDumpHeader(struct vm *vm, const struct vw_api *api)
{
    uint32_t type = (uint32_t)vw_arg(vm, api, 0), flags = (uint32_t)vw_arg(vm, api, 1);
    gva_t buffer = vw_arg(vm, api, 2), needed_out = vw_arg(vm, api, 4);
    uint32_t size = (uint32_t)vw_arg(vm, api, 3), needed = vw_crash_dump_header_size(vm);
    uint8_t header[0x2000];

    if (type != DUMP_TYPE_FULL || flags != 0) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAM);
        return;
    }
    if (needed_out != 0)
        vw_wr(vm, needed_out, needed, 4);
    if (size < needed) {
        vw_set_return(vm, VW_STATUS_BUFFER_TOO_SMALL);
        return;
    }
    vw_crash_dump_header(vm, header);
    vw_write(vm, buffer, header, needed);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

static const struct vw_api apis[] = {
    /* name, arches, x86 convention, args, 64-bit args, max IRQL, handler */
    {"KeInitializeCrashDumpHeader", VW_ALL_ARCHES, VW_STDCALL, 5, 0, VW_HIGH_LEVEL,
     KeInitializeCrashDumpHeader},
};

VW_API_GROUP(crashdump, apis)
