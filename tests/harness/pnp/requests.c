/*
 * Requests as a user-mode client sends them (see pnp.h): create, close,
 * buffered device control and read.  The system buffer is harness memory
 * (not driver pool), sized for the larger of input and output.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel.h"
#include "layout.h"
#include "pnp.h"
#include "vw_irp.h"
#include "vw_ntstatus.h"

struct request {
    uint32_t code, in_len, out_len;
    const void *in;
    void *out;
    uint64_t *info;
    gva_t buffer;
    gva_t file;   /* FILE_OBJECT of a handle (vw_open), or 0 */
    uint8_t mode; /* RequestorMode */
};

static void fill(struct vm *vm, gva_t irp, gva_t stack, const void *ctx)
{
    const struct request *r = ctx;
    uint64_t len = r->in_len > r->out_len ? r->in_len : r->out_len;
    if (r->file != 0)
        vw_wrptr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, FileObject), r->file);
    vw_wr(vm, irp + VW_OFFSET(vm, IRP, RequestorMode), r->mode, 1);
    if (r->buffer != 0) {
        vw_wrptr(vm, irp + VW_OFFSET(vm, IRP, AssociatedIrp.SystemBuffer), r->buffer);
        vw_wr(vm, irp + VW_OFFSET(vm, IRP, Flags), VW_IRP_BUFFERED_IO, 4);
        if (r->in_len)
            vw_write(vm, r->buffer, r->in, r->in_len);
    }
    uint8_t major = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 1);
    if (major == VW_IRP_MJ_DEVICE_CONTROL) {
        vw_wr(vm,
              stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode),
              r->code, 4);
        vw_wr(vm,
              stack +
                  VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength),
              r->in_len, 4);
        vw_wr(vm,
              stack +
                  VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength),
              r->out_len, 4);
    } else if (major == VW_IRP_MJ_READ) {
        vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Read.Length), r->out_len, 4);
    } else if (major == VW_IRP_MJ_WRITE) {
        vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Write.Length), r->in_len, 4);
    }
    (void)len;
}

static void done(struct vm *vm, gva_t irp, const void *ctx)
{
    const struct request *r = ctx;
    uint64_t info = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, IoStatus) +
                                     VW_OFFSET(vm, IO_STATUS_BLOCK, Information));
    if (r->info != NULL)
        *r->info = info;
    if (info > r->out_len) {
        vw_fail(vm, "request completed with Information %llu beyond the %u-byte output buffer",
                (unsigned long long)info, r->out_len);
        return;
    }
    if (r->out != NULL && info != 0)
        vw_read(vm, r->buffer, r->out, info);
}

static uint32_t send(struct vm *vm, gva_t pdo, uint8_t major, struct request *r)
{
    uint64_t len = r->in_len > r->out_len ? r->in_len : r->out_len;
    if (len != 0 && (r->buffer = vw_kalloc(vm, len)) == 0)
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    if (r->info != NULL)
        *r->info = 0;
    return vw_send_irp(vm, pdo, major, 0, VW_STATUS_SUCCESS, fill, done, r);
}

uint32_t vw_create(struct vm *vm, gva_t pdo)
{
    struct request r = {0};
    return send(vm, pdo, VW_IRP_MJ_CREATE, &r);
}

uint32_t vw_close(struct vm *vm, gva_t pdo)
{
    struct request r = {0};
    return send(vm, pdo, VW_IRP_MJ_CLOSE, &r);
}

uint32_t vw_cleanup(struct vm *vm, gva_t pdo)
{
    struct request r = {0};
    return send(vm, pdo, VW_IRP_MJ_CLEANUP, &r);
}

uint32_t vw_ioctl(struct vm *vm, gva_t pdo, uint32_t code, const void *in, uint32_t in_len,
                  void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, 0, 0};
    return send(vm, pdo, VW_IRP_MJ_DEVICE_CONTROL, &r);
}

uint32_t vw_irp_file_create(struct vm *vm, gva_t device, gva_t file)
{
    struct request r = {0};
    r.file = file;
    r.mode = VW_USER_MODE;
    return send(vm, device, VW_IRP_MJ_CREATE, &r);
}

uint32_t vw_irp_file_cleanup(struct vm *vm, gva_t device, gva_t file)
{
    struct request r = {0};
    r.file = file;
    r.mode = VW_USER_MODE;
    return send(vm, device, VW_IRP_MJ_CLEANUP, &r);
}

uint32_t vw_irp_file_close(struct vm *vm, gva_t device, gva_t file)
{
    struct request r = {0};
    r.file = file;
    return send(vm, device, VW_IRP_MJ_CLOSE, &r);
}

uint32_t vw_file_ioctl(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                       uint32_t in_len, void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, file, VW_USER_MODE};
    uint32_t granted;
    if (!vw_handle_access(vm, vm->k->process, file, &granted)) {
        vw_fail(vm, "scenario: IOCTL 0x%x on a file object process %u holds no handle to", code,
                vm->k->process);
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    }
    /* RequiredAccess of the code: "the I/O manager sends the IRP only if
     * the caller has read access rights" (FILE_READ_ACCESS) or write
     * rights (FILE_WRITE_ACCESS) to the file object's handle ("Defining
     * I/O Control Codes"). */
    uint32_t required = (code >> 14) & 3;
    if (((required & VW_FILE_READ_ACCESS) && !(granted & VW_FILE_READ_DATA)) ||
        ((required & VW_FILE_WRITE_ACCESS) && !(granted & VW_FILE_WRITE_DATA))) {
        if (r.info != NULL)
            *r.info = 0;
        return VW_STATUS_ACCESS_DENIED;
    }
    return send(vm, pdo, VW_IRP_MJ_DEVICE_CONTROL, &r);
}

uint32_t vw_file_ioctl_kernel(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                              uint32_t in_len, void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, file, 0};
    return send(vm, pdo, VW_IRP_MJ_DEVICE_CONTROL, &r);
}

uint32_t vw_read_request(struct vm *vm, gva_t pdo, void *out, uint32_t len, uint64_t *info)
{
    struct request r = {0, 0, len, NULL, out, info, 0, 0, 0};
    return send(vm, pdo, VW_IRP_MJ_READ, &r);
}

void vw_on_next_wait(struct vm *vm, void (*fn)(struct vm *vm, void *ctx), void *ctx)
{
    vm->k->on_wait = fn;
    vm->k->on_wait_ctx = ctx;
}

void vw_on_worker_point(struct vm *vm, unsigned skip, void (*fn)(struct vm *vm, void *ctx),
                        void *ctx)
{
    vm->k->on_worker_point = fn;
    vm->k->on_worker_point_ctx = ctx;
    vm->k->on_worker_point_skip = skip;
}

/* Requests a scenario sent and that are still pending: this part's state. */
struct pending {
    struct pending_slot {
        struct vw_async *a; /* the scenario's record; NULL once it ended */
        gva_t irp;
        uint8_t major;
    } *async; /* grows (vw_grow) */
    unsigned async_count, async_cap;
};

static const char pending_key = 0;

/* This machine's pending requests; harness side, any IRQL. */
static struct pending *pending(struct vm *vm)
{
    return vw_part_state(vm, &pending_key, sizeof(struct pending));
}

static bool async_complete(struct vm *vm, gva_t irp);

/* Requests left pending: the IRP stays with the driver until it completes
 * it (async_complete, hooked to IoCompleteRequest) or the scenario
 * cancels it.  The record is the scenario's and must outlive the request. */
uint32_t vw_request_start(struct vm *vm, gva_t device, uint8_t major, const void *in, void *out,
                          uint32_t len, struct vw_async *a)
{
    memset(a, 0, sizeof(*a));
    if (vm->failed)
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    struct pending *p = pending(vm);
    if (!VW_GROW(vm, p->async, p->async_count, p->async_cap, "requests in flight"))
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    vw_io_add_completion_hook(vm, async_complete);
    gva_t top = vw_device_top(vm, device);
    unsigned count = (unsigned)vw_rd(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1);
    a->irp = vw_irp_alloc(vm, count);
    if (a->irp == 0 || (len != 0 && (a->buffer = vw_kalloc(vm, len)) == 0))
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    a->len = len;
    a->out = out;
    a->major = major;
    struct request r = {.in_len = major == VW_IRP_MJ_WRITE ? len : 0,
                        .out_len = major == VW_IRP_MJ_READ ? len : 0,
                        .in = in,
                        .buffer = a->buffer};
    vw_irp_set_status(vm, a->irp, VW_STATUS_NOT_SUPPORTED);
    gva_t stack = vw_irp_next_stack(vm, a->irp);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), major, 1);
    fill(vm, a->irp, stack, &r);
    p->async[p->async_count++] = (struct pending_slot){a, a->irp, major};
    uint32_t result = vw_io_call_driver(vm, top, a->irp);
    if (!vm->failed && !a->done && result != VW_STATUS_PENDING)
        vw_fail(vm, "dispatch returned 0x%08x without completing the request or STATUS_PENDING",
                result);
    if (!vm->failed && a->done && result != VW_STATUS_PENDING && result != a->status)
        vw_fail(vm, "dispatch returned 0x%08x but completed the IRP with 0x%08x", result,
                a->status);
    return result;
}

/* A request this part sent completed: record the outcome for the scenario,
 * free the IRP; false for an IRP that is not one (harness side). */
static bool async_complete(struct vm *vm, gva_t irp)
{
    struct pending *p = pending(vm);
    for (unsigned i = 0; i < p->async_count; i++) {
        struct vw_async *a = p->async[i].a;
        if (p->async[i].irp != irp)
            continue;
        p->async[i] = p->async[--p->async_count];
        if (a == NULL) { /* the scenario ended: only the IRP is left */
            vw_pool_free(vm, irp, "I/O manager freeing the IRP");
            return true;
        }
        a->status = vw_irp_status(vm, irp);
        a->info = vw_rdptr(vm, irp + VW_OFFSET(vm, IRP, IoStatus) +
                                   VW_OFFSET(vm, IO_STATUS_BLOCK, Information));
        if (a->info > a->len)
            vw_fail(vm, "request completed with Information %llu beyond its %u bytes",
                    (unsigned long long)a->info, a->len);
        else if (a->major == VW_IRP_MJ_READ && a->out != NULL && a->info != 0)
            vw_read(vm, a->buffer, a->out, a->info);
        a->done = true;
        vw_pool_free(vm, irp, "I/O manager freeing the IRP");
        a->irp = 0;
        return true;
    }
    return false;
}

bool vw_request_cancel(struct vm *vm, struct vw_async *a)
{
    if (a->done || a->irp == 0)
        return false;
    return vw_irp_cancel(vm, a->irp);
}

unsigned vw_async_report_pending(struct vm *vm)
{
    struct pending *p = pending(vm);
    for (unsigned i = 0; i < p->async_count; i++)
        p->async[i].a = NULL; /* reported: the records may be gone */
    for (unsigned i = 0; i < p->async_count; i++)
        vw_log(vm, "leak: request (major 0x%x) never completed", p->async[i].major);
    return p->async_count;
}

void vw_run(struct vm *vm)
{
    vw_sched_settle(vm);
}
