/*
 * The PCI bus driver's interface (bus_pci.c), hooked to a PDO's record by
 * vw_pdo_set_pci.
 */
#pragma once
#include "vm.h"

/* IRP_MN_QUERY_INTERFACE at the bus driver for PDO: BUS_INTERFACE_STANDARD
 * filled in, or STATUS (what the sender set) for another interface. */
uint32_t vw_bus_query_interface(struct vm *vm, gva_t pdo, gva_t stack, uint32_t status);
