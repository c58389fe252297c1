/*
 * stor_bad_value.h - one device configuration value a miniport of ours
 * (viostor, vioscsi) does not use as the device gave it, as its log line
 * states it.  OS-neutral (no Windows header): the drivers' host-tested
 * configuration checks fill it, HwFindAdapter prints it with
 * VwStorLogBadValue (stor_control.h):
 *
 *   struct vw_bad_value bad;
 *   if (vblk_finding_value(finding, cfg, &disk, &bad))
 *       VwStorLogBadValue("viostor", &bad);
 *   -> "viostor: bad device value: size_max 0: no segment size limit"
 */
#pragma once
#include <stdint.h>

struct vw_bad_value {
    const char *field;   /* the field's name in the device's configuration structure */
    uint64_t value;      /* what the device gave */
    uint64_t used;       /* what the driver uses instead; meaningful when instead is NULL */
    const char *instead; /* NULL: "<used> used"; else what happens, as a phrase */
};
