/*
 * The API table: data only.  x86 conventions and argument counts follow
 * the x86 .def files under arch/ (Name@N = stdcall with N bytes, @Name@N = fastcall, plain =
 * cdecl); IRQL limits are the ones Microsoft documents for each routine.
 * A routine missing here (and in every plug-in group, tests/harness/port/)
 * makes every image importing it fail to load, with the list of such
 * imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel.h"

#define ALL   VW_ALL_ARCHES
#define X86   VW_ARCH_BIT(VW_X86)
#define ARM64 VW_ARCH_BIT(VW_ARM64)
#define P     VW_PASSIVE_LEVEL
#define A     VW_APC_LEVEL
#define D     VW_DISPATCH_LEVEL
#define H     VW_HIGH_LEVEL

static const struct vw_api table[] = {
    /* name, arches, x86 convention, args, 64-bit args, max IRQL, handler */
    {"ExAllocatePoolWithTag", ALL, VW_STDCALL, 3, 0, D, vw_ExAllocatePoolWithTag},
    {"ExAllocatePool2", ALL, VW_STDCALL, 3, 1u << 0, D, vw_ExAllocatePool2},
    {"ExFreePoolWithTag", ALL, VW_STDCALL, 2, 0, D, vw_ExFreePoolWithTag},
    {"ExFreePool", ALL, VW_STDCALL, 1, 0, D, vw_ExFreePool},

    {"IoCreateDevice", ALL, VW_STDCALL, 7, 0, P, vw_IoCreateDevice},
    {"IoDeleteDevice", ALL, VW_STDCALL, 1, 0, P, vw_IoDeleteDevice},
    {"IoAttachDeviceToDeviceStack", ALL, VW_STDCALL, 2, 0, D, vw_IoAttachDeviceToDeviceStack},
    {"IoDetachDevice", ALL, VW_STDCALL, 1, 0, P, vw_IoDetachDevice},
    {"IofCallDriver", ALL, VW_FASTCALL, 2, 0, D, vw_IofCallDriver},
    {"IofCompleteRequest", ALL, VW_FASTCALL, 2, 0, D, vw_IofCompleteRequest},
    {"PoCallDriver", ALL, VW_STDCALL, 2, 0, D, vw_PoCallDriver},
    {"PoStartNextPowerIrp", ALL, VW_STDCALL, 1, 0, D, vw_PoStartNextPowerIrp},

    {"IoInitializeRemoveLockEx", ALL, VW_STDCALL, 5, 0, P, vw_IoInitializeRemoveLockEx},
    {"IoAcquireRemoveLockEx", ALL, VW_STDCALL, 5, 0, D, vw_IoAcquireRemoveLockEx},
    {"IoReleaseRemoveLockEx", ALL, VW_STDCALL, 3, 0, D, vw_IoReleaseRemoveLockEx},
    {"IoReleaseRemoveLockAndWaitEx", ALL, VW_STDCALL, 3, 0, P, vw_IoReleaseRemoveLockAndWaitEx},

    {"KeInitializeEvent", ALL, VW_STDCALL, 3, 0, H, vw_KeInitializeEvent},
    {"KeSetEvent", ALL, VW_STDCALL, 3, 0, D, vw_KeSetEvent},
    {"KeWaitForSingleObject", ALL, VW_STDCALL, 5, 0, D, vw_KeWaitForSingleObject},

    /* IRQL: imports on x86 (hal, fastcall) and arm64; inline CR8 on amd64. */
    {"KeGetCurrentIrql", X86 | ARM64, VW_STDCALL, 0, 0, H, vw_KeGetCurrentIrql},
    {"KfRaiseIrql", X86 | ARM64, VW_FASTCALL, 1, 0, H, vw_KfRaiseIrql},
    {"KeRaiseIrqlToDpcLevel", ARM64, VW_STDCALL, 0, 0, D, vw_KeRaiseIrqlToDpcLevel},
    {"KfLowerIrql", X86, VW_FASTCALL, 1, 0, H, vw_KfLowerIrql},
    {"KeLowerIrql", ARM64, VW_STDCALL, 1, 0, H, vw_KfLowerIrql},

    {"MmMapIoSpace", ALL, VW_STDCALL, 3, 1u << 0, D, vw_MmMapIoSpace},
    {"MmUnmapIoSpace", ALL, VW_STDCALL, 2, 0, D, vw_MmUnmapIoSpace},
    /* IRQL: APC_LEVEL, DISPATCH_LEVEL with MM_ALLOCATE_NO_WAIT (checked inside). */
    {"MmAllocatePagesForMdlEx", ALL, VW_STDCALL, 6, 7u, D, vw_MmAllocatePagesForMdlEx},
    {"MmFreePagesFromMdl", ALL, VW_STDCALL, 1, 0, D, vw_MmFreePagesFromMdl},
    {"MmGetSystemRoutineAddress", ALL, VW_STDCALL, 1, 0, P, vw_MmGetSystemRoutineAddress},
    /* Windows 10 2004+: reached through MmGetSystemRoutineAddress only. */
    {"MmGetPhysicalMemoryRangesEx2", ALL, VW_STDCALL, 2, 0, P, vw_MmGetPhysicalMemoryRangesEx2},
    /* x86 register and port accessors are imports; amd64/arm64 inline them. */
    {"READ_REGISTER_UCHAR", X86, VW_STDCALL, 1, 0, H, vw_READ_REGISTER_UCHAR},
    {"WRITE_REGISTER_UCHAR", X86, VW_STDCALL, 2, 0, H, vw_WRITE_REGISTER_UCHAR},
    {"READ_PORT_UCHAR", X86, VW_STDCALL, 1, 0, H, vw_READ_PORT_UCHAR},
    {"WRITE_PORT_UCHAR", X86, VW_STDCALL, 2, 0, H, vw_WRITE_PORT_UCHAR},

    {"READ_REGISTER_USHORT", X86, VW_STDCALL, 1, 0, H, vw_READ_REGISTER_USHORT},
    {"READ_REGISTER_ULONG", X86, VW_STDCALL, 1, 0, H, vw_READ_REGISTER_ULONG},
    {"WRITE_REGISTER_USHORT", X86, VW_STDCALL, 2, 0, H, vw_WRITE_REGISTER_USHORT},
    {"WRITE_REGISTER_ULONG", X86, VW_STDCALL, 2, 0, H, vw_WRITE_REGISTER_ULONG},
    {"READ_PORT_USHORT", X86, VW_STDCALL, 1, 0, H, vw_READ_PORT_USHORT},
    {"READ_PORT_ULONG", X86, VW_STDCALL, 1, 0, H, vw_READ_PORT_ULONG},
    {"WRITE_PORT_USHORT", X86, VW_STDCALL, 2, 0, H, vw_WRITE_PORT_USHORT},
    {"WRITE_PORT_ULONG", X86, VW_STDCALL, 2, 0, H, vw_WRITE_PORT_ULONG},

    {"KeClearEvent", ALL, VW_STDCALL, 1, 0, D, vw_KeClearEvent},
    {"KeReadStateEvent", ALL, VW_STDCALL, 1, 0, D, vw_KeReadStateEvent},
    {"IoCreateNotificationEvent", ALL, VW_STDCALL, 2, 0, P, vw_IoCreateNotificationEvent},

    {"IoConnectInterruptEx", ALL, VW_STDCALL, 1, 0, P, vw_IoConnectInterruptEx},
    {"IoDisconnectInterruptEx", ALL, VW_STDCALL, 1, 0, P, vw_IoDisconnectInterruptEx},
    {"KeInitializeDpc", ALL, VW_STDCALL, 3, 0, H, vw_KeInitializeDpc},
    {"KeInsertQueueDpc", ALL, VW_STDCALL, 3, 0, H, vw_KeInsertQueueDpc},
    {"KeRemoveQueueDpc", ALL, VW_STDCALL, 1, 0, H, vw_KeRemoveQueueDpc},
    {"KeFlushQueuedDpcs", ALL, VW_STDCALL, 0, 0, P, vw_KeFlushQueuedDpcs},
    {"KeSetTargetProcessorDpcEx", ALL, VW_STDCALL, 2, 0, H, vw_KeSetTargetProcessorDpcEx},
    {"KeSetTargetProcessorDpc", ALL, VW_STDCALL, 2, 0, H, vw_KeSetTargetProcessorDpc},
    {"KeGetCurrentProcessorNumberEx", ALL, VW_STDCALL, 1, 0, H, vw_KeGetCurrentProcessorNumberEx},
    {"KeQueryActiveProcessorCountEx", ALL, VW_STDCALL, 1, 0, H, vw_KeQueryActiveProcessorCountEx},
    {"KeQueryMaximumProcessorCountEx", ALL, VW_STDCALL, 1, 0, H, vw_KeQueryMaximumProcessorCountEx},
    {"KeGetProcessorNumberFromIndex", ALL, VW_STDCALL, 2, 0, H, vw_KeGetProcessorNumberFromIndex},
    {"KeQueryActiveProcessorCount", ALL, VW_STDCALL, 1, 0, H, vw_KeQueryActiveProcessorCount},
    {"KeGetCurrentProcessorNumber", X86, VW_STDCALL, 0, 0, H, vw_KeGetCurrentProcessorNumber},
    {"KeSynchronizeExecution", ALL, VW_STDCALL, 3, 0, H, vw_KeSynchronizeExecution},
    {"KeAcquireInterruptSpinLock", ALL, VW_STDCALL, 1, 0, H, vw_KeAcquireInterruptSpinLock},
    {"KeReleaseInterruptSpinLock", ALL, VW_STDCALL, 2, 0, H, vw_KeReleaseInterruptSpinLock},

    {"IoGetDmaAdapter", ALL, VW_STDCALL, 3, 0, P, vw_IoGetDmaAdapter},

    /* Spin locks: x86 has the fastcall Kf/Kef forms (hal/ntoskrnl). */
    {"KeAcquireSpinLockRaiseToDpc", VW_ALL_ARCHES & ~X86, VW_STDCALL, 1, 0, D,
     vw_KeAcquireSpinLockRaiseToDpc},
    {"KeReleaseSpinLock", VW_ALL_ARCHES & ~X86, VW_STDCALL, 2, 0, D, vw_KeReleaseSpinLock},
    {"KfAcquireSpinLock", X86, VW_FASTCALL, 1, 0, D, vw_KeAcquireSpinLockRaiseToDpc},
    {"KfReleaseSpinLock", X86, VW_FASTCALL, 2, 0, D, vw_KeReleaseSpinLock},
    {"KeAcquireSpinLockAtDpcLevel", VW_ALL_ARCHES & ~X86, VW_STDCALL, 1, 0, D,
     vw_KeAcquireSpinLockAtDpcLevel},
    {"KeReleaseSpinLockFromDpcLevel", VW_ALL_ARCHES & ~X86, VW_STDCALL, 1, 0, D,
     vw_KeReleaseSpinLockFromDpcLevel},
    {"KefAcquireSpinLockAtDpcLevel", X86, VW_FASTCALL, 1, 0, D, vw_KeAcquireSpinLockAtDpcLevel},
    {"KefReleaseSpinLockFromDpcLevel", X86, VW_FASTCALL, 1, 0, D, vw_KeReleaseSpinLockFromDpcLevel},
    {"KeAcquireInStackQueuedSpinLock", ALL, VW_FASTCALL, 2, 0, D,
     vw_KeAcquireInStackQueuedSpinLock},
    {"KeReleaseInStackQueuedSpinLock", ALL, VW_FASTCALL, 1, 0, D,
     vw_KeReleaseInStackQueuedSpinLock},

    {"KeStallExecutionProcessor", ALL, VW_STDCALL, 1, 0, H, vw_KeStallExecutionProcessor},
    {"KeQueryInterruptTime", X86 | ARM64, VW_STDCALL, 0, 0, H, vw_KeQueryInterruptTime},
    {"KeQuerySystemTime", X86 | ARM64, VW_STDCALL, 1, 0, H, vw_KeQuerySystemTime},
    {"KeQueryPerformanceCounter", ALL, VW_STDCALL, 1, 0, H, vw_KeQueryPerformanceCounter},

    {"IoGetAttachedDeviceReference", ALL, VW_STDCALL, 1, 0, D, vw_IoGetAttachedDeviceReference},
    {"ObfDereferenceObject", ALL, VW_FASTCALL, 1, 0, D, vw_ObfDereferenceObject},
    {"IoBuildSynchronousFsdRequest", ALL, VW_STDCALL, 7, 0, P, vw_IoBuildSynchronousFsdRequest},
    {"IoRegisterDeviceInterface", ALL, VW_STDCALL, 4, 0, P, vw_IoRegisterDeviceInterface},
    {"IoSetDeviceInterfaceState", ALL, VW_STDCALL, 2, 0, P, vw_IoSetDeviceInterfaceState},
    {"RtlFreeUnicodeString", ALL, VW_STDCALL, 1, 0, P, vw_RtlFreeUnicodeString},
    {"RtlInitUnicodeString", ALL, VW_STDCALL, 2, 0, D, vw_RtlInitUnicodeString},
    {"RtlCmDecodeMemIoResource", ALL, VW_STDCALL, 2, 0, H, vw_RtlCmDecodeMemIoResource},
    {"PoSetPowerState", ALL, VW_STDCALL, 3, 0, D, vw_PoSetPowerState},
    {"PoRequestPowerIrp", ALL, VW_STDCALL, 6, 0, D, vw_PoRequestPowerIrp},

    /* User-mode event handles (k_ob.c; ObReferenceObjectByHandle is with
     * the system threads below) and the caller's bitness. */
    {"ExEventObjectType", ALL, VW_DATA, 0, 0, H, vw_DataImportCalled},
    {"IoIs32bitProcess", VW_ALL_ARCHES & ~X86, VW_STDCALL, 1, 0, D, vw_IoIs32bitProcess},
    {"IoCreateSymbolicLink", ALL, VW_STDCALL, 2, 0, P, vw_IoCreateSymbolicLink},
    {"IoDeleteSymbolicLink", ALL, VW_STDCALL, 1, 0, P, vw_IoDeleteSymbolicLink},
    {"IoAcquireCancelSpinLock", ALL, VW_STDCALL, 1, 0, D, vw_IoAcquireCancelSpinLock},
    {"IoReleaseCancelSpinLock", ALL, VW_STDCALL, 1, 0, D, vw_IoReleaseCancelSpinLock},

    {"IoOpenDeviceRegistryKey", ALL, VW_STDCALL, 4, 0, P, vw_IoOpenDeviceRegistryKey},
    {"ZwQueryValueKey", ALL, VW_STDCALL, 6, 0, P, vw_ZwQueryValueKey},
    {"ZwClose", ALL, VW_STDCALL, 1, 0, P, vw_ZwClose},

    /* Timers on the virtual clock, waits, delays (k_timer.c, k_wait.c). */
    {"KeInitializeTimer", ALL, VW_STDCALL, 1, 0, H, vw_KeInitializeTimer},
    {"KeInitializeTimerEx", ALL, VW_STDCALL, 2, 0, H, vw_KeInitializeTimerEx},
    {"KeSetTimer", ALL, VW_STDCALL, 3, 1u << 1, D, vw_KeSetTimer},
    {"KeSetTimerEx", ALL, VW_STDCALL, 4, 1u << 1, D, vw_KeSetTimerEx},
    {"KeCancelTimer", ALL, VW_STDCALL, 1, 0, D, vw_KeCancelTimer},
    {"KeReadStateTimer", ALL, VW_STDCALL, 1, 0, D, vw_KeReadStateTimer},
    {"KeWaitForMultipleObjects", ALL, VW_STDCALL, 8, 0, D, vw_KeWaitForMultipleObjects},
    {"KeDelayExecutionThread", ALL, VW_STDCALL, 3, 0, A, vw_KeDelayExecutionThread},

    /* Work items (k_workitem.c). */
    {"IoAllocateWorkItem", ALL, VW_STDCALL, 1, 0, D, vw_IoAllocateWorkItem},
    {"IoFreeWorkItem", ALL, VW_STDCALL, 1, 0, D, vw_IoFreeWorkItem},
    {"IoQueueWorkItem", ALL, VW_STDCALL, 4, 0, D, vw_IoQueueWorkItem},
    {"IoQueueWorkItemEx", ALL, VW_STDCALL, 4, 0, D, vw_IoQueueWorkItemEx},
    {"IoSizeofWorkItem", ALL, VW_STDCALL, 0, 0, H, vw_IoSizeofWorkItem},
    {"IoInitializeWorkItem", ALL, VW_STDCALL, 2, 0, H, vw_IoInitializeWorkItem},
    {"IoUninitializeWorkItem", ALL, VW_STDCALL, 1, 0, H, vw_IoUninitializeWorkItem},

    /* System threads (k_thread.c); ZwClose and ObfDereferenceObject take
     * their handles and references too. */
    {"PsCreateSystemThread", ALL, VW_STDCALL, 7, 0, P, vw_PsCreateSystemThread},
    {"PsTerminateSystemThread", ALL, VW_STDCALL, 1, 0, P, vw_PsTerminateSystemThread},
    {"ObReferenceObjectByHandle", ALL, VW_STDCALL, 6, 0, P, vw_ObReferenceObjectByHandle},

    /* MDLs (k_mdl.c). */
    {"IoAllocateMdl", ALL, VW_STDCALL, 5, 0, D, vw_IoAllocateMdl},
    {"IoFreeMdl", ALL, VW_STDCALL, 1, 0, D, vw_IoFreeMdl},
    {"MmBuildMdlForNonPagedPool", ALL, VW_STDCALL, 1, 0, D, vw_MmBuildMdlForNonPagedPool},
    {"MmProbeAndLockPages", ALL, VW_STDCALL, 3, 0, D, vw_MmProbeAndLockPages},
    {"MmUnlockPages", ALL, VW_STDCALL, 1, 0, D, vw_MmUnlockPages},
    {"MmMapLockedPagesSpecifyCache", ALL, VW_STDCALL, 6, 0, D, vw_MmMapLockedPagesSpecifyCache},
    {"MmUnmapLockedPages", ALL, VW_STDCALL, 2, 0, D, vw_MmUnmapLockedPages},

    {"IoReleaseCancelSpinLock", ALL, VW_STDCALL, 1, 0, D, vw_IoReleaseCancelSpinLock},

    {"DbgPrint", ALL, VW_CDECL, 1, 0, H, vw_DbgPrint},
    {"DbgPrintEx", ALL, VW_CDECL, 3, 0, H, vw_DbgPrintEx},
    {"memcpy", ALL, VW_CDECL, 3, 0, H, vw_memcpy},
    {"memmove", ALL, VW_CDECL, 3, 0, H, vw_memmove},
    {"memset", ALL, VW_CDECL, 3, 0, H, vw_memset},
};

static struct vw_api_group core = {
    .name = "core", .apis = table, .count = sizeof(table) / sizeof(table[0])};
static unsigned group_count = 1;

void vw_api_register(struct vw_api_group *group)
{
    /* Appended after the core table, in registration order. */
    struct vw_api_group **at = &core.next;
    while (*at != NULL)
        at = &(*at)->next;
    group->slot = group_count++;
    if (group->slot >= VW_MAX_GROUPS) {
        /* Its state (vw_port_state) would silently be missing. */
        fprintf(stderr, "harness: API group %s: more than VW_MAX_GROUPS (%d) groups\n", group->name,
                VW_MAX_GROUPS);
        abort();
    }
    group->next = NULL;
    *at = group;
}

const struct vw_api_group *vw_api_groups(void)
{
    return &core;
}

const struct vw_api *vw_api_find(const char *name, enum vw_arch arch)
{
    for (const struct vw_api_group *g = &core; g != NULL; g = g->next)
        for (size_t i = 0; i < g->count; i++)
            if ((g->apis[i].arches & VW_ARCH_BIT(arch)) && strcmp(g->apis[i].name, name) == 0)
                return &g->apis[i];
    return NULL;
}

void *vw_port_state(struct vm *vm, const struct vw_api_group *group, size_t size)
{
    struct vw_kernel *k = vm->k;
    if (group->slot >= VW_MAX_GROUPS)
        return NULL;
    if (k->port_state[group->slot] == NULL) {
        k->port_state[group->slot] = calloc(1, size);
        if (k->port_state[group->slot] == NULL)
            return NULL;
        vw_kernel_keep(vm, k->port_state[group->slot]);
    }
    return k->port_state[group->slot];
}

unsigned vw_api_groups_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    for (const struct vw_api_group *g = &core; g != NULL; g = g->next)
        if (g->report_leaks != NULL)
            n += g->report_leaks(vm);
    return n;
}

const char *vw_api_groups_holding(struct vm *vm, gva_t start, uint64_t len)
{
    for (const struct vw_api_group *g = &core; g != NULL; g = g->next) {
        const char *what = g->holds != NULL ? g->holds(vm, start, len) : NULL;
        if (what != NULL)
            return what;
    }
    return NULL;
}
