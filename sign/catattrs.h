/* The catalog attributes Inf2Cat derives from a driver package's INF:
 * "OS" (the Windows versions the catalog is for, from the INF's
 * [Manufacturer] decoration and the build set) and "HWID1".."HWIDn" (every
 * hardware ID of the models sections, lower case, first occurrence order). */
#ifndef SIGN_CATATTRS_H
#define SIGN_CATATTRS_H

#include <stddef.h>

struct cat_attrs {
    char *os;    /* e.g. "_v100_X64,Server_v100_X64" */
    char **hwid; /* lower-cased, without repeats */
    size_t nhwid;
};

/* Reads the INF at path.  os is the build set's list of Inf2Cat OS names
 * for this architecture (e.g. "_v100_X64,Server_v100_X64"); every name must
 * be for the architecture of the INF's [Manufacturer] decorations (NTx86: no
 * arch token, NTamd64: _X64, NTarm64: _ARM64), which must all name one.
 * Returns 0, or -1 with "path: message" in err. */
int cat_attrs_from_inf(const char *path, const char *os, struct cat_attrs *out, char *err,
                       size_t errlen);
void cat_attrs_free(struct cat_attrs *a);

#endif
