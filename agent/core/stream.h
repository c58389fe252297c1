/*
 * Splits the byte stream from the host into JSON messages.
 *
 * A message is an object or array (brackets counted outside strings), or a
 * bare token at top level (which the dispatcher then refuses).  0xFF and
 * 0xFE never occur in UTF-8: the host sends 0xFF to flush a partial
 * message left by an earlier client, so either byte discards whatever is
 * pending, silently.  A message longer than max_len or nested deeper than
 * GS_MAX_DEPTH is skipped to its end (or to the next 0xFF) and answered
 * with one error.
 */
#ifndef GA_STREAM_H
#define GA_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#define GS_MAX_DEPTH 64

/* on_message(ctx, text, len) for each complete message; on_error(ctx,
 * desc) once for each message refused whole. */
struct gs {
    char *buf;
    size_t len, cap, max_len;
    unsigned depth;
    bool in_msg, bare, in_str, esc;
    const char *skip_reason; /* non-NULL: discarding an oversized message */
    void (*on_message)(void *ctx, const char *text, size_t len);
    void (*on_error)(void *ctx, const char *desc);
    void *ctx;
};

void gs_init(struct gs *s, size_t max_len);
void gs_free(struct gs *s);
/* Discards any partial message (a new client, or the channel reopened). */
void gs_reset(struct gs *s);
void gs_feed(struct gs *s, const char *data, size_t len);

#endif
