/*
 * The OS layer under the agent's commands: every Windows call the
 * commands need, behind plain C functions.  agent/win/ implements them
 * with Win32; agent/tests/fake_os.c with a scripted fake, so every
 * command's logic runs on the host.  Strings are UTF-8.  A function that
 * fails fills err (GenericError, with the system's message) and returns
 * false.
 */
#ifndef GA_OS_H
#define GA_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ga_err;

/* Time in nanoseconds since 1970-01-01 UTC. */
int64_t ga_os_time_ns(void);
bool ga_os_set_time_ns(int64_t ns, struct ga_err *err);

bool ga_os_host_name(char *buf, size_t size, struct ga_err *err);

/* Zone name (empty when unknown) and offset east of UTC in seconds. */
bool ga_os_timezone(char *zone, size_t size, int64_t *offset, struct ga_err *err);

struct ga_osinfo {
    char kernel_release[32]; /* build number */
    char kernel_version[32]; /* major.minor */
    char machine[16];        /* x86, x86_64, arm64 */
    char pretty_name[128];   /* product name */
    char version[128];       /* long version, e.g. Microsoft Windows 10 */
    char version_id[32];     /* short, e.g. 10, 2019 */
    bool server;
};
bool ga_os_osinfo(struct ga_osinfo *info, struct ga_err *err);

/* Logical processors Windows knows. */
bool ga_os_cpu_count(unsigned *count, struct ga_err *err);

/* Logged-in users: cb per session, login time in 100 ns since 1970. */
typedef void (*ga_user_cb)(void *ctx, const char *user, const char *domain, int64_t login_100ns);
bool ga_os_users(ga_user_cb cb, void *ctx, struct ga_err *err);

struct ga_ipaddr {
    char text[64];
    bool v6;
    unsigned prefix;
};
struct ga_netif {
    char name[256];
    unsigned char mac[32];
    unsigned mac_len;
    struct ga_ipaddr addrs[32];
    unsigned naddrs;
    bool have_stats;
    uint64_t rx_bytes, rx_packets, rx_errs, rx_dropped;
    uint64_t tx_bytes, tx_packets, tx_errs, tx_dropped;
};
typedef void (*ga_netif_cb)(void *ctx, const struct ga_netif *nif);
bool ga_os_netifs(ga_netif_cb cb, void *ctx, struct ga_err *err);

/* Where a disk sits (QEMU's GuestDiskAddress); -1 where unknown. */
struct ga_disk_addr {
    char dev[64]; /* \\.\PhysicalDriveN */
    int pci_domain, pci_bus, pci_slot, pci_function;
    const char *bus_type; /* QEMU's GuestDiskBusType name (core/disk.h) */
    int bus, target, unit;
    char serial[128]; /* empty: none */
};
/* Most disks listed per volume (extents beyond are left out). */
#define GA_VOLUME_MAX_DISKS 8

struct ga_volume {
    char name[260];       /* volume GUID path */
    char mountpoint[260]; /* first mount point, e.g. C:\ */
    char type[32];        /* file system, e.g. NTFS */
    bool have_sizes;
    uint64_t used, total;
    struct ga_disk_addr disks[GA_VOLUME_MAX_DISKS];
    unsigned ndisks;
};
typedef void (*ga_volume_cb)(void *ctx, const struct ga_volume *vol);
bool ga_os_volumes(ga_volume_cb cb, void *ctx, struct ga_err *err);

/* Disks (guest-get-disks): name \\.\PhysicalDriveN and, when it could be
 * read, its address. */
struct ga_disk {
    char name[64];
    bool have_address;
    struct ga_disk_addr addr;
};
typedef void (*ga_disk_cb)(void *ctx, const struct ga_disk *disk);
bool ga_os_disks(ga_disk_cb cb, void *ctx, struct ga_err *err);

/* guest-fstrim: for each fixed volume with a mount path, defrag.exe /L on
 * it; cb gets the path and defrag's output (or start_error, the reason it
 * could not run or finish, e.g. its time-out). */
typedef void (*ga_trim_cb)(void *ctx, const char *path, const char *output, size_t len,
                           const char *start_error);
bool ga_os_trim(ga_trim_cb cb, void *ctx, struct ga_err *err);
/* How long one defrag /L may run before it is ended (ms). */
#define GA_TRIM_TIMEOUT_MS (10u * 60 * 1000)

/* guest-ssh-*: where a user's OpenSSH keys live. */
struct ga_ssh_user {
    bool admin;     /* in Administrators: %ProgramData%\ssh\administrators_authorized_keys */
    char dir[780];  /* the folder (made with the file's ACL when missing) */
    char file[820]; /* the key file */
    char sid[192];  /* the account's SID, S-1-5-... */
};
/* Most bytes a key file may have. */
#define GA_SSH_MAX_FILE (1u << 20)
/* Looks the account up (a missing account is an error). */
bool ga_os_ssh_user(const char *user, struct ga_ssh_user *u, struct ga_err *err);
/* Reads the key file whole (*data from ga_alloc); *missing when it does
 * not exist.  A link (file or folder) is refused. */
bool ga_os_ssh_read(const struct ga_ssh_user *u, char **data, size_t *len, bool *missing,
                    struct ga_err *err);
/* Replaces the key file by data[0..len), all or nothing, with OpenSSH's
 * ACL; makes the folder when missing.  A link is refused. */
bool ga_os_ssh_write(const struct ga_ssh_user *u, const char *data, size_t len, struct ga_err *err);

/* Load averages (1, 5, 15 minutes) in fixed point (core/load.h). */
bool ga_os_load(uint32_t avg[3], struct ga_err *err);

/* Starts suspending (after the reply would have gone: the command sends
 * none on success); fails at once when Windows cannot. */
enum ga_suspend_mode { GA_SUSPEND_DISK, GA_SUSPEND_RAM };
bool ga_os_suspend(enum ga_suspend_mode mode, struct ga_err *err);

/* Sets a local account's password. */
bool ga_os_set_password(const char *user, const char *password, struct ga_err *err);

/* PCI devices of the virtio and QEMU vendors and their drivers. */
struct ga_device {
    char name[256];   /* the device's name */
    char version[64]; /* driver version, empty when unknown */
    bool have_date;
    int64_t date_ns; /* driver date, ns since 1970 */
    uint16_t vendor, device;
};
typedef void (*ga_device_cb)(void *ctx, const struct ga_device *dev);
bool ga_os_devices(ga_device_cb cb, void *ctx, struct ga_err *err);
/* Parses "PCI\VEN_1AF4&DEV_1041..." (hex digits either case); true for
 * the virtio (1AF4) and QEMU (1B36) vendors only. */
bool ga_pci_hwid(const char *hwid, uint16_t *vendor, uint16_t *device);

/* guest-fsfreeze-*: freezing through VSS (win/vss_requester.c).
 * Freezes the volumes named by their mount paths (NULL-terminated, e.g.
 * "C:\\"; NULL: every fixed volume) and returns once writers and I/O are
 * held; *count is the number of volumes frozen (0: none to freeze, nothing
 * held).  On failure nothing stays frozen. */
bool ga_os_vss_freeze(const char *const *volumes, int64_t *count, struct ga_err *err);
/* Ends the hold: *count the volumes that were frozen.  *timed_out when
 * VSS had already ended the hold (its 10-second limit); err then holds the
 * system's text for it.  Nothing is held afterwards, whatever the result. */
bool ga_os_vss_thaw(int64_t *count, bool *timed_out, struct ga_err *err);

enum ga_shutdown_mode { GA_SHUTDOWN_POWERDOWN, GA_SHUTDOWN_HALT, GA_SHUTDOWN_REBOOT };
bool ga_os_shutdown(enum ga_shutdown_mode mode, struct ga_err *err);

/* Files (guest-file-*).  mode is already checked by the caller. */
struct ga_open_mode {
    bool read, write, append;
    enum { GA_OPEN_EXISTING, GA_CREATE_ALWAYS, GA_OPEN_ALWAYS } disposition;
};
bool ga_os_file_open(const char *path, const struct ga_open_mode *mode, void **file,
                     struct ga_err *err);
bool ga_os_file_read(void *file, void *buf, size_t len, size_t *got, struct ga_err *err);
bool ga_os_file_write(void *file, const void *buf, size_t len, size_t *put, struct ga_err *err);
/* whence: 0 set, 1 cur, 2 end. */
bool ga_os_file_seek(void *file, int64_t offset, int whence, int64_t *pos, struct ga_err *err);
bool ga_os_file_flush(void *file, struct ga_err *err);
void ga_os_file_close(void *file);

/* Processes (guest-exec). */
struct ga_exec_req {
    const char *path;
    const char *const *argv; /* NULL-terminated, without path */
    const char *const *envp; /* NULL-terminated "NAME=value", or NULL: inherit */
    const unsigned char *input;
    size_t input_len;
    bool capture;
};
struct ga_exec_state {
    bool exited;
    int64_t exitcode;
    const unsigned char *out, *errout; /* captured so far (valid until the next call) */
    size_t out_len, err_len;
    bool out_truncated, err_truncated;
};
/* Most output kept per stream, as QEMU's agent (16 MiB). */
#define GA_EXEC_MAX_OUTPUT (16u << 20)
bool ga_os_exec_start(const struct ga_exec_req *req, void **proc, int64_t *pid, struct ga_err *err);
void ga_os_exec_poll(void *proc, struct ga_exec_state *st);
void ga_os_exec_free(void *proc);

#endif
