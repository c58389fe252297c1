/*
 * What scenarios drive: the parts of the I/O and PnP managers that load a
 * driver, build device stacks on PDOs with resources, send PnP IRPs, crash
 * the machine, and unload the driver with leak checks.
 */
#pragma once
#include "vm.h"
#include "vw_irp.h"
#include "vw_resources.h"

enum vw_resource_type {
    VW_RES_PORT = VW_CM_RESOURCE_TYPE_PORT,
    VW_RES_INTERRUPT = VW_CM_RESOURCE_TYPE_INTERRUPT,
    VW_RES_MEMORY = VW_CM_RESOURCE_TYPE_MEMORY,
};
enum vw_interface { VW_ISA = 1, VW_PCI_BUS = 5, VW_ACPI_BUS = 17 };

/* A range (START, LEN), or an interrupt: LEN messages (message-signalled)
 * or, with LEN 0, a level-triggered line.  TRANSLATED, when set, is what the
 * CPU sees for a range (an arm64 PCI I/O BAR: raw port, translated memory). */
struct vw_resource {
    enum vw_resource_type type;
    uint64_t start, len;
    uint64_t translated;
};

/* The image file of driver NAME: out/<arch>/NAME/NAME.sys, else
 * build/<arch>/testdrv/NAME/NAME.sys. */
void vw_driver_path(struct vm *vm, const char *name, char *path, size_t size);
/* Load NAME (out/<arch>/NAME/NAME.sys, else build/<arch>/testdrv/NAME/) and
 * run its DriverEntry; true when it returned a success status. */
bool vw_driver_load(struct vm *vm, const char *name);
/* The machine restarted: the loaded driver's image back to its initial
 * bytes and its DriverEntry run again; true when it returned success. */
bool vw_driver_reboot(struct vm *vm);
/* A PDO of the bus driver owning RESOURCES (raw = translated). */
gva_t vw_pdo_create(struct vm *vm, enum vw_interface bus, const struct vw_resource *res,
                    unsigned count);
/* Serve PDO's PCI configuration space through BUS_INTERFACE_STANDARD. */
struct vw_pci_ops;
void vw_pdo_set_pci(struct vm *vm, gva_t pdo, const struct vw_pci_ops *ops, void *dev);
/* Call the driver's AddDevice for PDO; true on success. */
bool vw_add_device(struct vm *vm, gva_t pdo);
/* Send a PnP IRP to the top of PDO's stack; returns its final status. */
uint32_t vw_pnp(struct vm *vm, gva_t pdo, uint8_t minor);
/* Send a power IRP (IRP_MN_SET_POWER, device power state STATE). */
uint32_t vw_power_set_device(struct vm *vm, gva_t pdo, unsigned state);
/* Send a system power IRP (IRP_MN_SET_POWER, S-state STATE: 1 = S0 ... 4 =
 * S3); the power policy owner asks for the D-IRP with PoRequestPowerIrp. */
uint32_t vw_power_set_system(struct vm *vm, gva_t pdo, unsigned state);
/* IRP_MN_QUERY_POWER for a system (TYPE 0, STATE 1 = S0 ...) or device
 * (TYPE 1, STATE 1 = D0 ...) power state: the one power IRP a driver may
 * fail.  Every IRP_MN_SET_POWER that completes with a failure status fails
 * the scenario (k_power.c). */
uint32_t vw_power_query(struct vm *vm, gva_t pdo, unsigned type, unsigned state);
/* Requests to the top of PDO's stack, as a user-mode handle would send
 * them: IRP_MJ_CREATE/CLOSE, buffered IRP_MJ_DEVICE_CONTROL (METHOD_BUFFERED:
 * the output is copied back, *INFO bytes) and buffered IRP_MJ_READ. */
uint32_t vw_create(struct vm *vm, gva_t pdo);
uint32_t vw_close(struct vm *vm, gva_t pdo);
uint32_t vw_ioctl(struct vm *vm, gva_t pdo, uint32_t code, const void *in, uint32_t in_len,
                  void *out, uint32_t out_len, uint64_t *info);
uint32_t vw_read_request(struct vm *vm, gva_t pdo, void *out, uint32_t len, uint64_t *info);
/* A handle of a user-mode process: CREATE with a fresh FILE_OBJECT (returned,
 * 0 on failure), IOCTLs on it from user mode (RequestorMode UserMode), and
 * its last close: IRP_MJ_CLEANUP (in the process) then IRP_MJ_CLOSE. */
gva_t vw_open(struct vm *vm, gva_t pdo, uint32_t *status);
uint32_t vw_file_ioctl(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                       uint32_t in_len, void *out, uint32_t out_len, uint64_t *info);
uint32_t vw_file_close(struct vm *vm, gva_t pdo, gva_t file);
/* The same from a kernel-mode client of the device (RequestorMode
 * KernelMode), e.g. another driver holding a file object. */
uint32_t vw_file_ioctl_kernel(struct vm *vm, gva_t pdo, gva_t file, uint32_t code, const void *in,
                              uint32_t in_len, void *out, uint32_t out_len, uint64_t *info);
uint32_t vw_cleanup(struct vm *vm, gva_t pdo);

/* A request the driver may keep pending (IRP_MJ_READ 3 / WRITE 4, buffered
 * I/O): sent by vw_request_start, which returns what dispatch returned;
 * DONE, STATUS and INFO follow its completion (a read's bytes land in OUT).
 * Every request must complete before unload. */
struct vw_async {
    gva_t irp, buffer;
    uint32_t len;
    uint8_t major;
    void *out;
    bool done;
    uint32_t status;
    uint64_t info;
};
uint32_t vw_request_start(struct vm *vm, gva_t device, uint8_t major, const void *in, void *out,
                          uint32_t len, struct vw_async *a);
/* IoCancelIrp on a pending request: true when a cancel routine ran. */
bool vw_request_cancel(struct vm *vm, struct vw_async *a);
/* Let the devices, interrupts, DPCs (and work items) run until idle. */
void vw_run(struct vm *vm);
/* The device object PATH names (\GLOBAL??\X as \\.\Global\X opens, or
 * \Device\X), through symbolic links; 0 when nothing has that name. */
gva_t vw_object_lookup(struct vm *vm, const char *path);

/* A value in PDO's hardware key ("Device Parameters"): TYPE is REG_DWORD (4),
 * REG_SZ (1), ...; what IoOpenDeviceRegistryKey + ZwQueryValueKey return. */
void vw_registry_set(struct vm *vm, gva_t pdo, const char *name, uint32_t type, const void *data,
                     uint32_t len);
/* Seeded injection points: with SEED != 0 each scheduling point outside a
 * wait lets the devices run, and delivers interrupts, only at random (per
 * SEED, so a failing seed replays exactly); 0 restores every point. */
void vw_sched_seed(struct vm *vm, uint64_t seed);
/* The run seed (the runner sets it before the scenario): the scheduling
 * seed as vw_sched_seed, and mixed into the random stream of every device
 * created afterwards (delays, completion order, faults); at 0 each device
 * draws from its configured seed alone. */
void vw_run_seed(struct vm *vm, uint64_t seed);
/* FIXED: devices created from now on draw from their configured seed
 * alone, the same behaviour at every run seed (a scenario whose assertion
 * needs one exact device stream). */
void vw_device_seed_fixed(struct vm *vm, bool fixed);
/* Run FN once, from inside the next wait of the driver that would block:
 * another thread acting while a request is in flight. */
void vw_on_next_wait(struct vm *vm, void (*fn)(struct vm *vm, void *ctx), void *ctx);
/* Run FN once from inside a work item, at a scheduling point (a kernel
 * entry at PASSIVE_LEVEL) after SKIP such points: another thread acting
 * while the worker is between two steps that need no wait (a PnP request
 * landing after a work item checked the device state).  FN runs nested in
 * the work item, so it cannot wait for that work item to finish. */
void vw_on_worker_point(struct vm *vm, unsigned skip, void (*fn)(struct vm *vm, void *ctx),
                        void *ctx);
/* Quirk of another NT-compatible kernel: IoConnectInterruptEx
 * (CONNECT_MESSAGE_BASED) returns success but fills neither the connection
 * context nor Version and connects nothing; line-based connections work. */
void vw_intr_quirk_empty_context(struct vm *vm, bool on);
/* Processors (k_cpus.c): CPUS from the environment (default 4) unless a
 * scenario sets N (1..2048) before anything is queued; CPU 0 runs threads,
 * PnP and the scenario. */
bool vw_cpus_set(struct vm *vm, unsigned n);
/* Raise message MESSAGE of PDO's interrupt (0 for a line) as a device
 * would; on a line with no interrupt pending at the device, a spurious
 * (or shared-line) interrupt the ISR must decline. */
void vw_intr_raise(struct vm *vm, gva_t pdo, unsigned message);
/* The same at each of the next TIMES calls of the import IMPORT (a
 * string that lives as long as the machine), before the call's
 * scheduling point: an interrupt landing inside a chosen region. */
void vw_intr_raise_at_import(struct vm *vm, gva_t pdo, unsigned message, const char *import,
                             unsigned times);
/* PnP (or anything) landing while a dispatch routine runs: at the Nth
 * kernel call (import or kernel routine, N >= 1) made at IRQL <=
 * APC_LEVEL by the scenario thread's outermost driver calls from now on
 * (arm it just before the request, e.g. vw_file_ioctl or vw_request_start,
 * so that its dispatch routine makes that call), the harness switches to a new
 * harness thread (System process) that runs FN, e.g. QUERY_STOP + STOP or
 * SURPRISE_REMOVAL with vw_pnp.  FN's driver calls may block (on the
 * remove lock or an event the dispatch routine holds): the dispatch
 * routine then runs on from that kernel call, and FN resumes when its wait
 * is satisfied and the scenario's thread waits or idles.
 * vw_preempt_finish waits until FN has returned (true then). */
void vw_preempt_at(struct vm *vm, unsigned n, void (*fn)(struct vm *vm, void *ctx), void *ctx);
bool vw_preempt_finish(struct vm *vm);
/* vw_preempt_at counting only the kernel calls through the imports named
 * in NAMES ('|'-separated API names, e.g. "KeWaitForSingleObject|
 * KeWaitForMultipleObjects"): the switch comes at the Nth of those. */
void vw_preempt_at_import(struct vm *vm, const char *names, unsigned n,
                          void (*fn)(struct vm *vm, void *ctx), void *ctx);
/* Let UNITS of virtual time (100 ns each) pass with the driver idle:
 * timers fire in order, their DPCs and queued work items run. */
void vw_run_for(struct vm *vm, uint64_t units_100ns);
/* Crash: run the registered bug-check callbacks at HIGH_LEVEL. */
void vw_crash(struct vm *vm, uint32_t code, bool dump_enabled);
/* Unload: the driver must have no device left; then DriverUnload, then the
 * leak checks (pool, mappings, callback registrations). */
bool vw_driver_unload(struct vm *vm);
/* The end of every scenario (the runner calls it): requests still pending
 * fail the run; a driver still loaded has its devices removed as the PnP
 * manager would (the scenario's processes exit, closing their handles;
 * QUERY_REMOVE and REMOVE, or SURPRISE_REMOVAL and REMOVE when the driver
 * refuses) and is unloaded with the leak checks; a machine that bug-checked
 * on purpose (vw_crash) is left as it is. */
void vw_scenario_end(struct vm *vm);

/* __stack_chk_guard: its initial value in the image and its value now. */
bool vw_stack_guard(struct vm *vm, uint64_t *initial, uint64_t *now);
