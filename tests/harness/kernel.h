/*
 * The mini-kernel's state and internal interfaces.  One loaded driver per
 * machine; objects the driver owns (pool, device objects, mappings,
 * callback registrations) are tracked so that unload can report leaks.
 */
#pragma once
#include "api.h"
#include "vm.h"

#define VW_MAX_OBJECTS 64

/* NTSTATUS values the kernel uses. */
#define VW_STATUS_SUCCESS                0x00000000u
#define VW_STATUS_TIMEOUT                0x00000102u
#define VW_STATUS_PENDING                0x00000103u
#define VW_STATUS_MORE_PROCESSING        0xc0000016u
#define VW_STATUS_INVALID_DEVICE_REQUEST 0xc0000010u
#define VW_STATUS_NOT_SUPPORTED          0xc00000bbu
#define VW_STATUS_DELETE_PENDING         0xc0000056u
#define VW_STATUS_INSUFFICIENT_RESOURCES 0xc000009au
/* A pool tag from four characters, in the byte order pool dumps show. */
#define VW_TAG(a, b, c, d)                                                                         \
    ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define VW_NT_SUCCESS(s) ((int32_t)(s) >= 0)

struct vw_pool_block {
    gva_t va, pages;
    uint64_t size, pages_len;
    uint32_t tag;
    gva_t caller;
    const char *kind;
    bool driver_owned, live;
};

struct vw_callback {
    gva_t record, routine, buffer;
    uint64_t length;
    uint32_t reason;
    bool is_reason;
};

struct vw_mapping {
    gva_t va;
    uint64_t len, map_len, phys;
};

struct vw_pdo {
    gva_t obj;
    gva_t raw, translated; /* CM_RESOURCE_LISTs, 0 = none */
};

struct vw_kernel {
    struct vw_pool_block *pool;
    unsigned pool_count, pool_cap;
    gva_t pool_next;

    struct vw_callback callbacks[VW_MAX_OBJECTS];
    unsigned callback_count;
    struct vw_mapping mappings[VW_MAX_OBJECTS];
    unsigned mapping_count;
    gva_t mmio_next;
    gva_t remove_locks[VW_MAX_OBJECTS];
    unsigned remove_lock_count;
    struct vw_pdo pdos[8];
    unsigned pdo_count;

    const char *driver_name;
    gva_t driver_object, registry_path, bus_driver;
    gva_t stack_guard; /* __stack_chk_guard, found by its initial value */
    uint64_t stack_guard_initial;

    bool dump_enabled; /* scenario option: crash dumps configured */
    unsigned bugchecks;
    gva_t completed_irp; /* last IRP whose completion reached the top */

    void **kept;
    unsigned kept_count;
};

bool vw_kernel_create(struct vm *vm);
void vw_kernel_destroy(struct vm *vm);
/* Free P with the kernel state (host allocations tied to this machine). */
void vw_kernel_keep(struct vm *vm, void *p);
/* " (NULL page)", " (freed pool block ...)" or "" for a faulting address. */
const char *vw_kernel_describe_address(struct vm *vm, gva_t va);
/* Install the thunk dispatcher once the imports are bound. */
bool vw_kernel_bind_thunks(struct vm *vm);

/* IRQL changes by inline code (CR8) or the IRQL APIs. */
void vw_irql_set(struct vm *vm, unsigned irql, const char *who);

/* Pool (guard pages on both sides, never reused). */
gva_t vw_pool_alloc(struct vm *vm, uint64_t size, uint32_t tag, const char *kind,
                    bool driver_owned);
bool vw_pool_free(struct vm *vm, gva_t va, const char *who);
unsigned vw_pool_report_leaks(struct vm *vm);

/* IRPs (k_irp.c). */
gva_t vw_irp_alloc(struct vm *vm, unsigned stack_count);
gva_t vw_irp_next_stack(struct vm *vm, gva_t irp);
uint32_t vw_io_call_driver(struct vm *vm, gva_t device, gva_t irp);
void vw_io_complete(struct vm *vm, gva_t irp);
uint32_t vw_irp_status(struct vm *vm, gva_t irp);
void vw_irp_set_status(struct vm *vm, gva_t irp, uint32_t status);

/* Devices (k_io.c). */
gva_t vw_device_top(struct vm *vm, gva_t device);
gva_t vw_pdo_new(struct vm *vm);
unsigned vw_driver_device_count(struct vm *vm);

/* Events (k_ke.c), used by the remove-lock code too. */
void vw_event_init(struct vm *vm, gva_t event, unsigned type, bool signalled);
bool vw_event_signalled(struct vm *vm, gva_t event);
void vw_event_set(struct vm *vm, gva_t event);

/* Bug check (k_bugcheck.c): run the registered callbacks like Windows. */
void vw_bugcheck_run(struct vm *vm, uint32_t code);
unsigned vw_bugcheck_registered(struct vm *vm);

/* Mm (k_mm.c). */
unsigned vw_mm_report_leaks(struct vm *vm);

/* Unicode strings in kernel memory. */
gva_t vw_unicode_string(struct vm *vm, const char *ascii);
bool vw_read_unicode_string(struct vm *vm, gva_t us, char *out, size_t cap);

/* Handlers, by kernel part. */
vw_api_fn vw_ExAllocatePoolWithTag, vw_ExAllocatePool2, vw_ExFreePoolWithTag, vw_ExFreePool;
vw_api_fn vw_IoCreateDevice, vw_IoDeleteDevice, vw_IoAttachDeviceToDeviceStack, vw_IoDetachDevice;
vw_api_fn vw_IofCallDriver, vw_IofCompleteRequest, vw_PoCallDriver, vw_PoStartNextPowerIrp;
vw_api_fn vw_IoInitializeRemoveLockEx, vw_IoAcquireRemoveLockEx, vw_IoReleaseRemoveLockEx,
    vw_IoReleaseRemoveLockAndWaitEx;
vw_api_fn vw_KeInitializeEvent, vw_KeSetEvent, vw_KeWaitForSingleObject;
vw_api_fn vw_KeGetCurrentIrql, vw_KfRaiseIrql, vw_KeRaiseIrqlToDpcLevel, vw_KfLowerIrql;
vw_api_fn vw_KeRegisterBugCheckCallback, vw_KeRegisterBugCheckReasonCallback,
    vw_KeDeregisterBugCheckCallback, vw_KeDeregisterBugCheckReasonCallback, vw_KeBugCheckEx;
vw_api_fn vw_MmMapIoSpace, vw_MmUnmapIoSpace;
vw_api_fn vw_READ_REGISTER_UCHAR, vw_WRITE_REGISTER_UCHAR, vw_READ_PORT_UCHAR, vw_WRITE_PORT_UCHAR;
vw_api_fn vw_DbgPrint, vw_DbgPrintEx;
vw_api_fn vw_memcpy, vw_memmove, vw_memset;
