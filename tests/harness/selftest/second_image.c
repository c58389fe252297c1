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

VW_SCENARIO("harness", second_image_own_globals, NULL)
{
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = 4,
        .features = 1ull << 32,
        .queues = 1,
        .queue_max = 64,
        .msix = true,
        .seed = 3,
    };
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    if (dev == NULL || !vw_driver_load(vm, "viorng"))
        return;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/viorng/viorng.sys", vm->out_dir, vw_arch_name(vm->arch));
    struct vw_image copy;
    if (!vw_load_image_copy(vm, path, &copy))
        return;
    VW_EXPECT(vm, copy.base != vm->image.base && copy.size == vm->image.size,
              "the copy is at 0x%llx (first image 0x%llx), %llu bytes (first %llu)",
              (unsigned long long)copy.base, (unsigned long long)vm->image.base,
              (unsigned long long)copy.size, (unsigned long long)vm->image.size);
    uint8_t *first = snapshot(vm, &vm->image), *second = snapshot(vm, &copy);
    /* Words that differ other than by relocation or import binding: the
     * globals the first image's DriverEntry wrote, still initial in the
     * second. */
    unsigned ps = vm->ptr_size, written = 0;
    uint64_t delta = copy.base - vm->image.base;
    for (uint64_t off = 0; first != NULL && second != NULL && off + ps <= copy.size; off += ps) {
        uint64_t a = 0, b = 0;
        memcpy(&a, first + off, ps);
        memcpy(&b, second + off, ps);
        bool thunk = a - vm->map.thunks < 0x1000 && b - vm->map.thunks < 0x1000;
        if (a != b && (uint64_t)(b - a) << (64 - 8 * ps) != delta << (64 - 8 * ps) && !thunk)
            written++;
    }
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
