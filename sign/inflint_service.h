/* inflint: what Windows reads from a service-install section and from the
 * registry values of a device's interrupts (inflint_service.c). */
#ifndef SIGN_INFLINT_SERVICE_H
#define SIGN_INFLINT_SERVICE_H

#include "inf.h"
#include "inflint_policy.h"

/* Checks the service-install section svc that an AddService with flags
 * names: the required entries and their documented values, the start types
 * a device's function driver may have, and for a SCSIAdapter-class miniport
 * the service key's PnpInterface and BusType values. */
void service_check(const struct inf *inf, const struct inf_section *svc, unsigned long flags,
                   policy_report_fn *report);

/* Checks one HKR line under "Interrupt Management" (subkey expanded):
 * Windows reads it from the hardware key only (hw: the line came from
 * DDInstall.HW), with the documented values. */
void irq_value_check(const char *subkey, const char *name, const char *flags, const char *value,
                     int hw, int lineno, policy_report_fn *report);

#endif
