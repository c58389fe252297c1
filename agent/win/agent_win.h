/* The Win32 agent's parts: the channel loop (channel.c), the service
 * (service.c), the program (main.c). */
#ifndef GA_AGENT_WIN_H
#define GA_AGENT_WIN_H

#include <windows.h>

#include "../core/agent.h"
#include "../core/config.h"

#define GA_SERVICE_NAME         L"qemu-ga"
#define GA_SERVICE_DISPLAY_NAME L"QEMU Guest Agent"
#define GA_SERVICE_DESCRIPTION  L"Enables integration with QEMU machine emulator and virtualizer."

/* Serves the host until stop is signalled (or, for stdio, input ends);
 * returns the exit status. */
int ga_run_agent(struct ga *ga, const struct ga_config *cfg, HANDLE stop);
/* Runs the agent on a fresh ga with cfg's filters (main.c). */
int ga_serve(const struct ga_config *cfg, HANDLE stop);
/* -s install / uninstall; returns the exit status. */
int ga_service_command(const struct ga_config *cfg);
/* -d: hands the process to the service control manager. */
int ga_service_dispatch(const struct ga_config *cfg);

#endif
