/* Whole-file reads and all-or-nothing writes shared by the sign/ tools. */
#ifndef SIGN_FILEIO_H
#define SIGN_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads path into a malloc'd buffer (NUL-terminated for text use); NULL
 * with errno set on failure. */
uint8_t *read_file(const char *path, size_t *len);

/* Writes buf to path through a temporary file in the same directory and a
 * rename, so that path holds either the old or the complete new content.
 * Returns 0, or -1 after printing an error. */
int write_file_atomic(const char *path, const void *buf, size_t len);

#endif
