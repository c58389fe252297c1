/* A parsed INF file: sections of lines, each line an optional key and a
 * value, with line numbers kept for messages.  The syntax is the one
 * SetupAPI reads: [section] headers, key = value lines, ';' comments outside
 * double quotes, '\' at the end of a line continues it. */
#ifndef SIGN_INF_H
#define SIGN_INF_H

#include <stddef.h>

struct inf_line {
    int lineno;
    char *key;   /* NULL when the line has no '=' (e.g. a file-list entry) */
    char *value; /* text right of '=', or the whole line; trimmed */
};

struct inf_section {
    char *name;
    int lineno;
    struct inf_line *lines;
    size_t n;
};

struct inf {
    const char *path;
    struct inf_section *sec;
    size_t n;
};

/* Parses text (modified in place and referenced by the result).  On a
 * syntax error returns -1 with "path:line: message" in err. */
int inf_parse(struct inf *inf, const char *path, char *text, char *err, size_t errlen);
void inf_free(struct inf *inf);

/* Case-insensitive section lookup (INF names are case-insensitive). */
const struct inf_section *inf_find(const struct inf *inf, const char *name);

/* Splits a value into comma-separated fields, trimmed, quotes removed.
 * Returns the number of fields (at most max); buf receives the copies. */
size_t inf_fields(const char *value, char **field, size_t max, char *buf, size_t buflen);

#endif
