/*
 * Loading a driver image: PE32 (x86) or PE32+ (amd64, arm64) mapped away
 * from its preferred base, relocated, section permissions applied, every
 * import bound to a thunk slot.  Imports the harness does not implement make
 * the load fail with their complete list.
 */
#pragma once
#include "vm.h"

bool vw_load_image(struct vm *vm, const char *path);
