/*
 * PE loader (see pe_loader.h).  Everything read from the file is
 * bounds-checked: a malformed image is a failure, never a harness crash.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "abi.h"
#include "api.h"
#include "cpu.h"
#include "pe_loader.h"

#define PAGE       0x1000ull
#define SLOT_SIZE  16u
#define SCN_EXEC   0x20000000u
#define SCN_READ   0x40000000u
#define SCN_WRITE  0x80000000u
#define DIR_IMPORT 1
#define DIR_RELOC  5

struct pe {
    const uint8_t *file;
    size_t file_size;
    uint8_t *img; /* host copy of the image, SizeOfImage bytes */
    uint32_t image_size, headers_size;
    uint64_t preferred_base;
    uint32_t entry_rva;
    uint32_t nsections;
    size_t sections_off;
    uint32_t dir_rva[16], dir_size[16];
    uint32_t ndirs;
};

static bool in_file(const struct pe *pe, size_t off, size_t len)
{
    return off <= pe->file_size && len <= pe->file_size - off;
}

static bool in_image(const struct pe *pe, uint64_t rva, uint64_t len)
{
    return rva <= pe->image_size && len <= pe->image_size - rva;
}

static uint32_t f32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t f16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t f64(const uint8_t *p)
{
    return f32(p) | (uint64_t)f32(p + 4) << 32;
}

static bool parse_headers(struct vm *vm, struct pe *pe)
{
    static const uint16_t machines[VW_ARCH_COUNT] = {0x14c, 0x8664, 0xaa64};
    if (!in_file(pe, 0, 0x40) || f16(pe->file) != 0x5a4d) {
        vw_fail(vm, "PE: no MZ header");
        return false;
    }
    size_t nt = f32(pe->file + 0x3c);
    if (!in_file(pe, nt, 24) || f32(pe->file + nt) != 0x4550) {
        vw_fail(vm, "PE: bad NT header offset");
        return false;
    }
    const uint8_t *coff = pe->file + nt + 4;
    if (f16(coff) != machines[vm->arch]) {
        vw_fail(vm, "PE: machine 0x%x is not %s", f16(coff), vw_arch_name(vm->arch));
        return false;
    }
    pe->nsections = f16(coff + 2);
    size_t opt = nt + 24, opt_size = f16(coff + 16);
    if (!in_file(pe, opt, opt_size) || opt_size < 0x60) {
        vw_fail(vm, "PE: truncated optional header");
        return false;
    }
    const uint8_t *o = pe->file + opt;
    bool plus = f16(o) == 0x20b;
    if (plus != (vm->ptr_size == 8) || (!plus && f16(o) != 0x10b)) {
        vw_fail(vm, "PE: optional header magic 0x%x does not fit %s", f16(o),
                vw_arch_name(vm->arch));
        return false;
    }
    pe->entry_rva = f32(o + 16);
    pe->preferred_base = plus ? f64(o + 24) : f32(o + 28);
    pe->image_size = f32(o + 56);
    pe->headers_size = f32(o + 60);
    size_t dirs = plus ? 112 : 96;
    if (opt_size < dirs) {
        vw_fail(vm, "PE: optional header too small for data directories");
        return false;
    }
    pe->ndirs = f32(o + dirs - 4);
    if (pe->ndirs > 16 || dirs + 8ull * pe->ndirs > opt_size) {
        vw_fail(vm, "PE: bad data directory count %u", pe->ndirs);
        return false;
    }
    for (uint32_t i = 0; i < pe->ndirs; i++) {
        pe->dir_rva[i] = f32(o + dirs + 8 * i);
        pe->dir_size[i] = f32(o + dirs + 8 * i + 4);
    }
    pe->sections_off = opt + opt_size;
    if (pe->image_size == 0 || pe->image_size > 64u << 20 ||
        !in_file(pe, pe->sections_off, 40ull * pe->nsections) ||
        pe->headers_size > pe->image_size || !in_file(pe, 0, pe->headers_size) ||
        pe->entry_rva >= pe->image_size) {
        vw_fail(vm, "PE: inconsistent image size, headers or entry point");
        return false;
    }
    return true;
}

/* One section header's place and kind: its RVA, its size in memory (the
 * raw size when the virtual one is 0) and its characteristics. */
struct section {
    uint32_t rva, vsize, ch;
};

static struct section section_at(const struct pe *pe, uint32_t i)
{
    const uint8_t *s = pe->file + pe->sections_off + 40ull * i;
    struct section sec = {.rva = f32(s + 12), .vsize = f32(s + 8), .ch = f32(s + 36)};
    if (sec.vsize == 0)
        sec.vsize = f32(s + 16);
    return sec;
}

/* Read the file PATH whole into PE->file (malloc'd) and PE->file_size;
 * false when it cannot be opened, PE->file NULL when it cannot be read. */
static bool read_whole(const char *path, struct pe *pe)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *file = size > 0 ? malloc((size_t)size) : NULL;
    if (file != NULL && fread(file, 1, (size_t)size, f) != (size_t)size) {
        free(file);
        file = NULL;
    }
    fclose(f);
    pe->file = file;
    pe->file_size = file != NULL ? (size_t)size : 0;
    return true;
}

static bool copy_sections(struct vm *vm, struct pe *pe)
{
    memcpy(pe->img, pe->file, pe->headers_size);
    for (uint32_t i = 0; i < pe->nsections; i++) {
        const uint8_t *s = pe->file + pe->sections_off + 40ull * i;
        uint32_t vsize = f32(s + 8), rva = f32(s + 12), raw_size = f32(s + 16), raw = f32(s + 20);
        uint32_t copy = raw_size < vsize ? raw_size : vsize;
        if (vsize == 0)
            copy = raw_size, vsize = raw_size;
        if (!in_image(pe, rva, vsize) || !in_file(pe, raw, copy)) {
            vw_fail(vm, "PE: section %u (%.8s) lies outside the image or file", i, (const char *)s);
            return false;
        }
        memcpy(pe->img + rva, pe->file + raw, copy);
    }
    return true;
}

static bool apply_relocations(struct vm *vm, struct pe *pe, gva_t base)
{
    if (pe->ndirs <= DIR_RELOC || pe->dir_size[DIR_RELOC] == 0)
        return true; /* legal: no absolute addresses (see test-harness.md) */
    uint32_t rva = pe->dir_rva[DIR_RELOC], size = pe->dir_size[DIR_RELOC];
    if (!in_image(pe, rva, size)) {
        vw_fail(vm, "PE: relocation directory outside the image");
        return false;
    }
    uint64_t delta = base - pe->preferred_base;
    for (uint32_t off = 0; off + 8 <= size;) {
        uint32_t page = f32(pe->img + rva + off), block = f32(pe->img + rva + off + 4);
        if (block < 8 || block > size - off) {
            vw_fail(vm, "PE: bad relocation block at +0x%x", off);
            return false;
        }
        for (uint32_t e = 8; e + 2 <= block; e += 2) {
            uint16_t entry = f16(pe->img + rva + off + e);
            unsigned type = entry >> 12;
            uint64_t at = (uint64_t)page + (entry & 0xfff);
            if (type == 0)
                continue; /* IMAGE_REL_BASED_ABSOLUTE: padding */
            unsigned width = type == 10 ? 8 : type == 3 ? 4 : 0;
            if (width == 0 || !in_image(pe, at, width)) {
                vw_fail(vm, "PE: relocation type %u at rva 0x%" PRIx64 " unsupported or outside",
                        type, at);
                return false;
            }
            uint64_t value = width == 8 ? f64(pe->img + at) : f32(pe->img + at);
            value += delta;
            memcpy(pe->img + at, &value, width); /* host is little-endian */
        }
        off += block;
    }
    vm->image.relocated = true;
    return true;
}

/* x86 `ret N` pops the callee's argument bytes; amd64 `ret`; arm64 `ret`. */
static void write_slot(struct vm *vm, uint8_t *slot, const struct vw_api *api)
{
    if (vm->arch == VW_ARM64) {
        memcpy(slot, "\xc0\x03\x5f\xd6", 4);
    } else if (vm->arch == VW_X86 && api != NULL && vw_callee_pop(api) != 0) {
        unsigned pop = vw_callee_pop(api);
        slot[0] = 0xc2;
        slot[1] = (uint8_t)pop;
        slot[2] = (uint8_t)(pop >> 8);
    } else {
        slot[0] = 0xc3;
    }
}

static bool read_cstr(const struct pe *pe, uint64_t rva, char *out, size_t cap)
{
    for (size_t i = 0; i < cap; i++) {
        if (!in_image(pe, rva + i, 1))
            return false;
        out[i] = (char)pe->img[rva + i];
        if (out[i] == 0)
            return true;
    }
    return false;
}

static bool add_import(struct vm *vm, const char *module, const char *name)
{
    struct vw_import *imports = realloc(vm->imports, (vm->import_count + 1) * sizeof(*imports));
    if (imports == NULL)
        return false;
    vm->imports = imports;
    struct vw_import *imp = &imports[vm->import_count];
    memset(imp, 0, sizeof(*imp));
    snprintf(imp->module, sizeof(imp->module), "%s", module);
    snprintf(imp->name, sizeof(imp->name), "%s", name);
    imp->api = vm->os->find_api(name, vm->arch);
    if (vm->hidden_api != NULL && strcmp(name, vm->hidden_api) == 0)
        imp->api = NULL;
    imp->slot = vm->map.thunks + SLOT_SIZE * vm->import_count;
    vm->import_count++;
    return true;
}

/* The slot already bound to MODULE!NAME, or NULL. */
static const struct vw_import *bound_import(struct vm *vm, const char *module, const char *name)
{
    for (unsigned i = 0; i < vm->import_count; i++)
        if (strcasecmp(vm->imports[i].module, module) == 0 &&
            strcmp(vm->imports[i].name, name) == 0)
            return &vm->imports[i];
    return NULL;
}

/* Bind PE's imports to slots in THUNKS (REUSE: a second image, which takes
 * the slots the first image bound where they exist). */
static bool bind_imports(struct vm *vm, struct pe *pe, uint8_t *thunks, bool reuse)
{
    if (pe->ndirs <= DIR_IMPORT || pe->dir_size[DIR_IMPORT] == 0)
        return true;
    uint32_t dir = pe->dir_rva[DIR_IMPORT];
    unsigned ps = vm->ptr_size;
    uint64_t ordinal_flag = 1ull << (8 * ps - 1);
    const unsigned max_slots = (unsigned)(PAGE / SLOT_SIZE) - 1; /* last one: sentinel */
    for (uint32_t d = dir;; d += 20) {
        if (!in_image(pe, d, 20)) {
            vw_fail(vm, "PE: import directory runs off the image");
            return false;
        }
        uint32_t ilt = f32(pe->img + d), name_rva = f32(pe->img + d + 12),
                 iat = f32(pe->img + d + 16);
        if (ilt == 0 && name_rva == 0 && iat == 0)
            break;
        char module[64];
        if (!read_cstr(pe, name_rva, module, sizeof(module))) {
            vw_fail(vm, "PE: bad import module name");
            return false;
        }
        if (ilt == 0)
            ilt = iat;
        for (uint32_t i = 0;; i++) {
            uint64_t at = ilt + (uint64_t)ps * i, iat_at = iat + (uint64_t)ps * i;
            if (!in_image(pe, at, ps) || !in_image(pe, iat_at, ps)) {
                vw_fail(vm, "PE: import table of %s runs off the image", module);
                return false;
            }
            uint64_t entry = ps == 8 ? f64(pe->img + at) : f32(pe->img + at);
            if (entry == 0)
                break;
            char name[64];
            if (entry & ordinal_flag) {
                vw_fail(vm, "PE: import by ordinal from %s is not supported", module);
                return false;
            }
            if (!read_cstr(pe, (entry & 0x7fffffff) + 2, name, sizeof(name))) {
                vw_fail(vm, "PE: bad import name in %s", module);
                return false;
            }
            /* A second image shares the first's slot for the same routine
             * (the export has one address, whichever image imports it). */
            const struct vw_import *imp = reuse ? bound_import(vm, module, name) : NULL;
            if (imp != NULL) {
                memcpy(pe->img + iat_at, &imp->slot, ps);
                continue;
            }
            if (vm->import_count >= max_slots || !add_import(vm, module, name)) {
                vw_fail(vm, "harness: too many imports");
                return false;
            }
            imp = &vm->imports[vm->import_count - 1];
            if (imp->api != NULL && imp->api->cc == VW_DATA) {
                /* The slot is the variable: it points at its own second
                 * half, which holds the value the variable points to
                 * (ExEventObjectType is a POBJECT_TYPE *). */
                uint64_t inner = imp->slot + 8, value = vm->os->data_import_value(vm, imp);
                if (vm->os->data_import_direct(imp))
                    inner = value; /* SeExports: the variable is the pointer */
                memcpy(thunks + (imp->slot - vm->map.thunks), &inner, ps);
                memcpy(thunks + (imp->slot - vm->map.thunks) + 8, &value, ps);
            } else {
                write_slot(vm, thunks + (imp->slot - vm->map.thunks), imp->api);
            }
            memcpy(pe->img + iat_at, &imp->slot, ps);
        }
    }
    return true;
}

static bool report_unimplemented(struct vm *vm)
{
    char list[1024] = "";
    size_t len = 0;
    unsigned missing = 0;
    for (unsigned i = 0; i < vm->import_count; i++) {
        if (vm->imports[i].api != NULL)
            continue;
        missing++;
        len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, " %s!%s",
                                vm->imports[i].module, vm->imports[i].name);
        if (len >= sizeof(list))
            len = sizeof(list) - 1;
    }
    if (missing)
        vw_fail(vm, "unimplemented imports (%u):%s", missing, list);
    return missing == 0;
}

static uint32_t section_perms(uint32_t characteristics)
{
    uint32_t perms = 0;
    if (characteristics & SCN_READ)
        perms |= UC_PROT_READ;
    if (characteristics & SCN_WRITE)
        perms |= UC_PROT_WRITE;
    if (characteristics & SCN_EXEC)
        perms |= UC_PROT_EXEC;
    return perms;
}

/* Map the image as runs of pages alike, each with its sections'
 * permissions, straight from the host copy PE->img (page-aligned, kept
 * until unicorn is closed: vm->host_blocks): no uc_mem_write into a
 * read-only mapping and no uc_mem_protect, each of which rebuilt or split
 * unicorn's mappings, copying them whole. */
static bool map_image(struct vm *vm, struct pe *pe, gva_t base, uint64_t mapped)
{
    uint64_t pages = mapped / PAGE;
    uint32_t *perms = calloc(pages ? pages : 1, sizeof(*perms));
    void **blocks = realloc(vm->host_blocks, (vm->host_block_count + 1) * sizeof(*blocks));
    if (blocks != NULL)
        vm->host_blocks = blocks;
    if (perms == NULL || blocks == NULL) {
        free(perms);
        return false;
    }
    /* Pages of no section are read-only; pages shared by two sections get
     * the union of their permissions. */
    bool *covered = calloc(pages ? pages : 1, sizeof(*covered));
    if (covered == NULL) {
        free(perms);
        return false;
    }
    for (uint32_t i = 0; i < pe->nsections; i++) {
        struct section sec = section_at(pe, i);
        uint64_t start = sec.rva / PAGE, end = (sec.rva + (uint64_t)sec.vsize + PAGE - 1) / PAGE;
        for (uint64_t p = start; p < end && p < pages; p++) {
            perms[p] = (covered[p] ? perms[p] : 0) | section_perms(sec.ch);
            covered[p] = true;
        }
    }
    for (uint64_t p = 0; p < pages; p++)
        if (!covered[p])
            perms[p] = UC_PROT_READ;
    free(covered);
    vm->host_blocks[vm->host_block_count++] = pe->img; /* unicorn's now */
    uint8_t *host = pe->img;
    pe->img = NULL;
    bool ok = true;
    for (uint64_t p = 0; ok && p < pages;) {
        uint64_t q = p + 1;
        while (q < pages && perms[q] == perms[p])
            q++;
        uc_err err =
            uc_mem_map_ptr(vm->uc, base + p * PAGE, (q - p) * PAGE, perms[p], host + p * PAGE);
        if (err != UC_ERR_OK) {
            vw_fail(vm, "harness: mapping the image at 0x%" PRIx64 "+0x%" PRIx64 ": %s",
                    (uint64_t)(base + p * PAGE), (uint64_t)((q - p) * PAGE), uc_strerror(err));
            ok = false;
        }
        p = q;
    }
    free(perms);
    if (!ok)
        return false;
    for (uint32_t i = 0; i < pe->nsections; i++) {
        struct section sec = section_at(pe, i);
        if ((sec.ch & SCN_EXEC) && !vw_cpu_scan_code(vm, base + sec.rva, host + sec.rva, sec.vsize))
            return false;
    }
    return true;
}

enum load_kind { LOAD_FIRST, LOAD_COPY, LOAD_AGAIN };

/* Load PATH at BASE as KIND: the first image; a second image (LOAD_COPY,
 * its imports bound to the first's slots or new ones after them,
 * vm->image stays the first); or the first image again over itself
 * (LOAD_AGAIN: its bytes rewritten, nothing mapped or scanned anew). */
static bool load_at(struct vm *vm, const char *path, gva_t base, enum load_kind kind,
                    struct vw_image *out)
{
    struct pe pe = {0};
    if (!read_whole(path, &pe)) {
        vw_fail(vm, "cannot open %s (not built?)", path);
        return false;
    }
    uint8_t *file = (uint8_t *)pe.file;
    bool ok = file != NULL;
    uint8_t thunks[PAGE];
    memset(thunks, 0xcc, sizeof(thunks));
    if (kind != LOAD_FIRST)
        ok = ok && vw_read(vm, vm->map.thunks, thunks, sizeof(thunks));

    ok = ok && parse_headers(vm, &pe);
    uint64_t mapped = ok ? ((uint64_t)pe.image_size + PAGE - 1) & ~(PAGE - 1) : 0;
    if (ok && mapped > VW_IMAGE_SPAN) {
        vw_fail(vm, "harness: hard limit: image of %" PRIu64 " bytes, more than %llu", mapped,
                (unsigned long long)VW_IMAGE_SPAN);
        ok = false;
    }
    if (ok && kind == LOAD_AGAIN && pe.image_size != vm->image.size) {
        vw_fail(vm, "harness: %s is not the image loaded", path);
        ok = false;
    }
    if (ok && (pe.img = aligned_alloc(PAGE, mapped)) == NULL)
        ok = false;
    if (ok)
        memset(pe.img, 0, mapped);
    ok = ok && copy_sections(vm, &pe) && apply_relocations(vm, &pe, base) &&
         bind_imports(vm, &pe, thunks, kind != LOAD_FIRST);
    if (ok && kind == LOAD_AGAIN) {
        ok = vw_write(vm, vm->map.thunks, thunks, sizeof(thunks)) &&
             vw_write(vm, base, pe.img, pe.image_size) && vm->os->bind_thunks(vm);
    } else if (ok) {
        if (kind == LOAD_FIRST) /* the last slot, a plain return (was the sentinel) */
            write_slot(vm, thunks + PAGE - SLOT_SIZE, NULL);
        *out = (struct vw_image){.base = base,
                                 .size = pe.image_size,
                                 .entry = base + pe.entry_rva,
                                 .preferred_base = pe.preferred_base,
                                 .relocated = out->relocated};
        ok = vw_write(vm, vm->map.thunks, thunks, sizeof(thunks)) &&
             map_image(vm, &pe, base, mapped) && vm->os->bind_thunks(vm) &&
             report_unimplemented(vm);
    }
    if (!ok && !vm->failed)
        vw_fail(vm, "cannot load %s", path);
    free(pe.img);
    free(file);
    return ok;
}

void vw_image_remember(const struct vm *template, const char *path)
{
    /* A scratch machine: a bad image's failure stays there, no unicorn. */
    struct vm scratch = *template;
    scratch.uc = NULL;
    scratch.log = NULL;
    scratch.log_cap = scratch.log_len = 0;
    struct pe pe = {0};
    read_whole(path, &pe);
    uint8_t *file = (uint8_t *)pe.file;
    bool ok = file != NULL;
    ok = ok && parse_headers(&scratch, &pe);
    uint64_t mapped = ok ? ((uint64_t)pe.image_size + PAGE - 1) & ~(PAGE - 1) : 0;
    ok = ok && mapped <= VW_IMAGE_SPAN && (pe.img = calloc(1, mapped)) != NULL &&
         copy_sections(&scratch, &pe) && apply_relocations(&scratch, &pe, template->map.image);
    for (uint32_t i = 0; ok && i < pe.nsections; i++) {
        struct section sec = section_at(&pe, i);
        if ((sec.ch & SCN_EXEC) && in_image(&pe, sec.rva, sec.vsize))
            vw_cpu_sites_remember(template->arch, template->map.image + sec.rva, pe.img + sec.rva,
                                  sec.vsize);
    }
    free(scratch.log);
    free(pe.img);
    free(file);
}

bool vw_load_image(struct vm *vm, const char *path)
{
    return load_at(vm, path, vm->map.image, LOAD_FIRST, &vm->image);
}

bool vw_load_image_copy(struct vm *vm, const char *path, struct vw_image *copy)
{
    *copy = (struct vw_image){0};
    if (vm->image.base == 0) {
        vw_fail(vm, "harness: a second image before the first");
        return false;
    }
    if (vm->image_copies == VW_IMAGE_COPIES) {
        vw_fail(vm, "harness: hard limit: more than %u second images", VW_IMAGE_COPIES);
        return false;
    }
    gva_t base = vm->map.copies + VW_IMAGE_SPAN * vm->image_copies;
    if (!load_at(vm, path, base, LOAD_COPY, copy))
        return false;
    vm->image_copies++;
    return true;
}

bool vw_reload_image(struct vm *vm, const char *path)
{
    if (vm->image.base == 0) {
        vw_fail(vm, "harness: the first image loaded again before it was loaded");
        return false;
    }
    return load_at(vm, path, vm->image.base, LOAD_AGAIN, NULL);
}
