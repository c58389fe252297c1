/* inflint --ranks: no two packages of one ISO folder match a device with
 * equal rank (see inflint_policy.h).
 *
 * Windows ranks the drivers that match a device ("How Windows ranks
 * drivers"): signature score, then feature score (the DDInstall
 * FeatureScore, 0xFF when absent), then identifier score (a hardware-ID
 * match in the INF's hardware-ID position beats one in a compatible-ID
 * position), then DriverVer date, then DriverVer version.  Our packages are
 * signed alike, so two of them that list one ID in the same position with
 * the same feature score and DriverVer tie, and which one Windows binds is
 * unpredictable. */
#include "fileio.h"
#include "inflint_policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXF     32
#define MAX_IDS  512
#define MAX_INFS 64

struct match {
    const char *path;
    int lineno, compat, featurescore;
    char id[128], driverver[64];
};

static struct match g_ids[MAX_IDS];
static size_t g_n;

/* FeatureScore of the install section a model names (0xFF when none). */
static int feature_score(const struct inf *inf, const char *base, const char *arch)
{
    char name[512], buf[256], *f[2];
    const char *suffix[] = {".NT", ""};
    snprintf(name, sizeof(name), "%s.NT%s", base, arch);
    const struct inf_section *s = inf_find(inf, name);
    for (int i = 0; !s && i < 2; i++) {
        snprintf(name, sizeof(name), "%s%s", base, suffix[i]);
        s = inf_find(inf, name);
    }
    for (size_t k = 0; s && k < s->n; k++)
        if (s->lines[k].key && !strcasecmp(s->lines[k].key, "FeatureScore") &&
            inf_fields(s->lines[k].value, f, 2, buf, sizeof(buf)))
            return (int)strtol(f[0], NULL, 16);
    return 0xFF;
}

/* Record the hardware IDs, DriverVer and signer of one INF's models for arch. */
static void collect(const struct inf *inf, const char *path, const char *arch)
{
    const struct inf_section *v = inf_find(inf, "Version"), *mf = inf_find(inf, "Manufacturer");
    char driverver[64] = "", buf[1024], *f[MAXF], name[512], buf2[1024], *g[MAXF];
    for (size_t k = 0; v && k < v->n; k++)
        if (v->lines[k].key && !strcasecmp(v->lines[k].key, "DriverVer"))
            for (const char *c = v->lines[k].value; *c; c++) {
                size_t o = strlen(driverver);
                if (*c != ' ' && *c != '\t' && o + 1 < sizeof(driverver))
                    driverver[o] = *c, driverver[o + 1] = 0;
            }
    for (size_t k = 0; mf && k < mf->n; k++) {
        size_t n = inf_fields(mf->lines[k].value, f, MAXF, buf, sizeof(buf));
        for (size_t j = 1; j < n; j++) {
            size_t al = strlen(arch);
            if (strncasecmp(f[j], "NT", 2) || strncasecmp(f[j] + 2, arch, al) ||
                (f[j][2 + al] && f[j][2 + al] != '.'))
                continue;
            snprintf(name, sizeof(name), "%s.%s", f[0], f[j]);
            const struct inf_section *m = inf_find(inf, name);
            for (size_t a = 0; m && a < m->n; a++) {
                size_t gn = inf_fields(m->lines[a].value, g, MAXF, buf2, sizeof(buf2));
                int fs = gn ? feature_score(inf, g[0], arch) : 0xFF;
                for (size_t b = 1; b < gn && g_n < MAX_IDS; b++) {
                    if (!g[b][0])
                        continue;
                    struct match *x = &g_ids[g_n++];
                    *x = (struct match){.path = path,
                                        .lineno = m->lines[a].lineno,
                                        .compat = b > 1,
                                        .featurescore = fs};
                    snprintf(x->id, sizeof(x->id), "%s", g[b]);
                    snprintf(x->driverver, sizeof(x->driverver), "%s", driverver);
                }
            }
        }
    }
}

/* Report hardware IDs for which another INF of the set would rank above ours. */
int rank_check(int n, char **paths, const char *arch)
{
    static struct inf infs[MAX_INFS];
    static char *texts[MAX_INFS];
    int findings = 0;
    if (n > MAX_INFS)
        return fprintf(stderr, "inflint: at most %d INFs\n", MAX_INFS), -1;
    for (int i = 0; i < n; i++) {
        size_t len;
        char err[512];
        texts[i] = (char *)read_file(paths[i], &len);
        if (!texts[i])
            return fprintf(stderr, "inflint: %s: %s\n", paths[i], strerror(errno)), -1;
        if (inf_parse(&infs[i], paths[i], texts[i], err, sizeof(err)))
            return printf("%s\n", err), -1;
        collect(&infs[i], paths[i], arch);
    }
    for (size_t a = 0; a < g_n; a++)
        for (size_t b = 0; b < a; b++) {
            const struct match *x = &g_ids[a], *y = &g_ids[b];
            if (x->path == y->path || strcasecmp(x->id, y->id) || x->compat != y->compat ||
                x->featurescore != y->featurescore || strcmp(x->driverver, y->driverver))
                continue;
            printf("%s:%d: %s ties with %s:%d (same match type, feature score 0x%02X and "
                   "DriverVer %s): Windows may bind either package\n",
                   x->path, x->lineno, x->id, y->path, y->lineno, x->featurescore, x->driverver);
            findings++;
            break;
        }
    for (int i = 0; i < n; i++) {
        inf_free(&infs[i]);
        free(texts[i]);
    }
    return findings;
}
