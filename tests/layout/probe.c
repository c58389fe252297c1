/*
 * Compiled (never run) for each Windows target with the drivers' flags and
 * headers: the layout values land in section .vwlay, from which the build
 * extracts them for compare.c.
 */
#include <stddef.h>
#include <ntifs.h> /* SE_EXPORTS; it includes ntddk.h */
#include <ntddk.h>
#include <vw/hidport.h>
#include <vw/storport.h>
#include <vw/ndis.h>
#include "layout-list.h"

#define VW_SIZE(T)     (unsigned long long)sizeof(T),
#define VW_FIELD(T, M) (unsigned long long)offsetof(T, M),

__attribute__((section(".vwlay"), used))
const unsigned long long VwLayout[] = {VW_LAYOUT_LIST(VW_SIZE, VW_FIELD)};
