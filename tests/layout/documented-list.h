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
    F(VW_HID_XFER_PACKET, reportId)                                                                \
    S(ACCESS_RANGE)                                                                                \
    F(ACCESS_RANGE, RangeStart)                                                                    \
    F(ACCESS_RANGE, RangeLength)                                                                   \
    F(ACCESS_RANGE, RangeInMemory)                                                                 \
    S(MEMORY_REGION)                                                                               \
    F(MEMORY_REGION, PhysicalBase)                                                                 \
    F(MEMORY_REGION, Length)                                                                       \
    S(HW_INITIALIZATION_DATA)                                                                      \
    F(HW_INITIALIZATION_DATA, AdapterInterfaceType)                                                \
    F(HW_INITIALIZATION_DATA, HwInitialize)                                                        \
    F(HW_INITIALIZATION_DATA, HwStartIo)                                                           \
    F(HW_INITIALIZATION_DATA, HwInterrupt)                                                         \
    F(HW_INITIALIZATION_DATA, HwFindAdapter)                                                       \
    F(HW_INITIALIZATION_DATA, HwResetBus)                                                          \
    F(HW_INITIALIZATION_DATA, HwDmaStarted)                                                        \
    F(HW_INITIALIZATION_DATA, HwAdapterState)                                                      \
    F(HW_INITIALIZATION_DATA, DeviceExtensionSize)                                                 \
    F(HW_INITIALIZATION_DATA, SpecificLuExtensionSize)                                             \
    F(HW_INITIALIZATION_DATA, SrbExtensionSize)                                                    \
    F(HW_INITIALIZATION_DATA, NumberOfAccessRanges)                                                \
    F(HW_INITIALIZATION_DATA, MapBuffers)                                                          \
    F(HW_INITIALIZATION_DATA, NeedPhysicalAddresses)                                               \
    F(HW_INITIALIZATION_DATA, TaggedQueuing)                                                       \
    F(HW_INITIALIZATION_DATA, AutoRequestSense)                                                    \
    F(HW_INITIALIZATION_DATA, MultipleRequestPerLu)                                                \
    F(HW_INITIALIZATION_DATA, VendorId)                                                            \
    F(HW_INITIALIZATION_DATA, PortVersionFlags)                                                    \
    F(HW_INITIALIZATION_DATA, DeviceId)                                                            \
    F(HW_INITIALIZATION_DATA, HwAdapterControl)                                                    \
    F(HW_INITIALIZATION_DATA, HwBuildIo)                                                           \
    F(HW_INITIALIZATION_DATA, HwFreeAdapterResources)                                              \
    F(HW_INITIALIZATION_DATA, HwTracingEnabled)                                                    \
    F(HW_INITIALIZATION_DATA, FeatureSupport)                                                      \
    F(HW_INITIALIZATION_DATA, SrbTypeFlags)                                                        \
    F(HW_INITIALIZATION_DATA, AddressTypeFlags)                                                    \
    F(HW_INITIALIZATION_DATA, HwUnitControl)                                                       \
    S(PORT_CONFIGURATION_INFORMATION)                                                              \
    F(PORT_CONFIGURATION_INFORMATION, SystemIoBusNumber)                                           \
    F(PORT_CONFIGURATION_INFORMATION, AdapterInterfaceType)                                        \
    F(PORT_CONFIGURATION_INFORMATION, BusInterruptLevel)                                           \
    F(PORT_CONFIGURATION_INFORMATION, BusInterruptVector)                                          \
    F(PORT_CONFIGURATION_INFORMATION, InterruptMode)                                               \
    F(PORT_CONFIGURATION_INFORMATION, MaximumTransferLength)                                       \
    F(PORT_CONFIGURATION_INFORMATION, NumberOfPhysicalBreaks)                                      \
    F(PORT_CONFIGURATION_INFORMATION, DmaWidth)                                                    \
    F(PORT_CONFIGURATION_INFORMATION, AlignmentMask)                                               \
    F(PORT_CONFIGURATION_INFORMATION, NumberOfAccessRanges)                                        \
    F(PORT_CONFIGURATION_INFORMATION, AccessRanges)                                                \
    F(PORT_CONFIGURATION_INFORMATION, MiniportDumpData)                                            \
    F(PORT_CONFIGURATION_INFORMATION, NumberOfBuses)                                               \
    F(PORT_CONFIGURATION_INFORMATION, InitiatorBusId)                                              \
    F(PORT_CONFIGURATION_INFORMATION, ScatterGather)                                               \
    F(PORT_CONFIGURATION_INFORMATION, Master)                                                      \
    F(PORT_CONFIGURATION_INFORMATION, CachesData)                                                  \
    F(PORT_CONFIGURATION_INFORMATION, Dma32BitAddresses)                                           \
    F(PORT_CONFIGURATION_INFORMATION, MapBuffers)                                                  \
    F(PORT_CONFIGURATION_INFORMATION, NeedPhysicalAddresses)                                       \
    F(PORT_CONFIGURATION_INFORMATION, TaggedQueuing)                                               \
    F(PORT_CONFIGURATION_INFORMATION, AutoRequestSense)                                            \
    F(PORT_CONFIGURATION_INFORMATION, MultipleRequestPerLu)                                        \
    F(PORT_CONFIGURATION_INFORMATION, MaximumNumberOfTargets)                                      \
    F(PORT_CONFIGURATION_INFORMATION, SrbType)                                                     \
    F(PORT_CONFIGURATION_INFORMATION, AddressType)                                                 \
    F(PORT_CONFIGURATION_INFORMATION, SlotNumber)                                                  \
    F(PORT_CONFIGURATION_INFORMATION, DeviceExtensionSize)                                         \
    F(PORT_CONFIGURATION_INFORMATION, SpecificLuExtensionSize)                                     \
    F(PORT_CONFIGURATION_INFORMATION, SrbExtensionSize)                                            \
    F(PORT_CONFIGURATION_INFORMATION, Dma64BitAddresses)                                           \
    F(PORT_CONFIGURATION_INFORMATION, ResetTargetSupported)                                        \
    F(PORT_CONFIGURATION_INFORMATION, MaximumNumberOfLogicalUnits)                                 \
    F(PORT_CONFIGURATION_INFORMATION, WmiDataProvider)                                             \
    F(PORT_CONFIGURATION_INFORMATION, SynchronizationModel)                                        \
    F(PORT_CONFIGURATION_INFORMATION, HwMSInterruptRoutine)                                        \
    F(PORT_CONFIGURATION_INFORMATION, InterruptSynchronizationMode)                                \
    F(PORT_CONFIGURATION_INFORMATION, DumpRegion)                                                  \
    F(PORT_CONFIGURATION_INFORMATION, RequestedDumpBufferSize)                                     \
    F(PORT_CONFIGURATION_INFORMATION, VirtualDevice)                                               \
    F(PORT_CONFIGURATION_INFORMATION, DumpMode)                                                    \
    F(PORT_CONFIGURATION_INFORMATION, DmaAddressWidth)                                             \
    F(PORT_CONFIGURATION_INFORMATION, ExtendedFlags1)                                              \
    F(PORT_CONFIGURATION_INFORMATION, MaxNumberOfIO)                                               \
    F(PORT_CONFIGURATION_INFORMATION, MaxIOsPerLun)                                                \
    F(PORT_CONFIGURATION_INFORMATION, InitialLunQueueDepth)                                        \
    F(PORT_CONFIGURATION_INFORMATION, BusResetHoldTime)                                            \
    F(PORT_CONFIGURATION_INFORMATION, FeatureSupport)                                              \
    F(SCSI_SUPPORTED_CONTROL_TYPE_LIST, SupportedTypeList)                                         \
    S(SCSI_REQUEST_BLOCK)                                                                          \
    F(SCSI_REQUEST_BLOCK, Function)                                                                \
    F(SCSI_REQUEST_BLOCK, SrbStatus)                                                               \
    F(SCSI_REQUEST_BLOCK, ScsiStatus)                                                              \
    F(SCSI_REQUEST_BLOCK, PathId)                                                                  \
    F(SCSI_REQUEST_BLOCK, TargetId)                                                                \
    F(SCSI_REQUEST_BLOCK, Lun)                                                                     \
    F(SCSI_REQUEST_BLOCK, CdbLength)                                                               \
    F(SCSI_REQUEST_BLOCK, SenseInfoBufferLength)                                                   \
    F(SCSI_REQUEST_BLOCK, SrbFlags)                                                                \
    F(SCSI_REQUEST_BLOCK, DataTransferLength)                                                      \
    F(SCSI_REQUEST_BLOCK, TimeOutValue)                                                            \
    F(SCSI_REQUEST_BLOCK, DataBuffer)                                                              \
    F(SCSI_REQUEST_BLOCK, SenseInfoBuffer)                                                         \
    F(SCSI_REQUEST_BLOCK, NextSrb)                                                                 \
    F(SCSI_REQUEST_BLOCK, OriginalRequest)                                                         \
    F(SCSI_REQUEST_BLOCK, SrbExtension)                                                            \
    F(SCSI_REQUEST_BLOCK, QueueSortKey)                                                            \
    F(SCSI_REQUEST_BLOCK, Cdb)                                                                     \
    S(STORAGE_REQUEST_BLOCK)                                                                       \
    F(STORAGE_REQUEST_BLOCK, Function)                                                             \
    F(STORAGE_REQUEST_BLOCK, SrbStatus)                                                            \
    F(STORAGE_REQUEST_BLOCK, Signature)                                                            \
    F(STORAGE_REQUEST_BLOCK, Version)                                                              \
    F(STORAGE_REQUEST_BLOCK, SrbLength)                                                            \
    F(STORAGE_REQUEST_BLOCK, SrbFunction)                                                          \
    F(STORAGE_REQUEST_BLOCK, SrbFlags)                                                             \
    F(STORAGE_REQUEST_BLOCK, RequestTag)                                                           \
    F(STORAGE_REQUEST_BLOCK, TimeOutValue)                                                         \
    F(STORAGE_REQUEST_BLOCK, SystemStatus)                                                         \
    F(STORAGE_REQUEST_BLOCK, ZeroGuard1)                                                           \
    F(STORAGE_REQUEST_BLOCK, AddressOffset)                                                        \
    F(STORAGE_REQUEST_BLOCK, NumSrbExData)                                                         \
    F(STORAGE_REQUEST_BLOCK, DataTransferLength)                                                   \
    F(STORAGE_REQUEST_BLOCK, DataBuffer)                                                           \
    F(STORAGE_REQUEST_BLOCK, ZeroGuard2)                                                           \
    F(STORAGE_REQUEST_BLOCK, OriginalRequest)                                                      \
    F(STORAGE_REQUEST_BLOCK, ClassContext)                                                         \
    F(STORAGE_REQUEST_BLOCK, PortContext)                                                          \
    F(STORAGE_REQUEST_BLOCK, MiniportContext)                                                      \
    F(STORAGE_REQUEST_BLOCK, NextSrb)                                                              \
    F(STORAGE_REQUEST_BLOCK, SrbExDataOffset)                                                      \
    S(STOR_ADDR_BTL8)                                                                              \
    F(STOR_ADDR_BTL8, Port)                                                                        \
    F(STOR_ADDR_BTL8, AddressLength)                                                               \
    F(STOR_ADDR_BTL8, Path)                                                                        \
    F(STOR_ADDR_BTL8, Target)                                                                      \
    F(STOR_ADDR_BTL8, Lun)                                                                         \
    F(SRBEX_DATA, Length)                                                                          \
    F(SRBEX_DATA, Data)                                                                            \
    S(SRBEX_DATA_SCSI_CDB16)                                                                       \
    F(SRBEX_DATA_SCSI_CDB16, Length)                                                               \
    F(SRBEX_DATA_SCSI_CDB16, ScsiStatus)                                                           \
    F(SRBEX_DATA_SCSI_CDB16, SenseInfoBufferLength)                                                \
    F(SRBEX_DATA_SCSI_CDB16, CdbLength)                                                            \
    F(SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer)                                                      \
    F(SRBEX_DATA_SCSI_CDB16, Cdb)                                                                  \
    S(STOR_SCATTER_GATHER_ELEMENT)                                                                 \
    F(STOR_SCATTER_GATHER_ELEMENT, PhysicalAddress)                                                \
    F(STOR_SCATTER_GATHER_ELEMENT, Length)                                                         \
    F(STOR_SCATTER_GATHER_ELEMENT, Reserved)                                                       \
    S(STOR_SCATTER_GATHER_LIST)                                                                    \
    F(STOR_SCATTER_GATHER_LIST, Reserved)                                                          \
    F(STOR_SCATTER_GATHER_LIST, List)                                                              \
    S(STOR_DPC)                                                                                    \
    F(STOR_DPC, Lock)                                                                              \
    S(STOR_LOCK_HANDLE)                                                                            \
    F(STOR_LOCK_HANDLE, Lock)                                                                      \
    F(STOR_LOCK_HANDLE, Context)                                                                   \
    S(MESSAGE_INTERRUPT_INFORMATION)                                                               \
    F(MESSAGE_INTERRUPT_INFORMATION, MessageData)                                                  \
    F(MESSAGE_INTERRUPT_INFORMATION, MessageAddress)                                               \
    F(MESSAGE_INTERRUPT_INFORMATION, InterruptVector)                                              \
    F(MESSAGE_INTERRUPT_INFORMATION, InterruptLevel)                                               \
    F(MESSAGE_INTERRUPT_INFORMATION, InterruptMode)                                                \
    S(PERF_CONFIGURATION_DATA)                                                                     \
    F(PERF_CONFIGURATION_DATA, Flags)                                                              \
    F(PERF_CONFIGURATION_DATA, ConcurrentChannels)                                                 \
    F(PERF_CONFIGURATION_DATA, FirstRedirectionMessageNumber)                                      \
    F(PERF_CONFIGURATION_DATA, LastRedirectionMessageNumber)                                       \
    F(PERF_CONFIGURATION_DATA, MessageTargets)                                                     \
    S(STARTIO_PERFORMANCE_PARAMETERS)                                                              \
    F(STARTIO_PERFORMANCE_PARAMETERS, MessageNumber)                                               \
    F(STARTIO_PERFORMANCE_PARAMETERS, ChannelNumber)                                               \
    S(NDIS_OBJECT_HEADER)                                                                          \
    F(NDIS_OBJECT_HEADER, Revision)                                                                \
    F(NDIS_OBJECT_HEADER, Size)                                                                    \
    S(NDIS_MINIPORT_DRIVER_CHARACTERISTICS)                                                        \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MajorNdisVersion)                                      \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MinorNdisVersion)                                      \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, MinorDriverVersion)                                    \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, Flags)                                                 \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SetOptionsHandler)                                     \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, InitializeHandlerEx)                                   \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, HaltHandlerEx)                                         \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, UnloadHandler)                                         \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, PauseHandler)                                          \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, RestartHandler)                                        \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, OidRequestHandler)                                     \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SendNetBufferListsHandler)                             \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, ReturnNetBufferListsHandler)                           \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelSendHandler)                                     \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CheckForHangHandlerEx)                                 \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, ResetHandlerEx)                                        \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, DevicePnPEventNotifyHandler)                           \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, ShutdownHandlerEx)                                     \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler)                               \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, DirectOidRequestHandler)                               \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler)                         \
    F(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, SynchronousOidRequestHandler)                          \
    S(NDIS_MINIPORT_INIT_PARAMETERS)                                                               \
    F(NDIS_MINIPORT_INIT_PARAMETERS, Flags)                                                        \
    F(NDIS_MINIPORT_INIT_PARAMETERS, AllocatedResources)                                           \
    F(NDIS_MINIPORT_INIT_PARAMETERS, IMDeviceInstanceContext)                                      \
    F(NDIS_MINIPORT_INIT_PARAMETERS, MiniportAddDeviceContext)                                     \
    F(NDIS_MINIPORT_INIT_PARAMETERS, IfIndex)                                                      \
    F(NDIS_MINIPORT_INIT_PARAMETERS, NetLuid)                                                      \
    F(NDIS_MINIPORT_INIT_PARAMETERS, DefaultPortAuthStates)                                        \
    F(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties)                                    \
    S(NDIS_MINIPORT_PAUSE_PARAMETERS)                                                              \
    F(NDIS_MINIPORT_PAUSE_PARAMETERS, Flags)                                                       \
    F(NDIS_MINIPORT_PAUSE_PARAMETERS, PauseReason)                                                 \
    S(NDIS_MINIPORT_RESTART_PARAMETERS)                                                            \
    F(NDIS_MINIPORT_RESTART_PARAMETERS, RestartAttributes)                                         \
    F(NDIS_MINIPORT_RESTART_PARAMETERS, Flags)                                                     \
    S(NET_DEVICE_PNP_EVENT)                                                                        \
    F(NET_DEVICE_PNP_EVENT, PortNumber)                                                            \
    F(NET_DEVICE_PNP_EVENT, DevicePnPEvent)                                                        \
    F(NET_DEVICE_PNP_EVENT, InformationBuffer)                                                     \
    F(NET_DEVICE_PNP_EVENT, InformationBufferLength)                                               \
    F(NET_DEVICE_PNP_EVENT, NdisReserved)                                                          \
    S(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES)                                               \
    F(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, MiniportAdapterContext)                       \
    F(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, AttributeFlags)                               \
    F(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, CheckForHangTimeInSeconds)                    \
    F(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)                                \
    S(NDIS_RECEIVE_SCALE_CAPABILITIES)                                                             \
    F(NDIS_RECEIVE_SCALE_CAPABILITIES, CapabilitiesFlags)                                          \
    F(NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfInterruptMessages)                                  \
    F(NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfReceiveQueues)                                      \
    F(NDIS_RECEIVE_SCALE_CAPABILITIES, NumberOfIndirectionTableEntries)                            \
    S(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES)                                                    \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, Flags)                                             \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MediaType)                                         \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PhysicalMediumType)                                \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MtuSize)                                           \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxXmitLinkSpeed)                                  \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, XmitLinkSpeed)                                     \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxRcvLinkSpeed)                                   \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, RcvLinkSpeed)                                      \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MediaConnectState)                                 \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MediaDuplexState)                                  \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, LookaheadSize)                                     \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilities)                       \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MacOptions)                                        \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedPacketFilters)                            \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MaxMulticastListSize)                              \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, MacAddressLength)                                  \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PermanentMacAddress)                               \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, CurrentMacAddress)                                 \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, RecvScaleCapabilities)                             \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AccessType)                                        \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, DirectionType)                                     \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, ConnectionType)                                    \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, IfType)                                            \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, IfConnectorPresent)                                \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedStatistics)                               \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedPauseFunctions)                           \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, DataBackFillSize)                                  \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, ContextBackFillSize)                               \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedOidList)                                  \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, SupportedOidListLength)                            \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags)                              \
    F(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, PowerManagementCapabilitiesEx)                     \
    S(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES)                                                    \
    F(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, DefaultOffloadConfiguration)                       \
    F(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, HardwareOffloadCapabilities)                       \
    F(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, DefaultTcpConnectionOffloadConfiguration)          \
    F(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, TcpConnectionOffloadHardwareCapabilities)          \
    S(NDIS_LINK_STATE)                                                                             \
    F(NDIS_LINK_STATE, MediaConnectState)                                                          \
    F(NDIS_LINK_STATE, MediaDuplexState)                                                           \
    F(NDIS_LINK_STATE, XmitLinkSpeed)                                                              \
    F(NDIS_LINK_STATE, RcvLinkSpeed)                                                               \
    F(NDIS_LINK_STATE, PauseFunctions)                                                             \
    F(NDIS_LINK_STATE, AutoNegotiationFlags)                                                       \
    S(NDIS_LINK_PARAMETERS)                                                                        \
    F(NDIS_LINK_PARAMETERS, MediaDuplexState)                                                      \
    F(NDIS_LINK_PARAMETERS, XmitLinkSpeed)                                                         \
    F(NDIS_LINK_PARAMETERS, RcvLinkSpeed)                                                          \
    F(NDIS_LINK_PARAMETERS, PauseFunctions)                                                        \
    F(NDIS_LINK_PARAMETERS, AutoNegotiationFlags)                                                  \
    S(NDIS_INTERRUPT_MODERATION_PARAMETERS)                                                        \
    F(NDIS_INTERRUPT_MODERATION_PARAMETERS, Flags)                                                 \
    F(NDIS_INTERRUPT_MODERATION_PARAMETERS, InterruptModeration)                                   \
    S(NDIS_STATUS_INDICATION)                                                                      \
    F(NDIS_STATUS_INDICATION, SourceHandle)                                                        \
    F(NDIS_STATUS_INDICATION, PortNumber)                                                          \
    F(NDIS_STATUS_INDICATION, StatusCode)                                                          \
    F(NDIS_STATUS_INDICATION, Flags)                                                               \
    F(NDIS_STATUS_INDICATION, DestinationHandle)                                                   \
    F(NDIS_STATUS_INDICATION, RequestId)                                                           \
    F(NDIS_STATUS_INDICATION, StatusBuffer)                                                        \
    F(NDIS_STATUS_INDICATION, StatusBufferSize)                                                    \
    F(NDIS_STATUS_INDICATION, Guid)                                                                \
    F(NDIS_STATUS_INDICATION, NdisReserved)                                                        \
    S(NET_BUFFER)                                                                                  \
    F(NET_BUFFER, Next)                                                                            \
    F(NET_BUFFER, CurrentMdl)                                                                      \
    F(NET_BUFFER, CurrentMdlOffset)                                                                \
    F(NET_BUFFER, DataLength)                                                                      \
    F(NET_BUFFER, stDataLength)                                                                    \
    F(NET_BUFFER, MdlChain)                                                                        \
    F(NET_BUFFER, DataOffset)                                                                      \
    F(NET_BUFFER, Link)                                                                            \
    F(NET_BUFFER, NetBufferHeader)                                                                 \
    F(NET_BUFFER, ChecksumBias)                                                                    \
    F(NET_BUFFER, Reserved)                                                                        \
    F(NET_BUFFER, NdisPoolHandle)                                                                  \
    F(NET_BUFFER, NdisReserved)                                                                    \
    F(NET_BUFFER, ProtocolReserved)                                                                \
    F(NET_BUFFER, MiniportReserved)                                                                \
    F(NET_BUFFER, DataPhysicalAddress)                                                             \
    F(NET_BUFFER, SharedMemoryInfo)                                                                \
    F(NET_BUFFER, ScatterGatherList)                                                               \
    S(NET_BUFFER_DATA)                                                                             \
    S(NET_BUFFER_HEADER)                                                                           \
    S(NET_BUFFER_LIST_HEADER)                                                                      \
    F(NET_BUFFER_LIST, Next)                                                                       \
    F(NET_BUFFER_LIST, FirstNetBuffer)                                                             \
    F(NET_BUFFER_LIST, Link)                                                                       \
    F(NET_BUFFER_LIST, NetBufferListHeader)                                                        \
    F(NET_BUFFER_LIST, Context)                                                                    \
    F(NET_BUFFER_LIST, ParentNetBufferList)                                                        \
    F(NET_BUFFER_LIST, NdisPoolHandle)                                                             \
    F(NET_BUFFER_LIST, NdisReserved)                                                               \
    F(NET_BUFFER_LIST, ProtocolReserved)                                                           \
    F(NET_BUFFER_LIST, MiniportReserved)                                                           \
    F(NET_BUFFER_LIST, Scratch)                                                                    \
    F(NET_BUFFER_LIST, SourceHandle)                                                               \
    F(NET_BUFFER_LIST, NblFlags)                                                                   \
    F(NET_BUFFER_LIST, ChildRefCount)                                                              \
    F(NET_BUFFER_LIST, Flags)                                                                      \
    F(NET_BUFFER_LIST, Status)                                                                     \
    F(NET_BUFFER_LIST, NetBufferListInfo)                                                          \
    S(NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO)                                                   \
    S(NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO)                                            \
    S(NDIS_NET_BUFFER_LIST_8021Q_INFO)                                                             \
    S(NDIS_UDP_SEGMENTATION_OFFLOAD_NET_BUFFER_LIST_INFO)                                          \
    S(NET_BUFFER_LIST_POOL_PARAMETERS)                                                             \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, ProtocolId)                                                 \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, fAllocateNetBuffer)                                         \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, ContextSize)                                                \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, PoolTag)                                                    \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)                                                   \
    F(NET_BUFFER_LIST_POOL_PARAMETERS, Flags)                                                      \
    S(NET_BUFFER_POOL_PARAMETERS)                                                                  \
    F(NET_BUFFER_POOL_PARAMETERS, PoolTag)                                                         \
    F(NET_BUFFER_POOL_PARAMETERS, DataSize)                                                        \
    F(NET_BUFFER_POOL_PARAMETERS, Flags)                                                           \
    S(NDIS_OID_REQUEST)                                                                            \
    F(NDIS_OID_REQUEST, RequestType)                                                               \
    F(NDIS_OID_REQUEST, PortNumber)                                                                \
    F(NDIS_OID_REQUEST, Timeout)                                                                   \
    F(NDIS_OID_REQUEST, RequestId)                                                                 \
    F(NDIS_OID_REQUEST, RequestHandle)                                                             \
    F(NDIS_OID_REQUEST, DATA)                                                                      \
    F(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBuffer)                                  \
    F(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.InformationBufferLength)                            \
    F(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesWritten)                                       \
    F(NDIS_OID_REQUEST, DATA.QUERY_INFORMATION.BytesNeeded)                                        \
    F(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesRead)                                            \
    F(NDIS_OID_REQUEST, DATA.SET_INFORMATION.BytesNeeded)                                          \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.InputBufferLength)                                 \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.OutputBufferLength)                                \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.MethodId)                                          \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesWritten)                                      \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesRead)                                         \
    F(NDIS_OID_REQUEST, DATA.METHOD_INFORMATION.BytesNeeded)                                       \
    F(NDIS_OID_REQUEST, NdisReserved)                                                              \
    F(NDIS_OID_REQUEST, MiniportReserved)                                                          \
    F(NDIS_OID_REQUEST, SourceReserved)                                                            \
    F(NDIS_OID_REQUEST, SupportedRevision)                                                         \
    F(NDIS_OID_REQUEST, Reserved2)                                                                 \
    F(NDIS_OID_REQUEST, SwitchId)                                                                  \
    F(NDIS_OID_REQUEST, VPortId)                                                                   \
    F(NDIS_OID_REQUEST, Flags)                                                                     \
    S(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS)                                                     \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptHandler)                                   \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptDpcHandler)                                \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, DisableInterruptHandler)                            \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, EnableInterruptHandler)                             \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MsiSupported)                                       \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MsiSyncWithAllMessages)                             \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInterruptHandler)                            \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInterruptDpcHandler)                         \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, DisableMessageInterruptHandler)                     \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, EnableMessageInterruptHandler)                      \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptType)                                      \
    F(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable)                                   \
    S(NDIS_SG_DMA_DESCRIPTION)                                                                     \
    F(NDIS_SG_DMA_DESCRIPTION, Flags)                                                              \
    F(NDIS_SG_DMA_DESCRIPTION, MaximumPhysicalMapping)                                             \
    F(NDIS_SG_DMA_DESCRIPTION, ProcessSGListHandler)                                               \
    F(NDIS_SG_DMA_DESCRIPTION, SharedMemAllocateCompleteHandler)                                   \
    F(NDIS_SG_DMA_DESCRIPTION, ScatterGatherListSize)                                              \
    S(NDIS_SPIN_LOCK)                                                                              \
    F(NDIS_SPIN_LOCK, OldIrql)                                                                     \
    S(NDIS_CONFIGURATION_OBJECT)                                                                   \
    F(NDIS_CONFIGURATION_OBJECT, NdisHandle)                                                       \
    F(NDIS_CONFIGURATION_OBJECT, Flags)                                                            \
    S(BINARY_DATA)                                                                                 \
    F(BINARY_DATA, Buffer)                                                                         \
    S(NDIS_CONFIGURATION_PARAMETER)                                                                \
    F(NDIS_CONFIGURATION_PARAMETER, ParameterData)                                                 \
    F(NDIS_CONFIGURATION_PARAMETER, ParameterData.StringData.Buffer)                               \
    F(NDIS_CONFIGURATION_PARAMETER, ParameterData.BinaryData.Buffer)                               \
    S(NDIS_STATISTICS_INFO)                                                                        \
    F(NDIS_STATISTICS_INFO, SupportedStatistics)                                                   \
    F(NDIS_STATISTICS_INFO, ifInDiscards)                                                          \
    F(NDIS_STATISTICS_INFO, ifHCInOctets)                                                          \
    F(NDIS_STATISTICS_INFO, ifHCOutOctets)                                                         \
    F(NDIS_STATISTICS_INFO, ifOutDiscards)                                                         \
    F(NDIS_STATISTICS_INFO, ifHCOutBroadcastOctets)                                                \
    S(NDIS_RSC_STATISTICS_INFO)                                                                    \
    F(NDIS_RSC_STATISTICS_INFO, CoalescedPkts)                                                     \
    F(NDIS_RSC_STATISTICS_INFO, Aborts)                                                            \
    S(NDIS_RECEIVE_SCALE_PARAMETERS)                                                               \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, Flags)                                                        \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, BaseCpuNumber)                                                \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, HashInformation)                                              \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, IndirectionTableSize)                                         \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, IndirectionTableOffset)                                       \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, HashSecretKeySize)                                            \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, HashSecretKeyOffset)                                          \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, ProcessorMasksOffset)                                         \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, NumberOfProcessorMasks)                                       \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, ProcessorMasksEntrySize)                                      \
    F(NDIS_RECEIVE_SCALE_PARAMETERS, DefaultProcessorNumber)                                       \
    S(NDIS_OFFLOAD_PARAMETERS)                                                                     \
    F(NDIS_OFFLOAD_PARAMETERS, IPv4Checksum)                                                       \
    F(NDIS_OFFLOAD_PARAMETERS, UDPIPv6Checksum)                                                    \
    F(NDIS_OFFLOAD_PARAMETERS, LsoV2IPv4)                                                          \
    F(NDIS_OFFLOAD_PARAMETERS, LsoV2IPv6)                                                          \
    F(NDIS_OFFLOAD_PARAMETERS, TcpConnectionIPv6)                                                  \
    F(NDIS_OFFLOAD_PARAMETERS, Flags)                                                              \
    F(NDIS_OFFLOAD_PARAMETERS, IPsecV2)                                                            \
    F(NDIS_OFFLOAD_PARAMETERS, IPsecV2IPv4)                                                        \
    F(NDIS_OFFLOAD_PARAMETERS, RscIPv4)                                                            \
    F(NDIS_OFFLOAD_PARAMETERS, RscIPv6)                                                            \
    F(NDIS_OFFLOAD_PARAMETERS, EncapsulatedPacketTaskOffload)                                      \
    F(NDIS_OFFLOAD_PARAMETERS, EncapsulationTypes)                                                 \
    F(NDIS_OFFLOAD_PARAMETERS, EncapsulationProtocolParameters)                                    \
    F(NDIS_OFFLOAD_PARAMETERS, UdpSegmentation)                                                    \
    F(NDIS_OFFLOAD_PARAMETERS, UdpSegmentation.IPv6)                                               \
    F(NDIS_OFFLOAD_PARAMETERS, UdpRsc)                                                             \
    S(NDIS_TCP_IP_CHECKSUM_OFFLOAD)                                                                \
    F(NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv4Receive)                                                   \
    F(NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Transmit)                                                  \
    F(NDIS_TCP_IP_CHECKSUM_OFFLOAD, IPv6Receive)                                                   \
    S(NDIS_TCP_LARGE_SEND_OFFLOAD_V1)                                                              \
    S(NDIS_IPSEC_OFFLOAD_V1)                                                                       \
    F(NDIS_IPSEC_OFFLOAD_V1, IPv4AH)                                                               \
    F(NDIS_IPSEC_OFFLOAD_V1, IPv4ESP)                                                              \
    S(NDIS_TCP_LARGE_SEND_OFFLOAD_V2)                                                              \
    F(NDIS_TCP_LARGE_SEND_OFFLOAD_V2, IPv6)                                                        \
    F(NDIS_TCP_LARGE_SEND_OFFLOAD_V2, IPv6.MaxOffLoadSize)                                         \
    S(NDIS_IPSEC_OFFLOAD_V2)                                                                       \
    F(NDIS_IPSEC_OFFLOAD_V2, ExtendedSequenceNumbers)                                              \
    F(NDIS_IPSEC_OFFLOAD_V2, UdpEsp)                                                               \
    F(NDIS_IPSEC_OFFLOAD_V2, SaOffloadCapacity)                                                    \
    S(NDIS_TCP_RECV_SEG_COALESCE_OFFLOAD)                                                          \
    S(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD)                                                       \
    F(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD, MaxHeaderSizeSupported)                               \
    S(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2)                                                    \
    F(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2, MaxHeaderSizeSupported)                            \
    F(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2, EncapsulationProtocolInfo)                         \
    F(NDIS_ENCAPSULATED_PACKET_TASK_OFFLOAD_V2, Reserved2)                                         \
    S(NDIS_RFC6877_464XLAT_OFFLOAD)                                                                \
    S(NDIS_UDP_SEGMENTATION_OFFLOAD)                                                               \
    F(NDIS_UDP_SEGMENTATION_OFFLOAD, IPv6)                                                         \
    S(NDIS_UDP_RSC_OFFLOAD)                                                                        \
    S(NDIS_OFFLOAD)                                                                                \
    F(NDIS_OFFLOAD, Checksum)                                                                      \
    F(NDIS_OFFLOAD, LsoV1)                                                                         \
    F(NDIS_OFFLOAD, IPsecV1)                                                                       \
    F(NDIS_OFFLOAD, LsoV2)                                                                         \
    F(NDIS_OFFLOAD, Flags)                                                                         \
    F(NDIS_OFFLOAD, IPsecV2)                                                                       \
    F(NDIS_OFFLOAD, Rsc)                                                                           \
    F(NDIS_OFFLOAD, EncapsulatedPacketTaskOffloadGre)                                              \
    F(NDIS_OFFLOAD, EncapsulatedPacketTaskOffloadVxlan)                                            \
    F(NDIS_OFFLOAD, EncapsulationTypes)                                                            \
    F(NDIS_OFFLOAD, Rfc6877Xlat)                                                                   \
    F(NDIS_OFFLOAD, UdpSegmentation)                                                               \
    F(NDIS_OFFLOAD, UdpRsc)                                                                        \
    S(NDIS_OFFLOAD_ENCAPSULATION)                                                                  \
    F(NDIS_OFFLOAD_ENCAPSULATION, IPv4)                                                            \
    F(NDIS_OFFLOAD_ENCAPSULATION, IPv6)                                                            \
    S(NDIS_TIMER_CHARACTERISTICS)                                                                  \
    F(NDIS_TIMER_CHARACTERISTICS, AllocationTag)                                                   \
    F(NDIS_TIMER_CHARACTERISTICS, TimerFunction)                                                   \
    F(NDIS_TIMER_CHARACTERISTICS, FunctionContext)                                                 \
    F(GROUP_AFFINITY, Mask)                                                                        \
    F(GROUP_AFFINITY, Group)
