/*
 * fwcfg: finding a file in the fw_cfg directory (item 0x19).
 *
 * The directory is read through the data register, one entry at a time.
 * The device is not trusted: the count is bounded by the number of file
 * keys, every entry must name a file key and carry a NUL-terminated name,
 * and the file we look for must have exactly the size we will write.
 */
#include "fwcfg.h"

/* Whether a directory entry's name is Name, and whether the device terminated it. IRQL: any. */
static BOOLEAN FwCfgNameIs(const FWCFG_FILE *Entry, const char *Name, PBOOLEAN Terminated)
{
    SIZE_T i;

    *Terminated = FALSE;
    for (i = 0; i < FWCFG_FILE_NAME_SIZE && Entry->Name[i] != '\0'; i++)
        ;
    if (i == FWCFG_FILE_NAME_SIZE)
        return FALSE;
    *Terminated = TRUE;
    for (SIZE_T j = 0;; j++) {
        if (Entry->Name[j] != Name[j])
            return FALSE;
        if (Name[j] == '\0')
            return TRUE;
    }
}

/* Find a file by name in the fw_cfg directory, with its key; a wrong size is an error. IRQL:
 * PASSIVE_LEVEL. */
NTSTATUS FwCfgFindFile(PFWCFG_DEVICE Fw, const char *Name, ULONG Size, PUSHORT Key, PBOOLEAN Found)
{
    ULONG countBe = 0;
    FWCFG_FILE entry;

    *Found = FALSE;
    FwCfgSelect(Fw, FWCFG_KEY_FILE_DIR);
    FwCfgReadData(Fw, &countBe, sizeof(countBe));
    ULONG count = FwCfgBe32(countBe);
    if (count > FWCFG_MAX_FILES) {
        VwError(Fw->Device, "directory claims %lu files (at most %u exist)", count,
                FWCFG_MAX_FILES);
        return STATUS_DEVICE_DATA_ERROR;
    }

    for (ULONG i = 0; i < count; i++) {
        BOOLEAN terminated;
        FwCfgReadData(Fw, &entry, sizeof(entry));
        USHORT select = FwCfgBe16(entry.SelectBe);
        BOOLEAN match = FwCfgNameIs(&entry, Name, &terminated);
        if (!terminated || (select & FWCFG_KEY_INDEX_MASK) < FWCFG_KEY_FILE_FIRST) {
            VwError(Fw->Device, "directory entry %lu of %lu is malformed (key 0x%04x%s)", i, count,
                    select, terminated ? "" : ", name not terminated");
            return STATUS_DEVICE_DATA_ERROR;
        }
        if (!match)
            continue;
        ULONG size = FwCfgBe32(entry.SizeBe);
        if (size != Size) {
            VwError(Fw->Device, "%s is %lu bytes, expected %lu", Name, size, Size);
            return STATUS_DEVICE_DATA_ERROR;
        }
        *Key = select;
        *Found = TRUE;
        return STATUS_SUCCESS;
    }
    return STATUS_SUCCESS;
}
