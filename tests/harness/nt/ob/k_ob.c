/*
 * Objects by handle: a scenario plays a user-mode process that creates an
 * event and passes its handle in an IOCTL; ObReferenceObjectByHandle finds
 * it (checking the object type the driver asks for) and counts the
 * reference, which ObfDereferenceObject drops and unload checks.  Data
 * imports (ExEventObjectType) and IoIs32bitProcess live here too.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"
#include "vw_ke.h"

#define HANDLE_BASE 0x100

uint64_t vw_user_event(struct vm *vm, gva_t *event)
{
    struct vw_kernel *k = vm->k;
    *event = 0;
    if (k->handle_count == sizeof(k->handles) / sizeof(k->handles[0])) {
        vw_fail(vm, "harness: too many user handles");
        return 0;
    }
    gva_t ev = vw_kalloc(vm, VW_SIZEOF(vm, KEVENT));
    vw_event_init(vm, ev, VW_NOTIFICATION_EVENT, false);
    k->handles[k->handle_count].object = ev;
    k->handles[k->handle_count].live = true;
    *event = ev;
    return HANDLE_BASE + 4ull * k->handle_count++;
}

/* The object type a data import stands for: its own slot address, unique
 * and never a real object. */
uint64_t vw_data_import_value(struct vm *vm, const struct vw_import *imp)
{
    if (vw_data_import_direct(imp))
        return vw_security_exports(vm);
    return imp->slot;
}

bool vw_data_import_direct(const struct vw_import *imp)
{
    return strcmp(imp->name, "SeExports") == 0;
}

static uint64_t event_type(struct vm *vm)
{
    for (unsigned i = 0; i < vm->import_count; i++)
        if (strcmp(vm->imports[i].name, "ExEventObjectType") == 0)
            return vw_data_import_value(vm, &vm->imports[i]);
    return ~0ull;
}

/* (Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation),
 * from k_thread.c's ObReferenceObjectByHandle for handles that are not
 * threads. */
bool vw_ob_reference_user_handle(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    uint64_t handle = vw_arg(vm, api, 0), type = vw_arg(vm, api, 2);
    gva_t out = vw_arg(vm, api, 4);
    if (vm->ptr_size == 4)
        type &= 0xffffffffu;
    uint64_t index = (handle - HANDLE_BASE) / 4;
    if (handle < HANDLE_BASE || handle % 4 != 0 || index >= k->handle_count ||
        !k->handles[index].live)
        return false;
    /* Every handle the harness hands out here is an event. */
    if (type != event_type(vm)) {
        vw_set_return(vm, VW_STATUS_OBJECT_TYPE_MISMATCH);
        return true;
    }
    vw_wrptr(vm, out, k->handles[index].object);
    k->object_refs++;
    vw_set_return(vm, VW_STATUS_SUCCESS);
    return true;
}

void vw_IoIs32bitProcess(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, vm->k->process_32bit);
}

void vw_DataImportCalled(struct vm *vm, const struct vw_api *api)
{
    vw_fail(vm, "the driver called %s, which is data", api->name);
}
