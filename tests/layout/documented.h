/*
 * The kernel structures of layout-list.h as Microsoft declares them, written
 * down as facts (member order and types) from the DDI reference pages cited
 * above each structure, with fixed-size types only.  documented.c compiles
 * this file for x86 and amd64 WITHOUT the mingw-w64 headers, so the values
 * it yields are independent of the headers the drivers and the fake kernel
 * are built with; compare.c checks the two tables entry by entry.
 *
 * Pages: https://learn.microsoft.com/windows-hardware/drivers/ddi/<header>/<page>
 * (written below as <header>/<page>).  Where the page's syntax block leaves
 * out what the header applies (a pack pragma, an alignment, an #if _WIN64),
 * the comment says so and which public-symbol layout confirms it.
 *
 * Opaque structures (the page says drivers must not touch the members) get
 * their size only, from Microsoft's public symbols for ntoskrnl (the type
 * sizes of ntkrnlmp.pdb, x86 and x64, as listed by vergiliusproject.com for
 * Windows 10/11); their members are listed in VW_DOCUMENTED_LIST as not
 * documented.  Only members before the last one used are needed where
 * sizeof is not pinned (KUSER_SHARED_DATA).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
#define VW_ARCH(x86, amd64) amd64
#elif defined(__i386__)
#define VW_ARCH(x86, amd64) x86
#else
#error "documented.h: x86 and amd64 only (arm64 is checked to equal amd64)"
#endif

/* Base types (ntdef.h/basetsd.h, learn.microsoft.com/windows/win32/winprog/windows-data-types). */
typedef int8_t CHAR, CCHAR;
typedef uint8_t UCHAR, BOOLEAN, KIRQL;
typedef int8_t KPROCESSOR_MODE;
typedef int16_t CSHORT;
typedef uint16_t USHORT;
typedef int32_t LONG, NTSTATUS;
typedef uint32_t ULONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONG64;
typedef uintptr_t ULONG_PTR, KAFFINITY;
/* kernel/introduction-to-spin-locks calls it opaque; wdm.h declares it
 * ULONG_PTR, the size the public symbols give. */
typedef ULONG_PTR KSPIN_LOCK;
typedef void *PVOID;  /* every P* pointer and function pointer below */
typedef int32_t ENUM; /* C enums (INTERFACE_TYPE, DEVICE_POWER_STATE, ...) are int */

/* POINTER_ALIGNMENT: DECLSPEC_ALIGN(8) on 64-bit, nothing on 32-bit (wdm.h). */
#define POINTER_ALIGNMENT _Alignas(VW_ARCH(4, 8))
/* MEMORY_ALLOCATION_ALIGNMENT: 16 on 64-bit, 8 on 32-bit (winnt.h/wdm.h). */
#define MEMORY_ALLOCATION_ALIGNMENT VW_ARCH(8, 16)

/* An opaque object of public-symbol size, pointer-aligned. */
#define VW_OPAQUE(name, x86, amd64)                                                                \
    typedef struct {                                                                               \
        _Alignas(VW_ARCH(4, 8)) UCHAR Opaque[VW_ARCH(x86, amd64)];                                 \
    } name

/* winnt.h/LARGE_INTEGER (win32/api/winnt/ns-winnt-large_integer-r1). */
typedef union {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    LONGLONG QuadPart;
} LARGE_INTEGER, PHYSICAL_ADDRESS;

/* ntdef.h: LIST_ENTRY, SINGLE_LIST_ENTRY (win32/api/ntdef/ns-ntdef-list_entry, -single_list_entry).
 */
typedef struct {
    PVOID Flink;
    PVOID Blink;
} LIST_ENTRY;
typedef struct {
    PVOID Next;
} SINGLE_LIST_ENTRY;

/* ntdef.h: UNICODE_STRING (wudfwdm/ns-wudfwdm-_unicode_string). */
typedef struct {
    USHORT Length;
    USHORT MaximumLength;
    PVOID Buffer;
} UNICODE_STRING;

/* wdm/ns-wdm-_io_status_block. */
typedef struct {
    union {
        NTSTATUS Status;
        PVOID Pointer;
    };
    ULONG_PTR Information;
} IO_STATUS_BLOCK;

/* Objects drivers provide storage for but must not look into (the
 * KeInitializeEvent, KeInitializeTimer, KeInitializeDpc, ExInitializeFastMutex,
 * IoInitializeRemoveLock, ... pages treat them as opaque): sizes from the
 * public symbols.  WAIT_CONTEXT_BLOCK and KAPC only size DEVICE_OBJECT and
 * IRP. */
VW_OPAQUE(KEVENT, 0x10, 0x18);
VW_OPAQUE(KTIMER, 0x28, 0x40);
VW_OPAQUE(KSEMAPHORE, 0x14, 0x20);
VW_OPAQUE(KMUTEX, 0x20, 0x38); /* _KMUTANT */
VW_OPAQUE(FAST_MUTEX, 0x20, 0x38);
VW_OPAQUE(KDPC, 0x20, 0x40);
VW_OPAQUE(KDEVICE_QUEUE, 0x14, 0x28);
VW_OPAQUE(KAPC, 0x30, 0x58);
VW_OPAQUE(WAIT_CONTEXT_BLOCK, 0x28, 0x48);
VW_OPAQUE(KLOCK_QUEUE_HANDLE, 0x0c, 0x18);
VW_OPAQUE(IO_REMOVE_LOCK, 0x18, 0x20); /* free build: the common block only */
VW_OPAQUE(WORK_QUEUE_ITEM, 0x10, 0x20);
VW_OPAQUE(KBUGCHECK_CALLBACK_RECORD, 0x20, 0x40);
VW_OPAQUE(KBUGCHECK_REASON_CALLBACK_RECORD, 0x1c, 0x30);
VW_OPAQUE(KAPC_STATE, 0x18, 0x30); /* ntifs/nf-ntifs-kestackattachprocess: opaque */

/* wdm/ns-wdm-_driver_object. */
typedef struct {
    CSHORT Type;
    CSHORT Size;
    PVOID DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PVOID DriverExtension;
    UNICODE_STRING DriverName;
    PVOID HardwareDatabase;
    PVOID FastIoDispatch;
    PVOID DriverInit;
    PVOID DriverStartIo;
    PVOID DriverUnload;
    PVOID MajorFunction[0x1b + 1]; /* IRP_MJ_MAXIMUM_FUNCTION + 1 */
} DRIVER_OBJECT;

/* wdm/ns-wdm-_device_object.  The header declares it
 * DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT), which the syntax block leaves
 * out (public symbols: 0xb8 / 0x150 bytes). */
typedef struct {
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) CSHORT Type;
    USHORT Size;
    LONG ReferenceCount;
    PVOID DriverObject;
    PVOID NextDevice;
    PVOID AttachedDevice;
    PVOID CurrentIrp;
    PVOID Timer;
    ULONG Flags;
    ULONG Characteristics;
    PVOID Vpb;
    PVOID DeviceExtension;
    ULONG DeviceType; /* DEVICE_TYPE */
    CCHAR StackSize;
    union {
        LIST_ENTRY ListEntry;
        WAIT_CONTEXT_BLOCK Wcb;
    } Queue;
    ULONG AlignmentRequirement;
    KDEVICE_QUEUE DeviceQueue;
    KDPC Dpc;
    ULONG ActiveThreadCount;
    PVOID SecurityDescriptor;
    KEVENT DeviceLock;
    USHORT SectorSize;
    USHORT Spare1;
    PVOID DeviceObjectExtension;
    PVOID Reserved;
} DEVICE_OBJECT;

/* DRIVER_EXTENSION has no page of its own: wdm/ns-wdm-_driver_object says
 * AddDevice is its only member drivers may use.  The two members' offsets
 * are the public symbols' (_DRIVER_EXTENSION: DriverObject, then AddDevice);
 * the kernel's structure is larger than wdm.h's, so its size is not pinned. */
typedef struct {
    PVOID DriverObject;
    PVOID AddDevice;
} DRIVER_EXTENSION;

/* wdm/ns-wdm-_irp.  (The header declares it DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT);
 * the syntax block leaves it out.)  Tail.Overlay's first member is a
 * union of KDEVICE_QUEUE_ENTRY (opaque) and DriverContext[4]; the public
 * symbols put Thread right after DriverContext, so the array sets its size. */
typedef struct {
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) CSHORT Type;
    USHORT Size;
    PVOID MdlAddress;
    ULONG Flags;
    union {
        PVOID MasterIrp;
        LONG IrpCount;
        PVOID SystemBuffer;
    } AssociatedIrp;
    LIST_ENTRY ThreadListEntry;
#ifdef VW_PLANTED_IOSTATUS
    ULONG64 Planted; /* tests/layout/run.sh: a member moved must be caught */
#endif
    IO_STATUS_BLOCK IoStatus;
    KPROCESSOR_MODE RequestorMode;
    BOOLEAN PendingReturned;
    CHAR StackCount;
    CHAR CurrentLocation;
    BOOLEAN Cancel;
    KIRQL CancelIrql;
    CCHAR ApcEnvironment;
    UCHAR AllocationFlags;
    union {
        PVOID UserIosb;
        PVOID IoRingContext;
    };
    PVOID UserEvent;
    union {
        struct {
            union {
                PVOID UserApcRoutine;
                PVOID IssuingProcess;
            };
            union {
                PVOID UserApcContext;
                PVOID IoRing;
            };
        } AsynchronousParameters;
        LARGE_INTEGER AllocationSize;
    } Overlay;
    PVOID CancelRoutine;
    PVOID UserBuffer;
    union {
        struct {
            union {
                struct {
                    PVOID DriverContext[4];
                };
            };
            PVOID Thread;
            PVOID AuxiliaryBuffer;
            struct {
                LIST_ENTRY ListEntry;
                union {
                    PVOID CurrentStackLocation;
                    ULONG PacketType;
                };
            };
            PVOID OriginalFileObject;
        } Overlay;
        KAPC Apc;
        PVOID CompletionKey;
    } Tail;
} IRP;

/* wdm/ns-wdm-_power_state. */
typedef union {
    ENUM SystemState;
    ENUM DeviceState;
} POWER_STATE;

/* wdm/ns-wdm-_io_stack_location.  Two things the syntax block flattens:
 * wdm.h declares the structure under pshpack4 on x86 (not on 64-bit), and
 * Read/Write.Flags exist under _WIN64 only (public symbols, x86: 0x24 bytes,
 * Parameters at 4, Read.ByteOffset at 0xc; x64: 0x48 bytes).  Of the
 * Parameters union, the members layout-list.h names are written out, plus
 * Others, the largest (four pointers), which sets the union's size. */
#if defined(__i386__)
#pragma pack(push, 4)
#endif
typedef struct {
    UCHAR MajorFunction;
    UCHAR MinorFunction;
    UCHAR Flags;
    UCHAR Control;
    union {
        struct {
            ULONG Length;
            POINTER_ALIGNMENT ULONG Key;
#if defined(__x86_64__)
            ULONG Flags;
#endif
            LARGE_INTEGER ByteOffset;
        } Read;
        struct {
            ULONG Length;
            POINTER_ALIGNMENT ULONG Key;
#if defined(__x86_64__)
            ULONG Flags;
#endif
            LARGE_INTEGER ByteOffset;
        } Write;
        struct {
            ULONG OutputBufferLength;
            POINTER_ALIGNMENT ULONG InputBufferLength;
            POINTER_ALIGNMENT ULONG IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            PVOID InterfaceType;
            USHORT Size;
            USHORT Version;
            PVOID Interface;
            PVOID InterfaceSpecificData;
        } QueryInterface;
        struct {
            PVOID AllocatedResources;
            PVOID AllocatedResourcesTranslated;
        } StartDevice;
        struct {
            PVOID Capabilities;
        } DeviceCapabilities;
        struct {
            union {
                ULONG SystemContext;
                ULONG SystemPowerStateContext; /* SYSTEM_POWER_STATE_CONTEXT: a ULONG of bits */
            };
            POINTER_ALIGNMENT ENUM Type; /* POWER_STATE_TYPE */
            POINTER_ALIGNMENT POWER_STATE State;
            POINTER_ALIGNMENT ENUM ShutdownType; /* POWER_ACTION */
        } Power;
        struct {
            PVOID Argument1;
            PVOID Argument2;
            PVOID Argument3;
            PVOID Argument4;
        } Others;
    } Parameters;
    PVOID DeviceObject;
    PVOID FileObject;
    PVOID CompletionRoutine;
    PVOID Context;
} IO_STACK_LOCATION;
#if defined(__i386__)
#pragma pack(pop)
#endif

/* wdm/ns-wdm-_mdl. */
typedef struct {
    PVOID Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PVOID Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL;

/* wdm/ns-wdm-_cm_partial_resource_descriptor.  wdm.h declares it under
 * pshpack4, which the syntax block leaves out (public symbols: 0x10 / 0x14
 * bytes, u at 4 on both).  Level/Group: the NT_PROCESSOR_GROUPS branch
 * (Windows 7 and later).  MessageInterrupt.Raw: the syntax block lists
 * "USHORT Group; USHORT Reserved;", the two branches of that #if flattened
 * (as with Interrupt's Level); one USHORT precedes MessageCount (public
 * symbols: Raw.Group at u+0, Raw.MessageCount at u+2, Raw.Vector at u+4).  Of the union, the
 * members layout-list.h names, plus Generic (the size every 12-byte member shares) and, on x86, the
 * 12-byte Interrupt. */
#pragma pack(push, 4)
typedef struct {
    UCHAR Type;
    UCHAR ShareDisposition;
    USHORT Flags;
    union {
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Generic;
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Port;
        struct {
            USHORT Level;
            USHORT Group;
            ULONG Vector;
            KAFFINITY Affinity;
        } Interrupt;
        struct {
            union {
                struct {
                    USHORT Group;
                    USHORT MessageCount;
                    ULONG Vector;
                    KAFFINITY Affinity;
                } Raw;
                struct {
                    USHORT Level;
                    USHORT Group;
                    ULONG Vector;
                    KAFFINITY Affinity;
                } Translated;
            };
        } MessageInterrupt;
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Memory;
    } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR;
#pragma pack(pop)

/* wdm/ns-wdm-_cm_partial_resource_list. */
typedef struct {
    USHORT Version;
    USHORT Revision;
    ULONG Count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST;

/* wdm/ns-wdm-_cm_full_resource_descriptor. */
typedef struct {
    ENUM InterfaceType;
    ULONG BusNumber;
    CM_PARTIAL_RESOURCE_LIST PartialResourceList;
} CM_FULL_RESOURCE_DESCRIPTOR;

/* wdm/ns-wdm-_cm_resource_list. */
typedef struct {
    ULONG Count;
    CM_FULL_RESOURCE_DESCRIPTOR List[1];
} CM_RESOURCE_LIST;

/* wdm/ns-wdm-_kbugcheck_dump_io. */
typedef struct {
    ULONG64 Offset;
    PVOID Buffer;
    ULONG BufferLength;
    ENUM Type; /* KBUGCHECK_DUMP_IO_TYPE */
} KBUGCHECK_DUMP_IO;

/* wdm/ns-wdm-_io_connect_interrupt_fully_specified_parameters,
 * -_io_connect_interrupt_line_based_parameters,
 * -_io_connect_interrupt_message_based_parameters,
 * -_io_connect_interrupt_parameters. */
typedef struct {
    PVOID PhysicalDeviceObject;
    PVOID InterruptObject;
    PVOID ServiceRoutine;
    PVOID ServiceContext;
    PVOID SpinLock;
    KIRQL SynchronizeIrql;
    BOOLEAN FloatingSave;
    BOOLEAN ShareVector;
    ULONG Vector;
    KIRQL Irql;
    ENUM InterruptMode;
    KAFFINITY ProcessorEnableMask;
    USHORT Group;
} IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS;
typedef struct {
    PVOID PhysicalDeviceObject;
    PVOID InterruptObject;
    PVOID ServiceRoutine;
    PVOID ServiceContext;
    PVOID SpinLock;
    KIRQL SynchronizeIrql;
    BOOLEAN FloatingSave;
} IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS;
typedef struct {
    PVOID PhysicalDeviceObject;
    union {
        PVOID Generic;
        PVOID InterruptMessageTable;
        PVOID InterruptObject;
    } ConnectionContext;
    PVOID MessageServiceRoutine;
    PVOID ServiceContext;
    PVOID SpinLock;
    KIRQL SynchronizeIrql;
    BOOLEAN FloatingSave;
    PVOID FallBackServiceRoutine;
} IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS;
typedef struct {
    ULONG Version;
    union {
        IO_CONNECT_INTERRUPT_FULLY_SPECIFIED_PARAMETERS FullySpecified;
        IO_CONNECT_INTERRUPT_LINE_BASED_PARAMETERS LineBased;
        IO_CONNECT_INTERRUPT_MESSAGE_BASED_PARAMETERS MessageBased;
    };
} IO_CONNECT_INTERRUPT_PARAMETERS;

/* wdm/ns-wdm-_io_disconnect_interrupt_parameters. */
typedef struct {
    ULONG Version;
    union {
        PVOID Generic;
        PVOID InterruptObject;
        PVOID InterruptMessageTable;
    } ConnectionContext;
} IO_DISCONNECT_INTERRUPT_PARAMETERS;

/* wdm/ns-wdm-_io_interrupt_message_info_entry. */
typedef struct {
    PHYSICAL_ADDRESS MessageAddress;
    KAFFINITY TargetProcessorSet;
    PVOID InterruptObject;
    ULONG MessageData;
    ULONG Vector;
    KIRQL Irql;
    ENUM Mode;     /* KINTERRUPT_MODE */
    ENUM Polarity; /* KINTERRUPT_POLARITY */
} IO_INTERRUPT_MESSAGE_INFO_ENTRY;

/* wdm/ns-wdm-_io_interrupt_message_info. */
typedef struct {
    KIRQL UnifiedIrql;
    ULONG MessageCount;
    IO_INTERRUPT_MESSAGE_INFO_ENTRY MessageInfo[1];
} IO_INTERRUPT_MESSAGE_INFO;

/* wdm/ns-wdm-_device_capabilities: after Version, one ULONG of 1-bit fields
 * (DeviceD1 ... Reserved1, 32 bits in all). */
typedef struct {
    USHORT Size;
    USHORT Version;
    ULONG Bits;
    ULONG Address;
    ULONG UINumber;
    ENUM DeviceState[7]; /* POWER_SYSTEM_MAXIMUM */
    ENUM SystemWake;
    ENUM DeviceWake;
    ULONG D1Latency;
    ULONG D2Latency;
    ULONG D3Latency;
} DEVICE_CAPABILITIES;

/* wdm/ns-wdm-_device_description. */
typedef struct {
    ULONG Version;
    BOOLEAN Master;
    BOOLEAN ScatterGather;
    BOOLEAN DemandMode;
    BOOLEAN AutoInitialize;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN IgnoreCount;
    BOOLEAN Reserved1;
    BOOLEAN Dma64BitAddresses;
    ULONG BusNumber;
    ULONG DmaChannel;
    ENUM InterfaceType;
    ENUM DmaWidth;
    ENUM DmaSpeed;
    ULONG MaximumLength;
    ULONG DmaPort;
    ULONG DmaAddressWidth;
    ULONG DmaControllerInstance;
    ULONG DmaRequestLine;
    PHYSICAL_ADDRESS DeviceAddress;
} DEVICE_DESCRIPTION;

/* wdm/ns-wdm-_dma_adapter. */
typedef struct {
    USHORT Version;
    USHORT Size;
    PVOID DmaOperations;
} DMA_ADAPTER;

/* wdm/ns-wdm-_dma_operations: Size, then one function pointer per operation
 * in the page's order, 39 in all (public symbols, Windows 11 x64: 0x140). */
typedef struct {
    ULONG Size;
    PVOID PutDmaAdapter;
    PVOID AllocateCommonBuffer;
    PVOID FreeCommonBuffer;
    PVOID AllocateAdapterChannel;
    PVOID FlushAdapterBuffers;
    PVOID FreeAdapterChannel;
    PVOID FreeMapRegisters;
    PVOID MapTransfer;
    PVOID GetDmaAlignment;
    PVOID ReadDmaCounter;
    PVOID GetScatterGatherList;
    PVOID PutScatterGatherList;
    PVOID CalculateScatterGatherList;
    PVOID BuildScatterGatherList;
    PVOID BuildMdlFromScatterGatherList;
    PVOID GetDmaAdapterInfo;
    PVOID GetDmaTransferInfo;
    PVOID InitializeDmaTransferContext;
    PVOID AllocateCommonBufferEx;
    PVOID AllocateAdapterChannelEx;
    PVOID ConfigureAdapterChannel;
    PVOID CancelAdapterChannel;
    PVOID MapTransferEx;
    PVOID GetScatterGatherListEx;
    PVOID BuildScatterGatherListEx;
    PVOID FlushAdapterBuffersEx;
    PVOID FreeAdapterObject;
    PVOID CancelMappedTransfer;
    PVOID AllocateDomainCommonBuffer;
    PVOID FlushDmaBuffer;
    PVOID JoinDmaDomain;
    PVOID LeaveDmaDomain;
    PVOID GetDmaDomain;
    PVOID AllocateCommonBufferWithBounds;
    PVOID AllocateCommonBufferVector;
    PVOID GetCommonBufferFromVectorByIndex;
    PVOID FreeCommonBufferFromVector;
    PVOID FreeCommonBufferVector;
    PVOID CreateCommonBufferFromMdl;
} DMA_OPERATIONS;

/* wdm/ns-wdm-_scatter_gather_element. */
typedef struct {
    PHYSICAL_ADDRESS Address;
    ULONG Length;
    ULONG_PTR Reserved;
} SCATTER_GATHER_ELEMENT;

/* wdm/ns-wdm-_scatter_gather_list (Elements[]: no storage of its own). */
typedef struct {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    SCATTER_GATHER_ELEMENT Elements[];
} SCATTER_GATHER_LIST;

/* miniport/ns-miniport-_group_affinity. */
typedef struct {
    KAFFINITY Mask;
    USHORT Group;
    USHORT Reserved[3];
} GROUP_AFFINITY;

/* miniport/ns-miniport-_processor_number. */
typedef struct {
    USHORT Group;
    UCHAR Number;
    UCHAR Reserved;
} PROCESSOR_NUMBER;

/* wudfwdm/ns-wudfwdm-_object_attributes. */
typedef struct {
    ULONG Length;
    PVOID RootDirectory;
    PVOID ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor;
    PVOID SecurityQualityOfService;
} OBJECT_ATTRIBUTES;

/* wdm/ns-wdm-_key_value_partial_information. */
typedef struct {
    ULONG TitleIndex;
    ULONG Type;
    ULONG DataLength;
    UCHAR Data[1];
} KEY_VALUE_PARTIAL_INFORMATION;

/* wdm/ns-wdm-_file_object. */
typedef struct {
    CSHORT Type;
    CSHORT Size;
    PVOID DeviceObject;
    PVOID Vpb;
    PVOID FsContext;
    PVOID FsContext2;
    PVOID SectionObjectPointer;
    PVOID PrivateCacheMap;
    NTSTATUS FinalStatus;
    PVOID RelatedFileObject;
    BOOLEAN LockOperation;
    BOOLEAN DeletePending;
    BOOLEAN ReadAccess;
    BOOLEAN WriteAccess;
    BOOLEAN DeleteAccess;
    BOOLEAN SharedRead;
    BOOLEAN SharedWrite;
    BOOLEAN SharedDelete;
    ULONG Flags;
    UNICODE_STRING FileName;
    LARGE_INTEGER CurrentByteOffset;
    ULONG Waiters;
    ULONG Busy;
    PVOID LastLock;
    KEVENT Lock;
    KEVENT Event;
    PVOID CompletionContext;
    KSPIN_LOCK IrpListLock;
    LIST_ENTRY IrpList;
    PVOID FileObjectExtension;
} FILE_OBJECT;

/* ntddk/ns-ntddk-kuser_shared_data: the members up to SystemTime. */
typedef struct {
    ULONG LowPart;
    LONG High1Time;
    LONG High2Time;
} KSYSTEM_TIME; /* ntddk.h, KUSER_SHARED_DATA's time stamps */
typedef struct {
    ULONG TickCountLowDeprecated;
    ULONG TickCountMultiplier;
    KSYSTEM_TIME InterruptTime;
    KSYSTEM_TIME SystemTime;
} KUSER_SHARED_DATA;

/* wdm/ns-wdm-_bus_interface_standard. */
typedef struct {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PVOID InterfaceReference;
    PVOID InterfaceDereference;
    PVOID TranslateBusAddress;
    PVOID GetDmaAdapter;
    PVOID SetBusData;
    PVOID GetBusData;
} BUS_INTERFACE_STANDARD;

/* ntifs/ns-ntifs-_se_exports: 23 privilege LUIDs, then the SIDs, up to the
 * last one our drivers use.  LUID: win32/api/winnt/ns-winnt-luid. */
typedef struct {
    ULONG LowPart;
    LONG HighPart;
} LUID;
typedef struct {
    LUID Privileges[23]; /* SeCreateTokenPrivilege ... SeRemoteShutdownPrivilege */
    PVOID SeNullSid;
    PVOID SeWorldSid;
    PVOID SeLocalSid;
    PVOID SeCreatorOwnerSid;
    PVOID SeCreatorGroupSid;
    PVOID SeNtAuthoritySid;
    PVOID SeDialupSid;
    PVOID SeNetworkSid;
    PVOID SeBatchSid;
    PVOID SeInteractiveSid;
    PVOID SeLocalSystemSid;
    PVOID SeAliasAdminsSid;
    PVOID SeAliasUsersSid;
} SE_EXPORTS;

/* win32/api/winnt/ns-winnt-acl. */
typedef struct {
    UCHAR AclRevision;
    UCHAR Sbz1;
    USHORT AclSize;
    USHORT AceCount;
    USHORT Sbz2;
} ACL;

/* win32/api/winnt/ns-winnt-access_allowed_ace (ACE_HEADER: -ace_header). */
typedef struct {
    struct {
        UCHAR AceType;
        UCHAR AceFlags;
        USHORT AceSize;
    } Header;
    ULONG Mask; /* ACCESS_MASK */
    ULONG SidStart;
} ACCESS_ALLOWED_ACE;

/* win32/api/winnt/ns-winnt-security_descriptor (the absolute form). */
typedef struct {
    UCHAR Revision;
    UCHAR Sbz1;
    USHORT Control; /* SECURITY_DESCRIPTOR_CONTROL */
    PVOID Owner;
    PVOID Group;
    PVOID Sacl;
    PVOID Dacl;
} SECURITY_DESCRIPTOR;

/* ntddk/ns-ntddk-_physical_memory_range. */
typedef struct {
    PHYSICAL_ADDRESS BaseAddress;
    LARGE_INTEGER NumberOfBytes;
} PHYSICAL_MEMORY_RANGE;

/* hidport.h (not in mingw-w64; ours is common/include/vw/hidport.h):
 * hidport/ns-hidport-_hid_minidriver_registration. */
typedef struct {
    ULONG Revision;
    PVOID DriverObject;
    PVOID RegistryPath;
    ULONG DeviceExtensionSize;
    BOOLEAN DevicesArePolled;
    UCHAR Reserved[3];
} VW_HID_MINIDRIVER_REGISTRATION;

/* hidport/ns-hidport-_hid_device_extension. */
typedef struct {
    PVOID PhysicalDeviceObject;
    PVOID NextDeviceObject;
    PVOID MiniDeviceExtension;
} VW_HID_DEVICE_EXTENSION;

/* hidport/ns-hidport-_hid_descriptor.  The syntax block does not show it,
 * but this is the USB HID class descriptor byte for byte (HID 1.11, 6.2.1:
 * 9 bytes with one class descriptor, wReportLength at 7), which hidport.h
 * gets with pshpack1. */
#pragma pack(push, 1)
typedef struct {
    UCHAR bLength;
    UCHAR bDescriptorType;
    USHORT bcdHID;
    UCHAR bCountry;
    UCHAR bNumDescriptors;
    struct {
        UCHAR bReportType;
        USHORT wReportLength;
    } DescriptorList[1];
} VW_HID_DESCRIPTOR;
#pragma pack(pop)

/* hidclass/ns-hidclass-_hid_device_attributes. */
typedef struct {
    ULONG Size;
    USHORT VendorID;
    USHORT ProductID;
    USHORT VersionNumber;
    USHORT Reserved[11];
} VW_HID_DEVICE_ATTRIBUTES;

/* hidclass/ns-hidclass-_hid_xfer_packet. */
typedef struct {
    PVOID reportBuffer;
    ULONG reportBufferLen;
    UCHAR reportId;
} VW_HID_XFER_PACKET;

/* ---- StorPort (common/include/vw/storport.h) ----------------------------
 * storport/<page> below.  srb.h's SRB_ALIGN, POINTER_ALIGN and
 * STOR_ADDRESS_ALIGN are DECLSPEC_ALIGN(8) on 64-bit and nothing on 32-bit
 * (the request blocks' syntax blocks show POINTER_ALIGN on the pointers). */
#define VW_SRB_ALIGN8        _Alignas(VW_ARCH(4, 8))
#define VW_SRB_ALIGN8_STRUCT VW_ARCH(, __attribute__((aligned(8))))

/* storport/ns-storport-_access_range */
typedef struct {
    PHYSICAL_ADDRESS RangeStart;
    ULONG RangeLength;
    BOOLEAN RangeInMemory;
} ACCESS_RANGE;

/* storport/ns-storport-_memory_region */
typedef struct {
    PVOID VirtualBase;
    PHYSICAL_ADDRESS PhysicalBase;
    ULONG Length;
} MEMORY_REGION;

/* storport/ns-storport-_hw_initialization_data-r1 */
typedef struct {
    ULONG HwInitializationDataSize;
    ENUM AdapterInterfaceType;
    PVOID HwInitialize;
    PVOID HwStartIo;
    PVOID HwInterrupt;
    PVOID HwFindAdapter;
    PVOID HwResetBus;
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
    PVOID HwAdapterControl;
    PVOID HwBuildIo;
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
} HW_INITIALIZATION_DATA;

/* storport/ns-storport-_port_configuration_information.  The page's syntax
 * block writes AccessRanges as "ACCESS_RANGE (*AccessRanges)[]": a pointer. */
typedef struct {
    ULONG Length;
    ULONG SystemIoBusNumber;
    ENUM AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    ENUM InterruptMode;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG DmaChannel;
    ULONG DmaPort;
    ENUM DmaWidth;
    ENUM DmaSpeed;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    PVOID AccessRanges;
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
    ENUM InterruptMode2;
    ULONG DmaChannel2;
    ULONG DmaPort2;
    ENUM DmaWidth2;
    ENUM DmaSpeed2;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    UCHAR Dma64BitAddresses;
    BOOLEAN ResetTargetSupported;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
    ENUM SynchronizationModel;
    PVOID HwMSInterruptRoutine;
    ENUM InterruptSynchronizationMode;
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
} PORT_CONFIGURATION_INFORMATION;

/* storport/ns-storport-_scsi_supported_control_type_list */
typedef struct {
    ULONG MaxControlType;
    BOOLEAN SupportedTypeList[1];
} SCSI_SUPPORTED_CONTROL_TYPE_LIST;

/* srb/ns-srb-_scsi_request_block: srb.h adds "ULONG Reserved" before Cdb
 * under _WIN64 (the 64-bit size the public symbols give, 0x58). */
typedef struct {
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
    PVOID NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    union {
        ULONG InternalStatus;
        ULONG QueueSortKey;
        ULONG LinkTimeoutValue;
    };
#if defined(__x86_64__)
    ULONG Reserved;
#endif
    UCHAR Cdb[16];
} SCSI_REQUEST_BLOCK;

/* storport/ns-storport-_storage_request_block.  The page lists SystemStatus
 * both inside the union and after it; srb.h has the union only (ZeroGuard1
 * follows it). */
typedef struct VW_SRB_ALIGN8_STRUCT {
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
    VW_SRB_ALIGN8 PVOID DataBuffer;
    VW_SRB_ALIGN8 PVOID ZeroGuard2;
    VW_SRB_ALIGN8 PVOID OriginalRequest;
    VW_SRB_ALIGN8 PVOID ClassContext;
    VW_SRB_ALIGN8 PVOID PortContext;
    VW_SRB_ALIGN8 PVOID MiniportContext;
    VW_SRB_ALIGN8 PVOID NextSrb;
    ULONG SrbExDataOffset[1];
} STORAGE_REQUEST_BLOCK;

/* storport/ns-storport-_stor_addr_btl8 (STOR_ADDRESS_ALIGN) */
typedef struct VW_SRB_ALIGN8_STRUCT {
    USHORT Type;
    USHORT Port;
    ULONG AddressLength;
    UCHAR Path;
    UCHAR Target;
    UCHAR Lun;
    UCHAR Reserved;
} STOR_ADDR_BTL8;

/* srb/ns-srb-_srbex_data (SRB_ALIGN) */
typedef struct VW_SRB_ALIGN8_STRUCT {
    ENUM Type;
    ULONG Length;
    UCHAR Data[1];
} SRBEX_DATA;

/* srb/ns-srb-_srbex_data_scsi_cdb16 */
typedef struct VW_SRB_ALIGN8_STRUCT {
    ENUM Type;
    ULONG Length;
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    VW_SRB_ALIGN8 PVOID SenseInfoBuffer;
    VW_SRB_ALIGN8 UCHAR Cdb[16];
} SRBEX_DATA_SCSI_CDB16;

/* storport/ns-storport-_stor_scatter_gather_element, _list */
typedef struct {
    PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length;
    ULONG_PTR Reserved;
} STOR_SCATTER_GATHER_ELEMENT;

typedef struct {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[];
} STOR_SCATTER_GATHER_LIST;

/* storport/ns-storport-_stor_dpc */
typedef struct {
    KDPC Dpc;
    KSPIN_LOCK Lock;
} STOR_DPC;

/* storport/ns-storport-_stor_lock_handle */
typedef struct {
    ENUM Lock;
    union {
        KLOCK_QUEUE_HANDLE LockHandle;
        KIRQL OldIrql;
    } Context;
} STOR_LOCK_HANDLE;

/* storport/ns-storport-_message_interrupt_information */
typedef struct {
    ULONG MessageId;
    ULONG MessageData;
    PHYSICAL_ADDRESS MessageAddress;
    ULONG InterruptVector;
    ULONG InterruptLevel;
    ENUM InterruptMode;
} MESSAGE_INTERRUPT_INFORMATION;

/* storport/ns-storport-_perf_configuration_data */
typedef struct {
    ULONG Version;
    ULONG Size;
    ULONG Flags;
    ULONG ConcurrentChannels;
    ULONG FirstRedirectionMessageNumber;
    ULONG LastRedirectionMessageNumber;
    ULONG DeviceNode;
    ULONG Reserved;
    PVOID MessageTargets;
} PERF_CONFIGURATION_DATA;

/* storport/ns-storport-_startio_performance_parameters */
typedef struct {
    ULONG Version;
    ULONG Size;
    ULONG MessageNumber;
    ULONG ChannelNumber;
} STARTIO_PERFORMANCE_PARAMETERS;

/* ---- NDIS 6 (common/include/vw/ndis.h) ----------------------------------
 * <header>/<page> below as for the rest; ndis/, nbl/, oidrequest/ and
 * ntddndis/ pages.  Handlers and handles are pointers (PVOID); NDIS_STATUS,
 * NDIS_OID, NDIS_PORT_NUMBER, NET_IFINDEX, UINT are 32-bit; enums are int. */
typedef uint32_t UINT;
typedef uintptr_t SIZE_T;
/* guiddef.h's GUID. */
typedef struct {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} VW_GUID;
/* SLIST_HEADER (wdm.h): 8 bytes on x86 (a ULONGLONG-aligned union), 16 and
 * DECLSPEC_ALIGN(16) on x64; the public symbols give the same sizes. */
typedef union VW_ARCH(, __attribute__((aligned(16)))) {
    ULONG64 Alignment;
    ULONG64 Words[VW_ARCH(1, 2)];
} VW_SLIST_HEADER;

/* ndis/ns-ndis-_ndis_object_header */
typedef struct {
    UCHAR Type;
    UCHAR Revision;
    USHORT Size;
} NDIS_OBJECT_HEADER;

/* ndis/ns-ndis-_ndis_miniport_driver_characteristics */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    PVOID SetOptionsHandler;
    PVOID InitializeHandlerEx;
    PVOID HaltHandlerEx;
    PVOID UnloadHandler;
    PVOID PauseHandler;
    PVOID RestartHandler;
    PVOID OidRequestHandler;
    PVOID SendNetBufferListsHandler;
    PVOID ReturnNetBufferListsHandler;
    PVOID CancelSendHandler;
    PVOID CheckForHangHandlerEx;
    PVOID ResetHandlerEx;
    PVOID DevicePnPEventNotifyHandler;
    PVOID ShutdownHandlerEx;
    PVOID CancelOidRequestHandler;
    PVOID DirectOidRequestHandler;
    PVOID CancelDirectOidRequestHandler;
    PVOID SynchronousOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS;

/* ndis/ns-ndis-_ndis_miniport_init_parameters; NET_LUID (ifdef.h) is a
 * ULONG64 union. */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    PVOID AllocatedResources;
    PVOID IMDeviceInstanceContext;
    PVOID MiniportAddDeviceContext;
    ULONG IfIndex;
    ULONG64 NetLuid;
    PVOID DefaultPortAuthStates;
    PVOID PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS;

/* ndis/ns-ndis-_ndis_miniport_pause_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG PauseReason;
} NDIS_MINIPORT_PAUSE_PARAMETERS;

/* ndis/ns-ndis-_ndis_miniport_restart_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID RestartAttributes;
    ULONG Flags;
} NDIS_MINIPORT_RESTART_PARAMETERS;

/* ndis/ns-ndis-_net_device_pnp_event */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG PortNumber;
    ENUM DevicePnPEvent;
    PVOID InformationBuffer;
    ULONG InformationBufferLength;
    UCHAR NdisReserved[2 * sizeof(PVOID)];
} NET_DEVICE_PNP_EVENT;

/* ndis/ns-ndis-_ndis_miniport_adapter_registration_attributes */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID MiniportAdapterContext;
    ULONG AttributeFlags;
    UINT CheckForHangTimeInSeconds;
    ENUM InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

/* ntddndis/ns-ntddndis-_ndis_receive_scale_capabilities */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG CapabilitiesFlags;
    ULONG NumberOfInterruptMessages;
    ULONG NumberOfReceiveQueues;
    USHORT NumberOfIndirectionTableEntries;
} NDIS_RECEIVE_SCALE_CAPABILITIES;

/* ndis/ns-ndis-_ndis_miniport_adapter_general_attributes
 * (NDIS_MAX_PHYS_ADDRESS_LENGTH = IF_MAX_PHYS_ADDRESS_LENGTH = 32; NET_IFTYPE
 * is USHORT) */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ENUM MediaType;
    ENUM PhysicalMediumType;
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 XmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG64 RcvLinkSpeed;
    ENUM MediaConnectState;
    ENUM MediaDuplexState;
    ULONG LookaheadSize;
    PVOID PowerManagementCapabilities;
    ULONG MacOptions;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    USHORT MacAddressLength;
    UCHAR PermanentMacAddress[32];
    UCHAR CurrentMacAddress[32];
    PVOID RecvScaleCapabilities;
    ENUM AccessType;
    ENUM DirectionType;
    ENUM ConnectionType;
    USHORT IfType;
    BOOLEAN IfConnectorPresent;
    ULONG SupportedStatistics;
    ULONG SupportedPauseFunctions;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    PVOID SupportedOidList;
    ULONG SupportedOidListLength;
    ULONG AutoNegotiationFlags;
    PVOID PowerManagementCapabilitiesEx;
} NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;

/* ndis/ns-ndis-_ndis_miniport_adapter_offload_attributes */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID DefaultOffloadConfiguration;
    PVOID HardwareOffloadCapabilities;
    PVOID DefaultTcpConnectionOffloadConfiguration;
    PVOID TcpConnectionOffloadHardwareCapabilities;
} NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;

/* ntddndis/ns-ntddndis-_ndis_link_state */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ENUM MediaConnectState;
    ENUM MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    ENUM PauseFunctions;
    ULONG AutoNegotiationFlags;
} NDIS_LINK_STATE;

/* ntddndis/ns-ntddndis-_ndis_link_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ENUM MediaDuplexState;
    ULONG64 XmitLinkSpeed;
    ULONG64 RcvLinkSpeed;
    ENUM PauseFunctions;
    ULONG AutoNegotiationFlags;
} NDIS_LINK_PARAMETERS;

/* ntddndis/ns-ntddndis-_ndis_interrupt_moderation_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ENUM InterruptModeration;
} NDIS_INTERRUPT_MODERATION_PARAMETERS;

/* ndis/ns-ndis-_ndis_status_indication */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID SourceHandle;
    ULONG PortNumber;
    LONG StatusCode;
    ULONG Flags;
    PVOID DestinationHandle;
    PVOID RequestId;
    PVOID StatusBuffer;
    ULONG StatusBufferSize;
    VW_GUID Guid;
    PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION;

/* nbl/ns-nbl-net_buffer: the reserved arrays carry
 * DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT) (shown on the Windows Embedded
 * Compact 2013 NET_BUFFER page; the current page's block omits it). */
typedef struct {
    PVOID Next;
    PVOID CurrentMdl;
    ULONG CurrentMdlOffset;
    union {
        ULONG DataLength;
        SIZE_T stDataLength;
    };
    PVOID MdlChain;
    ULONG DataOffset;
} NET_BUFFER_DATA;
typedef union {
    NET_BUFFER_DATA NetBufferData;
    VW_SLIST_HEADER Link;
} NET_BUFFER_HEADER;
typedef struct {
    union {
        struct {
            PVOID Next;
            PVOID CurrentMdl;
            ULONG CurrentMdlOffset;
            union {
                ULONG DataLength;
                SIZE_T stDataLength;
            };
            PVOID MdlChain;
            ULONG DataOffset;
        };
        VW_SLIST_HEADER Link;
        NET_BUFFER_HEADER NetBufferHeader;
    };
    USHORT ChecksumBias;
    USHORT Reserved;
    PVOID NdisPoolHandle;
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[6];
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[4];
    PHYSICAL_ADDRESS DataPhysicalAddress;
    union {
        PVOID SharedMemoryInfo;
        PVOID ScatterGatherList;
    };
} NET_BUFFER;

/* nbl/ns-nbl-net_buffer_list (same alignment note); only the members up to
 * NetBufferListInfo are pinned (its length, MaxNetBufferListInfo, depends on
 * the arch and NDIS version, and only NDIS allocates NBLs). */
typedef struct {
    PVOID Next;
    PVOID FirstNetBuffer;
} VW_NET_BUFFER_LIST_DATA;
typedef union {
    VW_NET_BUFFER_LIST_DATA NetBufferListData;
    VW_SLIST_HEADER Link;
} NET_BUFFER_LIST_HEADER;
typedef struct {
    union {
        struct {
            PVOID Next;
            PVOID FirstNetBuffer;
        };
        VW_SLIST_HEADER Link;
        NET_BUFFER_LIST_HEADER NetBufferListHeader;
    };
    PVOID Context;
    PVOID ParentNetBufferList;
    PVOID NdisPoolHandle;
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID NdisReserved[2];
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID ProtocolReserved[4];
    _Alignas(MEMORY_ALLOCATION_ALIGNMENT) PVOID MiniportReserved[2];
    PVOID Scratch;
    PVOID SourceHandle;
    ULONG NblFlags;
    LONG ChildRefCount;
    ULONG Flags;
    union {
        LONG Status;
        ULONG NdisReserved2;
    };
    PVOID NetBufferListInfo[1];
} NET_BUFFER_LIST;

/* ndis/ns-ndis-_ndis_tcp_ip_checksum_net_buffer_list_info,
 * nbllso/ns-nbllso-ndis_tcp_large_send_offload_net_buffer_list_info,
 * ndis/ns-ndis-_ndis_net_buffer_list_8021q_info,
 * nbluso/ns-nbluso-ndis_udp_segmentation_offload_net_buffer_list_info: unions of ULONG bit fields
 * and PVOID Value, one NBL information slot each. */
typedef union {
    ULONG Bits;
    PVOID Value;
} NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO, NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO,
    NDIS_NET_BUFFER_LIST_8021Q_INFO, NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO;

/* ndis/ns-ndis-_net_buffer_list_pool_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    UCHAR ProtocolId;
    BOOLEAN fAllocateNetBuffer;
    USHORT ContextSize;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags;
} NET_BUFFER_LIST_POOL_PARAMETERS;

/* ndis/ns-ndis-_net_buffer_pool_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG PoolTag;
    ULONG DataSize;
    ULONG Flags;
} NET_BUFFER_POOL_PARAMETERS;

/* oidrequest/ns-oidrequest-ndis_oid_request (NDIS_OID_REQUEST_NDIS_RESERVED_SIZE
 * = 16; the page's block renders the reserved arrays as "UCHAR *X[n
 * sizeof(PVOID)]": UCHAR arrays of n * sizeof(PVOID) bytes). */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ENUM RequestType;
    ULONG PortNumber;
    UINT Timeout;
    PVOID RequestId;
    PVOID RequestHandle;
    union {
        ULONG Oid;
        struct {
            ULONG Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesWritten;
            UINT BytesNeeded;
        } QUERY_INFORMATION;
        struct {
            ULONG Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesRead;
            UINT BytesNeeded;
        } SET_INFORMATION;
        struct {
            ULONG Oid;
            PVOID InformationBuffer;
            ULONG InputBufferLength;
            ULONG OutputBufferLength;
            ULONG MethodId;
            UINT BytesWritten;
            UINT BytesRead;
            UINT BytesNeeded;
        } METHOD_INFORMATION;
    } DATA;
    UCHAR NdisReserved[16 * sizeof(PVOID)];
    UCHAR MiniportReserved[2 * sizeof(PVOID)];
    UCHAR SourceReserved[2 * sizeof(PVOID)];
    UCHAR SupportedRevision;
    UCHAR Reserved1;
    USHORT Reserved2;
    ULONG SwitchId;
    ULONG VPortId;
    ULONG Flags;
} NDIS_OID_REQUEST;

/* ndis/ns-ndis-_ndis_miniport_interrupt_characteristics */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID InterruptHandler;
    PVOID InterruptDpcHandler;
    PVOID DisableInterruptHandler;
    PVOID EnableInterruptHandler;
    BOOLEAN MsiSupported;
    BOOLEAN MsiSyncWithAllMessages;
    PVOID MessageInterruptHandler;
    PVOID MessageInterruptDpcHandler;
    PVOID DisableMessageInterruptHandler;
    PVOID EnableMessageInterruptHandler;
    ENUM InterruptType;
    PVOID MessageInfoTable;
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;

/* ndis/nf-ndis-ndismregisterscattergatherdma (the structure is declared on
 * that page) */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG MaximumPhysicalMapping;
    PVOID ProcessSGListHandler;
    PVOID SharedMemAllocateCompleteHandler;
    ULONG ScatterGatherListSize;
} NDIS_SG_DMA_DESCRIPTION;

/* ndis/nf-ndis-ndisallocatespinlock (NDIS_SPIN_LOCK: KSPIN_LOCK, KIRQL) */
typedef struct {
    KSPIN_LOCK SpinLock;
    KIRQL OldIrql;
} NDIS_SPIN_LOCK;

/* ---- NDIS configuration, offload, RSS, statistics, timers ---------------
 * ndis/ns-ndis-_ndis_configuration_object */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    PVOID NdisHandle;
    ULONG Flags;
} NDIS_CONFIGURATION_OBJECT;

/* ndis/ns-ndis-_binary_data */
typedef struct {
    USHORT Length;
    PVOID Buffer;
} BINARY_DATA;

/* ndis/ns-ndis-_ndis_configuration_parameter (NDIS_STRING = UNICODE_STRING;
 * NDIS_PARAMETER_TYPE is an enum) */
typedef struct {
    ENUM ParameterType;
    union {
        ULONG IntegerData;
        UNICODE_STRING StringData;
        BINARY_DATA BinaryData;
    } ParameterData;
} NDIS_CONFIGURATION_PARAMETER;

/* ntddndis/ns-ntddndis-_ndis_statistics_info */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG SupportedStatistics;
    ULONG64 ifInDiscards, ifInErrors, ifHCInOctets, ifHCInUcastPkts, ifHCInMulticastPkts,
        ifHCInBroadcastPkts, ifHCOutOctets, ifHCOutUcastPkts, ifHCOutMulticastPkts,
        ifHCOutBroadcastPkts, ifOutErrors, ifOutDiscards, ifHCInUcastOctets, ifHCInMulticastOctets,
        ifHCInBroadcastOctets, ifHCOutUcastOctets, ifHCOutMulticastOctets, ifHCOutBroadcastOctets;
} NDIS_STATISTICS_INFO;

/* ntddndis/ns-ntddndis-_ndis_rsc_statistics_info */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG64 CoalescedPkts, CoalescedOctets, CoalesceEvents, Aborts;
} NDIS_RSC_STATISTICS_INFO;

/* ntddndis/ns-ntddndis-_ndis_receive_scale_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    USHORT Flags;
    USHORT BaseCpuNumber;
    ULONG HashInformation;
    USHORT IndirectionTableSize;
    ULONG IndirectionTableOffset;
    USHORT HashSecretKeySize;
    ULONG HashSecretKeyOffset;
    ULONG ProcessorMasksOffset;
    ULONG NumberOfProcessorMasks;
    ULONG ProcessorMasksEntrySize;
    PROCESSOR_NUMBER DefaultProcessorNumber;
} NDIS_RECEIVE_SCALE_PARAMETERS;

/* ntddndis/ns-ntddndis-_ndis_offload_parameters */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    UCHAR IPv4Checksum, TCPIPv4Checksum, UDPIPv4Checksum, TCPIPv6Checksum, UDPIPv6Checksum;
    UCHAR LsoV1, IPsecV1, LsoV2IPv4, LsoV2IPv6, TcpConnectionIPv4, TcpConnectionIPv6;
    ULONG Flags;
    UCHAR IPsecV2, IPsecV2IPv4;
    struct {
        UCHAR RscIPv4, RscIPv6;
    };
    struct {
        UCHAR EncapsulatedPacketTaskOffload, EncapsulationTypes;
    };
    union {
        USHORT VxlanUDPPortNumber;
        ULONG Value;
    } EncapsulationProtocolParameters;
    struct {
        UCHAR IPv4, IPv6;
    } UdpSegmentation;
    struct {
        UCHAR Enabled;
    } UdpRsc;
} NDIS_OFFLOAD_PARAMETERS;

/* The NDIS_OFFLOAD members (ntddndis/ns-ntddndis-_ndis_tcp_ip_checksum_offload,
 * _ndis_tcp_large_send_offload_v1, _ndis_ipsec_offload_v1,
 * _ndis_tcp_large_send_offload_v2, _ndis_ipsec_offload_v2,
 * _ndis_tcp_recv_seg_coalesce_offload, _ndis_encapsulated_packet_task_offload,
 * _ndis_encapsulated_packet_task_offload_v2, _ndis_rfc6877_464xlat_offload,
 * _ndis_udp_segmentation_offload, nbluro/ns-nbluro-ndis_udp_rsc_offload):
 * their ULONG bit fields fill one ULONG each. */
typedef struct {
    ULONG Encapsulation;
    ULONG Bits;
} VW_NDIS_CSUM_DIR;
typedef struct {
    VW_NDIS_CSUM_DIR IPv4Transmit, IPv4Receive, IPv6Transmit, IPv6Receive;
} NDIS_TCP_IP_CHECKSUM_OFFLOAD;
typedef struct {
    struct {
        ULONG Encapsulation, MaxOffLoadSize, MinSegmentCount, Bits;
    } IPv4;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V1;
typedef struct {
    struct {
        ULONG Encapsulation, AhEspCombined, TransportTunnelCombined, IPv4Options, Flags;
    } Supported;
    ULONG IPv4AH;
    ULONG IPv4ESP;
} NDIS_IPSEC_OFFLOAD_V1;
typedef struct {
    struct {
        ULONG Encapsulation, MaxOffLoadSize, MinSegmentCount;
    } IPv4;
    struct {
        ULONG Encapsulation, MaxOffLoadSize, MinSegmentCount, Bits;
    } IPv6;
} NDIS_TCP_LARGE_SEND_OFFLOAD_V2;
typedef struct {
    ULONG Encapsulation;
    BOOLEAN IPv6Supported, IPv4Options, IPv6NonIPsecExtensionHeaders, Ah, Esp, AhEspCombined,
        Transport, Tunnel, TransportTunnelCombined, LsoSupported, ExtendedSequenceNumbers;
    ULONG UdpEsp, AuthenticationAlgorithms, EncryptionAlgorithms, SaOffloadCapacity;
} NDIS_IPSEC_OFFLOAD_V2;
typedef struct {
    BOOLEAN IPv4Enabled;
    BOOLEAN IPv6Enabled;
} NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD;
typedef struct {
    ULONG Bits;
    ULONG MaxHeaderSizeSupported;
} NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD;
typedef struct {
    ULONG Bits;
    ULONG MaxHeaderSizeSupported;
    union {
        struct {
            USHORT VxlanUDPPortNumber;
            USHORT Configurable;
        } VxlanInfo;
        ULONG Value;
    } EncapsulationProtocolInfo;
    ULONG Reserved1;
    ULONG Reserved2;
} NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2;
typedef struct {
    ENUM XlatOffload;
    ULONG Flags;
} NDIS_RFC6877_464XLAT_OFFLOAD;
typedef struct {
    struct {
        ULONG Encapsulation, MaxOffLoadSize, Bits;
    } IPv4;
    struct {
        ULONG Encapsulation, MaxOffLoadSize, Bits1, Bits2;
    } IPv6;
} NDIS_UDP_SEGMENTATION_OFFLOAD;
typedef struct {
    BOOLEAN Enabled;
} NDIS_UDP_RSC_OFFLOAD;

/* ntddndis/ns-ntddndis-_ndis_offload */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    NDIS_TCP_IP_CHECKSUM_OFFLOAD Checksum;
    NDIS_TCP_LARGE_SEND_OFFLOAD_V1 LsoV1;
    NDIS_IPSEC_OFFLOAD_V1 IPsecV1;
    NDIS_TCP_LARGE_SEND_OFFLOAD_V2 LsoV2;
    ULONG Flags;
    NDIS_IPSEC_OFFLOAD_V2 IPsecV2;
    NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD Rsc;
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD EncapsulatedPacketTaskOffloadGre;
    NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2 EncapsulatedPacketTaskOffloadVxlan;
    UCHAR EncapsulationTypes;
    NDIS_RFC6877_464XLAT_OFFLOAD Rfc6877Xlat;
    NDIS_UDP_SEGMENTATION_OFFLOAD UdpSegmentation;
    NDIS_UDP_RSC_OFFLOAD UdpRsc;
} NDIS_OFFLOAD;

/* ndis/ns-ndis-_ndis_offload_encapsulation */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    struct {
        ULONG Enabled, EncapsulationType, HeaderSize;
    } IPv4, IPv6;
} NDIS_OFFLOAD_ENCAPSULATION;

/* ndis/ns-ndis-_ndis_timer_characteristics */
typedef struct {
    NDIS_OBJECT_HEADER Header;
    ULONG AllocationTag;
    PVOID TimerFunction;
    PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS;
