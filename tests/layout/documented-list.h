/*
 * Every entry of layout-list.h, classified: S/F pinned by the declarations
 * in documented.h (sizeof, offsetof), US/UF not documented (an opaque
 * structure's members, or a size no page or public symbol gives), SX a size
 * pinned to Microsoft's declaration that the mingw-w64 headers get wrong or
 * declare in an older version, so none of our code may use it (run.sh
 * enforces that; compare.c fails if mingw-w64 starts agreeing):
 *  - DEVICE_OBJECT: wdm.h declares it DECLSPEC_ALIGN(MEMORY_ALLOCATION_ALIGNMENT)
 *    (public symbols, x64: 0x150), mingw-w64 does not (0x148);
 *  - DMA_OPERATIONS: mingw-w64 stops at BuildMdlFromScatterGatherList, the
 *    version-2 table (Windows 7); Microsoft's has 39 operations;
 *  - DEVICE_DESCRIPTION: mingw-w64 stops at DmaPort (DEVICE_DESCRIPTION_VERSION2,
 *    what our drivers pass); Microsoft's adds the version-3 members;
 *  - SCATTER_GATHER_LIST: mingw-w64 declares Elements[1], Microsoft Elements[]
 *    (sizes are FIELD_OFFSET(SCATTER_GATHER_LIST, Elements) + n elements).
 * Grouped by structure.  compare.c fails on an entry of layout-list.h missing here,
 * and on one here that layout-list.h lacks, so the two lists cannot drift.
 */
#define VW_DOCUMENTED_LIST(S, F, US, UF, SX)                                                       \
    S(DRIVER_OBJECT)                                                                               \
    F(DRIVER_OBJECT, DeviceObject)                                                                 \
    F(DRIVER_OBJECT, DriverExtension)                                                              \
    F(DRIVER_OBJECT, DriverInit)                                                                   \
    F(DRIVER_OBJECT, DriverUnload)                                                                 \
    F(DRIVER_OBJECT, MajorFunction)                                                                \
    F(DRIVER_OBJECT, Type)                                                                         \
    F(DRIVER_OBJECT, Size)                                                                         \
    F(DRIVER_OBJECT, DriverStart)                                                                  \
    F(DRIVER_OBJECT, DriverSize)                                                                   \
    F(DRIVER_OBJECT, DriverName)                                                                   \
    US(DRIVER_EXTENSION)                                                                           \
    F(DRIVER_EXTENSION, AddDevice)                                                                 \
    F(DRIVER_EXTENSION, DriverObject)                                                              \
    F(DEVICE_OBJECT, Flags)                                                                        \
    F(DEVICE_OBJECT, DeviceExtension)                                                              \
    F(DEVICE_OBJECT, StackSize)                                                                    \
    F(DEVICE_OBJECT, AlignmentRequirement)                                                         \
    SX(DEVICE_OBJECT)                                                                              \
    F(DEVICE_OBJECT, Type)                                                                         \
    F(DEVICE_OBJECT, Size)                                                                         \
    F(DEVICE_OBJECT, DriverObject)                                                                 \
    F(DEVICE_OBJECT, NextDevice)                                                                   \
    F(DEVICE_OBJECT, AttachedDevice)                                                               \
    F(DEVICE_OBJECT, DeviceType)                                                                   \
    F(DEVICE_OBJECT, Characteristics)                                                              \
    F(DEVICE_OBJECT, Reserved)                                                                     \
    S(IRP)                                                                                         \
    F(IRP, MdlAddress)                                                                             \
    F(IRP, Flags)                                                                                  \
    F(IRP, AssociatedIrp.SystemBuffer)                                                             \
    F(IRP, IoStatus)                                                                               \
    F(IRP, RequestorMode)                                                                          \
    F(IRP, PendingReturned)                                                                        \
    F(IRP, StackCount)                                                                             \
    F(IRP, CurrentLocation)                                                                        \
    F(IRP, Cancel)                                                                                 \
    F(IRP, CancelIrql)                                                                             \
    F(IRP, CancelRoutine)                                                                          \
    F(IRP, UserBuffer)                                                                             \
    F(IRP, Tail.Overlay.DriverContext)                                                             \
    F(IRP, Tail.Overlay.Thread)                                                                    \
    F(IRP, Tail.Overlay.ListEntry)                                                                 \
    F(IRP, Tail.Overlay.CurrentStackLocation)                                                      \
    F(IRP, Type)                                                                                   \
    F(IRP, Size)                                                                                   \
    F(IRP, UserIosb)                                                                               \
    F(IRP, UserEvent)                                                                              \
    S(IO_STACK_LOCATION)                                                                           \
    F(IO_STACK_LOCATION, MinorFunction)                                                            \
    F(IO_STACK_LOCATION, Flags)                                                                    \
    F(IO_STACK_LOCATION, Control)                                                                  \
    F(IO_STACK_LOCATION, Parameters)                                                               \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.IoControlCode)                                 \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.Type3InputBuffer)                              \
    F(IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResourcesTranslated)                      \
    F(IO_STACK_LOCATION, Parameters.Power.State)                                                   \
    F(IO_STACK_LOCATION, DeviceObject)                                                             \
    F(IO_STACK_LOCATION, FileObject)                                                               \
    F(IO_STACK_LOCATION, CompletionRoutine)                                                        \
    F(IO_STACK_LOCATION, Context)                                                                  \
    F(IO_STACK_LOCATION, MajorFunction)                                                            \
    F(IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResources)                                \
    F(IO_STACK_LOCATION, Parameters.Power.Type)                                                    \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceType)                                  \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Size)                                           \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Version)                                        \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Interface)                                      \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceSpecificData)                          \
    F(IO_STACK_LOCATION, Parameters.DeviceCapabilities.Capabilities)                               \
    F(IO_STACK_LOCATION, Parameters.Read.Length)                                                   \
    F(IO_STACK_LOCATION, Parameters.Write.Length)                                                  \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength)                            \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength)                             \
    S(IO_STATUS_BLOCK)                                                                             \
    F(IO_STATUS_BLOCK, Information)                                                                \
    F(IO_STATUS_BLOCK, Status)                                                                     \
    S(KDPC)                                                                                        \
    UF(KDPC, DeferredRoutine)                                                                      \
    UF(KDPC, DeferredContext)                                                                      \
    S(KEVENT)                                                                                      \
    UF(KEVENT, Header.Type)                                                                        \
    UF(KEVENT, Header.SignalState)                                                                 \
    S(KTIMER)                                                                                      \
    S(KSEMAPHORE)                                                                                  \
    S(KMUTEX)                                                                                      \
    S(FAST_MUTEX)                                                                                  \
    S(KSPIN_LOCK)                                                                                  \
    S(KLOCK_QUEUE_HANDLE)                                                                          \
    S(KDEVICE_QUEUE)                                                                               \
    S(IO_REMOVE_LOCK)                                                                              \
    UF(IO_REMOVE_LOCK, Common.Removed)                                                             \
    UF(IO_REMOVE_LOCK, Common.IoCount)                                                             \
    UF(IO_REMOVE_LOCK, Common.RemoveEvent)                                                         \
    S(WORK_QUEUE_ITEM)                                                                             \
    US(NPAGED_LOOKASIDE_LIST)                                                                      \
    S(LIST_ENTRY)                                                                                  \
    S(SINGLE_LIST_ENTRY)                                                                           \
    S(UNICODE_STRING)                                                                              \
    F(UNICODE_STRING, Buffer)                                                                      \
    S(LARGE_INTEGER)                                                                               \
    S(MDL)                                                                                         \
    F(MDL, MappedSystemVa)                                                                         \
    F(MDL, ByteCount)                                                                              \
    F(MDL, Next)                                                                                   \
    F(MDL, Size)                                                                                   \
    F(MDL, MdlFlags)                                                                               \
    F(MDL, StartVa)                                                                                \
    F(MDL, ByteOffset)                                                                             \
    S(CM_RESOURCE_LIST)                                                                            \
    F(CM_RESOURCE_LIST, Count)                                                                     \
    F(CM_RESOURCE_LIST, List)                                                                      \
    S(CM_FULL_RESOURCE_DESCRIPTOR)                                                                 \
    F(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList)                                            \
    F(CM_FULL_RESOURCE_DESCRIPTOR, InterfaceType)                                                  \
    F(CM_FULL_RESOURCE_DESCRIPTOR, BusNumber)                                                      \
    S(CM_PARTIAL_RESOURCE_DESCRIPTOR)                                                              \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, Flags)                                                       \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u)                                                           \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Length)                                               \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Affinity)                                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.MessageCount)                         \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, Type)                                                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, ShareDisposition)                                            \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Start)                                                \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start)                                              \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length)                                             \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Level)                                           \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Vector)                                          \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.Vector)                               \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Level)                         \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Vector)                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Affinity)                      \
    S(KBUGCHECK_CALLBACK_RECORD)                                                                   \
    UF(KBUGCHECK_CALLBACK_RECORD, State)                                                           \
    S(KBUGCHECK_REASON_CALLBACK_RECORD)                                                            \
    UF(KBUGCHECK_REASON_CALLBACK_RECORD, Reason)                                                   \
    UF(KBUGCHECK_REASON_CALLBACK_RECORD, State)                                                    \
    S(KBUGCHECK_DUMP_IO)                                                                           \
    F(KBUGCHECK_DUMP_IO, Offset)                                                                   \
    F(KBUGCHECK_DUMP_IO, Buffer)                                                                   \
    F(KBUGCHECK_DUMP_IO, BufferLength)                                                             \
    F(KBUGCHECK_DUMP_IO, Type)                                                                     \
    S(IO_CONNECT_INTERRUPT_PARAMETERS)                                                             \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, Version)                                                    \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, MessageBased.PhysicalDeviceObject)                          \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, MessageBased.ConnectionContext)                             \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, MessageBased.MessageServiceRoutine)                         \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, MessageBased.ServiceContext)                                \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, MessageBased.FallBackServiceRoutine)                        \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, LineBased.PhysicalDeviceObject)                             \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, LineBased.InterruptObject)                                  \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, LineBased.ServiceRoutine)                                   \
    F(IO_CONNECT_INTERRUPT_PARAMETERS, LineBased.ServiceContext)                                   \
    S(IO_INTERRUPT_MESSAGE_INFO)                                                                   \
    F(IO_INTERRUPT_MESSAGE_INFO, UnifiedIrql)                                                      \
    F(IO_INTERRUPT_MESSAGE_INFO, MessageCount)                                                     \
    F(IO_INTERRUPT_MESSAGE_INFO, MessageInfo)                                                      \
    S(IO_INTERRUPT_MESSAGE_INFO_ENTRY)                                                             \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, InterruptObject)                                            \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, MessageData)                                                \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, Vector)                                                     \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, Irql)                                                       \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, TargetProcessorSet)                                         \
    S(DEVICE_CAPABILITIES)                                                                         \
    F(DEVICE_CAPABILITIES, Size)                                                                   \
    F(DEVICE_CAPABILITIES, Version)                                                                \
    F(DEVICE_CAPABILITIES, DeviceState)                                                            \
    S(POWER_STATE)                                                                                 \
    F(POWER_STATE, SystemState)                                                                    \
    F(POWER_STATE, DeviceState)                                                                    \
    SX(DEVICE_DESCRIPTION)                                                                         \
    F(DEVICE_DESCRIPTION, Version)                                                                 \
    F(DEVICE_DESCRIPTION, Master)                                                                  \
    F(DEVICE_DESCRIPTION, ScatterGather)                                                           \
    F(DEVICE_DESCRIPTION, Dma32BitAddresses)                                                       \
    F(DEVICE_DESCRIPTION, Dma64BitAddresses)                                                       \
    F(DEVICE_DESCRIPTION, InterfaceType)                                                           \
    F(DEVICE_DESCRIPTION, MaximumLength)                                                           \
    F(DEVICE_DESCRIPTION, DmaPort)                                                                 \
    S(DMA_ADAPTER)                                                                                 \
    F(DMA_ADAPTER, Version)                                                                        \
    F(DMA_ADAPTER, Size)                                                                           \
    F(DMA_ADAPTER, DmaOperations)                                                                  \
    SX(DMA_OPERATIONS)                                                                             \
    F(DMA_OPERATIONS, AllocateCommonBuffer)                                                        \
    F(DMA_OPERATIONS, GetScatterGatherList)                                                        \
    F(DMA_OPERATIONS, BuildScatterGatherList)                                                      \
    F(DMA_OPERATIONS, Size)                                                                        \
    F(DMA_OPERATIONS, PutDmaAdapter)                                                               \
    F(DMA_OPERATIONS, FreeCommonBuffer)                                                            \
    F(DMA_OPERATIONS, PutScatterGatherList)                                                        \
    F(DMA_OPERATIONS, CalculateScatterGatherList)                                                  \
    F(DMA_OPERATIONS, GetDmaAlignment)                                                             \
    F(DMA_OPERATIONS, BuildMdlFromScatterGatherList)                                               \
    S(SCATTER_GATHER_ELEMENT)                                                                      \
    F(SCATTER_GATHER_ELEMENT, Address)                                                             \
    F(SCATTER_GATHER_ELEMENT, Length)                                                              \
    SX(SCATTER_GATHER_LIST)                                                                        \
    F(SCATTER_GATHER_LIST, NumberOfElements)                                                       \
    F(SCATTER_GATHER_LIST, Elements)                                                               \
    S(GROUP_AFFINITY)                                                                              \
    S(PROCESSOR_NUMBER)                                                                            \
    F(PROCESSOR_NUMBER, Group)                                                                     \
    F(PROCESSOR_NUMBER, Number)                                                                    \
    S(OBJECT_ATTRIBUTES)                                                                           \
    S(KEY_VALUE_PARTIAL_INFORMATION)                                                               \
    F(KEY_VALUE_PARTIAL_INFORMATION, Type)                                                         \
    F(KEY_VALUE_PARTIAL_INFORMATION, DataLength)                                                   \
    F(KEY_VALUE_PARTIAL_INFORMATION, Data)                                                         \
    S(FILE_OBJECT)                                                                                 \
    F(FILE_OBJECT, FsContext)                                                                      \
    F(KUSER_SHARED_DATA, InterruptTime)                                                            \
    F(KUSER_SHARED_DATA, SystemTime)                                                               \
    F(SE_EXPORTS, SeLocalSystemSid)                                                                \
    F(SE_EXPORTS, SeAliasAdminsSid)                                                                \
    F(SE_EXPORTS, SeAliasUsersSid)                                                                 \
    S(ACL)                                                                                         \
    S(ACCESS_ALLOWED_ACE)                                                                          \
    F(ACCESS_ALLOWED_ACE, SidStart)                                                                \
    S(SECURITY_DESCRIPTOR)                                                                         \
    F(SECURITY_DESCRIPTOR, Control)                                                                \
    F(SECURITY_DESCRIPTOR, Dacl)                                                                   \
    S(KAPC_STATE)                                                                                  \
    S(PHYSICAL_MEMORY_RANGE)                                                                       \
    F(PHYSICAL_MEMORY_RANGE, NumberOfBytes)                                                        \
    S(CM_PARTIAL_RESOURCE_LIST)                                                                    \
    F(CM_PARTIAL_RESOURCE_LIST, Version)                                                           \
    F(CM_PARTIAL_RESOURCE_LIST, Revision)                                                          \
    F(CM_PARTIAL_RESOURCE_LIST, Count)                                                             \
    F(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors)                                                \
    S(BUS_INTERFACE_STANDARD)                                                                      \
    F(BUS_INTERFACE_STANDARD, Size)                                                                \
    F(BUS_INTERFACE_STANDARD, Version)                                                             \
    F(BUS_INTERFACE_STANDARD, Context)                                                             \
    F(BUS_INTERFACE_STANDARD, InterfaceReference)                                                  \
    F(BUS_INTERFACE_STANDARD, InterfaceDereference)                                                \
    F(BUS_INTERFACE_STANDARD, TranslateBusAddress)                                                 \
    F(BUS_INTERFACE_STANDARD, GetDmaAdapter)                                                       \
    F(BUS_INTERFACE_STANDARD, SetBusData)                                                          \
    F(BUS_INTERFACE_STANDARD, GetBusData)                                                          \
    S(IO_DISCONNECT_INTERRUPT_PARAMETERS)                                                          \
    F(IO_DISCONNECT_INTERRUPT_PARAMETERS, Version)                                                 \
    F(IO_DISCONNECT_INTERRUPT_PARAMETERS, ConnectionContext)                                       \
    S(VW_HID_MINIDRIVER_REGISTRATION)                                                              \
    F(VW_HID_MINIDRIVER_REGISTRATION, DriverObject)                                                \
    F(VW_HID_MINIDRIVER_REGISTRATION, RegistryPath)                                                \
    F(VW_HID_MINIDRIVER_REGISTRATION, DeviceExtensionSize)                                         \
    F(VW_HID_MINIDRIVER_REGISTRATION, DevicesArePolled)                                            \
    S(VW_HID_DEVICE_EXTENSION)                                                                     \
    F(VW_HID_DEVICE_EXTENSION, PhysicalDeviceObject)                                               \
    F(VW_HID_DEVICE_EXTENSION, NextDeviceObject)                                                   \
    F(VW_HID_DEVICE_EXTENSION, MiniDeviceExtension)                                                \
    S(VW_HID_DESCRIPTOR)                                                                           \
    F(VW_HID_DESCRIPTOR, DescriptorList)                                                           \
    S(VW_HID_DEVICE_ATTRIBUTES)                                                                    \
    F(VW_HID_DEVICE_ATTRIBUTES, VendorID)                                                          \
    F(VW_HID_DEVICE_ATTRIBUTES, ProductID)                                                         \
    F(VW_HID_DEVICE_ATTRIBUTES, VersionNumber)                                                     \
    S(VW_HID_XFER_PACKET)                                                                          \
    F(VW_HID_XFER_PACKET, reportBufferLen)                                                         \
    F(VW_HID_XFER_PACKET, reportId)
