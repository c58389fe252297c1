/*
 * The NDIS emulation's hardware exports (port/ndis/hw.c, dma.c, config.c)
 * against testdrv/vwndishw.sys, an NDIS miniport on a virtio-blk PCI
 * function backed by a disk image: the adapter's keywords read and written
 * back, configuration space, device memory, scatter/gather DMA straight
 * from the sent NET_BUFFER, shared memory for rings and receive buffers,
 * MSI-X and the line (interrupt -> ISR -> DPC -> send completion and
 * receive indication), DPCs queued on another CPU, halt with nothing left;
 * and each hardware checker failing by name on its planted bug
 * (bad/badndishw.c, chosen by the keyword "Plant").
 */
#include <string.h>
#include "../../models/virtio/vmodel_blk.h"
#include "blk_common.h"
#include "dev_virtio.h"
#include "kernel.h"
#include "port/ndis/ndis_port.h"
#include "vw_ndis.h"

#define FRAME_SECTOR 8

struct rig {
    char image[300];
    struct vmodel_blk blk;
    struct vw_virtio *dev;
};

static const uint8_t addr[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

/* A virtio-blk function (MSI-X or the line) on a patterned image, the
 * adapter's keywords, the adapter put on it; DRIVER loaded. */
static bool rig_up(struct vm *vm, struct rig *r, bool msix, const char *driver, const char *plant)
{
    struct vw_virtio_config cfg = {.transport = VMODEL_MODERN,
                                   .device_type = 2,
                                   .features = 1ull << 32,
                                   .queues = 1,
                                   .queue_max = 64,
                                   .msix = msix,
                                   .seed = 0x5d15,
                                   .device_cfg_len = 60};
    r->blk.fd = -1;
    if (!blk_make_image(vm, "ndishw", r->image, sizeof(r->image)) ||
        vmodel_blk_open(&r->blk, r->image, false) != 0) {
        vw_fail(vm, "cannot create the disk image");
        return false;
    }
    r->dev = vw_virtio_create(vm, &cfg);
    if (r->dev == NULL)
        return false;
    vmodel_set_handler(r->dev->model, vmodel_blk_handler, &r->blk);
    vmodel_blk_config(&r->blk, r->dev->model);
    vw_ndis_keyword(vm, "*ReceiveBuffers", "3");
    vw_ndis_keyword(vm, "NetworkAddress", "02-11-22-33-44-55");
    if (plant != NULL)
        vw_ndis_keyword(vm, "Plant", plant);
    vw_ndis_attach_pci(vm, r->dev->pdo);
    return !vm->failed && vw_driver_load(vm, driver);
}

static void rig_down(struct rig *r)
{
    vmodel_blk_close(&r->blk);
    if (r->image[0])
        unlink(r->image);
}

/* An Ethernet frame of LEN bytes to the adapter, a counting pattern from SEED. */
static void frame(uint8_t *f, unsigned len, unsigned seed)
{
    static const uint8_t peer[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    memcpy(f, addr, 6);
    memcpy(f + 6, peer, 6);
    f[12] = 0x88, f[13] = 0xb5; /* IEEE 802 local experimental EtherType 1 */
    for (unsigned i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i * 7);
}

/* Lets devices, interrupts and DPCs run until N frames came back (or 10 ms). */
static unsigned wait_received(struct vm *vm, unsigned n)
{
    struct vw_ndis_stats st;
    for (unsigned i = 0; i < 100 && !vm->failed; i++) {
        vw_ndis_stats(vm, &st);
        if (st.indicated >= n)
            break;
        vw_run_for(vm, 1000);
    }
    vw_ndis_stats(vm, &st);
    return st.indicated;
}

/* Frames of 1024 and 512 bytes out through SG DMA to the disk and back. */
static void frames_through_device(struct vm *vm, bool msix)
{
    struct rig r = {0};
    if (!rig_up(vm, &r, msix, "vwndishw", NULL) || !vw_ndis_initialize(vm) || !vw_ndis_restart(vm))
        goto out;
    uint8_t mac[6] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && memcmp(mac, addr, 6) == 0,
              "the MAC is not the NetworkAddress keyword's");
    const char *written = vw_ndis_keyword_value(vm, "Initialized");
    VW_EXPECT(vm, written != NULL && strcmp(written, "1") == 0,
              "NdisWriteConfiguration did not leave Initialized = 1");
    static uint8_t f[2][1024], got[1024];
    unsigned lens[2] = {1024, 512};
    frame(f[0], 1024, 3);
    frame(f[1], 512, 9);
    for (unsigned k = 0; k < 2 && !vm->failed; k++) {
        const uint8_t *one[1] = {f[k]};
        if (!vw_ndis_send(vm, one, &lens[k], 1))
            goto out;
        VW_EXPECT(vm, wait_received(vm, k + 1) == k + 1, "frame %u never came back", k);
        VW_EXPECT(vm,
                  vw_ndis_received(vm, k, got, sizeof(got)) == lens[k] &&
                      memcmp(got, f[k], lens[k]) == 0,
                  "frame %u came back different", k);
        uint8_t disk[1024];
        VW_EXPECT(vm,
                  pread(r.blk.fd, disk, lens[k], FRAME_SECTOR * BLK_SECTOR) == (ssize_t)lens[k] &&
                      memcmp(disk, f[k], lens[k]) == 0,
                  "frame %u is not on the disk at sector %u", k, FRAME_SECTOR);
        vw_ndis_return_all(vm);
    }
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(
        vm, st.send_completed == 2 && st.send_failed == 0 && st.isr_calls >= 4 && st.dpc_calls >= 4,
        "sends completed %u (failed %u), ISR calls %u, DPC calls %u", st.send_completed,
        st.send_failed, st.isr_calls, st.dpc_calls);
    /* Sends start in a DPC NdisMQueueDpcEx put on the last CPU; the
     * completions' DPCs run where the message targets (CPU 1 mod N). */
    VW_EXPECT(vm, st.dpc_cpu_high == vw_cpu_count(vm), "no DPC ran on the last CPU (%u of %u)",
              st.dpc_cpu_high, vw_cpu_count(vm));
    /* With MSI-X the ISR also names CPU 0 in TargetProcessors. */
    VW_EXPECT(vm, !msix || st.dpc_cpu_low == 1, "no DPC ran on CPU 0 (TargetProcessors)");
    vw_log(vm, "ndis hw: %u ISR calls, %u DPC calls on CPUs %u..%u for 2 frames", st.isr_calls,
           st.dpc_calls, st.dpc_cpu_low - 1, st.dpc_cpu_high - 1);
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
out:
    rig_down(&r);
}

VW_SCENARIO("vwndishw", ndis_hw_msix_frames_through_virtio, NULL)
{
    frames_through_device(vm, true);
}

VW_SCENARIO("vwndishw", ndis_hw_line_frames_through_virtio, NULL)
{
    frames_through_device(vm, false);
}

/* The miniport's typed reads of the adapter's keywords (vwndishw's
 * VWNDISHW_KEYWORDS, reported through VW_OID_VWNDISHW_KEYWORDS): decimal,
 * hex (typed back as NdisParameterInteger), a REG_SZ that is no number and
 * a missing keyword (NDIS_STATUS_FAILURE), a REG_DWORD, a string. */
struct keywords {
    uint32_t dec_status, hex_status, bad_status, dword_status, str_status, missing_status;
    uint32_t dec, hex, dword, str_type;
    uint16_t str[16];
};

VW_SCENARIO("vwndishw", ndis_hw_keywords_typed_reads, NULL)
{
    struct rig r = {0};
    struct keywords k;
    uint32_t status = 1, done = 0;
    vw_ndis_keyword(vm, "*jumbopacket", "9014"); /* names compare without case */
    vw_ndis_keyword(vm, "HexValue", "1f");
    vw_ndis_keyword(vm, "BadNumber", "12x");
    vw_ndis_keyword_dword(vm, "DwordValue", 4096);
    vw_ndis_keyword(vm, "Name", "vw-net");
    if (rig_up(vm, &r, true, "vwndishw", NULL) && vw_ndis_initialize(vm) &&
        vw_ndis_oid(vm, false, VW_OID_VWNDISHW_KEYWORDS, &k, sizeof(k), &status, &done)) {
        static const uint16_t name[] = {'v', 'w', '-', 'n', 'e', 't', 0};
        VW_EXPECT(vm, status == 0 && done == sizeof(k), "keyword OID: status 0x%x, %u bytes",
                  status, done);
        VW_EXPECT(vm, k.dec_status == 0 && k.dec == 9014, "*JumboPacket: 0x%x %u", k.dec_status,
                  k.dec);
        VW_EXPECT(vm, k.hex_status == 0 && k.hex == 0x1f, "HexValue: 0x%x 0x%x", k.hex_status,
                  k.hex);
        VW_EXPECT(vm, k.bad_status == 0xC0000001u && k.missing_status == 0xC0000001u,
                  "bad number 0x%x, missing 0x%x (NDIS_STATUS_FAILURE expected)", k.bad_status,
                  k.missing_status);
        VW_EXPECT(vm, k.dword_status == 0 && k.dword == 4096, "DwordValue: 0x%x %u", k.dword_status,
                  k.dword);
        VW_EXPECT(vm, k.str_status == 0 && k.str_type == 2 && memcmp(k.str, name, 14) == 0,
                  "Name: 0x%x type %u", k.str_status, k.str_type);
        if (!vm->failed && vw_ndis_halt(vm))
            vw_driver_unload(vm);
    }
    rig_down(&r);
}

/* A frame that is not whole sectors fails with INVALID_LENGTH, no DMA. */
VW_SCENARIO("vwndishw", ndis_hw_invalid_length_not_mapped, NULL)
{
    struct rig r = {0};
    static uint8_t f[60];
    unsigned len = 60;
    const uint8_t *one[1] = {f};
    frame(f, len, 1);
    if (rig_up(vm, &r, true, "vwndishw", NULL) && vw_ndis_initialize(vm) && vw_ndis_restart(vm) &&
        vw_ndis_send(vm, one, &len, 1)) {
        vw_run_for(vm, 1000);
        struct vw_ndis_stats st;
        vw_ndis_stats(vm, &st);
        VW_EXPECT(vm, st.send_completed == 1 && st.send_failed == 1 && st.indicated == 0,
                  "completed %u failed %u indicated %u", st.send_completed, st.send_failed,
                  st.indicated);
        if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
            vw_driver_unload(vm);
    }
    rig_down(&r);
}

/* ---- Planted bugs (bad/badndishw.c) ------------------------------------- */

/* Up with PLANT, one 512-byte frame out, then pause and halt. */
static void planted(struct vm *vm, const char *plant)
{
    struct rig r = {0};
    static uint8_t f[512];
    unsigned len = 512;
    const uint8_t *one[1] = {f};
    frame(f, len, 5);
    if (rig_up(vm, &r, true, "badndishw", plant) && vw_ndis_initialize(vm) && vw_ndis_restart(vm) &&
        vw_ndis_send(vm, one, &len, 1)) {
        wait_received(vm, 1);
        vw_ndis_return_all(vm);
        if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
            vw_driver_unload(vm);
    }
    rig_down(&r);
}

VW_SCENARIO("badndishw", checker_ndis_sg_list_not_freed, "not freed")
{
    planted(vm, "1");
}

VW_SCENARIO("badndishw", checker_ndis_sg_list_freed_twice, "freed twice, or never allocated")
{
    planted(vm, "2");
}

VW_SCENARIO("badndishw", checker_ndis_shared_memory_left_at_halt, "the shared memory")
{
    planted(vm, "3");
}

VW_SCENARIO("badndishw", checker_ndis_interrupt_left_at_halt, "the interrupt registered")
{
    planted(vm, "4");
}

VW_SCENARIO("badndishw", checker_ndis_dpc_after_deregistration, "is no registered interrupt")
{
    planted(vm, "5");
}

VW_SCENARIO("badndishw", checker_ndis_shared_memory_at_dispatch,
            "IRQL: NdisMAllocateSharedMemory called at IRQL 2")
{
    planted(vm, "6");
}

VW_SCENARIO("badndishw", checker_ndis_configuration_left_open, "configuration handle")
{
    planted(vm, "9");
}

/* D3 and back on the virtio function: no register access in between (the
 * bus guard of port/ndis/power.c), frames through the device after the
 * restart.  PLANT (badndishw) reads a register from a timer DPC in D3. */
static void power_cycle(struct vm *vm, const char *driver, const char *plant)
{
    struct rig r = {0};
    static uint8_t f[512];
    unsigned len = 512;
    const uint8_t *one[1] = {f};
    uint32_t st = 1;
    frame(f, len, 9);
    if (rig_up(vm, &r, true, driver, plant) && vw_ndis_initialize(vm) && vw_ndis_restart(vm) &&
        vw_ndis_pause(vm) && vw_ndis_set_power(vm, true, &st)) {
        VW_EXPECT(vm, st == VW_NDIS_STATUS_SUCCESS, "D3: 0x%08x", st);
        vw_run_for(vm, 50000); /* 5 ms asleep: timers and DPCs run */
        if (!vm->failed && vw_ndis_set_power(vm, false, &st) && vw_ndis_restart(vm) &&
            vw_ndis_send(vm, one, &len, 1)) {
            VW_EXPECT(vm, wait_received(vm, 1) == 1, "no frame back after D0");
            vw_ndis_return_all(vm);
            if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
                vw_driver_unload(vm);
        }
    }
    rig_down(&r);
}

VW_SCENARIO("vwndishw", ndis_hw_power_d3_no_register_access, NULL)
{
    power_cycle(vm, "vwndishw", NULL);
}

VW_SCENARIO("badndishw", checker_ndis_register_access_in_d3, "with the adapter in D3")
{
    power_cycle(vm, "badndishw", "a");
}

/* The shared, level-triggered line: a frame through the device, then an
 * interrupt another device on the line raised (its own interrupt status
 * 0) while idle, then a frame again.  The emulation's line check
 * (port/ndis/hw.c) fails a claim of the foreign one, a decline of its own,
 * and a return with the line still asserted (status not read). */
static void line_shared(struct vm *vm, const char *driver, const char *plant)
{
    struct rig r = {0};
    static uint8_t f[2][512];
    unsigned len = 512;
    frame(f[0], len, 11);
    frame(f[1], len, 12);
    const uint8_t *one[1] = {f[0]}, *two[1] = {f[1]};
    if (!rig_up(vm, &r, false, driver, plant) || !vw_ndis_initialize(vm) || !vw_ndis_restart(vm) ||
        !vw_ndis_send(vm, one, &len, 1))
        goto out;
    VW_EXPECT(vm, wait_received(vm, 1) == 1, "the first frame never came back");
    vw_run_for(vm, 1000);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    unsigned declined = st.line_declined;
    vw_intr_raise(vm, r.dev->pdo, 0);
    vw_run_for(vm, 1000);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.line_declined == declined + 1,
              "the other device's interrupt: %u declined, not 1", st.line_declined - declined);
    if (!vm->failed && vw_ndis_send(vm, two, &len, 1))
        VW_EXPECT(vm, wait_received(vm, 2) == 2, "no frame back after the shared interrupt");
    vw_ndis_return_all(vm);
    vw_ndis_stats(vm, &st);
    vw_log(vm, "ndis hw: %u line ISR calls, %u declined", st.line_isr_calls, st.line_declined);
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
out:
    rig_down(&r);
}

VW_SCENARIO("vwndishw", ndis_hw_line_shared_interrupt_declined, NULL)
{
    line_shared(vm, "vwndishw", NULL);
}

VW_SCENARIO("badndishw", checker_ndis_line_isr_without_ack, "line still asserted")
{
    line_shared(vm, "badndishw", "b");
}

VW_SCENARIO("badndishw", checker_ndis_line_isr_claims_shared, "did not assert")
{
    line_shared(vm, "badndishw", "c");
}

VW_SCENARIO("badndishw", checker_ndis_line_isr_declines_own, "declined an interrupt its device")
{
    line_shared(vm, "badndishw", "d");
}
