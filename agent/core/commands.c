/* The command table: names, parameters (from QEMU's schema) and handlers.
 * Commands QEMU's agent registers on Windows but we cannot do yet answer
 * GenericError "this feature or command is not currently supported", as
 * QEMU's agent answers what Windows does not support. */
#include "commands.h"

#define P(name, type)   {name, type, false}
#define OPT(name, type) {name, type, true}
#define END             {0, 0, 0}

static const struct ga_param p_sync[] = {P("id", GA_P_INT), END};
static const struct ga_param p_set_time[] = {OPT("time", GA_P_INT), END};
static const struct ga_param p_shutdown[] = {OPT("mode", GA_P_STR), END};
static const struct ga_param p_file_open[] = {P("path", GA_P_STR), OPT("mode", GA_P_STR), END};
static const struct ga_param p_handle[] = {P("handle", GA_P_INT), END};
static const struct ga_param p_file_read[] = {P("handle", GA_P_INT), OPT("count", GA_P_INT), END};
static const struct ga_param p_file_write[] = {P("handle", GA_P_INT), P("buf-b64", GA_P_STR),
                                               OPT("count", GA_P_INT), END};
static const struct ga_param p_file_seek[] = {P("handle", GA_P_INT), P("offset", GA_P_INT),
                                              P("whence", GA_P_ANY), END};
static const struct ga_param p_exec[] = {
    P("path", GA_P_STR),         OPT("arg", GA_P_STRLIST),        OPT("env", GA_P_STRLIST),
    OPT("input-data", GA_P_STR), OPT("capture-output", GA_P_ANY), END};
static const struct ga_param p_exec_status[] = {P("pid", GA_P_INT), END};
static const struct ga_param p_freeze_list[] = {OPT("mountpoints", GA_P_STRLIST), END};
static const struct ga_param p_fstrim[] = {OPT("minimum", GA_P_INT), END};
static const struct ga_param p_set_vcpus[] = {P("vcpus", GA_P_ANY), END};
static const struct ga_param p_password[] = {P("username", GA_P_STR), P("password", GA_P_STR),
                                             P("crypted", GA_P_BOOL), END};
static const struct ga_param p_mem_blocks[] = {P("mem-blks", GA_P_ANY), END};
static const struct ga_param p_ssh_get[] = {P("username", GA_P_STR), END};
static const struct ga_param p_ssh_add[] = {P("username", GA_P_STR), P("keys", GA_P_STRLIST),
                                            OPT("reset", GA_P_BOOL), END};
static const struct ga_param p_ssh_remove[] = {P("username", GA_P_STR), P("keys", GA_P_STRLIST),
                                               END};

#define NOREPLY GA_CMD_NO_SUCCESS_RESPONSE

const struct ga_cmd ga_commands[] = {
    {"guest-sync-delimited", ga_cmd_sync_delimited, p_sync, 0},
    {"guest-sync", ga_cmd_sync, p_sync, 0},
    {"guest-ping", ga_cmd_ping, NULL, 0},
    {"guest-get-time", ga_cmd_get_time, NULL, 0},
    {"guest-set-time", ga_cmd_set_time, p_set_time, 0},
    {"guest-info", ga_cmd_info, NULL, 0},
    {"guest-shutdown", ga_cmd_shutdown, p_shutdown, NOREPLY},
    {"guest-file-open", ga_cmd_file_open, p_file_open, 0},
    {"guest-file-close", ga_cmd_file_close, p_handle, 0},
    {"guest-file-read", ga_cmd_file_read, p_file_read, 0},
    {"guest-file-write", ga_cmd_file_write, p_file_write, 0},
    {"guest-file-seek", ga_cmd_file_seek, p_file_seek, 0},
    {"guest-file-flush", ga_cmd_file_flush, p_handle, 0},
    {"guest-fsfreeze-status", ga_cmd_fsfreeze_status, NULL, 0},
    {"guest-fsfreeze-freeze", ga_cmd_fsfreeze_freeze, NULL, 0},
    {"guest-fsfreeze-freeze-list", ga_cmd_fsfreeze_freeze_list, p_freeze_list, 0},
    {"guest-fsfreeze-thaw", ga_cmd_fsfreeze_thaw, NULL, 0},
    {"guest-fstrim", ga_cmd_fstrim, p_fstrim, 0},
    {"guest-suspend-disk", ga_cmd_suspend_disk, NULL, NOREPLY},
    {"guest-suspend-ram", ga_cmd_suspend_ram, NULL, NOREPLY},
    {"guest-suspend-hybrid", ga_cmd_unsupported, NULL, NOREPLY},
    {"guest-network-get-interfaces", ga_cmd_network_get_interfaces, NULL, 0},
    {"guest-get-vcpus", ga_cmd_get_vcpus, NULL, 0},
    {"guest-set-vcpus", ga_cmd_unsupported, p_set_vcpus, 0},
    {"guest-get-disks", ga_cmd_get_disks, NULL, 0},
    {"guest-get-fsinfo", ga_cmd_get_fsinfo, NULL, 0},
    {"guest-set-user-password", ga_cmd_set_user_password, p_password, 0},
    {"guest-get-memory-blocks", ga_cmd_unsupported, NULL, 0},
    {"guest-set-memory-blocks", ga_cmd_unsupported, p_mem_blocks, 0},
    {"guest-get-memory-block-info", ga_cmd_unsupported, NULL, 0},
    {"guest-exec-status", ga_cmd_exec_status, p_exec_status, 0},
    {"guest-exec", ga_cmd_exec, p_exec, 0},
    {"guest-get-host-name", ga_cmd_get_host_name, NULL, 0},
    {"guest-get-users", ga_cmd_get_users, NULL, 0},
    {"guest-get-timezone", ga_cmd_get_timezone, NULL, 0},
    {"guest-get-osinfo", ga_cmd_get_osinfo, NULL, 0},
    {"guest-get-devices", ga_cmd_get_devices, NULL, 0},
    {"guest-ssh-get-authorized-keys", ga_cmd_ssh_get_authorized_keys, p_ssh_get, 0},
    {"guest-ssh-add-authorized-keys", ga_cmd_ssh_add_authorized_keys, p_ssh_add, 0},
    {"guest-ssh-remove-authorized-keys", ga_cmd_ssh_remove_authorized_keys, p_ssh_remove, 0},
    {"guest-get-load", ga_cmd_get_load, NULL, 0},
};

const size_t ga_command_count = sizeof(ga_commands) / sizeof(ga_commands[0]);
