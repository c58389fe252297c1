/*
 * The guest-tools custom action's decisions (see gtca.h): which package
 * folder fits the running Windows, what goes into and out of the driver
 * store, when a reboot is needed, and how a failure is undone.
 */
#include "gtca.h"

#include <stdarg.h>

/* Length of a UTF-16 string, in characters. */
static size_t gt_len(const gt_char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Whether two NUL-terminated wide strings are equal. */
static int gt_eq(const gt_char *a, const gt_char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

/* Appends src to dst (capacity cap); 0 when it does not fit. */
static int gt_cat(gt_char *dst, size_t cap, const gt_char *src)
{
    size_t n = gt_len(dst), m = gt_len(src);
    if (n + m + 1 > cap)
        return 0;
    for (size_t i = 0; i <= m; i++)
        dst[n + i] = src[i];
    return 1;
}

/* Logs the concatenation of the strings given, ending with NULL. */
static void gt_logv(const struct gt_ops *ops, ...)
{
    static gt_char line[2 * GT_PATH_MAX];
    line[0] = 0;
    va_list ap;
    va_start(ap, ops);
    for (const gt_char *s; (s = va_arg(ap, const gt_char *)) != NULL;)
        if (!gt_cat(line, sizeof line / sizeof line[0], s))
            break;
    va_end(ap);
    ops->log(ops->ctx, line);
}

/* A number in decimal, into buf (at least 11 characters). */
static const gt_char *gt_num(gt_char *buf, uint32_t v)
{
    gt_char tmp[11];
    int n = 0;
    do {
        tmp[n++] = (gt_char)(u'0' + v % 10);
        v /= 10;
    } while (v);
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return buf;
}

/* A Win32 error code in hex, into buf (at least 11 characters). */
static const gt_char *gt_hex(gt_char *buf, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    buf[0] = u'0';
    buf[1] = u'x';
    for (int i = 0; i < 8; i++)
        buf[2 + i] = (gt_char)digits[(v >> (28 - 4 * i)) & 15];
    buf[10] = 0;
    return buf;
}

/* Parse the custom action's data (folder, CA, log, packages) into d, every length bounded. */
uint32_t gt_parse(struct gt_data *d, const gt_char *data)
{
    size_t n = gt_len(data);
    d->dir = d->ca = d->log = NULL;
    d->ndrivers = 0;
    if (n + 1 > GT_DATA_MAX)
        return GT_ERROR_INVALID_DATA;
    for (size_t i = 0; i <= n; i++)
        d->buf[i] = data[i];
    gt_char *p = d->buf;
    while (*p) {
        gt_char *field = p;
        while (*p && *p != u'|')
            p++;
        if (*p)
            *p++ = 0;
        gt_char *value = field;
        while (*value && *value != u'=')
            value++;
        if (!*value || value == field)
            return GT_ERROR_INVALID_DATA;
        *value++ = 0;
        if (gt_eq(field, u"dir")) {
            size_t len = gt_len(value);
            /* An absolute folder with its trailing backslash, as MSI
             * formats a Directory property. */
            if (d->dir || len < 3 || value[len - 1] != u'\\' || len + 64 > GT_PATH_MAX)
                return GT_ERROR_INVALID_DATA;
            d->dir = value;
        } else if (gt_eq(field, u"ca")) {
            if (d->ca || !*value)
                return GT_ERROR_INVALID_DATA;
            d->ca = value;
        } else if (gt_eq(field, u"log")) {
            if (d->log || !*value)
                return GT_ERROR_INVALID_DATA;
            d->log = value;
        } else if (gt_eq(field, u"drv")) {
            if (d->ndrivers == GT_MAX_DRIVERS)
                return GT_ERROR_INVALID_DATA;
            struct gt_driver *drv = &d->drivers[d->ndrivers];
            gt_char *parts[3] = {value, NULL, NULL};
            for (int k = 1; k < 3; k++) {
                gt_char *c = parts[k - 1];
                while (*c && *c != u':')
                    c++;
                if (!*c)
                    return GT_ERROR_INVALID_DATA;
                *c++ = 0;
                parts[k] = c;
            }
            for (int k = 0; k < 3; k++) {
                if (!*parts[k])
                    return GT_ERROR_INVALID_DATA;
                /* Names only: no path separators, no way out of dir. */
                for (gt_char *c = parts[k]; *c; c++)
                    if (*c == u'\\' || *c == u'/' || *c == u':' || *c == u'.')
                        return GT_ERROR_INVALID_DATA;
            }
            drv->folder = parts[0];
            drv->package = parts[1];
            drv->oses = parts[2];
            d->ndrivers++;
        } else {
            return GT_ERROR_INVALID_DATA;
        }
    }
    return d->dir ? GT_OK : GT_ERROR_INVALID_DATA;
}

/* The ISO's OS folder (w10, w11, 2k16 ... 2k25) for a Windows build, NULL when none fits. */
const gt_char *gt_os_folder(uint32_t build, int server)
{
    if (server) {
        if (build < GT_BUILD_2K16)
            return NULL;
        if (build < GT_BUILD_2K19)
            return u"2k16";
        if (build < GT_BUILD_2K22)
            return u"2k19";
        if (build < GT_BUILD_2K25)
            return u"2k22";
        return u"2k25";
    }
    if (build < GT_BUILD_W10)
        return NULL;
    return build < GT_BUILD_W11 ? u"w10" : u"w11";
}

/* Whether os is one of the comma-separated folders in list. */
static int gt_has_os(const gt_char *list, const gt_char *os)
{
    size_t n = gt_len(os);
    const gt_char *p = list;
    while (*p) {
        const gt_char *q = p;
        while (*q && *q != u',')
            q++;
        if ((size_t)(q - p) == n) {
            size_t i = 0;
            while (i < n && p[i] == os[i])
                i++;
            if (i == n)
                return 1;
        }
        p = *q ? q + 1 : q;
    }
    return 0;
}

/* The path of a package's INF for an OS folder: <dir><folder>\<os>\<package>.inf */
static void gt_inf_path(gt_char *path, const struct gt_data *d, const struct gt_driver *drv,
                        const gt_char *os)
{
    path[0] = 0;
    /* gt_parse bounds dir; names are bounded by the data buffer, so a
     * too-long path is cut and then fails to exist. */
    gt_cat(path, GT_PATH_MAX, d->dir);
    gt_cat(path, GT_PATH_MAX, drv->folder);
    gt_cat(path, GT_PATH_MAX, u"\\");
    gt_cat(path, GT_PATH_MAX, os);
    gt_cat(path, GT_PATH_MAX, u"\\");
    gt_cat(path, GT_PATH_MAX, drv->package);
    gt_cat(path, GT_PATH_MAX, u".inf");
}

/* The path of the install journal that rollback reads. */
static void gt_journal_path(gt_char *path, const struct gt_data *d)
{
    path[0] = 0;
    gt_cat(path, GT_PATH_MAX, d->dir);
    gt_cat(path, GT_PATH_MAX, GT_JOURNAL_NAME);
}

/* The running Windows' OS folder, or NULL (logged). */
static const gt_char *gt_running_os(const struct gt_ops *ops)
{
    uint32_t build = 0;
    int server = 0;
    gt_char num[11];
    if (ops->os_version(ops->ctx, &build, &server) != GT_OK) {
        gt_logv(ops, u"error: cannot read the Windows version", NULL);
        return NULL;
    }
    const gt_char *os = gt_os_folder(build, server);
    if (os == NULL)
        gt_logv(ops, u"error: Windows build ", gt_num(num, build), server ? u" (server)" : u"",
                u" is not supported", NULL);
    else
        gt_logv(ops, u"windows build ", gt_num(num, build), server ? u" server" : u"",
                u": packages for ", os, NULL);
    return os;
}

/* The journal being built by one install. */
struct gt_journal {
    gt_char path[GT_PATH_MAX];
    gt_char buf[GT_JOURNAL_MAX];
    size_t len; /* characters used, the final terminator excluded */
};

/* Adds an entry and writes the whole journal out before going on, so that
 * the rollback action sees every change made so far. */
static uint32_t gt_journal_add(const struct gt_ops *ops, struct gt_journal *j, const gt_char *entry)
{
    size_t m = gt_len(entry);
    if (j->len + m + 2 > GT_JOURNAL_MAX)
        return GT_ERROR_INSUFFICIENT_BUFF;
    for (size_t i = 0; i <= m; i++)
        j->buf[j->len + i] = entry[i];
    j->len += m + 1;
    j->buf[j->len] = 0;
    return ops->journal_write(ops->ctx, j->path, j->buf, j->len + 1);
}

/* Removes the packages a journal lists from the store, newest first. */
static void gt_undo(const struct gt_ops *ops, const gt_char *buf, size_t len)
{
    static const gt_char *entries[GT_JOURNAL_MAX / 2];
    int n = 0;
    for (size_t i = 0; i < len && buf[i]; i += gt_len(buf + i) + 1)
        entries[n++] = buf + i;
    for (int i = n - 1; i >= 0; i--) {
        gt_char hex[11];
        if (gt_eq(entries[i], GT_JOURNAL_CA))
            continue; /* the CA goes last, in gt_undo_all */
#ifndef GT_PLANTED_KEEP_ON_UNDO
        uint32_t r = ops->store_remove(ops->ctx, entries[i]);
#else
        uint32_t r = GT_OK; /* the planted bug: packages stay in the store */
#endif
        gt_logv(ops, u"undo: store-remove ", entries[i], r == GT_OK ? u"" : u": error ",
                r == GT_OK ? u"" : gt_hex(hex, r), NULL);
    }
}

/* Whether the journal lists the CA. */
static int gt_journal_has_ca(const gt_char *buf, size_t len)
{
    for (size_t i = 0; i < len && buf[i]; i += gt_len(buf + i) + 1)
        if (gt_eq(buf + i, GT_JOURNAL_CA))
            return 1;
    return 0;
}

/* Undo after a failed install: the journal's entries, the CA, the journal. */
static void gt_undo_all(const struct gt_ops *ops, const struct gt_data *d, const gt_char *path,
                        const gt_char *buf, size_t len)
{
    gt_undo(ops, buf, len);
    if (d->ca && gt_journal_has_ca(buf, len)) {
        uint32_t r = ops->untrust_ca(ops->ctx, d->ca);
        gt_logv(ops, u"undo: untrust test CA", r == GT_OK ? u"" : u": failed", NULL);
    }
    ops->journal_delete(ops->ctx, path);
}

/* Install every package for the running Windows, journalling each step for rollback. */
uint32_t gt_install(const struct gt_ops *ops, const struct gt_data *d)
{
    static gt_char inf[GT_PATH_MAX], oem[GT_PATH_MAX];
    gt_char hex[11];
    static gt_char ids[GT_HWIDS_MAX];
    static struct gt_journal j;
    const gt_char *os = gt_running_os(ops);
    if (os == NULL)
        return GT_ERROR_OLD_WIN_VERSION;

    /* Every package this OS needs must be there before anything changes. */
    int wanted = 0;
    for (int i = 0; i < d->ndrivers; i++) {
        const struct gt_driver *drv = &d->drivers[i];
        if (!gt_has_os(drv->oses, os)) {
            gt_logv(ops, u"skip ", drv->folder, u": no package for ", os, NULL);
            continue;
        }
        gt_inf_path(inf, d, drv, os);
        if (!ops->file_exists(ops->ctx, inf)) {
            gt_logv(ops, u"error: package missing for ", os, u": ", inf, NULL);
            return GT_ERROR_FILE_NOT_FOUND;
        }
        wanted++;
    }

    gt_journal_path(j.path, d);
    j.len = 0;
    j.buf[0] = 0;
    uint32_t r = GT_OK;
    int reboot = 0;

    if (d->ca) {
        /* Test-signed packages verify only once their CA is trusted. */
        r = ops->trust_ca(ops->ctx, d->ca);
        if (r != GT_OK) {
            gt_logv(ops, u"error: cannot trust the test CA ", d->ca, u": ", gt_hex(hex, r), NULL);
            return r;
        }
        gt_logv(ops, u"trust test CA ", d->ca, NULL);
        r = gt_journal_add(ops, &j, GT_JOURNAL_CA);
        if (r != GT_OK)
            goto fail;
    }

    for (int i = 0; i < d->ndrivers && wanted; i++) {
        const struct gt_driver *drv = &d->drivers[i];
        if (!gt_has_os(drv->oses, os))
            continue;
        gt_inf_path(inf, d, drv, os);
        oem[0] = 0;
        r = ops->store_add(ops->ctx, inf, oem, GT_PATH_MAX);
        if (r == GT_OK) {
            gt_logv(ops, u"store-add ", inf, u" -> ", oem, NULL);
            r = gt_journal_add(ops, &j, oem);
            if (r != GT_OK) {
                /* Not journaled: take it away here, the rollback would not. */
                ops->store_remove(ops->ctx, oem);
                goto fail;
            }
        } else if (r == GT_ERROR_FILE_EXISTS) {
            gt_logv(ops, u"store-add ", inf, u": already there as ", oem, NULL);
        } else {
            gt_logv(ops, u"error: store-add ", inf, u": ", gt_hex(hex, r), NULL);
            goto fail;
        }

        r = ops->hardware_ids(ops->ctx, inf, ids, GT_HWIDS_MAX);
        if (r != GT_OK) {
            gt_logv(ops, u"error: hardware IDs of ", inf, u": ", gt_hex(hex, r), NULL);
            goto fail;
        }
        for (const gt_char *id = ids; *id; id += gt_len(id) + 1) {
            int need = 0;
            r = ops->update_devices(ops->ctx, id, inf, &need);
            if (r == GT_ERROR_NO_SUCH_DEVINST) {
                gt_logv(ops, u"devices ", id, u": none present", NULL);
                continue;
            }
            if (r == GT_ERROR_NO_MORE_ITEMS) {
                gt_logv(ops, u"devices ", id, u": a better driver is installed, kept", NULL);
                continue;
            }
            if (r != GT_OK) {
                gt_logv(ops, u"error: devices ", id, u": ", gt_hex(hex, r), NULL);
                goto fail;
            }
            gt_logv(ops, u"devices ", id, u": updated", need ? u", reboot needed" : u"", NULL);
            reboot |= need;
        }
    }
    return reboot ? GT_ERROR_REBOOT_REQUIRED : GT_OK;

fail:
    gt_undo_all(ops, d, j.path, j.buf, j.len + 1);
    return r;
}

/* Undo what the journal says an interrupted install did. */
uint32_t gt_rollback(const struct gt_ops *ops, const struct gt_data *d)
{
    static gt_char path[GT_PATH_MAX], buf[GT_JOURNAL_MAX];
    gt_journal_path(path, d);
    buf[0] = 0;
    if (ops->journal_read(ops->ctx, path, buf, GT_JOURNAL_MAX) != GT_OK) {
        gt_logv(ops, u"rollback: no journal, nothing to take away", NULL);
        return GT_OK;
    }
    buf[GT_JOURNAL_MAX - 1] = 0;
    buf[GT_JOURNAL_MAX - 2] = 0;
    gt_logv(ops, u"rollback: taking away what the install added", NULL);
    gt_undo_all(ops, d, path, buf, GT_JOURNAL_MAX);
    return GT_OK;
}

/* The install went through: the journal is no longer needed. */
uint32_t gt_commit(const struct gt_ops *ops, const struct gt_data *d)
{
    static gt_char path[GT_PATH_MAX];
    gt_journal_path(path, d);
    ops->journal_delete(ops->ctx, path);
    return GT_OK;
}

/* Uninstall every package; errors are logged and the next package still tried. */
uint32_t gt_remove(const struct gt_ops *ops, const struct gt_data *d)
{
    static gt_char inf[GT_PATH_MAX], oem[GT_PATH_MAX];
    gt_char hex[11];
    const gt_char *os = gt_running_os(ops);
    /* An uninstall never stops half-way: every error is logged and the
     * next package is tried. */
    for (int i = 0; os && i < d->ndrivers; i++) {
        const struct gt_driver *drv = &d->drivers[i];
        if (!gt_has_os(drv->oses, os))
            continue;
        gt_inf_path(inf, d, drv, os);
        if (!ops->file_exists(ops->ctx, inf)) {
            gt_logv(ops, u"remove: ", inf, u" is missing, skipped", NULL);
            continue;
        }
        /* The package's OEM name, looked up by content: copying the same
         * INF again is refused with its existing name.  If it was not in
         * the store any more, the copy just made is removed as well. */
        oem[0] = 0;
        uint32_t r = ops->store_add(ops->ctx, inf, oem, GT_PATH_MAX);
        if (r != GT_OK && r != GT_ERROR_FILE_EXISTS) {
            gt_logv(ops, u"remove: cannot find ", inf, u" in the store: ", gt_hex(hex, r), NULL);
            continue;
        }
        r = ops->store_remove(ops->ctx, oem);
        gt_logv(ops, u"store-remove ", oem, u" (", inf, u")", r == GT_OK ? u"" : u": error ",
                r == GT_OK ? u"" : gt_hex(hex, r), NULL);
    }
    if (d->ca) {
        uint32_t r = ops->untrust_ca(ops->ctx, d->ca);
        gt_logv(ops, u"untrust test CA ", d->ca, r == GT_OK ? u"" : u": failed", NULL);
    }
    return GT_OK;
}
