/*
 * Compiler attributes shared by all kernel code.
 *
 * clang does not implement MSVC's #pragma alloc_text, so code placement is
 * done with section attributes.  INIT is linked discardable (/section:INIT,ERD):
 * only code that runs during DriverEntry may live there.
 */
#pragma once

#define VW_INIT_CODE          __attribute__((section("INIT")))
#define VW_NO_STACK_PROTECTOR __attribute__((no_stack_protector))
#define VW_NORETURN           __attribute__((noreturn))

/* Four-character pool tag, written in reading order. */
#define VW_POOL_TAG(a, b, c, d)                                                                    \
    ((ULONG)(a) | ((ULONG)(b) << 8) | ((ULONG)(c) << 16) | ((ULONG)(d) << 24))

#define VW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
