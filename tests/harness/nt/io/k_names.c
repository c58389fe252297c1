/*
 * The object manager's names, as far as drivers and scenarios need them:
 * named device objects (IoCreateDevice with a DeviceName) and symbolic
 * links (IoCreateSymbolicLink / IoDeleteSymbolicLink).  A scenario opens a
 * path the way \\.\X does: vw_object_lookup resolves \GLOBAL??\X (also
 * spelt \DosDevices\Global\X, \DosDevices\X or \??\X) through the links to
 * the device object.  Links left at unload are leaks.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "abi.h"
#include "kernel.h"
#include "pnp.h"
#include "vw_ntstatus.h"

/* One spelling for the global DOS-device directory. */
static void canonical(const char *in, char *out, size_t cap)
{
    static const char *const aliases[] = {"\\DosDevices\\Global\\", "\\GLOBAL??\\",
                                          "\\DosDevices\\", "\\??\\Global\\", "\\??\\"};
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
        size_t n = strlen(aliases[i]);
        if (strncasecmp(in, aliases[i], n) == 0) {
            snprintf(out, cap, "\\GLOBAL??\\%s", in + n);
            return;
        }
    }
    snprintf(out, cap, "%s", in);
}

static bool read_name(struct vm *vm, gva_t us, char *out, size_t cap)
{
    char raw[160];
    uint16_t len = (uint16_t)vw_rd(vm, us, 2);
    if (len == 0 || len / 2 >= sizeof(raw) || !vw_read_unicode_string(vm, us, raw, sizeof(raw)))
        return false;
    canonical(raw, out, cap);
    return true;
}

static int find_device(struct vm *vm, const char *name)
{
    for (unsigned i = 0; i < vm->k->dev_name_count; i++)
        if (strcasecmp(vm->k->dev_names[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int find_link(struct vm *vm, const char *name)
{
    for (unsigned i = 0; i < vm->k->link_count; i++)
        if (strcasecmp(vm->k->links[i].link, name) == 0)
            return (int)i;
    return -1;
}

uint32_t vw_names_add_device(struct vm *vm, gva_t dev, gva_t name_us)
{
    struct vw_kernel *k = vm->k;
    char name[160];
    if (name_us == 0)
        return VW_STATUS_SUCCESS;
    if (!read_name(vm, name_us, name, sizeof(name)))
        return VW_STATUS_OBJECT_NAME_INVALID;
    if (find_device(vm, name) >= 0 || find_link(vm, name) >= 0)
        return VW_STATUS_OBJECT_NAME_COLLISION;
    if (!VW_GROW(vm, k->dev_names, k->dev_name_count, k->dev_name_cap, "device names"))
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    snprintf(k->dev_names[k->dev_name_count].name, sizeof(k->dev_names[0].name), "%s", name);
    k->dev_names[k->dev_name_count++].dev = dev;
    vw_log(vm, "object: device %s", name);
    return VW_STATUS_SUCCESS;
}

void vw_names_remove_device(struct vm *vm, gva_t dev)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->dev_name_count; i++)
        if (k->dev_names[i].dev == dev) {
            k->dev_names[i] = k->dev_names[--k->dev_name_count];
            return;
        }
}

void vw_IoCreateSymbolicLink(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    char link[160], target[160];
    if (!read_name(vm, vw_arg(vm, api, 0), link, sizeof(link)) ||
        !read_name(vm, vw_arg(vm, api, 1), target, sizeof(target))) {
        vw_set_return(vm, VW_STATUS_OBJECT_NAME_INVALID);
        return;
    }
    if (find_link(vm, link) >= 0 || find_device(vm, link) >= 0) {
        vw_set_return(vm, VW_STATUS_OBJECT_NAME_COLLISION);
        return;
    }
    if (!VW_GROW(vm, k->links, k->link_count, k->link_cap, "symbolic links")) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    snprintf(k->links[k->link_count].link, sizeof(k->links[0].link), "%s", link);
    snprintf(k->links[k->link_count].target, sizeof(k->links[0].target), "%s", target);
    k->link_count++;
    vw_log(vm, "object: link %s -> %s", link, target);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_IoDeleteSymbolicLink(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    char link[160];
    int i;
    if (!read_name(vm, vw_arg(vm, api, 0), link, sizeof(link)) || (i = find_link(vm, link)) < 0) {
        vw_set_return(vm, VW_STATUS_OBJECT_NAME_NOT_FOUND);
        return;
    }
    vw_log(vm, "object: link %s deleted", link);
    k->links[i] = k->links[--k->link_count];
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

gva_t vw_object_lookup(struct vm *vm, const char *path)
{
    char name[160];
    canonical(path, name, sizeof(name));
    /* Links may chain; bounded. */
    for (unsigned hops = 0; hops < 8; hops++) {
        int d = find_device(vm, name);
        if (d >= 0)
            return vm->k->dev_names[d].dev;
        int l = find_link(vm, name);
        if (l < 0)
            return 0;
        snprintf(name, sizeof(name), "%s", vm->k->links[l].target);
    }
    return 0;
}

unsigned vw_names_report_leaks(struct vm *vm)
{
    for (unsigned i = 0; i < vm->k->link_count; i++)
        vw_log(vm, "leak: symbolic link %s -> %s", vm->k->links[i].link, vm->k->links[i].target);
    return vm->k->link_count;
}
