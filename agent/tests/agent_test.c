/*
 * Host unit tests of the guest agent's protocol core and command logic,
 * against the fake OS layer (fake_os.c).  Built with ASan and UBSan.
 * Each case prints PASS/FAIL; the last line is "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/agent.h"
#include "../core/b64.h"
#include "../core/balloon_stats.h"
#include "../core/config.h"
#include "../core/disk.h"
#include "../core/json.h"
#include "../core/load.h"
#include "../core/os.h"
#include "fake_os.h"

static int passed, failed;

static void check(int ok, const char *name, const char *detail)
{
    if (ok) {
        passed++;
        printf("PASS: %s\n", name);
    } else {
        failed++;
        printf("FAIL: %s%s%s\n", name, detail ? ": " : "", detail ? detail : "");
    }
}

/* Everything the agent wrote since the last take(). */
static char out[1 << 16];
static size_t out_len;

static void capture(void *ctx, const char *d, size_t n)
{
    (void)ctx;
    if (out_len + n < sizeof(out)) {
        memcpy(out + out_len, d, n);
        out_len += n;
        out[out_len] = 0;
    }
}

static struct ga ga;

static void start(void)
{
    fake_reset();
    out_len = 0;
    out[0] = 0;
    ga_init(&ga, "test", capture, NULL);
}

static void send_n(const char *s, size_t n)
{
    out_len = 0;
    out[0] = 0;
    ga_feed(&ga, s, n);
}

static void send(const char *s)
{
    send_n(s, strlen(s));
}

/* Number of replies (lines) in out. */
static int replies(void)
{
    int n = 0;
    for (size_t i = 0; i < out_len; i++) {
        n += out[i] == '\n';
    }
    return n;
}

/* The single reply parsed (arena kept in a static), or NULL. */
static struct gj_arena arena;
static const struct gj *reply(void)
{
    char err[256];
    gj_arena_free(&arena);
    if (replies() != 1) {
        return NULL;
    }
    const char *p = out;
    size_t n = out_len;
    if (n && (unsigned char)*p == 0xff) {
        p++, n--;
    }
    return gj_parse(&arena, p, n, err, sizeof(err));
}

/* True when the reply is an error of class cls whose desc starts with desc. */
static int is_error(const char *cls, const char *desc)
{
    const struct gj *r = reply();
    const struct gj *e = gj_get(r, "error");
    const struct gj *c = gj_get(e, "class"), *d = gj_get(e, "desc");
    return c && d && strcmp(c->s, cls) == 0 && strncmp(d->s, desc, strlen(desc)) == 0 &&
           !gj_get(r, "return");
}

static const struct gj *ret(void)
{
    return gj_get(reply(), "return");
}

/* ---- guest-fsfreeze-* ---- */

/* The reply's integer return, or -1. */
static int64_t ret_int(void)
{
    const struct gj *r = ret();
    return r && r->type == GJ_INT ? r->i : -1;
}

/* True when guest-fsfreeze-status answers state. */
static int status_is(const char *state)
{
    send("{\"execute\":\"guest-fsfreeze-status\"}");
    const struct gj *r = ret();
    return r && r->type == GJ_STR && strcmp(r->s, state) == 0;
}

static void test_freeze(void)
{
    start();
    check(status_is("thawed"), "fsfreeze-status: thawed at start", out);
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(ret_int() == 0 && fake.vss_thaws == 0, "fsfreeze-thaw without freeze: 0, no OS call",
          out);
    send("{\"execute\":\"guest-fsfreeze-freeze\",\"id\":1}");
    check(ret_int() == 1 && strcmp(fake.vss_last, "*") == 0 && fake.vss_held == 1,
          "fsfreeze-freeze: every fixed volume, count 1", out);
    check(status_is("frozen"), "fsfreeze-status: frozen", out);
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    check(
        is_error("CommandNotFound",
                 "Command guest-fsfreeze-freeze has been disabled: the agent is in frozen state") &&
            fake.vss_freezes == 1 && fake.vss_double_freezes == 0,
        "second freeze refused while frozen, no OS call", out);
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":[\"C:\\\\\"]}"
         "}");
    check(is_error("CommandNotFound", "Command guest-fsfreeze-freeze-list has been disabled: "
                                      "the agent is in frozen state"),
          "freeze-list refused while frozen", out);
    const char *blocked[] = {"guest-get-time", "guest-file-open",  "guest-exec",
                             "guest-shutdown", "guest-get-fsinfo", "guest-fstrim"};
    int refused = 0;
    for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++) {
        char req[128];
        snprintf(req, sizeof(req), "{\"execute\":\"%s\"}", blocked[i]);
        send(req);
        refused += is_error("CommandNotFound", "Command guest-") &&
                   strstr(out, "the agent is in frozen state") != NULL;
    }
    check(refused == 6 && fake.shutdowns == 0, "other commands refused while frozen", out);
    const char *allowed[] = {"guest-ping", "guest-info", "guest-fsfreeze-status"};
    int ran = 0;
    for (size_t i = 0; i < 3; i++) {
        char req[128];
        snprintf(req, sizeof(req), "{\"execute\":\"%s\"}", allowed[i]);
        send(req);
        ran += ret() != NULL;
    }
    send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":5}}");
    ran += ret_int() == 5;
    send("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":6}}");
    ran += ret_int() == 6 && (unsigned char)out[0] == 0xff;
    check(ran == 5, "ping, info, status, sync, sync-delimited run while frozen", out);
    send("{\"execute\":\"guest-info\"}");
    int shown_on = 0, shown_off = 0;
    const struct gj *cmds = gj_get(ret(), "supported_commands");
    for (const struct gj *c = cmds ? cmds->first : NULL; c; c = c->next) {
        const char *n = gj_get(c, "name")->s;
        bool on = gj_get(c, "enabled")->b;
        bool want = strcmp(n, "guest-ping") == 0 || strcmp(n, "guest-info") == 0 ||
                    strncmp(n, "guest-sync", 10) == 0 || strcmp(n, "guest-fsfreeze-status") == 0 ||
                    strcmp(n, "guest-fsfreeze-thaw") == 0;
        shown_on += on && want;
        shown_off += !on && !want;
    }
    check(cmds && shown_on == 6 && shown_off == (int)cmds->count - 6,
          "guest-info while frozen: only the allow list enabled", out);
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(ret_int() == 1 && fake.vss_held == 0 && fake.vss_thaws == 1, "fsfreeze-thaw: count 1",
          out);
    check(status_is("thawed"), "fsfreeze-status: thawed after thaw", out);
    send("{\"execute\":\"guest-get-time\"}");
    check(ret() != NULL, "commands run again after thaw", out);
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(ret_int() == 0 && fake.vss_thaws == 1, "second thaw: 0", out);

    /* freeze-list: mount points matched to the volumes. */
    fake.second_volume = true;
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":"
         "[\"d:\\\\DATA\",\"C:\\\\\"]}}");
    check(ret_int() == 2 && strcmp(fake.vss_last, "D:\\data\\|C:\\") == 0,
          "freeze-list: two volumes, in the volumes' spelling", fake.vss_last);
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(ret_int() == 2, "thaw after freeze-list: count 2", out);
    int before = fake.vss_freezes;
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":"
         "[\"C:\\\\\",\"E:\\\\\"]}}");
    check(is_error("GenericError",
                   "failed to add E:\\ to snapshot set: no mounted volume has that path") &&
              fake.vss_freezes == before && status_is("thawed"),
          "freeze-list: unknown mount point refused, nothing frozen", out);
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":"
         "[\"C:\\\\\",\"c:\"]}}");
    check(is_error("GenericError", "failed to add c: to snapshot set: named twice") &&
              fake.vss_freezes == before,
          "freeze-list: a volume named twice refused", out);
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":[\"\"]}}");
    check(is_error("GenericError", "failed to add  to snapshot set") && fake.vss_freezes == before,
          "freeze-list: empty path refused", out);
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":[1]}}");
    check(is_error("GenericError", "Invalid parameter type for 'mountpoints', expected: array"),
          "freeze-list: mistyped mountpoints", out);
    char big[8192];
    size_t o = (size_t)snprintf(big, sizeof(big),
                                "{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":"
                                "{\"mountpoints\":[");
    for (int i = 0; i < 65; i++) {
        o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"M%d:\\\\\"", i ? "," : "", i);
    }
    snprintf(big + o, sizeof(big) - o, "]}}");
    send(big);
    check(is_error("GenericError", "failed to add M64:\\ to snapshot set: at most 64 volumes") &&
              fake.vss_freezes == before,
          "freeze-list: 65 volumes refused", out);
    send("{\"execute\":\"guest-fsfreeze-freeze-list\",\"arguments\":{\"mountpoints\":[]}}");
    check(ret_int() == 1 && strcmp(fake.vss_last, "*") == 0,
          "freeze-list: empty list freezes every volume", out);
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    ret_int();

    /* A volume that cannot be frozen, a writer that fails: the OS layer's
     * error, nothing frozen, the next freeze works. */
    fake.vss_freeze_error = "failed to add D:\\data\\ to snapshot set: unknown Windows error "
                            "0x8004230e";
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    check(is_error("GenericError", "failed to add D:\\data\\ to snapshot set: unknown Windows "
                                   "error 0x8004230e") &&
              status_is("thawed") && fake.vss_held == 0,
          "freeze: a volume that cannot be frozen, thawed after", out);
    fake.vss_freeze_error = "failed to prepare for backup: writer failed";
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    check(is_error("GenericError", "failed to prepare for backup") && status_is("thawed"),
          "freeze: a writer that fails, thawed after", out);
    fake.vss_freeze_error = NULL;
    fake.vss_fixed = 0;
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    check(ret_int() == 0 && status_is("thawed"), "freeze: no fixed volume, 0 and thawed", out);
    fake.vss_fixed = 1;

    /* The hold ran out (VSS's 10-second limit): reported at thaw. */
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    ret_int();
    fake.vss_hold_times_out = true;
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(is_error("GenericError", "couldn't hold writes: fsfreeze is limited up to 10 seconds: "
                                   "unknown Windows error 0x80042314") &&
              status_is("thawed"),
          "thaw after the hold ran out: QEMU's 10-second error, thawed", out);
    fake.vss_hold_times_out = false;
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    ret_int();
    fake.vss_thaw_error = "failed to complete backup: unknown Windows error 0x80042301";
    send("{\"execute\":\"guest-fsfreeze-thaw\"}");
    check(is_error("GenericError", "failed to complete backup") && status_is("thawed"),
          "thaw failing: its error, thawed", out);
    fake.vss_thaw_error = NULL;

    /* Blocked by the host's list: refused as disabled even when thawed. */
    const char *block[] = {"guest-fsfreeze-freeze", NULL};
    ga_apply_filters(&ga, NULL, block);
    before = fake.vss_freezes;
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    check(is_error("CommandNotFound", "Command guest-fsfreeze-freeze has been disabled: the "
                                      "command is not allowed") &&
              fake.vss_freezes == before,
          "blocked freeze stays blocked", out);
    ga_apply_filters(&ga, NULL, NULL);

    /* A freeze the host leaves held is thawed when the agent stops. */
    send("{\"execute\":\"guest-fsfreeze-freeze\"}");
    int thaws = fake.vss_thaws;
    check(ret_int() == 1 && fake.vss_held == 1, "freeze before stop", out);
    ga_fini(&ga);
    check(fake.vss_held == 0 && fake.vss_thaws == thaws + 1 && !ga.frozen,
          "freeze leaked at agent stop is thawed", NULL);
    check(fake.vss_double_freezes == 0, "the OS layer never saw a second freeze", NULL);
}

/* ---- protocol ---- */

static void test_ping_and_id(void)
{
    start();
    send("{\"execute\":\"guest-ping\"}");
    const struct gj *r = ret();
    check(r && r->type == GJ_OBJ && r->count == 0 && strcmp(out, "{\"return\":{}}\n") == 0,
          "ping returns {}", out);
    send("{\"execute\":\"guest-ping\",\"id\":{\"a\":[1,\"x\"]}}");
    const struct gj *id = gj_get(reply(), "id");
    check(id && id->type == GJ_OBJ && gj_get(id, "a") && gj_get(id, "a")->count == 2,
          "request id echoed", out);
    send("{\"execute\":\"guest-nope\",\"id\":7}");
    check(is_error("CommandNotFound", "The command guest-nope has not been found") &&
              gj_get(reply(), "id") && gj_get(reply(), "id")->i == 7,
          "unknown command: CommandNotFound with id", out);
    ga_fini(&ga);
}

static void test_sync(void)
{
    start();
    send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":123456789012}}");
    check(ret() && ret()->type == GJ_INT && ret()->i == 123456789012 &&
              (unsigned char)out[0] != 0xff,
          "guest-sync echoes id", out);
    send("{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":-5}}");
    check((unsigned char)out[0] == 0xff && ret() && ret()->i == -5,
          "guest-sync-delimited: 0xFF first", out);
    send("{\"execute\":\"guest-ping\"}");
    check(out[0] == '{', "only that reply is delimited", out);
    /* A partial command, the host's 0xFF flush, then a sync: only the sync
     * is answered. */
    send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"C:\\\\x");
    check(out_len == 0, "partial command: no reply yet", out);
    send("\xff{\"execute\":\"guest-sync-delimited\",\"arguments\":{\"id\":42}}");
    check(replies() == 1 && (unsigned char)out[0] == 0xff && ret() && ret()->i == 42,
          "0xFF flush drops the partial command; sync answered alone", out);
    /* Byte by byte delivery. */
    const char *m = "{\"execute\":\"guest-sync\",\"arguments\":{\"id\":9}}";
    out_len = 0;
    for (size_t i = 0; m[i]; i++) {
        ga_feed(&ga, m + i, 1);
    }
    check(ret() && ret()->i == 9, "request delivered byte by byte", out);
    send("{\"execute\":\"guest-sync\"}");
    check(is_error("GenericError", "Parameter 'id' is missing"), "sync without id", out);
    send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":\"7\"}}");
    check(is_error("GenericError", "Invalid parameter type for 'id', expected: integer"),
          "sync with a string id", out);
    ga_fini(&ga);
}

static void test_malformed(void)
{
    start();
    send("{\"execute\": guest-ping}\n");
    check(is_error("GenericError", "JSON parse error"), "malformed JSON: one parse error", out);
    send("{\"execute\":\"guest-ping\"}");
    check(ret() != NULL, "next request answered after a parse error", out);
    send("{\"execute\":\"guest-\xc0\xaf\"}");
    check(is_error("GenericError", "JSON parse error, invalid UTF-8"), "overlong UTF-8 refused",
          out);
    send("{\"execute\":\"guest-\xed\xa0\x80\"}");
    check(is_error("GenericError", "JSON parse error, invalid UTF-8"), "UTF-8 surrogate refused",
          out);
    send("{\"execute\":\"guest-\\ud800x\"}");
    check(is_error("GenericError", "JSON parse error, unpaired surrogate"), "lone \\ud800 refused",
          out);
    send("{\"execute\":\"a\",\"execute\":\"b\"}");
    check(is_error("GenericError", "JSON parse error, duplicate member"),
          "duplicate member refused", out);
    send("[1]");
    check(is_error("GenericError", "QMP input must be a JSON object"), "array refused", out);
    send("{}");
    check(is_error("GenericError", "QMP input lacks member 'execute'"), "missing execute", out);
    send("{\"execute\":1}");
    check(is_error("GenericError", "QMP input member 'execute' must be a string"),
          "execute not a string", out);
    send("{\"execute\":\"guest-ping\",\"arguments\":[]}");
    check(is_error("GenericError", "QMP input member 'arguments' must be an object"),
          "arguments not an object", out);
    send("{\"execute\":\"guest-ping\",\"foo\":1}");
    check(is_error("GenericError", "QMP input member 'foo' is unexpected"), "unexpected member",
          out);
    send("garbage ");
    check(is_error("GenericError", "JSON parse error"), "bare token at top level", out);
    send("{\"execute\":\"guest-ping\",\"arguments\":{\"x\":1}}");
    check(is_error("GenericError", "Parameter 'x' is unexpected"), "unexpected argument", out);
    send("{\"execute\":\"guest-sync\",\"arguments\":{\"id\":1}} {\"execute\":\"guest-ping\"}");
    check(replies() == 2, "two requests in one read: two replies", out);
    ga_fini(&ga);
}

static void test_limits(void)
{
    start();
    size_t big = GA_MAX_REQUEST + 100;
    char *m = malloc(big + 64);
    size_t n = (size_t)sprintf(m, "{\"execute\":\"guest-ping\",\"id\":\"");
    memset(m + n, 'a', big);
    n += big;
    n += (size_t)sprintf(m + n, "\"}");
    send_n(m, n);
    check(is_error("GenericError", "JSON token size limit exceeded"),
          "oversized request: one clear error", out);
    send("{\"execute\":\"guest-ping\"}");
    check(ret() != NULL, "resynchronised after an oversized request", out);
    /* Oversized and never finished: the host's 0xFF ends it silently. */
    send_n(m, big / 2);
    send_n(m + 20, big);
    check(out_len == 0, "unfinished oversized request: no reply", out);
    send("\xff{\"execute\":\"guest-ping\"}");
    check(replies() == 1 && ret() != NULL, "0xFF ends an unfinished oversized request", out);
    free(m);
    char deep[300];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = 0;
    send(deep);
    check(is_error("GenericError", "JSON nesting depth limit exceeded"), "too deep: one error",
          out);
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    deep[80] = 0;
    send(deep);
    check(is_error("GenericError", "JSON parse error, nesting too deep"),
          "deeper than the parser's limit: parse error", out);
    ga_fini(&ga);
}

static void test_filters(void)
{
    start();
    const char *block[] = {"guest-exec", NULL};
    ga_apply_filters(&ga, NULL, block);
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\"}}");
    check(is_error("CommandNotFound", "Command guest-exec has been disabled"),
          "blocked command refused", out);
    check(fake.open_procs == 0, "blocked command did not run", NULL);
    const char *allow[] = {"guest-ping", "guest-info", "guest-exec", NULL};
    ga_apply_filters(&ga, allow, block);
    send("{\"execute\":\"guest-get-time\"}");
    check(is_error("CommandNotFound", "Command guest-get-time has been disabled"),
          "allow list disables the rest", out);
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\"}}");
    check(is_error("CommandNotFound", "Command guest-exec has been disabled"),
          "block list wins over allow list", out);
    send("{\"execute\":\"guest-info\"}");
    const struct gj *cmds = gj_get(ret(), "supported_commands");
    int on = 0, seen = 0;
    for (const struct gj *c = cmds ? cmds->first : NULL; c; c = c->next) {
        seen++;
        on += gj_get(c, "enabled")->b;
        if (strcmp(gj_get(c, "name")->s, "guest-shutdown") == 0) {
            check(!gj_get(c, "success-response")->b, "guest-info: shutdown has no success response",
                  NULL);
        }
    }
    check(seen == (int)ga_command_count && on == 2, "guest-info lists enabled flags", out);
    ga_fini(&ga);
}

/* ---- commands ---- */

static void test_system(void)
{
    start();
    send("{\"execute\":\"guest-get-time\"}");
    check(ret() && ret()->i == 1700000000123456789LL, "guest-get-time", out);
    send("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1600000000000000000}}");
    check(ret() && fake.set_ns == 1600000000000000000LL, "guest-set-time sets", out);
    send("{\"execute\":\"guest-set-time\"}");
    check(is_error("GenericError", "this feature or command is not currently supported"),
          "guest-set-time without time: unsupported on Windows", out);
    send("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":\"1\"}}");
    check(is_error("GenericError", "Invalid parameter type for 'time', expected: integer"),
          "guest-set-time: wrong type", out);
    send("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":-1}}");
    check(is_error("GenericError", "Time -1 is invalid"), "guest-set-time: negative refused", out);
    fake.deny_set_time = true;
    send("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":1}}");
    check(is_error("GenericError", "failed to set time"), "guest-set-time: OS refusal reported",
          out);
    send("{\"execute\":\"guest-get-host-name\"}");
    check(ret() && strcmp(gj_get(ret(), "host-name")->s, "fake-host") == 0, "guest-get-host-name",
          out);
    send("{\"execute\":\"guest-get-timezone\"}");
    check(ret() && gj_get(ret(), "offset")->i == 3600 && gj_get(ret(), "zone"),
          "guest-get-timezone", out);
    send("{\"execute\":\"guest-get-osinfo\"}");
    check(ret() && strcmp(gj_get(ret(), "id")->s, "mswindows") == 0 &&
              strcmp(gj_get(ret(), "variant")->s, "client") == 0 &&
              strcmp(gj_get(ret(), "kernel-release")->s, "19045") == 0,
          "guest-get-osinfo", out);
    send("{\"execute\":\"guest-get-vcpus\"}");
    check(ret() && ret()->count == 4 && gj_get(ret()->first, "can-offline"), "guest-get-vcpus",
          out);
    send("{\"execute\":\"guest-get-users\"}");
    const struct gj *u = ret();
    check(u && u->count == 2 && strcmp(gj_get(u->first, "user")->s, "alice") == 0 &&
              strstr(out, "\"login-time\":1600000000.0000000") && !gj_get(u->first->next, "domain"),
          "guest-get-users: one entry per user, earliest login", out);
    send("{\"execute\":\"guest-network-get-interfaces\"}");
    const struct gj *n = ret();
    check(n && n->count == 2 &&
              strcmp(gj_get(n->first, "hardware-address")->s, "52:54:00:12:34:56") == 0 &&
              gj_get(n->first, "ip-addresses")->count == 2 &&
              gj_get(gj_get(n->first, "statistics"), "rx-bytes")->i == (1ll << 40) &&
              !gj_get(n->first->next, "statistics"),
          "guest-network-get-interfaces", out);
    send("{\"execute\":\"guest-get-fsinfo\"}");
    check(ret() && ret()->count == 1 && gj_get(ret()->first, "used-bytes")->i == 40 &&
              gj_get(ret()->first, "disk")->type == GJ_ARR,
          "guest-get-fsinfo", out);
    send("{\"execute\":\"guest-get-devices\"}");
    check(ret() && ret()->count == 2 &&
              strstr(out, "{\"driver-name\":\"device 0\",\"driver-date\":1600000000000000000,"
                          "\"driver-version\":\"100.0.0.1\",\"id\":{\"type\":\"pci\","
                          "\"vendor-id\":6900,\"device-id\":4161}}") &&
              strstr(out, "\"vendor-id\":6966,\"device-id\":13}"),
          "guest-get-devices: virtio and QEMU PCI devices only", out);
    send("{\"execute\":\"guest-get-load\"}");
    check(ret() && strstr(out, "{\"load1\":0.50,\"load5\":1.01,\"load15\":30.00}"),
          "guest-get-load: three numbers", out);
    send("{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"reboot\"}}");
    check(out_len == 0 && fake.shutdowns == 1 && strcmp(fake.last_shutdown, "reboot") == 0,
          "guest-shutdown: no reply on success", out);
    send("{\"execute\":\"guest-shutdown\",\"arguments\":{\"mode\":\"sideways\"}}");
    check(is_error("GenericError", "Parameter 'mode'") && fake.shutdowns == 1,
          "guest-shutdown: bad mode refused", out);
    send("{\"execute\":\"guest-suspend-ram\"}");
    check(out_len == 0 && fake.suspends == 1, "guest-suspend-ram: no reply on success", out);
    send("{\"execute\":\"guest-suspend-disk\"}");
    check(is_error("GenericError", "suspend-to-disk not supported by OS"),
          "guest-suspend-disk: refusal reported", out);
    send("{\"execute\":\"guest-set-user-password\",\"arguments\":{\"username\":\"alice\","
         "\"password\":\"czNjcmV0\",\"crypted\":false}}");
    check(ret() && strcmp(fake.password, "s3cret") == 0, "guest-set-user-password", out);
    send("{\"execute\":\"guest-set-user-password\",\"arguments\":{\"username\":\"alice\","
         "\"password\":\"czNjcmV0\",\"crypted\":true}}");
    check(is_error("GenericError", "this feature or command is not currently supported"),
          "guest-set-user-password: crypted refused", out);
    send("{\"execute\":\"guest-set-user-password\",\"arguments\":{\"username\":\"alice\","
         "\"password\":\"YQBi\",\"crypted\":false}}");
    check(is_error("GenericError", "password must be UTF-8"),
          "guest-set-user-password: NUL refused", out);
    send("{\"execute\":\"guest-set-user-password\",\"arguments\":{\"username\":\"bob\","
         "\"password\":\"czNjcmV0\",\"crypted\":false}}");
    check(is_error("GenericError", "The user name could not be found."),
          "guest-set-user-password: OS refusal reported", out);
    send("{\"execute\":\"guest-set-user-password\",\"arguments\":{\"username\":\"alice\"}}");
    check(is_error("GenericError", "Parameter 'password' is missing"),
          "guest-set-user-password: missing argument", out);
    send("{\"execute\":\"guest-suspend-hybrid\"}");
    check(is_error("GenericError", "this feature or command is not currently supported"),
          "unsupported command answers as QEMU's agent", out);
    ga_fini(&ga);
}

static void test_files(void)
{
    start();
    send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"C:\\\\none\"}}");
    check(is_error("GenericError", "failed to open file 'C:\\none' (mode: 'r'): The system"),
          "guest-file-open: missing file", out);
    send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"f\",\"mode\":\"rw\"}}");
    check(is_error("GenericError", "invalid file open mode 'rw'"), "guest-file-open: bad mode",
          out);
    send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"f\",\"mode\":\"w+\"}}");
    int64_t h = ret() ? ret()->i : -1;
    check(h == 1000, "guest-file-open: first handle is 1000", out);
    char req[512];
    sprintf(req,
            "{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":%lld,\"buf-b64\":"
            "\"aGVsbG8gd29ybGQ=\"}}",
            (long long)h);
    send(req);
    check(ret() && gj_get(ret(), "count")->i == 11, "guest-file-write", out);
    sprintf(req,
            "{\"execute\":\"guest-file-seek\",\"arguments\":{\"handle\":%lld,\"offset\":6,"
            "\"whence\":\"set\"}}",
            (long long)h);
    send(req);
    check(ret() && gj_get(ret(), "position")->i == 6, "guest-file-seek (symbolic whence)", out);
    sprintf(req, "{\"execute\":\"guest-file-read\",\"arguments\":{\"handle\":%lld}}", (long long)h);
    send(req);
    check(ret() && strcmp(gj_get(ret(), "buf-b64")->s, "d29ybGQ=") == 0 &&
              gj_get(ret(), "count")->i == 5 && !gj_get(ret(), "eof")->b,
          "guest-file-read", out);
    send(req);
    check(ret() && gj_get(ret(), "count")->i == 0 && gj_get(ret(), "eof")->b,
          "guest-file-read at the end: eof", out);
    sprintf(req,
            "{\"execute\":\"guest-file-seek\",\"arguments\":{\"handle\":%lld,\"offset\":0,"
            "\"whence\":7}}",
            (long long)h);
    send(req);
    check(is_error("GenericError", "invalid whence code 7"), "guest-file-seek: bad whence", out);
    sprintf(
        req,
        "{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":%lld,\"buf-b64\":\"a$==\"}}",
        (long long)h);
    send(req);
    check(is_error("GenericError", "Invalid Base64 data"), "guest-file-write: bad base64", out);
    sprintf(req,
            "{\"execute\":\"guest-file-write\",\"arguments\":{\"handle\":%lld,\"buf-b64\":\"aGk=\","
            "\"count\":3}}",
            (long long)h);
    send(req);
    check(is_error("GenericError", "value '3' is invalid for argument count"),
          "guest-file-write: count beyond the data", out);
    sprintf(req, "{\"execute\":\"guest-file-read\",\"arguments\":{\"handle\":%lld,\"count\":-1}}",
            (long long)h);
    send(req);
    check(is_error("GenericError", "value '-1' is invalid for argument count"),
          "guest-file-read: negative count", out);
    sprintf(req, "{\"execute\":\"guest-file-flush\",\"arguments\":{\"handle\":%lld}}",
            (long long)h);
    send(req);
    check(ret() != NULL, "guest-file-flush", out);
    sprintf(req, "{\"execute\":\"guest-file-close\",\"arguments\":{\"handle\":%lld}}",
            (long long)h);
    send(req);
    check(ret() != NULL && fake.open_files == 0, "guest-file-close", out);
    send(req);
    check(is_error("GenericError", "handle '1000' has not been found"), "closed handle refused",
          out);
    /* The host opens files and never closes them. */
    fake_file_put("log", "x", 1);
    int opened = 0;
    for (int i = 0; i < GA_MAX_FILES; i++) {
        send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"log\"}}");
        opened += ret() != NULL;
    }
    send("{\"execute\":\"guest-file-open\",\"arguments\":{\"path\":\"log\"}}");
    check(opened == GA_MAX_FILES && is_error("GenericError", "too many open files"),
          "leaked handles: a clear error past the limit", out);
    check(fake.open_files == GA_MAX_FILES, "leaked handles held until the agent stops", NULL);
    ga_fini(&ga);
    check(fake.open_files == 0, "agent stop closes every leaked handle", NULL);
}

static void test_exec(void)
{
    start();
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\",\"arg\":[\"a\",\"b\"],"
         "\"input-data\":\"IQ==\",\"capture-output\":true}}");
    int64_t pid = ret() ? gj_get(ret(), "pid")->i : -1;
    check(pid > 0, "guest-exec returns a pid", out);
    char req[256];
    sprintf(req, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
            (long long)pid);
    send(req);
    check(ret() && !gj_get(ret(), "exited")->b && !gj_get(ret(), "exitcode"),
          "guest-exec-status: running", out);
    send(req);
    /* "a b!" in base64 */
    check(ret() && gj_get(ret(), "exited")->b && gj_get(ret(), "exitcode")->i == 3 &&
              strcmp(gj_get(ret(), "out-data")->s, "YSBiIQ==") == 0,
          "guest-exec-status: exited with output", out);
    send(req);
    check(is_error("GenericError", "Invalid parameter 'pid'"), "reaped pid refused", out);
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"nope\"}}");
    check(is_error("GenericError", "failed to execute child process 'nope'"),
          "guest-exec: missing program", out);
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\",\"arg\":[1]}}");
    check(is_error("GenericError", "Invalid parameter type for 'arg', expected: array"),
          "guest-exec: non-string argument", out);
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\"}}");
    check(fake.open_procs == 1, "an unreaped process is held", NULL);
    ga_fini(&ga);
    check(fake.open_procs == 0, "agent stop forgets unreaped processes", NULL);
}

/* A STORAGE_DEVICE_DESCRIPTOR of len bytes: bus type, serial at offset off. */
static unsigned char desc[512];
static size_t make_desc(uint32_t bus_type, uint32_t off, const char *serial, size_t serial_len,
                        size_t len)
{
    memset(desc, 0, sizeof(desc));
    desc[4] = (unsigned char)len;
    for (int i = 0; i < 4; i++) {
        desc[24 + i] = (unsigned char)(off >> (8 * i));
        desc[28 + i] = (unsigned char)(bus_type >> (8 * i));
    }
    if (serial && off + serial_len <= sizeof(desc)) {
        memcpy(desc + off, serial, serial_len);
    }
    fake.disk_desc = desc;
    fake.disk_desc_len = len;
    return len;
}

static void test_disks(void)
{
    start();
    make_desc(1, 40, "  QM00001  ", 12, 64);
    send("{\"execute\":\"guest-get-disks\"}");
    const struct gj *d = ret();
    const struct gj *a = d ? gj_get(d->first, "address") : NULL;
    const struct gj *pci = gj_get(a, "pci-controller");
    check(d && d->count == 2 && strcmp(gj_get(d->first, "name")->s, "\\\\.\\PhysicalDrive0") == 0 &&
              gj_get(d->first, "partition")->type == GJ_BOOL && !gj_get(d->first, "partition")->b &&
              pci && gj_get(pci, "domain")->i == 0 && gj_get(pci, "bus")->i == 0 &&
              gj_get(pci, "slot")->i == 5 && gj_get(pci, "function")->i == 0 &&
              strcmp(gj_get(a, "bus-type")->s, "scsi") == 0 && gj_get(a, "target")->i == 1 &&
              gj_get(a, "unit")->i == 2 && strcmp(gj_get(a, "serial")->s, "QM00001") == 0 &&
              !gj_get(d->first->next, "address"),
          "guest-get-disks: PhysicalDrive0 with PCI 0:0:5.0, scsi, serial trimmed; a disk "
          "without address",
          out);
    send("{\"execute\":\"guest-get-fsinfo\"}");
    const struct gj *disk = ret() ? gj_get(ret()->first, "disk") : NULL;
    check(disk && disk->count == 1 && strcmp(gj_get(disk->first, "serial")->s, "QM00001") == 0 &&
              strcmp(gj_get(disk->first, "dev")->s, "\\\\.\\PhysicalDrive0") == 0 &&
              gj_get(gj_get(disk->first, "pci-controller"), "slot")->i == 5,
          "guest-get-fsinfo: the volume's disk with PCI address, bus type and serial", out);

    /* Hostile descriptors from the device. */
    make_desc(1, 200, "X", 2, 64); /* serial offset past the data */
    send("{\"execute\":\"guest-get-disks\"}");
    check(ret() && ret()->count == 2 && !gj_get(ret()->first, "address"),
          "descriptor with the serial offset outside it: no address, no crash", out);
    make_desc(1, 8, NULL, 0, 64); /* serial offset inside the header */
    send("{\"execute\":\"guest-get-disks\"}");
    check(ret() && !gj_get(ret()->first, "address"), "serial offset inside the header refused",
          out);
    make_desc(1, 0, NULL, 0, 20); /* shorter than the header */
    send("{\"execute\":\"guest-get-disks\"}");
    check(ret() && !gj_get(ret()->first, "address"), "descriptor shorter than its header refused",
          out);
    make_desc(0xffffffffu, 36, "\x01\xff\xc3(ab\"\\", 8, 44); /* no NUL, raw bytes */
    send("{\"execute\":\"guest-get-disks\"}");
    a = ret() ? gj_get(ret()->first, "address") : NULL;
    check(a &&
              strcmp(gj_get(a, "serial")->s, "???"
                                             "(ab\"\\") == 0 &&
              strcmp(gj_get(a, "bus-type")->s, "unknown") == 0,
          "serial without NUL ends at the buffer, bytes outside printable ASCII become '?', an "
          "unknown bus type is \"unknown\"",
          out);
    char big[400];
    memset(big, 'S', sizeof(big));
    make_desc(17, 40, big, sizeof(big), 40 + sizeof(big));
    send("{\"execute\":\"guest-get-disks\"}");
    a = ret() ? gj_get(ret()->first, "address") : NULL;
    check(a && strlen(gj_get(a, "serial")->s) == 127 &&
              strcmp(gj_get(a, "bus-type")->s, "nvme") == 0,
          "a 400-byte serial is cut to 127 characters (nvme)", out);
    make_desc(1, 0, NULL, 0, 36);
    send("{\"execute\":\"guest-get-disks\"}");
    a = ret() ? gj_get(ret()->first, "address") : NULL;
    check(a && !gj_get(a, "serial"), "no serial number: no serial member", out);
    check(strcmp(ga_bus_type_name(2), "ide") == 0 && strcmp(ga_bus_type_name(3), "ide") == 0 &&
              strcmp(ga_bus_type_name(11), "sata") == 0 &&
              strcmp(ga_bus_type_name(16), "unknown") == 0 &&
              strcmp(ga_bus_type_name(15), "file-backed-virtual") == 0,
          "bus type names as QEMU's GuestDiskBusType", NULL);

    /* guest-fstrim */
    static const char err_out[] = "Invoking retrim on (C:)...\r\nThe operation failed "
                                  "(0x89000020)\r\nmore\r\n";
    fake.trim_output = err_out;
    fake.trim_len = sizeof(err_out) - 1;
    send("{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":4096}}");
    const struct gj *p = gj_get(ret(), "paths");
    check(p && p->count == 2 && strcmp(gj_get(p->first, "path")->s, "C:\\") == 0 &&
              strcmp(gj_get(p->first, "error")->s, "The operation failed (0x89000020)") == 0 &&
              !gj_get(p->first, "trimmed") && !gj_get(p->first->next, "error"),
          "guest-fstrim: per path, defrag's error line as error, none where it succeeded", out);
    fake.trim_output = NULL, fake.trim_len = 0;
    fake.trim_start_error = "defrag.exe did not finish within 600 s";
    send("{\"execute\":\"guest-fstrim\"}");
    p = gj_get(ret(), "paths");
    check(p && strcmp(gj_get(p->first, "error")->s, "defrag.exe did not finish within 600 s") == 0,
          "guest-fstrim: defrag that could not run or finish gives its reason", out);
    fake.trim_start_error = NULL;
    static char junk[300000];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (char)(i * 7 + 1);
    }
    memcpy(junk + 1000, "(0x", 3);
    fake.trim_output = junk, fake.trim_len = sizeof(junk);
    send("{\"execute\":\"guest-fstrim\"}");
    p = gj_get(ret(), "paths");
    const struct gj *e = p ? gj_get(p->first, "error") : NULL;
    int printable = e != NULL;
    for (const char *c = e ? e->s : ""; *c; c++) {
        printable &= *c >= 0x20 && *c < 0x7f;
    }
    check(e && printable && strlen(e->s) <= 255 && strstr(e->s, "(0x"),
          "guest-fstrim: 300 kB of binary output: one printable error line, at most 255 bytes",
          out);
    send("{\"execute\":\"guest-fstrim\",\"arguments\":{\"minimum\":\"x\"}}");
    check(is_error("GenericError", "Invalid parameter type for 'minimum', expected: integer"),
          "guest-fstrim: mistyped minimum", out);
    ga_fini(&ga);
}

/* The fake key file of user, or "" when there is none. */
static const char *key_file(const char *path)
{
    static char buf[4096];
    buf[0] = 0;
    void *f;
    struct ga_open_mode m = {true, false, false, GA_OPEN_EXISTING};
    struct ga_err e;
    size_t got = 0;
    if (ga_os_file_open(path, &m, &f, &e)) {
        ga_os_file_read(f, buf, sizeof(buf) - 1, &got, &e);
        buf[got] = 0;
        ga_os_file_close(f);
    }
    return buf;
}

static void test_ssh(void)
{
    static const char *alice = "C:\\Users\\alice\\.ssh\\authorized_keys";
    static const char *admin = "C:\\ProgramData\\ssh\\administrators_authorized_keys";
    start();
    send("{\"execute\":\"guest-ssh-get-authorized-keys\",\"arguments\":{\"username\":\"alice\"}}");
    check(is_error("GenericError", "failed to read 'C:\\Users\\alice\\.ssh\\authorized_keys'"),
          "ssh-get without a key file: QEMU's read error", out);
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":[\"ssh-ed25519 AAAAC3 alice@a\",\"ssh-rsa AAAAB3 b\",\"ssh-ed25519 AAAAC3 "
         "alice@a\"]}}");
    check(ret() && ret()->type == GJ_OBJ && ret()->count == 0 &&
              strcmp(key_file(alice), "ssh-ed25519 AAAAC3 alice@a\nssh-rsa AAAAB3 b\n") == 0,
          "ssh-add: {} and the user's %USERPROFILE%\\.ssh\\authorized_keys, a repeated key once",
          key_file(alice));
    fake_file_put(alice, "# comment\r\n  ssh-rsa AAAAB3 b  \r\n\nssh-ed25519 AAAAC3 alice@a", 60);
    send("{\"execute\":\"guest-ssh-get-authorized-keys\",\"arguments\":{\"username\":\"alice\"}}");
    const struct gj *k = gj_get(ret(), "keys");
    check(k && k->count == 2 && strcmp(k->first->s, "ssh-rsa AAAAB3 b") == 0 &&
              strcmp(k->first->next->s, "ssh-ed25519 AAAAC3 alice@a") == 0,
          "ssh-get: keys without comments, empty lines, blanks or CR", out);
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":[\"ssh-rsa AAAAB3 c\"]}}");
    check(strcmp(key_file(alice), "# comment\n  ssh-rsa AAAAB3 b  \n\nssh-ed25519 AAAAC3 "
                                  "alice@a\nssh-rsa AAAAB3 c\n") == 0,
          "ssh-add keeps the file's lines and appends the new key", key_file(alice));
    send("{\"execute\":\"guest-ssh-remove-authorized-keys\",\"arguments\":{\"username\":"
         "\"alice\",\"keys\":[\"ssh-ed25519 AAAAC3 alice@a\",\"ssh-dss nothere\"]}}");
    check(ret() &&
              strcmp(key_file(alice), "# comment\n  ssh-rsa AAAAB3 b  \n\nssh-rsa AAAAB3 c\n") == 0,
          "ssh-remove drops exactly the given key; an absent key is no error", key_file(alice));
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":[\"ssh-rsa AAAAB3 d\"],\"reset\":true}}");
    check(strcmp(key_file(alice), "ssh-rsa AAAAB3 d\n") == 0,
          "ssh-add with reset: only the new keys", key_file(alice));
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"admin\","
         "\"keys\":[\"ssh-rsa AAAAB3 root\"]}}");
    check(strcmp(key_file(admin), "ssh-rsa AAAAB3 root\n") == 0,
          "an administrator's key goes to %ProgramData%\\ssh\\administrators_authorized_keys",
          key_file(admin));

    /* Hostile input: every refusal leaves the files as they were. */
    int writes = fake.ssh_writes;
    static const char *const bad_keys[] = {"[\"ssh-rsa AAAA\\nssh-rsa EVIL\"]",
                                           "[\"ssh-rsa AAAA\\rx\"]",
                                           "[\"# ssh-rsa AAAA\"]",
                                           "[\"\"]",
                                           "[\"ssh-rsa A\\u0007B\"]",
                                           "[\"ok-key A\",\"ssh-rsa AAAA\\nEVIL\"]"};
    int refused = 0;
    for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
        char req[512];
        snprintf(req, sizeof(req),
                 "{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":"
                 "\"alice\",\"keys\":%s}}",
                 bad_keys[i]);
        send(req);
        refused += is_error("GenericError", "invalid OpenSSH public key");
        snprintf(req, sizeof(req),
                 "{\"execute\":\"guest-ssh-remove-authorized-keys\",\"arguments\":{\"username\":"
                 "\"alice\",\"keys\":%s}}",
                 bad_keys[i]);
        send(req);
        refused += is_error("GenericError", "invalid OpenSSH public key");
    }
    check(refused == 12 && fake.ssh_writes == writes &&
              strcmp(key_file(alice), "ssh-rsa AAAAB3 d\n") == 0,
          "bad key lines (line breaks, CR, comment, empty, control character, one bad among good) "
          "refused by add and remove, nothing written",
          out);
    static const char *const bad_users[] = {
        "..\\\\admin", "alice/../admin", "C:\\\\x",        "a*b", "..", " . ", "",
        "alice@corp",  "al\\u0001ice",   "DOMAIN\\\\alice"};
    refused = 0;
    for (size_t i = 0; i < sizeof(bad_users) / sizeof(bad_users[0]); i++) {
        char req[512];
        snprintf(req, sizeof(req),
                 "{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":"
                 "\"%s\",\"keys\":[\"ssh-rsa A\"]}}",
                 bad_users[i]);
        send(req);
        refused += is_error("GenericError", "invalid user name");
    }
    check(refused == 10 && fake.ssh_writes == writes,
          "user names with path tricks, wildcards, only dots, empty, domain forms refused", out);
    send(
        "{\"execute\":\"guest-ssh-get-authorized-keys\",\"arguments\":{\"username\":\"mallory\"}}");
    check(is_error("GenericError", "User mallory was not found"), "a missing user", out);
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"newbie\","
         "\"keys\":[\"ssh-rsa A\"]}}");
    check(is_error("GenericError", "user newbie has no profile folder"),
          "a user without a profile folder", out);
    fake.ssh_write_fails = true;
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":[\"ssh-rsa AAAAB3 e\"]}}");
    check(is_error("GenericError", "failed to write to") &&
              strcmp(key_file(alice), "ssh-rsa AAAAB3 d\n") == 0,
          "a failed write is one error, the old file stays", out);
    send("{\"execute\":\"guest-ssh-add-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":\"ssh-rsa A\"}}");
    check(is_error("GenericError", "Invalid parameter type for 'keys', expected: array"),
          "keys not a list", out);
    send("{\"execute\":\"guest-ssh-remove-authorized-keys\",\"arguments\":{\"username\":\"admin\","
         "\"keys\":[\"x\"]}}");
    check(ret() != NULL, "ssh-remove on the admin file", out);
    send("{\"execute\":\"guest-ssh-remove-authorized-keys\",\"arguments\":{\"username\":\"alice\","
         "\"keys\":[]}}");
    check(ret() && strcmp(key_file(alice), "ssh-rsa AAAAB3 d\n") == 0, "ssh-remove of no keys",
          out);
    ga_fini(&ga);
}

/* guest-exec has no time-out in QEMU's schema: a process that does not end
 * stays "exited": false however often it is polled, and is let go when
 * the agent stops. */
static void test_exec_no_timeout(void)
{
    start();
    fake.exec_never_exits = true;
    send("{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"echo\"}}");
    int64_t pid = ret() ? gj_get(ret(), "pid")->i : -1;
    char req[256];
    sprintf(req, "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":%lld}}",
            (long long)pid);
    int running = 0;
    for (int i = 0; i < 50; i++) {
        send(req);
        running += ret() && !gj_get(ret(), "exited")->b && !gj_get(ret(), "exitcode");
    }
    check(running == 50, "guest-exec: a process that does not end is reported running 50 times",
          out);
    send("{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":-1}}");
    check(is_error("GenericError", "Invalid parameter 'pid'"), "guest-exec-status: unknown pid",
          out);
    send("{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":1e400}}");
    check(replies() == 1 && gj_get(reply(), "error"), "guest-exec-status: out-of-range pid", out);
    ga_fini(&ga);
    check(fake.open_procs == 0, "agent stop lets the running process go", NULL);
}

/* ---- JSON, base64, configuration ---- */

static void test_json(void)
{
    struct gj_arena a = {0};
    char err[128];
    const char *t = "{\"s\":\"\\u00e9\\ud83d\\ude00\\n\\\"\",\"n\":-9223372036854775808,"
                    "\"u\":18446744073709551615,\"f\":1.5e3,\"a\":[true,false,null]}";
    const struct gj *v = gj_parse(&a, t, strlen(t), err, sizeof(err));
    check(v && strcmp(gj_get(v, "s")->s, "\xc3\xa9\xf0\x9f\x98\x80\n\"") == 0 &&
              gj_get(v, "n")->i == INT64_MIN && gj_get(v, "u")->type == GJ_UINT &&
              gj_get(v, "f")->type == GJ_NUM && gj_get(v, "a")->count == 3,
          "JSON: escapes, surrogate pairs, number kinds", err);
    struct gw w;
    gw_init(&w, 1 << 20);
    gw_value(&w, v);
    check(!w.failed &&
              strcmp(w.buf, "{\"s\":\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\",\"n\":-9223372036854775808,"
                            "\"u\":18446744073709551615,\"f\":1.5e3,\"a\":[true,false,null]}") == 0,
          "JSON: writer round trip", w.buf);
    gw_free(&w);
    gw_init(&w, 1 << 20);
    gw_str(&w, "a\x01\xff");
    check(strcmp(w.buf, "\"a\\u0001\\ufffd\"") == 0,
          "JSON writer: control and invalid bytes escaped", w.buf);
    gw_free(&w);
    gw_init(&w, 8);
    gw_str(&w, "0123456789");
    check(w.failed, "JSON writer: limit enforced", NULL);
    gw_free(&w);
    const char *bad[] = {"01", "1.", "-", "\"\x01\"", "[1,]", "{\"a\" 1}", "tru", "\"\\x\"", "1 2"};
    int refused = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        refused += gj_parse(&a, bad[i], strlen(bad[i]), err, sizeof(err)) == NULL;
    }
    check(refused == (int)(sizeof(bad) / sizeof(bad[0])), "JSON: malformed texts refused", NULL);
    gj_arena_free(&a);
    unsigned char d[16];
    size_t dl;
    char e[16];
    b64_encode((const unsigned char *)"ab", 2, e);
    check(strcmp(e, "YWI=") == 0 && b64_decode("YWI=", 4, d, &dl) && dl == 2 &&
              !b64_decode("YW=I", 4, d, &dl) && !b64_decode("YWJ=", 4, d, &dl) &&
              !b64_decode("YWI", 3, d, &dl),
          "base64: strict decoding", e);
}

static void test_load(void)
{
    struct ga_load l = {{0, 0, 0}};
    for (int i = 0; i < 12; i++) { /* one minute of one waiting thread */
        ga_load_sample(&l, 1);
    }
    char t[3][16];
    for (int i = 0; i < 3; i++) {
        ga_load_text(l.avg[i], t[i], sizeof(t[i]));
    }
    /* 1 - e^-1 = 0.63, 1 - e^-0.2 = 0.18, 1 - e^-(1/15) = 0.06 */
    check(strcmp(t[0], "0.63") == 0 && strcmp(t[1], "0.18") == 0 && strcmp(t[2], "0.07") <= 0 &&
              strcmp(t[2], "0.06") >= 0,
          "load averages decay as Linux's", t[0]);
    for (int i = 0; i < 1000; i++) {
        ga_load_sample(&l, 0);
    }
    ga_load_text(l.avg[0], t[0], sizeof(t[0]));
    check(strcmp(t[0], "0.00") == 0, "load averages fall back to 0.00", t[0]);
}

static void test_balloon_pack(void)
{
    struct ga_mem_figures f = {{0}, {0}, 0};
    unsigned char out[GA_MEM_COUNT * GA_BALLOON_ENTRY_SIZE];
    check(ga_balloon_pack(&f, out) == 0, "balloon figures: nothing known, nothing sent", NULL);
    f.total = 1000;
    f.have[GA_MEM_SWAP_IN] = true;
    f.value[GA_MEM_SWAP_IN] = 0x0102030405060708ull;
    f.have[GA_MEM_AVAIL] = true;
    f.value[GA_MEM_AVAIL] = 5000; /* sampled apart from the total */
    size_t n = ga_balloon_pack(&f, out);
    static const unsigned char want[] = {0, 0, 8,    7, 6, 5, 4, 3, 2, 1,
                                         6, 0, 0xe8, 3, 0, 0, 0, 0, 0, 0};
    check(n == sizeof(want) && memcmp(out, want, n) == 0,
          "balloon figures: tags 0 and 6, little-endian, memory clamped to the total", NULL);
}

static void test_config(void)
{
    struct ga_config c;
    char err[256];
    ga_config_init(&c);
    const char *file = "# comment\n[general]\ndaemon=false\nmethod=virtio-serial\n"
                       "path=\\\\.\\Global\\org.qemu.guest_agent.0\nverbose=true\n"
                       "block-rpcs=guest-ping;guest-get-time\n[other]\nx=y\n";
    bool ok = ga_config_load(&c, file, strlen(file), err, sizeof(err));
    char *argv[] = {"qemu-ga",
                    "-b",
                    "guest-exec,guest-file-open",
                    "--allow-rpcs=guest-info",
                    "-pCOM2",
                    "-m",
                    "isa-serial",
                    "-r",
                    NULL};
    ok = ok && ga_config_parse_args(&c, 8, argv, err, sizeof(err));
    check(ok && c.verbose && c.retry_path && strcmp(c.method, "isa-serial") == 0 &&
              strcmp(c.path, "COM2") == 0 && c.nblock == 4 &&
              strcmp(c.block[1], "guest-get-time") == 0 &&
              strcmp(c.block[3], "guest-file-open") == 0 && c.nallow == 1 && !c.block[4],
          "config: key file then command line; lists accumulate", err);
    char dump[1024];
    ga_config_dump(&c, dump, sizeof(dump));
    check(strstr(dump, "block-rpcs=guest-ping;guest-get-time;guest-exec;guest-file-open;\n") !=
              NULL,
          "config: -D dump", dump);
    ga_config_free(&c);
    ga_config_init(&c);
    char *bad[] = {"qemu-ga", "--nope", NULL};
    check(!ga_config_parse_args(&c, 2, bad, err, sizeof(err)) && strstr(err, "--nope"),
          "config: unknown option refused", err);
    const char *badfile = "[general]\nverbose=maybe\n";
    check(!ga_config_load(&c, badfile, strlen(badfile), err, sizeof(err)),
          "config: bad boolean refused", err);
    char *help[] = {"qemu-ga", "-b", "help", NULL};
    check(ga_config_parse_args(&c, 3, help, err, sizeof(err)) && c.list_rpcs && c.nblock == 0,
          "config: 'help' lists the RPCs", err);
    ga_config_free(&c);
}

int main(void)
{
    test_ping_and_id();
    test_sync();
    test_malformed();
    test_limits();
    test_filters();
    test_system();
    test_files();
    test_exec();
    test_exec_no_timeout();
    test_freeze();
    test_disks();
    test_ssh();
    test_json();
    test_load();
    test_balloon_pack();
    test_config();
    gj_arena_free(&arena);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
