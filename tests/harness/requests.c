/*
 * Requests as a user-mode client sends them (see pnp.h): create, close,
 * buffered device control and read.  The system buffer is harness memory
 * (not driver pool), sized for the larger of input and output.
 */
#include <stdlib.h>
#include "kernel.h"
#include "layout.h"
#include "pnp.h"

#define IRP_MJ_CREATE         0x00
#define IRP_MJ_CLOSE          0x02
#define IRP_MJ_READ           0x03
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_CLEANUP        0x12
#define USER_MODE             1
#define IRP_BUFFERED_IO       0x10

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
        vw_wr(vm, irp + VW_OFFSET(vm, IRP, Flags), IRP_BUFFERED_IO, 4);
        if (r->in_len)
            vw_write(vm, r->buffer, r->in, r->in_len);
    }
    uint8_t major = (uint8_t)vw_rd(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), 1);
    if (major == IRP_MJ_DEVICE_CONTROL) {
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
    } else if (major == IRP_MJ_READ) {
        vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Read.Length), r->out_len, 4);
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
    return send(vm, pdo, IRP_MJ_CREATE, &r);
}

uint32_t vw_close(struct vm *vm, gva_t pdo)
{
    struct request r = {0};
    return send(vm, pdo, IRP_MJ_CLOSE, &r);
}

uint32_t vw_ioctl(struct vm *vm, gva_t pdo, uint32_t code, const void *in, uint32_t in_len,
                  void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, 0, 0};
    return send(vm, pdo, IRP_MJ_DEVICE_CONTROL, &r);
}

gva_t vw_open(struct vm *vm, gva_t pdo, uint32_t *status)
{
    struct request r = {0};
    r.file = vw_kalloc(vm, VW_SIZEOF(vm, FILE_OBJECT));
    r.mode = USER_MODE;
    *status = send(vm, pdo, IRP_MJ_CREATE, &r);
    return *status == VW_STATUS_SUCCESS ? r.file : 0;
}

uint32_t vw_file_ioctl(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                       uint32_t in_len, void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, file, USER_MODE};
    return send(vm, pdo, IRP_MJ_DEVICE_CONTROL, &r);
}

uint32_t vw_file_ioctl_kernel(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                              uint32_t in_len, void *out, uint32_t out_len, uint64_t *info)
{
    struct request r = {code, in_len, out_len, in, out, info, 0, file, 0};
    return send(vm, pdo, IRP_MJ_DEVICE_CONTROL, &r);
}

uint32_t vw_file_close(struct vm *vm, gva_t pdo, gva_t file)
{
    struct request cleanup = {0}, close = {0};
    cleanup.file = close.file = file;
    cleanup.mode = USER_MODE;
    uint32_t status = send(vm, pdo, IRP_MJ_CLEANUP, &cleanup);
    uint32_t close_status = send(vm, pdo, IRP_MJ_CLOSE, &close);
    return status != VW_STATUS_SUCCESS ? status : close_status;
}

uint32_t vw_read_request(struct vm *vm, gva_t pdo, void *out, uint32_t len, uint64_t *info)
{
    struct request r = {0, 0, len, NULL, out, info, 0, 0, 0};
    return send(vm, pdo, IRP_MJ_READ, &r);
}

void vw_on_next_wait(struct vm *vm, void (*fn)(struct vm *vm, void *ctx), void *ctx)
{
    vm->k->on_wait = fn;
    vm->k->on_wait_ctx = ctx;
}
