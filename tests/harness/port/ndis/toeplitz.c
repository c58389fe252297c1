/*
 * The RSS hash, computed independently of any miniport: the Toeplitz hash
 * of network/rss-hashing-functions.  For each input bit from the first
 * byte's most significant bit on, a set bit XORs the key's leftmost 32 bits
 * (the window at that bit) into the result.  Checked against the vectors of
 * network/verifying-the-rss-hash-calculation (ndis_toeplitz_microsoft_vectors).
 */
#include "ndis_port.h"

uint32_t vw_ndis_toeplitz(const uint8_t *key, unsigned key_len, const uint8_t *in, unsigned n)
{
    uint32_t hash = 0, window = 0;
    for (unsigned i = 0; i < 4; i++)
        window = window << 8 | (i < key_len ? key[i] : 0);
    for (unsigned i = 0; i < n; i++) {
        uint8_t next = i + 4 < key_len ? key[i + 4] : 0; /* the key bits shifted in */
        for (int b = 7; b >= 0; b--) {
            if (in[i] >> b & 1)
                hash ^= window;
            window = window << 1 | (next >> b & 1);
        }
    }
    return hash;
}
