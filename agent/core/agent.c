/* Request checking, dispatch and replies of the guest agent (agent.h). */
#include "agent.h"

#include <stdarg.h>
#include <string.h>

#include "freeze.h"
#include "os.h"
#include "util.h"

/* Set a GenericError with a formatted description; returns false for the handler to return. */
bool ga_error(struct ga_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->cls = GA_ERR_GENERIC;
    ga_vfmt(err->desc, sizeof(err->desc), fmt, ap);
    va_end(ap);
    return false;
}

/* Set an error of a given QEMU class with a formatted description; returns false. */
bool ga_error_class(struct ga_err *err, enum ga_err_class cls, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err->cls = cls;
    ga_vfmt(err->desc, sizeof(err->desc), fmt, ap);
    va_end(ap);
    return false;
}

/* Index of a command in the command table by its QMP name, or -1. */
int ga_find_command(const char *name)
{
    for (size_t i = 0; i < ga_command_count; i++) {
        if (ga_streq(ga_commands[i].name, name)) {
            return (int)i;
        }
    }
    return -1;
}

/* The stream's callback for each complete JSON message: handle it as a request. */
static void on_message(void *ctx, const char *text, size_t len)
{
    ga_handle_message(ctx, text, len);
}

/* Sends a finished reply: 0xFF first when guest-sync-delimited asked. */
static void send_reply(struct ga *ga, struct gw *w)
{
    if (w->failed) {
        /* The reply itself was too large: say so instead. */
        gw_free(w);
        gw_init(w, 4096);
        gw_raw(w, "{\"error\":{\"class\":\"GenericError\",\"desc\":\"reply too large\"}}", 59);
    }
    gw_raw(w, "\n", 1);
    if (ga->delimit_next) {
        ga->delimit_next = false;
        ga->write(ga->write_ctx, "\xff", 1);
    }
    ga->write(ga->write_ctx, w->buf, w->len);
}

/* The QEMU error class name a reply carries. */
static const char *class_name(enum ga_err_class c)
{
    return c == GA_ERR_COMMAND_NOT_FOUND ? "CommandNotFound" : "GenericError";
}

/* Replies with an error, echoing the request's id when there is one. */
static void reply_error(struct ga *ga, const struct ga_err *err, const struct gj *id)
{
    struct gw w;
    gw_init(&w, 64 * 1024);
    gw_obj_begin(&w);
    gw_key(&w, "error");
    gw_obj_begin(&w);
    gw_key(&w, "class");
    gw_str(&w, class_name(err->cls));
    gw_key(&w, "desc");
    gw_str(&w, err->desc);
    gw_obj_end(&w);
    if (id) {
        gw_key(&w, "id");
        gw_value(&w, id);
    }
    gw_obj_end(&w);
    send_reply(ga, &w);
    gw_free(&w);
}

/* The stream's callback for a malformed or oversized message: reply one error. */
static void on_stream_error(void *ctx, const char *desc)
{
    struct ga_err err = {GA_ERR_GENERIC, {0}};
    ga_fmt(err.desc, sizeof(err.desc), "%s", desc);
    reply_error(ctx, &err, NULL);
}

/* Set up an agent: stream limits, every command enabled, replies through write. */
bool ga_init(struct ga *ga, const char *version, ga_write_fn write, void *write_ctx)
{
    memset(ga, 0, sizeof(*ga));
    if (ga_command_count > sizeof(ga->enabled) / sizeof(ga->enabled[0])) {
        return false;
    }
    gs_init(&ga->stream, GA_MAX_REQUEST);
    ga->stream.on_message = on_message;
    ga->stream.on_error = on_stream_error;
    ga->stream.ctx = ga;
    ga->write = write;
    ga->write_ctx = write_ctx;
    ga->version = version;
    ga->next_file_id = GA_FIRST_FILE_ID;
    for (size_t i = 0; i < ga_command_count; i++) {
        ga->enabled[i] = true;
    }
    return true;
}

/* Free an agent's state: thaw a freeze, close leaked file handles, end processes. */
void ga_fini(struct ga *ga)
{
    ga_freeze_cleanup(ga);
    for (size_t i = 0; i < GA_MAX_FILES; i++) {
        if (ga->files[i].os) {
            ga_os_file_close(ga->files[i].os);
            ga->files[i].os = NULL;
        }
    }
    for (size_t i = 0; i < GA_MAX_PROCS; i++) {
        if (ga->procs[i].os) {
            ga_os_exec_free(ga->procs[i].os);
            ga->procs[i].os = NULL;
        }
    }
    gs_free(&ga->stream);
}

/* True when name is in the NULL-terminated list. */
static bool listed(const char *const *list, const char *name)
{
    for (; list && *list; list++) {
        if (ga_streq(*list, name)) {
            return true;
        }
    }
    return false;
}

/* Enable only allowed commands (all when no allow list) and disable blocked ones. */
void ga_apply_filters(struct ga *ga, const char *const *allow, const char *const *block)
{
    for (size_t i = 0; i < ga_command_count; i++) {
        bool on = true;
        if (allow && *allow) {
            on = listed(allow, ga_commands[i].name);
        }
        if (listed(block, ga_commands[i].name)) {
            on = false;
        }
        ga->enabled[i] = on;
    }
}

/* Feed bytes read from the channel to the message stream. */
void ga_feed(struct ga *ga, const char *data, size_t len)
{
    gs_feed(&ga->stream, data, len);
}

/* Forget a half-read message after the channel was reopened. */
void ga_channel_reset(struct ga *ga)
{
    gs_reset(&ga->stream);
    ga->delimit_next = false;
}

/* Make the next reply start with the 0xFF sentinel (guest-sync-delimited). */
void ga_set_delimited(struct ga *ga)
{
    ga->delimit_next = true;
}

/* The JSON type name used in argument errors. */
static const char *type_name(enum ga_ptype t)
{
    switch (t) {
    case GA_P_INT:
        return "integer";
    case GA_P_STR:
        return "string";
    case GA_P_BOOL:
        return "boolean";
    case GA_P_STRLIST:
        return "array";
    default:
        return "value";
    }
}

/* Checks one argument's JSON type against its parameter. */
static bool type_ok(const struct ga_param *p, const struct gj *v)
{
    switch (p->type) {
    case GA_P_INT:
        return v->type == GJ_INT;
    case GA_P_STR:
        return v->type == GJ_STR;
    case GA_P_BOOL:
        return v->type == GJ_BOOL;
    case GA_P_STRLIST:
        if (v->type != GJ_ARR) {
            return false;
        }
        for (const struct gj *e = v->first; e; e = e->next) {
            if (e->type != GJ_STR) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

/* Checks args against the command's parameters, with QEMU's messages. */
static bool check_args(const struct ga_cmd *cmd, const struct gj *args, struct ga_err *err)
{
    for (const struct gj *a = args->first; a; a = a->next) {
        const struct ga_param *p = cmd->params;
        while (p && p->name && !ga_streq(p->name, a->key)) {
            p++;
        }
        if (!p || !p->name) {
            return ga_error(err, "Parameter '%s' is unexpected", a->key);
        }
    }
    for (const struct ga_param *p = cmd->params; p && p->name; p++) {
        const struct gj *v = gj_get(args, p->name);
        if (!v) {
            if (!p->optional) {
                return ga_error(err, "Parameter '%s' is missing", p->name);
            }
            continue;
        }
        if (!type_ok(p, v)) {
            return ga_error(err, "Invalid parameter type for '%s', expected: %s", p->name,
                            type_name(p->type));
        }
    }
    return true;
}

/* Checks the request's shape as QEMU's dispatcher does; returns the
 * request object or NULL with err set. */
static const struct gj *check_request(const struct gj *req, struct ga_err *err)
{
    if (req->type != GJ_OBJ) {
        ga_error(err, "QMP input must be a JSON object");
        return NULL;
    }
    bool has_exec = false;
    for (const struct gj *m = req->first; m; m = m->next) {
        if (ga_streq(m->key, "execute")) {
            if (m->type != GJ_STR) {
                ga_error(err, "QMP input member 'execute' must be a string");
                return NULL;
            }
            has_exec = true;
        } else if (ga_streq(m->key, "arguments")) {
            if (m->type != GJ_OBJ) {
                ga_error(err, "QMP input member 'arguments' must be an object");
                return NULL;
            }
        } else if (!ga_streq(m->key, "id")) {
            ga_error(err, "QMP input member '%s' is unexpected", m->key);
            return NULL;
        }
    }
    if (!has_exec) {
        ga_error(err, "QMP input lacks member 'execute'");
        return NULL;
    }
    return req;
}

/* Handle one request: parse, check the command and its arguments, run it, reply. */
void ga_handle_message(struct ga *ga, const char *text, size_t len)
{
    struct gj_arena arena = {0};
    struct ga_err err = {GA_ERR_NONE, {0}};
    const struct gj *id = NULL;
    arena.limit = 8 * (size_t)GA_MAX_REQUEST + (1u << 20);
    const struct gj *req = gj_parse(&arena, text, len, err.desc, sizeof(err.desc));
    if (!req) {
        err.cls = GA_ERR_GENERIC;
        reply_error(ga, &err, NULL);
        gj_arena_free(&arena);
        return;
    }
    if (req->type == GJ_OBJ) {
        id = gj_get(req, "id");
    }
    if (!check_request(req, &err)) {
        reply_error(ga, &err, id);
        gj_arena_free(&arena);
        return;
    }
    const char *name = gj_get(req, "execute")->s;
    int idx = ga_find_command(name);
    if (idx < 0) {
        ga_error_class(&err, GA_ERR_COMMAND_NOT_FOUND, "The command %s has not been found", name);
        reply_error(ga, &err, id);
        gj_arena_free(&arena);
        return;
    }
    if (!ga_freeze_allows(ga, name)) {
        ga_error_class(&err, GA_ERR_COMMAND_NOT_FOUND,
                       "Command %s has been disabled: the agent is in frozen state", name);
        reply_error(ga, &err, id);
        gj_arena_free(&arena);
        return;
    }
    if (!ga->enabled[idx]) {
        ga_error_class(&err, GA_ERR_COMMAND_NOT_FOUND,
                       "Command %s has been disabled: the command is not allowed", name);
        reply_error(ga, &err, id);
        gj_arena_free(&arena);
        return;
    }
    const struct ga_cmd *cmd = &ga_commands[idx];
    static const struct gj empty = {.type = GJ_OBJ};
    const struct gj *args = gj_get(req, "arguments");
    if (!args) {
        args = &empty;
    }
    struct gw w;
    gw_init(&w, GA_MAX_REPLY);
    gw_obj_begin(&w);
    gw_key(&w, "return");
    if (!check_args(cmd, args, &err) || !cmd->fn(ga, args, &w, &err)) {
        if (err.cls == GA_ERR_NONE) {
            ga_error(&err, "%s", GA_UNSUPPORTED);
        }
        gw_free(&w);
        reply_error(ga, &err, id);
        gj_arena_free(&arena);
        return;
    }
    if (!(cmd->flags & GA_CMD_NO_SUCCESS_RESPONSE)) {
        if (w.len == 10) { /* {"return": with nothing written: an empty object */
            gw_obj_begin(&w);
            gw_obj_end(&w);
        }
        if (id) {
            gw_key(&w, "id");
            gw_value(&w, id);
        }
        gw_obj_end(&w);
        send_reply(ga, &w);
    }
    gw_free(&w);
    gj_arena_free(&arena);
}

/* A string argument, or dflt when absent (types were checked against the table). */
const char *ga_arg_str(const struct gj *args, const char *name, const char *dflt)
{
    const struct gj *v = gj_get(args, name);
    return v && v->type == GJ_STR ? v->s : dflt;
}

/* An integer argument, or dflt when absent. */
int64_t ga_arg_int(const struct gj *args, const char *name, int64_t dflt)
{
    const struct gj *v = gj_get(args, name);
    return v && v->type == GJ_INT ? v->i : dflt;
}

/* Whether an argument was given. */
bool ga_arg_has(const struct gj *args, const char *name)
{
    return gj_get(args, name) != NULL;
}

/* A boolean argument, or dflt when absent. */
bool ga_arg_bool(const struct gj *args, const char *name, bool dflt)
{
    const struct gj *v = gj_get(args, name);
    return v && v->type == GJ_BOOL ? v->b : dflt;
}
