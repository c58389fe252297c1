/*
 * fuzz_replay.c - the short, bounded fuzz pass of `make check`: runs every
 * file of the checked-in corpus through its target, then a fixed number of
 * deterministic mutations of each. Any oracle failure traps (non-zero exit).
 *
 * Usage: fuzz-replay CORPUS_DIR [MUTATIONS]
 * CORPUS_DIR holds one subdirectory per target: split_used, packed_used,
 * req, pci_caps.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static const struct {
    const char *name;
    int (*fn)(const uint8_t *, size_t);
} targets[] = {
    {"split_used", fuzz_split_used},
    {"packed_used", fuzz_packed_used},
    {"req", fuzz_req},
    {"pci_caps", fuzz_pci_caps},
};

static uint64_t rng = 88172645463325252ull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

int main(int argc, char **argv)
{
    unsigned mutations = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
    unsigned passed = 0, t;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
        return 2;
    }
    for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
        char path[4096];
        struct dirent *de;
        unsigned files = 0;
        DIR *d;

        snprintf(path, sizeof(path), "%s/%s", argv[1], targets[t].name);
        if ((d = opendir(path)) == NULL) {
            printf("FAIL %s: no corpus at %s\n", targets[t].name, path);
            printf("%u passed, 1 failed\n", passed);
            return 1;
        }
        while ((de = readdir(d)) != NULL) {
            static uint8_t buf[65536], mut[65536];
            char file[8192];
            size_t n;
            FILE *f;

            if (de->d_name[0] == '.')
                continue;
            snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
            if ((f = fopen(file, "rb")) == NULL)
                continue;
            n = fread(buf, 1, sizeof(buf), f);
            fclose(f);
            targets[t].fn(buf, n);
            for (unsigned k = 0; k < mutations; k++) {
                size_t len = n + (next() % 2 ? next() % 64 : 0);
                unsigned flips = 1 + next() % 8;

                if (len > sizeof(mut))
                    len = sizeof(mut);
                memcpy(mut, buf, n);
                for (size_t i = n; i < len; i++)
                    mut[i] = (uint8_t)next();
                while (flips--)
                    if (len)
                        mut[next() % len] = (uint8_t)next();
                targets[t].fn(mut, len);
            }
            files++;
        }
        closedir(d);
        printf("ok   %s: %u corpus files, %u mutations each\n", targets[t].name, files, mutations);
        if (files == 0) {
            printf("%u passed, 1 failed\n", passed);
            return 1;
        }
        passed++;
    }
    printf("%u passed, 0 failed\n", passed);
    return 0;
}
