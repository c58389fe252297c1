/*
 * A second image of a loaded driver (vw_load_image_copy, the crash-dump or
 * hibernation copy StorPort loads): mapped at its own base, relocated, with
 * its own .data and .bss, so a global written by the first image is not
 * seen by the second.
 */
#include <stdlib.h>
#include <string.h>
#include "dev_virtio.h"
#include "kernel.h"
#include "pe_loader.h"
#include "scenario.h"

/* Guest bytes of IMAGE (host copy; NULL on failure, the run failed). */
static uint8_t *snapshot(struct vm *vm, const struct vw_image *image)
{
    uint8_t *p = malloc(image->size);
    if (p == NULL || !vw_read(vm, image->base, p, image->size)) {
        free(p);
        vw_fail(vm, "harness: cannot read the image at 0x%llx", (unsigned long long)image->base);
        return NULL;
    }
    return p;
}

/* Words of the first image (FIRST) and of COPY (SECOND) that differ other
 * than by relocation: the globals the first image's code wrote. */
static unsigned differing(struct vm *vm, const uint8_t *first, const uint8_t *second,
                          const struct vw_image *copy)
{
    unsigned ps = vm->ptr_size, written = 0;
    uint64_t delta = copy->base - vm->image.base;
    for (uint64_t off = 0; off + ps <= copy->size; off += ps) {
        uint64_t a = 0, b = 0;
        memcpy(&a, first + off, ps);
        memcpy(&b, second + off, ps);
        if (a != b && (uint64_t)(b - a) << (64 - 8 * ps) != delta << (64 - 8 * ps))
            written++;
    }
    return written;
}

static const struct vw_virtio_config rng_cfg = {
    .transport = VMODEL_MODERN,
    .device_type = 4,
    .features = 1ull << 32,
    .queues = 1,
    .queue_max = 64,
    .msix = true,
    .seed = 3,
};

/* Two second images (the crash-dump and the hibernation copy) at bases of
 * their own, neither overlapping the other or the first, and no new import
 * slots; the first image loaded again over itself loses what DriverEntry
 * wrote, and a reload after DriverEntry ran again gives the same bytes.
 * (Words compared at one base: x86 code has relocations at any byte
 * offset, so images at two bases are not compared word for word.) */
VW_SCENARIO("harness", second_images_apart_and_reload, NULL)
{
    struct vw_virtio *dev = vw_virtio_create(vm, &rng_cfg);
    if (dev == NULL || !vw_driver_load(vm, "viorng"))
        return;
    char path[4096];
    vw_driver_path(vm, "viorng", path, sizeof(path));
    struct vw_image one, two;
    unsigned imports = vm->import_count;
    if (!vw_load_image_copy(vm, path, &one) || !vw_load_image_copy(vm, path, &two))
        return;
    VW_EXPECT(vm,
              one.base >= vm->image.base + VW_IMAGE_SPAN && two.base >= one.base + one.size &&
                  vm->image_copies == 2 && vm->import_count == imports,
              "copies at 0x%llx and 0x%llx (first 0x%llx), %u copies, %u import slots (first "
              "image %u)",
              (unsigned long long)one.base, (unsigned long long)two.base,
              (unsigned long long)vm->image.base, vm->image_copies, vm->import_count, imports);
    uint8_t *written = snapshot(vm, &vm->image), *fresh = NULL, *again = NULL;
    if (written != NULL && vw_reload_image(vm, path))
        fresh = snapshot(vm, &vm->image);
    if (fresh != NULL && vw_driver_reboot(vm) && vw_reload_image(vm, path))
        again = snapshot(vm, &vm->image);
    VW_EXPECT(vm,
              again != NULL && memcmp(written, fresh, vm->image.size) != 0 &&
                  memcmp(fresh, again, vm->image.size) == 0,
              "the reload %s what DriverEntry wrote, and %s after DriverEntry ran again",
              written && fresh && memcmp(written, fresh, vm->image.size) ? "undid" : "kept",
              fresh && again && !memcmp(fresh, again, vm->image.size) ? "gave the same bytes"
                                                                      : "differed");
    free(written);
    free(fresh);
    free(again);
}

VW_SCENARIO("harness", second_image_own_globals, NULL)
{
    struct vw_virtio *dev = vw_virtio_create(vm, &rng_cfg);
    if (dev == NULL || !vw_driver_load(vm, "viorng"))
        return;
    char path[4096];
    vw_driver_path(vm, "viorng", path, sizeof(path));
    struct vw_image copy;
    if (!vw_load_image_copy(vm, path, &copy))
        return;
    VW_EXPECT(vm, copy.base != vm->image.base && copy.size == vm->image.size,
              "the copy is at 0x%llx (first image 0x%llx), %llu bytes (first %llu)",
              (unsigned long long)copy.base, (unsigned long long)vm->image.base,
              (unsigned long long)copy.size, (unsigned long long)vm->image.size);
    uint8_t *first = snapshot(vm, &vm->image), *second = snapshot(vm, &copy);
    unsigned written = first != NULL && second != NULL ? differing(vm, first, second, &copy) : 0;
    VW_EXPECT(vm, written > 0, "no global of the first image differs from the second's");
    /* The first image works on: AddDevice, start, remove; the second is
     * untouched by it. */
    if (first != NULL && second != NULL && !vm->failed && vw_add_device(vm, dev->pdo)) {
        uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
        VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
        vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
        uint8_t *second_after = snapshot(vm, &copy);
        VW_EXPECT(vm, second_after != NULL && memcmp(second, second_after, copy.size) == 0,
                  "the second image changed while the first ran");
        free(second_after);
        vw_log(vm, "%u global word(s) written by the first image, initial in the second", written);
        vw_driver_unload(vm);
    }
    free(first);
    free(second);
}
