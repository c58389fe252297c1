/*
 * Small IRP helpers shared by the WDM drivers: pass an IRP down the stack,
 * forward it and wait for the lower drivers, complete it.
 */
#pragma once
#include <ntddk.h>

/* Hand the IRP to the next lower driver and forget it. */
NTSTATUS VwPassIrpDown(PDEVICE_OBJECT LowerDevice, PIRP Irp);

/* Send the IRP down, wait until the lower drivers have completed it and
 * return their status; the IRP is ours again afterwards and must be
 * completed by the caller.  PASSIVE_LEVEL only. */
NTSTATUS VwForwardIrpAndWait(PDEVICE_OBJECT LowerDevice, PIRP Irp);

/* Complete the IRP with a status and information value; returns the status. */
NTSTATUS VwCompleteIrp(PIRP Irp, NTSTATUS Status, ULONG_PTR Information);

/* Power IRPs: let the next power IRP start and pass this one down. */
NTSTATUS VwPassPowerIrpDown(PDEVICE_OBJECT LowerDevice, PIRP Irp);
