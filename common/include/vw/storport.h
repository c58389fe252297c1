/*
 * The StorPort miniport interface (Microsoft's storport.h/srb.h, which we do
 * not use: mingw-w64's copy is the SCSIport-era subset), written from the
 * documented declarations on learn.microsoft.com, windows-hardware/drivers/
 * ddi/storport/ (cited per item as storport/<page>).  What a physical
 * miniport calls: registration (HW_INITIALIZATION_DATA), the adapter's
 * configuration (PORT_CONFIGURATION_INFORMATION), both request block formats
 * (SCSI_REQUEST_BLOCK and STORAGE_REQUEST_BLOCK with its SRBEX_DATA blocks)
 * and accessors that work on either, scatter/gather lists, the notification
 * and extended-function codes with the inline wrappers the documentation
 * describes on top of them (DPCs, StorPort spin locks, passive
 * initialisation, MSI information and locks, performance options, the
 * current processor), and register access.  tests/layout/layout-list.h pins
 * every structure's size and members on x86, amd64 and arm64 against
 * tests/layout/documented.h.
 */
#pragma once
#include <ntddk.h>

/* x86: the port exports are stdcall (NTAPI), the variadic ones cdecl; the
 * miniport's own routines are NTAPI too (the WDK compiles drivers /Gz). */
#define STORPORT_API DECLSPEC_IMPORT

/* ---- Status values and constants (storport/ns-storport-_storage_request_block,
 * srb.h constants listed there) ------------------------------------------ */
#define SRB_STATUS_PENDING              0x00
#define SRB_STATUS_SUCCESS              0x01
#define SRB_STATUS_ABORTED              0x02
#define SRB_STATUS_ABORT_FAILED         0x03
#define SRB_STATUS_ERROR                0x04
#define SRB_STATUS_BUSY                 0x05
#define SRB_STATUS_INVALID_REQUEST      0x06
#define SRB_STATUS_NO_DEVICE            0x08
#define SRB_STATUS_TIMEOUT              0x09
#define SRB_STATUS_SELECTION_TIMEOUT    0x0a
#define SRB_STATUS_BUS_RESET            0x0e
#define SRB_STATUS_DATA_OVERRUN         0x12
#define SRB_STATUS_UNEXPECTED_BUS_FREE  0x13 /* srb/ns-srb-_scsi_request_block; 0x0c is unused */
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15
#define SRB_STATUS_BAD_FUNCTION         0x22
#define SRB_STATUS_INTERNAL_ERROR       0x30
#define SRB_STATUS_QUEUE_FROZEN         0x40
#define SRB_STATUS_AUTOSENSE_VALID      0x80
#define SRB_STATUS(s)                   ((s) & ~(SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN))

#define SRB_FUNCTION_EXECUTE_SCSI          0x00
#define SRB_FUNCTION_IO_CONTROL            0x02
#define SRB_FUNCTION_SHUTDOWN              0x07
#define SRB_FUNCTION_FLUSH                 0x08
#define SRB_FUNCTION_ABORT_COMMAND         0x10
#define SRB_FUNCTION_RESET_BUS             0x12
#define SRB_FUNCTION_RESET_DEVICE          0x16
#define SRB_FUNCTION_WMI                   0x17
#define SRB_FUNCTION_RESET_LOGICAL_UNIT    0x20
#define SRB_FUNCTION_POWER                 0x24
#define SRB_FUNCTION_PNP                   0x25
#define SRB_FUNCTION_STORAGE_REQUEST_BLOCK 0x28

#define SRB_FLAGS_QUEUE_ACTION_ENABLE 0x00000002
#define SRB_FLAGS_DATA_IN             0x00000040
/* QueueAction (SCSI_REQUEST_BLOCK) and RequestAttribute (SRB_EX) values */
#define SRB_SIMPLE_TAG_REQUEST        0x20
#define SRB_HEAD_OF_QUEUE_TAG_REQUEST 0x21
#define SRB_ORDERED_QUEUE_TAG_REQUEST 0x22
#define SRB_FLAGS_DATA_OUT            0x00000080
#define SRB_FLAGS_NO_DATA_TRANSFER    0x00000000

#define SRB_SIGNATURE                       0x53524258 /* "SRBX" */
#define STORAGE_REQUEST_BLOCK_VERSION_1     0x1
#define SRB_TYPE_SCSI_REQUEST_BLOCK         0
#define SRB_TYPE_STORAGE_REQUEST_BLOCK      1
#define SRB_TYPE_FLAG_SCSI_REQUEST_BLOCK    0x1
#define SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK 0x2
#define STORAGE_ADDRESS_TYPE_BTL8           0
#define ADDRESS_TYPE_FLAG_BTL8              0x1
#define STOR_ADDR_BTL8_ADDRESS_LENGTH       4

#define SP_RETURN_NOT_FOUND    0
#define SP_RETURN_FOUND        1
#define SP_RETURN_ERROR        2
#define SP_RETURN_BAD_CONFIG   3
#define SP_UNINITIALIZED_VALUE ((ULONG)~0)

#define STOR_MAP_NO_BUFFERS                       0
#define STOR_MAP_ALL_BUFFERS                      1
#define STOR_MAP_NON_READ_WRITE_BUFFERS           2
#define STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE 3

#define SCSI_DMA64_MINIPORT_SUPPORTED           0x01
#define SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED 0x02
#define SCSI_DMA64_SYSTEM_SUPPORTED             0x80

/* StorPort's own status codes (storport/nf-storport-storportextendedfunction). */
#define STOR_STATUS_SUCCESS           0x00000000UL
#define STOR_STATUS_UNSUCCESSFUL      0xC1000001UL
#define STOR_STATUS_NOT_IMPLEMENTED   0xC1000002UL
#define STOR_STATUS_INVALID_PARAMETER 0xC1000006UL

/* PERF_CONFIGURATION_DATA.Flags (storport/ns-storport-_perf_configuration_data). */
#define STOR_PERF_DPC_REDIRECTION                        0x00000001
#define STOR_PERF_CONCURRENT_CHANNELS                    0x00000002
#define STOR_PERF_INTERRUPT_MESSAGE_RANGES               0x00000004
#define STOR_PERF_ADV_CONFIG_LOCALITY                    0x00000008
#define STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO 0x00000010
#define STOR_PERF_DPC_REDIRECTION_CURRENT_CPU            0x00000020
#define STOR_PERF_VERSION                                0x00000005

/* ---- Enumerations ------------------------------------------------------ */
/* storport/ne-storport-scsi_adapter_control_type: the documented order (values
 * written out: a member left out would shift every later one) */
typedef enum _SCSI_ADAPTER_CONTROL_TYPE {
    ScsiQuerySupportedControlTypes = 0,
    ScsiStopAdapter = 1,
    ScsiRestartAdapter = 2,
    ScsiSetBootConfig = 3,
    ScsiSetRunningConfig = 4,
    ScsiPowerSettingNotification = 5,
    ScsiAdapterPower = 6,
    ScsiAdapterPoFxPowerRequired = 7,
    ScsiAdapterPoFxPowerActive = 8,
    ScsiAdapterPoFxPowerSetFState = 9,
    ScsiAdapterPoFxPowerControl = 10,
    ScsiAdapterPrepareForBusReScan = 11,
    ScsiAdapterSystemPowerHints = 12,
    ScsiAdapterFilterResourceRequirements = 13,
    ScsiAdapterPoFxMaxOperationalPower = 14,
    ScsiAdapterPoFxSetPerfState = 15,
    ScsiAdapterSurpriseRemoval = 16,
    ScsiAdapterSerialNumber = 17,
    ScsiAdapterCryptoOperation = 18,
    ScsiAdapterQueryFruId = 19,
    ScsiAdapterSetEventLogging = 20,
    ScsiAdapterReportInternalData = 21,
    ScsiAdapterResetBusSynchronous = 22,
    ScsiAdapterPostHwInitialize = 23,
    ScsiAdapterPrepareEarlyDumpData = 24,
    ScsiAdapterRestoreEarlyDumpData = 25,
    ScsiAdapterKsrPowerDown = 26,
    ScsiAdapterPreparePLDR = 27,
    ScsiNvmeofAdapterOperation = 28,
    ScsiAdapterQueryStorMQInterface = 29,
    ScsiAdapterControlMax = 30
} SCSI_ADAPTER_CONTROL_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_STATUS {
    ScsiAdapterControlSuccess = 0,
    ScsiAdapterControlUnsuccessful
} SCSI_ADAPTER_CONTROL_STATUS;

/* storport/ne-storport-_stor_spinlock */
typedef enum _STOR_SPINLOCK {
    DpcLock = 1,
    StartIoLock,
    InterruptLock,
    ThreadedDpcLock,
    DpcLevelLock
} STOR_SPINLOCK;

typedef enum _STOR_SYNCHRONIZATION_MODEL {
    StorSynchronizeHalfDuplex,
    StorSynchronizeFullDuplex
} STOR_SYNCHRONIZATION_MODEL;

/* storport/ne-storport-_interrupt_synchronization_mode */
typedef enum _INTERRUPT_SYNCHRONIZATION_MODE {
    InterruptSupportNone,
    InterruptSynchronizeAll,
    InterruptSynchronizePerMessage
} INTERRUPT_SYNCHRONIZATION_MODE;

/* StorPortNotification's first argument (storport/nf-storport-storportnotification;
 * the wrappers below use the values from EnablePassiveInitialization on). */
typedef enum _SCSI_NOTIFICATION_TYPE {
    RequestComplete,
    NextRequest,
    NextLuRequest,
    ResetDetected,
    CallDisableInterrupts,
    CallEnableInterrupts,
    RequestTimerCall,
    BusChangeDetected,
    WMIEvent,
    WMIReregister,
    LinkUp,
    LinkDown,
    QueryTickCount,
    BufferOverrunDetected,
    TraceNotification,
    GetExtendedFunctionTable,
    EnablePassiveInitialization = 0x1000,
    InitializeDpc,
    IssueDpc,
    AcquireSpinLock,
    ReleaseSpinLock,
    StateChangeDetectedCall /* 0x1005 */
} SCSI_NOTIFICATION_TYPE;

/* StorPortExtendedFunction's first argument (storport/nf-storport-storportextendedfunction). */
typedef enum _STORPORT_FUNCTION_CODE {
    ExtFunctionAllocatePool,
    ExtFunctionFreePool,
    ExtFunctionAllocateMdl,
    ExtFunctionFreeMdl,
    ExtFunctionBuildMdlForNonPagedPool,
    ExtFunctionGetSystemAddress,
    ExtFunctionGetOriginalMdl,
    ExtFunctionCompleteServiceIrp,
    ExtFunctionGetDeviceObjects,
    ExtFunctionBuildScatterGatherList,
    ExtFunctionPutScatterGatherList,
    ExtFunctionAcquireMSISpinLock,
    ExtFunctionReleaseMSISpinLock,
    ExtFunctionGetMessageInterruptInformation,
    ExtFunctionInitializePerformanceOptimizations,
    ExtFunctionGetStartIoPerformanceParameters,
    ExtFunctionLogSystemEvent,
    ExtFunctionGetCurrentProcessorNumber
} STORPORT_FUNCTION_CODE;

/* srb/ns-srb-_srbex_data */
typedef enum _SRBEXDATATYPE {
    SrbExDataTypeUnknown = 0,
    SrbExDataTypeBidirectional,
    SrbExDataTypeScsiCdb16 = 0x40,
    SrbExDataTypeScsiCdb32,
    SrbExDataTypeScsiCdbVar,
    SrbExDataTypeWmi = 0x60,
    SrbExDataTypePower,
    SrbExDataTypePnp,
    SrbExDataTypeIoInfo = 0x80
} SRBEXDATATYPE;

/* ---- Structures -------------------------------------------------------- */
typedef PHYSICAL_ADDRESS STOR_PHYSICAL_ADDRESS;

/* storport/ns-storport-_access_range */
typedef struct _ACCESS_RANGE {
    STOR_PHYSICAL_ADDRESS RangeStart;
    ULONG RangeLength;
    BOOLEAN RangeInMemory;
} ACCESS_RANGE, *PACCESS_RANGE;

/* storport/ns-storport-_memory_region */
typedef struct _MEMORY_REGION {
    PUCHAR VirtualBase;
    PHYSICAL_ADDRESS PhysicalBase;
    ULONG Length;
} MEMORY_REGION, *PMEMORY_REGION;

typedef BOOLEAN NTAPI HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE(PVOID DeviceExtension, ULONG MessageId);
typedef HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE *PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE;

/* storport/ns-storport-_port_configuration_information */
typedef struct _PORT_CONFIGURATION_INFORMATION {
    ULONG Length;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    KINTERRUPT_MODE InterruptMode;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG DmaChannel;
    ULONG DmaPort;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    ACCESS_RANGE (*AccessRanges)[];
    PVOID MiniportDumpData;
    PVOID Reserved;
    UCHAR NumberOfBuses;
    CCHAR InitiatorBusId[8];
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN AdapterScansDown;
    BOOLEAN AtdiskPrimaryClaimed;
    BOOLEAN AtdiskSecondaryClaimed;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN DemandMode;
    UCHAR MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    BOOLEAN RealModeInitialized;
    BOOLEAN BufferAccessScsiPortControlled;
    UCHAR MaximumNumberOfTargets;
    UCHAR SrbType;
    UCHAR AddressType;
    UCHAR ReservedUchars[2];
    ULONG SlotNumber;
    ULONG BusInterruptLevel2;
    ULONG BusInterruptVector2;
    KINTERRUPT_MODE InterruptMode2;
    ULONG DmaChannel2;
    ULONG DmaPort2;
    DMA_WIDTH DmaWidth2;
    DMA_SPEED DmaSpeed2;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    UCHAR Dma64BitAddresses;
    BOOLEAN ResetTargetSupported;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
    STOR_SYNCHRONIZATION_MODEL SynchronizationModel;
    PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE HwMSInterruptRoutine;
    INTERRUPT_SYNCHRONIZATION_MODE InterruptSynchronizationMode;
    MEMORY_REGION DumpRegion;
    ULONG RequestedDumpBufferSize;
    BOOLEAN VirtualDevice;
    UCHAR DumpMode;
    UCHAR DmaAddressWidth;
    ULONG ExtendedFlags1;
    ULONG MaxNumberOfIO;
    ULONG MaxIOsPerLun;
    ULONG InitialLunQueueDepth;
    ULONG BusResetHoldTime;
    ULONG FeatureSupport;
} PORT_CONFIGURATION_INFORMATION, *PPORT_CONFIGURATION_INFORMATION;

/* PORT_CONFIGURATION_INFORMATION.DumpMode */
#define DUMP_MODE_CRASH       0x01
#define DUMP_MODE_HIBER       0x02
#define DUMP_MODE_MARK_MEMORY 0x03
#define DUMP_MODE_RESUME      0x04

/* The miniport's routines (storport/nc-storport-hw_*). */
typedef ULONG NTAPI HW_FIND_ADAPTER(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation,
                                    PCHAR ArgumentString,
                                    PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3);
typedef BOOLEAN NTAPI HW_INITIALIZE(PVOID DeviceExtension);
typedef BOOLEAN NTAPI HW_PASSIVE_INITIALIZE_ROUTINE(PVOID DeviceExtension);
typedef BOOLEAN NTAPI HW_BUILDIO(PVOID DeviceExtension, PVOID Srb);
typedef BOOLEAN NTAPI HW_STARTIO(PVOID DeviceExtension, PVOID Srb);
typedef BOOLEAN NTAPI HW_INTERRUPT(PVOID DeviceExtension);
typedef BOOLEAN NTAPI HW_RESET_BUS(PVOID DeviceExtension, ULONG PathId);
typedef SCSI_ADAPTER_CONTROL_STATUS NTAPI HW_ADAPTER_CONTROL(PVOID DeviceExtension,
                                                             SCSI_ADAPTER_CONTROL_TYPE ControlType,
                                                             PVOID Parameters);
typedef VOID NTAPI HW_TIMER(PVOID DeviceExtension);
typedef HW_FIND_ADAPTER *PHW_FIND_ADAPTER;
typedef HW_INITIALIZE *PHW_INITIALIZE;
typedef HW_PASSIVE_INITIALIZE_ROUTINE *PHW_PASSIVE_INITIALIZE_ROUTINE;
typedef HW_BUILDIO *PHW_BUILDIO;
typedef HW_STARTIO *PHW_STARTIO;
typedef HW_INTERRUPT *PHW_INTERRUPT;
typedef HW_RESET_BUS *PHW_RESET_BUS;
typedef HW_ADAPTER_CONTROL *PHW_ADAPTER_CONTROL;
typedef HW_TIMER *PHW_TIMER;

/* storport/ns-storport-_hw_initialization_data-r1.  The members this
 * interface leaves to NULL (DMA started, adapter state, service requests,
 * tracing, unit control) are plain pointers here. */
typedef struct _HW_INITIALIZATION_DATA {
    ULONG HwInitializationDataSize;
    INTERFACE_TYPE AdapterInterfaceType;
    PHW_INITIALIZE HwInitialize;
    PHW_STARTIO HwStartIo;
    PHW_INTERRUPT HwInterrupt;
    PVOID HwFindAdapter; /* PHW_FIND_ADAPTER */
    PHW_RESET_BUS HwResetBus;
    PVOID HwDmaStarted;
    PVOID HwAdapterState;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    ULONG NumberOfAccessRanges;
    PVOID Reserved;
    UCHAR MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    USHORT VendorIdLength;
    PVOID VendorId;
    union {
        USHORT ReservedUshort;
        USHORT PortVersionFlags;
    };
    USHORT DeviceIdLength;
    PVOID DeviceId;
    PHW_ADAPTER_CONTROL HwAdapterControl;
    PHW_BUILDIO HwBuildIo;
    PVOID HwFreeAdapterResources;
    PVOID HwProcessServiceRequest;
    PVOID HwCompleteServiceIrp;
    PVOID HwInitializeTracing;
    PVOID HwCleanupTracing;
    PVOID HwTracingEnabled;
    ULONG FeatureSupport;
    ULONG SrbTypeFlags;
    ULONG AddressTypeFlags;
    ULONG Reserved1;
    PVOID HwUnitControl;
} HW_INITIALIZATION_DATA, *PHW_INITIALIZATION_DATA;

/* storport/ns-storport-_scsi_supported_control_type_list */
typedef struct _SCSI_SUPPORTED_CONTROL_TYPE_LIST {
    ULONG MaxControlType;
    BOOLEAN SupportedTypeList[1];
} SCSI_SUPPORTED_CONTROL_TYPE_LIST, *PSCSI_SUPPORTED_CONTROL_TYPE_LIST;

/* srb/ns-srb-_scsi_request_block: the 64-bit header adds a ULONG before Cdb. */
typedef struct _SCSI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    UCHAR ScsiStatus;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR QueueTag;
    UCHAR QueueAction;
    UCHAR CdbLength;
    UCHAR SenseInfoBufferLength;
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    union {
        ULONG InternalStatus;
        ULONG QueueSortKey;
        ULONG LinkTimeoutValue;
    };
#if defined(_WIN64)
    ULONG Reserved;
#endif
    UCHAR Cdb[16];
} SCSI_REQUEST_BLOCK, *PSCSI_REQUEST_BLOCK;

/* srb.h aligns these to 8 bytes on 64-bit only (SRB_ALIGN, POINTER_ALIGN,
 * STOR_ADDRESS_ALIGN). */
#if defined(_WIN64)
#define VW_SRB_ALIGN8 __attribute__((aligned(8)))
#else
#define VW_SRB_ALIGN8
#endif

/* storport/ns-storport-_storage_request_block */
typedef struct VW_SRB_ALIGN8 _STORAGE_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    ULONG ReservedUlong1;
    ULONG Signature;
    ULONG Version;
    ULONG SrbLength;
    ULONG SrbFunction;
    ULONG SrbFlags;
    ULONG ReservedUlong2;
    ULONG RequestTag;
    USHORT RequestPriority;
    USHORT RequestAttribute;
    ULONG TimeOutValue;
    union {
        ULONG SystemStatus;
        ULONG RequestTagHigh4Bytes;
    };
    ULONG ZeroGuard1;
    ULONG AddressOffset;
    ULONG NumSrbExData;
    ULONG DataTransferLength;
    PVOID VW_SRB_ALIGN8 DataBuffer;
    PVOID VW_SRB_ALIGN8 ZeroGuard2;
    PVOID VW_SRB_ALIGN8 OriginalRequest;
    PVOID VW_SRB_ALIGN8 ClassContext;
    PVOID VW_SRB_ALIGN8 PortContext;
    PVOID VW_SRB_ALIGN8 MiniportContext;
    struct _STORAGE_REQUEST_BLOCK VW_SRB_ALIGN8 *NextSrb;
    ULONG SrbExDataOffset[1];
} STORAGE_REQUEST_BLOCK, *PSTORAGE_REQUEST_BLOCK;

/* storport/ns-storport-_stor_addr_btl8 */
typedef struct VW_SRB_ALIGN8 _STOR_ADDR_BTL8 {
    USHORT Type;
    USHORT Port;
    ULONG AddressLength;
    UCHAR Path;
    UCHAR Target;
    UCHAR Lun;
    UCHAR Reserved;
} STOR_ADDR_BTL8, *PSTOR_ADDR_BTL8;

/* storport/ns-storport-_stor_address: the generic address; Type
 * STOR_ADDRESS_TYPE_BTL8 is a STOR_ADDR_BTL8 */
typedef struct VW_SRB_ALIGN8 _STOR_ADDRESS {
    USHORT Type;
    USHORT Port;
    ULONG AddressLength;
    UCHAR AddressData[4];
} STOR_ADDRESS, *PSTOR_ADDRESS;
#define STOR_ADDRESS_TYPE_BTL8 1

/* storport/nf-storport-storportstatechangedetected: ChangedEntity */
#define STATE_CHANGE_LUN    0x1
#define STATE_CHANGE_TARGET 0x2
#define STATE_CHANGE_BUS    0x4

/* srb/ns-srb-_srbex_data */
typedef struct VW_SRB_ALIGN8 _SRBEX_DATA {
    SRBEXDATATYPE Type;
    ULONG Length;
    UCHAR Data[1];
} SRBEX_DATA, *PSRBEX_DATA;

/* srb/ns-srb-_srbex_data_scsi_cdb16 */
typedef struct VW_SRB_ALIGN8 _SRBEX_DATA_SCSI_CDB16 {
    SRBEXDATATYPE Type;
    ULONG Length;
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    PVOID VW_SRB_ALIGN8 SenseInfoBuffer;
    UCHAR VW_SRB_ALIGN8 Cdb[16];
} SRBEX_DATA_SCSI_CDB16, *PSRBEX_DATA_SCSI_CDB16;
#define SRBEX_DATA_SCSI_CDB16_LENGTH                                                               \
    ((16 * sizeof(UCHAR)) + (4 * sizeof(UCHAR)) + sizeof(ULONG) + sizeof(PVOID))

/* srb/ns-srb-_srbex_data_pnp: SRB_FUNCTION_PNP's block; PnPAction is a
 * STOR_PNP_ACTION (values from that page). */
typedef enum _STOR_PNP_ACTION {
    StorStartDevice = 0x00,
    StorRemoveDevice = 0x02,
    StorStopDevice = 0x04,
    StorQueryCapabilities = 0x09,
    StorQueryResourceRequirements = 0x0b,
    StorFilterResourceRequirements = 0x0d,
    StorSurpriseRemoval = 0x17
} STOR_PNP_ACTION;
#define SRB_PNP_FLAGS_ADAPTER_REQUEST 0x00000001
typedef struct VW_SRB_ALIGN8 _SRBEX_DATA_PNP {
    SRBEXDATATYPE Type;
    ULONG Length;
    UCHAR PnPSubFunction;
    UCHAR Reserved[3];
    STOR_PNP_ACTION PnPAction;
    ULONG SrbPnPFlags;
    ULONG Reserved1;
} SRBEX_DATA_PNP, *PSRBEX_DATA_PNP;
_Static_assert(sizeof(SRBEX_DATA_PNP) == 24, "SRBEX_DATA_PNP: six 4-byte members");

/* storport/ns-storport-_stor_device_capabilities_ex: at DataBuffer of a
 * StorQueryCapabilities PnP SRB; Version and Size set by StorPort.  The
 * one-bit members are bits of Flags, in their documented order. */
#define STOR_DEVICE_CAPABILITIES_EX_VERSION_1 1
#define STOR_CAP_DEVICE_D1                    0x00000001
#define STOR_CAP_DEVICE_D2                    0x00000002
#define STOR_CAP_LOCK_SUPPORTED               0x00000004
#define STOR_CAP_EJECT_SUPPORTED              0x00000008
#define STOR_CAP_REMOVABLE                    0x00000010
#define STOR_CAP_DOCK_DEVICE                  0x00000020
#define STOR_CAP_UNIQUE_ID                    0x00000040
#define STOR_CAP_SILENT_INSTALL               0x00000080
#define STOR_CAP_RAW_DEVICE_OK                0x00000100
#define STOR_CAP_SURPRISE_REMOVAL_OK          0x00000200
#define STOR_CAP_NO_DISPLAY_IN_UI             0x00000400
#define STOR_CAP_DEFAULT_WRITE_CACHE_ENABLED  0x00000800
typedef struct _STOR_DEVICE_CAPABILITIES_EX {
    USHORT Version;
    USHORT Size;
    ULONG Flags; /* DeviceD1 ... DefaultWriteCacheEnabled, Reserved0 */
    ULONG Address;
    ULONG UINumber;
    ULONG Reserved1[2];
} STOR_DEVICE_CAPABILITIES_EX, *PSTOR_DEVICE_CAPABILITIES_EX;
_Static_assert(sizeof(STOR_DEVICE_CAPABILITIES_EX) == 24, "STOR_DEVICE_CAPABILITIES_EX: 24 bytes");

/* srb/ns-srb-_srbex_data_power: SRB_FUNCTION_POWER's block
 * (storport/ne-storport-_stor_device_power_state, -_stor_power_action). */
typedef enum _STOR_DEVICE_POWER_STATE {
    StorPowerDeviceUnspecified = 0,
    StorPowerDeviceD0,
    StorPowerDeviceD1,
    StorPowerDeviceD2,
    StorPowerDeviceD3,
    StorPowerDeviceMaximum
} STOR_DEVICE_POWER_STATE;
typedef enum _STOR_POWER_ACTION {
    StorPowerActionNone = 0,
    StorPowerActionReserved,
    StorPowerActionSleep,
    StorPowerActionHibernate,
    StorPowerActionShutdown,
    StorPowerActionShutdownReset,
    StorPowerActionShutdownOff,
    StorPowerActionWarmEject
} STOR_POWER_ACTION;
#define SRB_POWER_FLAGS_ADAPTER_REQUEST 0x01
typedef struct VW_SRB_ALIGN8 _SRBEX_DATA_POWER {
    SRBEXDATATYPE Type;
    ULONG Length;
    UCHAR SrbPowerFlags;
    UCHAR Reserved[3];
    STOR_DEVICE_POWER_STATE DevicePowerState;
    STOR_POWER_ACTION PowerAction;
} SRBEX_DATA_POWER, *PSRBEX_DATA_POWER;
_Static_assert(sizeof(SRBEX_DATA_POWER) == (sizeof(void *) == 8 ? 24 : 20),
               "SRBEX_DATA_POWER: 20 bytes, 8-aligned on 64-bit");

/* storport/ns-storport-_srb_io_control: the header at DataBuffer of
 * SRB_FUNCTION_IO_CONTROL; Length bytes of payload follow it. */
typedef struct _SRB_IO_CONTROL {
    ULONG HeaderLength;
    UCHAR Signature[8];
    ULONG Timeout;
    ULONG ControlCode;
    ULONG ReturnCode;
    ULONG Length;
} SRB_IO_CONTROL, *PSRB_IO_CONTROL;
_Static_assert(sizeof(SRB_IO_CONTROL) == 28, "SRB_IO_CONTROL: 28 bytes");

/* storport/ns-storport-_stor_scatter_gather_element (and _list) */
typedef struct _STOR_SCATTER_GATHER_ELEMENT {
    STOR_PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length;
    ULONG_PTR Reserved;
} STOR_SCATTER_GATHER_ELEMENT, *PSTOR_SCATTER_GATHER_ELEMENT;

typedef struct _STOR_SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[];
} STOR_SCATTER_GATHER_LIST, *PSTOR_SCATTER_GATHER_LIST;

/* storport/ns-storport-_stor_dpc: opaque to the miniport. */
typedef struct _STOR_DPC {
    KDPC Dpc;
    KSPIN_LOCK Lock;
} STOR_DPC, *PSTOR_DPC;
typedef VOID NTAPI HW_DPC_ROUTINE(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1,
                                  PVOID SystemArgument2);
typedef HW_DPC_ROUTINE *PHW_DPC_ROUTINE;

/* storport/ns-storport-_stor_lock_handle */
typedef struct _STOR_LOCK_HANDLE {
    STOR_SPINLOCK Lock;
    union {
        KLOCK_QUEUE_HANDLE LockHandle;
        KIRQL OldIrql;
    } Context;
} STOR_LOCK_HANDLE, *PSTOR_LOCK_HANDLE;

/* storport/ns-storport-_message_interrupt_information */
typedef struct _MESSAGE_INTERRUPT_INFORMATION {
    ULONG MessageId;
    ULONG MessageData;
    STOR_PHYSICAL_ADDRESS MessageAddress;
    ULONG InterruptVector;
    ULONG InterruptLevel;
    KINTERRUPT_MODE InterruptMode;
} MESSAGE_INTERRUPT_INFORMATION, *PMESSAGE_INTERRUPT_INFORMATION;

/* storport/ns-storport-_perf_configuration_data (version 3 and later add
 * MessageTargets). */
typedef struct _PERF_CONFIGURATION_DATA {
    ULONG Version;
    ULONG Size;
    ULONG Flags;
    ULONG ConcurrentChannels;
    ULONG FirstRedirectionMessageNumber;
    ULONG LastRedirectionMessageNumber;
    ULONG DeviceNode;
    ULONG Reserved;
    PGROUP_AFFINITY MessageTargets;
} PERF_CONFIGURATION_DATA, *PPERF_CONFIGURATION_DATA;

/* storport/ns-storport-_startio_performance_parameters */
typedef struct _STARTIO_PERFORMANCE_PARAMETERS {
    ULONG Version;
    ULONG Size;
    ULONG MessageNumber;
    ULONG ChannelNumber;
} STARTIO_PERFORMANCE_PARAMETERS, *PSTARTIO_PERFORMANCE_PARAMETERS;

/* ---- Exports of storport.sys ------------------------------------------- */
STORPORT_API ULONG NTAPI StorPortInitialize(PVOID Argument1, PVOID Argument2,
                                            PHW_INITIALIZATION_DATA HwInitializationData,
                                            PVOID HwContext);
STORPORT_API VOID __cdecl StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType,
                                               PVOID HwDeviceExtension, ...);
STORPORT_API ULONG __cdecl StorPortExtendedFunction(STORPORT_FUNCTION_CODE FunctionCode,
                                                    PVOID HwDeviceExtension, ...);
STORPORT_API PVOID NTAPI StorPortGetUncachedExtension(PVOID HwDeviceExtension,
                                                      PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                                      ULONG NumberOfBytes);
STORPORT_API STOR_PHYSICAL_ADDRESS NTAPI StorPortGetPhysicalAddress(PVOID HwDeviceExtension,
                                                                    PVOID Srb, PVOID VirtualAddress,
                                                                    ULONG *Length);
STORPORT_API PSTOR_SCATTER_GATHER_LIST NTAPI StorPortGetScatterGatherList(PVOID DeviceExtension,
                                                                          PVOID Srb);
STORPORT_API BOOLEAN NTAPI StorPortBusy(PVOID HwDeviceExtension, ULONG RequestsToComplete);
STORPORT_API BOOLEAN NTAPI StorPortReady(PVOID HwDeviceExtension);
STORPORT_API BOOLEAN NTAPI StorPortPause(PVOID HwDeviceExtension, ULONG TimeOut);
STORPORT_API BOOLEAN NTAPI StorPortResume(PVOID HwDeviceExtension);
STORPORT_API BOOLEAN NTAPI StorPortSetDeviceQueueDepth(PVOID HwDeviceExtension, UCHAR PathId,
                                                       UCHAR TargetId, UCHAR Lun, ULONG Depth);
STORPORT_API VOID NTAPI StorPortStallExecution(ULONG Delay);
/* storport/nf-storport-storportregistryread (PASSIVE_LEVEL only; Global 1:
 * the service's Parameters\Device key); Buffer comes from
 * StorPortAllocateRegistryBuffer and goes back with StorPortFreeRegistryBuffer. */
#define MINIPORT_REG_DWORD 4
STORPORT_API BOOLEAN NTAPI StorPortRegistryRead(PVOID HwDeviceExtension, PUCHAR ValueName,
                                                ULONG Global, ULONG Type, PUCHAR Buffer,
                                                PULONG BufferLength);
STORPORT_API PUCHAR NTAPI StorPortAllocateRegistryBuffer(PVOID HwDeviceExtension, PULONG Length);
STORPORT_API VOID NTAPI StorPortFreeRegistryBuffer(PVOID HwDeviceExtension, PUCHAR Buffer);
/* storport/nf-storport-storportregistrywrite: BufferLength bytes of Buffer
 * (the registry buffer) become the value. */
STORPORT_API BOOLEAN NTAPI StorPortRegistryWrite(PVOID HwDeviceExtension, PUCHAR ValueName,
                                                 ULONG Global, ULONG Type, PUCHAR Buffer,
                                                 ULONG BufferLength);
/* storport/nf-storport-storportgetbusdata: bytes stored in Buffer. */
STORPORT_API ULONG NTAPI StorPortGetBusData(PVOID DeviceExtension, ULONG BusDataType,
                                            ULONG SystemIoBusNumber, ULONG SlotNumber, PVOID Buffer,
                                            ULONG Length);
/* storport/nf-storport-storportsetbusdatabyoffset */
STORPORT_API ULONG NTAPI StorPortSetBusDataByOffset(PVOID DeviceExtension, ULONG BusDataType,
                                                    ULONG SystemIoBusNumber, ULONG SlotNumber,
                                                    PVOID Buffer, ULONG Offset, ULONG Length);
/* storport/nf-storport-storportgetdevicebase: IoAddress is an access range
 * (bus-relative); InIoSpace is !RangeInMemory. */
STORPORT_API PVOID NTAPI StorPortGetDeviceBase(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                                               ULONG SystemIoBusNumber,
                                               STOR_PHYSICAL_ADDRESS IoAddress, ULONG NumberOfBytes,
                                               BOOLEAN InIoSpace);
/* storport/nf-storport-storportfreedevicebase */
STORPORT_API VOID NTAPI StorPortFreeDeviceBase(PVOID HwDeviceExtension, PVOID MappedAddress);
/* Port access on a StorPortGetDeviceBase result for I/O space
 * (storport/nf-storport-storportreadportulong and the rest). */
STORPORT_API UCHAR NTAPI StorPortReadPortUchar(PVOID HwDeviceExtension, PUCHAR Port);
STORPORT_API USHORT NTAPI StorPortReadPortUshort(PVOID HwDeviceExtension, PUSHORT Port);
STORPORT_API ULONG NTAPI StorPortReadPortUlong(PVOID HwDeviceExtension, PULONG Port);
STORPORT_API VOID NTAPI StorPortWritePortUchar(PVOID HwDeviceExtension, PUCHAR Port, UCHAR Value);
STORPORT_API VOID NTAPI StorPortWritePortUshort(PVOID HwDeviceExtension, PUSHORT Port,
                                                USHORT Value);
STORPORT_API VOID NTAPI StorPortWritePortUlong(PVOID HwDeviceExtension, PULONG Port, ULONG Value);

/* ---- Wrappers over StorPortNotification / StorPortExtendedFunction ------ */
/* Only in HwInitialize: run HwPassiveInitializeRoutine at PASSIVE_LEVEL
 * afterwards (storport/nf-storport-storportenablepassiveinitialization). IRQL: DIRQL. */
FORCEINLINE BOOLEAN StorPortEnablePassiveInitialization(PVOID DeviceExtension,
                                                        PHW_PASSIVE_INITIALIZE_ROUTINE Routine)
{
    LONG succeeded = FALSE;
    StorPortNotification(EnablePassiveInitialization, DeviceExtension, Routine, &succeeded);
    return (BOOLEAN)succeeded;
}

/* storport/nf-storport-storportinitializedpc. IRQL: PASSIVE_LEVEL. */
FORCEINLINE VOID StorPortInitializeDpc(PVOID DeviceExtension, PSTOR_DPC Dpc,
                                       PHW_DPC_ROUTINE HwDpcRoutine)
{
    StorPortNotification(InitializeDpc, DeviceExtension, Dpc, HwDpcRoutine);
}

/* storport/nf-storport-storportstatechangedetected: the entities of
 * Address changed, StorPort re-enumerates them; one notification at a
 * time (another is refused until HwStateChange, if given, has run).
 * Address stays valid until then.  Returns a STOR_STATUS_*. IRQL <= DISPATCH_LEVEL. */
FORCEINLINE ULONG StorPortStateChangeDetected(PVOID DeviceExtension, ULONG ChangedEntity,
                                              PSTOR_ADDRESS Address, ULONG Attributes,
                                              PVOID HwStateChange, PVOID HwStateChangeContext)
{
    ULONG status = STOR_STATUS_NOT_IMPLEMENTED;
    StorPortNotification(StateChangeDetectedCall, DeviceExtension, ChangedEntity, Address,
                         Attributes, HwStateChange, HwStateChangeContext, &status);
    return status;
}

/* storport/nf-storport-storportissuedpc (<= DIRQL): FALSE if already queued. IRQL <= DIRQL. */
FORCEINLINE BOOLEAN StorPortIssueDpc(PVOID DeviceExtension, PSTOR_DPC Dpc, PVOID SystemArgument1,
                                     PVOID SystemArgument2)
{
    LONG succeeded = FALSE;
    StorPortNotification(IssueDpc, DeviceExtension, Dpc, SystemArgument1, SystemArgument2,
                         &succeeded);
    return (BOOLEAN)succeeded;
}

/* storport/nf-storport-storportacquirespinlock: LockContext is the STOR_DPC
 * for DpcLock, NULL otherwise. IRQL <= DIRQL. */
FORCEINLINE VOID StorPortAcquireSpinLock(PVOID DeviceExtension, STOR_SPINLOCK SpinLock,
                                         PVOID LockContext, PSTOR_LOCK_HANDLE LockHandle)
{
    StorPortNotification(AcquireSpinLock, DeviceExtension, SpinLock, LockContext, LockHandle);
}

/* storport/nf-storport-storportreleasespinlock. IRQL <= DIRQL. */
FORCEINLINE VOID StorPortReleaseSpinLock(PVOID DeviceExtension, PSTOR_LOCK_HANDLE LockHandle)
{
    StorPortNotification(ReleaseSpinLock, DeviceExtension, LockHandle);
}

/* storport/nf-storport-storportgetmsiinfo. IRQL <= DIRQL. */
FORCEINLINE ULONG StorPortGetMSIInfo(PVOID HwDeviceExtension, ULONG MessageId,
                                     PMESSAGE_INTERRUPT_INFORMATION InterruptInfo)
{
    return StorPortExtendedFunction(ExtFunctionGetMessageInterruptInformation, HwDeviceExtension,
                                    MessageId, InterruptInfo);
}

/* storport/nf-storport-storportacquiremsispinlock (OldIrql out). IRQL <= DIRQL. */
FORCEINLINE ULONG StorPortAcquireMSISpinLock(PVOID HwDeviceExtension, ULONG MessageId,
                                             PULONG OldIrql)
{
    return StorPortExtendedFunction(ExtFunctionAcquireMSISpinLock, HwDeviceExtension, MessageId,
                                    OldIrql);
}

/* storport/nf-storport-storportreleasemsispinlock. IRQL <= DIRQL. */
FORCEINLINE ULONG StorPortReleaseMSISpinLock(PVOID HwDeviceExtension, ULONG MessageId,
                                             ULONG OldIrql)
{
    return StorPortExtendedFunction(ExtFunctionReleaseMSISpinLock, HwDeviceExtension, MessageId,
                                    OldIrql);
}

/* storport/nf-storport-storportinitializeperfopts: HwInitialize or the
 * passive routine only. IRQL <= DIRQL. */
FORCEINLINE ULONG StorPortInitializePerfOpts(PVOID HwDeviceExtension, BOOLEAN Query,
                                             PPERF_CONFIGURATION_DATA PerfConfigData)
{
    return StorPortExtendedFunction(ExtFunctionInitializePerformanceOptimizations,
                                    HwDeviceExtension, Query, PerfConfigData);
}

/* storport/nf-storport-storportgetstartioperfparams. IRQL <= DIRQL. */
FORCEINLINE ULONG StorPortGetStartIoPerfParams(PVOID HwDeviceExtension, PVOID Srb,
                                               PSTARTIO_PERFORMANCE_PARAMETERS StartIoPerfParams)
{
    return StorPortExtendedFunction(ExtFunctionGetStartIoPerformanceParameters, HwDeviceExtension,
                                    Srb, StartIoPerfParams);
}

/* storport/nf-storport-storportgetcurrentprocessornumber. IRQL: any. */
FORCEINLINE ULONG StorPortGetCurrentProcessorNumber(PVOID HwDeviceExtension,
                                                    PPROCESSOR_NUMBER ProcNumber)
{
    return StorPortExtendedFunction(ExtFunctionGetCurrentProcessorNumber, HwDeviceExtension,
                                    ProcNumber);
}

/* Register access on a mapped BAR (storport/nf-storport-storportreadregisterulong
 * and friends: plain MMIO). */
#define StorPortReadRegisterUlong(h, r)      READ_REGISTER_ULONG(r)
#define StorPortWriteRegisterUlong(h, r, v)  WRITE_REGISTER_ULONG((r), (v))
#define StorPortReadRegisterUchar(h, r)      READ_REGISTER_UCHAR(r)
#define StorPortWriteRegisterUchar(h, r, v)  WRITE_REGISTER_UCHAR((r), (v))
#define StorPortReadRegisterUshort(h, r)     READ_REGISTER_USHORT(r)
#define StorPortWriteRegisterUshort(h, r, v) WRITE_REGISTER_USHORT((r), (v))

/* ---- Request block accessors: either format (the SRB_EX one marks
 * itself with Function == SRB_FUNCTION_STORAGE_REQUEST_BLOCK) -----------. IRQL: any. */
FORCEINLINE BOOLEAN VwSrbIsEx(PVOID Srb)
{
    return ((PSCSI_REQUEST_BLOCK)Srb)->Function == SRB_FUNCTION_STORAGE_REQUEST_BLOCK;
}

/* The SRBEX_DATA block of TYPE in an SRB_EX, or NULL. IRQL: any. */
FORCEINLINE PSRBEX_DATA VwSrbExData(PSTORAGE_REQUEST_BLOCK Srb, SRBEXDATATYPE Type)
{
    for (ULONG i = 0; i < Srb->NumSrbExData; i++) {
        ULONG off = Srb->SrbExDataOffset[i];
        if (off >= sizeof(STORAGE_REQUEST_BLOCK) && off < Srb->SrbLength) {
            PSRBEX_DATA d = (PSRBEX_DATA)((PUCHAR)Srb + off);
            if (d->Type == Type)
                return d;
        }
    }
    return NULL;
}

/* The SRB function of either request block format. IRQL: any. */
FORCEINLINE ULONG SrbGetSrbFunction(PVOID Srb)
{
    return VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbFunction
                          : ((PSCSI_REQUEST_BLOCK)Srb)->Function;
}

/* The CDB of either format (NULL for an SRB_EX without a CDB block). IRQL: any. */
FORCEINLINE PUCHAR SrbGetCdb(PVOID Srb)
{
    if (!VwSrbIsEx(Srb))
        return ((PSCSI_REQUEST_BLOCK)Srb)->Cdb;
    PSRBEX_DATA_SCSI_CDB16 d =
        (PSRBEX_DATA_SCSI_CDB16)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypeScsiCdb16);
    return d != NULL ? d->Cdb : NULL;
}

/* The CDB length of either format (0 without a CDB block). IRQL: any. */
FORCEINLINE ULONG SrbGetCdbLength(PVOID Srb)
{
    if (!VwSrbIsEx(Srb))
        return ((PSCSI_REQUEST_BLOCK)Srb)->CdbLength;
    PSRBEX_DATA_SCSI_CDB16 d =
        (PSRBEX_DATA_SCSI_CDB16)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypeScsiCdb16);
    return d != NULL ? d->CdbLength : 0;
}

/* The data buffer's virtual address of either format. IRQL: any. */
FORCEINLINE PVOID SrbGetDataBuffer(PVOID Srb)
{
    return VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->DataBuffer
                          : ((PSCSI_REQUEST_BLOCK)Srb)->DataBuffer;
}

/* The transfer length of either format. IRQL: any. */
FORCEINLINE ULONG SrbGetDataTransferLength(PVOID Srb)
{
    return VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->DataTransferLength
                          : ((PSCSI_REQUEST_BLOCK)Srb)->DataTransferLength;
}

/* Set the transfer length (bytes actually moved) of either format. IRQL: any. */
FORCEINLINE VOID SrbSetDataTransferLength(PVOID Srb, ULONG Length)
{
    if (VwSrbIsEx(Srb))
        ((PSTORAGE_REQUEST_BLOCK)Srb)->DataTransferLength = Length;
    else
        ((PSCSI_REQUEST_BLOCK)Srb)->DataTransferLength = Length;
}

/* The SRB_FLAGS_* of either format. IRQL: any. */
FORCEINLINE ULONG SrbGetSrbFlags(PVOID Srb)
{
    return VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbFlags
                          : ((PSCSI_REQUEST_BLOCK)Srb)->SrbFlags;
}

/* The miniport's per-request memory (SRB extension) of either format. IRQL: any. */
FORCEINLINE PVOID SrbGetMiniportContext(PVOID Srb)
{
    return VwSrbIsEx(Srb) ? ((PSTORAGE_REQUEST_BLOCK)Srb)->MiniportContext
                          : ((PSCSI_REQUEST_BLOCK)Srb)->SrbExtension;
}

/* The SRB status byte (the same offset in both formats). IRQL: any. */
FORCEINLINE UCHAR SrbGetSrbStatus(PVOID Srb)
{
    return ((PSCSI_REQUEST_BLOCK)Srb)->SrbStatus; /* same offset in both */
}

/* Set the SRB status byte (the same offset in both formats). IRQL: any. */
FORCEINLINE VOID SrbSetSrbStatus(PVOID Srb, UCHAR Status)
{
    ((PSCSI_REQUEST_BLOCK)Srb)->SrbStatus = Status;
}

/* Set the SCSI status of either format (the CDB block's, for an SRB_EX). IRQL: any. */
FORCEINLINE VOID SrbSetScsiStatus(PVOID Srb, UCHAR Status)
{
    if (!VwSrbIsEx(Srb)) {
        ((PSCSI_REQUEST_BLOCK)Srb)->ScsiStatus = Status;
        return;
    }
    PSRBEX_DATA_SCSI_CDB16 d =
        (PSRBEX_DATA_SCSI_CDB16)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypeScsiCdb16);
    if (d != NULL)
        d->ScsiStatus = Status;
}

/* Path, target and LUN of either format (BTL8 address of an SRB_EX). IRQL: any. */
FORCEINLINE VOID SrbGetPathTargetLun(PVOID Srb, PUCHAR PathId, PUCHAR TargetId, PUCHAR Lun)
{
    if (!VwSrbIsEx(Srb)) {
        PSCSI_REQUEST_BLOCK s = (PSCSI_REQUEST_BLOCK)Srb;
        *PathId = s->PathId, *TargetId = s->TargetId, *Lun = s->Lun;
        return;
    }
    PSTORAGE_REQUEST_BLOCK x = (PSTORAGE_REQUEST_BLOCK)Srb;
    PSTOR_ADDR_BTL8 a = (PSTOR_ADDR_BTL8)((PUCHAR)x + x->AddressOffset);
    *PathId = a->Path, *TargetId = a->Target, *Lun = a->Lun;
}
