/*
 * The user-mode interface of vioser (virtio-console ports).
 *
 * A port named N by the host (PORT_NAME, e.g. org.qemu.guest_agent.0) is
 * opened as \\.\Global\N; every port is also \Device\vport<d>p<n>.
 * ReadFile returns what the host sent (at least one byte; it waits until
 * there is some), WriteFile sends up to VIOSER_MAX_WRITE bytes per call
 * (fewer are reported written for a longer buffer: callers loop).
 * IOCTL_VIOSER_PORT_INFO returns VIOSER_PORT_INFO.
 *
 * Access: ports open for SYSTEM and Administrators only, unless the
 * AllowUserAccess device parameter admits BUILTIN\Users (vioser.inx).
 * ReadFile and WriteFile need a handle opened for reading and writing
 * (Windows checks the handle's access); PORT_INFO only describes the port
 * and stays FILE_ANY_ACCESS.
 */
#pragma once

#define VIOSER_MAX_WRITE 4096
#define VIOSER_NAME_MAX  64 /* bytes of a port name, without the terminator */

#define IOCTL_VIOSER_PORT_INFO                                                                     \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _VIOSER_PORT_INFO {
    ULONG Id;
    BOOLEAN HostConnected; /* the host has the port open (PORT_OPEN 1) */
    BOOLEAN IsConsole;     /* CONSOLE_PORT */
    BOOLEAN Named;
    BOOLEAN Reserved;
    CHAR Name[VIOSER_NAME_MAX + 1]; /* NUL-terminated, ASCII */
} VIOSER_PORT_INFO, *PVIOSER_PORT_INFO;
