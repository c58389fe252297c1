/*
 * DbgPrint/DbgPrintEx: the kernel's printf, formatted here and captured into
 * the scenario log.  Variadic arguments are read slot by slot per ABI (a
 * 64-bit integer takes two x86 slots).  %wZ and the wide conversions need
 * PASSIVE_LEVEL (they may touch paged Unicode tables): checked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"

struct cursor {
    struct vm *vm;
    const struct vw_api *api;
    unsigned slot;
};

static uint64_t next(struct cursor *c, bool wide64)
{
    uint64_t value = vw_slot(c->vm, c->api, c->slot++);
    if (wide64 && c->vm->arch == VW_X86)
        value |= vw_slot(c->vm, c->api, c->slot++) << 32;
    return value;
}

static void guest_string(struct vm *vm, gva_t p, bool wide, size_t max, char *out, size_t cap)
{
    size_t n = 0;
    if (p == 0) {
        snprintf(out, cap, "(null)");
        return;
    }
    for (size_t i = 0; i < max && n + 1 < cap && !vm->failed; i++) {
        uint16_t ch = (uint16_t)vw_rd(vm, p + (wide ? 2 * i : i), wide ? 2 : 1);
        if (ch == 0)
            break;
        out[n++] = ch < 0x80 ? (char)ch : '?';
    }
    out[n] = 0;
}

static bool needs_passive(struct vm *vm, const char *conv)
{
    if (vm->irql == VW_PASSIVE_LEVEL)
        return false;
    vw_fail(vm, "IRQL: DbgPrint %s at IRQL %u (Unicode conversions need PASSIVE_LEVEL)", conv,
            vm->irql);
    return true;
}

static void format(struct cursor *c, const char *fmt, char *out, size_t cap)
{
    size_t len = 0;
    for (const char *p = fmt; *p && len + 1 < cap; p++) {
        if (*p != '%') {
            out[len++] = *p;
            continue;
        }
        char spec[32] = "%";
        size_t s = 1;
        p++;
        while (*p && strchr("-+ #0123456789.", *p) && s < 16)
            spec[s++] = *p++;
        bool is64 = false, wide = false;
        if (p[0] == 'l' && p[1] == 'l')
            is64 = true, p += 2;
        else if (p[0] == 'I' && p[1] == '6' && p[2] == '4')
            is64 = true, p += 3;
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2')
            p += 3;
        else if (*p == 'I' || *p == 'z')
            is64 = c->vm->ptr_size == 8, p++;
        else if (*p == 'l' || *p == 'h')
            p++;
        else if (*p == 'w')
            wide = true, p++;
        char piece[512];
        switch (*p) {
        case 'd':
        case 'i':
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v = next(c, is64);
            bool sign = *p == 'd' || *p == 'i';
            if (!is64)
                v = sign ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
            memcpy(spec + s, "ll", 2);
            spec[s + 2] = *p;
            spec[s + 3] = 0;
            snprintf(piece, sizeof(piece), spec, v);
            break;
        }
        case 'p':
            snprintf(piece, sizeof(piece), "%0*" PRIX64, 2 * (int)c->vm->ptr_size, next(c, false));
            break;
        case 'c':
            snprintf(piece, sizeof(piece), "%c", (char)next(c, false));
            break;
        case 's':
        case 'S': {
            bool w = wide || *p == 'S';
            if (w && needs_passive(c->vm, "%ws"))
                return;
            char text[256];
            guest_string(c->vm, next(c, false), w, 255, text, sizeof(text));
            spec[s] = 's';
            spec[s + 1] = 0;
            snprintf(piece, sizeof(piece), spec, text);
            break;
        }
        case 'Z': {
            if (wide && needs_passive(c->vm, "%wZ"))
                return;
            gva_t str = next(c, false);
            char text[256] = "(null)";
            if (str != 0) {
                uint16_t n = (uint16_t)vw_rd(c->vm, str, 2);
                gva_t buf = vw_rdptr(c->vm, str + c->vm->ptr_size);
                guest_string(c->vm, buf, wide, wide ? n / 2u : n, text, sizeof(text));
            }
            snprintf(piece, sizeof(piece), "%s", text);
            break;
        }
        case '%':
            snprintf(piece, sizeof(piece), "%%");
            break;
        default:
            snprintf(piece, sizeof(piece), "<%%%c?>", *p ? *p : '?');
            if (!*p)
                p--;
            break;
        }
        len += (size_t)snprintf(out + len, cap - len, "%s", piece);
        if (len >= cap)
            len = cap - 1;
    }
    out[len] = 0;
}

static void print(struct vm *vm, const struct vw_api *api, unsigned fmt_index, const char *prefix)
{
    char fmt[512], text[1024];
    guest_string(vm, vw_arg(vm, api, fmt_index), false, sizeof(fmt) - 1, fmt, sizeof(fmt));
    struct cursor c = {vm, api, vw_vararg_slot(vm, api)};
    format(&c, fmt, text, sizeof(text));
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == '\n')
        text[--n] = 0;
    vw_log(vm, "%s%s", prefix, text);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_DbgPrint(struct vm *vm, const struct vw_api *api)
{
    print(vm, api, 0, "dbg: ");
}

void vw_DbgPrintEx(struct vm *vm, const struct vw_api *api)
{
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "dbg[%u]: ", (unsigned)vw_arg(vm, api, 1));
    print(vm, api, 2, prefix);
}
