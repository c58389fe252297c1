/*
 * Loading a driver image: PE32 (x86) or PE32+ (amd64, arm64) mapped away
 * from its preferred base, relocated, section permissions applied, every
 * import bound to a thunk slot.  Imports the harness does not implement make
 * the load fail with their complete list.
 */
#pragma once
#include "vm.h"

bool vw_load_image(struct vm *vm, const char *path);
/* Room for each image: the first at vm->map.image, a second copy after it. */
#define VW_IMAGE_SPAN 0x800000ull
/* A second image of a driver already loaded (the crash-dump/hibernation
 * copy StorPort loads): mapped apart at its own base with its own .data and
 * .bss, relocated and bound like the first; vm->image stays the first. */
bool vw_load_image_copy(struct vm *vm, const char *path, struct vw_image *copy);
