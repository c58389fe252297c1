/*
 * Handles of scenario processes (process.h): each process's handle table
 * holds file objects with the access granted at open; a file object gets
 * IRP_MJ_CLEANUP when its last handle closes, in the context of the
 * process that closes it, and IRP_MJ_CLOSE when its last reference goes
 * (here: right after, since the harness keeps no other references).
 * Process creation and exit, as the process manager drives them, live here
 * too, on top of k_process.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include "kernel.h"
#include "layout.h"
#include "pnp.h"
#include "process.h"
#include "vw_ntstatus.h"

#define MAX_FILES   64
#define MAX_HANDLES 32

struct file {
    gva_t file, device;
    unsigned handles;
};

struct handle {
    gva_t file;
    uint32_t access;
};

struct vw_handle_tables {
    struct file files[MAX_FILES];
    unsigned file_count;
    struct {
        struct handle h[MAX_HANDLES];
        unsigned count;
    } process[VW_MAX_PROCESSES];
};

static struct vw_handle_tables *tables(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->handle_tables == NULL) {
        k->handle_tables = calloc(1, sizeof(*k->handle_tables));
        if (k->handle_tables == NULL) {
            vw_fail(vm, "harness: no memory for handle tables");
            return NULL;
        }
        vw_kernel_keep(vm, k->handle_tables);
    }
    return k->handle_tables;
}

static struct file *file_of(struct vw_handle_tables *t, gva_t file)
{
    for (unsigned i = 0; i < t->file_count; i++)
        if (t->files[i].file == file)
            return &t->files[i];
    return NULL;
}

static bool add_handle(struct vm *vm, unsigned process, gva_t file, uint32_t access)
{
    struct vw_handle_tables *t = tables(vm);
    struct file *f = t != NULL ? file_of(t, file) : NULL;
    if (f == NULL || process >= VW_MAX_PROCESSES)
        return false;
    if (t->process[process].count == MAX_HANDLES) {
        vw_fail(vm, "harness: process %u holds more than %u handles", process, MAX_HANDLES);
        return false;
    }
    t->process[process].h[t->process[process].count++] = (struct handle){file, access};
    f->handles++;
    return true;
}

bool vw_handle_access(struct vm *vm, unsigned process, gva_t file, uint32_t *access)
{
    struct vw_handle_tables *t = tables(vm);
    if (t == NULL || process >= VW_MAX_PROCESSES)
        return false;
    for (unsigned i = 0; i < t->process[process].count; i++)
        if (t->process[process].h[i].file == file) {
            *access = t->process[process].h[i].access;
            return true;
        }
    return false;
}

unsigned vw_process_create(struct vm *vm, enum vw_token token)
{
    unsigned p = vw_process_new(vm, token, vm->k->process);
    vw_process_notify(vm, p, true);
    return p;
}

unsigned vw_process_spawn(struct vm *vm, unsigned parent, enum vw_token token)
{
    struct vw_handle_tables *t = tables(vm);
    unsigned p = vw_process_new(vm, token, parent);
    if (t == NULL || vm->failed)
        return p;
    for (unsigned i = 0; i < t->process[parent].count; i++)
        add_handle(vm, p, t->process[parent].h[i].file, t->process[parent].h[i].access);
    vw_process_notify(vm, p, true);
    return p;
}

unsigned vw_process_enter(struct vm *vm, unsigned process)
{
    unsigned prev = vm->k->process;
    if (!vw_process_live(vm, process)) {
        vw_fail(vm, "scenario: process %u does not exist or has exited", process);
        return prev;
    }
    vm->k->process = process;
    return prev;
}

unsigned vw_process_current(struct vm *vm)
{
    return vm->k->process;
}

uint64_t vw_process_id(struct vm *vm, unsigned process)
{
    return vw_process_pid(vm, process);
}

gva_t vw_open_as(struct vm *vm, unsigned process, gva_t device, uint32_t access, uint32_t *status)
{
    struct vw_handle_tables *t = tables(vm);
    *status = VW_STATUS_INVALID_DEVICE_REQUEST;
    if (t == NULL || vm->failed)
        return 0;
    if (!vw_process_live(vm, process)) {
        vw_fail(vm, "scenario: open from process %u, which does not exist or has exited", process);
        return 0;
    }
    if (t->file_count == MAX_FILES) {
        vw_fail(vm, "harness: more than %u file objects", MAX_FILES);
        return 0;
    }
    unsigned saved = vm->k->process;
    vm->k->process = process;
    uint32_t granted = access;
    gva_t file = 0;
    if (!vw_security_access_check(vm, device, vw_process_token(vm, process), access, &granted)) {
        *status = VW_STATUS_ACCESS_DENIED; /* the object manager's: no IRP */
    } else {
        file = vw_kalloc(vm, VW_SIZEOF(vm, FILE_OBJECT));
        *status = vw_irp_file_create(vm, device, file);
    }
    vm->k->process = saved;
    if (*status != VW_STATUS_SUCCESS || vm->failed)
        return 0;
    t->files[t->file_count++] = (struct file){.file = file, .device = device};
    add_handle(vm, process, file, granted);
    return file;
}

gva_t vw_open_name(struct vm *vm, unsigned process, const char *path, uint32_t access,
                   uint32_t *status)
{
    gva_t dev = vw_object_lookup(vm, path);
    if (dev == 0) {
        *status = VW_STATUS_OBJECT_NAME_NOT_FOUND;
        return 0;
    }
    return vw_open_as(vm, process, dev, access, status);
}

gva_t vw_open(struct vm *vm, gva_t pdo, uint32_t *status)
{
    return vw_open_as(vm, vm->k->process, pdo, VW_OPEN_READ_WRITE, status);
}

bool vw_handle_duplicate(struct vm *vm, unsigned process, gva_t file, unsigned target)
{
    uint32_t access;
    if (!vw_handle_access(vm, process, file, &access) || !vw_process_live(vm, target)) {
        vw_fail(vm,
                "scenario: DuplicateHandle of a handle process %u does not hold, or into "
                "process %u that is gone",
                process, target);
        return false;
    }
    return add_handle(vm, target, file, access);
}

uint32_t vw_handle_close(struct vm *vm, unsigned process, gva_t file)
{
    struct vw_handle_tables *t = tables(vm);
    if (t == NULL || vm->failed)
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    struct file *f = file_of(t, file);
    unsigned n = process < VW_MAX_PROCESSES ? t->process[process].count : 0;
    unsigned i = 0;
    while (i < n && t->process[process].h[i].file != file)
        i++;
    if (f == NULL || i == n) {
        vw_fail(vm, "scenario: process %u closes a handle it does not hold", process);
        return VW_STATUS_INVALID_HANDLE;
    }
    t->process[process].h[i] = t->process[process].h[--t->process[process].count];
    if (--f->handles > 0)
        return VW_STATUS_SUCCESS;
    unsigned saved = vm->k->process;
    vm->k->process = process;
    uint32_t status = vw_irp_file_cleanup(vm, f->device, file);
    vm->k->process = saved;
    uint32_t close_status = vw_irp_file_close(vm, f->device, file);
    *f = t->files[--t->file_count];
    return status != VW_STATUS_SUCCESS ? status : close_status;
}

uint32_t vw_file_close(struct vm *vm, gva_t pdo, gva_t file)
{
    (void)pdo;
    return vw_handle_close(vm, vm->k->process, file);
}

void vw_process_exit(struct vm *vm, unsigned process)
{
    struct vw_handle_tables *t = tables(vm);
    if (t == NULL || vm->failed)
        return;
    if (process == VW_PROCESS_SYSTEM || !vw_process_live(vm, process)) {
        vw_fail(vm, "scenario: process %u cannot exit (System, or gone)", process);
        return;
    }
    /* The last thread's exit: the notify routines in its context, then the
     * handle table's rundown, then the address space goes. */
    vw_process_notify(vm, process, false);
    while (!vm->failed && t->process[process].count > 0)
        vw_handle_close(vm, process, t->process[process].h[t->process[process].count - 1].file);
    if (vm->failed)
        return;
    unsigned left = vw_mdl_user_mappings(vm, process);
    if (left > 0) {
        /* Bug Check 0x76: "The process being terminated has locked memory
         * pages. The driver must unlock any memory that it might have
         * locked in a process, before the process terminates." */
        vw_fail(vm,
                "bug check 0x76 (PROCESS_HAS_LOCKED_PAGES): process %u exits with %u driver "
                "mapping(s) of locked pages still in it (details in the log)",
                process, left);
        return;
    }
    vw_process_end(vm, process);
}

void vw_fail_next_user_map(struct vm *vm)
{
    vm->k->fail_next_user_map = true;
}

bool vw_expect_access_denied(struct vm *vm, const char *path, uint32_t access)
{
    if (vm->failed)
        return false;
    gva_t dev = vw_object_lookup(vm, path);
    if (dev == 0) {
        vw_fail(vm, "vw_expect_access_denied: no object named %s", path);
        return false;
    }
    uint32_t granted;
    if (vw_security_access_check(vm, dev, VW_TOKEN_USER, access, &granted)) {
        vw_fail(vm,
                "security: an unprivileged user may open %s with access 0x%08x (%s security "
                "descriptor)",
                path, access, vw_security_source(vm, dev));
        return false;
    }
    return true;
}
