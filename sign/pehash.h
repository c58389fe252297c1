/* The Authenticode image hash of a PE file (Microsoft's "Windows
 * Authenticode Portable Executable Signature Format", "Calculating the PE
 * Image Hash"). */
#ifndef SIGN_PEHASH_H
#define SIGN_PEHASH_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when buf looks like a PE image (MZ, "PE\0\0", PE32 or PE32+). */
int pe_is_image(const uint8_t *buf, size_t len);

/* SHA-256 image hash into out[32].  Returns 0, or -1 with *why set to a
 * static message when the image is malformed. */
int pe_hash_sha256(const uint8_t *buf, size_t len, uint8_t out[32], const char **why);

#endif
