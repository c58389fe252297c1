/*
 * The I/O manager's constants (wdm.h; values from Microsoft's documented
 * declarations): object types, device object flags, IRP major and minor
 * functions, stack location control flags, access rights of a file handle,
 * processor modes.  Defined once for the harness.
 */
#pragma once

/* Object types (the Type field of DEVICE_OBJECT, DRIVER_OBJECT, IRP). */
#define VW_IO_TYPE_DEVICE 3
#define VW_IO_TYPE_DRIVER 4
#define VW_IO_TYPE_IRP    6

/* DEVICE_OBJECT.Flags */
#define VW_DO_POWER_PAGABLE       0x2000u
#define VW_DO_DEVICE_INITIALIZING 0x80

/* DEVICE_OBJECT.DeviceType */
#define VW_FILE_DEVICE_KEYBOARD 0x0b

/* IRP major functions */
#define VW_IRP_MJ_CREATE                  0x00
#define VW_IRP_MJ_CLOSE                   0x02
#define VW_IRP_MJ_READ                    0x03
#define VW_IRP_MJ_WRITE                   0x04
#define VW_IRP_MJ_DEVICE_CONTROL          0x0e
#define VW_IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define VW_IRP_MJ_CLEANUP                 0x12
#define VW_IRP_MJ_POWER                   0x16
#define VW_IRP_MJ_SYSTEM_CONTROL          0x17
#define VW_IRP_MJ_PNP                     0x1b

/* IRP_MJ_PNP minor functions */
#define VW_IRP_MN_START_DEVICE         0x00
#define VW_IRP_MN_QUERY_REMOVE_DEVICE  0x01
#define VW_IRP_MN_REMOVE_DEVICE        0x02
#define VW_IRP_MN_CANCEL_REMOVE_DEVICE 0x03
#define VW_IRP_MN_STOP_DEVICE          0x04
#define VW_IRP_MN_QUERY_STOP_DEVICE    0x05
#define VW_IRP_MN_QUERY_INTERFACE      0x08
#define VW_IRP_MN_SURPRISE_REMOVAL     0x17

/* IRP_MJ_POWER minor functions */
#define VW_IRP_MN_SET_POWER   0x02
#define VW_IRP_MN_QUERY_POWER 0x03

/* IO_STACK_LOCATION.Control */
#define VW_SL_PENDING_RETURNED  0x01
#define VW_SL_INVOKE_ON_CANCEL  0x20
#define VW_SL_INVOKE_ON_SUCCESS 0x40
#define VW_SL_INVOKE_ON_ERROR   0x80
#define VW_SL_INVOKE_ALL        0xe0

/* IRP.Flags */
#define VW_IRP_BUFFERED_IO 0x10

/* The access an IOCTL requires (CTL_CODE) and a file handle's rights. */
#define VW_FILE_READ_ACCESS  1
#define VW_FILE_WRITE_ACCESS 2
#define VW_FILE_READ_DATA    0x0001u
#define VW_FILE_WRITE_DATA   0x0002u

/* KPROCESSOR_MODE */
#define VW_KERNEL_MODE 0
#define VW_USER_MODE   1
