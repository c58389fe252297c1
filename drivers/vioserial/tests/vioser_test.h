/*
 * What the vioser scenarios share: the console PCI function
 * (tests/harness/devices/dev_console) with the driver loaded and started,
 * its port objects, a synchronous write and the removal with the leak
 * checks.
 */
#pragma once
#include <stdint.h>
#include "dev_console.h"
#include "kernel.h"
#include "scenario.h"
#include "vw_irp.h"
#include "vw_ntstatus.h"

#define IOCTL_VIOSER_PORT_INFO 0x222004u

/* Load, add, start vioser and let the control exchange settle. */
bool vioser_start(struct vm *vm, struct vw_console *c);
/* The device object of \\.\Global\NAME, or of \Device\vport0p<ID>. */
gva_t vioser_open_name(struct vm *vm, const char *name);
gva_t vioser_port_object(struct vm *vm, unsigned id);
/* Remove the device and unload the driver (with the leak checks). */
void vioser_finish(struct vm *vm, struct vw_console *c);
/* Synchronous write/read through the request path; the status. */
uint32_t vioser_write(struct vm *vm, gva_t port, const void *data, uint32_t len, uint64_t *written);
