/* Base64 encoding and strict decoding. */
#include "b64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Length of the base64 text of len bytes (without NUL). */
size_t b64_encoded_len(size_t len)
{
    return (len + 2) / 3 * 4;
}

/* Encode bytes as base64 text, padded, into out. */
void b64_encode(const unsigned char *d, size_t len, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)d[i] << 16;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8;
        out[o++] = alphabet[v >> 18];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = alphabet[v >> 6 & 63];
        out[o++] = '=';
    }
    out[o] = 0;
}

/* Value of one base64 digit, or -1. */
static int digit(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode strict base64 (padded, no whitespace); false on anything else. */
bool b64_decode(const char *t, size_t len, unsigned char *out, size_t *out_len)
{
    size_t o = 0;
    if (len % 4) {
        return false;
    }
    for (size_t i = 0; i < len; i += 4) {
        int a = digit(t[i]), b = digit(t[i + 1]), c = digit(t[i + 2]), d = digit(t[i + 3]);
        bool last = i + 4 == len;
        if (a < 0 || b < 0) {
            return false;
        }
        out[o++] = (unsigned char)(a << 2 | b >> 4);
        if (last && t[i + 2] == '=' && t[i + 3] == '=') {
            if (b & 15) {
                return false;
            }
            break;
        }
        if (c < 0) {
            return false;
        }
        out[o++] = (unsigned char)((b & 15) << 4 | c >> 2);
        if (last && t[i + 3] == '=') {
            if (c & 3) {
                return false;
            }
            break;
        }
        if (d < 0) {
            return false;
        }
        out[o++] = (unsigned char)((c & 3) << 6 | d);
    }
    *out_len = o;
    return true;
}
