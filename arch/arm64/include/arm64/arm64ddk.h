/*
 * ARM64 kernel definitions for the mingw-w64 wdm.h, which has none.
 *
 * Included by the generated wdm.h (arch/arm64/gen-ddk.py) in place of the
 * amd64 section.  Written from Microsoft's documentation of the ARM64 kernel
 * interface:
 *  - IRQL is not read from the KPCR (x18) because the ARM64 KPCR layout is
 *    not public; the documented ntoskrnl exports are used instead.
 *  - Device register access is "dsb sy" followed by one access of exactly
 *    the register's width, the pattern Microsoft publishes for ARM.
 *  - ARM64 has no I/O port space, so READ/WRITE_PORT_* do not exist.
 */
#pragma once

#define PASSIVE_LEVEL  0
#define LOW_LEVEL      0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define SYNCH_LEVEL    12
#define CLOCK_LEVEL    13
#define IPI_LEVEL      14
#define DRS_LEVEL      14
#define POWER_LEVEL    14
#define PROFILE_LEVEL  15
#define HIGH_LEVEL     15

#define KI_USER_SHARED_DATA 0xFFFFF78000000000ULL
#define SharedUserData      ((PKUSER_SHARED_DATA const)KI_USER_SHARED_DATA)

#define PAGE_SIZE  0x1000
#define PAGE_SHIFT 12L

typedef struct _KFLOATING_SAVE {
    ULONG Dummy;
} KFLOATING_SAVE, *PKFLOATING_SAVE;

#define KeGetDcacheFillSize() 1L

NTKERNELAPI KIRQL NTAPI KeGetCurrentIrql(VOID);
NTKERNELAPI VOID NTAPI KeLowerIrql(KIRQL NewIrql);
NTKERNELAPI KIRQL NTAPI KfRaiseIrql(KIRQL NewIrql);
#define KeRaiseIrql(a, b) *(b) = KfRaiseIrql(a)
NTKERNELAPI KIRQL NTAPI KeRaiseIrqlToDpcLevel(VOID);
NTKERNELAPI KIRQL NTAPI KeRaiseIrqlToSynchLevel(VOID);
NTKERNELAPI PKTHREAD NTAPI KeGetCurrentThread(VOID);

/* x18 holds the KPCR in kernel mode; only the pointer itself is offered. */
FORCEINLINE PVOID Arm64ReadPcr(VOID)
{
    PVOID pcr;
    __asm__ __volatile__("mov %0, x18" : "=r"(pcr));
    return pcr;
}

/* Coherent DMA on every ARM64 Windows platform: nothing to flush. */
#define KeFlushIoBuffers(_Mdl, _ReadOperation, _DmaOperation)

#define KeMemoryBarrier()             __asm__ __volatile__("dmb ish" ::: "memory")
#define KeMemoryBarrierWithoutFence() __asm__ __volatile__("" ::: "memory")
#define YieldProcessor()              __asm__ __volatile__("yield" ::: "memory")
#define DbgRaiseAssertionFailure()    __asm__ __volatile__("brk #0xf001")

/* Register access.  The no-fence forms are one exact-width access; the
 * ordinary forms first wait for all earlier memory accesses (dsb sy) so a
 * doorbell never overtakes the ring writes it announces. */
#define REGISTER_FENCE() __asm__ __volatile__("dsb sy" ::: "memory")

#define ARM64_DDK_REGISTER_ACCESS(TYPE, SUFFIX, REG)                                               \
    FORCEINLINE TYPE READ_REGISTER_NOFENCE_##TYPE(volatile TYPE *Register)                         \
    {                                                                                              \
        TYPE value;                                                                                \
        __asm__ __volatile__("ldr" SUFFIX " %" REG "0, [%1]"                                       \
                             : "=r"(value)                                                         \
                             : "r"(Register)                                                       \
                             : "memory");                                                          \
        return value;                                                                              \
    }                                                                                              \
    FORCEINLINE VOID WRITE_REGISTER_NOFENCE_##TYPE(volatile TYPE *Register, TYPE Value)            \
    {                                                                                              \
        __asm__ __volatile__("str" SUFFIX " %" REG "0, [%1]"                                       \
                             :                                                                     \
                             : "r"(Value), "r"(Register)                                           \
                             : "memory");                                                          \
    }                                                                                              \
    FORCEINLINE TYPE READ_REGISTER_##TYPE(volatile TYPE *Register)                                 \
    {                                                                                              \
        REGISTER_FENCE();                                                                          \
        return READ_REGISTER_NOFENCE_##TYPE(Register);                                             \
    }                                                                                              \
    FORCEINLINE VOID WRITE_REGISTER_##TYPE(volatile TYPE *Register, TYPE Value)                    \
    {                                                                                              \
        REGISTER_FENCE();                                                                          \
        WRITE_REGISTER_NOFENCE_##TYPE(Register, Value);                                            \
    }                                                                                              \
    FORCEINLINE VOID READ_REGISTER_BUFFER_##TYPE(volatile TYPE *Register, TYPE *Buffer,            \
                                                 ULONG Count)                                      \
    {                                                                                              \
        REGISTER_FENCE();                                                                          \
        while (Count--)                                                                            \
            *Buffer++ = READ_REGISTER_NOFENCE_##TYPE(Register++);                                  \
    }                                                                                              \
    FORCEINLINE VOID WRITE_REGISTER_BUFFER_##TYPE(volatile TYPE *Register, TYPE *Buffer,           \
                                                  ULONG Count)                                     \
    {                                                                                              \
        REGISTER_FENCE();                                                                          \
        while (Count--)                                                                            \
            WRITE_REGISTER_NOFENCE_##TYPE(Register++, *Buffer++);                                  \
    }

ARM64_DDK_REGISTER_ACCESS(UCHAR, "b", "w")
ARM64_DDK_REGISTER_ACCESS(USHORT, "h", "w")
ARM64_DDK_REGISTER_ACCESS(ULONG, "", "w")
ARM64_DDK_REGISTER_ACCESS(ULONG64, "", "x")
