/*
 * A named control device with one pool page described by an MDL: the
 * skeleton the user-mapping test drivers share (testdrv/vwseh*.c,
 * bad/badproc.c).  Usage: in DriverEntry, VwPageDevCreate(DriverObject,
 * name, dispatch, unload) sets CREATE, CLEANUP, CLOSE and DEVICE_CONTROL to
 * the one dispatch routine and the unload routine; the unload routine calls
 * VwPageDevDelete.  VwPageMdl is the page's MDL for
 * MmMapLockedPagesSpecifyCache.
 */
#pragma once
#include <ntddk.h>

extern PMDL VwPageMdl;

/* PASSIVE_LEVEL: the page, its MDL and the device; nothing left on failure. */
NTSTATUS VwPageDevCreate(PDRIVER_OBJECT DriverObject, PCWSTR DeviceName, PDRIVER_DISPATCH Dispatch,
                         PDRIVER_UNLOAD Unload);

/* PASSIVE_LEVEL: undo VwPageDevCreate. */
VOID VwPageDevDelete(PDRIVER_OBJECT DriverObject);
