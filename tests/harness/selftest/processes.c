/*
 * Processes (process.h) with the planted driver badproc: a user mapping
 * undone in its own process passes; unmapped in another process (the
 * last handle closed by a process the handle was duplicated or inherited
 * into), left behind at process exit, or failing with no exception handler,
 * it is a bug check as on Windows.
 */
#include "kernel.h"
#include "process.h"
#include "scenario.h"

#define IOCTL(f)             (0x22u << 16 | (0x800u + (f)) << 2)
#define IOCTL_MAP            IOCTL(0)
#define IOCTL_MAP_KEEP       IOCTL(1)
#define IOCTL_UNMAP_ATTACHED IOCTL(2)
#define IOCTL_LAST_EXIT      IOCTL(3)

static gva_t load(struct vm *vm)
{
    if (!vw_driver_load(vm, "badproc"))
        return 0;
    gva_t dev = vw_object_lookup(vm, "\\Device\\BadProc");
    VW_EXPECT(vm, dev != 0, "no \\Device\\BadProc");
    return dev;
}

/* Open from PROCESS and map into it. */
static gva_t open_mapped(struct vm *vm, gva_t dev, unsigned process, uint32_t ioctl)
{
    uint32_t status;
    gva_t file = vw_open_as(vm, process, dev, VW_OPEN_READ_WRITE, &status);
    VW_EXPECT(vm, file != 0, "open failed: 0x%08x", status);
    unsigned prev = vw_process_enter(vm, process);
    status = vw_file_ioctl(vm, dev, file, ioctl, NULL, 0, NULL, 0, NULL);
    vw_process_enter(vm, prev);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "map failed: 0x%08x", status);
    return file;
}

VW_SCENARIO("harness", process_map_own_process, NULL)
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    gva_t file = open_mapped(vm, dev, a, IOCTL_MAP);
    VW_EXPECT(vm, vw_handle_close(vm, a, file) == VW_STATUS_SUCCESS, "close failed");
    /* A process exiting with its handle open: cleanup runs in it. */
    file = open_mapped(vm, dev, a, IOCTL_MAP);
    vw_process_exit(vm, a);
    /* The notify routine saw the exit, in the exiting process's context. */
    uint64_t pids[2] = {0}, info = 0;
    uint32_t status;
    gva_t own = vw_open_as(vm, VW_PROCESS_SCENARIO, dev, VW_OPEN_READ_WRITE, &status);
    status = vw_file_ioctl(vm, dev, own, IOCTL_LAST_EXIT, NULL, 0, pids, vm->ptr_size * 2, &info);
    if (vm->ptr_size == 4)
        pids[1] = pids[0] >> 32, pids[0] &= 0xffffffffu;
    VW_EXPECT(vm,
              status == VW_STATUS_SUCCESS && pids[0] == vw_process_id(vm, a) && pids[1] == pids[0],
              "exit notify: status 0x%08x, process 0x%llx in 0x%llx (want 0x%llx)", status,
              (unsigned long long)pids[0], (unsigned long long)pids[1],
              (unsigned long long)vw_process_id(vm, a));
    vw_file_close(vm, dev, own);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", process_unmap_attached, NULL)
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    unsigned b = vw_process_create(vm, VW_TOKEN_USER);
    gva_t file = open_mapped(vm, dev, a, IOCTL_MAP_KEEP);
    VW_EXPECT(vm, vw_handle_duplicate(vm, a, file, b), "duplicate failed");
    vw_process_enter(vm, b);
    /* KeStackAttachProcess to the owner: the right context from anywhere. */
    uint32_t status = vw_file_ioctl(vm, dev, file, IOCTL_UNMAP_ATTACHED, NULL, 0, NULL, 0, NULL);
    VW_EXPECT(vm, status == VW_STATUS_SUCCESS, "unmap failed: 0x%08x", status);
    vw_process_exit(vm, a);
    vw_process_exit(vm, b);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_unmap_wrong_process_duplicated, "bug check 0xd7")
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    unsigned b = vw_process_create(vm, VW_TOKEN_USER);
    gva_t file = open_mapped(vm, dev, a, IOCTL_MAP);
    vw_handle_duplicate(vm, a, file, b);
    vw_handle_close(vm, a, file);
    vw_handle_close(vm, b, file); /* the last handle: cleanup unmaps in b */
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_unmap_wrong_process_inherited, "bug check 0xd7")
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    gva_t file = open_mapped(vm, dev, a, IOCTL_MAP);
    unsigned child = vw_process_spawn(vm, a, VW_TOKEN_USER);
    vw_handle_close(vm, a, file); /* the child still holds the handle */
    vw_process_exit(vm, child);   /* its rundown unmaps in the child */
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_process_exit_mapped, "bug check 0x76")
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    open_mapped(vm, dev, a, IOCTL_MAP_KEEP);
    vw_process_exit(vm, a);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_user_map_failure_unhandled, "bug check 0x1e")
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    vw_fail_next_user_map(vm);
    open_mapped(vm, dev, a, IOCTL_MAP);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", checker_user_mapping_at_unload, "that is still mapped")
{
    gva_t dev = load(vm);
    unsigned a = vw_process_create(vm, VW_TOKEN_USER);
    open_mapped(vm, dev, a, IOCTL_MAP_KEEP);
    vw_driver_unload(vm);
}
