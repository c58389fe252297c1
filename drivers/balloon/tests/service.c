/*
 * Statistics from the guest tools' service: a stand-in for the service
 * opens the device from user mode and sends figures with
 * IOCTL_BALLOON_SET_STATS; the device model must receive each tag with its
 * value beside the driver's MEMTOT.  Bad figures (unknown or duplicate
 * tags, MEMTOT, memory above the total, torn or oversized requests) are
 * refused and change nothing; once the service's handle closes the driver
 * reports MEMTOT alone again.
 */
#include <string.h>

#include "balloon_test.h"
#include "vw_ntstatus.h"

/* CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_WRITE_ACCESS),
 * as drivers/balloon/balloon_ioctl.h defines it. */
#define IOCTL_BALLOON_SET_STATS 0x0022a004u

#define TAG_MEMTOT 5

/* Packs (tag, value) pairs as the driver takes them: le16 + le64. */
static uint32_t pack(uint8_t *out, const uint16_t *tags, const uint64_t *values, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        memcpy(out + 10 * i, &tags[i], 2);
        memcpy(out + 10 * i + 2, &values[i], 8);
    }
    return 10 * n;
}

/* One statistics update, as a host polling on its timer. */
static void poll_stats(struct vm *vm, struct vw_balloon *b)
{
    vw_balloon_stats_request(b);
    vw_run_for(vm, SECOND);
}

VW_SCENARIO("balloon", stats_from_service, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_STATS_VQ);
    if (b == NULL)
        return;
    vw_run_for(vm, SECOND);
    VW_EXPECT(vm, b->model.last_tags == 1u << TAG_MEMTOT, "before the service: tags 0x%x",
              b->model.last_tags);

    uint32_t status = 0;
    gva_t file = vw_open(vm, b->dev->pdo, &status);
    VW_EXPECT(vm, file != 0 && status == 0, "open failed with 0x%08x", status);
    if (vm->failed)
        return;
    static const uint16_t tags[] = {0, 1, 2, 3, 4, 6, 7};
    const uint64_t values[] = {
        4096 * 3, 4096 * 5, 17, 123456, VW_RAM_SIZE / 2, VW_RAM_SIZE / 2 + 4096, VW_RAM_SIZE / 8};
    uint8_t buf[128];
    uint32_t len = pack(buf, tags, values, 7);
    status = vw_file_ioctl(vm, b->dev->pdo, file, IOCTL_BALLOON_SET_STATS, buf, len, NULL, 0, NULL);
    VW_EXPECT(vm, status == 0, "SET_STATS failed with 0x%08x", status);
    poll_stats(vm, b);
    VW_EXPECT(vm, b->model.last_tags == 0xff, "tags 0x%x, expected 0..7", b->model.last_tags);
    for (unsigned i = 0; i < 7; i++)
        VW_EXPECT(vm, b->model.stat_values[tags[i]] == values[i], "tag %u: %llu, sent %llu",
                  tags[i], (unsigned long long)b->model.stat_values[tags[i]],
                  (unsigned long long)values[i]);
    VW_EXPECT(vm, b->model.memtot == VW_RAM_SIZE, "MEMTOT %llu",
              (unsigned long long)b->model.memtot);

    /* Bad figures: each refused, the good ones kept. */
    struct {
        const char *what;
        uint16_t tags[8];
        uint64_t values[8];
        unsigned n;
        int32_t torn; /* bytes added to or taken from the length */
    } bad[] = {
        {"MEMTOT from user mode", {5}, {4096}, 1, 0},
        {"unknown tag 8", {8}, {1}, 1, 0},
        {"tag 200", {200}, {1}, 1, 0},
        {"tag given twice", {4, 4}, {4096, 8192}, 2, 0},
        {"free memory above the total", {4}, {VW_RAM_SIZE + 4096}, 1, 0},
        {"caches above the total", {7}, {~0ull}, 1, 0},
        {"eight entries", {0, 1, 2, 3, 4, 6, 7, 0}, {0}, 8, 0},
        {"torn entry", {0}, {1}, 1, -3},
        {"empty", {0}, {0}, 0, 0},
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]) && !vm->failed; i++) {
        len = pack(buf, bad[i].tags, bad[i].values, bad[i].n) + (uint32_t)bad[i].torn;
        status =
            vw_file_ioctl(vm, b->dev->pdo, file, IOCTL_BALLOON_SET_STATS, buf, len, NULL, 0, NULL);
        VW_EXPECT(vm, status == VW_STATUS_INVALID_PARAMETER, "%s: status 0x%08x", bad[i].what,
                  status);
    }
    poll_stats(vm, b);
    VW_EXPECT(vm,
              b->model.last_tags == 0xff && b->model.stat_values[4] == values[4] &&
                  b->model.memtot == VW_RAM_SIZE,
              "after refused figures: tags 0x%x, free %llu, MEMTOT %llu", b->model.last_tags,
              (unsigned long long)b->model.stat_values[4], (unsigned long long)b->model.memtot);

    /* The service stops: MEMTOT alone again. */
    status = vw_file_close(vm, b->dev->pdo, file);
    VW_EXPECT(vm, status == 0, "close failed with 0x%08x", status);
    poll_stats(vm, b);
    VW_EXPECT(vm, b->model.last_tags == 1u << TAG_MEMTOT, "after the service closed: tags 0x%x",
              b->model.last_tags);
    balloon_finish(vm, b);
}
