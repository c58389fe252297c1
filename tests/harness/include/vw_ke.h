/*
 * Kernel dispatcher and exception constants (wdm.h, excpt.h; values from
 * Microsoft's documented declarations).  Defined once for the harness.
 */
#pragma once

/* DISPATCHER_HEADER.Type of events and timers (EVENT_TYPE for events). */
#define VW_NOTIFICATION_EVENT    0
#define VW_SYNCHRONIZATION_EVENT 1
#define VW_TIMER_NOTIFICATION    8
#define VW_TIMER_SYNCHRONIZATION 9

/* What an __except filter returns. */
#define VW_EXCEPTION_CONTINUE_SEARCH 0
#define VW_EXCEPTION_EXECUTE_HANDLER 1
