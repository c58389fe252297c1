/*
 * Shared steps of the StorPort scenarios (selftest/storport*.c): an
 * adapter started on the RAM-disk miniport (testdrv/vwstor.c) or on the
 * stordisk PCI function (testdrv/vwpcidisk.c), removed and unloaded at the
 * end, and a SCSI command whose SRB status is checked.
 */
#pragma once
#include <string.h>
#include "port/storport/stor.h"
#include "port/storport/stordisk.h"
#include "scenario.h"

/* Loads driver and starts its RAM-disk adapter (10 s time-out, 3 MSI messages). */
static inline bool stor_start_ram(struct vm *vm, const char *driver, const char *args)
{
    struct vw_stor_config cfg = {.args = args, .timeout_s = 10, .msi_messages = 3};
    return vw_driver_load(vm, driver) && vw_stor_start(vm, &cfg);
}

/* A 256-sector stordisk function with `messages` MSI-X messages on PCI,
 * driver loaded and started on it (10 s time-out); NULL on failure. */
static inline struct vw_stordisk *stor_start_pci(struct vm *vm, const char *driver,
                                                 unsigned messages, const char *args)
{
    struct vw_stordisk_config dc = {.sectors = 256, .messages = messages, .delay = 300};
    struct vw_stordisk *d = vw_stordisk_create(vm, &dc);
    if (d == NULL)
        return NULL;
    vw_stor_attach_pci(vm, vw_stordisk_pdo(d));
    struct vw_stor_config cfg = {.args = args, .timeout_s = 10};
    if (!vw_driver_load(vm, driver) || !vw_stor_start(vm, &cfg))
        return NULL;
    return d;
}

/* vw_stor_stats with `completed` counting only the requests after the
 * start's bus scan (its REPORT LUNS and INQUIRY complete too: scan.c). */
static inline void stor_stats_after_scan(struct vm *vm, struct vw_stor_stats *st)
{
    struct vw_stor_scan sc;
    vw_stor_stats(vm, st);
    vw_stor_scan(vm, &sc);
    st->completed -= sc.commands;
}

/* Removes the adapter and unloads its driver, unless the scenario already failed. */
static inline void stor_finish(struct vm *vm)
{
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
}

/* READ(10)/WRITE(10) of blocks at lba into a 16-byte CDB buffer (the rest zero). */
static inline void stor_rw10(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t blocks)
{
    memset(cdb, 0, 16);
    cdb[0] = op, cdb[2] = (uint8_t)(lba >> 24), cdb[3] = (uint8_t)(lba >> 16);
    cdb[4] = (uint8_t)(lba >> 8), cdb[5] = (uint8_t)lba, cdb[7] = (uint8_t)(blocks >> 8);
    cdb[8] = (uint8_t)blocks;
}

/* One command whose SRB status must be want; false when it failed or differed. */
static inline bool stor_scsi(struct vm *vm, const uint8_t *cdb, unsigned n, void *buf, uint32_t len,
                             bool in, uint8_t want, const char *what)
{
    struct vw_stor_result r;
    if (!vw_stor_scsi(vm, cdb, n, buf, len, in, &r))
        return false;
    VW_EXPECT(vm, r.srb_status == want, "%s: SRB status 0x%02x, expected 0x%02x", what,
              r.srb_status, want);
    return !vm->failed;
}
