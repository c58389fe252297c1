/*
 * The drivers' side of the constants table, compiled (never run) for each
 * Windows target with the drivers' flags and headers: the mingw-w64 DDK,
 * common/include/vw and the drivers' own headers that define Windows
 * constants.  Each entry the drivers define lands in section .vwconst as
 * {the header's value, the documented value}, in table order; compare.c
 * names them.
 */
#include <ntifs.h>
#include <ntddk.h>
#include <vw/hidport.h>
#include <vw/storport.h>
#include <vw/ndis.h>
#include "../../drivers/viostor/vblk.h"

/* A value that differs by arch: a on 64-bit targets, b on x86. */
#define VW_P64(a, b) (sizeof(void *) == 8 ? (a) : (b))

#define VW_PAIR(d, v)  {(long long)(d), (long long)(v)},
#define K(n, h, v)     VW_PAIR(n, v)
#define KD(n, v)       VW_PAIR(n, v)
#define KX(n, d, h, v) VW_PAIR(d, v)
#define KXD(n, d, v)   VW_PAIR(d, v)
#define KH(n, h, v)

__attribute__((section(".vwconst"), used)) const long long VwConstants[][2] = {
#include "table.h"
};
