/*
 * The agent's configuration, as QEMU's agent takes it: a key file
 * ([general] section: daemon, method, path, logfile, pidfile, statedir,
 * verbose, retry-path, block-rpcs (or the old blacklist), allow-rpcs),
 * then the command line (-m -p -l -f -t -v -V -d -s -b -a -c -D -r -h and
 * their long forms).  For one key the last setting wins; the RPC lists
 * accumulate.  Lists are separated by ',' (command line) or ',' and ';'
 * (key file).
 */
#ifndef GA_CONFIG_H
#define GA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define GA_CONFIG_MAX_RPCS 128

struct ga_config {
    char *method, *path, *logfile, *pidfile, *statedir, *config_path, *service;
    bool daemon, verbose, retry_path, dump_conf, help, version;
    const char *allow[GA_CONFIG_MAX_RPCS + 1]; /* NULL-terminated */
    const char *block[GA_CONFIG_MAX_RPCS + 1];
    size_t nallow, nblock;
    bool list_rpcs; /* "help" was given as a list */
    /* Storage the strings point into. */
    char *strings[4 * GA_CONFIG_MAX_RPCS];
    size_t nstrings;
};

void ga_config_init(struct ga_config *c);
void ga_config_free(struct ga_config *c);
/* Finds -c/--config in argv (argv[0] is the program), or NULL. */
const char *ga_config_path_arg(int argc, char **argv);
/* Applies a key file's text; false with a message in err on bad syntax. */
bool ga_config_load(struct ga_config *c, const char *text, size_t len, char *err, size_t err_size);
/* Applies the command line; false with a message in err. */
bool ga_config_parse_args(struct ga_config *c, int argc, char **argv, char *err, size_t err_size);
/* Writes the configuration as a key file (for -D). */
size_t ga_config_dump(const struct ga_config *c, char *buf, size_t size);

#endif
