/*
 * The code sites of an executable section that get hooks (see cpu.h):
 * memory barriers (cpu_barrier.c) and amd64 CR8 accesses (cpu.c).  Finding
 * them takes a disassembly of the section (capstone on x86, a word scan on
 * arm64), most of an image's load time and the same for every run that
 * loads the same image: the runner finds them once before it forks
 * (vw_cpu_sites_remember), and a run whose section has the same bytes at
 * the same address takes the list it inherited instead of scanning.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"

/* One hook to install: a barrier of KIND, or (KIND 0) a CR8 access. */
struct site {
    gva_t va;
    uint8_t kind; /* VW_BARRIER_* bits */
    bool cr8_write;
    uint8_t gpr, size;
};

struct sites {
    struct site *v;
    size_t n, cap;
};

/* Sections seen by the runner: arch, address and bytes (by length and
 * hash) and their sites. */
struct remembered {
    enum vw_arch arch;
    gva_t va;
    size_t len;
    uint64_t hash;
    struct sites sites;
};

static struct remembered *known;
static size_t known_count;

/* A 64-bit hash of LEN bytes at P (any IRQL: harness-side only). */
static uint64_t bytes_hash(const uint8_t *p, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h ^ (h >> 32);
}

static bool add(struct sites *s, struct site site)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        struct site *v = realloc(s->v, cap * sizeof(*v));
        if (v == NULL)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = site;
    return true;
}

static bool find_arm64(gva_t va, const uint8_t *code, size_t len, struct sites *out)
{
    for (size_t off = 0; off + 4 <= len; off += 4) {
        uint32_t insn = (uint32_t)code[off] | (uint32_t)code[off + 1] << 8 |
                        (uint32_t)code[off + 2] << 16 | (uint32_t)code[off + 3] << 24;
        unsigned kind = vw_barrier_kind_arm64(insn);
        if (kind != 0 && !add(out, (struct site){.va = va + off, .kind = (uint8_t)kind, .size = 4}))
            return false;
    }
    return true;
}

/* x86 and amd64 in one pass: barriers, and on amd64 CR8 accesses, REX(.R)
 * 0F 20|22 modrm (disassembly is most of an image's load time). */
static bool find_x86(enum vw_arch arch, gva_t va, const uint8_t *code, size_t len,
                     struct sites *out)
{
    csh cs;
    if (cs_open(CS_ARCH_X86, arch == VW_AMD64 ? CS_MODE_64 : CS_MODE_32, &cs) != CS_ERR_OK)
        return false;
    cs_option(cs, CS_OPT_SKIPDATA, CS_OPT_ON);
    cs_insn *insn = cs_malloc(cs);
    const uint8_t *p = code;
    uint64_t addr = va;
    bool ok = insn != NULL;
    while (ok && cs_disasm_iter(cs, &p, &len, &addr, insn)) {
        unsigned kind = vw_barrier_kind_x86(insn);
        if (kind != 0)
            ok = add(out, (struct site){.va = insn->address,
                                        .kind = (uint8_t)kind,
                                        .size = (uint8_t)insn->size});
        if (arch != VW_AMD64 || insn->id != X86_INS_MOV || strstr(insn->op_str, "cr8") == NULL ||
            insn->size != 4)
            continue;
        const uint8_t *b = insn->bytes;
        ok = ok && add(out, (struct site){.va = insn->address,
                                          .cr8_write = b[2] == 0x22,
                                          .gpr = (uint8_t)((b[3] & 7) | ((b[0] & 1) << 3)),
                                          .size = insn->size});
    }
    if (insn != NULL)
        cs_free(insn, 1);
    cs_close(&cs);
    return ok;
}

static bool find(enum vw_arch arch, gva_t va, const uint8_t *code, size_t len, struct sites *out)
{
    return arch == VW_ARM64 ? find_arm64(va, code, len, out) : find_x86(arch, va, code, len, out);
}

/* The sites the runner found for these bytes at VA on ARCH, or NULL. */
static const struct sites *recall(enum vw_arch arch, gva_t va, size_t len, uint64_t hash)
{
    for (size_t i = 0; i < known_count; i++)
        if (known[i].arch == arch && known[i].va == va && known[i].len == len &&
            known[i].hash == hash)
            return &known[i].sites;
    return NULL;
}

void vw_cpu_sites_remember(enum vw_arch arch, gva_t va, const uint8_t *code, size_t len)
{
    uint64_t hash = bytes_hash(code, len);
    if (recall(arch, va, len, hash) != NULL)
        return;
    struct remembered *grown = realloc(known, (known_count + 1) * sizeof(*known));
    if (grown == NULL)
        return;
    known = grown;
    struct remembered *r = &known[known_count];
    *r = (struct remembered){.arch = arch, .va = va, .len = len, .hash = hash};
    if (!find(arch, va, code, len, &r->sites)) {
        free(r->sites.v); /* the run scans for itself and reports */
        return;
    }
    known_count++;
}

bool vw_cpu_scan_code(struct vm *vm, gva_t va, const uint8_t *code, size_t len)
{
    struct sites own = {0};
    const struct sites *s = recall(vm->arch, va, len, bytes_hash(code, len));
    bool ok = true;
    if (s == NULL) {
        ok = find(vm->arch, va, code, len, &own);
        s = &own;
    }
    for (size_t i = 0; ok && i < s->n; i++) {
        const struct site *site = &s->v[i];
        ok = site->kind != 0
                 ? vw_cpu_hook_barrier(vm, site->va, site->kind, site->size)
                 : vw_cpu_hook_cr8(vm, site->va, site->cr8_write, site->gpr, site->size);
    }
    free(own.v);
    return ok;
}
