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

/* Object names: named device objects, symbolic links: this part's state (vw_part_state). */
struct names_state {
    struct vw_dev_name {
        char name[160];
        gva_t dev;
    } *dev_names; /* grows (vw_grow) */
    unsigned dev_name_count, dev_name_cap;
    struct vw_link {
        char link[160], target[160];
    } *links; /* grows (vw_grow) */
    unsigned link_count, link_cap;
};

static const char names_key;

/* This machine's names state; harness side, any IRQL. */
static struct names_state *names(struct vm *vm)
{
    return vw_part_state(vm, &names_key, sizeof(struct names_state));
}

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
    struct names_state *s = names(vm);
    for (unsigned i = 0; i < s->dev_name_count; i++)
        if (strcasecmp(s->dev_names[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int find_link(struct vm *vm, const char *name)
{
    struct names_state *s = names(vm);
    for (unsigned i = 0; i < s->link_count; i++)
        if (strcasecmp(s->links[i].link, name) == 0)
            return (int)i;
    return -1;
}

uint32_t vw_names_add_device(struct vm *vm, gva_t dev, gva_t name_us)
{
    struct names_state *s = names(vm);
    char name[160];
    if (name_us == 0)
        return VW_STATUS_SUCCESS;
    if (!read_name(vm, name_us, name, sizeof(name)))
        return VW_STATUS_OBJECT_NAME_INVALID;
    if (find_device(vm, name) >= 0 || find_link(vm, name) >= 0)
        return VW_STATUS_OBJECT_NAME_COLLISION;
    if (!VW_GROW(vm, s->dev_names, s->dev_name_count, s->dev_name_cap, "device names"))
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    snprintf(s->dev_names[s->dev_name_count].name, sizeof(s->dev_names[0].name), "%s", name);
    s->dev_names[s->dev_name_count++].dev = dev;
    vw_log(vm, "object: device %s", name);
    return VW_STATUS_SUCCESS;
}

void vw_names_remove_device(struct vm *vm, gva_t dev)
{
    struct names_state *s = names(vm);
    for (unsigned i = 0; i < s->dev_name_count; i++)
        if (s->dev_names[i].dev == dev) {
            s->dev_names[i] = s->dev_names[--s->dev_name_count];
            return;
        }
}

void vw_IoCreateSymbolicLink(struct vm *vm, const struct vw_api *api)
{
    struct names_state *s = names(vm);
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
    if (!VW_GROW(vm, s->links, s->link_count, s->link_cap, "symbolic links")) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    snprintf(s->links[s->link_count].link, sizeof(s->links[0].link), "%s", link);
    snprintf(s->links[s->link_count].target, sizeof(s->links[0].target), "%s", target);
    s->link_count++;
    vw_log(vm, "object: link %s -> %s", link, target);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_IoDeleteSymbolicLink(struct vm *vm, const struct vw_api *api)
{
    struct names_state *s = names(vm);
    char link[160];
    int i;
    if (!read_name(vm, vw_arg(vm, api, 0), link, sizeof(link)) || (i = find_link(vm, link)) < 0) {
        vw_set_return(vm, VW_STATUS_OBJECT_NAME_NOT_FOUND);
        return;
    }
    vw_log(vm, "object: link %s deleted", link);
    s->links[i] = s->links[--s->link_count];
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

gva_t vw_object_lookup(struct vm *vm, const char *path)
{
    struct names_state *s = names(vm);
    char name[160];
    canonical(path, name, sizeof(name));
    /* Links may chain; bounded. */
    for (unsigned hops = 0; hops < 8; hops++) {
        int d = find_device(vm, name);
        if (d >= 0)
            return s->dev_names[d].dev;
        int l = find_link(vm, name);
        if (l < 0)
            return 0;
        snprintf(name, sizeof(name), "%s", s->links[l].target);
    }
    return 0;
}

unsigned vw_names_report_leaks(struct vm *vm)
{
    struct names_state *s = names(vm);
    for (unsigned i = 0; i < s->link_count; i++)
        vw_log(vm, "leak: symbolic link %s -> %s", s->links[i].link, s->links[i].target);
    return s->link_count;
}
