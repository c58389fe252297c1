/* guest-network-get-interfaces, guest-get-fsinfo, guest-get-disks,
 * guest-fstrim and guest-get-devices. */
#include "commands.h"
#include "disk.h"
#include "os.h"
#include "util.h"

/* Writes one interface in QEMU's GuestNetworkInterface shape. */
static void put_netif(void *ctx, const struct ga_netif *nif)
{
    struct gw *out = ctx;
    gw_obj_begin(out);
    gw_key(out, "name");
    gw_str(out, nif->name);
    if (nif->mac_len) {
        char mac[3 * sizeof(nif->mac)];
        size_t n = 0;
        for (unsigned i = 0; i < nif->mac_len && i < sizeof(nif->mac); i++) {
            n += ga_fmt(mac + n, sizeof(mac) - n, i ? ":%s%x" : "%s%x", nif->mac[i] < 16 ? "0" : "",
                        nif->mac[i]);
        }
        gw_key(out, "hardware-address");
        gw_str(out, mac);
    }
    gw_key(out, "ip-addresses");
    gw_arr_begin(out);
    for (unsigned i = 0; i < nif->naddrs; i++) {
        gw_obj_begin(out);
        gw_key(out, "ip-address");
        gw_str(out, nif->addrs[i].text);
        gw_key(out, "ip-address-type");
        gw_str(out, nif->addrs[i].v6 ? "ipv6" : "ipv4");
        gw_key(out, "prefix");
        gw_int(out, nif->addrs[i].prefix);
        gw_obj_end(out);
    }
    gw_arr_end(out);
    if (nif->have_stats) {
        gw_key(out, "statistics");
        gw_obj_begin(out);
        gw_key(out, "rx-bytes");
        gw_uint(out, nif->rx_bytes);
        gw_key(out, "rx-packets");
        gw_uint(out, nif->rx_packets);
        gw_key(out, "rx-errs");
        gw_uint(out, nif->rx_errs);
        gw_key(out, "rx-dropped");
        gw_uint(out, nif->rx_dropped);
        gw_key(out, "tx-bytes");
        gw_uint(out, nif->tx_bytes);
        gw_key(out, "tx-packets");
        gw_uint(out, nif->tx_packets);
        gw_key(out, "tx-errs");
        gw_uint(out, nif->tx_errs);
        gw_key(out, "tx-dropped");
        gw_uint(out, nif->tx_dropped);
        gw_obj_end(out);
    }
    gw_obj_end(out);
}

/* guest-network-get-interfaces: every adapter with its addresses and statistics. */
GA_HANDLER(ga_cmd_network_get_interfaces)
{
    (void)ga, (void)args;
    gw_arr_begin(out);
    if (!ga_os_netifs(put_netif, out, err)) {
        return false;
    }
    gw_arr_end(out);
    return true;
}

/* Writes one disk address in QEMU's GuestDiskAddress shape. */
static void put_disk_addr(struct gw *out, const struct ga_disk_addr *a)
{
    gw_obj_begin(out);
    gw_key(out, "pci-controller");
    gw_obj_begin(out);
    gw_key(out, "domain");
    gw_int(out, a->pci_domain);
    gw_key(out, "bus");
    gw_int(out, a->pci_bus);
    gw_key(out, "slot");
    gw_int(out, a->pci_slot);
    gw_key(out, "function");
    gw_int(out, a->pci_function);
    gw_obj_end(out);
    gw_key(out, "bus-type");
    gw_str(out, a->bus_type ? a->bus_type : "unknown");
    gw_key(out, "bus");
    gw_int(out, a->bus);
    gw_key(out, "target");
    gw_int(out, a->target);
    gw_key(out, "unit");
    gw_int(out, a->unit);
    if (a->serial[0]) {
        gw_key(out, "serial");
        gw_str(out, a->serial);
    }
    if (a->dev[0]) {
        gw_key(out, "dev");
        gw_str(out, a->dev);
    }
    gw_obj_end(out);
}

/* Writes one volume in QEMU's GuestFilesystemInfo shape. */
static void put_volume(void *ctx, const struct ga_volume *vol)
{
    struct gw *out = ctx;
    gw_obj_begin(out);
    gw_key(out, "name");
    gw_str(out, vol->name);
    gw_key(out, "mountpoint");
    gw_str(out, vol->mountpoint);
    gw_key(out, "type");
    gw_str(out, vol->type);
    if (vol->have_sizes) {
        gw_key(out, "used-bytes");
        gw_uint(out, vol->used);
        gw_key(out, "total-bytes");
        gw_uint(out, vol->total);
    }
    gw_key(out, "disk");
    gw_arr_begin(out);
    for (unsigned i = 0; i < vol->ndisks && i < GA_VOLUME_MAX_DISKS; i++) {
        put_disk_addr(out, &vol->disks[i]);
    }
    gw_arr_end(out);
    gw_obj_end(out);
}

/* guest-get-fsinfo: every mounted volume with its type, size and disks. */
GA_HANDLER(ga_cmd_get_fsinfo)
{
    (void)ga, (void)args;
    gw_arr_begin(out);
    if (!ga_os_volumes(put_volume, out, err)) {
        return false;
    }
    gw_arr_end(out);
    return true;
}

/* Writes one disk in QEMU's GuestDiskInfo shape (Windows lists whole disks,
 * never partitions, and no dependencies). */
static void put_disk(void *ctx, const struct ga_disk *d)
{
    struct gw *out = ctx;
    gw_obj_begin(out);
    gw_key(out, "name");
    gw_str(out, d->name);
    gw_key(out, "partition");
    gw_bool(out, false);
    if (d->have_address) {
        gw_key(out, "address");
        put_disk_addr(out, &d->addr);
    }
    gw_obj_end(out);
}

/* guest-get-disks: every disk with its bus, PCI address and serial. */
GA_HANDLER(ga_cmd_get_disks)
{
    (void)ga, (void)args;
    gw_arr_begin(out);
    if (!ga_os_disks(put_disk, out, err)) {
        return false;
    }
    gw_arr_end(out);
    return true;
}

/* Writes one GuestFilesystemTrimResult: the path and, when defrag could
 * not run or reported an error code, that error (as QEMU's agent on
 * Windows: no trimmed or minimum figures). */
static void put_trim(void *ctx, const char *path, const char *output, size_t len,
                     const char *start_error)
{
    struct gw *out = ctx;
    char line[256];
    gw_obj_begin(out);
    gw_key(out, "path");
    gw_str(out, path);
    if (start_error) {
        gw_key(out, "error");
        gw_str(out, start_error);
    } else if (ga_defrag_error(output, len, line, sizeof(line))) {
        gw_key(out, "error");
        gw_str(out, line);
    }
    gw_obj_end(out);
}

/* guest-fstrim: trim each fixed volume, with a per-path result. */
GA_HANDLER(ga_cmd_fstrim)
{
    /* minimum is accepted and, as by QEMU's agent on Windows, not used:
     * defrag /L has no such setting. */
    (void)ga, (void)args;
    gw_obj_begin(out);
    gw_key(out, "paths");
    gw_arr_begin(out);
    if (!ga_os_trim(put_trim, out, err)) {
        return false;
    }
    gw_arr_end(out);
    gw_obj_end(out);
    return true;
}

/* Four hex digits at s, or -1. */
static int32_t hex4(const char *s)
{
    int32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0) {
            return -1;
        }
        v = v << 4 | d;
    }
    return v;
}

/* Vendor and device of a PCI hardware ID (PCI\VEN_xxxx&DEV_xxxx...), checked character by
 * character. */
bool ga_pci_hwid(const char *s, uint16_t *vendor, uint16_t *device)
{
    static const char pre[] = "PCI\\VEN_";
    for (size_t i = 0; pre[i]; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z' ? c - 32 : c) != pre[i]) {
            return false;
        }
    }
    s += sizeof(pre) - 1;
    int32_t ven = hex4(s);
    if (ven < 0 || s[4] != '&' || (s[5] != 'D' && s[5] != 'd') || (s[6] != 'E' && s[6] != 'e') ||
        (s[7] != 'V' && s[7] != 'v') || s[8] != '_') {
        return false;
    }
    int32_t dev = hex4(s + 9);
    if (dev < 0 || (s[13] != 0 && s[13] != '&') || (ven != 0x1af4 && ven != 0x1b36)) {
        return false;
    }
    *vendor = (uint16_t)ven;
    *device = (uint16_t)dev;
    return true;
}

/* Writes one device in QEMU's GuestDeviceInfo shape. */
static void put_device(void *ctx, const struct ga_device *d)
{
    struct gw *out = ctx;
    gw_obj_begin(out);
    gw_key(out, "driver-name");
    gw_str(out, d->name);
    if (d->have_date) {
        gw_key(out, "driver-date");
        gw_int(out, d->date_ns);
    }
    if (d->version[0]) {
        gw_key(out, "driver-version");
        gw_str(out, d->version);
    }
    gw_key(out, "id");
    gw_obj_begin(out);
    gw_key(out, "type");
    gw_str(out, "pci");
    gw_key(out, "vendor-id");
    gw_int(out, d->vendor);
    gw_key(out, "device-id");
    gw_int(out, d->device);
    gw_obj_end(out);
    gw_obj_end(out);
}

/* guest-get-devices: the virtio and QEMU PCI devices with their drivers' versions and dates. */
GA_HANDLER(ga_cmd_get_devices)
{
    (void)ga, (void)args;
    gw_arr_begin(out);
    if (!ga_os_devices(put_device, out, err)) {
        return false;
    }
    gw_arr_end(out);
    return true;
}
