/*
 * Processes for scenarios: the scenario's code acts in a process (at first
 * VW_PROCESS_SCENARIO, an administrator's), and every user-mode request
 * (vw_open, vw_file_ioctl, vw_file_close in pnp.h) is made in the current
 * one.  A process holds handles to file objects; the last handle of a file
 * object to close sends IRP_MJ_CLEANUP in the context of the process that
 * closes it, then IRP_MJ_CLOSE, as Windows does.  Handles can be duplicated
 * into another process or inherited by a child; a process's exit runs the
 * drivers' process-notify routines in its context, closes its handles, and
 * bug-checks (0x76 PROCESS_HAS_LOCKED_PAGES) if a driver's mapping of
 * locked pages is still in it.
 */
#pragma once
#include "vm.h"

/* The System process (system threads, work items, the PnP manager) and
 * the one the scenario's code starts in. */
#define VW_PROCESS_SYSTEM   0u
#define VW_PROCESS_SCENARIO 1u

/* Tokens: what the process's user is (k_security.c grants access by it). */
enum vw_token {
    VW_TOKEN_SYSTEM, /* LocalSystem (S-1-5-18), e.g. a service */
    VW_TOKEN_ADMIN,  /* an elevated administrator (BUILTIN\Administrators) */
    VW_TOKEN_USER,   /* an unprivileged interactive user (BUILTIN\Users) */
};

/* Access masks a scenario asks for when opening (CreateFile's
 * dwDesiredAccess). */
#define VW_GENERIC_READ    0x80000000u
#define VW_GENERIC_WRITE   0x40000000u
#define VW_FILE_READ_DATA  0x0001u
#define VW_FILE_WRITE_DATA 0x0002u
#define VW_SYNCHRONIZE     0x00100000u
/* What vw_open asks for: CreateFile(GENERIC_READ | GENERIC_WRITE). */
#define VW_OPEN_READ_WRITE (VW_GENERIC_READ | VW_GENERIC_WRITE)

/* A new process of the user TOKEN, child of the current process, with no
 * handles; returns its number (for the calls below).  The drivers'
 * process-notify routines run for its creation. */
unsigned vw_process_create(struct vm *vm, enum vw_token token);
/* A child of PARENT that inherits every handle PARENT holds
 * (CreateProcess with bInheritHandles for handles opened inheritable). */
unsigned vw_process_spawn(struct vm *vm, unsigned parent, enum vw_token token);
/* The scenario's code now acts in PROCESS; returns the previous one. */
unsigned vw_process_enter(struct vm *vm, unsigned process);
unsigned vw_process_current(struct vm *vm);
/* The process exits: notify routines (in its context), its handles closed
 * (cleanup in its context), then the check that no driver mapping of
 * locked pages is left in it.  The scenario then acts in the System
 * process until it enters another one. */
void vw_process_exit(struct vm *vm, unsigned process);
/* Its process ID (what PsGetCurrentProcessId returns in it). */
uint64_t vw_process_id(struct vm *vm, unsigned process);

/* Open DEVICE (the top of its stack gets IRP_MJ_CREATE) from PROCESS,
 * asking for ACCESS: the FILE_OBJECT of the new handle, or 0 with *STATUS
 * saying why (STATUS_ACCESS_DENIED when the device's security descriptor
 * does not grant ACCESS to the process's token: the driver never sees the
 * request).  vw_open(vm, pdo, &status) is vw_open_as(vm,
 * vw_process_current(vm), pdo, VW_OPEN_READ_WRITE, &status). */
gva_t vw_open_as(struct vm *vm, unsigned process, gva_t device, uint32_t access, uint32_t *status);
/* The same by object name (\Device\X, or \GLOBAL??\X as \\.\Global\X). */
gva_t vw_open_name(struct vm *vm, unsigned process, const char *path, uint32_t access,
                   uint32_t *status);
/* DuplicateHandle of PROCESS's handle to FILE into TARGET (same access). */
bool vw_handle_duplicate(struct vm *vm, unsigned process, gva_t file, unsigned target);
/* CloseHandle in PROCESS (vw_file_close closes in the current one). */
uint32_t vw_handle_close(struct vm *vm, unsigned process, gva_t file);

/* The next MmMapLockedPagesSpecifyCache(UserMode) fails as when the
 * process's address space is exhausted: Windows raises an exception then
 * (the routine's documented behaviour), which the driver must handle. */
void vw_fail_next_user_map(struct vm *vm);

/* Security (k_security.c).  The device's Security property, as an INF's
 * HKR,,Security,,"<SDDL>" in DDInstall.HW sets it: the PnP manager applies
 * it to every object of PDO's stack after AddDevice (set it before
 * vw_add_device).  SDDL subset: "D:P" then "(A;;rights;;;SID)" or
 * "(D;;...)", rights GA GR GW GX FA FR FW FX RC SD WD WO or 0x<hex>, SIDs
 * SY BA BU WD AU LS NS IU.  False (and a failure) when it is not parsed. */
bool vw_device_security(struct vm *vm, gva_t pdo, const char *sddl);
/* Check that an unprivileged user (VW_TOKEN_USER) may not open the object
 * named PATH with ACCESS: true when refused; otherwise a failure naming
 * where the device's security descriptor came from. */
bool vw_expect_access_denied(struct vm *vm, const char *path, uint32_t access);
