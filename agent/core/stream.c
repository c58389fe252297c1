/* Message framing of the host's byte stream (see stream.h). */
#include "stream.h"

#include "util.h"

#define GS_TOO_LONG "JSON token size limit exceeded"
#define GS_TOO_DEEP "JSON nesting depth limit exceeded"

/* A message stream accepting messages up to max_len bytes. */
void gs_init(struct gs *s, size_t max_len)
{
    struct gs z = {0};
    *s = z;
    s->max_len = max_len;
}

/* Free a stream's buffer. */
void gs_free(struct gs *s)
{
    ga_free(s->buf);
    s->buf = NULL;
    s->cap = 0;
    gs_reset(s);
}

/* Forget any half-read message. */
void gs_reset(struct gs *s)
{
    s->len = 0;
    s->depth = 0;
    s->in_msg = s->bare = s->in_str = s->esc = false;
    s->skip_reason = NULL;
}

/* Appends one byte to the pending message; false when it does not fit. */
static bool append(struct gs *s, char c)
{
    if (s->len + 1 > s->max_len) {
        return false;
    }
    if (s->len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        if (cap > s->max_len) {
            cap = s->max_len;
        }
        char *b = ga_realloc(s->buf, cap);
        if (!b) {
            return false;
        }
        s->buf = b;
        s->cap = cap;
    }
    s->buf[s->len++] = c;
    return true;
}

/* Hands the complete message over and starts afresh. */
static void finish(struct gs *s)
{
    if (s->skip_reason) {
        const char *why = s->skip_reason;
        gs_reset(s);
        s->on_error(s->ctx, why);
        return;
    }
    size_t len = s->len;
    gs_reset(s);
    s->on_message(s->ctx, s->buf, len);
}

/* Stops storing the current message; it is answered with why at its end. */
static void start_skipping(struct gs *s, const char *why)
{
    s->skip_reason = why;
    s->len = 0;
}

/* Whether a byte is JSON whitespace. */
static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Split incoming bytes into JSON messages by brace depth, honouring the 0xFF flush and size limit.
 */
void gs_feed(struct gs *s, const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];
        unsigned char u = (unsigned char)c;
#ifndef GA_PLANTED_NO_FLUSH /* the tests' planted bug: no flush */
        if (u == 0xff || u == 0xfe) {
            gs_reset(s);
            continue;
        }
#else
        (void)u;
#endif
        if (s->in_msg && s->bare) {
            /* A bare token ends at white space or a bracket. */
            if (is_ws(c) || c == '{' || c == '[') {
                finish(s);
                if (is_ws(c)) {
                    continue;
                }
            } else {
                if (!s->skip_reason && !append(s, c)) {
                    start_skipping(s, GS_TOO_LONG);
                }
                continue;
            }
        }
        if (!s->in_msg) {
            if (is_ws(c)) {
                continue;
            }
            s->in_msg = true;
            s->bare = c != '{' && c != '[';
        }
        if (!s->skip_reason && !append(s, c)) {
            start_skipping(s, GS_TOO_LONG);
        }
        if (s->bare) {
            continue;
        }
        if (s->in_str) {
            if (s->esc) {
                s->esc = false;
            } else if (c == '\\') {
                s->esc = true;
            } else if (c == '"') {
                s->in_str = false;
            }
            continue;
        }
        if (c == '"') {
            s->in_str = true;
        } else if (c == '{' || c == '[') {
            if (++s->depth > GS_MAX_DEPTH && !s->skip_reason) {
                start_skipping(s, GS_TOO_DEEP);
            }
        } else if (c == '}' || c == ']') {
            if (--s->depth == 0) {
                finish(s);
            }
        }
    }
}
