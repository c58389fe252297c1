/* Key file and command-line parsing for the agent (config.h). */
#include "config.h"

#include <string.h>

#include "util.h"

/* An empty configuration. */
void ga_config_init(struct ga_config *c)
{
    memset(c, 0, sizeof(*c));
}

/* Free the strings a configuration holds and empty it. */
void ga_config_free(struct ga_config *c)
{
    for (size_t i = 0; i < c->nstrings; i++) {
        ga_free(c->strings[i]);
    }
    ga_config_init(c);
}

/* Keeps a copy of s[0..len) owned by the configuration. */
static char *keep(struct ga_config *c, const char *s, size_t len)
{
    if (c->nstrings >= sizeof(c->strings) / sizeof(c->strings[0])) {
        return NULL;
    }
    char *d = ga_strndup(s, len);
    if (d) {
        c->strings[c->nstrings++] = d;
    }
    return d;
}

/* Adds the names of a separated list to list; false when it overflows. */
static bool add_list(struct ga_config *c, const char **list, size_t *n, const char *s,
                     const char *seps)
{
    while (*s) {
        size_t l = 0;
        while (s[l] && !strchr(seps, s[l])) {
            l++;
        }
        /* Surrounding blanks are not part of a name. */
        size_t b = 0;
        while (b < l && (s[b] == ' ' || s[b] == '\t')) {
            b++;
        }
        size_t e = l;
        while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) {
            e--;
        }
        if (e > b) {
            if (e - b == 4 && memcmp(s + b, "help", 4) == 0) {
                c->list_rpcs = true;
            } else {
                if (*n >= GA_CONFIG_MAX_RPCS) {
                    return false;
                }
                const char *name = keep(c, s + b, e - b);
                if (!name) {
                    return false;
                }
                list[(*n)++] = name;
                list[*n] = NULL;
            }
        }
        s += l;
        if (*s) {
            s++;
        }
    }
    return true;
}

/* A key file boolean (GKeyFile accepts true/false and 1/0). */
static int parse_bool(const char *v)
{
    if (ga_streq(v, "true") || ga_streq(v, "1")) {
        return 1;
    }
    if (ga_streq(v, "false") || ga_streq(v, "0")) {
        return 0;
    }
    return -1;
}

enum opt_id {
    O_METHOD,
    O_PATH,
    O_LOGFILE,
    O_PIDFILE,
    O_STATEDIR,
    O_VERBOSE,
    O_VERSION,
    O_DAEMON,
    O_SERVICE,
    O_BLOCK,
    O_ALLOW,
    O_CONFIG,
    O_DUMP,
    O_RETRY,
    O_HELP,
    O_FSFREEZE_HOOK
};

struct opt {
    char short_name;
    const char *long_name;
    const char *key; /* key file name, or NULL */
    bool has_arg;
    enum opt_id id;
};

static const struct opt opts[] = {
    {'m', "method", "method", true, O_METHOD},
    {'p', "path", "path", true, O_PATH},
    {'l', "logfile", "logfile", true, O_LOGFILE},
    {'f', "pidfile", "pidfile", true, O_PIDFILE},
    {'t', "statedir", "statedir", true, O_STATEDIR},
    {'v', "verbose", "verbose", false, O_VERBOSE},
    {'V', "version", NULL, false, O_VERSION},
    {'d', "daemonize", "daemon", false, O_DAEMON},
    {'s', "service", NULL, true, O_SERVICE},
    {'b', "block-rpcs", "block-rpcs", true, O_BLOCK},
    {0, "blacklist", "blacklist", true, O_BLOCK},
    {'a', "allow-rpcs", "allow-rpcs", true, O_ALLOW},
    {'c', "config", NULL, true, O_CONFIG},
    {'D', "dump-conf", NULL, false, O_DUMP},
    {'r', "retry-path", "retry-path", false, O_RETRY},
    {'h', "help", NULL, false, O_HELP},
    {'F', "fsfreeze-hook", "fsfreeze-hook", false, O_FSFREEZE_HOOK},
};

/* Applies one option or key; value is NULL for flags given on the command
 * line. from_file: lists also split on ';', booleans take a value. */
static bool apply(struct ga_config *c, const struct opt *o, const char *value, bool from_file,
                  char *err, size_t err_size)
{
    char **target = NULL;
    bool *flag = NULL;
    switch (o->id) {
    case O_METHOD:
        target = &c->method;
        break;
    case O_PATH:
        target = &c->path;
        break;
    case O_LOGFILE:
        target = &c->logfile;
        break;
    case O_PIDFILE:
        target = &c->pidfile;
        break;
    case O_STATEDIR:
        target = &c->statedir;
        break;
    case O_SERVICE:
        target = &c->service;
        break;
    case O_CONFIG:
        target = &c->config_path;
        break;
    case O_VERBOSE:
        flag = &c->verbose;
        break;
    case O_DAEMON:
        flag = &c->daemon;
        break;
    case O_RETRY:
        flag = &c->retry_path;
        break;
    case O_VERSION:
        flag = &c->version;
        break;
    case O_DUMP:
        flag = &c->dump_conf;
        break;
    case O_HELP:
        flag = &c->help;
        break;
    case O_FSFREEZE_HOOK:
        return true; /* Windows freezes through VSS: no hook */
    case O_BLOCK:
    case O_ALLOW: {
        bool allow = o->id == O_ALLOW;
        if (!add_list(c, allow ? c->allow : c->block, allow ? &c->nallow : &c->nblock, value,
                      from_file ? ",;" : ",")) {
            ga_fmt(err, err_size, "too many names in %s (at most %d)", o->long_name,
                   GA_CONFIG_MAX_RPCS);
            return false;
        }
        return true;
    }
    }
    if (flag) {
        if (!from_file) {
            *flag = true;
            return true;
        }
        int b = parse_bool(value);
        if (b < 0) {
            ga_fmt(err, err_size, "key '%s' expects true or false, not '%s'", o->key, value);
            return false;
        }
        *flag = b;
        return true;
    }
    *target = keep(c, value, strlen(value));
    if (!*target) {
        ga_fmt(err, err_size, "out of memory");
        return false;
    }
    return true;
}

/* The key file named by -c/--config on the command line, or NULL. */
const char *ga_config_path_arg(int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (ga_streq(a, "-c") || ga_streq(a, "--config")) {
            if (i + 1 < argc) {
                path = argv[++i];
            }
        } else if (strncmp(a, "--config=", 9) == 0) {
            path = a + 9;
        } else if (a[0] == '-' && a[1] == 'c' && a[2]) {
            path = a + 2;
        }
    }
    return path;
}

/* Read the [general] section of a key file into c; err names the line of a mistake. */
bool ga_config_load(struct ga_config *c, const char *text, size_t len, char *err, size_t err_size)
{
    bool in_general = false;
    unsigned lineno = 0;
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        i = 3; /* Notepad's byte order mark */
    }
    while (i < len) {
        size_t start = i;
        while (i < len && text[i] != '\n') {
            i++;
        }
        size_t end = i++;
        lineno++;
        while (end > start &&
               (text[end - 1] == '\r' || text[end - 1] == ' ' || text[end - 1] == '\t')) {
            end--;
        }
        while (start < end && (text[start] == ' ' || text[start] == '\t')) {
            start++;
        }
        if (start == end || text[start] == '#') {
            continue;
        }
        if (text[start] == '[') {
            if (text[end - 1] != ']') {
                ga_fmt(err, err_size, "line %u: malformed group name", lineno);
                return false;
            }
            in_general = end - start == 9 && memcmp(text + start, "[general]", 9) == 0;
            continue;
        }
        size_t eq = start;
        while (eq < end && text[eq] != '=') {
            eq++;
        }
        if (eq == end) {
            ga_fmt(err, err_size, "line %u: expected key=value", lineno);
            return false;
        }
        if (!in_general) {
            continue; /* other groups are not ours */
        }
        size_t kend = eq;
        while (kend > start && (text[kend - 1] == ' ' || text[kend - 1] == '\t')) {
            kend--;
        }
        size_t vstart = eq + 1;
        while (vstart < end && (text[vstart] == ' ' || text[vstart] == '\t')) {
            vstart++;
        }
        static char key[64], value[4096]; /* keeps the stack small */
        if (kend - start >= sizeof(key) || end - vstart >= sizeof(value)) {
            ga_fmt(err, err_size, "line %u: key or value too long", lineno);
            return false;
        }
        memcpy(key, text + start, kend - start);
        key[kend - start] = 0;
        memcpy(value, text + vstart, end - vstart);
        value[end - vstart] = 0;
        const struct opt *o = NULL;
        for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
            if (opts[k].key && ga_streq(opts[k].key, key)) {
                o = &opts[k];
            }
        }
        if (!o) {
            continue; /* unknown keys are ignored, as GKeyFile lookups do */
        }
        if (!apply(c, o, value, true, err, err_size)) {
            return false;
        }
    }
    return true;
}

/* Apply command-line options over the key file's values; err names a bad option. */
bool ga_config_parse_args(struct ga_config *c, int argc, char **argv, char *err, size_t err_size)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const struct opt *o = NULL;
        const char *value = NULL;
        if (a[0] == '-' && a[1] == '-') {
            const char *eq = strchr(a + 2, '=');
            size_t l = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
                if (strlen(opts[k].long_name) == l && memcmp(opts[k].long_name, a + 2, l) == 0) {
                    o = &opts[k];
                }
            }
            if (!o) {
                ga_fmt(err, err_size, "unrecognized option '%s'", a);
                return false;
            }
            if (eq && !o->has_arg && o->id != O_FSFREEZE_HOOK) {
                ga_fmt(err, err_size, "option '--%s' doesn't allow an argument", o->long_name);
                return false;
            }
            value = eq ? eq + 1 : NULL;
        } else if (a[0] == '-' && a[1]) {
            for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
                if (opts[k].short_name == a[1]) {
                    o = &opts[k];
                }
            }
            if (!o) {
                ga_fmt(err, err_size, "invalid option -- '%c'", a[1]);
                return false;
            }
            if (a[2] && o->has_arg) {
                value = a + 2;
            } else if (a[2] && o->id != O_FSFREEZE_HOOK) {
                ga_fmt(err, err_size, "option '-%c' takes no argument", a[1]);
                return false;
            }
        } else {
            ga_fmt(err, err_size, "unexpected argument '%s'", a);
            return false;
        }
        if (o->has_arg && !value) {
            if (i + 1 >= argc) {
                ga_fmt(err, err_size, "option '%s' requires an argument", a);
                return false;
            }
            value = argv[++i];
        }
        if (!apply(c, o, value, false, err, err_size)) {
            return false;
        }
    }
    return true;
}

/* Appends "key=value\n" for a set string. */
static size_t dump_str(char *buf, size_t size, size_t n, const char *key, const char *v)
{
    if (v && n < size) {
        n += ga_fmt(buf + n, size - n, "%s=%s\n", key, v);
    }
    return n;
}

/* Appends a list key, names separated by ';' as GKeyFile writes lists. */
static size_t dump_list(char *buf, size_t size, size_t n, const char *key, const char *const *l)
{
    if (!l[0] || n >= size) {
        return n;
    }
    n += ga_fmt(buf + n, size - n, "%s=", key);
    for (; *l && n < size; l++) {
        n += ga_fmt(buf + n, size - n, "%s;", *l);
    }
    if (n < size) {
        n += ga_fmt(buf + n, size - n, "\n");
    }
    return n;
}

/* The configuration as key-file text (-D), bounded by size. */
size_t ga_config_dump(const struct ga_config *c, char *buf, size_t size)
{
    size_t n = ga_fmt(buf, size, "[general]\ndaemon=%s\n", c->daemon ? "true" : "false");
    n = dump_str(buf, size, n, "method", c->method);
    n = dump_str(buf, size, n, "path", c->path);
    n = dump_str(buf, size, n, "logfile", c->logfile);
    n = dump_str(buf, size, n, "pidfile", c->pidfile);
    n = dump_str(buf, size, n, "statedir", c->statedir);
    if (n < size) {
        n += ga_fmt(buf + n, size - n, "verbose=%s\nretry-path=%s\n", c->verbose ? "true" : "false",
                    c->retry_path ? "true" : "false");
    }
    n = dump_list(buf, size, n, "block-rpcs", c->block);
    n = dump_list(buf, size, n, "allow-rpcs", c->allow);
    return n;
}
