/*
 * The HID minidriver interface of hidclass.sys (Microsoft's hidport.h, which
 * mingw-w64 does not ship), written from the documented definitions: the
 * registration a minidriver passes to HidRegisterMinidriver, the extension
 * hidclass puts at the front of the functional device object it creates,
 * the descriptors and the internal IOCTLs hidclass sends to the minidriver
 * (IRP_MJ_INTERNAL_DEVICE_CONTROL, buffers in Irp->UserBuffer).
 * tests/layout/layout-list.h checks the structure layouts on every arch.
 */
#pragma once
#include <ntddk.h>

#define VW_HID_REVISION 0x00000001

typedef struct _VW_HID_MINIDRIVER_REGISTRATION {
    ULONG Revision; /* VW_HID_REVISION */
    PDRIVER_OBJECT DriverObject;
    PUNICODE_STRING RegistryPath;
    ULONG DeviceExtensionSize; /* bytes at HID_DEVICE_EXTENSION.MiniDeviceExtension */
    BOOLEAN DevicesArePolled;  /* FALSE: the device reports on its own */
    UCHAR Reserved[3];
} VW_HID_MINIDRIVER_REGISTRATION, *PVW_HID_MINIDRIVER_REGISTRATION;

/* What DeviceObject->DeviceExtension of the FDO points to. */
typedef struct _VW_HID_DEVICE_EXTENSION {
    PDEVICE_OBJECT PhysicalDeviceObject;
    PDEVICE_OBJECT NextDeviceObject; /* where PnP and power IRPs go down */
    PVOID MiniDeviceExtension;
} VW_HID_DEVICE_EXTENSION, *PVW_HID_DEVICE_EXTENSION;

#include <pshpack1.h>
typedef struct _VW_HID_DESCRIPTOR_DESC_LIST {
    UCHAR bReportType; /* 0x22: report descriptor */
    USHORT wReportLength;
} VW_HID_DESCRIPTOR_DESC_LIST;

typedef struct _VW_HID_DESCRIPTOR {
    UCHAR bLength;
    UCHAR bDescriptorType; /* 0x21: HID */
    USHORT bcdHID;
    UCHAR bCountry;
    UCHAR bNumDescriptors;
    VW_HID_DESCRIPTOR_DESC_LIST DescriptorList[1];
} VW_HID_DESCRIPTOR, *PVW_HID_DESCRIPTOR;
#include <poppack.h>

typedef struct _VW_HID_DEVICE_ATTRIBUTES {
    ULONG Size; /* sizeof(VW_HID_DEVICE_ATTRIBUTES) */
    USHORT VendorID;
    USHORT ProductID;
    USHORT VersionNumber;
    USHORT Reserved[11];
} VW_HID_DEVICE_ATTRIBUTES, *PVW_HID_DEVICE_ATTRIBUTES;

/* Irp->UserBuffer of WRITE_REPORT, SET/GET_FEATURE, SET_OUTPUT_REPORT,
 * GET_INPUT_REPORT. */
typedef struct _VW_HID_XFER_PACKET {
    PUCHAR reportBuffer; /* first byte: the report ID (0 when unused) */
    ULONG reportBufferLen;
    UCHAR reportId;
} VW_HID_XFER_PACKET, *PVW_HID_XFER_PACKET;

#define VW_HID_HID_DESCRIPTOR_TYPE    0x21
#define VW_HID_REPORT_DESCRIPTOR_TYPE 0x22

/* CTL_CODE(FILE_DEVICE_KEYBOARD, id, METHOD_NEITHER / IN_DIRECT / OUT_DIRECT,
 * FILE_ANY_ACCESS). */
#define VW_HID_CTL_CODE(id) CTL_CODE(FILE_DEVICE_KEYBOARD, (id), METHOD_NEITHER, FILE_ANY_ACCESS)
#define VW_HID_IN_CTL_CODE(id)                                                                     \
    CTL_CODE(FILE_DEVICE_KEYBOARD, (id), METHOD_IN_DIRECT, FILE_ANY_ACCESS)
#define VW_HID_OUT_CTL_CODE(id)                                                                    \
    CTL_CODE(FILE_DEVICE_KEYBOARD, (id), METHOD_OUT_DIRECT, FILE_ANY_ACCESS)

#define VW_IOCTL_HID_GET_DEVICE_DESCRIPTOR  VW_HID_CTL_CODE(0)
#define VW_IOCTL_HID_GET_REPORT_DESCRIPTOR  VW_HID_CTL_CODE(1)
#define VW_IOCTL_HID_READ_REPORT            VW_HID_CTL_CODE(2)
#define VW_IOCTL_HID_WRITE_REPORT           VW_HID_CTL_CODE(3)
#define VW_IOCTL_HID_GET_STRING             VW_HID_CTL_CODE(4)
#define VW_IOCTL_HID_ACTIVATE_DEVICE        VW_HID_CTL_CODE(7)
#define VW_IOCTL_HID_DEACTIVATE_DEVICE      VW_HID_CTL_CODE(8)
#define VW_IOCTL_HID_GET_DEVICE_ATTRIBUTES  VW_HID_CTL_CODE(9)
#define VW_IOCTL_HID_SEND_IDLE_NOTIFICATION VW_HID_CTL_CODE(10)
#define VW_IOCTL_HID_GET_FEATURE            VW_HID_OUT_CTL_CODE(100)
#define VW_IOCTL_HID_SET_FEATURE            VW_HID_IN_CTL_CODE(100)
#define VW_IOCTL_HID_SET_OUTPUT_REPORT      VW_HID_IN_CTL_CODE(101)
#define VW_IOCTL_HID_GET_INPUT_REPORT       VW_HID_OUT_CTL_CODE(104)

/* hidclass.sys */
NTSTATUS NTAPI HidRegisterMinidriver(PVW_HID_MINIDRIVER_REGISTRATION MinidriverRegistration);
