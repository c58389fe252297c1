/*
 * JSON for the guest agent: a bounded parser into an arena-allocated tree
 * and a writer into a growable buffer.  Strict: RFC 8259 grammar, strings
 * must be well-formed UTF-8 (no overlong forms, no surrogates, nothing past
 * U+10FFFF), \u escapes must pair surrogates, nesting is limited.
 */
#ifndef GA_JSON_H
#define GA_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting a request may have; QEMU's arguments nest 3 levels. */
#define GJ_MAX_DEPTH 32

enum gj_type { GJ_NULL, GJ_BOOL, GJ_INT, GJ_UINT, GJ_NUM, GJ_STR, GJ_ARR, GJ_OBJ };

struct gj {
    enum gj_type type;
    struct gj *next; /* next element or member of the parent */
    const char *key; /* member name (objects only), NUL-terminated UTF-8 */
    size_t key_len;
    bool b;           /* GJ_BOOL */
    int64_t i;        /* GJ_INT */
    uint64_t u;       /* GJ_UINT: integers above INT64_MAX */
    const char *s;    /* GJ_STR: decoded, NUL-terminated; GJ_NUM: literal text */
    size_t len;       /* length of s */
    struct gj *first; /* GJ_ARR, GJ_OBJ: first element or member */
    size_t count;     /* GJ_ARR, GJ_OBJ: number of elements or members */
};

struct gj_arena_block;
struct gj_arena {
    struct gj_arena_block *head;
    size_t used, bytes, limit; /* limit: most bytes the tree may take */
};

/* Parses text[0..len) into a tree allocated from arena.  Returns the root,
 * or NULL with a QEMU-style description ("JSON parse error, ...") in err. */
struct gj *gj_parse(struct gj_arena *arena, const char *text, size_t len, char *err,
                    size_t err_size);
/* Frees everything the arena holds; the arena can be used again. */
void gj_arena_free(struct gj_arena *arena);

/* The member called name of obj, or NULL. */
const struct gj *gj_get(const struct gj *obj, const char *name);
/* Validates UTF-8 text strictly (as the parser does for strings). */
bool gj_utf8_valid(const char *s, size_t len);

/* Writer.  Errors (no memory, over the limit) are sticky: check gw.failed
 * once at the end. */
struct gw {
    char *buf;
    size_t len, cap, limit;
    bool failed;
    bool need_comma; /* a value was written at the current level */
};

void gw_init(struct gw *w, size_t limit);
void gw_free(struct gw *w);
void gw_raw(struct gw *w, const char *s, size_t len);
void gw_obj_begin(struct gw *w);
void gw_obj_end(struct gw *w);
void gw_arr_begin(struct gw *w);
void gw_arr_end(struct gw *w);
/* Member name; the value written next belongs to it. */
void gw_key(struct gw *w, const char *key);
/* Strings are escaped; invalid UTF-8 is replaced by U+FFFD so replies
 * stay valid JSON whatever the guest's data. */
void gw_str(struct gw *w, const char *s);
void gw_strn(struct gw *w, const char *s, size_t len);
void gw_int(struct gw *w, int64_t v);
void gw_uint(struct gw *w, uint64_t v);
void gw_bool(struct gw *w, bool v);
void gw_null(struct gw *w);
/* A JSON number given as text (already valid, e.g. "0.25"). */
void gw_number_text(struct gw *w, const char *text);
/* A copy of any parsed value (used to echo the request's "id"). */
void gw_value(struct gw *w, const struct gj *v);

#endif
