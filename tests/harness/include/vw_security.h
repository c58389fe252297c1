/*
 * Security constants (winnt.h, wdm.h; values from Microsoft's documented
 * declarations): security information, descriptor control bits, ACE
 * types, generic rights and the file object's generic mapping.  Defined
 * once for the harness.
 */
#pragma once

#define VW_DACL_SECURITY_INFORMATION 0x4u

/* SECURITY_DESCRIPTOR.Control */
#define VW_SE_DACL_PRESENT  0x0004u
#define VW_SE_SELF_RELATIVE 0x8000u

/* ACE_HEADER.AceType */
#define VW_ACCESS_ALLOWED_ACE_TYPE 0
#define VW_ACCESS_DENIED_ACE_TYPE  1

/* Generic rights and the file object's generic mapping. */
#define VW_GENERIC_READ         0x80000000u
#define VW_GENERIC_WRITE        0x40000000u
#define VW_GENERIC_EXECUTE      0x20000000u
#define VW_GENERIC_ALL          0x10000000u
#define VW_FILE_GENERIC_READ    0x00120089u
#define VW_FILE_GENERIC_WRITE   0x00120116u
#define VW_FILE_GENERIC_EXECUTE 0x001200a0u
#define VW_FILE_ALL_ACCESS      0x001f01ffu
