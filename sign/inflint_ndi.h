/* Advanced properties (HKR, Ndi\Params\<name>, ...) of a network INF:
 * collected from every AddReg section an install section names, then
 * checked together, because one property's values may be spread over
 * several sections. */
#ifndef SIGN_INFLINT_NDI_H
#define SIGN_INFLINT_NDI_H

#include "inf.h"

typedef void ndi_report_fn(int lineno, const char *fmt, ...);

/* Records the Ndi\Params lines of an AddReg section (each section once). */
void ndi_collect(const struct inf_section *addreg);

/* Checks every collected property; one report per problem found. */
void ndi_check(ndi_report_fn *report);

#endif
