/* Catalog attributes from an INF, as Inf2Cat writes them (see catattrs.h).
 * Facts: Inf2Cat names Windows 10+ targets _v100[_X64|_ARM64][_<release>]
 * with a Server prefix for server editions (e.g. _v100_X64_21H2,
 * Server_v100_X64_24H2) and lists hardware IDs as HWID1, HWID2, ... in
 * lower case. */
#include "catattrs.h"

#include "fileio.h"
#include "inf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXF 64

/* The architecture token of a decoration such as "NTamd64.10.0...16299";
 * NULL if it names none we build. */
static const char *arch_token(const char *decoration)
{
    size_t n = strcspn(decoration, ".");
    if (n == 5 && !strncasecmp(decoration, "NTx86", 5))
        return "";
    if (n == 7 && !strncasecmp(decoration, "NTamd64", 7))
        return "_X64";
    if (n == 7 && !strncasecmp(decoration, "NTarm64", 7))
        return "_ARM64";
    return NULL;
}

/* Adds id (lower-cased) unless already present; 0 or -1 on no memory. */
static int add_hwid(struct cat_attrs *a, const char *id)
{
    char *low = strdup(id);
    if (!low)
        return -1;
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    for (size_t i = 0; i < a->nhwid; i++)
        if (!strcmp(a->hwid[i], low)) {
            free(low);
            return 0;
        }
    char **grown = realloc(a->hwid, (a->nhwid + 1) * sizeof(*grown));
    if (!grown) {
        free(low);
        return -1;
    }
    a->hwid = grown;
    a->hwid[a->nhwid++] = low;
    return 0;
}

/* The architecture token an OS name carries: "_X64", "_ARM64" or "". */
static const char *name_token(const char *name)
{
    if (strstr(name, "_X64"))
        return "_X64";
    if (strstr(name, "_ARM64"))
        return "_ARM64";
    return "";
}

/* Copies the OS list into a->os after checking that every name is for the
 * architecture of the INF's decorations; -1 with a message otherwise. */
static int check_os(struct cat_attrs *a, const char *path, const char *os, const char *token,
                    char *err, size_t errlen)
{
    char *copy = strdup(os);
    if (!copy) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (char *save = NULL, *name = strtok_r(copy, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (strncmp(name, "_v100", 5) && strncmp(name, "Server_v100", 11)) {
            snprintf(err, errlen, "%s: OS name %s is not a Windows 10+ target", path, name);
            free(copy);
            return -1;
        }
        if (strcmp(name_token(name), token)) {
            snprintf(err, errlen,
                     "%s: OS name %s is for another architecture than the INF's "
                     "decoration",
                     path, name);
            free(copy);
            return -1;
        }
    }
    strcpy(copy, os);
    a->os = copy;
    return 0;
}

/* The catalog attributes (OS, hardware IDs) an INF's models section implies for an OS set. */
int cat_attrs_from_inf(const char *path, const char *os, struct cat_attrs *out, char *err,
                       size_t errlen)
{
    size_t len;
    char *text = (char *)read_file(path, &len), buf[4096], buf2[4096], section[512];
    char *f[MAXF], *g[MAXF];
    struct inf inf;
    const char *token = NULL;
    int rc = -1;

    memset(out, 0, sizeof(*out));
    if (!text) {
        snprintf(err, errlen, "%s: cannot read", path);
        return -1;
    }
    if (inf_parse(&inf, path, text, err, errlen)) {
        free(text);
        return -1;
    }
    const struct inf_section *mfg = inf_find(&inf, "Manufacturer");
    if (!mfg || !mfg->n) {
        snprintf(err, errlen, "%s: no [Manufacturer] entry", path);
        goto out;
    }
    for (size_t i = 0; i < mfg->n; i++) {
        size_t n = inf_fields(mfg->lines[i].value, f, MAXF, buf, sizeof(buf));
        for (size_t d = 1; d < n || d == 1; d++) {
            if (d < n) {
                const char *t = arch_token(f[d]);
                if (!t || (token && strcmp(t, token))) {
                    snprintf(err, errlen,
                             "%s:%d: decoration %s does not name the one architecture "
                             "of the package",
                             path, mfg->lines[i].lineno, f[d]);
                    goto out;
                }
                token = t;
                snprintf(section, sizeof(section), "%s.%s", f[0], f[d]);
            } else {
                snprintf(section, sizeof(section), "%s", n ? f[0] : "");
            }
            const struct inf_section *models = inf_find(&inf, section);
            if (!models) {
                snprintf(err, errlen, "%s: no models section [%s]", path, section);
                goto out;
            }
            for (size_t m = 0; m < models->n; m++) {
                size_t k = inf_fields(models->lines[m].value, g, MAXF, buf2, sizeof(buf2));
                for (size_t h = 1; h < k; h++)
                    if (*g[h] && add_hwid(out, g[h])) {
                        snprintf(err, errlen, "%s: out of memory", path);
                        goto out;
                    }
            }
        }
    }
    if (!token) {
        snprintf(err, errlen, "%s: [Manufacturer] has no NT<arch> decoration", path);
        goto out;
    }
    if (!out->nhwid) {
        snprintf(err, errlen, "%s: no hardware ID in any models section", path);
        goto out;
    }
    if (check_os(out, path, os, token, err, errlen))
        goto out;
    rc = 0;
out:
    if (rc)
        cat_attrs_free(out);
    inf_free(&inf);
    free(text);
    return rc;
}

/* Free what cat_attrs_from_inf allocated. */
void cat_attrs_free(struct cat_attrs *a)
{
    for (size_t i = 0; i < a->nhwid; i++)
        free(a->hwid[i]);
    free(a->hwid);
    free(a->os);
    memset(a, 0, sizeof(*a));
}
