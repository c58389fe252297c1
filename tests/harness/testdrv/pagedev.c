/* The shared skeleton of the user-mapping test drivers (pagedev.h). */
#include "pagedev.h"

#define VW_PAGE_TAG 'gPwV'

PMDL VwPageMdl;
static PVOID Page;

/* PASSIVE_LEVEL: free the page and its MDL. */
static VOID VwPageFree(VOID)
{
    if (VwPageMdl != NULL)
        IoFreeMdl(VwPageMdl);
    if (Page != NULL)
        ExFreePoolWithTag(Page, VW_PAGE_TAG);
    VwPageMdl = NULL;
    Page = NULL;
}

NTSTATUS VwPageDevCreate(PDRIVER_OBJECT DriverObject, PCWSTR DeviceName, PDRIVER_DISPATCH Dispatch,
                         PDRIVER_UNLOAD Unload)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device;
    NTSTATUS status;

    DriverObject->DriverUnload = Unload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = Dispatch;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = Dispatch;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = Dispatch;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = Dispatch;
    Page = ExAllocatePoolWithTag(NonPagedPoolNx, PAGE_SIZE, VW_PAGE_TAG);
    if (Page != NULL)
        VwPageMdl = IoAllocateMdl(Page, PAGE_SIZE, FALSE, FALSE, NULL);
    if (VwPageMdl == NULL) {
        VwPageFree();
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmBuildMdlForNonPagedPool(VwPageMdl);
    RtlInitUnicodeString(&name, DeviceName);
    status = IoCreateDevice(DriverObject, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &device);
    if (!NT_SUCCESS(status))
        VwPageFree();
    return status;
}

VOID VwPageDevDelete(PDRIVER_OBJECT DriverObject)
{
    IoDeleteDevice(DriverObject->DeviceObject);
    VwPageFree();
}
