/* inflint: service-install sections and interrupt registry values (see
 * inflint_service.h).
 *
 * Facts, from Microsoft's pages:
 *   - "INF AddService Directive": a service-install section needs
 *     ServiceType, StartType, ErrorControl and ServiceBinary.  ServiceType
 *     0x1 kernel driver, 0x2 file-system driver, 0x10/0x20 Win32 services;
 *     StartType 0 boot (for devices needed to load the system), 1 system,
 *     2 auto ("should never be used in the INF files for WDM or PnP device
 *     drivers"), 3 demand, 4 disabled ("a device/driver cannot be installed
 *     if this value is specified"); boot and system start only for kernel
 *     and file-system drivers (SERVICE_BOOT_START, CreateService);
 *     ErrorControl 0 ignore .. 3 critical.
 *   - "Registry Entries for Plug and Play SCSI Miniport Drivers": the
 *     service key's Parameters\PnpInterface holds a value per INTERFACE_TYPE
 *     the miniport serves; without it the miniport is not initialized as a
 *     PnP driver.  StorPort's Parameters\BusType is a STORAGE_BUS_TYPE
 *     (ntddstor.h: BusTypeScsi 1 .. BusTypeNvmeof 0x14; BusTypeMax 0x15 and
 *     up are no bus).
 *   - "Enabling Message-Signaled Interrupts in the Registry": MSISupported
 *     and MessageNumberLimit (REG_DWORD, at most 2048, MSI-X) live under
 *     Interrupt Management\MessageSignaledInterruptProperties of the
 *     device's hardware key (DDInstall.HW).  "Interrupt Affinity and
 *     Priority": Interrupt Management\Affinity Policy DevicePolicy is an
 *     IRQ_DEVICE_POLICY (0..5; 6 is "reserved for system use"), GroupPolicy
 *     0 (group zero) or 1 (any group), same key. */
#include "inflint_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SERVICE_KERNEL_DRIVER      0x1
#define SERVICE_FILE_SYSTEM_DRIVER 0x2
#define SERVICE_WIN32_OWN_PROCESS  0x10
#define SERVICE_WIN32_SHARE        0x20
#define SERVICE_SYSTEM_START       1
#define SERVICE_AUTO_START         2
#define SERVICE_DISABLED           4
#define SERVICE_ERROR_CRITICAL     3
#define SPSVCINST_ASSOCSERVICE     0x2
#define BUS_TYPE_MAX               0x15 /* STORAGE_BUS_TYPE BusTypeMax */
#define MSIX_MESSAGES_MAX          2048
#define IRQ_POLICY_SPREAD          5 /* IrqPolicySpreadMessagesAcrossAllProcessors */
#define REG_DWORD_FLAGS            0x00010001
#define MAXF                       32
#define NONE                       (-1L)

/* text as a whole non-negative number (decimal or 0x hex), or NONE. */
static long number(const char *text)
{
    char *end;
    if (!text || !text[0])
        return NONE;
    long v = strtol(text, &end, 0);
    return *end || v < 0 ? NONE : v;
}

/* The value of directive key in s, or NULL (its line in *lineno). */
static const char *entry(const struct inf_section *s, const char *key, int *lineno)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->lines[i].key && !strcasecmp(s->lines[i].key, key)) {
            *lineno = s->lines[i].lineno;
            return s->lines[i].value;
        }
    *lineno = s->lineno;
    return NULL;
}

/* [Version] Class is name. */
static int class_is(const struct inf *inf, const char *name)
{
    const struct inf_section *v = inf_find(inf, "Version");
    int lineno;
    const char *c = v ? entry(v, "Class", &lineno) : NULL;
    return c && !strcasecmp(c, name);
}

/* A SCSIAdapter miniport's service key: PnpInterface present, BusType a bus. */
static void storport_values(const struct inf *inf, const struct inf_section *svc,
                            policy_report_fn *report)
{
    int lineno, pnp = 0;
    const char *addreg = entry(svc, "AddReg", &lineno);
    char lbuf[512], *secs[MAXF];
    size_t ns = addreg ? inf_fields(addreg, secs, MAXF, lbuf, sizeof(lbuf)) : 0;
    for (size_t s = 0; s < ns; s++) {
        const struct inf_section *r = inf_find(inf, secs[s]);
        for (size_t i = 0; r && i < r->n; i++) {
            char buf[1024], *f[5] = {0};
            if (r->lines[i].key || inf_fields(r->lines[i].value, f, 5, buf, sizeof(buf)) < 3 ||
                strcasecmp(f[0], "HKR"))
                continue;
            pnp |= !strcasecmp(f[1], "Parameters\\PnpInterface") && f[2][0];
            if (strcasecmp(f[1], "Parameters") || strcasecmp(f[2], "BusType"))
                continue;
            long flags = f[3] ? number(f[3]) : NONE, v = f[4] ? number(f[4]) : NONE;
            if (flags != REG_DWORD_FLAGS || v < 1 || v >= BUS_TYPE_MAX)
                report(r->lines[i].lineno,
                       "Parameters\\BusType %s: a REG_DWORD STORAGE_BUS_TYPE, 1..0x%x",
                       f[4] ? f[4] : "", BUS_TYPE_MAX - 1);
        }
    }
    if (!pnp)
        report(svc->lineno,
               "SCSI miniport service [%s] sets no HKR,Parameters\\PnpInterface value: the port "
               "driver does not start it as a Plug and Play miniport",
               svc->name);
}

/* Check a service-install section against the AddService directive's rules. */
void service_check(const struct inf *inf, const struct inf_section *svc, unsigned long flags,
                   policy_report_fn *report)
{
    static const char *const need[] = {"ServiceType", "StartType", "ErrorControl", "ServiceBinary"};
    long v[3];
    int at[4];
    for (size_t i = 0; i < 4; i++) {
        const char *text = entry(svc, need[i], &at[i]);
        if (!text)
            report(svc->lineno, "service-install section [%s] has no %s (AddService: required)",
                   svc->name, need[i]);
        if (i < 3)
            v[i] = text ? number(text) : NONE;
        if (text && i < 3 && v[i] == NONE)
            report(at[i], "%s \"%s\" is not a number", need[i], text);
    }
    long type = v[0], start = v[1], err = v[2];
    int driver = type == SERVICE_KERNEL_DRIVER || type == SERVICE_FILE_SYSTEM_DRIVER;
    if (type != NONE && !driver && type != SERVICE_WIN32_OWN_PROCESS && type != SERVICE_WIN32_SHARE)
        report(at[0], "ServiceType 0x%lx: 0x1, 0x2, 0x10 or 0x20", type);
    if (start != NONE && start > SERVICE_DISABLED)
        report(at[1], "StartType %ld: 0 (boot) .. 4 (disabled)", start);
    else if (start != NONE && start <= SERVICE_SYSTEM_START && type != NONE && !driver)
        report(at[1], "StartType %ld (boot/system) is for kernel and file-system drivers only",
               start);
    else if (start == SERVICE_AUTO_START && (flags & SPSVCINST_ASSOCSERVICE))
        report(at[1],
               "StartType 2 (auto) for a device's function driver: PnP drivers start on demand "
               "(3), or at boot/system start when the system needs them");
    else if (start == SERVICE_DISABLED && (flags & SPSVCINST_ASSOCSERVICE))
        report(at[1], "StartType 4 (disabled) for a device's function driver: the device cannot "
                      "be installed");
    if (err != NONE && err > SERVICE_ERROR_CRITICAL)
        report(at[2], "ErrorControl %ld: 0 (ignore) .. 3 (critical)", err);
    if ((flags & SPSVCINST_ASSOCSERVICE) && driver && class_is(inf, "SCSIAdapter"))
        storport_values(inf, svc, report);
}

/* Check one HKR value under Interrupt Management: where and what Windows reads. */
void irq_value_check(const char *subkey, const char *name, const char *flags, const char *value,
                     int hw, int lineno, policy_report_fn *report)
{
    static const struct {
        const char *subkey, *name;
        long lo, hi;
    } known[] = {
        {"Interrupt Management\\MessageSignaledInterruptProperties", "MSISupported", 0, 1},
        {"Interrupt Management\\MessageSignaledInterruptProperties", "MessageNumberLimit", 1,
         MSIX_MESSAGES_MAX},
        {"Interrupt Management\\Affinity Policy", "DevicePolicy", 0, IRQ_POLICY_SPREAD},
        {"Interrupt Management\\Affinity Policy", "GroupPolicy", 0, 1},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcasecmp(subkey, known[i].subkey) || strcasecmp(name, known[i].name))
            continue;
        long fl = number(flags), v = number(value);
        if (!hw)
            report(lineno,
                   "%s outside DDInstall.HW: Windows reads it only from the device's "
                   "hardware key",
                   name);
        else if (fl != REG_DWORD_FLAGS || v < known[i].lo || v > known[i].hi)
            report(lineno, "%s %s: a REG_DWORD (0x00010001) %ld..%ld", name, value, known[i].lo,
                   known[i].hi);
    }
}
