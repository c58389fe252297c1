/*
 * Small helpers the portable agent code shares: memory from the OS layer,
 * a bounded formatter, string comparisons.  No C runtime is linked into
 * the Windows image, so nothing here may call printf-like library code.
 */
#ifndef GA_UTIL_H
#define GA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Provided by the OS layer (HeapAlloc on Windows, malloc in the tests).
 * ga_alloc returns zeroed memory or NULL. */
void *ga_alloc(size_t size);
void *ga_realloc(void *p, size_t size);
void ga_free(void *p);

/* Formats into buf (always NUL-terminated, truncated to size).  Supports
 * %s (UTF-8, NULL prints "(null)"), %d (int), %u (unsigned), %lld (int64_t),
 * %llu (uint64_t), %x (unsigned, lower-case hex), %c, %%.  Returns the
 * length written. */
size_t ga_fmt(char *buf, size_t size, const char *fmt, ...);
size_t ga_vfmt(char *buf, size_t size, const char *fmt, va_list ap);

/* A heap copy of s[0..len), NUL-terminated, or NULL. */
char *ga_strndup(const char *s, size_t len);
char *ga_strdup(const char *s);
bool ga_streq(const char *a, const char *b);

#endif
