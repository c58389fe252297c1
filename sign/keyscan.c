/* keyscan: proves that a private key reached none of the given files.
 *
 *   keyscan KEY.pem PATH...
 *
 * Looks in every regular file under each PATH for the key in every form it
 * could leak in: PKCS#1 and PKCS#8 DER, each base64 line of their PEM forms,
 * and the raw private exponent and primes.  Prints each hit and exits 1 if
 * there is one; prints how many files were scanned otherwise. */
#define _XOPEN_SOURCE 700
#include "fileio.h"

#include <ftw.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pattern {
    char what[48];
    unsigned char *p;
    size_t n;
};

static struct pattern pat[256];
static size_t npat;
static long scanned;
static int hits;

/* Remember a long enough piece of the private key to look for. */
static void add(const char *what, const void *p, size_t n)
{
    if (npat == sizeof(pat) / sizeof(pat[0]) || n < 32)
        return; /* short pieces would match by chance */
    pat[npat].p = malloc(n);
    if (!pat[npat].p)
        exit(2);
    memcpy(pat[npat].p, p, n);
    pat[npat].n = n;
    snprintf(pat[npat].what, sizeof(pat[npat].what), "%s", what);
    npat++;
}

/* Every full base64 line of a PEM text. */
static void add_pem_lines(const char *what, BIO *b)
{
    char *text;
    long n = BIO_get_mem_data(b, &text);
    char *copy = strndup(text, (size_t)n);
    for (char *save, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strlen(line) == 64)
            add(what, line, 64);
    free(copy);
}

/* Remember one big-number parameter of the key. */
static void add_bn(EVP_PKEY *k, const char *name)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(k, name, &bn))
        return;
    unsigned char *buf = malloc((size_t)BN_num_bytes(bn));
    if (buf) {
        int n = BN_bn2bin(bn, buf);
        char what[48];
        snprintf(what, sizeof(what), "raw %s", name);
        add(what, buf, (size_t)n);
    }
    free(buf);
    BN_free(bn);
}

/* Report a file that holds any piece of the key (nftw callback). */
static int scan(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type != FTW_F)
        return 0;
    size_t len;
    unsigned char *buf = read_file(path, &len);
    if (!buf) {
        fprintf(stderr, "keyscan: cannot read %s\n", path);
        hits++;
        return 0;
    }
    scanned++;
    for (size_t i = 0; i < npat; i++)
        if (memmem(buf, len, pat[i].p, pat[i].n)) {
            printf("LEAK %s: %s\n", path, pat[i].what);
            hits++;
            break;
        }
    free(buf);
    return 0;
}

/* keyscan: fail when any file under the paths holds a piece of the private key. */
int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: keyscan KEY.pem PATH...\n", stderr);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!k) {
        fprintf(stderr, "keyscan: cannot read private key %s\n", argv[1]);
        return 2;
    }
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(k, &der); /* PKCS#1 for RSA */
    if (n > 0)
        add("PKCS#1 DER", der, (size_t)n);
    OPENSSL_free(der);
    BIO *b = BIO_new(BIO_s_mem());
    if (i2d_PKCS8PrivateKey_bio(b, k, NULL, NULL, 0, NULL, NULL)) {
        char *p;
        long m = BIO_get_mem_data(b, &p);
        add("PKCS#8 DER", p, (size_t)m);
    }
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    add_pem_lines("PKCS#8 PEM line", b);
    BIO_free(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL);
    add_pem_lines("PKCS#1 PEM line", b);
    BIO_free(b);
    add_bn(k, OSSL_PKEY_PARAM_RSA_D);
    add_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1);
    add_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR2);
    EVP_PKEY_free(k);
    if (npat < 5) {
        fprintf(stderr, "keyscan: could not derive the key's forms\n");
        return 2;
    }
    for (int i = 2; i < argc; i++)
        if (nftw(argv[i], scan, 16, FTW_PHYS)) {
            fprintf(stderr, "keyscan: cannot walk %s\n", argv[i]);
            return 2;
        }
    if (!hits)
        printf("keyscan: %ld files, %zu key forms, no leak\n", scanned, npat);
    return hits ? 1 : 0;
}
