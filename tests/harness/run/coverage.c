/*
 * harness --coverage: the API coverage table.  One line per API of the
 * kernel table with the arches it is implemented on and the built drivers
 * that import it; then, per built driver image (shipped drivers in OUT,
 * test drivers in BUILD/<arch>/testdrv), how many of its imports the
 * harness covers and which not; then one summary line.  The imports are
 * read by loading each image into a machine of its arch, exactly as a
 * scenario would.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "coverage.h"
#include "kernel.h"
#include "pe_loader.h"

#define MAX_IMAGES 128
#define MAX_NAMES  256

struct image {
    char driver[64], path[1024];
    enum vw_arch arch;
    unsigned imports, covered;
    char missing[512];
    const struct vw_api *used[MAX_NAMES];
    unsigned used_count;
};

static unsigned find_images(const char *root, bool testdrv, enum vw_arch arch, struct image *out,
                            unsigned n)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/%s%s", root, vw_arch_name(arch), testdrv ? "/testdrv" : "");
    DIR *d = opendir(dir);
    if (d == NULL)
        return n;
    for (struct dirent *e; (e = readdir(d)) != NULL && n < MAX_IMAGES;) {
        struct image *img = &out[n];
        if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(img->driver))
            continue;
        memset(img, 0, sizeof(*img));
        int len = snprintf(img->path, sizeof(img->path), "%s/%s/%s.sys", dir, e->d_name, e->d_name);
        if (len < 0 || (size_t)len >= sizeof(img->path) || access(img->path, R_OK) != 0)
            continue;
        snprintf(img->driver, sizeof(img->driver), "%s", e->d_name);
        img->arch = arch;
        n++;
    }
    closedir(d);
    return n;
}

static void read_imports(const char *out_dir, const char *build_dir, struct image *img)
{
    struct vm *vm = vw_vm_create(img->arch, out_dir, build_dir);
    if (vm == NULL)
        return;
    vw_load_image(vm, img->path); /* fails on uncovered imports, after listing them all */
    size_t len = 0;
    for (unsigned i = 0; i < vm->import_count; i++) {
        const struct vw_import *imp = &vm->imports[i];
        img->imports++;
        if (imp->api != NULL) {
            img->covered++;
            if (img->used_count < MAX_NAMES)
                img->used[img->used_count++] = imp->api;
        } else if (len < sizeof(img->missing)) {
            len +=
                (size_t)snprintf(img->missing + len, sizeof(img->missing) - len, " %s", imp->name);
        }
    }
    vw_vm_destroy(vm);
}

static bool uses(const struct image *img, const struct vw_api *api)
{
    for (unsigned i = 0; i < img->used_count; i++)
        if (img->used[i] == api)
            return true;
    return false;
}

/* One line: where API is implemented and which drivers import it (each
 * driver once, whatever the arch; x86-only forms have lines of their own). */
static void print_api(const struct vw_api_group *g, const struct vw_api *api,
                      const struct image *images, unsigned n)
{
    char users[1024] = "";
    size_t len = 0;
    for (unsigned i = 0; i < n && len < sizeof(users); i++) {
        bool listed = false;
        for (unsigned j = 0; j < i && !listed; j++)
            listed = strcmp(images[j].driver, images[i].driver) == 0 && uses(&images[j], api);
        if (!listed && uses(&images[i], api))
            len += (size_t)snprintf(users + len, sizeof(users) - len, " %s", images[i].driver);
    }
    printf("%-36s %-9s %-5s %-5s %-5s%s\n", api->name, g->name,
           api->arches & VW_ARCH_BIT(VW_X86) ? "yes" : "-",
           api->arches & VW_ARCH_BIT(VW_AMD64) ? "yes" : "-",
           api->arches & VW_ARCH_BIT(VW_ARM64) ? "yes" : "-", *users ? users : " (none)");
}

int vw_coverage_main(const char *out_dir, const char *build_dir)
{
    static struct image images[MAX_IMAGES];
    unsigned n = 0;
    for (int a = 0; a < VW_ARCH_COUNT; a++) {
        n = find_images(out_dir, false, (enum vw_arch)a, images, n);
        n = find_images(build_dir, true, (enum vw_arch)a, images, n);
    }
    for (unsigned i = 0; i < n; i++)
        read_imports(out_dir, build_dir, &images[i]);

    size_t count = 0;
    printf("%-36s %-9s %-5s %-5s %-5s %s\n", "API", "group", "x86", "amd64", "arm64",
           "imported by");
    for (const struct vw_api_group *g = vw_api_groups(); g != NULL; g = g->next)
        for (size_t t = 0; t < g->count; t++, count++)
            print_api(g, &g->apis[t], images, n);
    unsigned imports = 0, covered = 0;
    printf("\n%-20s %-5s %s\n", "driver", "arch", "imports covered");
    for (unsigned i = 0; i < n; i++) {
        imports += images[i].imports;
        covered += images[i].covered;
        printf("%-20s %-5s %u/%u%s%s\n", images[i].driver, vw_arch_name(images[i].arch),
               images[i].covered, images[i].imports, *images[i].missing ? "  missing:" : "",
               images[i].missing);
    }
    printf("summary: %zu APIs in the tables; %u driver images, %u imports, %u covered, %u not "
           "covered\n",
           count, n, imports, covered, imports - covered);
    return 0; /* a report: scenarios fail on uncovered imports themselves */
}
