/*
 * rss.c - receive side scaling: the capabilities in the general attributes,
 * OID_GEN_RECEIVE_SCALE_PARAMETERS (checked by nk_rss, built in the spare
 * map and published: the data path reads the published map without a
 * lock and never a half-written one, nk_rss_pub.c says why), each
 * received frame's hash (the device's report with HASH_REPORT, else
 * Toeplitz in the driver) into the NBL, and the frame handed to the DPC of
 * the processor the indirection table names.  With VIRTIO_NET_F_RSS the
 * device gets the table too (CTRL_MQ_RSS_CONFIG), each entry mapped to the
 * pair whose interrupt runs on that processor, so frames mostly arrive
 * where they belong; with HASH_REPORT alone it gets the key and types
 * (CTRL_MQ_HASH_CONFIG).  Facts: Microsoft's "Receive Side Scaling",
 * NDIS_RECEIVE_SCALE_CAPABILITIES / _PARAMETERS and the NBL hash macros;
 * virtio 1.2 5.1.6.5.7 (automatic receive steering).
 *
 * Per received NBL: MiniportReserved[1] is the target processor index + 1
 * (0: indicate where it arrived).
 */
#include "netkvm.h"

#define NK_RSS_TARGET(nbl)    ((ULONG)(ULONG_PTR)(nbl)->MiniportReserved[1])
#define NK_RSS_SPARE_BOUND_US 100000u /* a set waits for the spare map 100 ms at most */

/* A set's wait for the spare map */
typedef struct _NK_RSS_SPARE {
    struct nk_rss_pub *Pub;
    struct nk_rss_map *Map;
} NK_RSS_SPARE;

/* IRQL <= DISPATCH_LEVEL. NkPoll's test: no reader left in the spare map. */
static BOOLEAN NkRssSpareFree(PVOID ctx)
{
    NK_RSS_SPARE *sp = (NK_RSS_SPARE *)ctx;
    sp->Map = nk_rss_write_begin(sp->Pub);
    return sp->Map != NULL;
}

/* IRQL: DISPATCH_LEVEL. a processor's DPC: indicate what waits for it. */
static VOID NTAPI NkRssCpuDpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    PNK_RSS_CPU c = (PNK_RSS_CPU)Context;
    PNK_ADAPTER a = c->Adapter;
    (void)Dpc, (void)Arg1, (void)Arg2;
    NdisDprAcquireSpinLock(&c->Lock);
    PNET_BUFFER_LIST head = c->Head;
    ULONG n = c->Count;
    c->Head = c->Tail = NULL;
    c->Count = 0;
    NdisDprReleaseSpinLock(&c->Lock);
    if (head == NULL)
        return;
    if (a->State != NK_RUNNING) {
        /* Counted in RxOut when they arrived: returning them lets a pause finish */
        NK_ADD64(&a->Stats.RxDiscards, n);
        NkReturn(a, head, NDIS_RETURN_FLAGS_DISPATCH_LEVEL);
        return;
    }
    NkRxCount(a, head);
    NdisMIndicateReceiveNetBufferLists(a->Handle, head, NDIS_DEFAULT_PORT_NUMBER, n,
                                       NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
}

/* IRQL: PASSIVE_LEVEL. the capabilities NDIS reads from the general attributes. */
static void NkRssFillCaps(PNK_ADAPTER a)
{
    NDIS_RECEIVE_SCALE_CAPABILITIES *c = &a->Rss.Caps;
    RtlZeroMemory(c, sizeof(*c));
    NK_HEADER(c->Header, NDIS_OBJECT_TYPE_RSS_CAPABILITIES,
              NDIS_RECEIVE_SCALE_CAPABILITIES_REVISION_2,
              NDIS_SIZEOF_RECEIVE_SCALE_CAPABILITIES_REVISION_2);
    /* Toeplitz, classified in the DPC; IPv4 and IPv6 hashing are implied */
    c->CapabilitiesFlags = NdisHashFunctionToeplitz | NDIS_RSS_CAPS_CLASSIFICATION_AT_DPC |
                           NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV4 | NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6 |
                           NDIS_RSS_CAPS_HASH_TYPE_TCP_IPV6_EX | NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV4 |
                           NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6 | NDIS_RSS_CAPS_HASH_TYPE_UDP_IPV6_EX;
    if (a->Messages != 0)
        c->CapabilitiesFlags |= NDIS_RSS_CAPS_MESSAGE_SIGNALED_INTERRUPTS |
                                NDIS_RSS_CAPS_SUPPORTS_MSI_X | NDIS_RSS_CAPS_USING_MSI_X;
    c->NumberOfInterruptMessages = a->Messages;
    c->NumberOfReceiveQueues = a->Pairs;
    c->NumberOfIndirectionTableEntries = NK_RSS_MAX_ITABLE;
}

/* IRQL: PASSIVE_LEVEL. per-processor receive paths and the capabilities,
 * when *RSS is on; after the device started (pairs and features known). */
NDIS_STATUS NkRssInit(PNK_ADAPTER a)
{
    NK_RSS *r = &a->Rss;
    r->Offered = a->Params.value[NK_P_RSS] != 0;
    r->Device = (a->Features & NK_BIT(VIRTIO_NET_F_RSS)) != 0 && a->Cfg.rss_key_max != 0;
    r->Report =
        (a->Features & NK_BIT(VIRTIO_NET_F_HASH_REPORT)) != 0 && a->HdrLen >= NK_HDR_LEN_HASH;
    if (!r->Offered)
        return NDIS_STATUS_SUCCESS;
    ULONG cpus = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    if (cpus > NK_RSS_MAX_CPUS)
        cpus = NK_RSS_MAX_CPUS;
    r->Numbers = VwNdisAlloc(&a->V, cpus * sizeof(PROCESSOR_NUMBER));
    r->Cpu = VwNdisAlloc(&a->V, cpus * sizeof(NK_RSS_CPU));
    if (r->Numbers == NULL || r->Cpu == NULL)
        return NDIS_STATUS_RESOURCES;
    r->Cpus = cpus;
    for (ULONG i = 0; i < cpus; i++) {
        PNK_RSS_CPU c = &r->Cpu[i];
        c->Adapter = a;
        NdisAllocateSpinLock(&c->Lock);
        KeInitializeDpc(&c->Dpc, NkRssCpuDpc, c);
        if (NT_SUCCESS(KeGetProcessorNumberFromIndex(i, &r->Numbers[i])))
            KeSetTargetProcessorDpcEx(&c->Dpc, &r->Numbers[i]);
    }
    NkRssFillCaps(a);
    NK_LOG(a, NK_LOG_ERR, "netkvm: RSS offered: %lu receive queues, %lu processors%s%s\n", a->Pairs,
           cpus, r->Device ? ", device RSS" : "", r->Report ? ", hash reports" : "");
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. after the interrupts are gone: no DPC left running. */
void NkRssFree(PNK_ADAPTER a)
{
    NK_RSS *r = &a->Rss;
    if (r->Cpu == NULL && r->Numbers == NULL)
        return;
    KeFlushQueuedDpcs();
    for (ULONG i = 0; r->Cpu != NULL && i < r->Cpus; i++)
        NdisFreeSpinLock(&r->Cpu[i].Lock);
    VwNdisFree(r->Cpu, r->Cpus * sizeof(NK_RSS_CPU));
    VwNdisFree(r->Numbers, r->Cpus * sizeof(PROCESSOR_NUMBER));
    r->Cpu = NULL;
    r->Numbers = NULL;
    r->Cpus = 0;
}

/* IRQL: PASSIVE_LEVEL. the general attributes' RecvScaleCapabilities (NULL: no RSS). */
PNDIS_RECEIVE_SCALE_CAPABILITIES NkRssCapabilities(PNK_ADAPTER a)
{
    return a->Rss.Offered && a->Rss.Cpu != NULL ? &a->Rss.Caps : NULL;
}

/* IRQL: PASSIVE_LEVEL. tell the device the map (RSS) or the key and types
 * (hash reports), within its limits; FALSE when it refused or cannot. */
static BOOLEAN NkRssProgram(PNK_ADAPTER a, const struct nk_rss_map *m)
{
    struct nk_ctrl_cmd c;
    struct nk_rss_map dm = *m;
    size_t n = 0;
    if (!a->Rss.Device && !a->Rss.Report)
        return TRUE;
    /* Types the device cannot hash stay with the driver's Toeplitz */
    dm.hash_types = nk_rss_types_within(m->hash_types, a->Cfg.hash_types);
    if (dm.hash_types == 0)
        dm.enabled = false;
    RtlZeroMemory(&c, sizeof(c));
    c.class_ = VIRTIO_NET_CTRL_MQ;
    if (a->Rss.Device) {
        c.cmd = VIRTIO_NET_CTRL_MQ_RSS_CONFIG;
        n = nk_rss_virtio_config(&dm, (uint16_t)a->ActivePairs, a->Cfg.rss_table_max,
                                 a->Cfg.rss_key_max, a->Cfg.hash_types, c.data, sizeof(c.data));
    } else {
        c.cmd = VIRTIO_NET_CTRL_MQ_HASH_CONFIG;
        n = nk_rss_virtio_hash_config(&dm, a->Cfg.rss_key_max, a->Cfg.hash_types, c.data,
                                      sizeof(c.data));
    }
    if (n == 0) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: the RSS configuration does not fit the device's limits\n");
        return FALSE;
    }
    c.len = (uint16_t)n;
    return NkCtrlSend(a, &c);
}

/* IRQL: PASSIVE_LEVEL. the processor index of a group and number (Cpus: not active). */
static ULONG NkRssIndexOf(PNK_ADAPTER a, const PROCESSOR_NUMBER *pn)
{
    for (ULONG i = 0; i < a->Rss.Cpus; i++)
        if (a->Rss.Numbers[i].Group == pn->Group && a->Rss.Numbers[i].Number == pn->Number)
            return i;
    return a->Rss.Cpus;
}

/* IRQL: PASSIVE_LEVEL. the indirection table of a request into tbl/n
 * (revision 1: CPU numbers after BaseCpuNumber in group 0; 2 and later:
 * PROCESSOR_NUMBER); FALSE when it lies outside the buffer. */
static BOOLEAN NkRssReadTable(const NDIS_RECEIVE_SCALE_PARAMETERS *p, const UCHAR *buf, ULONG len,
                              PROCESSOR_NUMBER *tbl, USHORT *n)
{
    ULONG esz = p->Header.Revision >= NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2
                    ? sizeof(PROCESSOR_NUMBER)
                    : 1;
    ULONG64 end = (ULONG64)p->IndirectionTableOffset + p->IndirectionTableSize;
    if (p->IndirectionTableSize % esz || p->IndirectionTableSize / esz > NK_RSS_MAX_ITABLE ||
        (p->IndirectionTableSize && end > len))
        return FALSE;
    *n = (USHORT)(p->IndirectionTableSize / esz);
    for (USHORT i = 0; i < *n; i++) {
        const UCHAR *e = buf + p->IndirectionTableOffset + (ULONG)i * esz;
        RtlZeroMemory(&tbl[i], sizeof(tbl[i]));
        if (esz == 1) {
            tbl[i].Number = (UCHAR)(p->BaseCpuNumber + e[0]);
        } else {
            RtlCopyMemory(&tbl[i], e, sizeof(tbl[i]));
            tbl[i].Reserved = 0;
        }
    }
    return TRUE;
}

/* IRQL: PASSIVE_LEVEL. OID_GEN_RECEIVE_SCALE_PARAMETERS set: header, key
 * length, table size and every processor checked; the map built off to
 * the side and swapped in; a bad request changes nothing. */
NDIS_STATUS NkRssSetParameters(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    const UCHAR *buf = r->DATA.SET_INFORMATION.InformationBuffer;
    ULONG len = r->DATA.SET_INFORMATION.InformationBufferLength;
    NK_RSS *s = &a->Rss;
    NDIS_RECEIVE_SCALE_PARAMETERS p;
    PROCESSOR_NUMBER *tbl = s->NextTable;
    uint16_t *cpus = s->NextCpus;
    struct nk_rss_map *m;
    UCHAR key[NK_RSS_KEY_BYTES];
    USHORT n = s->Entries;
    if (NkRssCapabilities(a) == NULL)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (len < NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_1) {
        r->DATA.SET_INFORMATION.BytesNeeded = NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_1;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    RtlZeroMemory(&p, sizeof(p));
    RtlCopyMemory(&p, buf, len < sizeof(p) ? len : sizeof(p));
    if (p.Header.Type != NDIS_OBJECT_TYPE_RSS_PARAMETERS ||
        p.Header.Revision < NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_1 ||
        p.Header.Size < NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_1 || p.Header.Size > len ||
        (p.Header.Revision >= NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2 &&
         p.Header.Size < NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_2))
        return NDIS_STATUS_INVALID_PARAMETER;
    ULONG info = (p.Flags & NDIS_RSS_PARAM_FLAG_HASH_INFO_UNCHANGED) ? s->HashInformation
                                                                     : p.HashInformation;
    BOOLEAN off =
        (p.Flags & NDIS_RSS_PARAM_FLAG_DISABLE_RSS) != 0 || (info & NDIS_HASH_FUNCTION_MASK) == 0;
    RtlCopyMemory(tbl, s->Table, sizeof(s->Table));
    RtlCopyMemory(key, s->Key, sizeof(key));
    if (!(p.Flags & NDIS_RSS_PARAM_FLAG_ITABLE_UNCHANGED) && !NkRssReadTable(&p, buf, len, tbl, &n))
        return NDIS_STATUS_INVALID_PARAMETER;
    if (!(p.Flags & NDIS_RSS_PARAM_FLAG_HASH_KEY_UNCHANGED) && (p.HashSecretKeySize || !off)) {
        ULONG64 end = (ULONG64)p.HashSecretKeyOffset + p.HashSecretKeySize;
        if (p.HashSecretKeySize != NK_RSS_KEY_BYTES || end > len)
            return NDIS_STATUS_INVALID_PARAMETER;
        RtlCopyMemory(key, buf + p.HashSecretKeyOffset, NK_RSS_KEY_BYTES);
    }
    /* The spare map, once no frame's classification is inside it any more
     * (a reader holds it for one frame: microseconds) */
    NK_RSS_SPARE spare = {&s->Pub, NULL};
    if (!NkPoll(NkRssSpareFree, &spare, NK_RSS_SPARE_BOUND_US)) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: RSS map still in use after %u us; parameters not set\n",
               NK_RSS_SPARE_BOUND_US);
        return NDIS_STATUS_RESOURCES;
    }
    m = spare.Map;
    if (off) {
        m->enabled = false;
    } else {
        for (USHORT i = 0; i < n; i++) {
            ULONG ix = NkRssIndexOf(a, &tbl[i]);
            if (ix >= s->Cpus) {
                NK_LOG(a, NK_LOG_ERR,
                       "netkvm: RSS table entry %u names processor %u:%u, not active\n", i,
                       tbl[i].Group, tbl[i].Number);
                return NDIS_STATUS_INVALID_PARAMETER;
            }
            cpus[i] = (uint16_t)ix;
        }
        uint16_t queues = (uint16_t)(a->Pairs < NK_RSS_MAX_QUEUES ? a->Pairs : NK_RSS_MAX_QUEUES);
        int rc = nk_rss_configure(m, info, key, sizeof(key), cpus, n, queues);
        if (rc != NK_RSS_OK) {
            NK_LOG(a, NK_LOG_ERR, "netkvm: RSS parameters refused (%d)\n", rc);
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        nk_rss_queues_by_cpu(m, queues);
    }
    nk_rss_publish(&s->Pub);
    s->HashInformation = off ? 0 : info;
    s->Flags = off ? NDIS_RSS_PARAM_FLAG_DISABLE_RSS : 0;
    s->BaseCpu = p.BaseCpuNumber;
    s->Entries = n;
    RtlCopyMemory(s->Table, tbl, sizeof(s->Table));
    RtlCopyMemory(s->Key, key, sizeof(key));
    if (!NkRssProgram(a, m))
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: the device did not take the RSS configuration; hashing in the driver\n");
    r->DATA.SET_INFORMATION.BytesRead = len;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. OID_GEN_RECEIVE_SCALE_PARAMETERS query: revision 2,
 * the table (PROCESSOR_NUMBER) and the key after the structure. */
NDIS_STATUS NkRssQueryParameters(PNK_ADAPTER a, PNDIS_OID_REQUEST r)
{
    NK_RSS *s = &a->Rss;
    ULONG head = NDIS_SIZEOF_RECEIVE_SCALE_PARAMETERS_REVISION_2;
    ULONG tbytes = s->Entries * (ULONG)sizeof(PROCESSOR_NUMBER);
    ULONG need = head + tbytes + NK_RSS_KEY_BYTES;
    if (NkRssCapabilities(a) == NULL)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < need) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = need;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    PUCHAR out = r->DATA.QUERY_INFORMATION.InformationBuffer;
    NDIS_RECEIVE_SCALE_PARAMETERS p;
    RtlZeroMemory(&p, sizeof(p));
    NK_HEADER(p.Header, NDIS_OBJECT_TYPE_RSS_PARAMETERS, NDIS_RECEIVE_SCALE_PARAMETERS_REVISION_2,
              (USHORT)head);
    p.Flags = s->Flags;
    p.BaseCpuNumber = s->BaseCpu;
    p.HashInformation = s->HashInformation;
    p.IndirectionTableSize = (USHORT)tbytes;
    p.IndirectionTableOffset = head;
    p.HashSecretKeySize = NK_RSS_KEY_BYTES;
    p.HashSecretKeyOffset = head + tbytes;
    RtlCopyMemory(out, &p, head);
    RtlCopyMemory(out + head, s->Table, tbytes);
    RtlCopyMemory(out + head + tbytes, s->Key, NK_RSS_KEY_BYTES);
    r->DATA.QUERY_INFORMATION.BytesWritten = need;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: DISPATCH_LEVEL. the frame's bytes from where its data starts
 * (NB's current MDL and offset), up to 4 buffers: enough for every header. */
static size_t NkRssSegs(PNET_BUFFER nb, PNK_RXBUF b, struct nk_seg *segs)
{
    size_t n = 0, left = NET_BUFFER_DATA_LENGTH(nb);
    while (b != NULL && b->Mdl != NET_BUFFER_CURRENT_MDL(nb))
        b = b->Next;
    ULONG off = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
    for (; b != NULL && n < 4 && left != 0; b = b->Next, off = 0) {
        size_t l = b->Mdl->ByteCount > off ? b->Mdl->ByteCount - off : 0;
        if (l > left)
            l = left;
        segs[n].p = b->Va + off;
        segs[n].len = l;
        left -= l;
        n++;
    }
    return n;
}

/* IRQL: DISPATCH_LEVEL. the frame's hash value, type and function into the
 * NBL, and the processor the table names for it (MiniportReserved[1]). */
void NkRssClassify(PNK_ADAPTER a, PNET_BUFFER_LIST nbl, PNK_RXBUF b)
{
    NK_RSS *s = &a->Rss;
    NET_BUFFER_LIST_INFO(nbl, NetBufferListHashValue) = NULL;
    NET_BUFFER_LIST_INFO(nbl, NetBufferListHashInfo) = NULL;
    nbl->MiniportReserved[1] = NULL;
    if (NkRssCapabilities(a) == NULL)
        return;
    unsigned slot;
    const struct nk_rss_map *m = nk_rss_read_begin(&s->Pub, &slot);
    if (!m->enabled) {
        nk_rss_read_end(&s->Pub, slot);
        return;
    }
    uint32_t type = 0, h = 0;
    if (s->Report) {
        /* virtio_net_hdr_v1_hash: hash_value at 12, hash_report at 16 (untrusted) */
        if (nk_rss_report(nk_le16(b->Va + 16), m->hash_types, &type) != 0) {
            LONG64 bad = __atomic_fetch_add(&s->BadReports, 1, __ATOMIC_RELAXED);
            if (bad % 1024 == 0)
                NK_LOG(a, NK_LOG_ERR,
                       "netkvm: hash report %u out of range (%lld times); hashing here\n",
                       nk_le16(b->Va + 16), bad + 1);
        } else if (type != 0) {
            h = nk_le32(b->Va + 12);
        }
    }
    if (type == 0) {
        struct nk_seg segs[4];
        struct nk_view v;
        struct nk_pkt pkt;
        nk_view_init(&v, segs, NkRssSegs(NET_BUFFER_LIST_FIRST_NB(nbl), b, segs));
        if (nk_parse(&v, &pkt) == NK_PARSE_OK)
            h = nk_rss_hash_pkt(m, &pkt, &type);
    }
    if (type != 0) {
        NET_BUFFER_LIST_SET_HASH_VALUE(nbl, h);
        NET_BUFFER_LIST_SET_HASH_TYPE(nbl, type);
        NET_BUFFER_LIST_SET_HASH_FUNCTION(nbl, NdisHashFunctionToeplitz);
        nbl->MiniportReserved[1] = (PVOID)(ULONG_PTR)(nk_rss_cpu(m, h) + 1u);
    }
    nk_rss_read_end(&s->Pub, slot);
}

/* IRQL: DISPATCH_LEVEL. hand each frame whose processor is another to that
 * processor's DPC; what stays (in order) is left in *head, its count returned. */
ULONG NkRssSteer(PNK_ADAPTER a, PNET_BUFFER_LIST *head, ULONG count)
{
    NK_RSS *s = &a->Rss;
    if (NkRssCapabilities(a) == NULL)
        return count;
    ULONG me = KeGetCurrentProcessorNumberEx(NULL);
    PNET_BUFFER_LIST keep = NULL, *kt = &keep, nbl = *head;
    ULONG kept = 0;
    while (nbl != NULL) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        ULONG t = NK_RSS_TARGET(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (t == 0 || t - 1 == me || t - 1 >= s->Cpus) {
            *kt = nbl;
            kt = &NET_BUFFER_LIST_NEXT_NBL(nbl);
            kept++;
        } else {
            PNK_RSS_CPU c = &s->Cpu[t - 1];
            NdisDprAcquireSpinLock(&c->Lock);
            if (c->Tail != NULL)
                NET_BUFFER_LIST_NEXT_NBL(c->Tail) = nbl;
            else
                c->Head = nbl;
            c->Tail = nbl;
            c->Count++;
            NdisDprReleaseSpinLock(&c->Lock);
            KeInsertQueueDpc(&c->Dpc, NULL, NULL);
        }
        nbl = next;
    }
    *head = keep;
    (void)count;
    return kept;
}

/* IRQL: PASSIVE_LEVEL (power.c, after the device's reinitialisation). the
 * device's RSS or hash configuration again, when the OS set parameters. */
void NkRssRestore(PNK_ADAPTER a)
{
    NK_RSS *s = &a->Rss;
    if (s->Entries == 0 && s->Flags == 0)
        return; /* never set: the device keeps its default, as at start */
    /* The published map: only the OID path (one request at a time, this
     * one included) changes it */
    if (!NkRssProgram(a, nk_rss_current(&s->Pub)))
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: the device did not take the RSS configuration again at D0\n");
}
