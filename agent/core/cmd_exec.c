/* guest-exec and guest-exec-status: at most GA_MAX_PROCS processes
 * tracked; a process is forgotten once its exit has been reported. */
#include <string.h>

#include "b64.h"
#include "commands.h"
#include "os.h"
#include "util.h"

/* A NULL-terminated array of the strings of list (or NULL when absent). */
static const char **str_array(const struct gj *list, bool *oom)
{
    if (!list) {
        return NULL;
    }
    const char **v = ga_alloc((list->count + 1) * sizeof(*v));
    if (!v) {
        *oom = true;
        return NULL;
    }
    size_t i = 0;
    for (const struct gj *e = list->first; e; e = e->next) {
        v[i++] = e->s;
    }
    return v;
}

/* capture-output: a bool, or (newer QEMU) none/stdout/stderr/separated/merged. */
static bool parse_capture(const struct gj *v, bool *capture, struct ga_err *err)
{
    *capture = false;
    if (!v) {
        return true;
    }
    if (v->type == GJ_BOOL) {
        *capture = v->b;
        return true;
    }
    if (v->type == GJ_STR) {
        if (ga_streq(v->s, "none")) {
            return true;
        }
        if (ga_streq(v->s, "separated")) {
            *capture = true;
            return true;
        }
        return ga_error(err, "Parameter 'capture-output' does not accept value '%s'", v->s);
    }
    return ga_error(err, "Invalid parameter type for 'capture-output', expected: boolean");
}

/* guest-exec: start a process with its arguments, environment and input, capturing output if asked.
 */
GA_HANDLER(ga_cmd_exec)
{
    struct ga_proc *slot = NULL;
    for (size_t i = 0; i < GA_MAX_PROCS && !slot; i++) {
        if (!ga->procs[i].os) {
            slot = &ga->procs[i];
        }
    }
    if (!slot) {
        return ga_error(err, "too many processes started and not reaped (at most %d)",
                        GA_MAX_PROCS);
    }
    struct ga_exec_req req;
    memset(&req, 0, sizeof(req));
    req.path = ga_arg_str(args, "path", "");
    if (!parse_capture(gj_get(args, "capture-output"), &req.capture, err)) {
        return false;
    }
    bool oom = false;
    static const char *const no_args[] = {NULL};
    const char **argv = str_array(gj_get(args, "arg"), &oom);
    const char **envp = str_array(gj_get(args, "env"), &oom);
    unsigned char *input = NULL;
    const struct gj *in = gj_get(args, "input-data");
    bool ok = !oom;
    if (!ok) {
        ga_error(err, "out of memory");
    }
    if (ok && in) {
        input = ga_alloc(in->len / 4 * 3 + 3);
        if (!input) {
            ok = ga_error(err, "out of memory");
        } else if (!b64_decode(in->s, in->len, input, &req.input_len)) {
            ok = ga_error(err, "Invalid Base64 data");
        }
        req.input = input;
    }
    if (ok) {
        req.argv = argv ? argv : no_args;
        req.envp = envp;
        int64_t pid;
        void *proc;
        err->desc[0] = 0;
        ok = ga_os_exec_start(&req, &proc, &pid, err);
        if (ok) {
            slot->os = proc;
            slot->pid = pid;
            gw_obj_begin(out);
            gw_key(out, "pid");
            gw_int(out, pid);
            gw_obj_end(out);
        } else {
            char sys[sizeof(err->desc)];
            ga_fmt(sys, sizeof(sys), "%s", err->desc);
            ga_error(err,
                     sys[0] ? "failed to execute child process '%s': %s"
                            : "failed to execute child process '%s'%s",
                     req.path, sys);
        }
    }
    ga_free(input);
    ga_free(argv);
    ga_free(envp);
    return ok;
}

/* Writes base64 of data[0..len) as key, or fails for lack of memory. */
static bool put_b64(struct gw *out, const char *key, const unsigned char *data, size_t len)
{
    char *t = ga_alloc(b64_encoded_len(len) + 1);
    if (!t) {
        return false;
    }
    b64_encode(data, len, t);
    gw_key(out, key);
    gw_str(out, t);
    ga_free(t);
    return true;
}

/* guest-exec-status: whether the process exited, with its code and captured output. */
GA_HANDLER(ga_cmd_exec_status)
{
    int64_t pid = ga_arg_int(args, "pid", 0);
    struct ga_proc *p = NULL;
    for (size_t i = 0; i < GA_MAX_PROCS && !p; i++) {
        if (ga->procs[i].os && ga->procs[i].pid == pid) {
            p = &ga->procs[i];
        }
    }
    if (!p) {
        return ga_error(err, "Invalid parameter 'pid'");
    }
    struct ga_exec_state st;
    memset(&st, 0, sizeof(st));
    ga_os_exec_poll(p->os, &st);
    gw_obj_begin(out);
    gw_key(out, "exited");
    gw_bool(out, st.exited);
    if (st.exited) {
        /* Windows reports NTSTATUS codes of unhandled exceptions as exit
         * codes (0xC0000000 and up); QEMU's agent returns exitcode. */
        gw_key(out, "exitcode");
        gw_int(out, st.exitcode);
        bool ok = true;
        if (st.out_len) {
            ok = put_b64(out, "out-data", st.out, st.out_len);
        }
        if (ok && st.err_len) {
            ok = put_b64(out, "err-data", st.errout, st.err_len);
        }
        if (!ok) {
            return ga_error(err, "out of memory");
        }
        if (st.out_truncated) {
            gw_key(out, "out-truncated");
            gw_bool(out, true);
        }
        if (st.err_truncated) {
            gw_key(out, "err-truncated");
            gw_bool(out, true);
        }
    }
    gw_obj_end(out);
    if (st.exited) {
        ga_os_exec_free(p->os);
        p->os = NULL;
    }
    return true;
}
