/*
 * vioser: virtio console (PCI 1AF4:1003 transitional, 1AF4:1043 modern),
 * virtio spec 5.3, on the vwdm framework and the virtio core.
 *
 * Queues: port 0 uses 0 (receive) and 1 (transmit); with MULTIPORT the
 * control queues are 2 (device to driver) and 3 (driver to device), and
 * port n > 0 uses 2n+2 and 2n+3.  Without MULTIPORT there is one port, 0,
 * present from the start, unnamed.
 *
 * Every port has VIOSER_RX_BUFS receive and VIOSER_TX_BUFS transmit
 * buffers in one DMA common buffer.  A filled receive buffer stays with the
 * driver until reads have taken all of it, and only then goes back to the
 * device: a slow reader makes the device wait, nothing is dropped.  A write
 * takes one transmit buffer and completes when the device returns it;
 * when none is free the write waits in the port's queue.
 *
 * Locking: one spin lock (Lock) covers the queues, the port states and the
 * request lists; the DPC takes it at DISPATCH_LEVEL.  Device objects and
 * symbolic links (PASSIVE_LEVEL only) follow the port states in
 * VioserSyncPorts, called at PASSIVE_LEVEL directly or from a work item
 * the DPC queues.
 */
#pragma once
#include <wdm/virtio_wdm.h>
#include "vioser_ioctl.h"

#define VIOSER_POOL_TAG   'sroV'
#define VIOSER_MAX_PORTS  31 /* accepted max_nr_ports */
#define VIOSER_MAX_QUEUES (2 * VIOSER_MAX_PORTS + 2)

#define VIOSER_RX_BUFS  4
#define VIOSER_RX_SIZE  4096
#define VIOSER_TX_BUFS  4
#define VIOSER_TX_SIZE  VIOSER_MAX_WRITE
#define VIOSER_PORT_DMA (VIOSER_RX_BUFS * VIOSER_RX_SIZE + VIOSER_TX_BUFS * VIOSER_TX_SIZE)

#define VIOSER_CTRL_RX_BUFS 8
#define VIOSER_CTRL_RX_SIZE 128 /* header + the longest name we accept, rounded */
#define VIOSER_CTRL_TX_BUFS 16
#define VIOSER_CTRL_PENDING 64 /* control messages waiting for a transmit buffer */
#define VIOSER_MAX_RESTARTS 3  /* in a row without data moving, then give up */

/* Control messages (spec 5.3.6.2). */
#define VIRTIO_CONSOLE_F_SIZE       0
#define VIRTIO_CONSOLE_F_MULTIPORT  1
#define VIRTIO_CONSOLE_DEVICE_READY 0
#define VIRTIO_CONSOLE_PORT_ADD     1
#define VIRTIO_CONSOLE_PORT_REMOVE  2
#define VIRTIO_CONSOLE_PORT_READY   3
#define VIRTIO_CONSOLE_CONSOLE_PORT 4
#define VIRTIO_CONSOLE_RESIZE       5
#define VIRTIO_CONSOLE_PORT_OPEN    6
#define VIRTIO_CONSOLE_PORT_NAME    7
#define VIOSER_CTRL_HEADER          8 /* le32 id, le16 event, le16 value */
#define VIOSER_CFG_MAX_NR_PORTS     4 /* offset of max_nr_ports in the config */

typedef struct _VIOSER_DEVICE VIOSER_DEVICE, *PVIOSER_DEVICE;

/* One DMA buffer slot: its place in the common buffer and its state. */
typedef struct _VIOSER_SLOT {
    PUCHAR Va;
    ULONGLONG Pa;
    ULONG Length;   /* rx: bytes the device wrote; tx: bytes to send */
    ULONG Offset;   /* rx: bytes already read */
    BOOLEAN Posted; /* in the device's ring */
    PIRP Irp;       /* tx: the write it carries (NULL once completed) */
} VIOSER_SLOT, *PVIOSER_SLOT;

/* Extension of a port's device object (not an FDO: see VW_CHILD). */
typedef struct _VIOSER_PORT_EXT {
    VW_CHILD Child;
    PVIOSER_DEVICE Owner; /* NULL once the FDO is gone (global lock) */
    ULONG Id;
} VIOSER_PORT_EXT, *PVIOSER_PORT_EXT;

typedef struct _VIOSER_PORT {
    ULONG Id;
    BOOLEAN Present;       /* added by the device and not removed */
    BOOLEAN HostConnected; /* PORT_OPEN from the host */
    BOOLEAN IsConsole;
    BOOLEAN Named;
    CHAR Name[VIOSER_NAME_MAX + 1];
    LONG OpenCount; /* guest handles */

    /* PASSIVE_LEVEL state (VioserSyncPorts, under PortMutex). */
    PDEVICE_OBJECT Object;
    BOOLEAN Linked;
    WCHAR LinkBuffer[24 + VIOSER_NAME_MAX];
    UNICODE_STRING Link;

    VIOSER_SLOT Rx[VIOSER_RX_BUFS];
    UCHAR RxFilled[VIOSER_RX_BUFS]; /* FIFO of filled slot numbers */
    UCHAR RxHead, RxCount;
    VIOSER_SLOT Tx[VIOSER_TX_BUFS];
    LIST_ENTRY Reads;  /* pending reads, cancellable */
    LIST_ENTRY Writes; /* writes waiting for a transmit buffer, cancellable */
} VIOSER_PORT, *PVIOSER_PORT;

struct _VIOSER_DEVICE {
    PVW_DEVICE Vw;
    VW_VIRTIO Virtio;
    ULONG Instance;     /* d in \Device\vport<d>p<n> */
    BOOLEAN AllowUsers; /* AllowUserAccess: BUILTIN\Users may open the ports */
    BOOLEAN Multiport;
    ULONG PortCount; /* max_nr_ports, validated */
    ULONG QueueCount;
    struct virtqueue Queues[VIOSER_MAX_QUEUES];
    BOOLEAN QueuesReady; /* the rings exist and the DPC may use them */
    BOOLEAN Running;     /* DRIVER_OK and accepting requests */
    BOOLEAN Broken;      /* the device misbehaved: requests fail until restart */
    ULONG Restarts;      /* restarts since data last moved */

    struct virtio_dma Shared; /* control and port buffers */
    VIOSER_SLOT CtrlRx[VIOSER_CTRL_RX_BUFS];
    VIOSER_SLOT CtrlTx[VIOSER_CTRL_TX_BUFS];
    UCHAR CtrlPending[VIOSER_CTRL_PENDING][VIOSER_CTRL_HEADER];
    ULONG CtrlPendingHead, CtrlPendingCount;

    VIOSER_PORT Ports[VIOSER_MAX_PORTS];

    KSPIN_LOCK Lock;
    KEVENT PortMutex; /* serialises VioserSyncPorts (event, held in a critical region) */
    /* Serialises bringing the device up and down (synchronization event):
     * the D0Entry/D0Exit callbacks PnP and power call, and the restart work
     * item.  Taken before PortMutex, never the other way round. */
    KEVENT StateMutex;
    PIO_WORKITEM SyncItem;
    BOOLEAN SyncQueued;
};

/* vioser's state behind the framework's device header. IRQL: any. */
static inline PVIOSER_DEVICE VioserFromDevice(PVW_DEVICE Device)
{
    return (PVIOSER_DEVICE)VwDeviceContext(Device);
}

/* The receive queue of a port (port 0: 0; port n: 2n + 2), its transmit queue is the next. IRQL:
 * any. */
static inline USHORT VioserRxQueue(ULONG Port)
{
    return (USHORT)(Port == 0 ? 0 : 2 * Port + 2);
}

/* driver.c */
extern KSPIN_LOCK VioserGlobalLock;

/* device.c */
NTSTATUS VioserPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources);
VOID VioserReleaseHardware(PVW_DEVICE Device);
NTSTATUS VioserD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous);
NTSTATUS VioserD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target);
NTSTATUS VioserDeviceUp(PVIOSER_DEVICE Dev, BOOLEAN Restart); /* StateMutex held */
VOID VioserDeviceDown(PVIOSER_DEVICE Dev);                    /* StateMutex held */
BOOLEAN VioserIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc);
VOID VioserDpc(PVW_DEVICE Device, ULONG MessageId);

/* control.c (Lock held) */
VOID VioserControlSend(PVIOSER_DEVICE Dev, ULONG Id, USHORT Event, USHORT Value);
VOID VioserControlFlush(PVIOSER_DEVICE Dev);
VOID VioserControlReceived(PVIOSER_DEVICE Dev, PVIOSER_SLOT Slot, ULONG Length, PLIST_ENTRY Done);
VOID VioserPortAttach(PVIOSER_DEVICE Dev, PVIOSER_PORT Port);
VOID VioserPortDetach(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Failed);
VOID VioserPostRx(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, ULONG Slot);
VOID VioserRequestSync(PVIOSER_DEVICE Dev);

/* port.c (PASSIVE_LEVEL) */
VOID VioserSyncPorts(PVIOSER_DEVICE Dev, BOOLEAN Removing);
IO_WORKITEM_ROUTINE VioserSyncWork;

/* io.c */
DRIVER_DISPATCH VioserDispatchPort;
VOID VioserServeReads(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done);
VOID VioserStartWrites(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done);
VOID VioserTxDone(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PVIOSER_SLOT Slot, PLIST_ENTRY Done);
VOID VioserFailAll(PVIOSER_DEVICE Dev, PVIOSER_PORT Port, PLIST_ENTRY Done);
VOID VioserCompleteList(PVIOSER_DEVICE Dev, PLIST_ENTRY Done);
