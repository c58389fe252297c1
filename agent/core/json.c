/* The agent's JSON parser (bounded, strict UTF-8) and writer. */
#include "json.h"

#include <string.h>

#include "util.h"

/* ---- arena ---- */

struct gj_arena_block {
    struct gj_arena_block *next;
    size_t size, used;
    /* data follows, aligned for struct gj */
};

#define GJ_BLOCK_MIN 16384

/* Allocates size bytes (zeroed) from the arena, or NULL past its limit. */
static void *arena_alloc(struct gj_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    struct gj_arena_block *b = a->head;
    if (!b || b->size - b->used < size) {
        size_t data = size > GJ_BLOCK_MIN ? size : GJ_BLOCK_MIN;
        if (a->limit && a->bytes + data > a->limit) {
            return NULL;
        }
        b = ga_alloc(sizeof(*b) + 16 + data);
        if (!b) {
            return NULL;
        }
        b->size = data;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->bytes += data;
    }
    char *base = (char *)(((uintptr_t)(b + 1) + 15) & ~(uintptr_t)15);
    void *p = base + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

/* Free every block of a parse arena. */
void gj_arena_free(struct gj_arena *a)
{
    while (a->head) {
        struct gj_arena_block *n = a->head->next;
        ga_free(a->head);
        a->head = n;
    }
    a->bytes = 0;
}

/* ---- UTF-8 ---- */

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    unsigned min;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, min = 0x80, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, min = 0x800, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

/* Whether bytes are strict UTF-8 (no overlongs, surrogates or values past U+10FFFF). */
bool gj_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq(p + i, len - i);
        if (!n) {
            return false;
        }
        i += n;
    }
    return true;
}

/* Encodes code point cp as UTF-8 into out; returns the length. */
static size_t utf8_put(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* ---- parser ---- */

struct parser {
    struct gj_arena *arena;
    const char *p, *end;
    char *err;
    size_t err_size;
    bool failed;
};

/* Records the first error only. */
static void fail(struct parser *ps, const char *what)
{
    if (!ps->failed) {
        ps->failed = true;
        ga_fmt(ps->err, ps->err_size, "JSON parse error, %s", what);
    }
}

/* Skip JSON whitespace. */
static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')) {
        ps->p++;
    }
}

/* Four hex digits of a \u escape, or -1. */
static int32_t hex4(struct parser *ps)
{
    if (ps->end - ps->p < 4) {
        return -1;
    }
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            return -1;
        }
    }
    return v;
}

/* Parses a string at ps->p (on the opening quote) into arena memory. */
static bool parse_string(struct parser *ps, const char **out, size_t *out_len)
{
    ps->p++;
    /* Decoded text is never longer than the raw text. */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') {
        q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    }
    if (q >= ps->end) {
        fail(ps, "missing terminating '\"' of string");
        return false;
    }
    char *buf = arena_alloc(ps->arena, (size_t)(q - ps->p) + 1);
    if (!buf) {
        fail(ps, "request too large");
        return false;
    }
    size_t n = 0;
    while (*ps->p != '"') {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            fail(ps, "control character in string");
            return false;
        }
        if (c != '\\') {
            size_t l = utf8_seq((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
            if (!l) {
                fail(ps, "invalid UTF-8 sequence in string");
                return false;
            }
            memcpy(buf + n, ps->p, l);
            n += l;
            ps->p += l;
            continue;
        }
        ps->p++;
        char e = *ps->p++;
        switch (e) {
        case '"':
            buf[n++] = '"';
            break;
        case '\\':
            buf[n++] = '\\';
            break;
        case '/':
            buf[n++] = '/';
            break;
        case 'b':
            buf[n++] = '\b';
            break;
        case 'f':
            buf[n++] = '\f';
            break;
        case 'n':
            buf[n++] = '\n';
            break;
        case 'r':
            buf[n++] = '\r';
            break;
        case 't':
            buf[n++] = '\t';
            break;
        case 'u': {
            int32_t cp = hex4(ps);
            if (cp < 0) {
                fail(ps, "invalid escape sequence in string");
                return false;
            }
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                fail(ps, "unpaired surrogate in string");
                return false;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u') {
                    fail(ps, "unpaired surrogate in string");
                    return false;
                }
                ps->p += 2;
                int32_t lo = hex4(ps);
                if (lo < 0xdc00 || lo > 0xdfff) {
                    fail(ps, "unpaired surrogate in string");
                    return false;
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp == 0) {
                /* Our strings are NUL-terminated; QEMU refuses \u0000 too. */
                fail(ps, "\\u0000 is not supported");
                return false;
            }
            n += utf8_put(buf + n, (uint32_t)cp);
            break;
        }
        default:
            fail(ps, "invalid escape sequence in string");
            return false;
        }
    }
    ps->p++;
    buf[n] = 0;
    *out = buf;
    *out_len = n;
    return true;
}

/* Parses a number; integers that fit become GJ_INT/GJ_UINT. */
static bool parse_number(struct parser *ps, struct gj *v)
{
    const char *start = ps->p;
    bool neg = false, integral = true;
    if (*ps->p == '-') {
        neg = true;
        ps->p++;
    }
    if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
        fail(ps, "invalid number");
        return false;
    }
    if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' && ps->p[1] <= '9') {
        fail(ps, "invalid number (leading zero)");
        return false;
    }
    uint64_t mag = 0;
    bool overflow = false;
    while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
        unsigned d = (unsigned)(*ps->p++ - '0');
        if (mag > (UINT64_MAX - d) / 10) {
            overflow = true;
        } else {
            mag = mag * 10 + d;
        }
    }
    if (ps->p < ps->end && *ps->p == '.') {
        integral = false;
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
            fail(ps, "invalid number");
            return false;
        }
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
            ps->p++;
        }
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        integral = false;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) {
            ps->p++;
        }
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
            fail(ps, "invalid number");
            return false;
        }
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
            ps->p++;
        }
    }
    if (integral && !overflow && neg && mag <= (uint64_t)INT64_MAX + 1) {
        v->type = GJ_INT;
        v->i = (int64_t)(0 - mag);
    } else if (integral && !overflow && !neg && mag <= (uint64_t)INT64_MAX) {
        v->type = GJ_INT;
        v->i = (int64_t)mag;
    } else if (integral && !overflow && !neg) {
        v->type = GJ_UINT;
        v->u = mag;
    } else {
        v->type = GJ_NUM;
        size_t l = (size_t)(ps->p - start);
        char *t = arena_alloc(ps->arena, l + 1);
        if (!t) {
            fail(ps, "request too large");
            return false;
        }
        memcpy(t, start, l);
        v->s = t;
        v->len = l;
    }
    return true;
}

static struct gj *parse_value(struct parser *ps, int depth);

/* Matches a literal keyword (true, false, null). */
static bool keyword(struct parser *ps, const char *kw)
{
    size_t l = strlen(kw);
    if ((size_t)(ps->end - ps->p) >= l && memcmp(ps->p, kw, l) == 0) {
        ps->p += l;
        return true;
    }
    return false;
}

/* Parses an array or object body; the opening bracket is at ps->p. */
static bool parse_container(struct parser *ps, struct gj *v, int depth)
{
    bool obj = *ps->p == '{';
    char close = obj ? '}' : ']';
    v->type = obj ? GJ_OBJ : GJ_ARR;
    if (depth >= GJ_MAX_DEPTH) {
        fail(ps, "nesting too deep");
        return false;
    }
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    struct gj **tail = &v->first;
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        skip_ws(ps);
        if (obj) {
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, "expecting a member name");
                return false;
            }
            if (!parse_string(ps, &key, &key_len)) {
                return false;
            }
            for (struct gj *m = v->first; m; m = m->next) {
                if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
                    fail(ps, "duplicate member name");
                    return false;
                }
            }
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                fail(ps, "expecting ':'");
                return false;
            }
            ps->p++;
        }
        struct gj *e = parse_value(ps, depth + 1);
        if (!e) {
            return false;
        }
        e->key = key;
        e->key_len = key_len;
        *tail = e;
        tail = &e->next;
        v->count++;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return true;
        }
        fail(ps, obj ? "expecting ',' or '}'" : "expecting ',' or ']'");
        return false;
    }
}

/* Parse one JSON value, nesting bounded by depth. */
static struct gj *parse_value(struct parser *ps, int depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end) {
        fail(ps, "expecting value");
        return NULL;
    }
    struct gj *v = arena_alloc(ps->arena, sizeof(*v));
    if (!v) {
        fail(ps, "request too large");
        return NULL;
    }
    char c = *ps->p;
    bool ok;
    if (c == '{' || c == '[') {
        ok = parse_container(ps, v, depth);
    } else if (c == '"') {
        v->type = GJ_STR;
        ok = parse_string(ps, &v->s, &v->len);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        ok = parse_number(ps, v);
    } else if (keyword(ps, "true")) {
        v->type = GJ_BOOL;
        v->b = true;
        ok = true;
    } else if (keyword(ps, "false")) {
        v->type = GJ_BOOL;
        ok = true;
    } else if (keyword(ps, "null")) {
        v->type = GJ_NULL;
        ok = true;
    } else {
        fail(ps, "invalid keyword or character");
        ok = false;
    }
    return ok ? v : NULL;
}

/* Parse a whole JSON text into the arena; NULL with err set on any mistake. */
struct gj *gj_parse(struct gj_arena *arena, const char *text, size_t len, char *err,
                    size_t err_size)
{
    struct parser ps = {arena, text, text + len, err, err_size, false};
    struct gj *v = parse_value(&ps, 0);
    if (v) {
        skip_ws(&ps);
        if (ps.p != ps.end) {
            fail(&ps, "unexpected text after the value");
            v = NULL;
        }
    }
    return v;
}

/* A member of an object by name, or NULL. */
const struct gj *gj_get(const struct gj *obj, const char *name)
{
    if (!obj || obj->type != GJ_OBJ) {
        return NULL;
    }
    for (const struct gj *m = obj->first; m; m = m->next) {
        if (strcmp(m->key, name) == 0) {
            return m;
        }
    }
    return NULL;
}

/* ---- writer ---- */

/* An empty JSON writer whose output is bounded by limit. */
void gw_init(struct gw *w, size_t limit)
{
    memset(w, 0, sizeof(*w));
    w->limit = limit;
}

/* Free a writer's buffer. */
void gw_free(struct gw *w)
{
    ga_free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

/* Append raw text; past the limit the writer fails instead. */
void gw_raw(struct gw *w, const char *s, size_t len)
{
    if (w->failed) {
        return;
    }
    if (len > w->limit || w->len > w->limit - len) {
        w->failed = true;
        return;
    }
    if (w->len + len + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + len + 1) {
            cap *= 2;
        }
        char *b = ga_realloc(w->buf, cap);
        if (!b) {
            w->failed = true;
            return;
        }
        w->buf = b;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, len);
    w->len += len;
    w->buf[w->len] = 0;
}

/* Writes the separator a new value at this level needs. */
static void sep(struct gw *w)
{
    if (w->need_comma) {
        gw_raw(w, ",", 1);
    }
    w->need_comma = true;
}

/* Open an object. */
void gw_obj_begin(struct gw *w)
{
    sep(w);
    gw_raw(w, "{", 1);
    w->need_comma = false;
}

/* Close an object. */
void gw_obj_end(struct gw *w)
{
    gw_raw(w, "}", 1);
    w->need_comma = true;
}

/* Open an array. */
void gw_arr_begin(struct gw *w)
{
    sep(w);
    gw_raw(w, "[", 1);
    w->need_comma = false;
}

/* Close an array. */
void gw_arr_end(struct gw *w)
{
    gw_raw(w, "]", 1);
    w->need_comma = true;
}

/* Writes s[0..len) as a quoted, escaped JSON string. */
static void put_quoted(struct gw *w, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    gw_raw(w, "\"", 1);
    size_t run = 0; /* bytes copied as they are, flushed in one go */
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned c = p[i];
        size_t l = utf8_seq(p + i, len - i);
        if (l && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
            run += l;
            i += l;
            continue;
        }
        gw_raw(w, (const char *)p + i - run, run);
        run = 0;
        if (!l) {
            gw_raw(w, "\\ufffd", 6);
            i++;
            continue;
        }
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
            gw_raw(w, esc, 2);
        } else if (c == '\n') {
            gw_raw(w, "\\n", 2);
        } else if (c == '\r') {
            gw_raw(w, "\\r", 2);
        } else if (c == '\t') {
            gw_raw(w, "\\t", 2);
        } else {
            gw_raw(w, esc, 6);
        }
        i++;
    }
    gw_raw(w, (const char *)p + len - run, run);
    gw_raw(w, "\"", 1);
}

/* Write an object member's key. */
void gw_key(struct gw *w, const char *key)
{
    sep(w);
    put_quoted(w, key, strlen(key));
    gw_raw(w, ":", 1);
    w->need_comma = false;
}

/* Write a string of len bytes, escaped. */
void gw_strn(struct gw *w, const char *s, size_t len)
{
    sep(w);
    put_quoted(w, s, len);
}

/* Write a NUL-terminated string, escaped. */
void gw_str(struct gw *w, const char *s)
{
    gw_strn(w, s, strlen(s));
}

/* Write a signed integer. */
void gw_int(struct gw *w, int64_t v)
{
    char t[24];
    sep(w);
    gw_raw(w, t, ga_fmt(t, sizeof(t), "%lld", (long long)v));
}

/* Write an unsigned integer. */
void gw_uint(struct gw *w, uint64_t v)
{
    char t[24];
    sep(w);
    gw_raw(w, t, ga_fmt(t, sizeof(t), "%llu", (unsigned long long)v));
}

/* Write true or false. */
void gw_bool(struct gw *w, bool v)
{
    sep(w);
    gw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

/* Write a JSON null. */
void gw_null(struct gw *w)
{
    sep(w);
    gw_raw(w, "null", 4);
}

/* Write a number already formatted as text. */
void gw_number_text(struct gw *w, const char *text)
{
    sep(w);
    gw_raw(w, text, strlen(text));
}

/* Write a parsed JSON value back out (guest-sync's id). */
void gw_value(struct gw *w, const struct gj *v)
{
    switch (v->type) {
    case GJ_NULL:
        gw_null(w);
        break;
    case GJ_BOOL:
        gw_bool(w, v->b);
        break;
    case GJ_INT:
        gw_int(w, v->i);
        break;
    case GJ_UINT:
        gw_uint(w, v->u);
        break;
    case GJ_NUM:
        gw_number_text(w, v->s);
        break;
    case GJ_STR:
        gw_strn(w, v->s, v->len);
        break;
    case GJ_ARR:
    case GJ_OBJ:
        if (v->type == GJ_OBJ) {
            gw_obj_begin(w);
        } else {
            gw_arr_begin(w);
        }
        for (const struct gj *e = v->first; e; e = e->next) {
            if (v->type == GJ_OBJ) {
                gw_key(w, e->key);
            }
            gw_value(w, e);
        }
        if (v->type == GJ_OBJ) {
            gw_obj_end(w);
        } else {
            gw_arr_end(w);
        }
        break;
    }
}
