/*
 * Host-side unit tests of the guest-tools custom action's logic (gtca.c)
 * against a fake SetupAPI/newdev/crypt32 layer: a fake driver store, fake
 * present devices, a fake file system and journal.  Prints one PASS/FAIL
 * line per check and ends with "N passed, N failed" (exit 1 on failures).
 */
#include "../gtca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hostcheck.h>

/* ---- UTF-16 helpers ---- */

static void to8(char *out, size_t cap, const gt_char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (char)s[i];
    out[i] = 0;
}

static void to16(gt_char *out, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        out[i] = (gt_char)(unsigned char)s[i];
    out[i] = 0;
}

/* ---- the fake system ---- */

#define MAXN 32

struct fake {
    uint32_t build;
    int server;
    int version_fails;
    /* files that exist (UTF-8 paths) */
    char files[MAXN][256];
    int nfiles;
    /* the driver store: OEM name -> source INF */
    char store_oem[MAXN][32], store_inf[MAXN][256];
    int nstore, next_oem;
    int adds;        /* store_add calls */
    int fail_add_at; /* the Nth store_add (1-based) fails; 0: never */
    int fail_dev_at; /* the Nth update_devices call fails; 0: never */
    int dev_calls;
    /* present devices: hardware ID -> reboot needed after an update */
    char present[MAXN][64];
    int present_reboot[MAXN];
    int npresent;
    /* every update_devices call: "hwid|inf" */
    char updates[MAXN][400];
    int nupdates;
    int ca_trusted, trust_calls, untrust_calls, trust_fails;
    int trust_before_first_add; /* trust_ca came before any store_add */
    /* the journal */
    int journal_exists;
    gt_char journal[GT_JOURNAL_MAX];
    size_t journal_len;
    char log[8192];
};

static struct fake F;

static int fake_has_file(const char *p)
{
    for (int i = 0; i < F.nfiles; i++)
        if (strcmp(F.files[i], p) == 0)
            return 1;
    return 0;
}

static uint32_t f_os(void *ctx, uint32_t *build, int *server)
{
    (void)ctx;
    if (F.version_fails)
        return 2;
    *build = F.build;
    *server = F.server;
    return GT_OK;
}

static int f_exists(void *ctx, const gt_char *path)
{
    char p[256];
    (void)ctx;
    to8(p, sizeof p, path);
    return fake_has_file(p);
}

static uint32_t f_add(void *ctx, const gt_char *inf, gt_char *oem, size_t cap)
{
    char p[256];
    (void)ctx;
    to8(p, sizeof p, inf);
    F.adds++;
    if (F.fail_add_at && F.adds == F.fail_add_at)
        return 5; /* ERROR_ACCESS_DENIED */
    for (int i = 0; i < F.nstore; i++)
        if (strcmp(F.store_inf[i], p) == 0) {
            to16(oem, cap, F.store_oem[i]);
            return GT_ERROR_FILE_EXISTS;
        }
    if (F.nstore == MAXN)
        return 8;
    snprintf(F.store_oem[F.nstore], 32, "oem%d.inf", F.next_oem++);
    snprintf(F.store_inf[F.nstore], 256, "%s", p);
    to16(oem, cap, F.store_oem[F.nstore]);
    F.nstore++;
    return GT_OK;
}

static uint32_t f_remove(void *ctx, const gt_char *oem)
{
    char o[32];
    (void)ctx;
    to8(o, sizeof o, oem);
    for (int i = 0; i < F.nstore; i++)
        if (strcmp(F.store_oem[i], o) == 0) {
            F.nstore--;
            memmove(F.store_oem[i], F.store_oem[i + 1], sizeof F.store_oem[0] * (F.nstore - i));
            memmove(F.store_inf[i], F.store_inf[i + 1], sizeof F.store_inf[0] * (F.nstore - i));
            return GT_OK;
        }
    return GT_ERROR_FILE_NOT_FOUND;
}

/* Every INF lists two IDs: PCI\VEN_1AF4&DEV_<package> and a second one. */
static uint32_t f_ids(void *ctx, const gt_char *inf, gt_char *ids, size_t cap)
{
    char p[256], a[96], b[96];
    (void)ctx;
    to8(p, sizeof p, inf);
    const char *base = strrchr(p, '\\') ? strrchr(p, '\\') + 1 : p;
    snprintf(a, sizeof a, "PCI\\VEN_1AF4&DEV_%.*s", (int)(strlen(base) - 4), base);
    snprintf(b, sizeof b, "ACPI\\%.*s", (int)(strlen(base) - 4), base);
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 3 > cap)
        return GT_ERROR_INSUFFICIENT_BUFF;
    to16(ids, cap, a);
    to16(ids + la + 1, cap - la - 1, b);
    ids[la + lb + 2] = 0;
    return GT_OK;
}

static uint32_t f_update(void *ctx, const gt_char *hwid, const gt_char *inf, int *reboot)
{
    char h[96], p[256];
    (void)ctx;
    to8(h, sizeof h, hwid);
    to8(p, sizeof p, inf);
    F.dev_calls++;
    if (F.nupdates < MAXN)
        snprintf(F.updates[F.nupdates++], 400, "%s|%s", h, p);
    if (F.fail_dev_at && F.dev_calls == F.fail_dev_at)
        return 0x5B4; /* ERROR_TIMEOUT */
    for (int i = 0; i < F.npresent; i++)
        if (strcmp(F.present[i], h) == 0) {
            *reboot = F.present_reboot[i];
            return GT_OK;
        }
    return GT_ERROR_NO_SUCH_DEVINST;
}

static uint32_t f_trust(void *ctx, const gt_char *cer)
{
    (void)ctx;
    (void)cer;
    F.trust_calls++;
    if (F.trust_fails)
        return 5;
    if (F.adds == 0)
        F.trust_before_first_add = 1;
    F.ca_trusted = 1;
    return GT_OK;
}

static uint32_t f_untrust(void *ctx, const gt_char *cer)
{
    (void)ctx;
    (void)cer;
    F.untrust_calls++;
    F.ca_trusted = 0;
    return GT_OK;
}

static uint32_t f_jread(void *ctx, const gt_char *path, gt_char *buf, size_t cap)
{
    (void)ctx;
    (void)path;
    if (!F.journal_exists)
        return GT_ERROR_FILE_NOT_FOUND;
    size_t n = F.journal_len < cap ? F.journal_len : cap;
    memcpy(buf, F.journal, n * sizeof(gt_char));
    if (n < cap)
        buf[n] = 0;
    return GT_OK;
}

static uint32_t f_jwrite(void *ctx, const gt_char *path, const gt_char *buf, size_t len)
{
    char p[256];
    (void)ctx;
    to8(p, sizeof p, path);
    if (strcmp(p, "C:\\Program Files\\Virtio-Win\\driver-journal.txt") != 0)
        return 3;
    memcpy(F.journal, buf, len * sizeof(gt_char));
    F.journal_len = len;
    F.journal_exists = 1;
    return GT_OK;
}

static uint32_t f_jdelete(void *ctx, const gt_char *path)
{
    (void)ctx;
    (void)path;
    if (!F.journal_exists)
        return GT_ERROR_FILE_NOT_FOUND;
    F.journal_exists = 0;
    return GT_OK;
}

static void f_log(void *ctx, const gt_char *line)
{
    char l[1200];
    (void)ctx;
    to8(l, sizeof l, line);
    size_t n = strlen(F.log);
    snprintf(F.log + n, sizeof F.log - n, "%s\n", l);
}

static const struct gt_ops OPS = {
    .ctx = NULL,
    .os_version = f_os,
    .file_exists = f_exists,
    .store_add = f_add,
    .store_remove = f_remove,
    .hardware_ids = f_ids,
    .update_devices = f_update,
    .trust_ca = f_trust,
    .untrust_ca = f_untrust,
    .journal_read = f_jread,
    .journal_write = f_jwrite,
    .journal_delete = f_jdelete,
    .log = f_log,
};

#define DIR "C:\\Program Files\\Virtio-Win\\"

/* The drivers of an x64 MSI, as the generator writes them. */
static const char *DRIVERS = "|drv=Balloon:balloon:w10,2k16,2k19,2k22,w11,2k25"
                             "|drv=viorng:viorng:w10,2k16,2k19,2k22,w11,2k25"
                             "|drv=smbus:smbus:2k22,w11,2k25";

/* A fresh fake machine with every package of every OS folder on disk. */
static void reset(uint32_t build, int server)
{
    static const char *pk[][2] = {{"Balloon", "balloon"}, {"viorng", "viorng"}, {"smbus", "smbus"}};
    static const char *oses[] = {"w10", "2k16", "2k19", "2k22", "w11", "2k25"};
    memset(&F, 0, sizeof F);
    F.build = build;
    F.server = server;
    F.next_oem = 3;
    for (int i = 0; i < 3; i++)
        for (int o = 0; o < 6; o++) {
            if (i == 2 && o < 3)
                continue; /* smbus: 2k22, w11, 2k25 only */
            snprintf(F.files[F.nfiles++], 256, DIR "%s\\%s\\%s.inf", pk[i][0], oses[o], pk[i][1]);
        }
}

static struct gt_data D;

static uint32_t parse(const char *extra)
{
    static gt_char w[GT_DATA_MAX];
    char s[GT_DATA_MAX];
    snprintf(s, sizeof s, "dir=" DIR "%s%s", DRIVERS, extra);
    to16(w, GT_DATA_MAX, s);
    return gt_parse(&D, w);
}

static int store_has(const char *inf_suffix)
{
    for (int i = 0; i < F.nstore; i++) {
        size_t a = strlen(F.store_inf[i]), b = strlen(inf_suffix);
        if (a >= b && strcmp(F.store_inf[i] + a - b, inf_suffix) == 0)
            return 1;
    }
    return 0;
}

static void test_os_folders(void)
{
    static const struct {
        uint32_t build;
        int server;
        const char *want;
    } t[] = {
        {9600, 0, NULL},    {10240, 0, "w10"},  {19045, 0, "w10"},  {21999, 0, "w10"},
        {22000, 0, "w11"},  {26100, 0, "w11"},  {10240, 1, NULL},   {14393, 1, "2k16"},
        {17762, 1, "2k16"}, {17763, 1, "2k19"}, {20347, 1, "2k19"}, {20348, 1, "2k22"},
        {26099, 1, "2k22"}, {26100, 1, "2k25"}, {30000, 1, "2k25"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const gt_char *got = gt_os_folder(t[i].build, t[i].server);
        char g[8] = "(none)";
        if (got)
            to8(g, sizeof g, got);
        int ok = t[i].want ? got && strcmp(g, t[i].want) == 0 : got == NULL;
        expect(ok, "os folder: build %u %s -> %s (want %s)", t[i].build,
               t[i].server ? "server" : "workstation", g, t[i].want ? t[i].want : "(none)");
    }
}

static void test_parse(void)
{
    static const char *bad[] = {
        "",
        "drv=a:b:w10",                /* no dir */
        "dir=C:\\x",                  /* no trailing backslash */
        "dir=C:\\x\\|dir=C:\\y\\",    /* twice */
        "dir=C:\\x\\|drv=a:b",        /* two parts */
        "dir=C:\\x\\|drv=a::w10",     /* empty part */
        "dir=C:\\x\\|drv=..:b:w10",   /* a way out of dir */
        "dir=C:\\x\\|drv=a\\b:c:w10", /* a separator */
        "dir=C:\\x\\|what=1",         /* unknown field */
        "dir=C:\\x\\|noequals",       /* no '=' */
        "dir=C:\\x\\|ca=",            /* empty ca */
    };
    static gt_char w[GT_DATA_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        to16(w, GT_DATA_MAX, bad[i]);
        expect(gt_parse(&D, w) == GT_ERROR_INVALID_DATA, "parse refuses \"%s\"", bad[i]);
    }
    /* Longer than the buffer. */
    static gt_char big[GT_DATA_MAX + 10];
    for (int i = 0; i < GT_DATA_MAX + 5; i++)
        big[i] = u'a';
    big[GT_DATA_MAX + 5] = 0;
    expect(gt_parse(&D, big) == GT_ERROR_INVALID_DATA, "parse refuses data over %d characters",
           GT_DATA_MAX);
    /* 65 drivers: one too many. */
    char s[GT_DATA_MAX] = "dir=C:\\x\\";
    for (int i = 0; i <= GT_MAX_DRIVERS; i++)
        strcat(s, "|drv=a:b:w10");
    to16(w, GT_DATA_MAX, s);
    expect(gt_parse(&D, w) == GT_ERROR_INVALID_DATA, "parse refuses %d drivers",
           GT_MAX_DRIVERS + 1);
    expect(parse("|ca=" DIR "cert\\test.cer|log=C:\\gt.log") == GT_OK && D.ndrivers == 3 && D.ca &&
               D.log,
           "parse takes dir, three drivers, ca and log");
}

/* Install on one OS: exactly that folder's packages, every ID of each. */
static void test_install_os(uint32_t build, int server, const char *os, int with_smbus)
{
    reset(build, server);
    parse("");
    uint32_t r = gt_install(&OPS, &D);
    char want[256];
    int ok = r == GT_OK;
    snprintf(want, sizeof want, "\\Balloon\\%s\\balloon.inf", os);
    ok = ok && store_has(want);
    snprintf(want, sizeof want, "\\viorng\\%s\\viorng.inf", os);
    ok = ok && store_has(want);
    snprintf(want, sizeof want, "\\smbus\\%s\\smbus.inf", os);
    ok = ok && store_has(want) == with_smbus;
    ok = ok && F.nstore == 2 + with_smbus && F.nupdates == 2 * (2 + with_smbus);
    /* The devices were asked about with the INF of this OS folder. */
    snprintf(want, sizeof want, "PCI\\VEN_1AF4&DEV_viorng|" DIR "viorng\\%s\\viorng.inf", os);
    int seen = 0;
    for (int i = 0; i < F.nupdates; i++)
        seen |= strcmp(F.updates[i], want) == 0;
    expect(ok && seen && F.journal_exists && !F.ca_trusted && F.trust_calls == 0,
           "install on build %u %s: the %s packages (%d) in the store and on devices", build,
           server ? "server" : "workstation", os, F.nstore);
}

static void test_install(void)
{
    test_install_os(19045, 0, "w10", 0);
    test_install_os(22631, 0, "w11", 1);
    test_install_os(14393, 1, "2k16", 0);
    test_install_os(17763, 1, "2k19", 0);
    test_install_os(20348, 1, "2k22", 1);
    test_install_os(26100, 1, "2k25", 1);

    /* Unsupported Windows: nothing touched. */
    reset(9600, 0);
    parse("");
    expect(gt_install(&OPS, &D) == GT_ERROR_OLD_WIN_VERSION && F.adds == 0 && !F.journal_exists,
           "install on build 9600 fails with ERROR_OLD_WIN_VERSION, nothing added");
    reset(19045, 0);
    F.version_fails = 1;
    parse("");
    expect(gt_install(&OPS, &D) != GT_OK && F.adds == 0, "unreadable Windows version: no change");

    /* Reboot only when Windows asks. */
    reset(19045, 0);
    strcpy(F.present[0], "PCI\\VEN_1AF4&DEV_viorng");
    F.npresent = 1;
    parse("");
    expect(gt_install(&OPS, &D) == GT_OK, "a present device updated without a reboot: 0");
    reset(19045, 0);
    strcpy(F.present[0], "PCI\\VEN_1AF4&DEV_balloon");
    F.present_reboot[0] = 1;
    F.npresent = 1;
    parse("");
    expect(gt_install(&OPS, &D) == GT_ERROR_REBOOT_REQUIRED,
           "a present device that needs a reboot: 3010");

    /* Already in the store: not journaled, so never taken away by undo. */
    reset(19045, 0);
    parse("");
    gt_install(&OPS, &D);
    gt_commit(&OPS, &D);
    int before = F.nstore;
    F.fail_dev_at = F.dev_calls + 3; /* second driver's first ID, this time */
    F.nupdates = 0;
    uint32_t r = gt_install(&OPS, &D);
    expect(r != GT_OK && F.nstore == before && !F.journal_exists,
           "a failed reinstall keeps packages that were there before (%d of %d)", F.nstore, before);
}

static void test_failures(void)
{
    /* A package missing for the running OS: an error before any change. */
    reset(17763, 1);
    for (int i = 0; i < F.nfiles; i++)
        if (strstr(F.files[i], "viorng\\2k19"))
            F.files[i][0] = 0;
    parse("|ca=" DIR "cert\\t.cer");
    uint32_t r = gt_install(&OPS, &D);
    expect(r == GT_ERROR_FILE_NOT_FOUND && F.adds == 0 && F.trust_calls == 0 && !F.journal_exists,
           "missing 2k19 viorng package: ERROR_FILE_NOT_FOUND, store, CA and journal untouched");
    expect(strstr(F.log, "package missing for 2k19") != NULL, "the log names the missing package");

    /* A package missing for another OS does not matter. */
    reset(19045, 0);
    for (int i = 0; i < F.nfiles; i++)
        if (strstr(F.files[i], "viorng\\2k19"))
            F.files[i][0] = 0;
    parse("");
    expect(gt_install(&OPS, &D) == GT_OK, "a package missing for another OS is not needed");

    /* The store refuses the second package: the first is taken away. */
    reset(19045, 0);
    F.fail_add_at = 2;
    parse("");
    r = gt_install(&OPS, &D);
    expect(r != GT_OK && F.nstore == 0 && !F.journal_exists,
           "store-add failing mid-way: error %u, store empty again (%d), no journal", r, F.nstore);

    /* A device update fails mid-way: everything added is taken away. */
    reset(19045, 0);
    strcpy(F.present[0], "PCI\\VEN_1AF4&DEV_viorng");
    F.npresent = 1;
    F.fail_dev_at = 3;
    parse("|ca=" DIR "cert\\t.cer");
    r = gt_install(&OPS, &D);
    expect(r != GT_OK && F.nstore == 0 && !F.ca_trusted && !F.journal_exists,
           "device update failing mid-way: store empty (%d), CA untrusted, no journal", F.nstore);
    expect(strstr(F.log, "undo: store-remove oem3.inf") != NULL, "the log shows the undo");

    /* The CA cannot be trusted: nothing else happens. */
    reset(19045, 0);
    F.trust_fails = 1;
    parse("|ca=" DIR "cert\\t.cer");
    expect(gt_install(&OPS, &D) != GT_OK && F.adds == 0, "CA trust failing: no package added");
}

static void test_rollback_commit(void)
{
    /* Install succeeded, a later action failed: the rollback action takes
     * away what the journal lists, and only that. */
    reset(20348, 1);
    parse("");
    /* One package there before the install. */
    gt_char oem[32];
    gt_char inf[256];
    to16(inf, 256, DIR "viorng\\2k22\\viorng.inf");
    f_add(NULL, inf, oem, 32);
    F.adds = 0;
    expect(gt_install(&OPS, &D) == GT_OK && F.nstore == 3, "install on 2k22: three packages");
    gt_rollback(&OPS, &D);
    expect(F.nstore == 1 && store_has("\\viorng\\2k22\\viorng.inf") && !F.journal_exists,
           "rollback: the two added packages gone, the earlier one kept, journal gone");
    expect(gt_rollback(&OPS, &D) == GT_OK, "rollback without a journal: nothing to do");

    reset(19045, 0);
    parse("|ca=" DIR "cert\\t.cer");
    gt_install(&OPS, &D);
    expect(F.ca_trusted && F.trust_before_first_add, "ca=: the CA is trusted before any package");
    gt_rollback(&OPS, &D);
    expect(!F.ca_trusted && F.nstore == 0, "rollback untrusts the CA it trusted");

    reset(19045, 0);
    parse("");
    gt_install(&OPS, &D);
    gt_commit(&OPS, &D);
    expect(!F.journal_exists && F.nstore == 2, "commit: journal gone, packages stay");
}

static void test_remove(void)
{
    reset(22631, 0);
    parse("");
    gt_install(&OPS, &D);
    gt_commit(&OPS, &D);
    expect(F.nstore == 3, "w11 install: three packages");
    F.adds = 0;
    uint32_t r = gt_remove(&OPS, &D);
    expect(r == GT_OK && F.nstore == 0, "remove: the store is empty again");
    expect(strstr(F.log, "store-remove oem3.inf") != NULL, "remove names the OEM INF");

    /* One package removed by hand already: the rest still goes. */
    reset(19045, 0);
    parse("");
    gt_install(&OPS, &D);
    gt_commit(&OPS, &D);
    gt_char oem[32];
    to16(oem, 32, F.store_oem[0]);
    f_remove(NULL, oem);
    expect(gt_remove(&OPS, &D) == GT_OK && F.nstore == 0,
           "remove after a package went by hand: nothing left");

    /* Without ca= the certificate stores are never touched. */
    reset(19045, 0);
    parse("");
    gt_install(&OPS, &D);
    gt_remove(&OPS, &D);
    expect(F.trust_calls == 0 && F.untrust_calls == 0, "no ca=: certificate stores untouched");
}

int main(void)
{
    test_os_folders();
    test_parse();
    test_install();
    test_failures();
    test_rollback_commit();
    test_remove();
    return hostcheck_end();
}
