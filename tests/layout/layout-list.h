/*
 * Every kernel structure, and the members, that our drivers (and the
 * harness's fake kernel) depend on.  S(type) records sizeof, F(type, member)
 * records offsetof.  probe.c evaluates the list for each Windows target;
 * compare.c names the entries and checks them.  Add to it whenever a driver
 * starts using another structure.
 */
#define VW_LAYOUT_LIST(S, F)                                                                       \
    S(DRIVER_OBJECT)                                                                               \
    F(DRIVER_OBJECT, DeviceObject)                                                                 \
    F(DRIVER_OBJECT, DriverExtension)                                                              \
    F(DRIVER_OBJECT, DriverInit)                                                                   \
    F(DRIVER_OBJECT, DriverUnload)                                                                 \
    F(DRIVER_OBJECT, MajorFunction)                                                                \
    S(DRIVER_EXTENSION)                                                                            \
    F(DRIVER_EXTENSION, AddDevice)                                                                 \
    F(DEVICE_OBJECT, Flags)                                                                        \
    F(DEVICE_OBJECT, DeviceExtension)                                                              \
    F(DEVICE_OBJECT, StackSize)                                                                    \
    F(DEVICE_OBJECT, AlignmentRequirement)                                                         \
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
    S(IO_STATUS_BLOCK)                                                                             \
    S(KDPC)                                                                                        \
    F(KDPC, DeferredRoutine)                                                                       \
    F(KDPC, DeferredContext)                                                                       \
    S(KEVENT)                                                                                      \
    S(KTIMER)                                                                                      \
    S(KSEMAPHORE)                                                                                  \
    S(KMUTEX)                                                                                      \
    S(FAST_MUTEX)                                                                                  \
    S(KSPIN_LOCK)                                                                                  \
    S(KLOCK_QUEUE_HANDLE)                                                                          \
    S(KDEVICE_QUEUE)                                                                               \
    S(IO_REMOVE_LOCK)                                                                              \
    S(WORK_QUEUE_ITEM)                                                                             \
    S(NPAGED_LOOKASIDE_LIST)                                                                       \
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
    S(CM_FULL_RESOURCE_DESCRIPTOR)                                                                 \
    F(CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList)                                            \
    S(CM_PARTIAL_RESOURCE_DESCRIPTOR)                                                              \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, Flags)                                                       \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u)                                                           \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Length)                                               \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Affinity)                                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.MessageCount)                         \
    S(KBUGCHECK_CALLBACK_RECORD)                                                                   \
    S(KBUGCHECK_REASON_CALLBACK_RECORD)                                                            \
    F(KBUGCHECK_REASON_CALLBACK_RECORD, Reason)                                                    \
    S(KBUGCHECK_DUMP_IO)                                                                           \
    S(IO_CONNECT_INTERRUPT_PARAMETERS)                                                             \
    S(IO_INTERRUPT_MESSAGE_INFO)                                                                   \
    S(IO_INTERRUPT_MESSAGE_INFO_ENTRY)                                                             \
    S(DEVICE_CAPABILITIES)                                                                         \
    S(POWER_STATE)                                                                                 \
    S(DEVICE_DESCRIPTION)                                                                          \
    S(DMA_ADAPTER)                                                                                 \
    S(DMA_OPERATIONS)                                                                              \
    F(DMA_OPERATIONS, AllocateCommonBuffer)                                                        \
    F(DMA_OPERATIONS, GetScatterGatherList)                                                        \
    F(DMA_OPERATIONS, BuildScatterGatherList)                                                      \
    S(SCATTER_GATHER_ELEMENT)                                                                      \
    S(SCATTER_GATHER_LIST)                                                                         \
    S(GROUP_AFFINITY)                                                                              \
    S(PROCESSOR_NUMBER)                                                                            \
    F(PROCESSOR_NUMBER, Group)                                                                     \
    F(PROCESSOR_NUMBER, Number)                                                                    \
    S(OBJECT_ATTRIBUTES)                                                                           \
    S(KEY_VALUE_PARTIAL_INFORMATION)                                                               \
    S(FILE_OBJECT)                                                                                 \
    F(FILE_OBJECT, FsContext)                                                                      \
    F(KUSER_SHARED_DATA, InterruptTime)                                                            \
    S(DEVICE_OBJECT)                                                                               \
    F(DEVICE_OBJECT, Type)                                                                         \
    F(DEVICE_OBJECT, Size)                                                                         \
    F(DEVICE_OBJECT, DriverObject)                                                                 \
    F(DEVICE_OBJECT, NextDevice)                                                                   \
    F(DEVICE_OBJECT, AttachedDevice)                                                               \
    F(DEVICE_OBJECT, DeviceType)                                                                   \
    F(DEVICE_OBJECT, Characteristics)                                                              \
    F(DRIVER_OBJECT, Type)                                                                         \
    F(DRIVER_OBJECT, Size)                                                                         \
    F(DRIVER_OBJECT, DriverStart)                                                                  \
    F(DRIVER_OBJECT, DriverSize)                                                                   \
    F(DRIVER_OBJECT, DriverName)                                                                   \
    F(DRIVER_EXTENSION, DriverObject)                                                              \
    F(IRP, Type)                                                                                   \
    F(IRP, Size)                                                                                   \
    F(IO_STATUS_BLOCK, Information)                                                                \
    F(IO_STACK_LOCATION, MajorFunction)                                                            \
    F(IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResources)                                \
    F(IO_STACK_LOCATION, Parameters.Power.Type)                                                    \
    F(CM_RESOURCE_LIST, Count)                                                                     \
    F(CM_RESOURCE_LIST, List)                                                                      \
    F(CM_FULL_RESOURCE_DESCRIPTOR, InterfaceType)                                                  \
    F(CM_FULL_RESOURCE_DESCRIPTOR, BusNumber)                                                      \
    S(CM_PARTIAL_RESOURCE_LIST)                                                                    \
    F(CM_PARTIAL_RESOURCE_LIST, Version)                                                           \
    F(CM_PARTIAL_RESOURCE_LIST, Revision)                                                          \
    F(CM_PARTIAL_RESOURCE_LIST, Count)                                                             \
    F(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors)                                                \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, Type)                                                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, ShareDisposition)                                            \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Start)                                                \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start)                                              \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length)                                             \
    F(KBUGCHECK_CALLBACK_RECORD, State)                                                            \
    F(KBUGCHECK_REASON_CALLBACK_RECORD, State)                                                     \
    F(KBUGCHECK_DUMP_IO, Offset)                                                                   \
    F(KBUGCHECK_DUMP_IO, Buffer)                                                                   \
    F(KBUGCHECK_DUMP_IO, BufferLength)                                                             \
    F(KBUGCHECK_DUMP_IO, Type)                                                                     \
    F(KEVENT, Header.Type)                                                                         \
    F(KEVENT, Header.SignalState)                                                                  \
    F(IO_REMOVE_LOCK, Common.Removed)                                                              \
    F(IO_REMOVE_LOCK, Common.IoCount)                                                              \
    F(IO_REMOVE_LOCK, Common.RemoveEvent)                                                          \
    F(IRP, UserIosb)                                                                               \
    F(IRP, UserEvent)                                                                              \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceType)                                  \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Size)                                           \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Version)                                        \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.Interface)                                      \
    F(IO_STACK_LOCATION, Parameters.Read.Length)                                                   \
    F(IO_STACK_LOCATION, Parameters.Write.Length)                                                  \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.OutputBufferLength)                            \
    F(IO_STACK_LOCATION, Parameters.DeviceIoControl.InputBufferLength)                             \
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
    F(DMA_ADAPTER, Version)                                                                        \
    F(DMA_ADAPTER, Size)                                                                           \
    F(DMA_ADAPTER, DmaOperations)                                                                  \
    F(DMA_OPERATIONS, Size)                                                                        \
    F(DMA_OPERATIONS, PutDmaAdapter)                                                               \
    F(DMA_OPERATIONS, FreeCommonBuffer)                                                            \
    F(DMA_OPERATIONS, PutScatterGatherList)                                                        \
    F(DMA_OPERATIONS, CalculateScatterGatherList)                                                  \
    F(DMA_OPERATIONS, GetDmaAlignment)                                                             \
    F(DMA_OPERATIONS, BuildMdlFromScatterGatherList)                                               \
    F(DEVICE_DESCRIPTION, Version)                                                                 \
    F(DEVICE_DESCRIPTION, Master)                                                                  \
    F(DEVICE_DESCRIPTION, ScatterGather)                                                           \
    F(DEVICE_DESCRIPTION, Dma32BitAddresses)                                                       \
    F(DEVICE_DESCRIPTION, Dma64BitAddresses)                                                       \
    F(DEVICE_DESCRIPTION, InterfaceType)                                                           \
    F(DEVICE_DESCRIPTION, MaximumLength)                                                           \
    F(DEVICE_DESCRIPTION, DmaPort)                                                                 \
    F(DEVICE_OBJECT, Reserved)                                                                     \
    F(IO_STACK_LOCATION, Parameters.QueryInterface.InterfaceSpecificData)                          \
    F(IO_STACK_LOCATION, Parameters.DeviceCapabilities.Capabilities)                               \
    F(IO_STATUS_BLOCK, Status)                                                                     \
    F(POWER_STATE, SystemState)                                                                    \
    F(POWER_STATE, DeviceState)                                                                    \
    F(DEVICE_CAPABILITIES, Size)                                                                   \
    F(DEVICE_CAPABILITIES, Version)                                                                \
    F(DEVICE_CAPABILITIES, DeviceState)                                                            \
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
    F(SCATTER_GATHER_LIST, NumberOfElements)                                                       \
    F(SCATTER_GATHER_LIST, Elements)                                                               \
    F(SCATTER_GATHER_ELEMENT, Address)                                                             \
    F(SCATTER_GATHER_ELEMENT, Length)                                                              \
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
    S(IO_DISCONNECT_INTERRUPT_PARAMETERS)                                                          \
    F(IO_DISCONNECT_INTERRUPT_PARAMETERS, Version)                                                 \
    F(IO_DISCONNECT_INTERRUPT_PARAMETERS, ConnectionContext)                                       \
    F(IO_INTERRUPT_MESSAGE_INFO, UnifiedIrql)                                                      \
    F(IO_INTERRUPT_MESSAGE_INFO, MessageCount)                                                     \
    F(IO_INTERRUPT_MESSAGE_INFO, MessageInfo)                                                      \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, InterruptObject)                                            \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, MessageData)                                                \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, Vector)                                                     \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, Irql)                                                       \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Level)                                           \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Vector)                                          \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.Vector)                               \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Level)                         \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Vector)                        \
    F(CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Affinity)                      \
    F(IO_INTERRUPT_MESSAGE_INFO_ENTRY, TargetProcessorSet)                                         \
    F(KEY_VALUE_PARTIAL_INFORMATION, Type)                                                         \
    F(KEY_VALUE_PARTIAL_INFORMATION, DataLength)                                                   \
    F(KEY_VALUE_PARTIAL_INFORMATION, Data)                                                         \
    F(KUSER_SHARED_DATA, SystemTime)                                                               \
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
