/* Authenticode image hash; see pehash.h.
 *
 * What is hashed: the headers up to SizeOfHeaders except the CheckSum field
 * and the certificate-table (security) directory entry, then every section's
 * raw data in file order, then whatever follows the last section except the
 * certificate table itself.  Those three are left out because signing
 * changes them: the signature lives in the certificate table, and signing
 * rewrites its directory entry and the checksum. */
#include "pehash.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Little-endian 16-bit read. */
static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Little-endian 32-bit read. */
static uint32_t rd32(const uint8_t *p)
{
    return rd16(p) | rd16(p + 2) << 16;
}

struct range {
    uint32_t off, size;
};

/* qsort order of section ranges by file offset. */
static int by_offset(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return (x->off > y->off) - (x->off < y->off);
}

/* The offsets every step needs; filled by parse(). */
struct pe {
    uint32_t checksum_off; /* file offset of OptionalHeader.CheckSum */
    uint32_t secdir_off;   /* file offset of DataDirectory[4] */
    uint32_t headers_end;  /* SizeOfHeaders */
    uint32_t cert_off, cert_size;
    uint32_t nsect, sect_off;
};

/* Parse the PE headers: checksum, certificate directory and section ranges, each bounded by the
 * file. */
static int parse(const uint8_t *b, size_t len, struct pe *pe, const char **why)
{
    if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
        return *why = "no MZ header", -1;
    uint32_t nt = rd32(b + 0x3c);
    if (nt > len || len - nt < 24 || memcmp(b + nt, "PE\0\0", 4))
        return *why = "no PE signature", -1;
    uint32_t coff = nt + 4;
    pe->nsect = rd16(b + coff + 2);
    uint32_t optsize = rd16(b + coff + 16);
    uint32_t opt = coff + 20;
    if ((size_t)opt + optsize > len || optsize < 2)
        return *why = "truncated optional header", -1;
    uint32_t magic = rd16(b + opt);
    /* The data directories start after the fixed fields, whose size differs
     * between PE32 (0x10b) and PE32+ (0x20b). */
    uint32_t dirs = magic == 0x10b ? 96 : magic == 0x20b ? 112 : 0;
    if (!dirs)
        return *why = "unknown optional header magic", -1;
    if (optsize < dirs + 5 * 8 || rd32(b + opt + dirs - 4) < 5)
        return *why = "no certificate table directory entry", -1;
    pe->checksum_off = opt + 64;
    pe->secdir_off = opt + dirs + 4 * 8;
    pe->headers_end = rd32(b + opt + 60);
    pe->cert_off = rd32(b + pe->secdir_off);
    pe->cert_size = rd32(b + pe->secdir_off + 4);
    pe->sect_off = opt + optsize;
    if (pe->headers_end > len || pe->headers_end < pe->secdir_off + 8)
        return *why = "bad SizeOfHeaders", -1;
    if ((size_t)pe->sect_off + (size_t)pe->nsect * 40 > pe->headers_end)
        return *why = "section table outside the headers", -1;
    if (pe->cert_size &&
        ((size_t)pe->cert_off + pe->cert_size != len || pe->cert_off < pe->headers_end))
        return *why = "certificate table is not at the end of the file", -1;
    return 0;
}

/* Whether a buffer is a PE image we can hash. */
int pe_is_image(const uint8_t *buf, size_t len)
{
    struct pe pe;
    const char *why;
    return parse(buf, len, &pe, &why) == 0;
}

/* The Authenticode SHA-256 of a PE image (checksum and certificate left out). */
int pe_hash_sha256(const uint8_t *b, size_t len, uint8_t out[32], const char **why)
{
    struct pe pe;
    if (parse(b, len, &pe, why))
        return -1;
    size_t end = pe.cert_size ? pe.cert_off : len; /* the signed part ends here */

    struct range *r = calloc(pe.nsect ? pe.nsect : 1, sizeof(*r));
    if (!r)
        return *why = "out of memory", -1;
    size_t n = 0;
    for (uint32_t i = 0; i < pe.nsect; i++) {
        const uint8_t *s = b + pe.sect_off + 40 * i;
        uint32_t size = rd32(s + 16), off = rd32(s + 20);
        if (!size)
            continue; /* uninitialised data has no bytes in the file */
        if ((size_t)off + size > end || off < pe.headers_end) {
            free(r);
            return *why = "section data outside the file", -1;
        }
        r[n++] = (struct range){off, size};
    }
    qsort(r, n, sizeof(*r), by_offset);

    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    ok = ok && EVP_DigestUpdate(md, b, pe.checksum_off);
    ok = ok && EVP_DigestUpdate(md, b + pe.checksum_off + 4, pe.secdir_off - pe.checksum_off - 4);
    ok = ok && EVP_DigestUpdate(md, b + pe.secdir_off + 8, pe.headers_end - pe.secdir_off - 8);
    size_t done = pe.headers_end;
    for (size_t i = 0; ok && i < n; i++) {
        if (r[i].off < done) { /* overlapping sections: refuse rather than guess */
            free(r);
            EVP_MD_CTX_free(md);
            return *why = "overlapping sections", -1;
        }
        ok = EVP_DigestUpdate(md, b + r[i].off, r[i].size);
        done = (size_t)r[i].off + r[i].size;
    }
    /* Data after the last section (e.g. debug data) up to the certificate
     * table is covered too. */
    if (ok && end > done)
        ok = EVP_DigestUpdate(md, b + done, end - done);
    ok = ok && EVP_DigestFinal_ex(md, out, NULL);
    EVP_MD_CTX_free(md);
    free(r);
    if (!ok)
        return *why = "SHA-256 failed", -1;
    return 0;
}
