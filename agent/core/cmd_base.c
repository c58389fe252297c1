/* guest-ping, guest-info, guest-sync, guest-sync-delimited, and the
 * answer of commands Windows cannot do. */
#include "commands.h"
#include "freeze.h"

/* guest-ping: an empty reply says the agent is alive. */
GA_HANDLER(ga_cmd_ping)
{
    (void)ga, (void)args, (void)out, (void)err;
    return true; /* {"return": {}} */
}

/* guest-info: the version and every command with whether it is enabled. */
GA_HANDLER(ga_cmd_info)
{
    (void)args, (void)err;
    gw_obj_begin(out);
    gw_key(out, "version");
    gw_str(out, ga->version);
    gw_key(out, "supported_commands");
    gw_arr_begin(out);
    for (size_t i = 0; i < ga_command_count; i++) {
        gw_obj_begin(out);
        gw_key(out, "enabled");
        /* As QEMU's: commands refused while frozen show as disabled. */
        gw_bool(out, ga->enabled[i] && ga_freeze_allows(ga, ga_commands[i].name));
        gw_key(out, "name");
        gw_str(out, ga_commands[i].name);
        gw_key(out, "success-response");
        gw_bool(out, !(ga_commands[i].flags & GA_CMD_NO_SUCCESS_RESPONSE));
        gw_obj_end(out);
    }
    gw_arr_end(out);
    gw_obj_end(out);
    return true;
}

/* Echoes "id" as it came (QEMU's agent returns the value it was given). */
static void echo_id(const struct gj *args, struct gw *out)
{
    gw_value(out, gj_get(args, "id"));
}

/* guest-sync: echo the id so the host can match replies after a resync. */
GA_HANDLER(ga_cmd_sync)
{
    (void)ga, (void)err;
    echo_id(args, out);
    return true;
}

/* guest-sync-delimited: as guest-sync, the reply preceded by the 0xFF sentinel. */
GA_HANDLER(ga_cmd_sync_delimited)
{
    (void)err;
    ga_set_delimited(ga);
    echo_id(args, out);
    return true;
}

/* The handler of commands Windows cannot do, answered as QEMU's agent does. */
GA_HANDLER(ga_cmd_unsupported)
{
    (void)ga, (void)args, (void)out;
    return ga_error(err, "%s", GA_UNSUPPORTED);
}
