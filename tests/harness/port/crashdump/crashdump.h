/*
 * The crash-dump header KeInitializeCrashDumpHeader returns on this
 * machine's arch (crashdump.c): vw_crash_dump_header_size bytes, for
 * scenarios to compare with what a driver published.
 */
#pragma once
#include "vm.h"

uint32_t vw_crash_dump_header_size(struct vm *vm);
void vw_crash_dump_header(struct vm *vm, uint8_t *out);
