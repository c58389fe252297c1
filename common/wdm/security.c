/*
 * vwdm: security descriptors for device objects.  IoCreateDeviceSecure
 * lives in wdmsec.lib, a static library of the WDK we do not have, so the
 * descriptor is built from documented ntoskrnl exports (RtlCreateAcl,
 * RtlAddAccessAllowedAce, RtlCreateSecurityDescriptor,
 * RtlSetDaclSecurityDescriptor, the well-known SIDs of SeExports) and set
 * on the object through a kernel handle (ObOpenObjectByPointer,
 * ZwSetSecurityObject), as the PnP manager does with an INF's Security
 * value.  Windows checks a create against the descriptor of the object the
 * name leads to (FILE_DEVICE_SECURE_OPEN extends it to names below it).
 */
#include <ntifs.h>
#include "vwdm.h"

/* The DACL: SYSTEM and Administrators get every right; with AllowUsers,
 * BUILTIN\Users (every interactive or service account that is not a guest)
 * may read and write, but not change the descriptor. IRQL: PASSIVE_LEVEL. */
static NTSTATUS VwBuildDacl(BOOLEAN AllowUsers, ULONG PoolTag, PACL *Dacl)
{
    PSID system = SeExports->SeLocalSystemSid, admins = SeExports->SeAliasAdminsSid;
    PSID users = SeExports->SeAliasUsersSid;
    ULONG size = sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) - sizeof(ULONG)) +
                 RtlLengthSid(system) + RtlLengthSid(admins);
    NTSTATUS status;

    if (AllowUsers)
        size += sizeof(ACCESS_ALLOWED_ACE) - sizeof(ULONG) + RtlLengthSid(users);
    PACL acl = ExAllocatePoolWithTag(PagedPool, size, PoolTag);
    if (acl == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = RtlCreateAcl(acl, size, ACL_REVISION);
    if (NT_SUCCESS(status))
        status = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, system);
    if (NT_SUCCESS(status))
        status = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_ALL_ACCESS, admins);
    if (NT_SUCCESS(status) && AllowUsers)
        status = RtlAddAccessAllowedAce(acl, ACL_REVISION, FILE_GENERIC_READ | FILE_GENERIC_WRITE,
                                        users);
    if (!NT_SUCCESS(status)) {
        ExFreePoolWithTag(acl, PoolTag);
        return status;
    }
    *Dacl = acl;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL.  Replaces Object's DACL by the one above (the owner and
 * the SACL stay).  A failure leaves the object as it was: the caller must
 * not expose it then. IRQL: PASSIVE_LEVEL. */
NTSTATUS VwSetDeviceSecurity(PDEVICE_OBJECT Object, BOOLEAN AllowUsers, ULONG PoolTag)
{
    SECURITY_DESCRIPTOR sd;
    HANDLE handle;
    PACL dacl;

    NTSTATUS status = VwBuildDacl(AllowUsers, PoolTag, &dacl);
    if (!NT_SUCCESS(status))
        return status;
    status = RtlCreateSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION);
    if (NT_SUCCESS(status))
        status = RtlSetDaclSecurityDescriptor(&sd, TRUE, dacl, FALSE);
    if (NT_SUCCESS(status))
        status = ObOpenObjectByPointer(Object, OBJ_KERNEL_HANDLE, NULL, WRITE_DAC, NULL, KernelMode,
                                       &handle);
    if (NT_SUCCESS(status)) {
        /* The object manager keeps its own copy of the descriptor. */
        status = ZwSetSecurityObject(handle, DACL_SECURITY_INFORMATION, &sd);
        ZwClose(handle);
    }
    ExFreePoolWithTag(dacl, PoolTag);
    return status;
}
