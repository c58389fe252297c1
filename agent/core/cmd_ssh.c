/* guest-ssh-get-authorized-keys, guest-ssh-add-authorized-keys and
 * guest-ssh-remove-authorized-keys for Windows OpenSSH: the user's
 * %USERPROFILE%\.ssh\authorized_keys, or for members of Administrators
 * %ProgramData%\ssh\administrators_authorized_keys (os.h finds the file
 * and writes it with OpenSSH's ACL).  Key and user checks are here. */
#include <string.h>

#include "commands.h"
#include "os.h"
#include "util.h"

/* A user name Windows could hold: 1..256 bytes, no control characters,
 * none of " / \ [ ] : ; | = , + * ? < > @ (Microsoft's rules for account
 * names, plus @ so no UPN or domain form gets in), not only dots and
 * blanks.  The name never becomes part of a path (os.h looks the account
 * up), but a name that cannot be an account is refused plainly. */
static bool check_user(const char *u, struct ga_err *err)
{
    size_t n = strlen(u);
    bool only_dots = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c < 0x20 || c == 0x7f || strchr("\"/\\[]:;|=,+*?<>@", c)) {
            return ga_error(err, "invalid user name '%s'", u);
        }
        only_dots &= c == '.' || c == ' ';
    }
    if (n == 0 || n > 256 || only_dots) {
        return ga_error(err, "invalid user name '%s'", u);
    }
    return true;
}

/* QEMU's check of each key (no line break, not a comment), plus: not
 * empty, no other control character than a tab. */
static bool check_keys(const struct gj *keys, struct ga_err *err)
{
    for (const struct gj *k = keys ? keys->first : NULL; k; k = k->next) {
        bool bad = k->len == 0 || k->s[0] == '#';
        for (size_t i = 0; i < k->len && !bad; i++) {
            unsigned char c = (unsigned char)k->s[i];
            bad = (c < 0x20 && c != '\t') || c == 0x7f;
        }
        if (bad) {
            return ga_error(err, "invalid OpenSSH public key: '%s'", k->s);
        }
    }
    return true;
}

/* The next line of data[*pos..len) (without its \n or \r\n); false at the
 * end. */
static bool next_line(const char *data, size_t len, size_t *pos, const char **line, size_t *n)
{
    if (*pos >= len) {
        return false;
    }
    const char *s = data + *pos;
    const char *nl = memchr(s, '\n', len - *pos);
    size_t l = nl ? (size_t)(nl - s) : len - *pos;
    *pos += l + (nl != NULL);
    if (l && s[l - 1] == '\r') {
        l--;
    }
    *line = s;
    *n = l;
    return true;
}

/* Whether line[0..n) equals one of keys. */
static bool in_keys(const struct gj *keys, const char *line, size_t n)
{
    for (const struct gj *k = keys->first; k; k = k->next) {
        if (k->len == n && memcmp(k->s, line, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Looks the user up and reads the key file (NULL data when it is missing
 * and missing_ok). */
static bool load(const char *user, struct ga_ssh_user *u, char **data, size_t *len, bool missing_ok,
                 struct ga_err *err)
{
    bool missing = false;
    *data = NULL;
    *len = 0;
    if (!check_user(user, err) || !ga_os_ssh_user(user, u, err) ||
        !ga_os_ssh_read(u, data, len, &missing, err)) {
        return false;
    }
    if (missing && !missing_ok) {
        return ga_error(err, "failed to read '%s': the file does not exist", u->file);
    }
    return true;
}

/* guest-ssh-get-authorized-keys: the keys in the user's authorized_keys file. */
GA_HANDLER(ga_cmd_ssh_get_authorized_keys)
{
    (void)ga;
    struct ga_ssh_user u;
    char *data;
    size_t len, pos = 0, n;
    const char *line;
    if (!load(ga_arg_str(args, "username", ""), &u, &data, &len, false, err)) {
        return false;
    }
    gw_obj_begin(out);
    gw_key(out, "keys");
    gw_arr_begin(out);
    while (next_line(data, len, &pos, &line, &n)) {
        /* Blanks around a line are not part of the key; comments and empty
         * lines are not keys (as QEMU's agent). */
        while (n && (line[0] == ' ' || line[0] == '\t')) {
            line++, n--;
        }
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t')) {
            n--;
        }
        if (n && line[0] != '#') {
            gw_strn(out, line, n);
        }
    }
    gw_arr_end(out);
    gw_obj_end(out);
    ga_free(data);
    return true;
}

/* Writes the new file: the kept lines of data, then keys not yet in it
 * (add), or the lines not among keys (remove); each line ends in \n. */
static bool rewrite(const struct ga_ssh_user *u, const char *data, size_t len,
                    const struct gj *keys, bool add, struct ga_err *err)
{
    struct gw w;
    gw_init(&w, GA_SSH_MAX_FILE);
    size_t pos = 0, n;
    const char *line;
    while (next_line(data, len, &pos, &line, &n)) {
        if (add || !in_keys(keys, line, n)) {
            gw_raw(&w, line, n);
            gw_raw(&w, "\n", 1);
        }
    }
    for (const struct gj *k = add ? keys->first : NULL; k; k = k->next) {
        bool seen = false;
        pos = 0;
        while (!seen && next_line(data, len, &pos, &line, &n)) {
            seen = k->len == n && memcmp(k->s, line, n) == 0;
        }
        for (const struct gj *e = keys->first; !seen && e != k; e = e->next) {
            seen = e->len == k->len && memcmp(e->s, k->s, k->len) == 0;
        }
        if (!seen) {
            gw_raw(&w, k->s, k->len);
            gw_raw(&w, "\n", 1);
        }
    }
    bool ok;
    if (w.failed) {
        ok = ga_error(err, "the key file would exceed %u bytes", GA_SSH_MAX_FILE);
    } else {
        ok = ga_os_ssh_write(u, w.len ? w.buf : "", w.len, err);
    }
    gw_free(&w);
    return ok;
}

/* guest-ssh-add-authorized-keys: add checked keys (or replace all with reset). */
GA_HANDLER(ga_cmd_ssh_add_authorized_keys)
{
    (void)ga;
    const struct gj *keys = gj_get(args, "keys");
    struct ga_ssh_user u;
    char *data;
    size_t len;
    if (!check_keys(keys, err)) {
        return false;
    }
    bool reset = ga_arg_bool(args, "reset", false);
    if (!load(ga_arg_str(args, "username", ""), &u, &data, &len, true, err)) {
        return false;
    }
    (void)out; /* {"return": {}} */
    bool ok = rewrite(&u, reset ? "" : data, reset ? 0 : len, keys, true, err);
    ga_free(data);
    return ok;
}

/* guest-ssh-remove-authorized-keys: remove the keys given, keeping the rest. */
GA_HANDLER(ga_cmd_ssh_remove_authorized_keys)
{
    (void)ga;
    const struct gj *keys = gj_get(args, "keys");
    struct ga_ssh_user u;
    char *data;
    size_t len;
    if (!check_keys(keys, err) ||
        !load(ga_arg_str(args, "username", ""), &u, &data, &len, false, err)) {
        return false;
    }
    (void)out; /* {"return": {}} */
    bool ok = rewrite(&u, data, len, keys, false, err);
    ga_free(data);
    return ok;
}
