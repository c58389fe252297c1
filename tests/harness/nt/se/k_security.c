/*
 * Security of device objects: who may open them, with which access.
 *
 * A device object's security descriptor comes from one of three places:
 *   - the default: "For most device types and characteristics, the default
 *     security descriptor gives full access (GENERIC_ALL) to
 *     administrators, and read, write, and execute access (GENERIC_READ |
 *     GENERIC_WRITE | GENERIC_EXECUTE) to everyone else." (Controlling
 *     Device Access, kernel/securing-device-objects); LocalSystem is an
 *     administrator here.  IoCreateDevice gives it to every device object.
 *   - the PnP manager, after AddDevice, from the device's Security
 *     property (an INF's HKR,,Security,,"<SDDL>" in its DDInstall.HW
 *     AddReg), applied "to every object in the device stack" (same page):
 *     vw_device_security stands for that registry value.
 *   - the driver: ObOpenObjectByPointer + ZwSetSecurityObject (or
 *     ObSetSecurityObjectByPointer) with a descriptor built by
 *     RtlCreateSecurityDescriptor, RtlCreateAcl, RtlAddAccessAllowedAce,
 *     RtlSetDaclSecurityDescriptor and SIDs from SeExports.
 *     IoCreateDeviceSecure lives in wdmsec.lib, a static library of the WDK
 *     that our toolchain does not have: it is not offered.
 * An open (IRP_MJ_CREATE) whose desired access the descriptor does not
 * grant to the process's token fails with STATUS_ACCESS_DENIED before the
 * driver sees it.  Supported: DACLs of access-allowed and access-denied
 * ACEs for the well-known SIDs below; generic rights are mapped with the
 * file object's generic mapping.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "process.h"
#include "vw_ntstatus.h"
#include "vw_security.h"

#define MAX_ACES    16
#define MAX_SECURED VW_MAX_OBJECTS
#define HANDLE_BASE 0x80000800u
#define MAX_HANDLES 8

/* The well-known SIDs the harness knows (and SDDL's names for them). */
enum sid { SID_SY, SID_BA, SID_BU, SID_WD, SID_AU, SID_LS, SID_NS, SID_IU, SID_COUNT, SID_OTHER };
static const struct {
    const char *sddl;
    uint8_t authority;
    uint8_t count;
    uint32_t sub[2];
} sids[SID_COUNT] = {
    [SID_SY] = {"SY", 5, 1, {18, 0}},   [SID_BA] = {"BA", 5, 2, {32, 544}},
    [SID_BU] = {"BU", 5, 2, {32, 545}}, [SID_WD] = {"WD", 1, 1, {0, 0}},
    [SID_AU] = {"AU", 5, 1, {11, 0}},   [SID_LS] = {"LS", 5, 1, {19, 0}},
    [SID_NS] = {"NS", 5, 1, {20, 0}},   [SID_IU] = {"IU", 5, 1, {4, 0}},
};

/* Which SIDs each token holds (LocalSystem is in BUILTIN\Administrators). */
static bool token_has(unsigned token, int sid)
{
    switch (sid) {
    case SID_WD:
    case SID_AU:
        return true;
    case SID_SY:
        return token == VW_TOKEN_SYSTEM;
    case SID_BA:
        return token == VW_TOKEN_SYSTEM || token == VW_TOKEN_ADMIN;
    case SID_BU:
    case SID_IU:
        return token != VW_TOKEN_SYSTEM;
    default:
        return false;
    }
}

struct ace {
    uint8_t type;
    uint32_t mask;
    int sid;
};

struct sd {
    unsigned count;
    struct ace aces[MAX_ACES];
    bool null_dacl; /* a DACL not present: everyone gets everything */
};

struct secured {
    gva_t device;
    struct sd sd;
    const char *source; /* "the driver", "the registry" */
};

struct vw_security {
    struct secured devices[MAX_SECURED];
    unsigned count;
    /* Per PDO: the SDDL of its Security property (vw_device_security). */
    struct {
        gva_t pdo;
        struct sd sd;
    } registry[8];
    unsigned registry_count;
    gva_t handles[MAX_HANDLES]; /* ObOpenObjectByPointer's kernel handles */
    gva_t exports;              /* SE_EXPORTS */
};

static struct vw_api_group security_group;

static struct vw_security *state(struct vm *vm)
{
    struct vw_security *s = vw_port_state(vm, &security_group, sizeof(*s));
    if (s == NULL)
        vw_fail(vm, "harness: no memory for the security state");
    return s;
}

static uint32_t map_generic(uint32_t mask)
{
    uint32_t m = mask & 0x0fffffffu;
    if (mask & VW_GENERIC_READ)
        m |= VW_FILE_GENERIC_READ;
    if (mask & VW_GENERIC_WRITE)
        m |= VW_FILE_GENERIC_WRITE;
    if (mask & VW_GENERIC_EXECUTE)
        m |= VW_FILE_GENERIC_EXECUTE;
    if (mask & VW_GENERIC_ALL)
        m |= VW_FILE_ALL_ACCESS;
    return m;
}

static void default_sd(struct sd *sd)
{
    *sd = (struct sd){.count = 3,
                      .aces = {{VW_ACCESS_ALLOWED_ACE_TYPE, VW_GENERIC_ALL, SID_SY},
                               {VW_ACCESS_ALLOWED_ACE_TYPE, VW_GENERIC_ALL, SID_BA},
                               {VW_ACCESS_ALLOWED_ACE_TYPE,
                                VW_GENERIC_READ | VW_GENERIC_WRITE | VW_GENERIC_EXECUTE, SID_WD}}};
}

static struct secured *find(struct vw_security *s, gva_t device)
{
    for (unsigned i = 0; i < s->count; i++)
        if (s->devices[i].device == device)
            return &s->devices[i];
    return NULL;
}

static void set_sd(struct vm *vm, gva_t device, const struct sd *sd, const char *source)
{
    struct vw_security *s = state(vm);
    if (s == NULL)
        return;
    struct secured *d = find(s, device);
    if (d == NULL) {
        if (s->count == MAX_SECURED) {
            vw_fail(vm, "harness: too many device security descriptors");
            return;
        }
        d = &s->devices[s->count++];
    }
    *d = (struct secured){.device = device, .sd = *sd, .source = source};
}

/* The DACL walk of an access check: each ACE in order, a deny of a
 * wanted right ends it, allows collect rights until all are granted. */
static bool check(const struct sd *sd, unsigned token, uint32_t desired)
{
    uint32_t want = map_generic(desired), got = 0;
    if (sd->null_dacl)
        return true;
    for (unsigned i = 0; i < sd->count && (want & ~got) != 0; i++) {
        const struct ace *a = &sd->aces[i];
        uint32_t mask = map_generic(a->mask);
        if (!token_has(token, a->sid))
            continue;
        if (a->type == VW_ACCESS_DENIED_ACE_TYPE && (mask & want & ~got))
            return false;
        if (a->type == VW_ACCESS_ALLOWED_ACE_TYPE)
            got |= mask & want;
    }
    return (want & ~got) == 0;
}

bool vw_security_access_check(struct vm *vm, gva_t device, unsigned token, uint32_t desired,
                              uint32_t *granted)
{
    struct vw_security *s = state(vm);
    struct secured *d = s != NULL ? find(s, device) : NULL;
    struct sd sd;
    if (d != NULL)
        sd = d->sd;
    else
        default_sd(&sd);
    *granted = map_generic(desired);
    return check(&sd, token, desired);
}

/* SDDL, the subset device objects use ("SDDL for Device Objects"):
 * "D:P" then "(A;;rights;;;SID)" (or D for deny), rights as GA GR GW GX
 * FA FR FW FX RC SD WD WO or 0x<hex>, SIDs as SY BA BU WD AU LS NS IU. */
static bool parse_rights(const char *p, size_t n, uint32_t *mask)
{
    static const struct {
        const char code[3];
        uint32_t mask;
    } codes[] = {{"GA", VW_GENERIC_ALL},        {"GR", VW_GENERIC_READ},
                 {"GW", VW_GENERIC_WRITE},      {"GX", VW_GENERIC_EXECUTE},
                 {"FA", VW_FILE_ALL_ACCESS},    {"FR", VW_FILE_GENERIC_READ},
                 {"FW", VW_FILE_GENERIC_WRITE}, {"FX", VW_FILE_GENERIC_EXECUTE},
                 {"RC", 0x00020000u},           {"SD", 0x00010000u},
                 {"WD", 0x00040000u},           {"WO", 0x00080000u}};
    *mask = 0;
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        char buf[16];
        if (n - 2 >= sizeof(buf))
            return false;
        memcpy(buf, p + 2, n - 2);
        buf[n - 2] = 0;
        char *end;
        *mask = (uint32_t)strtoul(buf, &end, 16);
        return *end == 0;
    }
    if (n == 0 || n % 2 != 0)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        size_t c = 0;
        while (c < sizeof(codes) / sizeof(codes[0]) && strncmp(codes[c].code, p + i, 2) != 0)
            c++;
        if (c == sizeof(codes) / sizeof(codes[0]))
            return false;
        *mask |= codes[c].mask;
    }
    return true;
}

static bool parse_sddl(const char *sddl, struct sd *sd)
{
    memset(sd, 0, sizeof(*sd));
    if (strncmp(sddl, "D:", 2) != 0)
        return false;
    const char *p = sddl + 2;
    while (*p == 'P' || *p == 'A' || *p == 'I') /* protected / auto-inherit flags */
        p++;
    while (*p == '(') {
        const char *end = strchr(p, ')');
        const char *field[6];
        size_t len[6];
        unsigned n = 0;
        if (end == NULL || sd->count == MAX_ACES)
            return false;
        for (const char *f = p + 1; n < 6; n++) {
            const char *semi = memchr(f, ';', (size_t)(end - f));
            field[n] = f;
            len[n] = (size_t)((semi != NULL ? semi : end) - f);
            if (semi == NULL) {
                n++;
                break;
            }
            f = semi + 1;
        }
        if (n != 6 || len[0] != 1 || (field[0][0] != 'A' && field[0][0] != 'D') || len[5] != 2)
            return false;
        struct ace *a = &sd->aces[sd->count];
        a->type = field[0][0] == 'A' ? VW_ACCESS_ALLOWED_ACE_TYPE : VW_ACCESS_DENIED_ACE_TYPE;
        if (!parse_rights(field[2], len[2], &a->mask))
            return false;
        a->sid = SID_OTHER;
        for (int i = 0; i < SID_COUNT; i++)
            if (strncmp(sids[i].sddl, field[5], 2) == 0)
                a->sid = i;
        if (a->sid == SID_OTHER)
            return false;
        sd->count++;
        p = end + 1;
    }
    return *p == 0;
}

bool vw_device_security(struct vm *vm, gva_t pdo, const char *sddl)
{
    struct vw_security *s = state(vm);
    struct sd sd;
    if (s == NULL)
        return false;
    if (!parse_sddl(sddl, &sd)) {
        vw_fail(vm, "scenario: SDDL \"%s\" is not in the supported subset", sddl);
        return false;
    }
    if (s->registry_count == sizeof(s->registry) / sizeof(s->registry[0])) {
        vw_fail(vm, "harness: too many device Security values");
        return false;
    }
    s->registry[s->registry_count].pdo = pdo;
    s->registry[s->registry_count++].sd = sd;
    return true;
}

void vw_security_apply_stack(struct vm *vm, gva_t pdo)
{
    struct vw_security *s = state(vm);
    for (unsigned i = 0; s != NULL && i < s->registry_count; i++)
        if (s->registry[i].pdo == pdo)
            for (gva_t d = pdo; d != 0 && !vm->failed;
                 d = vw_rdptr(vm, d + VW_OFFSET(vm, DEVICE_OBJECT, AttachedDevice)))
                set_sd(vm, d, &s->registry[i].sd, "the registry");
}

/* Guest SIDs: S-1-<authority>-<sub>... as the SID structure stores it. */
static int read_sid(struct vm *vm, gva_t sid)
{
    uint8_t b[8 + 4 * 2];
    if (sid == 0 || !vw_read(vm, sid, b, 8))
        return -1;
    if (b[0] != 1 || b[1] > 15)
        return -1;
    unsigned count = b[1];
    if (count > 2)
        return SID_OTHER;
    if (count > 0 && !vw_read(vm, sid + 8, b + 8, 4ull * count))
        return -1;
    for (int i = 0; i < SID_COUNT; i++) {
        if (sids[i].count != count || b[7] != sids[i].authority || b[2] || b[3] || b[4] || b[5] ||
            b[6])
            continue;
        bool same = true;
        for (unsigned j = 0; j < count; j++) {
            uint32_t v;
            memcpy(&v, b + 8 + 4 * j, 4);
            same = same && v == sids[i].sub[j];
        }
        if (same)
            return i;
    }
    return SID_OTHER;
}

static gva_t write_sid(struct vm *vm, int i)
{
    gva_t sid = vw_kalloc(vm, 8 + 4ull * sids[i].count);
    uint8_t b[16] = {1, sids[i].count, 0, 0, 0, 0, 0, sids[i].authority};
    memcpy(b + 8, sids[i].sub, 4ull * sids[i].count);
    vw_write(vm, sid, b, 8 + 4ull * sids[i].count);
    return sid;
}

/* SE_EXPORTS: 23 privilege LUIDs, then SID pointers from SeNullSid on
 * (ntifs.h); after SeAnonymousLogonSid come 3 more LUIDs, then
 * SeLocalServiceSid and SeNetworkServiceSid. */
gva_t vw_security_exports(struct vm *vm)
{
    struct vw_security *s = state(vm);
    if (s == NULL)
        return 0;
    if (s->exports == 0) {
        unsigned ps = vm->ptr_size;
        gva_t sids_at = 23 * 8;
        /* The SIDs our drivers read sit where the layout table (pinned to
         * the documented declaration) says: SeNullSid's index + 10, 11, 12. */
        if (VW_OFFSET(vm, SE_EXPORTS, SeLocalSystemSid) != sids_at + 10 * ps ||
            VW_OFFSET(vm, SE_EXPORTS, SeAliasAdminsSid) != sids_at + 11 * ps ||
            VW_OFFSET(vm, SE_EXPORTS, SeAliasUsersSid) != sids_at + 12 * ps) {
            vw_fail(vm, "harness bug: SE_EXPORTS slots disagree with the layout table");
            return 0;
        }
        s->exports = vw_kalloc(vm, 0x400);
        static const struct {
            unsigned index;
            int sid;
        } slots[] = {{1, SID_WD},  {9, SID_IU},  {10, SID_SY},
                     {11, SID_BA}, {12, SID_BU}, {19, SID_AU}};
        for (unsigned i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
            vw_wrptr(vm, s->exports + sids_at + ps * slots[i].index, write_sid(vm, slots[i].sid));
        gva_t after = sids_at + ps * 22 + 3 * 8;
        vw_wrptr(vm, s->exports + after, write_sid(vm, SID_LS));
        vw_wrptr(vm, s->exports + after + ps, write_sid(vm, SID_NS));
    }
    return s->exports;
}

/* Absolute SECURITY_DESCRIPTOR: Revision, Sbz1, Control, then Owner,
 * Group, Sacl, Dacl pointers (offsets from the layout table). */
static gva_t sd_dacl_slot(struct vm *vm, gva_t sd)
{
    return sd + VW_OFFSET(vm, SECURITY_DESCRIPTOR, Dacl);
}

/* (SecurityDescriptor, Revision) */
static void RtlCreateSecurityDescriptor(struct vm *vm, const struct vw_api *api)
{
    gva_t sd = vw_arg(vm, api, 0);
    if ((uint32_t)vw_arg(vm, api, 1) != 1) {
        vw_set_return(vm, VW_STATUS_UNKNOWN_REVISION);
        return;
    }
    uint8_t zero[64] = {1};
    uint64_t size = VW_SIZEOF(vm, SECURITY_DESCRIPTOR);
    vw_write(vm, sd, zero, size < sizeof(zero) ? size : sizeof(zero));
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* (SecurityDescriptor, DaclPresent, Dacl, DaclDefaulted) */
static void RtlSetDaclSecurityDescriptor(struct vm *vm, const struct vw_api *api)
{
    gva_t sd = vw_arg(vm, api, 0);
    bool present = vw_arg(vm, api, 1) & 0xff, defaulted = vw_arg(vm, api, 3) & 0xff;
    unsigned control = (unsigned)vw_rd(vm, sd + VW_OFFSET(vm, SECURITY_DESCRIPTOR, Control), 2);
    if (vw_rd(vm, sd, 1) != 1 || (control & VW_SE_SELF_RELATIVE)) {
        vw_set_return(vm, VW_STATUS_UNKNOWN_REVISION);
        return;
    }
    control &= ~(VW_SE_DACL_PRESENT | 0x0008u);
    if (present)
        control |= VW_SE_DACL_PRESENT | (defaulted ? 0x0008u : 0);
    vw_wr(vm, sd + VW_OFFSET(vm, SECURITY_DESCRIPTOR, Control), control, 2);
    vw_wrptr(vm, sd_dacl_slot(vm, sd), present ? vw_arg(vm, api, 2) : 0);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* (Acl, AclLength, AclRevision): ACL header {Revision, Sbz1, AclSize,
 * AceCount, Sbz2}. */
static void RtlCreateAcl(struct vm *vm, const struct vw_api *api)
{
    gva_t acl = vw_arg(vm, api, 0);
    uint32_t len = (uint32_t)vw_arg(vm, api, 1), rev = (uint32_t)vw_arg(vm, api, 2);
    if (len < 8 || len > 0xffff) {
        vw_set_return(vm, VW_STATUS_BUFFER_TOO_SMALL);
        return;
    }
    if (rev != 2 && rev != 4) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER_3);
        return;
    }
    uint8_t h[8] = {(uint8_t)rev, 0, (uint8_t)len, (uint8_t)(len >> 8), 0, 0, 0, 0};
    vw_write(vm, acl, h, 8);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* (Sid) */
static void RtlLengthSid(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, 8 + 4 * vw_rd(vm, vw_arg(vm, api, 0) + 1, 1));
}

/* The first free byte of ACL (after its ACEs), or 0 when malformed. */
static uint32_t acl_used(struct vm *vm, gva_t acl, uint32_t *size, unsigned *count)
{
    *size = (uint32_t)vw_rd(vm, acl + 2, 2);
    *count = (unsigned)vw_rd(vm, acl + 4, 2);
    uint32_t off = 8;
    for (unsigned i = 0; i < *count; i++) {
        uint32_t ace = (uint32_t)vw_rd(vm, acl + off + 2, 2);
        if (ace < 8 || off + ace > *size)
            return 0;
        off += ace;
    }
    return off;
}

static void add_ace(struct vm *vm, const struct vw_api *api, uint8_t type)
{
    gva_t acl = vw_arg(vm, api, 0), sid = vw_arg(vm, api, 3);
    uint32_t mask = (uint32_t)vw_arg(vm, api, 2), size;
    unsigned count;
    if (read_sid(vm, sid) < 0) {
        vw_set_return(vm, VW_STATUS_INVALID_SID);
        return;
    }
    uint32_t off = acl_used(vm, acl, &size, &count);
    uint32_t sid_len = 8 + 4 * (uint32_t)vw_rd(vm, sid + 1, 1), ace_len = 8 + sid_len;
    if (off == 0) {
        vw_set_return(vm, VW_STATUS_INVALID_ACL);
        return;
    }
    if (off + ace_len > size) {
        vw_set_return(vm, VW_STATUS_ALLOTTED_SPACE_EXCEEDED);
        return;
    }
    uint8_t h[8] = {type, 0, (uint8_t)ace_len, (uint8_t)(ace_len >> 8)};
    memcpy(h + 4, &mask, 4);
    uint8_t sidb[8 + 4 * 15];
    vw_read(vm, sid, sidb, sid_len);
    vw_write(vm, acl + off, h, 8);
    vw_write(vm, acl + off + 8, sidb, sid_len);
    vw_wr(vm, acl + 4, count + 1, 2);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

/* (Acl, AceRevision, AccessMask, Sid) */
static void RtlAddAccessAllowedAce(struct vm *vm, const struct vw_api *api)
{
    add_ace(vm, api, VW_ACCESS_ALLOWED_ACE_TYPE);
}

static void RtlAddAccessDeniedAce(struct vm *vm, const struct vw_api *api)
{
    add_ace(vm, api, VW_ACCESS_DENIED_ACE_TYPE);
}

/* A driver's descriptor into the harness's form; false if malformed. */
static bool read_sd(struct vm *vm, gva_t sdp, struct sd *sd)
{
    memset(sd, 0, sizeof(*sd));
    unsigned control = (unsigned)vw_rd(vm, sdp + 2, 2);
    if (vw_rd(vm, sdp, 1) != 1 || (control & VW_SE_SELF_RELATIVE))
        return false; /* the harness reads absolute descriptors only */
    gva_t acl = vw_rdptr(vm, sd_dacl_slot(vm, sdp));
    if (!(control & VW_SE_DACL_PRESENT) || acl == 0) {
        sd->null_dacl = true;
        return true;
    }
    uint32_t size;
    unsigned count;
    if (acl_used(vm, acl, &size, &count) == 0 || count > MAX_ACES)
        return false;
    uint32_t off = 8;
    for (unsigned i = 0; i < count; i++) {
        struct ace *a = &sd->aces[sd->count++];
        a->type = (uint8_t)vw_rd(vm, acl + off, 1);
        a->mask = (uint32_t)vw_rd(vm, acl + off + 4, 4);
        a->sid = read_sid(vm, acl + off + 8);
        if (a->sid < 0 || a->type > VW_ACCESS_DENIED_ACE_TYPE)
            return false;
        off += (uint32_t)vw_rd(vm, acl + off + 2, 2);
    }
    return true;
}

static uint32_t set_from_driver(struct vm *vm, gva_t device, uint32_t info, gva_t sdp)
{
    struct sd sd;
    if (!(info & VW_DACL_SECURITY_INFORMATION))
        return VW_STATUS_SUCCESS; /* owner/group/SACL: not modelled */
    if (!read_sd(vm, sdp, &sd))
        return VW_STATUS_INVALID_SECURITY_DESCR;
    set_sd(vm, device, &sd, "the driver");
    return VW_STATUS_SUCCESS;
}

/* (Object, SecurityInformation, SecurityDescriptor) */
static void ObSetSecurityObjectByPointer(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, set_from_driver(vm, vw_arg(vm, api, 0), (uint32_t)vw_arg(vm, api, 1),
                                      vw_arg(vm, api, 2)));
}

/* (Object, HandleAttributes, PassedAccessState, DesiredAccess, ObjectType,
 * AccessMode, Handle): kernel handles to device objects. */
static void ObOpenObjectByPointer(struct vm *vm, const struct vw_api *api)
{
    struct vw_security *s = state(vm);
    gva_t object = vw_arg(vm, api, 0), out = vw_arg(vm, api, 6);
    if (s == NULL)
        return;
    for (unsigned i = 0; i < MAX_HANDLES; i++)
        if (s->handles[i] == 0) {
            s->handles[i] = object;
            vw_wrptr(vm, out, HANDLE_BASE + 4ull * i);
            vw_set_return(vm, VW_STATUS_SUCCESS);
            return;
        }
    vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
}

static gva_t by_handle(struct vw_security *s, uint64_t handle)
{
    uint64_t i = (handle - HANDLE_BASE) / 4;
    if (s == NULL || handle < HANDLE_BASE || handle % 4 != 0 || i >= MAX_HANDLES)
        return 0;
    return s->handles[i];
}

/* (Handle, SecurityInformation, SecurityDescriptor) */
static void ZwSetSecurityObject(struct vm *vm, const struct vw_api *api)
{
    gva_t object = by_handle(state(vm), vw_arg(vm, api, 0));
    if (object == 0) {
        vw_set_return(vm, VW_STATUS_INVALID_HANDLE);
        return;
    }
    vw_set_return(vm,
                  set_from_driver(vm, object, (uint32_t)vw_arg(vm, api, 1), vw_arg(vm, api, 2)));
}

bool vw_security_close_handle(struct vm *vm, uint64_t handle)
{
    struct vw_security *s = state(vm);
    if (by_handle(s, handle) == 0)
        return false;
    s->handles[(handle - HANDLE_BASE) / 4] = 0;
    return true;
}

static unsigned report_leaks(struct vm *vm)
{
    struct vw_security *s = vm->k->port_state[security_group.slot];
    unsigned n = 0;
    for (unsigned i = 0; s != NULL && i < MAX_HANDLES; i++)
        if (s->handles[i] != 0) {
            vw_log(vm, "leak: handle 0x%x from ObOpenObjectByPointer never closed",
                   HANDLE_BASE + 4 * i);
            n++;
        }
    return n;
}

const char *vw_security_source(struct vm *vm, gva_t device)
{
    struct vw_security *s = state(vm);
    struct secured *d = s != NULL ? find(s, device) : NULL;
    return d != NULL ? d->source : "the default: no security descriptor set,";
}

#define ALL VW_ALL_ARCHES
#define P   VW_PASSIVE_LEVEL
#define A   VW_APC_LEVEL
#define H   VW_HIGH_LEVEL
static const struct vw_api apis[] = {
    {"RtlCreateSecurityDescriptor", ALL, VW_STDCALL, 2, 0, H, RtlCreateSecurityDescriptor},
    {"RtlSetDaclSecurityDescriptor", ALL, VW_STDCALL, 4, 0, H, RtlSetDaclSecurityDescriptor},
    {"RtlCreateAcl", ALL, VW_STDCALL, 3, 0, A, RtlCreateAcl},
    {"RtlLengthSid", ALL, VW_STDCALL, 1, 0, A, RtlLengthSid},
    {"RtlAddAccessAllowedAce", ALL, VW_STDCALL, 4, 0, A, RtlAddAccessAllowedAce},
    {"RtlAddAccessDeniedAce", ALL, VW_STDCALL, 4, 0, A, RtlAddAccessDeniedAce},
    {"ObSetSecurityObjectByPointer", ALL, VW_STDCALL, 3, 0, P, ObSetSecurityObjectByPointer},
    {"ObOpenObjectByPointer", ALL, VW_STDCALL, 7, 0, P, ObOpenObjectByPointer},
    {"ZwSetSecurityObject", ALL, VW_STDCALL, 3, 0, P, ZwSetSecurityObject},
    {"SeExports", ALL, VW_DATA, 0, 0, H, vw_DataImportCalled},
};
VW_API_GROUP(security, apis, .report_leaks = report_leaks);
