/* mkcat: writes an unsigned SHA-256 (MakeCat "v2") driver catalog.
 *
 *   mkcat -o OUT.cat --os OSATTR [--catos OSNAMES] --time EPOCH FILE...
 *
 * Each FILE becomes a member named by its base name: PE images are hashed
 * with the Authenticode image hash (so the member still matches after the
 * image gets its own embedded signature), other files (the .inf) with a flat
 * SHA-256.  The output is deterministic: members are sorted, sets are in DER
 * order, thisUpdate is EPOCH, and the list identifier is a hash of the
 * content.  Structure: see the team reference toolchain.md, section 8, and
 * sign/README.md.
 *
 * With --catos, the catalog also carries the attributes Inf2Cat writes: OS
 * (the list OSNAMES, checked against the INF's decorations, see catattrs.h)
 * and HWID1..HWIDn, from the one .inf among the FILEs. */
#include "catattrs.h"
#include "der.h"
#include "fileio.h"
#include "pehash.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OID_SIGNED_DATA     "1.2.840.113549.1.7.2"
#define OID_CTL             "1.3.6.1.4.1.311.10.1"
#define OID_CATALOG_LIST    "1.3.6.1.4.1.311.12.1.1"
#define OID_CATALOG_MEMBER2 "1.3.6.1.4.1.311.12.1.3" /* v2: SHA-256 members */
#define OID_CAT_NAMEVALUE   "1.3.6.1.4.1.311.12.2.1"
#define OID_CAT_MEMBERINFO2 "1.3.6.1.4.1.311.12.2.3"
#define OID_SPC_INDIRECT    "1.3.6.1.4.1.311.2.1.4"
#define OID_SPC_PE_IMAGE    "1.3.6.1.4.1.311.2.1.15"
#define OID_SPC_CAB_DATA    "1.3.6.1.4.1.311.2.1.25"
#define OID_SHA256          "2.16.840.1.101.3.4.2.1"

/* CRYPTCATATTRIBUTE flags MakeCat writes for name/value pairs:
 * NAMEASCII | DATAASCII | AUTHENTICATED... as observed, 0x10010001. */
#define CAT_ATTR_FLAGS 0x10010001u

struct member {
    const char *name;
    uint8_t digest[32];
    int is_pe;
};

/* Print mkcat's usage and exit with status 2. */
static void usage(void)
{
    fputs("usage: mkcat -o OUT.cat --os OSATTR [--catos OSNAMES] --time EPOCH FILE...\n", stderr);
    exit(2);
}

/* CatNameValue { BMPString tag, INTEGER flags, OCTET STRING UTF-16LE value } */
static void name_value(struct der *d, const char *tag, const char *value)
{
    struct der nv = {0};
    der_bmp(&nv, tag);
    der_uint(&nv, CAT_ATTR_FLAGS);
    der_utf16le_z(&nv, value);
    der_wrap(d, DER_SEQUENCE, &nv);
}

/* Attribute { OID type, SET { value } } */
static void attribute(struct der_set *attrs, const char *oid, struct der *value)
{
    struct der a = {0}, set = {0};
    der_oid(&a, oid);
    der_wrap(&set, DER_SET, value);
    der_raw(&a, set.p, set.len);
    der_free(&set);
    struct der seq = {0};
    der_wrap(&seq, DER_SEQUENCE, &a);
    der_set_add(attrs, &seq);
}

/* SpcIndirectDataContent: what the member is (PE image or flat data) and
 * its SHA-256 digest; osslsigncode and WinVerifyTrust compare this digest. */
static void indirect_data(struct der *out, const struct member *m)
{
    struct der data = {0}, link = {0}, v = {0};
    if (m->is_pe) {
        /* SpcPeImageData { flags BIT STRING {}, file [0] SpcLink [2] SpcString
         * [0] BMPString "<<<Obsolete>>>" }, as MakeCat and signtool write it. */
        struct der pe = {0}, str = {0}, file = {0};
        der_tlv(&pe, DER_BITSTRING, "", 1);
        struct der bmp = {0};
        der_bmp(&bmp, "<<<Obsolete>>>");
        /* [0] IMPLICIT BMPString: same content, context tag. */
        bmp.p[0] = DER_CTX(0);
        der_wrap(&str, DER_CTXC(2), &bmp);
        der_wrap(&file, DER_CTXC(0), &str);
        der_raw(&pe, file.p, file.len);
        der_free(&file);
        der_oid(&data, OID_SPC_PE_IMAGE);
        der_wrap(&data, DER_SEQUENCE, &pe);
    } else {
        /* SPC_CAB_DATA with an empty SpcLink [2] { [0] "" }: the value
         * Inf2Cat uses for flat files. */
        struct der empty = {0};
        der_tlv(&empty, DER_CTX(0), "", 0);
        der_wrap(&link, DER_CTXC(2), &empty);
        der_oid(&data, OID_SPC_CAB_DATA);
        der_raw(&data, link.p, link.len);
        der_free(&link);
    }
    der_wrap(&v, DER_SEQUENCE, &data);

    struct der alg = {0}, dinfo = {0};
    der_oid(&alg, OID_SHA256);
    der_tlv(&alg, DER_NULL, "", 0);
    der_wrap(&dinfo, DER_SEQUENCE, &alg);
    der_tlv(&dinfo, DER_OCTETS, m->digest, 32);
    der_wrap(&v, DER_SEQUENCE, &dinfo);
    der_wrap(out, DER_SEQUENCE, &v);
}

/* Appends one catalog-wide attribute: an extension whose value is a
 * DER-encoded CatNameValue. */
static void catalog_attr(struct der *exts, const char *tag, const char *value)
{
    struct der nv = {0}, ext = {0};
    name_value(&nv, tag, value);
    der_oid(&ext, OID_CAT_NAMEVALUE);
    der_wrap(&ext, DER_OCTETS, &nv);
    der_wrap(exts, DER_SEQUENCE, &ext);
}

/* Append one catalog member: its hash and its name, OS and member-info attributes. */
static void subject(struct der_set *subjects, const struct member *m)
{
    struct der_set attrs = {0};
    struct der v = {0};

    /* CAT_MEMBERINFO2: the subject form; [0] empty for PE images, [2]
     * empty for flat files (reference: toolchain.md section 8). */
    der_tlv(&v, m->is_pe ? DER_CTX(0) : DER_CTX(2), "", 0);
    attribute(&attrs, OID_CAT_MEMBERINFO2, &v);
    name_value(&v, "File", m->name);
    attribute(&attrs, OID_CAT_NAMEVALUE, &v);
    indirect_data(&v, m);
    attribute(&attrs, OID_SPC_INDIRECT, &v);

    struct der s = {0};
    der_tlv(&s, DER_OCTETS, m->digest, 32);
    der_set_emit(&s, DER_SET, &attrs);
    struct der seq = {0};
    der_wrap(&seq, DER_SEQUENCE, &s);
    der_set_add(subjects, &seq);
}

/* Hash one file for the catalog: Authenticode for PE images, SHA-256 of the whole file otherwise.
 */
static int hash_member(struct member *m, const char *path)
{
    size_t len;
    uint8_t *buf = read_file(path, &len);
    const char *why = NULL;

    if (!buf) {
        fprintf(stderr, "mkcat: %s: %s\n", path, strerror(errno));
        return -1;
    }
    const char *slash = strrchr(path, '/');
    m->name = slash ? slash + 1 : path;
    m->is_pe = pe_is_image(buf, len);
    int rc = 0;
    if (m->is_pe) {
        rc = pe_hash_sha256(buf, len, m->digest, &why);
    } else if (!EVP_Digest(buf, len, m->digest, NULL, EVP_sha256(), NULL)) {
        rc = -1;
        why = "SHA-256 failed";
    }
    if (rc)
        fprintf(stderr, "mkcat: %s: %s\n", path, why);
    free(buf);
    return rc;
}

/* mkcat: build an unsigned catalog (CTL) of the files named, with a fixed time. */
int main(int argc, char **argv)
{
    const char *out = NULL, *osattr = NULL, *epoch_s = NULL, *catos = NULL;
    int i = 1;

    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "-o"))
            out = argv[i + 1];
        else if (!strcmp(argv[i], "--os"))
            osattr = argv[i + 1];
        else if (!strcmp(argv[i], "--time"))
            epoch_s = argv[i + 1];
        else if (!strcmp(argv[i], "--catos"))
            catos = argv[i + 1];
        else
            usage();
    }
    if (!out || !osattr || !epoch_s || i >= argc)
        usage();
    char *end;
    errno = 0;
    long long epoch = strtoll(epoch_s, &end, 10);
    /* UTCTime covers 1950-2049 only. */
    if (errno || *end || epoch < 0 || epoch >= 2524608000LL) {
        fprintf(stderr, "mkcat: --time %s is not a date between 1970 and 2049\n", epoch_s);
        return 2;
    }

    int n = argc - i;
    struct member *m = calloc((size_t)n, sizeof(*m));
    if (!m)
        return 1;
    for (int k = 0; k < n; k++)
        if (hash_member(&m[k], argv[i + k]))
            return 1;
    for (int a = 0; a < n; a++)
        for (int b = a + 1; b < n; b++)
            if (!strcmp(m[a].name, m[b].name)) {
                fprintf(stderr, "mkcat: member %s given twice\n", m[a].name);
                return 1;
            }

    struct cat_attrs ca = {0};
    if (catos) {
        const char *inf = NULL;
        for (int k = 0; k < n; k++) {
            size_t l = strlen(argv[i + k]);
            if (l > 4 && !strcasecmp(argv[i + k] + l - 4, ".inf")) {
                if (inf) {
                    fprintf(stderr, "mkcat: --catos needs exactly one .inf member\n");
                    return 1;
                }
                inf = argv[i + k];
            }
        }
        char err[512];
        if (!inf) {
            fprintf(stderr, "mkcat: --catos needs exactly one .inf member\n");
            return 1;
        }
        if (cat_attrs_from_inf(inf, catos, &ca, err, sizeof(err))) {
            fprintf(stderr, "mkcat: %s\n", err);
            return 1;
        }
    }

    /* trustedSubjects, sorted by encoding (and so by digest). */
    struct der_set subjects = {0};
    for (int k = 0; k < n; k++)
        subject(&subjects, &m[k]);
    struct der subj = {0};
    der_set_emit(&subj, DER_SEQUENCE, &subjects);

    /* The list identifier only has to be unique per content: the first 16
     * bytes of SHA-256 over the members and the OS attribute. */
    uint8_t id[32];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, subj.p, subj.len);
    EVP_DigestUpdate(md, osattr, strlen(osattr));
    EVP_DigestFinal_ex(md, id, NULL);
    EVP_MD_CTX_free(md);

    time_t t = (time_t)epoch;
    struct tm tm;
    char utc[16];
    gmtime_r(&t, &tm);
    strftime(utc, sizeof(utc), "%y%m%d%H%M%SZ", &tm);

    struct der ctl = {0}, tmp = {0};
    der_oid(&tmp, OID_CATALOG_LIST);
    der_wrap(&ctl, DER_SEQUENCE, &tmp);
    der_tlv(&ctl, DER_OCTETS, id, 16);
    der_tlv(&ctl, DER_UTCTIME, utc, strlen(utc));
    der_oid(&tmp, OID_CATALOG_MEMBER2);
    der_tlv(&tmp, DER_NULL, "", 0);
    der_wrap(&ctl, DER_SEQUENCE, &tmp);
    der_raw(&ctl, subj.p, subj.len);
    der_free(&subj);

    /* Catalog-wide attributes (OSAttr; with --catos also OS and HWIDn),
     * each a CTL extension. */
    struct der exts = {0};
    catalog_attr(&exts, "OSAttr", osattr);
    if (ca.os) {
        catalog_attr(&exts, "OS", ca.os);
        for (size_t h = 0; h < ca.nhwid; h++) {
            char tag[32];
            snprintf(tag, sizeof(tag), "HWID%zu", h + 1);
            catalog_attr(&exts, tag, ca.hwid[h]);
        }
    }
    cat_attrs_free(&ca);
    der_wrap(&tmp, DER_SEQUENCE, &exts);
    der_wrap(&ctl, DER_CTXC(0), &tmp);

    /* SignedData { 1, {}, { szOID_CTL, [0] CTL }, {} }: osslsigncode adds
     * the digest algorithm, certificates and signer later. */
    struct der encap = {0}, ctlseq = {0}, sd = {0}, ci = {0}, file = {0};
    der_wrap(&ctlseq, DER_SEQUENCE, &ctl);
    der_oid(&encap, OID_CTL);
    der_wrap(&encap, DER_CTXC(0), &ctlseq);
    der_uint(&sd, 1);
    der_tlv(&sd, DER_SET, "", 0);
    der_wrap(&sd, DER_SEQUENCE, &encap);
    der_tlv(&sd, DER_SET, "", 0);
    der_oid(&ci, OID_SIGNED_DATA);
    der_wrap(&tmp, DER_SEQUENCE, &sd);
    der_wrap(&ci, DER_CTXC(0), &tmp);
    der_wrap(&file, DER_SEQUENCE, &ci);

    int rc = write_file_atomic(out, file.p, file.len) ? 1 : 0;
    der_free(&file);
    free(m);
    return rc;
}
