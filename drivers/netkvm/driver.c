/*
 * driver.c - NetKVM's registration with NDIS (the miniport driver
 * characteristics at the build's level, 6.50 or 6.83: netkvm.h), unload,
 * and the adapter-wide events that need no state of their own: PnP events
 * (surprise removal) and shutdown (the reset is reset.c's).
 */
#include "netkvm.h"

DRIVER_INITIALIZE DriverEntry;
NDIS_HANDLE NkDriverHandle;

/* IRQL: PASSIVE_LEVEL. undo the registration when the driver unloads. */
static VOID NTAPI NkUnload(PDRIVER_OBJECT DriverObject)
{
    (void)DriverObject;
    if (NkDriverHandle != NULL)
        NdisMDeregisterMiniportDriver(NkDriverHandle);
    NkDriverHandle = NULL;
}

/* IRQL: PASSIVE_LEVEL. a PnP event: surprise removal stops the device
 * access and hands back every send the device will never complete. */
static VOID NTAPI NkPnpEvent(NDIS_HANDLE Context, PNET_DEVICE_PNP_EVENT Event)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    if (Event->DevicePnPEvent != NdisDevicePnPEventSurpriseRemoved)
        return;
    a->Removed = TRUE;
    NK_LOG(a, NK_LOG_ERR, "netkvm: surprise removal\n");
    for (ULONG i = 0; i < a->Pairs; i++)
        NkTxCancelAll(&a->Tx[i], NDIS_STATUS_ADAPTER_REMOVED);
    NkPauseCheck(a);
}

/* IRQL <= DISPATCH_LEVEL (HIGH_LEVEL on a bug check). shutdown: the
 * device stops using guest memory; nothing is freed or waited for. */
static VOID NTAPI NkShutdown(NDIS_HANDLE Context, NDIS_SHUTDOWN_ACTION Action)
{
    PNK_ADAPTER a = (PNK_ADAPTER)Context;
    (void)Action;
    if (a->Ready && !a->Removed)
        virtio_device_reset(&a->V.Dev);
}

/* IRQL: PASSIVE_LEVEL. register the miniport at the build's NDIS level. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS ch;
    RtlZeroMemory(&ch, sizeof(ch));
    NK_HEADER(ch.Header, NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, NK_CHARS_REVISION,
              NK_CHARS_SIZE);
    ch.MajorNdisVersion = NK_NDIS_MAJOR;
    ch.MinorNdisVersion = NK_NDIS_MINOR;
    ch.MajorDriverVersion = NK_DRV_MAJOR;
    ch.MinorDriverVersion = NK_DRV_MINOR;
    ch.InitializeHandlerEx = NkInitialize;
    ch.HaltHandlerEx = NkHalt;
    ch.UnloadHandler = NkUnload;
    ch.PauseHandler = NkPause;
    ch.RestartHandler = NkRestart;
    ch.OidRequestHandler = NkOidRequest;
    ch.SendNetBufferListsHandler = NkSend;
    ch.ReturnNetBufferListsHandler = NkReturn;
    ch.CancelSendHandler = NkCancelSend;
    ch.ResetHandlerEx = NkReset;
    ch.CheckForHangHandlerEx = NkCheckForHang;
    ch.DevicePnPEventNotifyHandler = NkPnpEvent;
    ch.ShutdownHandlerEx = NkShutdown;
    ch.CancelOidRequestHandler = NkCancelOid;
    NDIS_STATUS st =
        NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &ch, &NkDriverHandle);
    if (st != NDIS_STATUS_SUCCESS) {
        DbgPrint("netkvm: NdisMRegisterMiniportDriver failed 0x%x\n", st);
        NkDriverHandle = NULL;
        return (NTSTATUS)st;
    }
    return STATUS_SUCCESS;
}
