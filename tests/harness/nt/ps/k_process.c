/*
 * Processes as the kernel sees them: each thread runs in a process (the
 * scenario's code in its own process, system threads, work items and the
 * PnP manager in the System process), IoGetCurrentProcess/PsGetCurrent-
 * ProcessId report it, KeStackAttachProcess moves a thread into another
 * process's context until KeUnstackDetachProcess, and the drivers' process-
 * notify routines run when a process is created and when it exits.
 *
 * Tokens (what a process may open) are the handle layer's business
 * (handles.c, k_security.c); here a process only carries its token kind.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "process.h"
#include "vw_ntstatus.h"

#define PROCESS_OBJECT      3 /* DISPATCHER_HEADER type */
#define PROCESS_OBJECT_SIZE 0x800
#define MAX_NOTIFY          8
#define MAX_ATTACH          8
/* IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY (the linker's /integritycheck). */
#define FORCE_INTEGRITY 0x0080

struct vw_process {
    bool live;
    unsigned token, parent;
    uint64_t pid;
    gva_t object; /* the EPROCESS drivers see */
};

struct vw_processes {
    struct vw_process p[VW_MAX_PROCESSES];
    unsigned count;
    struct {
        gva_t routine;
        bool ex;
    } notify[MAX_NOTIFY];
    unsigned notify_count;
    /* KeStackAttachProcess: the KAPC_STATE and the process it saved. */
    struct {
        gva_t apc_state;
        unsigned saved;
    } attach[MAX_ATTACH];
    unsigned attach_count;
};

static void add(struct vm *vm, struct vw_processes *ps, unsigned token, unsigned parent)
{
    struct vw_process *p = &ps->p[ps->count];
    *p = (struct vw_process){.live = true,
                             .token = token,
                             .parent = parent,
                             .pid = ps->count == 0 ? 4 : 0x1f0 + 4ull * ps->count,
                             .object = vw_kalloc(vm, PROCESS_OBJECT_SIZE)};
    vw_wr(vm, p->object + VW_OFFSET(vm, KEVENT, Header.Type), PROCESS_OBJECT, 1);
    ps->count++;
}

/* The table, made on first use with the System and the scenario's process. */
static struct vw_processes *table(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->processes == NULL) {
        k->processes = calloc(1, sizeof(*k->processes));
        if (k->processes == NULL) {
            vw_fail(vm, "harness: no memory for the process table");
            return NULL;
        }
        vw_kernel_keep(vm, k->processes);
        add(vm, k->processes, VW_TOKEN_SYSTEM, VW_PROCESS_SYSTEM);
        add(vm, k->processes, VW_TOKEN_ADMIN, VW_PROCESS_SYSTEM);
    }
    return k->processes;
}

static struct vw_process *get(struct vm *vm, unsigned process)
{
    struct vw_processes *ps = table(vm);
    return ps != NULL && process < ps->count ? &ps->p[process] : NULL;
}

unsigned vw_process_new(struct vm *vm, unsigned token, unsigned parent)
{
    struct vw_processes *ps = table(vm);
    if (ps == NULL || vm->failed)
        return VW_PROCESS_SYSTEM;
    if (ps->count == VW_MAX_PROCESSES) {
        vw_fail(vm, "harness: more than %u processes", VW_MAX_PROCESSES);
        return VW_PROCESS_SYSTEM;
    }
    add(vm, ps, token, parent);
    return ps->count - 1;
}

bool vw_process_live(struct vm *vm, unsigned process)
{
    struct vw_process *p = get(vm, process);
    return p != NULL && p->live;
}

unsigned vw_process_token(struct vm *vm, unsigned process)
{
    struct vw_process *p = get(vm, process);
    return p != NULL ? p->token : VW_TOKEN_USER;
}

uint64_t vw_process_pid(struct vm *vm, unsigned process)
{
    struct vw_process *p = get(vm, process);
    return p != NULL ? p->pid : 0;
}

static struct vw_process *current(struct vm *vm)
{
    return get(vm, vm->k->process);
}

static int by_object(struct vm *vm, gva_t object)
{
    struct vw_processes *ps = table(vm);
    for (unsigned i = 0; ps != NULL && i < ps->count; i++)
        if (ps->p[i].object == object)
            return (int)i;
    return -1;
}

/* A PS_CREATE_NOTIFY_INFO for a process being created: Size, Flags,
 * ParentProcessId, CreatingThreadId, then pointers left NULL and
 * CreationStatus 0 (success). */
static gva_t create_info(struct vm *vm, const struct vw_process *p, const struct vw_process *par)
{
    unsigned ps = vm->ptr_size;
    uint64_t size = ps == 8 ? 0x48 : 0x24;
    gva_t info = vw_kalloc(vm, size);
    vw_wrptr(vm, info, size);
    vw_wrptr(vm, info + 2 * ps, par->pid);        /* ParentProcessId */
    vw_wrptr(vm, info + 3 * ps, par->pid);        /* CreatingThreadId.UniqueProcess */
    vw_wrptr(vm, info + 4 * ps, 0x1000 + p->pid); /* CreatingThreadId.UniqueThread */
    return info;
}

/* "The operating system calls the driver's process-notify routine at
 * PASSIVE_LEVEL inside a critical region with normal kernel APCs disabled.
 * When a process is created, the process-notify routine runs in the context
 * of the thread that created the new process. When a process is deleted,
 * the process-notify routine runs in the context of the last thread to exit
 * from the process." (PsSetCreateProcessNotifyRoutineEx, ntddk.h) */
void vw_process_notify(struct vm *vm, unsigned process, bool create)
{
    struct vw_processes *ps = table(vm);
    struct vw_process *p = get(vm, process);
    if (ps == NULL || p == NULL || ps->notify_count == 0)
        return;
    unsigned saved = vm->k->process, irql = vm->irql;
    vm->k->process = create ? p->parent : process;
    vm->irql = VW_PASSIVE_LEVEL;
    vm->k->critical_region++;
    struct vw_process *parent = get(vm, p->parent);
    for (unsigned i = 0; i < ps->notify_count && !vm->failed; i++) {
        uint64_t args[3];
        if (ps->notify[i].ex) {
            args[0] = p->object;
            args[1] = p->pid;
            args[2] = create ? create_info(vm, p, parent) : 0;
        } else {
            args[0] = parent->pid;
            args[1] = p->pid;
            args[2] = create;
        }
        vw_call(vm, ps->notify[i].routine, 3, args, NULL);
    }
    vm->k->critical_region--;
    vm->irql = irql;
    vm->k->process = saved;
}

void vw_process_end(struct vm *vm, unsigned process)
{
    struct vw_process *p = get(vm, process);
    if (p == NULL)
        return;
    p->live = false;
    vw_wr(vm, p->object + VW_OFFSET(vm, KEVENT, Header.SignalState), 1, 4);
    if (vm->k->process == process)
        vm->k->process = VW_PROCESS_SYSTEM;
}

static void IoGetCurrentProcess(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    struct vw_process *p = current(vm);
    vw_set_return(vm, p != NULL ? p->object : 0);
}

static void PsGetCurrentProcessId(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    struct vw_process *p = current(vm);
    vw_set_return(vm, p != NULL ? p->pid : 0);
}

/* (Process) */
static void PsGetProcessId(struct vm *vm, const struct vw_api *api)
{
    int i = by_object(vm, vw_arg(vm, api, 0));
    if (i < 0) {
        vw_fail(vm, "PsGetProcessId: 0x%" PRIx64 " is not a process", vw_arg(vm, api, 0));
        return;
    }
    vw_set_return(vm, vw_process_pid(vm, (unsigned)i));
}

/* (Process, ApcState) */
static void KeStackAttachProcess(struct vm *vm, const struct vw_api *api)
{
    struct vw_processes *ps = table(vm);
    int i = by_object(vm, vw_arg(vm, api, 0));
    if (ps == NULL)
        return;
    if (i < 0 || !ps->p[i].live) {
        vw_fail(vm, "KeStackAttachProcess: 0x%" PRIx64 " is not a live process",
                vw_arg(vm, api, 0));
        return;
    }
    if (ps->attach_count == MAX_ATTACH) {
        vw_fail(vm, "harness: KeStackAttachProcess nested more than %u deep", MAX_ATTACH);
        return;
    }
    ps->attach[ps->attach_count].apc_state = vw_arg(vm, api, 1);
    ps->attach[ps->attach_count++].saved = vm->k->process;
    vm->k->process = (unsigned)i;
}

/* (ApcState): the last attach, undone in order. */
static void KeUnstackDetachProcess(struct vm *vm, const struct vw_api *api)
{
    struct vw_processes *ps = table(vm);
    gva_t apc = vw_arg(vm, api, 0);
    if (ps == NULL)
        return;
    if (ps->attach_count == 0 || ps->attach[ps->attach_count - 1].apc_state != apc) {
        vw_fail(vm,
                "KeUnstackDetachProcess: 0x%" PRIx64 " is not the KAPC_STATE of the last "
                "KeStackAttachProcess",
                apc);
        return;
    }
    vm->k->process = ps->attach[--ps->attach_count].saved;
}

static bool image_has_integrity_check(struct vm *vm)
{
    uint32_t lfanew = (uint32_t)vw_rd(vm, vm->image.base + 0x3c, 4);
    /* OptionalHeader.DllCharacteristics: 24 + 70 bytes into the NT headers
     * for PE32 and PE32+ alike. */
    return vw_rd(vm, vm->image.base + lfanew + 24 + 70, 2) & FORCE_INTEGRITY;
}

static void set_notify(struct vm *vm, const struct vw_api *api, bool ex)
{
    struct vw_processes *ps = table(vm);
    gva_t routine = vw_arg(vm, api, 0);
    bool remove = vw_arg(vm, api, 1) & 0xff;
    if (ps == NULL)
        return;
    int found = -1;
    for (unsigned i = 0; i < ps->notify_count; i++)
        if (ps->notify[i].routine == routine && ps->notify[i].ex == ex)
            found = (int)i;
    if (remove) {
        if (found >= 0)
            ps->notify[found] = ps->notify[--ps->notify_count];
        vw_set_return(vm, found >= 0 ? VW_STATUS_SUCCESS : VW_STATUS_INVALID_PARAMETER);
        return;
    }
    /* PsSetCreateProcessNotifyRoutineEx: STATUS_ACCESS_DENIED "The image
     * that contains the callback routine pointer did not have
     * IMAGE_DLLCHARACTERISTICS_FORCE_INTEGRITY set in its image header." */
    if (ex && !image_has_integrity_check(vm)) {
        vw_set_return(vm, VW_STATUS_ACCESS_DENIED);
        return;
    }
    if (found >= 0 || ps->notify_count == MAX_NOTIFY) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    ps->notify[ps->notify_count].routine = routine;
    ps->notify[ps->notify_count++].ex = ex;
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* (NotifyRoutine, Remove) */
static void PsSetCreateProcessNotifyRoutine(struct vm *vm, const struct vw_api *api)
{
    set_notify(vm, api, false);
}

static void PsSetCreateProcessNotifyRoutineEx(struct vm *vm, const struct vw_api *api)
{
    set_notify(vm, api, true);
}

/* "A driver must remove any callback routines that it registers before it
 * unloads." (PsSetCreateProcessNotifyRoutine) */
unsigned vw_process_report_leaks(struct vm *vm)
{
    struct vw_processes *ps = vm->k->processes;
    char w[48];
    for (unsigned i = 0; ps != NULL && i < ps->notify_count; i++)
        vw_log(vm, "leak: process-notify routine %s still registered",
               vw_where(vm, ps->notify[i].routine, w));
    return ps != NULL ? ps->notify_count : 0;
}

#define ALL VW_ALL_ARCHES
#define P   VW_PASSIVE_LEVEL
#define A   VW_APC_LEVEL
#define H   VW_HIGH_LEVEL
static const struct vw_api apis[] = {
    {"IoGetCurrentProcess", ALL, VW_STDCALL, 0, 0, H, IoGetCurrentProcess},
    {"PsGetCurrentProcess", ALL, VW_STDCALL, 0, 0, H, IoGetCurrentProcess},
    {"PsGetCurrentProcessId", ALL, VW_STDCALL, 0, 0, H, PsGetCurrentProcessId},
    {"PsGetProcessId", ALL, VW_STDCALL, 1, 0, H, PsGetProcessId},
    {"KeStackAttachProcess", ALL, VW_STDCALL, 2, 0, A, KeStackAttachProcess},
    {"KeUnstackDetachProcess", ALL, VW_STDCALL, 1, 0, A, KeUnstackDetachProcess},
    {"PsSetCreateProcessNotifyRoutine", ALL, VW_STDCALL, 2, 0, P, PsSetCreateProcessNotifyRoutine},
    {"PsSetCreateProcessNotifyRoutineEx", ALL, VW_STDCALL, 2, 0, P,
     PsSetCreateProcessNotifyRoutineEx},
};
VW_API_GROUP(process, apis, .report_leaks = vw_process_report_leaks);
