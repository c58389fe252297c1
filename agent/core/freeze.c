/*
 * guest-fsfreeze-status/-freeze/-freeze-list/-thaw: the agent's freeze
 * state, as QEMU's agent keeps it on Windows.
 *
 * The OS layer freezes through VSS (win/vss_requester.c and our provider,
 * agent/vss/): a freeze returns once writers and I/O are held, and the
 * hold lasts until thaw or until VSS ends it (its 10-second limit), which
 * thaw then reports with QEMU's text.  While frozen only the commands of
 * QEMU's freeze allow list run; the others are refused as QEMU refuses
 * them ("the agent is in frozen state"), so a second freeze never reaches
 * the OS layer.  A thaw without a freeze answers 0, as QEMU's requester.
 */
#include <string.h>

#include "commands.h"
#include "freeze.h"
#include "os.h"
#include "util.h"

/* The commands QEMU's agent still runs while frozen (qga/main.c). */
static const char *const frozen_allowed[] = {
    "guest-ping",
    "guest-info",
    "guest-sync",
    "guest-sync-delimited",
    "guest-fsfreeze-status",
    "guest-fsfreeze-thaw",
};

/* Whether a command may run while filesystems are frozen. */
bool ga_freeze_allows(const struct ga *ga, const char *name)
{
    if (!ga->frozen) {
        return true;
    }
    for (size_t i = 0; i < sizeof(frozen_allowed) / sizeof(frozen_allowed[0]); i++) {
        if (ga_streq(frozen_allowed[i], name)) {
            return true;
        }
    }
    return false;
}

/* guest-fsfreeze-status: frozen or thawed. */
GA_HANDLER(ga_cmd_fsfreeze_status)
{
    (void)args, (void)err;
    gw_str(out, ga->frozen ? "frozen" : "thawed");
    return true;
}

/* ASCII case-insensitive equality, a trailing backslash on either side
 * ignored (Windows mount paths are "C:\" or "C:\mnt\data\"). */
static bool same_mount_path(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    la -= la && a[la - 1] == '\\';
    lb -= lb && b[lb - 1] == '\\';
    if (la != lb || la == 0) {
        return false;
    }
    for (size_t i = 0; i < la; i++) {
        char x = a[i], y = b[i];
        x = (char)(x >= 'a' && x <= 'z' ? x - 32 : x);
        y = (char)(y >= 'a' && y <= 'z' ? y - 32 : y);
        if (x != y) {
            return false;
        }
    }
    return true;
}

/* The volumes a freeze-list names, each matched to a mounted volume. */
struct freeze_list {
    const char *want[GA_FREEZE_MAX_VOLUMES];
    char path[GA_FREEZE_MAX_VOLUMES][260]; /* the volume's own spelling */
    bool found[GA_FREEZE_MAX_VOLUMES];
    unsigned n;
};

/* ga_os_volumes callback: records the mount path of each named volume. */
static void match_volume(void *ctx, const struct ga_volume *vol)
{
    struct freeze_list *l = ctx;
    for (unsigned i = 0; i < l->n; i++) {
        if (!l->found[i] && vol->mountpoint[0] && same_mount_path(l->want[i], vol->mountpoint)) {
            l->found[i] = true;
            ga_fmt(l->path[i], sizeof(l->path[i]), "%s", vol->mountpoint);
        }
    }
}

/* Freezes the given volumes (NULL: every fixed one) and enters "frozen". */
static bool do_freeze(struct ga *ga, const char *const *volumes, struct gw *out, struct ga_err *err)
{
    int64_t count = 0;
    if (ga->frozen) { /* not reachable: the frozen filter refuses a second freeze */
        gw_int(out, 0);
        return true;
    }
    if (!ga_os_vss_freeze(volumes, &count, err)) {
        return false; /* the OS layer left nothing frozen */
    }
    ga->frozen = count > 0;
    gw_int(out, count);
    return true;
}

/* guest-fsfreeze-freeze: freeze every volume through VSS. */
GA_HANDLER(ga_cmd_fsfreeze_freeze)
{
    (void)args;
    return do_freeze(ga, NULL, out, err);
}

/* guest-fsfreeze-freeze-list: freeze the volumes named (all when none). */
GA_HANDLER(ga_cmd_fsfreeze_freeze_list)
{
    const struct gj *mp = gj_get(args, "mountpoints");
    if (!mp || mp->count == 0) {
        return do_freeze(ga, NULL, out, err); /* as QEMU: an empty list is every volume */
    }
    static struct freeze_list l; /* 17 KiB: not on the agent's stack */
    memset(&l, 0, sizeof(l));
    for (const struct gj *e = mp->first; e; e = e->next) {
        if (l.n == GA_FREEZE_MAX_VOLUMES) {
            return ga_error(err, "failed to add %s to snapshot set: at most %u volumes", e->s,
                            GA_FREEZE_MAX_VOLUMES);
        }
        for (unsigned i = 0; i < l.n; i++) {
            if (same_mount_path(l.want[i], e->s)) {
                return ga_error(err, "failed to add %s to snapshot set: named twice", e->s);
            }
        }
        l.want[l.n++] = e->s;
    }
    if (!ga_os_volumes(match_volume, &l, err)) {
        return false;
    }
    const char *volumes[GA_FREEZE_MAX_VOLUMES + 1];
    for (unsigned i = 0; i < l.n; i++) {
        if (!l.found[i]) {
            return ga_error(err,
                            "failed to add %s to snapshot set: no mounted volume has that path",
                            l.want[i]);
        }
        volumes[i] = l.path[i];
    }
    volumes[l.n] = NULL;
    return do_freeze(ga, volumes, out, err);
}

/* guest-fsfreeze-thaw: thaw, returning how many volumes were frozen. */
GA_HANDLER(ga_cmd_fsfreeze_thaw)
{
    (void)args;
    if (!ga->frozen) {
        gw_int(out, 0); /* nothing frozen: QEMU's requester answers 0, no error */
        return true;
    }
    int64_t count = 0;
    bool timed_out = false;
    struct ga_err os_err = {GA_ERR_NONE, {0}};
    bool ok = ga_os_vss_thaw(&count, &timed_out, &os_err);
    ga->frozen = false; /* whatever the outcome, nothing is held any more */
    if (timed_out) {
        return ga_error(err, "couldn't hold writes: fsfreeze is limited up to 10 seconds: %s",
                        os_err.desc);
    }
    if (!ok) {
        *err = os_err;
        return false;
    }
    gw_int(out, count);
    return true;
}

/* Thaw a freeze still held when the agent stops. */
void ga_freeze_cleanup(struct ga *ga)
{
    if (ga->frozen) {
        int64_t count;
        bool timed_out;
        struct ga_err err;
        (void)ga_os_vss_thaw(&count, &timed_out, &err);
        ga->frozen = false;
    }
}
