/* INF parser; see inf.h. */
#include "inf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Strip blanks from both ends of a line in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

/* realloc of n elements that ends the tool on exhaustion. */
static void *grow(void *p, size_t n, size_t size)
{
    p = realloc(p, n * size);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* Cuts the comment off a line; returns 0, or -1 on an unterminated quote. */
static int strip_comment(char *s)
{
    int q = 0;
    for (; *s; s++) {
        if (*s == '"')
            q = !q;
        else if (*s == ';' && !q) {
            *s = 0;
            break;
        }
    }
    return q ? -1 : 0;
}

/* Parse INF text into sections and key=value lines, keeping line numbers for reports. */
int inf_parse(struct inf *inf, const char *path, char *text, char *err, size_t errlen)
{
    struct inf_section *cur = NULL;
    int lineno = 0;
    char *next;

    memset(inf, 0, sizeof(*inf));
    inf->path = path;
    /* A UTF-8 byte-order mark is allowed at the start. */
    if (!strncmp(text, "\xef\xbb\xbf", 3))
        text += 3;
    for (char *line = text; line; line = next) {
        lineno++;
        int start = lineno;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        if (strip_comment(line)) {
            snprintf(err, errlen, "%s:%d: unterminated quoted string", path, start);
            return -1;
        }
        char *s = trim(line);
        /* Continuation: a trailing backslash joins the next physical line;
         * the pieces are joined in place (the buffer only shrinks). */
        while (*s && s[strlen(s) - 1] == '\\' && next) {
            s[strlen(s) - 1] = 0;
            char *more = next;
            next = strchr(more, '\n');
            if (next)
                *next++ = 0;
            lineno++;
            if (strip_comment(more)) {
                snprintf(err, errlen, "%s:%d: unterminated quoted string", path, lineno);
                return -1;
            }
            more = trim(more);
            memmove(s + strlen(s), more, strlen(more) + 1);
        }
        if (!*s)
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end || trim(end + 1)[0]) {
                snprintf(err, errlen, "%s:%d: malformed section header", path, start);
                return -1;
            }
            *end = 0;
            char *name = trim(s + 1);
            if (!*name) {
                snprintf(err, errlen, "%s:%d: empty section name", path, start);
                return -1;
            }
            inf->sec = grow(inf->sec, inf->n + 1, sizeof(*inf->sec));
            cur = &inf->sec[inf->n++];
            *cur = (struct inf_section){.name = name, .lineno = start};
            continue;
        }
        if (!cur) {
            snprintf(err, errlen, "%s:%d: text before the first section", path, start);
            return -1;
        }
        struct inf_line l = {.lineno = start, .value = s};
        /* The key ends at the first '=' outside quotes. */
        int q = 0;
        for (char *p = s; *p; p++) {
            if (*p == '"')
                q = !q;
            else if (*p == '=' && !q) {
                *p = 0;
                l.key = trim(s);
                l.value = trim(p + 1);
                if (!*l.key) {
                    snprintf(err, errlen, "%s:%d: empty key before '='", path, start);
                    return -1;
                }
                break;
            }
        }
        cur->lines = grow(cur->lines, cur->n + 1, sizeof(*cur->lines));
        cur->lines[cur->n++] = l;
    }
    return 0;
}

/* Free what inf_parse allocated. */
void inf_free(struct inf *inf)
{
    for (size_t i = 0; i < inf->n; i++)
        free(inf->sec[i].lines);
    free(inf->sec);
    memset(inf, 0, sizeof(*inf));
}

/* A section by name (case-insensitive, as Windows reads INFs), or NULL. */
const struct inf_section *inf_find(const struct inf *inf, const char *name)
{
    for (size_t i = 0; i < inf->n; i++)
        if (!strcasecmp(inf->sec[i].name, name))
            return &inf->sec[i];
    return NULL;
}

/* Split a value into comma-separated fields, quotes and %% handled, into buf. */
size_t inf_fields(const char *value, char **field, size_t max, char *buf, size_t buflen)
{
    size_t n = 0, o = 0;
    const char *p = value;

    if (!buflen)
        return 0;
    while (n < max) {
        while (*p == ' ' || *p == '\t')
            p++;
        field[n] = buf + o;
        int q = 0;
        size_t last = o; /* end of the text before trailing blanks */
        for (; *p && (q || *p != ','); p++) {
            if (*p == '"') {
                q = !q;
                last = o;
                continue;
            }
            if (o + 1 < buflen)
                buf[o++] = *p;
            if (*p != ' ' && *p != '\t')
                last = o;
        }
        o = last;
        buf[o++ < buflen ? o - 1 : buflen - 1] = 0;
        n++;
        if (*p != ',')
            break;
        p++;
    }
    return n;
}
