/*
 * Loading a driver image: PE32 (x86) or PE32+ (amd64, arm64) mapped away
 * from its preferred base, relocated, section permissions applied, every
 * import bound to a thunk slot.  Imports the harness does not implement make
 * the load fail with their complete list.
 */
#pragma once
#include "vm.h"

bool vw_load_image(struct vm *vm, const char *path);
/* In the runner before it forks, with the machine template of an arch
 * (vm.h): what every run loading PATH as its first image would compute
 * alike, computed once (the hook sites of its code, cpu.h).  Quiet: a
 * missing or bad image is the run's to report. */
void vw_image_remember(const struct vm *template, const char *path);
/* Room for each image: the first at vm->map.image, second images at
 * vm->map.copies, one span each. */
#define VW_IMAGE_SPAN 0x800000ull
/* Second images one machine can hold: the crash-dump copy and the
 * hibernation copy Windows loads apart ("dump_" and "hiber_"), and spares. */
#define VW_IMAGE_COPIES 4u
/* A second image of a driver already loaded (the crash-dump/hibernation
 * copy StorPort loads): mapped apart at its own base, a fresh one at each
 * call, with its own .data and .bss, relocated and bound like the first
 * (its imports share the first image's slots); vm->image stays the first. */
bool vw_load_image_copy(struct vm *vm, const char *path, struct vw_image *copy);
/* The first image's bytes as a fresh load has them (initial .data, zeroed
 * .bss, same base and import slots), written over it: the driver of a
 * machine that restarted. */
bool vw_reload_image(struct vm *vm, const char *path);
