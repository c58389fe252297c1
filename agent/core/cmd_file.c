/* guest-file-open/close/read/write/seek/flush: handles numbered from 1000
 * as QEMU's agent numbers them, at most GA_MAX_FILES open at once, all
 * closed when the agent stops. */
#include <string.h>

#include "b64.h"
#include "commands.h"
#include "os.h"
#include "util.h"

/* Parses an fopen() mode ("r", "wb", "a+", "r+b" ...) as QEMU accepts it. */
static bool parse_mode(const char *s, struct ga_open_mode *m)
{
    memset(m, 0, sizeof(*m));
    switch (*s++) {
    case 'r':
        m->read = true;
        m->disposition = GA_OPEN_EXISTING;
        break;
    case 'w':
        m->write = true;
        m->disposition = GA_CREATE_ALWAYS;
        break;
    case 'a':
        m->write = m->append = true;
        m->disposition = GA_OPEN_ALWAYS;
        break;
    default:
        return false;
    }
    bool plus = false, b = false;
    for (; *s; s++) {
        if (*s == '+' && !plus) {
            plus = true;
        } else if (*s == 'b' && !b) {
            b = true;
        } else {
            return false;
        }
    }
    if (plus) {
        m->read = m->write = true;
    }
    return true;
}

/* The open file with this handle, or NULL with err set. */
static struct ga_file *find_file(struct ga *ga, int64_t id, struct ga_err *err)
{
    for (size_t i = 0; i < GA_MAX_FILES; i++) {
        if (ga->files[i].os && ga->files[i].id == id) {
            return &ga->files[i];
        }
    }
    ga_error(err, "handle '%lld' has not been found", (long long)id);
    return NULL;
}

/* Prefixes err's system message with what failed. */
static bool fail_with(struct ga_err *err, const char *what)
{
    char sys[sizeof(err->desc)];
    ga_fmt(sys, sizeof(sys), "%s", err->desc);
    return ga_error(err, sys[0] ? "%s: %s" : "%s", what, sys);
}

/* guest-file-open: open a file in a QEMU open mode, returning a handle. */
GA_HANDLER(ga_cmd_file_open)
{
    const char *path = ga_arg_str(args, "path", "");
    const char *mode = ga_arg_str(args, "mode", "r");
    struct ga_open_mode m;
    if (!parse_mode(mode, &m)) {
        return ga_error(err, "invalid file open mode '%s'", mode);
    }
    struct ga_file *slot = NULL;
    for (size_t i = 0; i < GA_MAX_FILES && !slot; i++) {
        if (!ga->files[i].os) {
            slot = &ga->files[i];
        }
    }
    if (!slot) {
        return ga_error(err, "too many open files (at most %d)", GA_MAX_FILES);
    }
    void *f;
    err->desc[0] = 0;
    if (!ga_os_file_open(path, &m, &f, err)) {
        char what[sizeof(err->desc)];
        ga_fmt(what, sizeof(what), "failed to open file '%s' (mode: '%s')", path, mode);
        return fail_with(err, what);
    }
    slot->os = f;
    slot->id = ga->next_file_id++;
    gw_int(out, slot->id);
    return true;
}

/* guest-file-close: close a handle. */
GA_HANDLER(ga_cmd_file_close)
{
    (void)out;
    struct ga_file *f = find_file(ga, ga_arg_int(args, "handle", 0), err);
    if (!f) {
        return false;
    }
    ga_os_file_close(f->os);
    f->os = NULL;
    return true;
}

/* guest-file-read: up to count bytes as base64, with EOF. */
GA_HANDLER(ga_cmd_file_read)
{
    struct ga_file *f = find_file(ga, ga_arg_int(args, "handle", 0), err);
    if (!f) {
        return false;
    }
    int64_t count = ga_arg_int(args, "count", 4096);
    if (count < 0 || count > (int64_t)GA_FILE_READ_MAX) {
        return ga_error(err, "value '%lld' is invalid for argument count", (long long)count);
    }
    unsigned char *buf = ga_alloc((size_t)count + 1);
    char *text = buf ? ga_alloc(b64_encoded_len((size_t)count) + 1) : NULL;
    if (!text) {
        ga_free(buf);
        return ga_error(err, "out of memory");
    }
    size_t got = 0;
    err->desc[0] = 0;
    bool ok = ga_os_file_read(f->os, buf, (size_t)count, &got, err);
    if (ok) {
        b64_encode(buf, got, text);
        gw_obj_begin(out);
        gw_key(out, "count");
        gw_int(out, (int64_t)got);
        gw_key(out, "buf-b64");
        gw_str(out, text);
        gw_key(out, "eof");
        gw_bool(out, got == 0 && count != 0);
        gw_obj_end(out);
    } else {
        fail_with(err, "failed to read file");
    }
    ga_free(text);
    ga_free(buf);
    return ok;
}

/* guest-file-write: write base64 data, returning the count written. */
GA_HANDLER(ga_cmd_file_write)
{
    struct ga_file *f = find_file(ga, ga_arg_int(args, "handle", 0), err);
    if (!f) {
        return false;
    }
    const struct gj *b64 = gj_get(args, "buf-b64");
    unsigned char *buf = ga_alloc(b64->len / 4 * 3 + 3);
    if (!buf) {
        return ga_error(err, "out of memory");
    }
    size_t len;
    if (!b64_decode(b64->s, b64->len, buf, &len)) {
        ga_free(buf);
        return ga_error(err, "Invalid Base64 data");
    }
    int64_t count = ga_arg_int(args, "count", (int64_t)len);
    if (count < 0 || (uint64_t)count > len) {
        ga_free(buf);
        return ga_error(err, "value '%lld' is invalid for argument count", (long long)count);
    }
    size_t put = 0;
    err->desc[0] = 0;
    bool ok = ga_os_file_write(f->os, buf, (size_t)count, &put, err);
    ga_free(buf);
    if (!ok) {
        return fail_with(err, "failed to write to file");
    }
    gw_obj_begin(out);
    gw_key(out, "count");
    gw_int(out, (int64_t)put);
    gw_key(out, "eof");
    gw_bool(out, false);
    gw_obj_end(out);
    return true;
}

/* guest-file-seek: move the position (whence as a number or a name). */
GA_HANDLER(ga_cmd_file_seek)
{
    struct ga_file *f = find_file(ga, ga_arg_int(args, "handle", 0), err);
    if (!f) {
        return false;
    }
    const struct gj *w = gj_get(args, "whence");
    int whence = -1;
    if (w->type == GJ_INT && w->i >= 0 && w->i <= 2) {
        whence = (int)w->i;
    } else if (w->type == GJ_STR) {
        whence = ga_streq(w->s, "set")   ? 0
                 : ga_streq(w->s, "cur") ? 1
                 : ga_streq(w->s, "end") ? 2
                                         : -1;
    }
    if (whence < 0) {
        if (w->type == GJ_INT) {
            return ga_error(err, "invalid whence code %lld", (long long)w->i);
        }
        if (w->type == GJ_STR) {
            return ga_error(err, "Parameter 'whence' does not accept value '%s'", w->s);
        }
        return ga_error(err, "Invalid parameter type for 'whence', expected: QGASeek");
    }
    int64_t pos;
    err->desc[0] = 0;
    if (!ga_os_file_seek(f->os, ga_arg_int(args, "offset", 0), whence, &pos, err)) {
        return fail_with(err, "failed to seek file");
    }
    gw_obj_begin(out);
    gw_key(out, "position");
    gw_int(out, pos);
    gw_key(out, "eof");
    gw_bool(out, false);
    gw_obj_end(out);
    return true;
}

/* guest-file-flush: flush a handle's buffers to disk. */
GA_HANDLER(ga_cmd_file_flush)
{
    (void)out;
    struct ga_file *f = find_file(ga, ga_arg_int(args, "handle", 0), err);
    if (!f) {
        return false;
    }
    err->desc[0] = 0;
    if (!ga_os_file_flush(f->os, err)) {
        return fail_with(err, "failed to flush file");
    }
    return true;
}
