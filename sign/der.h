/* A small DER writer: nodes are built bottom-up into growable buffers.
 *
 * Only what the catalog needs: primitive TLVs, constructed TLVs whose content
 * is the concatenation of already-encoded children, and SET OF with the
 * canonical (X.690 11.6) ordering of its encoded elements. */
#ifndef SIGN_DER_H
#define SIGN_DER_H

#include <stddef.h>
#include <stdint.h>

struct der {
    uint8_t *p;
    size_t len;
    size_t cap;
};

#define DER_INTEGER   0x02
#define DER_BITSTRING 0x03
#define DER_OCTETS    0x04
#define DER_NULL      0x05
#define DER_OID       0x06
#define DER_UTCTIME   0x17
#define DER_BMPSTRING 0x1e
#define DER_SEQUENCE  0x30
#define DER_SET       0x31
#define DER_CTX(n)    (0x80 | (n)) /* context-specific, primitive */
#define DER_CTXC(n)   (0xa0 | (n)) /* context-specific, constructed */

void der_free(struct der *d);
/* Appends raw bytes (an already-encoded element). */
void der_raw(struct der *d, const void *p, size_t n);
/* Appends tag, length and content. */
void der_tlv(struct der *d, uint8_t tag, const void *p, size_t n);
/* Appends tag and length around the encoding in child, then frees child. */
void der_wrap(struct der *d, uint8_t tag, struct der *child);
/* Appends an OID given in dotted form ("1.2.840.113549.1.7.2"). */
void der_oid(struct der *d, const char *dotted);
/* Appends a non-negative INTEGER. */
void der_uint(struct der *d, uint32_t v);
/* Appends a BMPString (UTF-16BE) of an ASCII string. */
void der_bmp(struct der *d, const char *ascii);
/* Appends an OCTET STRING holding UTF-16LE of an ASCII string plus a NUL. */
void der_utf16le_z(struct der *d, const char *ascii);

/* SET OF / sorted SEQUENCE OF: collect encoded elements, then emit them
 * sorted by their encodings. */
struct der_set {
    struct der *items;
    size_t n;
};
void der_set_add(struct der_set *s, struct der *elem);            /* takes elem */
void der_set_emit(struct der *d, uint8_t tag, struct der_set *s); /* frees s */

#endif
