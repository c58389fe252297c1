/* Handlers of the agent's commands (one file per group), for the table in
 * commands.c. */
#ifndef GA_COMMANDS_H
#define GA_COMMANDS_H

#include "agent.h"

#define GA_HANDLER(fn)                                                                             \
    bool fn(struct ga *ga, const struct gj *args, struct gw *out, struct ga_err *err)

/* cmd_base.c */
GA_HANDLER(ga_cmd_ping);
GA_HANDLER(ga_cmd_info);
GA_HANDLER(ga_cmd_sync);
GA_HANDLER(ga_cmd_sync_delimited);
GA_HANDLER(ga_cmd_unsupported);
/* cmd_system.c */
GA_HANDLER(ga_cmd_get_time);
GA_HANDLER(ga_cmd_set_time);
GA_HANDLER(ga_cmd_get_host_name);
GA_HANDLER(ga_cmd_get_timezone);
GA_HANDLER(ga_cmd_get_osinfo);
GA_HANDLER(ga_cmd_get_vcpus);
GA_HANDLER(ga_cmd_get_users);
GA_HANDLER(ga_cmd_shutdown);
GA_HANDLER(ga_cmd_get_load);
GA_HANDLER(ga_cmd_suspend_disk);
GA_HANDLER(ga_cmd_suspend_ram);
GA_HANDLER(ga_cmd_set_user_password);
/* cmd_inventory.c */
GA_HANDLER(ga_cmd_network_get_interfaces);
GA_HANDLER(ga_cmd_get_fsinfo);
GA_HANDLER(ga_cmd_get_disks);
GA_HANDLER(ga_cmd_fstrim);
GA_HANDLER(ga_cmd_get_devices);
/* cmd_file.c */
GA_HANDLER(ga_cmd_file_open);
GA_HANDLER(ga_cmd_file_close);
GA_HANDLER(ga_cmd_file_read);
GA_HANDLER(ga_cmd_file_write);
GA_HANDLER(ga_cmd_file_seek);
GA_HANDLER(ga_cmd_file_flush);
/* cmd_ssh.c */
GA_HANDLER(ga_cmd_ssh_get_authorized_keys);
GA_HANDLER(ga_cmd_ssh_add_authorized_keys);
GA_HANDLER(ga_cmd_ssh_remove_authorized_keys);
/* freeze.c */
GA_HANDLER(ga_cmd_fsfreeze_status);
GA_HANDLER(ga_cmd_fsfreeze_freeze);
GA_HANDLER(ga_cmd_fsfreeze_freeze_list);
GA_HANDLER(ga_cmd_fsfreeze_thaw);
/* cmd_exec.c */
GA_HANDLER(ga_cmd_exec);
GA_HANDLER(ga_cmd_exec_status);

#endif
