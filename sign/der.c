/* DER writer; see der.h.  Allocation failure aborts: the tools are short
 * host programs and a partial catalog must never be written. */
#include "der.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* realloc that ends the tool on exhaustion (a build tool has nothing to fall back to). */
static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* Free a DER buffer and leave it empty for reuse. */
void der_free(struct der *d)
{
    free(d->p);
    d->p = NULL;
    d->len = d->cap = 0;
}

/* Append raw bytes to a DER buffer. */
void der_raw(struct der *d, const void *p, size_t n)
{
    if (d->len + n > d->cap) {
        d->cap = (d->len + n) * 2 + 64;
        d->p = xrealloc(d->p, d->cap);
    }
    if (n)
        memcpy(d->p + d->len, p, n);
    d->len += n;
}

/* Append a DER length: short form below 128, long form above. */
static void put_len(struct der *d, size_t n)
{
    uint8_t b[9];
    int k = 0;

    if (n < 0x80) {
        b[0] = (uint8_t)n;
        der_raw(d, b, 1);
        return;
    }
    /* Long form with the minimal number of length octets (DER). */
    for (size_t t = n; t; t >>= 8)
        k++;
    b[0] = (uint8_t)(0x80 | k);
    for (int i = 0; i < k; i++)
        b[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
    der_raw(d, b, (size_t)k + 1);
}

/* Append a tag, length and value. */
void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n)
{
    der_raw(d, &tag, 1);
    put_len(d, n);
    der_raw(d, p, n);
}

/* Wrap a child buffer as the value of tag, consuming the child. */
void der_wrap(struct der *d, uint8_t tag, struct der *child)
{
    der_tlv(d, tag, child->p, child->len);
    der_free(child);
}

/* Append an OBJECT IDENTIFIER from its dotted text. */
void der_oid(struct der *d, const char *dotted)
{
    unsigned long arc[32];
    size_t n = 0;
    struct der body = {0};
    const char *s = dotted;

    while (*s && n < 32) {
        char *end;
        arc[n++] = strtoul(s, &end, 10);
        s = *end == '.' ? end + 1 : end;
    }
    /* The first two arcs share one subidentifier (X.690 8.19.4). */
    for (size_t i = 1; i < n; i++) {
        unsigned long v = i == 1 ? arc[0] * 40 + arc[1] : arc[i];
        uint8_t b[10];
        int k = 0;
        do {
            b[k++] = (uint8_t)(v & 0x7f);
            v >>= 7;
        } while (v);
        while (k--) {
            uint8_t o = (uint8_t)(b[k] | (k ? 0x80 : 0));
            der_raw(&body, &o, 1);
        }
    }
    der_wrap(d, DER_OID, &body);
}

/* Append a non-negative INTEGER, with the leading zero DER asks for. */
void der_uint(struct der *d, uint32_t v)
{
    uint8_t b[5];
    int i = 4;

    b[4] = (uint8_t)v;
    for (uint32_t t = v >> 8; t; t >>= 8)
        b[--i] = (uint8_t)t;
    if (b[i] & 0x80) /* keep it positive */
        b[--i] = 0;
    der_tlv(d, DER_INTEGER, b + i, (size_t)(5 - i));
}

/* Append an ASCII string as a BMPString (UTF-16BE). */
void der_bmp(struct der *d, const char *ascii)
{
    struct der body = {0};
    for (const char *s = ascii; *s; s++) {
        uint8_t u[2] = {0, (uint8_t)*s};
        der_raw(&body, u, 2);
    }
    der_wrap(d, DER_BMPSTRING, &body);
}

/* Append an ASCII string as NUL-terminated UTF-16LE bytes (catalog member tags). */
void der_utf16le_z(struct der *d, const char *ascii)
{
    struct der body = {0};
    for (const char *s = ascii;; s++) {
        uint8_t u[2] = {(uint8_t)*s, 0};
        der_raw(&body, u, 2);
        if (!*s)
            break;
    }
    der_wrap(d, DER_OCTETS, &body);
}

/* Add an encoded element to a SET under construction, taking it over. */
void der_set_add(struct der_set *s, struct der *elem)
{
    s->items = xrealloc(s->items, (s->n + 1) * sizeof(*s->items));
    s->items[s->n++] = *elem;
    *elem = (struct der){0};
}

/* X.690 11.6: compare as octet strings, the shorter one padded at the end
 * with zero octets, i.e. memcmp with the shorter first on a tie. */
static int cmp_enc(const void *a, const void *b)
{
    const struct der *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Append a SET OF with its elements in DER's sorted order. */
void der_set_emit(struct der *d, uint8_t tag, struct der_set *s)
{
    struct der body = {0};

    qsort(s->items, s->n, sizeof(*s->items), cmp_enc);
    for (size_t i = 0; i < s->n; i++) {
        der_raw(&body, s->items[i].p, s->items[i].len);
        der_free(&s->items[i]);
    }
    free(s->items);
    s->items = NULL;
    s->n = 0;
    der_wrap(d, tag, &body);
}
