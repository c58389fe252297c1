/*
 * vioinput: what hidclass asks of a minidriver (IRP_MJ_INTERNAL_DEVICE_CONTROL,
 * METHOD_NEITHER: buffers at Irp->UserBuffer).
 */
#include "vioinput.h"

/* Copy a descriptor or attribute block to a HID IOCTL's output buffer, if it fits. IRQL <=
 * DISPATCH_LEVEL. */
static NTSTATUS VioinputCopyOut(PIRP Irp, const void *Data, ULONG Length, ULONG_PTR *Written)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);

    if (Irp->UserBuffer == NULL || stack->Parameters.DeviceIoControl.OutputBufferLength < Length)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Irp->UserBuffer, Data, Length);
    *Written = Length;
    return STATUS_SUCCESS;
}

/* IOCTL_HID_GET_STRING: Type3InputBuffer carries the string ID (low 16
 * bits) and language (high); the answer is a NUL-terminated wide string. */
#define VIOINPUT_STRING_MANUFACTURER 0x0e
#define VIOINPUT_STRING_PRODUCT      0x0f
#define VIOINPUT_STRING_SERIAL       0x10

/* IOCTL_HID_GET_STRING: manufacturer, product or serial as a wide string. IRQL <= DISPATCH_LEVEL.
 */
static NTSTATUS VioinputGetString(PVIOINPUT_DEVICE Input, PIRP Irp, ULONG_PTR *Written)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG id = (ULONG)(ULONG_PTR)stack->Parameters.DeviceIoControl.Type3InputBuffer & 0xffff;
    ULONG room = stack->Parameters.DeviceIoControl.OutputBufferLength / sizeof(WCHAR);
    const CHAR *text;

    switch (id) {
    case VIOINPUT_STRING_MANUFACTURER:
        text = "QEMU";
        break;
    case VIOINPUT_STRING_PRODUCT:
        text = Input->Caps.Name[0] ? Input->Caps.Name : "VirtIO Input";
        break;
    case VIOINPUT_STRING_SERIAL:
        text = Input->Caps.Serial;
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    ULONG len = 0;
    while (text[len] != 0)
        len++;
    if (Irp->UserBuffer == NULL || room < len + 1)
        return STATUS_BUFFER_TOO_SMALL;
    PWCHAR out = (PWCHAR)Irp->UserBuffer;
    for (ULONG i = 0; i < len; i++)
        out[i] = (WCHAR)(UCHAR)text[i];
    out[len] = 0;
    *Written = (len + 1) * sizeof(WCHAR);
    return STATUS_SUCCESS;
}

/* hidclass's internal IOCTLs: descriptors, attributes, strings, reads and output reports. IRQL <=
 * DISPATCH_LEVEL. */
NTSTATUS VioinputInternalIoctl(PVW_DEVICE Device, PIRP Irp)
{
    PVIOINPUT_DEVICE input = VioinputFromDevice(Device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG_PTR written = 0;
    NTSTATUS status;

    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case VW_IOCTL_HID_GET_DEVICE_DESCRIPTOR: {
        VW_HID_DESCRIPTOR d = {
            .bLength = sizeof(VW_HID_DESCRIPTOR),
            .bDescriptorType = VW_HID_HID_DESCRIPTOR_TYPE,
            .bcdHID = 0x0111,
            .bNumDescriptors = 1,
            .DescriptorList = {{VW_HID_REPORT_DESCRIPTOR_TYPE, input->DescriptorLength}},
        };
        status = VioinputCopyOut(Irp, &d, sizeof(d), &written);
        break;
    }
    case VW_IOCTL_HID_GET_REPORT_DESCRIPTOR:
        status = VioinputCopyOut(Irp, input->Descriptor, input->DescriptorLength, &written);
        break;
    case VW_IOCTL_HID_GET_DEVICE_ATTRIBUTES: {
        VW_HID_DEVICE_ATTRIBUTES a = {
            .Size = sizeof(VW_HID_DEVICE_ATTRIBUTES),
            .VendorID = input->Caps.VendorId,
            .ProductID = input->Caps.ProductId,
            .VersionNumber = input->Caps.Version,
        };
        status = VioinputCopyOut(Irp, &a, sizeof(a), &written);
        break;
    }
    case VW_IOCTL_HID_READ_REPORT:
        return VioinputReadReport(Device, Irp);
    case VW_IOCTL_HID_WRITE_REPORT:
    case VW_IOCTL_HID_SET_OUTPUT_REPORT: {
        PVW_HID_XFER_PACKET packet = (PVW_HID_XFER_PACKET)Irp->UserBuffer;
        if (packet == NULL || packet->reportBuffer == NULL) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        status = VioinputWriteLeds(Device, packet->reportBuffer, packet->reportBufferLen);
        if (NT_SUCCESS(status))
            written = packet->reportBufferLen;
        break;
    }
    case VW_IOCTL_HID_GET_STRING:
        status = VioinputGetString(input, Irp, &written);
        break;
    case VW_IOCTL_HID_ACTIVATE_DEVICE:
    case VW_IOCTL_HID_DEACTIVATE_DEVICE:
        status = STATUS_SUCCESS;
        break;
    default:
        /* Indexed strings, features, idle notification: not supported,
         * which hidclass accepts. */
        status = STATUS_NOT_SUPPORTED;
        break;
    }
    return VwCompleteRequest(Device, Irp, status, written);
}
