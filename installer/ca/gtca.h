/*
 * gtca: the decision logic of vwgtca.dll, the guest-tools MSI's custom
 * action, written without Windows headers so that it runs in host-side unit
 * tests (tests/gtca_test.c) as well as in the DLL (gtca_win.c).
 *
 * The MSI hands each deferred action one string (CustomActionData), built
 * by the MSI's type-51 actions from the feature states (installer/msi/):
 *
 *   dir=<install folder>|drv=<folder>:<package>:<os>,<os>...|...[|ca=<cer>][|log=<file>]
 *
 * one drv= per driver whose feature is being installed (or removed); its
 * package for ISO OS folder <os> is <dir><folder>\<os>\<package>.inf.  ca=
 * is present only in MSIs built with the test CA and only when the user
 * set INSTALLTESTCA=1.  Everything that touches the system goes through
 * struct gt_ops.  Strings are UTF-16 (WCHAR on Windows).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef uint16_t gt_char;

/* Win32 error codes the logic returns or tells apart (winerror.h values;
 * gtca_win.c checks them against the SDK's). */
#define GT_OK                      0u
#define GT_ERROR_FILE_NOT_FOUND    2u
#define GT_ERROR_INVALID_DATA      13u
#define GT_ERROR_FILE_EXISTS       80u
#define GT_ERROR_OLD_WIN_VERSION   1150u
#define GT_ERROR_INSTALL_FAILURE   1603u
#define GT_ERROR_REBOOT_REQUIRED   3010u /* ERROR_SUCCESS_REBOOT_REQUIRED */
#define GT_ERROR_NO_SUCH_DEVINST   0xE000020Bu
#define GT_ERROR_INSUFFICIENT_BUFF 122u
#define GT_ERROR_NO_MORE_ITEMS     259u /* the devices' current driver is better */

/* Lengths in characters, terminator included. */
#define GT_PATH_MAX    520
#define GT_DATA_MAX    8192
#define GT_MAX_DRIVERS 64
#define GT_HWIDS_MAX   4096 /* the hardware IDs of one INF, as a multi-string */
#define GT_JOURNAL_MAX 4096 /* the journal, as a multi-string */

/* Windows builds that start each OS folder (first release of each). */
#define GT_BUILD_W10  10240u
#define GT_BUILD_W11  22000u
#define GT_BUILD_2K16 14393u
#define GT_BUILD_2K19 17763u
#define GT_BUILD_2K22 20348u
#define GT_BUILD_2K25 26100u

/* The journal (<dir>driver-journal.txt) lists what an install added to the
 * system, so that the rollback action can take exactly that away: one entry
 * per package added to the driver store (its OEM INF name) and "ca" when
 * the test CA was trusted. */
#define GT_JOURNAL_NAME u"driver-journal.txt"
#define GT_JOURNAL_CA   u"ca"

struct gt_driver {
    const gt_char *folder;  /* install subfolder, e.g. "Balloon" */
    const gt_char *package; /* INF base name, e.g. "balloon" */
    const gt_char *oses;    /* comma-separated ISO OS folders */
};

struct gt_data {
    gt_char buf[GT_DATA_MAX]; /* the parsed copy the pointers refer to */
    const gt_char *dir;       /* ends with a backslash */
    const gt_char *ca;        /* test CA certificate file, or NULL */
    const gt_char *log;       /* log file, or NULL */
    struct gt_driver drivers[GT_MAX_DRIVERS];
    int ndrivers;
};

/* The system, as the logic sees it.  Calls return a Win32 error code. */
struct gt_ops {
    void *ctx;
    /* The running Windows: build number, and whether it is a server. */
    uint32_t (*os_version)(void *ctx, uint32_t *build, int *server);
    int (*file_exists)(void *ctx, const gt_char *path);
    /* SetupCopyOEMInf with SP_COPY_NOOVERWRITE: adds the package to the
     * driver store (GT_OK) or finds it there already (GT_ERROR_FILE_EXISTS);
     * either way *oem receives its OEM INF name. */
    uint32_t (*store_add)(void *ctx, const gt_char *inf, gt_char *oem, size_t cap);
    /* SetupUninstallOEMInf: removes a package from the driver store. */
    uint32_t (*store_remove)(void *ctx, const gt_char *oem);
    /* The hardware IDs the INF's models sections list, as a multi-string. */
    uint32_t (*hardware_ids)(void *ctx, const gt_char *inf, gt_char *ids, size_t cap);
    /* UpdateDriverForPlugAndPlayDevices: GT_ERROR_NO_SUCH_DEVINST when no
     * such device is present, GT_ERROR_NO_MORE_ITEMS when their driver is
     * better; *reboot set when Windows asks for one. */
    uint32_t (*update_devices)(void *ctx, const gt_char *hwid, const gt_char *inf, int *reboot);
    /* The test CA into (out of) the machine's Root and TrustedPublisher. */
    uint32_t (*trust_ca)(void *ctx, const gt_char *cer);
    uint32_t (*untrust_ca)(void *ctx, const gt_char *cer);
    /* The journal: a multi-string; a missing file reads as empty. */
    uint32_t (*journal_read)(void *ctx, const gt_char *path, gt_char *buf, size_t cap);
    uint32_t (*journal_write)(void *ctx, const gt_char *path, const gt_char *buf, size_t len);
    uint32_t (*journal_delete)(void *ctx, const gt_char *path);
    /* One line of the action's log. */
    void (*log)(void *ctx, const gt_char *line);
};

/* Parses CustomActionData; GT_ERROR_INVALID_DATA on anything malformed. */
uint32_t gt_parse(struct gt_data *d, const gt_char *data);

/* The ISO OS folder for a Windows build, or NULL when it is not supported. */
const gt_char *gt_os_folder(uint32_t build, int server);

/* Deferred install: every applicable package into the store and onto the
 * present devices.  GT_OK, GT_ERROR_REBOOT_REQUIRED, or an error after
 * undoing everything this call added. */
uint32_t gt_install(const struct gt_ops *ops, const struct gt_data *d);
/* Rollback of the install: takes away what the journal lists. */
uint32_t gt_rollback(const struct gt_ops *ops, const struct gt_data *d);
/* Commit of the install: the journal is no longer needed. */
uint32_t gt_commit(const struct gt_ops *ops, const struct gt_data *d);
/* Deferred uninstall: every applicable package out of the store. */
uint32_t gt_remove(const struct gt_ops *ops, const struct gt_data *d);
