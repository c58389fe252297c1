/*
 * ARM64 additions to the mingw-w64 ntddk.h (included by the generated copy,
 * see arch/arm64/gen-ddk.py).  Only what drivers use: stack sizes, the
 * address-range variables and the exception-fault codes.
 */
#pragma once

#define PAUSE_PROCESSOR YieldProcessor();

#define KERNEL_STACK_SIZE               0x6000
#define KERNEL_LARGE_STACK_SIZE         0x12000
#define KERNEL_LARGE_STACK_COMMIT       KERNEL_STACK_SIZE
#define KERNEL_MCA_EXCEPTION_STACK_SIZE 0x2000

#define EXCEPTION_READ_FAULT    0
#define EXCEPTION_WRITE_FAULT   1
#define EXCEPTION_EXECUTE_FAULT 8

extern NTKERNELAPI PVOID MmHighestUserAddress;
extern NTKERNELAPI PVOID MmSystemRangeStart;
extern NTKERNELAPI ULONG64 MmUserProbeAddress;

#define MM_HIGHEST_USER_ADDRESS  MmHighestUserAddress
#define MM_SYSTEM_RANGE_START    MmSystemRangeStart
#define MM_USER_PROBE_ADDRESS    MmUserProbeAddress
#define MM_LOWEST_USER_ADDRESS   (PVOID)0x10000
#define MM_LOWEST_SYSTEM_ADDRESS (PVOID)0xFFFF080000000000ULL
