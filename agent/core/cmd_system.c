/* Time, names, OS information, processors, users and shutdown. */
#include <string.h>

#include "b64.h"
#include "commands.h"
#include "load.h"
#include "os.h"
#include "util.h"

/* guest-get-time: nanoseconds since the Unix epoch. */
GA_HANDLER(ga_cmd_get_time)
{
    (void)ga, (void)args, (void)err;
    gw_int(out, ga_os_time_ns());
    return true;
}

/* guest-set-time: set the system time (without a time: refused, as QEMU's agent on Windows). */
GA_HANDLER(ga_cmd_set_time)
{
    (void)ga, (void)out;
    if (!ga_arg_has(args, "time")) {
        /* Windows cannot read the RTC apart from the system time; QEMU's
         * agent refuses the same way. */
        return ga_error(err, "%s", GA_UNSUPPORTED);
    }
    int64_t ns = ga_arg_int(args, "time", 0);
    /* Windows' FILETIME starts in 1601 and cannot be negative; keep the
     * value where the conversion is exact and meaningful. */
    if (ns < 0 || ns > INT64_MAX / 2) {
        return ga_error(err, "Time %lld is invalid", (long long)ns);
    }
    return ga_os_set_time_ns(ns, err);
}

/* guest-get-host-name: the computer name. */
GA_HANDLER(ga_cmd_get_host_name)
{
    (void)ga, (void)args;
    char name[256];
    if (!ga_os_host_name(name, sizeof(name), err)) {
        return false;
    }
    gw_obj_begin(out);
    gw_key(out, "host-name");
    gw_str(out, name);
    gw_obj_end(out);
    return true;
}

/* guest-get-timezone: the zone's name and its offset from UTC in seconds. */
GA_HANDLER(ga_cmd_get_timezone)
{
    (void)ga, (void)args;
    char zone[128];
    int64_t offset;
    if (!ga_os_timezone(zone, sizeof(zone), &offset, err)) {
        return false;
    }
    gw_obj_begin(out);
    if (zone[0]) {
        gw_key(out, "zone");
        gw_str(out, zone);
    }
    gw_key(out, "offset");
    gw_int(out, offset);
    gw_obj_end(out);
    return true;
}

/* Writes key: value when value is not empty. */
static void opt_str(struct gw *out, const char *key, const char *value)
{
    if (value[0]) {
        gw_key(out, key);
        gw_str(out, value);
    }
}

/* guest-get-osinfo: Windows' name, version and build in QEMU's fields. */
GA_HANDLER(ga_cmd_get_osinfo)
{
    (void)ga, (void)args;
    struct ga_osinfo info;
    memset(&info, 0, sizeof(info));
    if (!ga_os_osinfo(&info, err)) {
        return false;
    }
    const char *variant = info.server ? "server" : "client";
    gw_obj_begin(out);
    opt_str(out, "kernel-release", info.kernel_release);
    opt_str(out, "kernel-version", info.kernel_version);
    opt_str(out, "machine", info.machine);
    gw_key(out, "id");
    gw_str(out, "mswindows");
    gw_key(out, "name");
    gw_str(out, "Microsoft Windows");
    opt_str(out, "pretty-name", info.pretty_name);
    opt_str(out, "version", info.version);
    opt_str(out, "version-id", info.version_id);
    gw_key(out, "variant");
    gw_str(out, variant);
    gw_key(out, "variant-id");
    gw_str(out, variant);
    gw_obj_end(out);
    return true;
}

/* guest-get-vcpus: one entry per active processor, all online. */
GA_HANDLER(ga_cmd_get_vcpus)
{
    (void)ga, (void)args;
    unsigned n;
    if (!ga_os_cpu_count(&n, err)) {
        return false;
    }
    gw_arr_begin(out);
    for (unsigned i = 0; i < n; i++) {
        gw_obj_begin(out);
        gw_key(out, "logical-id");
        gw_int(out, i);
        gw_key(out, "online");
        gw_bool(out, true);
        /* Windows cannot take a processor offline. */
        gw_key(out, "can-offline");
        gw_bool(out, false);
        gw_obj_end(out);
    }
    gw_arr_end(out);
    return true;
}

#define GA_MAX_USERS 256

struct users {
    struct {
        char name[128];
        char domain[128];
        int64_t login;
    } u[GA_MAX_USERS];
    unsigned n;
};

/* Collects one session's user, keeping each user once with the earliest
 * login time (QEMU's rule). */
static void add_user(void *ctx, const char *user, const char *domain, int64_t login)
{
    struct users *us = ctx;
    for (unsigned i = 0; i < us->n; i++) {
        if (ga_streq(us->u[i].name, user) && ga_streq(us->u[i].domain, domain)) {
            if (login < us->u[i].login) {
                us->u[i].login = login;
            }
            return;
        }
    }
    if (us->n < GA_MAX_USERS) {
        ga_fmt(us->u[us->n].name, sizeof(us->u[0].name), "%s", user);
        ga_fmt(us->u[us->n].domain, sizeof(us->u[0].domain), "%s", domain);
        us->u[us->n].login = login;
        us->n++;
    }
}

/* 100 ns units as decimal seconds with seven fraction digits. */
static void seconds_text(char *t, size_t size, int64_t v)
{
    char frac[8];
    int64_t f = (v < 0 ? 0 : v) % 10000000;
    for (int i = 6; i >= 0; i--, f /= 10) {
        frac[i] = (char)('0' + f % 10);
    }
    frac[7] = 0;
    ga_fmt(t, size, "%lld.%s", (long long)((v < 0 ? 0 : v) / 10000000), frac);
}

/* guest-get-users: logged-in users (each once) with their earliest login time. */
GA_HANDLER(ga_cmd_get_users)
{
    (void)ga, (void)args;
    struct users *us = ga_alloc(sizeof(*us));
    if (!us) {
        return ga_error(err, "out of memory");
    }
    if (!ga_os_users(add_user, us, err)) {
        ga_free(us);
        return false;
    }
    gw_arr_begin(out);
    for (unsigned i = 0; i < us->n; i++) {
        char t[48];
        seconds_text(t, sizeof(t), us->u[i].login);
        gw_obj_begin(out);
        gw_key(out, "user");
        gw_str(out, us->u[i].name);
        gw_key(out, "login-time");
        gw_number_text(out, t);
        if (us->u[i].domain[0]) {
            gw_key(out, "domain");
            gw_str(out, us->u[i].domain);
        }
        gw_obj_end(out);
    }
    gw_arr_end(out);
    ga_free(us);
    return true;
}

/* guest-shutdown: power down, halt or reboot. */
GA_HANDLER(ga_cmd_shutdown)
{
    (void)out;
    const char *mode = ga_arg_str(args, "mode", "powerdown");
    enum ga_shutdown_mode m;
    if (ga_streq(mode, "powerdown")) {
        m = GA_SHUTDOWN_POWERDOWN;
    } else if (ga_streq(mode, "halt")) {
        m = GA_SHUTDOWN_HALT;
    } else if (ga_streq(mode, "reboot")) {
        m = GA_SHUTDOWN_REBOOT;
    } else {
        return ga_error(err, "Parameter 'mode' expects 'halt', 'powerdown' or 'reboot'");
    }
    if (!ga_os_shutdown(m, err)) {
        return false;
    }
    ga->shutdown_requested = true;
    return true;
}

/* guest-get-load: the smoothed processor queue length over 1, 5 and 15 minutes. */
GA_HANDLER(ga_cmd_get_load)
{
    (void)ga, (void)args;
    uint32_t avg[3];
    if (!ga_os_load(avg, err)) {
        return false;
    }
    static const char *const keys[3] = {"load1", "load5", "load15"};
    gw_obj_begin(out);
    for (int i = 0; i < 3; i++) {
        char t[24];
        ga_load_text(avg[i], t, sizeof(t));
        gw_key(out, keys[i]);
        gw_number_text(out, t);
    }
    gw_obj_end(out);
    return true;
}

/* guest-suspend-disk: hibernate, when the machine can. */
GA_HANDLER(ga_cmd_suspend_disk)
{
    (void)ga, (void)args, (void)out;
    return ga_os_suspend(GA_SUSPEND_DISK, err);
}

/* guest-suspend-ram: sleep, when the machine can. */
GA_HANDLER(ga_cmd_suspend_ram)
{
    (void)ga, (void)args, (void)out;
    return ga_os_suspend(GA_SUSPEND_RAM, err);
}

/* guest-set-user-password: set a local user's password (clear text only). */
GA_HANDLER(ga_cmd_set_user_password)
{
    (void)ga, (void)out;
    if (ga_arg_bool(args, "crypted", false)) {
        /* Windows takes clear-text passwords only, as with QEMU's agent. */
        return ga_error(err, "%s", GA_UNSUPPORTED);
    }
    const struct gj *pw = gj_get(args, "password");
    unsigned char *clear = ga_alloc(pw->len / 4 * 3 + 4);
    if (!clear) {
        return ga_error(err, "out of memory");
    }
    size_t len = 0;
    bool ok;
    if (!b64_decode(pw->s, pw->len, clear, &len)) {
        ok = ga_error(err, "Invalid Base64 data");
    } else if (memchr(clear, 0, len) || !gj_utf8_valid((const char *)clear, len)) {
        ok = ga_error(err, "password must be UTF-8 text without NUL characters");
    } else {
        clear[len] = 0;
        ok = ga_os_set_password(ga_arg_str(args, "username", ""), (const char *)clear, err);
    }
    /* The password does not stay in the agent's memory. */
    for (volatile unsigned char *p = clear; p < clear + len; p++) {
        *p = 0;
    }
    ga_free(clear);
    return ok;
}
