/* guest-network-get-interfaces and guest-get-fsinfo. */
#include "commands.h"
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
    /* Disk addresses (PCI controller, bus, serial) are not gathered yet. */
    gw_key(out, "disk");
    gw_arr_begin(out);
    gw_arr_end(out);
    gw_obj_end(out);
}

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
