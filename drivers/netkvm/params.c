/*
 * params.c - the advanced properties read at MiniportInitializeEx: every
 * keyword of nk_param_table through NdisOpenConfigurationEx and
 * NdisReadConfiguration (ndis/nf-ndis-ndisreadconfiguration), checked by
 * nk_params (out of range, malformed: the default and one log line each),
 * then turned into the adapter's settings (nk_settings).  The INF writes
 * every keyword as REG_SZ; a REG_DWORD someone put there comes back as an
 * integer, and both are accepted.
 */
#include "netkvm.h"

/* IRQL: PASSIVE_LEVEL. the reader nk_params_load calls: keyword NAME from
 * the adapter's configuration handle CTX into RAW (absent: left ABSENT). */
static int NkReadRaw(void *ctx, const char *name, struct nk_raw *raw)
{
    WCHAR wide[48];
    USHORT n = 0;
    while (name[n] != '\0' && n < RTL_NUMBER_OF(wide) - 1) {
        wide[n] = (WCHAR)(UCHAR)name[n];
        n++;
    }
    wide[n] = 0;
    NDIS_STRING kw = {(USHORT)(n * sizeof(WCHAR)), (USHORT)sizeof(wide), wide};
    NDIS_STATUS st = NDIS_STATUS_FAILURE;
    PNDIS_CONFIGURATION_PARAMETER v = NULL;
    NdisReadConfiguration(&st, &v, (NDIS_HANDLE)ctx, &kw, NdisParameterString);
    if (st != NDIS_STATUS_SUCCESS || v == NULL)
        return 0; /* absent: the default, silently */
    if (v->ParameterType == NdisParameterInteger || v->ParameterType == NdisParameterHexInteger) {
        raw->kind = NK_RAW_INT;
        raw->ival = v->ParameterData.IntegerData;
        return 0;
    }
    if (v->ParameterType != NdisParameterString)
        return 1; /* a binary or multi-string value: malformed */
    const NDIS_STRING *s = &v->ParameterData.StringData;
    ULONG len = s->Buffer != NULL ? s->Length / sizeof(WCHAR) : 0, i;
    raw->kind = NK_RAW_STRING;
    for (i = 0; i < len && i < NK_RAW_STR_MAX - 1; i++) {
        WCHAR c = s->Buffer[i];
        raw->str[i] = c >= 0x20 && c < 0x7f ? (char)c : '?'; /* not ASCII: malformed */
    }
    raw->str[i] = '\0';
    raw->truncated = len > NK_RAW_STR_MAX - 1;
    return 0;
}

/* IRQL: PASSIVE_LEVEL. read every advanced property into a->Settings; a
 * configuration that cannot be opened leaves every default (logged). */
void NkReadParams(PNK_ADAPTER a)
{
    NDIS_CONFIGURATION_OBJECT co;
    NDIS_HANDLE h = NULL;
    RtlZeroMemory(&co, sizeof(co));
    NK_HEADER(co.Header, NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT,
              NDIS_CONFIGURATION_OBJECT_REVISION_1, NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1);
    co.NdisHandle = a->Handle;
    unsigned bad = 0;
    if (NdisOpenConfigurationEx(&co, &h) != NDIS_STATUS_SUCCESS || h == NULL) {
        nk_params_defaults(&a->Params);
        nk_settings_from_params(&a->Params, &a->Settings);
        NK_LOG(a, NK_LOG_ERR,
               "netkvm: the adapter's configuration cannot be opened; using the defaults\n");
    } else {
        bad = nk_params_load(&a->Params, NkReadRaw, h);
        NdisCloseConfiguration(h);
        /* The settings first: DoLog and DebugLevel decide what is logged */
        nk_settings_from_params(&a->Params, &a->Settings);
    }
    for (int id = 0; bad != 0 && id < NK_P_COUNT; id++) {
        char line[160];
        if (nk_params_describe(&a->Params, (enum nk_param_id)id, line, sizeof(line)) != 0)
            NK_LOG(a, NK_LOG_ERR, "netkvm: %s\n", line);
    }
    /* DebugLevel 1 and above: every property as the adapter runs with it */
    for (int id = 0; a->Settings.log_level >= NK_LOG_INFO && id < NK_P_COUNT; id++)
        if (id != NK_P_NETWORK_ADDRESS)
            NK_LOG(a, NK_LOG_INFO, "netkvm: property %s = %ld%s\n", nk_param_table[id].name,
                   (LONG)a->Params.value[id], a->Params.finding[id] ? " (default)" : "");
#if NK_USO
    /* This build drives USO (tx_uso.c): HOST_USO asked for when a *Uso keyword allows it */
    a->Settings.wish.uso = a->Settings.offload.uso4 || a->Settings.offload.uso6;
#endif
}
