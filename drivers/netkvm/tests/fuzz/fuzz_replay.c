/*
 * fuzz_replay.c - the bounded fuzz pass of check-netkvm-units: every file
 * of the checked-in corpus through nk_fuzz_csum and nk_fuzz_rxhdr, then a fixed number of
 * deterministic mutations of each (bytes changed, bytes appended, the
 * frame cut).  An oracle failure or a sanitizer report aborts (non-zero).
 *
 * Usage: netkvm-fuzz-replay [CORPUS_DIR [MUTATIONS]]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nk_fuzz.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;

/* xorshift64: the same mutations every run. */
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "drivers/netkvm/tests/fuzz/corpus";
    unsigned mutations = argc > 2 ? (unsigned)atoi(argv[2]) : 2000, files = 0;
    static uint8_t buf[70000], mut[70000];
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d) {
        printf("FAIL: fuzz: no corpus at %s\n0 passed, 1 failed\n", dir);
        return 1;
    }
    while ((de = readdir(d)) != NULL) {
        char file[4096];
        FILE *f;
        if (de->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
        if ((f = fopen(file, "rb")) == NULL)
            continue;
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        nk_fuzz_csum(buf, n);
        nk_fuzz_rxhdr(buf, n);
        for (unsigned k = 0; k < mutations; k++) {
            size_t len = n;
            unsigned flips = 1 + next() % 6;
            memcpy(mut, buf, n);
            if (next() % 4 == 0)
                len = n ? next() % n : 0; /* cut */
            else if (next() % 4 == 0)
                for (unsigned add = next() % 64; add-- && len < sizeof(mut);)
                    mut[len++] = (uint8_t)next();
            while (flips-- && len)
                mut[next() % len] = (uint8_t)next();
            nk_fuzz_csum(mut, len);
            nk_fuzz_rxhdr(mut, len);
        }
        files++;
    }
    closedir(d);
    printf("%s: fuzz: %u corpus files, %u mutations each, no oracle failed\n",
           files ? "PASS" : "FAIL", files, mutations);
    printf("%u passed, %u failed\n", files ? 1u : 0u, files ? 0u : 1u);
    return files ? 0 : 1;
}
