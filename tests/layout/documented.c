/*
 * Compiled (never run) for x86 and amd64 with no Windows headers at all: the
 * values of the pinned entries of documented-list.h (S, F and SX), computed from the
 * declarations in documented.h, land in section .vwdoc, from which the build
 * extracts them for compare.c.
 */
#include "documented.h"
#include "documented-list.h"

#define VW_SIZE(T)       (unsigned long long)sizeof(T),
#define VW_FIELD(T, M)   (unsigned long long)offsetof(T, M),
#define VW_UNDOC_SIZE(T) /* not documented: no value */
#define VW_UNDOC_FIELD(T, M)

__attribute__((section(".vwdoc"), used)) const unsigned long long VwDocumented[] = {
    VW_DOCUMENTED_LIST(VW_SIZE, VW_FIELD, VW_UNDOC_SIZE, VW_UNDOC_FIELD, VW_SIZE)};
