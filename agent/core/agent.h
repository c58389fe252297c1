/*
 * The protocol core of the guest agent: one JSON request in, one reply
 * out, as QEMU's agent does it.
 *
 * Requests are checked as QEMU's dispatcher checks them (an object with a
 * string "execute", an object "arguments", an "id" echoed back), commands
 * are found in a table, their arguments checked against a parameter list
 * (QEMU's visitor messages), and errors carry QEMU's classes
 * (GenericError, CommandNotFound).  guest-sync-delimited puts 0xFF before
 * its reply.  Commands whose success sends no reply (guest-shutdown) reply
 * only on error.
 */
#ifndef GA_AGENT_H
#define GA_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "stream.h"

/* Largest request we accept: a guest-file-write of 1 MiB of data and then
 * some (QEMU allows 64 MiB per token; ours is a small agent). */
#define GA_MAX_REQUEST (4u << 20)
/* Largest reply: a guest-file-read of GA_FILE_READ_MAX bytes in base64. */
#define GA_FILE_READ_MAX (48u << 20)
#define GA_MAX_REPLY     (66u << 20)

enum ga_err_class { GA_ERR_NONE, GA_ERR_GENERIC, GA_ERR_COMMAND_NOT_FOUND };

struct ga_err {
    enum ga_err_class cls;
    char desc[512];
};

/* Sets a GenericError (or cls) with a formatted description; returns false
 * so handlers can `return ga_error(...)`. */
bool ga_error(struct ga_err *err, const char *fmt, ...);
bool ga_error_class(struct ga_err *err, enum ga_err_class cls, const char *fmt, ...);
/* QEMU's QERR_UNSUPPORTED. */
#define GA_UNSUPPORTED "this feature or command is not currently supported"

enum ga_ptype { GA_P_INT, GA_P_STR, GA_P_BOOL, GA_P_STRLIST, GA_P_ANY };

struct ga_param {
    const char *name;
    enum ga_ptype type;
    bool optional;
};

struct ga;
typedef bool (*ga_cmd_fn)(struct ga *ga, const struct gj *args, struct gw *out, struct ga_err *err);

#define GA_CMD_NO_SUCCESS_RESPONSE 1u

struct ga_cmd {
    const char *name;
    ga_cmd_fn fn;
    const struct ga_param *params; /* terminated by a NULL name; NULL: none */
    unsigned flags;
};

/* The command table (commands.c), sorted by nothing in particular. */
extern const struct ga_cmd ga_commands[];
extern const size_t ga_command_count;

/* An open guest-file-* handle. */
struct ga_file {
    int64_t id;
    void *os; /* NULL: slot free */
};
#define GA_MAX_FILES 64
/* The first handle number, as QEMU's agent starts its counter. */
#define GA_FIRST_FILE_ID 1000

/* A process started by guest-exec. */
struct ga_proc {
    int64_t pid;
    void *os; /* NULL: slot free */
};
#define GA_MAX_PROCS 64

typedef void (*ga_write_fn)(void *ctx, const char *data, size_t len);

struct ga {
    struct gs stream;
    ga_write_fn write;
    void *write_ctx;
    bool enabled[128]; /* per ga_commands entry */
    bool delimit_next;
    const char *version;
    struct ga_file files[GA_MAX_FILES];
    int64_t next_file_id;
    struct ga_proc procs[GA_MAX_PROCS];
    bool shutdown_requested; /* for the tests and the service */
    bool frozen;             /* guest-fsfreeze-freeze holds volumes (freeze.c) */
};

/* Sets up the agent; every command enabled until ga_apply_filters. */
bool ga_init(struct ga *ga, const char *version, ga_write_fn write, void *write_ctx);
/* Thaws a freeze the host left held, closes every file and forgets every
 * process the host left behind. */
void ga_fini(struct ga *ga);
/* Applies the allow and block lists (NULL-terminated; NULL: none), as
 * QEMU's agent: an allow list disables everything not on it, then the
 * block list disables what is on it. */
void ga_apply_filters(struct ga *ga, const char *const *allow, const char *const *block);
/* Bytes from the host. */
void ga_feed(struct ga *ga, const char *data, size_t len);
/* The channel was closed and opened again: drop any partial request. */
void ga_channel_reset(struct ga *ga);
/* Handles one complete request (also what ga_feed calls). */
void ga_handle_message(struct ga *ga, const char *text, size_t len);

/* Index of a command in ga_commands, or -1. */
int ga_find_command(const char *name);

/* Argument helpers for handlers (arguments are already type-checked). */
const char *ga_arg_str(const struct gj *args, const char *name, const char *dflt);
int64_t ga_arg_int(const struct gj *args, const char *name, int64_t dflt);
bool ga_arg_has(const struct gj *args, const char *name);
bool ga_arg_bool(const struct gj *args, const char *name, bool dflt);

/* guest-sync-delimited asks for the 0xFF before its own reply. */
void ga_set_delimited(struct ga *ga);

#endif
