/* NDIS rules of a Net-class INF: the standardized advanced-property
 * keywords (documented Type and values) and what every network adapter's
 * install section must set (Characteristics, BusType, the keywords NDIS
 * needs before it initializes the miniport, the Ndi service and
 * interfaces).  Facts: Microsoft, "Standardized INF Keywords for Network
 * Devices" (and its pages for TCP/IP offload, RSS, RSC, USO, priority and
 * VLAN, keywords that can be edited) and "INF File Sections and Directives
 * for network components" (Characteristics, BusType, Ndi). */
#ifndef SIGN_INFLINT_NDIS_H
#define SIGN_INFLINT_NDIS_H

#include <stddef.h>

#include "inf.h"
#include "inflint_ndi.h"

/* One advanced property as the INF states it (texts "" when absent). */
struct ndis_prop_view {
    const char *name;
    int lineno;
    const char *type;
    int type_lineno;
    const char *def, *min, *max, *optional, *limit;
    int def_lineno, min_lineno, max_lineno;
    const char (*enums)[32];
    size_t nenum;
    int enum_lineno;
};

/* Checks a property against the standardized keyword of the same name
 * (nothing to do for other names). */
void ndis_keyword_check(const struct ndis_prop_view *p, ndi_report_fn *report);

/* True when [Version] says Class = Net. */
int ndis_is_net(const struct inf *inf);

/* Checks a Net-class install section: Characteristics (NCF_VIRTUAL,
 * NCF_SOFTWARE_ENUMERATED and NCF_PHYSICAL exclude one another and
 * NCF_NO_SERVICE; advanced properties need NCF_HAS_UI), BusType for a
 * physical adapter (a defined INTERFACE_TYPE), the three medium keywords
 * (*IfType, *MediaType, *PhysicalMediaType), Ndi Service (installed by the
 * section's .Services) and Ndi\Interfaces. */
void ndis_install_check(const struct inf *inf, const struct inf_section *install,
                        ndi_report_fn *report);

#endif
