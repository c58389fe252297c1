/* Bounded formatting and string helpers for the portable agent code. */
#include "util.h"

#include <string.h>

struct fmt_out {
    char *buf;
    size_t size, len;
};

/* Appends one character, keeping room for the terminator. */
static void put(struct fmt_out *o, char c)
{
    if (o->len + 1 < o->size) {
        o->buf[o->len++] = c;
    }
}

/* Appends an unsigned number in base 10 or 16. */
static void put_u64(struct fmt_out *o, uint64_t v, unsigned base)
{
    char digits[24];
    int n = 0;
    do {
        unsigned d = (unsigned)(v % base);
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n) {
        put(o, digits[--n]);
    }
}

/* Appends a signed number in base 10. */
static void put_i64(struct fmt_out *o, int64_t v)
{
    if (v < 0) {
        put(o, '-');
        put_u64(o, (uint64_t)0 - (uint64_t)v, 10);
    } else {
        put_u64(o, (uint64_t)v, 10);
    }
}

/* A small vsnprintf (no C runtime): %s %d %u %lld %llu %x %c, always NUL-terminated. */
size_t ga_vfmt(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct fmt_out o = {buf, size, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&o, *p);
            continue;
        }
        p++;
        int longs = 0;
        while (*p == 'l') {
            longs++;
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++) {
                put(&o, *s);
            }
            break;
        }
        case 'd':
            put_i64(&o, longs >= 2 ? va_arg(ap, long long) : va_arg(ap, int));
            break;
        case 'u':
            put_u64(&o, longs >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 10);
            break;
        case 'x':
            put_u64(&o, longs >= 2 ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned), 16);
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case '%':
            put(&o, '%');
            break;
        default: /* unknown conversion: stop rather than misread arguments */
            goto out;
        }
    }
out:
    if (o.size) {
        o.buf[o.len] = 0;
    }
    return o.len;
}

/* ga_vfmt with variadic arguments. */
size_t ga_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = ga_vfmt(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* A NUL-terminated copy of len bytes. */
char *ga_strndup(const char *s, size_t len)
{
    char *d = ga_alloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = 0;
    }
    return d;
}

/* A copy of a string. */
char *ga_strdup(const char *s)
{
    return ga_strndup(s, strlen(s));
}

/* Whether two strings are equal. */
bool ga_streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}
