/*
 * Memory manager constants (wdm.h; values from Microsoft's documented
 * declarations): MDL flags, MmAllocatePagesForMdlEx flags.  Defined once
 * for the harness.
 */
#pragma once

/* MDL.MdlFlags */
#define VW_MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define VW_MDL_PAGES_LOCKED            0x0002
#define VW_MDL_SOURCE_IS_NONPAGED_POOL 0x0004

/* MmAllocatePagesForMdlEx Flags */
#define VW_MM_DONT_ZERO      0x001u
#define VW_MM_FULLY_REQUIRED 0x004u
#define VW_MM_NO_WAIT        0x008u
