/*
 * Hardware resource constants (wdm.h; values from Microsoft's documented
 * declarations): CM_PARTIAL_RESOURCE_DESCRIPTOR types and interrupt flags,
 * the IoConnectInterruptEx versions.  Defined once for the harness.
 */
#pragma once

/* CM_PARTIAL_RESOURCE_DESCRIPTOR.Type */
#define VW_CM_RESOURCE_TYPE_PORT      1
#define VW_CM_RESOURCE_TYPE_INTERRUPT 2
#define VW_CM_RESOURCE_TYPE_MEMORY    3

/* CM_PARTIAL_RESOURCE_DESCRIPTOR.Flags of an interrupt */
#define VW_CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0
#define VW_CM_RESOURCE_INTERRUPT_LATCHED         0x1
#define VW_CM_RESOURCE_INTERRUPT_MESSAGE         0x2
#define VW_CM_RESOURCE_INTERRUPT_POLICY_INCLUDED 0x4

/* IO_CONNECT_INTERRUPT_PARAMETERS.Version */
#define VW_CONNECT_LINE_BASED    2
#define VW_CONNECT_MESSAGE_BASED 3

/* PCI configuration header (PCI Local Bus 3.0, 6.2.3): the Status register,
 * whose bit 3 shows the function's INTx asserted */
#define VW_PCI_STATUS           0x06
#define VW_PCI_STATUS_INTERRUPT 0x08
