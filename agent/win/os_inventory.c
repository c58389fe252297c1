/* Win32 layer: network interfaces (IP Helper) and volumes. */
#include <winsock2.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>

#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

/* Formats an IPv6 address as RFC 5952 text (longest zero run as ::). */
static void ipv6_text(const unsigned char *a, char *out, size_t size)
{
    unsigned w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    }
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && w[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i, best_len = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            n += ga_fmt(out + n, size - n, "::");
            i += best_len - 1;
            continue;
        }
        n += ga_fmt(out + n, size - n, (n && out[n - 1] != ':') ? ":%x" : "%x", w[i]);
    }
}

/* Fills one interface from an adapter entry. */
static void fill_netif(const IP_ADAPTER_ADDRESSES *a, struct ga_netif *nif)
{
    memset(nif, 0, sizeof(*nif));
    ga_narrow(a->FriendlyName, nif->name, sizeof(nif->name));
    nif->mac_len = a->PhysicalAddressLength < sizeof(nif->mac) ? a->PhysicalAddressLength : 0;
    memcpy(nif->mac, a->PhysicalAddress, nif->mac_len);
    for (const IP_ADAPTER_UNICAST_ADDRESS *u = a->FirstUnicastAddress;
         u && nif->naddrs < sizeof(nif->addrs) / sizeof(nif->addrs[0]); u = u->Next) {
        const SOCKADDR *sa = u->Address.lpSockaddr;
        struct ga_ipaddr *ip = &nif->addrs[nif->naddrs];
        if (sa->sa_family == AF_INET && u->Address.iSockaddrLength >= (int)sizeof(SOCKADDR_IN)) {
            const unsigned char *b = (const unsigned char *)&((const SOCKADDR_IN *)sa)->sin_addr;
            ga_fmt(ip->text, sizeof(ip->text), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        } else if (sa->sa_family == AF_INET6 &&
                   u->Address.iSockaddrLength >= (int)sizeof(SOCKADDR_IN6)) {
            ipv6_text((const unsigned char *)&((const SOCKADDR_IN6 *)sa)->sin6_addr, ip->text,
                      sizeof(ip->text));
            ip->v6 = true;
        } else {
            continue;
        }
        ip->prefix = u->OnLinkPrefixLength;
        nif->naddrs++;
    }
    MIB_IF_ROW2 row;
    memset(&row, 0, sizeof(row));
    row.InterfaceLuid = a->Luid;
    if (GetIfEntry2(&row) == NO_ERROR) {
        nif->have_stats = true;
        nif->rx_bytes = row.InOctets;
        nif->rx_packets = row.InUcastPkts + row.InNUcastPkts;
        nif->rx_errs = row.InErrors;
        nif->rx_dropped = row.InDiscards;
        nif->tx_bytes = row.OutOctets;
        nif->tx_packets = row.OutUcastPkts + row.OutNUcastPkts;
        nif->tx_errs = row.OutErrors;
        nif->tx_dropped = row.OutDiscards;
    }
}

/* List network adapters with their hardware and IP addresses and statistics. */
bool ga_os_netifs(ga_netif_cb cb, void *ctx, struct ga_err *err)
{
    ULONG size = 16384, rc;
    IP_ADAPTER_ADDRESSES *list = NULL;
    for (int tries = 0; tries < 4; tries++) {
        ga_free(list);
        list = ga_alloc(size);
        if (!list) {
            return ga_error(err, "out of memory");
        }
        rc = GetAdaptersAddresses(
            AF_UNSPEC, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER,
            NULL, list, &size);
        if (rc != ERROR_BUFFER_OVERFLOW) {
            break;
        }
    }
    if (rc != ERROR_SUCCESS) {
        ga_free(list);
        return ga_win_error(err, rc);
    }
    struct ga_netif *nif = ga_alloc(sizeof(*nif));
    if (!nif) {
        ga_free(list);
        return ga_error(err, "out of memory");
    }
    for (const IP_ADAPTER_ADDRESSES *a = list; a; a = a->Next) {
        fill_netif(a, nif);
        cb(ctx, nif);
    }
    ga_free(nif);
    ga_free(list);
    return true;
}

/* List mounted volumes with mount point, file system, sizes and disks. */
bool ga_os_volumes(ga_volume_cb cb, void *ctx, struct ga_err *err)
{
    WCHAR name[MAX_PATH];
    HANDLE find = FindFirstVolumeW(name, MAX_PATH);
    if (find == INVALID_HANDLE_VALUE) {
        return ga_win_error(err, GetLastError());
    }
    struct ga_volume *vol = ga_alloc(sizeof(*vol));
    if (!vol) {
        FindVolumeClose(find);
        return ga_error(err, "out of memory");
    }
    do {
        WCHAR paths[MAX_PATH + 1], fs[MAX_PATH + 1];
        DWORD len = 0;
        memset(paths, 0, sizeof(paths));
        if (!GetVolumePathNamesForVolumeNameW(name, paths, MAX_PATH, &len) || !paths[0]) {
            continue; /* not mounted anywhere */
        }
        if (GetDriveTypeW(paths) == DRIVE_REMOTE) {
            continue; /* network file systems are not listed */
        }
        memset(vol, 0, sizeof(*vol));
        ga_narrow(name, vol->name, sizeof(vol->name));
        ga_narrow(paths, vol->mountpoint, sizeof(vol->mountpoint));
        if (GetVolumeInformationW(name, NULL, 0, NULL, NULL, NULL, fs, MAX_PATH + 1)) {
            ga_narrow(fs, vol->type, sizeof(vol->type));
        }
        ULARGE_INTEGER avail, total, free_bytes;
        if (GetDiskFreeSpaceExW(paths, &avail, &total, &free_bytes)) {
            vol->have_sizes = true;
            vol->total = total.QuadPart;
            vol->used = total.QuadPart - free_bytes.QuadPart;
        }
        ga_win_volume_disks(name, vol);
        cb(ctx, vol);
    } while (FindNextVolumeW(find, name, MAX_PATH));
    FindVolumeClose(find);
    ga_free(vol);
    return true;
}
