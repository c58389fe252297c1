/*
 * device.c - the virtio-net device brought up and taken down: features
 * chosen (nk_features.c) and negotiated, the configuration read once and
 * checked (nk_config.c), the queue pairs and their messages planned
 * (nk_queues.c), every ring carved from one shared-memory block by the
 * core's queue plan.  Receive and send buffers are set up by rx.c and tx.c.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. negotiate (never the bits in drop), then again when
 * the device's offer made the first set inconsistent (a bit offered without
 * its requirement). */
static NDIS_STATUS NkNegotiate(PNK_ADAPTER a, uint64_t drop)
{
    struct nk_feature_wish w = a->Settings.wish; /* the advanced properties' */
    uint64_t f = 0;
    int rc = virtio_negotiate(&a->V.Dev, nk_choose_features(~drop, &w), &f);
    if (rc == 0) {
        uint64_t chosen = nk_choose_features(a->V.Dev.device_features & ~drop, &w);
        if (chosen != f)
            rc = virtio_negotiate(&a->V.Dev, chosen, &f);
    }
    if (rc != 0) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: feature negotiation failed (%d)\n", rc);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    a->Features = f;
    NK_LOG(a, NK_LOG_INFO, "netkvm: features offered 0x%llx, negotiated 0x%llx\n",
           (unsigned long long)a->V.Dev.device_features, (unsigned long long)f);
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. read and check the configuration into a->Cfg; the
 * findings into *found. */
static NDIS_STATUS NkCheckConfig(PNK_ADAPTER a, unsigned *found)
{
    uint8_t cfg[NK_CFG_BYTES];
    uint8_t fallback[NK_ETH_ALEN] = {0x02, 0x1a, 0xf4, 0, 0, 0};
    ULONG t = (ULONG)((ULONG_PTR)a >> 4); /* differs between adapters */
    uint32_t len = virtio_config_len(&a->V.Dev);
    if (len > sizeof(cfg))
        len = sizeof(cfg);
    RtlZeroMemory(cfg, sizeof(cfg));
    if (len != 0 && virtio_config_read(&a->V.Dev, 0, cfg, len) != 0) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: the configuration never read consistently\n");
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    /* A locally administered address when the device gives none */
    fallback[3] = (uint8_t)(t >> 16), fallback[4] = (uint8_t)(t >> 8), fallback[5] = (uint8_t)t;
    *found = nk_config_check(cfg, len, a->Features, fallback, &a->Cfg);
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. read and check the configuration; log each finding.
 * A rejected field's feature is negotiated away (the device is reset and
 * negotiated again: the configuration may be read before FEATURES_OK, spec
 * 3.1.1), so the device is never bound to a value the driver does not use. */
static NDIS_STATUS NkReadConfig(PNK_ADAPTER a)
{
    unsigned found = 0;
    NDIS_STATUS st = NkCheckConfig(a, &found);
    uint64_t drop = a->Cfg.drop & a->Features;
    if (st == NDIS_STATUS_SUCCESS && drop != 0) {
        st = NkNegotiate(a, drop);
        unsigned again = 0;
        if (st == NDIS_STATUS_SUCCESS)
            st = NkCheckConfig(a, &again);
        found |= again;
    }
    for (unsigned bit = 1; bit != 0 && bit <= found; bit <<= 1)
        if (found & bit)
            NK_LOG(a, NK_LOG_ERR, "netkvm: device configuration: %s\n", nk_finding_text(bit));
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    a->LinkUp = a->Cfg.link_up;
    /* *JumboPacket sets the MTU, within what the device reports */
    bool capped = false;
    a->Cfg.mtu = (uint16_t)nk_settings_mtu(&a->Settings, a->Features, a->Cfg.mtu, &capped);
    if (capped)
        NK_LOG(a, NK_LOG_ERR, "netkvm: *JumboPacket %lu is above the device's MTU; using %u\n",
               a->Settings.frame_max, a->Cfg.mtu);
    a->MaxFrame = a->Cfg.mtu + NK_ETH_HLEN;
    /* NetworkAddress: used when the device can be told after DRIVER_OK
     * (MAC_ADDR_SET, or MAC_TABLE_SET's unicast list: ctrl.c) */
    RtlCopyMemory(a->CurrentMac, a->Cfg.mac, NK_ETH_ALEN);
    a->MacWay = nk_mac_way(a->Settings.mac_set, a->Features);
    ULONG same = 0;
    while (same < NK_ETH_ALEN && a->Settings.mac[same] == a->Cfg.mac[same])
        same++;
    if (same == NK_ETH_ALEN)
        a->MacWay = NK_MAC_DEVICE; /* the device's own address: nothing to tell */
    if (a->MacWay != NK_MAC_DEVICE)
        RtlCopyMemory(a->CurrentMac, a->Settings.mac, NK_ETH_ALEN);
    else if (a->Settings.mac_set && same != NK_ETH_ALEN)
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: NetworkAddress ignored: the device offers neither CTRL_MAC_ADDR nor "
               "CTRL_RX to take it\n");
    /* No receive queue runs yet: the spare is free, the publish cannot fail */
    (void)NkRxFilterPublish(a);
    a->HdrLen = (ULONG)nk_hdr_len(a->Features);
    /* Legacy devices (no ANY_LAYOUT negotiated) want the header in a descriptor of its own */
    a->RxSegs = (a->Features & NK_BIT(NK_F_VERSION_1)) ? 1 : 2;
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. the pair arrays and each pair's DPC processor. */
static NDIS_STATUS NkAllocatePairs(PNK_ADAPTER a)
{
    a->Pairs = a->Plan.pairs;
    a->ActivePairs = 1;
    a->Rx = VwNdisAlloc(&a->V, a->Pairs * sizeof(NK_RXQ));
    a->Tx = VwNdisAlloc(&a->V, a->Pairs * sizeof(NK_TXQ));
    if (a->Rx == NULL || a->Tx == NULL)
        return NDIS_STATUS_RESOURCES;
    for (ULONG k = 0; k < a->Pairs; k++) {
        PROCESSOR_NUMBER pn;
        a->Rx[k].Adapter = a->Tx[k].Adapter = a;
        a->Rx[k].Index = a->Tx[k].Index = k;
        a->Rx[k].Message = nk_queue_message(&a->Plan, nk_rxq_index(k));
        a->Tx[k].Message = nk_queue_message(&a->Plan, nk_txq_index(k));
        NdisAllocateSpinLock(&a->Rx[k].Lock);
        NdisAllocateSpinLock(&a->Tx[k].Lock);
        if (NT_SUCCESS(KeGetProcessorNumberFromIndex(k, &pn))) {
            a->Rx[k].Affinity.Group = pn.Group;
            a->Rx[k].Affinity.Mask = (KAFFINITY)1 << pn.Number;
            a->Rx[k].HasAffinity = TRUE;
        }
    }
    return NDIS_STATUS_SUCCESS;
}

/* IRQL: PASSIVE_LEVEL. queue q of the plan: its virtqueue and index. */
static struct virtqueue *NkQueueOf(PNK_ADAPTER a, ULONG q, uint16_t *index)
{
    if (q < 2 * a->Pairs) {
        *index = (uint16_t)q;
        return q & 1 ? &a->Tx[q / 2].Vq : &a->Rx[q / 2].Vq;
    }
    *index = a->Plan.ctrl_index;
    return &a->Ctrl;
}

/* IRQL: PASSIVE_LEVEL. plan every ring into one block and enable the queues. */
static NDIS_STATUS NkSetupQueues(PNK_ADAPTER a)
{
    struct virtio_device *dev = &a->V.Dev;
    ULONG n = 2 * a->Pairs + (a->Plan.ctrl ? 1 : 0);
    struct virtio_queue_config *cfg = VwNdisAlloc(&a->V, n * sizeof(*cfg));
    a->QSizes = VwNdisAlloc(&a->V, n * sizeof(uint16_t));
    if (cfg == NULL || a->QSizes == NULL) {
        VwNdisFree(cfg, n * sizeof(*cfg));
        return NDIS_STATUS_RESOURCES;
    }
    a->QCount = n;
    for (ULONG q = 0; q < n; q++) {
        NkQueueOf(a, q, &cfg[q].index);
        cfg[q].msix_vector =
            dev->msix ? (uint16_t)nk_queue_message(&a->Plan, cfg[q].index) : VIRTIO_MSI_NO_VECTOR;
    }
    NDIS_STATUS st = NDIS_STATUS_RESOURCES;
    int rc = virtio_queue_plan(dev, cfg, n, 0, a->QSizes, &a->QPlan);
    if (rc != 0) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: the device's queues cannot be planned (%d)\n", rc);
        st = NDIS_STATUS_ADAPTER_NOT_FOUND;
    } else if (VwNdisShared(&a->V, a->QPlan.dma_size, &a->RingBlock) == 0 &&
               (a->RingMem = VwNdisAlloc(&a->V, (ULONG)a->QPlan.mem_size)) != NULL) {
        a->RingMemSize = (ULONG)a->QPlan.mem_size;
        st = NDIS_STATUS_SUCCESS;
        for (ULONG q = 0; q < n && st == NDIS_STATUS_SUCCESS; q++) {
            uint16_t index;
            struct virtqueue *vq = NkQueueOf(a, q, &index);
            rc = virtio_queue_setup_planned(dev, vq, &cfg[q], &a->QPlan, q, &a->RingBlock,
                                            a->RingMem);
            if (rc != 0) {
                NK_LOG(a, NK_LOG_ERR, "netkvm: queue %u setup failed (%d)\n", index, rc);
                st = NDIS_STATUS_ADAPTER_NOT_FOUND;
            } else if (q < 2 * a->Pairs && !(q & 1)) {
                /* A receive buffer the device claims to have filled past
                 * its end is one frame dropped and counted (NkRxFrame), as
                 * Linux's virtio_net does, not the whole queue lost */
                virtqueue_pass_len_past(vq);
            }
        }
        a->HasCtrl = st == NDIS_STATUS_SUCCESS && a->Plan.ctrl;
        a->CtrlStale = FALSE; /* a new ring holds no command of before */
    }
    VwNdisFree(cfg, n * sizeof(*cfg));
    /* The queue list a D0 or a reset gives virtio_device_restart, made
     * here: neither may fail for memory (network/oid-pnp-set-power: the
     * miniport always answers NDIS_STATUS_SUCCESS) */
    if (st == NDIS_STATUS_SUCCESS) {
        a->RestartVqs = VwNdisAlloc(&a->V, n * sizeof(*a->RestartVqs));
        if (a->RestartVqs == NULL)
            st = NDIS_STATUS_RESOURCES;
        for (ULONG q = 0; a->RestartVqs != NULL && q < n; q++) {
            uint16_t index;
            a->RestartVqs[q] = NkQueueOf(a, q, &index);
        }
    }
    if (st == NDIS_STATUS_SUCCESS && dev->msix &&
        virtio_set_config_vector(dev, (uint16_t)nk_queue_message(&a->Plan, NK_CONFIG_QUEUE)) != 0)
        st = NDIS_STATUS_RESOURCES;
    return st;
}

/* IRQL: PASSIVE_LEVEL. see netkvm.h: up to (not including) DRIVER_OK. */
NDIS_STATUS NkDeviceStart(PNK_ADAPTER a)
{
    NDIS_STATUS st = NkNegotiate(a, 0);
    if (st == NDIS_STATUS_SUCCESS)
        st = NkReadConfig(a);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    ULONG cpus = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    BOOLEAN ctrl = (a->Features & NK_BIT(VIRTIO_NET_F_CTRL_VQ)) != 0;
    nk_plan_queues(cpus, a->Cfg.max_pairs, a->Settings.pairs_wanted, ctrl,
                   a->V.Dev.msix ? a->Messages : 0, &a->Plan);
    st = NkAllocatePairs(a);
    if (st == NDIS_STATUS_SUCCESS)
        st = NkSetupQueues(a);
    if (st == NDIS_STATUS_SUCCESS && a->HasCtrl && VwNdisShared(&a->V, PAGE_SIZE, &a->CtrlDma) != 0)
        st = NDIS_STATUS_RESOURCES;
    return st;
}

/* IRQL: PASSIVE_LEVEL. see netkvm.h: the device is reset; free everything. */
void NkDeviceStop(PNK_ADAPTER a)
{
    for (ULONG k = 0; a->Rx != NULL && k < a->Pairs; k++) {
        NkRxFree(a, &a->Rx[k]);
        NdisFreeSpinLock(&a->Rx[k].Lock);
    }
    for (ULONG k = 0; a->Tx != NULL && k < a->Pairs; k++) {
        NkTxFree(a, &a->Tx[k]);
        NdisFreeSpinLock(&a->Tx[k].Lock);
    }
    VwNdisSharedFree(&a->V, &a->CtrlDma);
    VwNdisFree(a->RingMem, a->RingMemSize);
    a->RingMem = NULL;
    VwNdisSharedFree(&a->V, &a->RingBlock);
    VwNdisFree(a->QSizes, a->QCount * sizeof(uint16_t));
    a->QSizes = NULL;
    VwNdisFree(a->RestartVqs, a->QCount * sizeof(*a->RestartVqs));
    a->RestartVqs = NULL;
    VwNdisFree(a->Rx, a->Pairs * sizeof(NK_RXQ));
    VwNdisFree(a->Tx, a->Pairs * sizeof(NK_TXQ));
    a->Rx = NULL;
    a->Tx = NULL;
    a->HasCtrl = FALSE;
}

/* IRQL: PASSIVE_LEVEL. D0 after a reset at D3 (power.c): the same features
 * negotiated again, every queue enabled again on its memory (emptied),
 * the configuration vector, DRIVER_OK (the core's virtio_device_restart). */
NDIS_STATUS NkDeviceReinit(PNK_ADAPTER a)
{
    /* No allocation here: the queue list was made with the queues */
    int rc = a->RestartVqs != NULL
                 ? virtio_device_restart(&a->V.Dev, a->RestartVqs, a->QCount, NULL, NULL)
                 : -1;
    if (rc != 0) {
        NK_LOG(a, NK_LOG_ERR, "netkvm: the device did not come back at D0 (%d)\n", rc);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
