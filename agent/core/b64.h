/* Base64 (RFC 4648, with padding) for guest-file-* and guest-exec data. */
#ifndef GA_B64_H
#define GA_B64_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the encoding of data into out (b64_encoded_len(len) + 1 bytes,
 * NUL-terminated). */
size_t b64_encoded_len(size_t len);
void b64_encode(const unsigned char *data, size_t len, char *out);
/* Decodes text (white space not allowed, padding required) into out
 * (at least len / 4 * 3 bytes); false on any malformed input. */
bool b64_decode(const char *text, size_t len, unsigned char *out, size_t *out_len);

#endif
