/* authhash: prints the Authenticode SHA-256 image hash of each PE file, in
 * lower-case hex, one "HASH  FILE" line each.
 *
 *   authhash FILE...
 *
 * The image hash leaves out the checksum, the certificate table entry and
 * the certificate table, so it is the same before and after any embedded
 * signature is added or replaced: import-signed uses it to prove that an
 * image Microsoft re-signed is still the image we built. */
#include "fileio.h"
#include "pehash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print the Authenticode SHA-256 of each PE file named, as signtool would hash it. */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: authhash FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        size_t len;
        uint8_t *buf = read_file(argv[i], &len);
        if (!buf) {
            fprintf(stderr, "authhash: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
            continue;
        }
        uint8_t h[32];
        const char *why = "not a PE image";
        if (!pe_is_image(buf, len) || pe_hash_sha256(buf, len, h, &why)) {
            fprintf(stderr, "authhash: %s: %s\n", argv[i], why);
            rc = 1;
        } else {
            for (int k = 0; k < 32; k++)
                printf("%02x", h[k]);
            printf("  %s\n", argv[i]);
        }
        free(buf);
    }
    return rc;
}
