/* inflint: rules about how Windows installs a package, beyond syntax:
 * services, registry roots, DMA remapping keys, CNG provider registration,
 * fallback hardware IDs (inflint_policy.c), and ties between packages that
 * match one device (inflint_rank.c). */
#ifndef SIGN_INFLINT_POLICY_H
#define SIGN_INFLINT_POLICY_H

#include "inf.h"

typedef void policy_report_fn(int lineno, const char *fmt, ...);

/* Checks every install section the models for arch name; one report per
 * problem. */
void policy_check(const struct inf *inf, const char *arch, policy_report_fn *report);

/* Expands %strkey% tokens from [Strings] into out (unknown ones stay). */
void policy_expand(const struct inf *inf, const char *in, char *out, size_t outlen);

/* inflint --ranks: the INFs given are the packages one ISO folder offers
 * for one arch; reports each hardware ID that two of them match with equal
 * rank.  Returns the number of findings, or -1 when a file cannot be read
 * or parsed (message printed). */
int rank_check(int n, char **paths, const char *arch);

#endif
