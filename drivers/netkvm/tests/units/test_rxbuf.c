/* nk_rxbuf tests: buffer sizes for MTU 1500 and 9000 with and without
 * MRG_RXBUF, page sharing without overlap, the memory bound, the checks of
 * the device's used length and num_buffers, and the memory figure README
 * quotes (printed as a check line). */
#include <string.h>

#include "nku.h"

/* The usual input: 4 KiB pages, VERSION_1 header, indirect descriptors. */
static struct nk_rxbuf_in input(uint32_t mtu, bool mrg, bool big, uint16_t ring, uint32_t cap)
{
    struct nk_rxbuf_in in = {.mtu = mtu,
                             .mrg_rxbuf = mrg,
                             .big_packets = big,
                             .ring_size = ring,
                             .indirect = true,
                             .capacity = cap,
                             .page_size = 4096,
                             .vnet_hdr_bytes = 12};
    return in;
}

/* Buffers of a plan never overlap and stay inside the plan's pages. */
static bool layout_ok(const struct nk_rxbuf_plan *p)
{
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < p->count; i++) {
        uint32_t page, off;
        nk_rxbuf_locate(p, i, &page, &off);
        uint64_t start = (uint64_t)page * 4096 + off;
        uint64_t end = start + p->buf_bytes;
        if (start < prev_end || end > p->bytes)
            return false;
        if (p->bufs_per_page && off + p->buf_bytes > 4096)
            return false;
        prev_end = end;
    }
    return true;
}

/* Sizes, sharing, the ratio README quotes. */
static void sizes(void)
{
    struct nk_rxbuf_plan m, n;
    struct nk_rxbuf_in in = input(1500, true, true, 1024, 1024);
    int rc = nk_rxbuf_plan(&in, &m);
    check(rc == NK_RXBUF_OK && m.buf_bytes == 2048 && m.bufs_per_page == 2 && m.count == 1024 &&
              m.max_merge == 33 && m.pages == 512 && layout_ok(&m),
          "rxbuf: MTU 1500 mergeable: 2048-byte buffers, 2 a page, 1024 in 512 pages, merge <= 33");
    in = input(1500, false, true, 1024, 1024);
    rc = nk_rxbuf_plan(&in, &n);
    check(rc == NK_RXBUF_OK && n.buf_bytes == 65562 && n.pages_per_buf == 17 &&
              n.descs_per_buf == 17 && n.ring_slots == 1 && n.max_merge == 1 && layout_ok(&n),
          "rxbuf: MTU 1500 with GUEST_TSO, not mergeable: 65562-byte buffers over 17 pages");
    check(n.bytes >= 8 * m.bytes,
          "rxbuf: per queue at MTU 1500: %llu KiB mergeable vs %llu KiB not (1/%llu)",
          (unsigned long long)(m.bytes >> 10), (unsigned long long)(n.bytes >> 10),
          (unsigned long long)(n.bytes / m.bytes));
    in = input(1500, true, true, 256, 1024);
    nk_rxbuf_plan(&in, &m);
    in = input(1500, false, true, 256, 1024);
    nk_rxbuf_plan(&in, &n);
    check(m.bytes == 512 << 10 && n.bytes == 17408 << 10,
          "rxbuf: per queue at MTU 1500, ring 256: %llu KiB mergeable vs %llu KiB not",
          (unsigned long long)(m.bytes >> 10), (unsigned long long)(n.bytes >> 10));
    in = input(9000, true, true, 1024, 1024);
    rc = nk_rxbuf_plan(&in, &m);
    in = input(9000, false, true, 1024, 1024);
    nk_rxbuf_plan(&in, &n);
    check(rc == NK_RXBUF_OK && m.buf_bytes == 4096 && m.bufs_per_page == 1 &&
              n.bytes >= 8 * m.bytes,
          "rxbuf: per queue at MTU 9000: %llu KiB mergeable vs %llu KiB not",
          (unsigned long long)(m.bytes >> 10), (unsigned long long)(n.bytes >> 10));
    in = input(1500, false, false, 256, 1024);
    rc = nk_rxbuf_plan(&in, &n);
    check(rc == NK_RXBUF_OK && n.buf_bytes == 2048 && n.count == 256 && n.max_frame >= 1518 &&
              layout_ok(&n),
          "rxbuf: no GUEST_TSO, not mergeable: MTU-sized buffers, count limited by the ring");
    in = input(1500, false, true, 256, 1024);
    in.indirect = false;
    rc = nk_rxbuf_plan(&in, &n);
    check(rc == NK_RXBUF_OK && n.ring_slots == 17 && n.count == 256 / 17,
          "rxbuf: without indirect descriptors a big buffer takes 17 ring slots (%u buffers)",
          n.count);
    in = input(9000, true, false, 1024, 1024);
    nk_rxbuf_plan(&in, &m);
    check(m.max_merge == 3 && m.max_frame == 9018, "rxbuf: MTU 9000 without TSO merges at most 3");
}

/* The memory bound and MinRxBufferPercent. */
static void bounds(void)
{
    struct nk_rxbuf_plan p;
    struct nk_rxbuf_in in = input(1500, true, true, 1024, 1024);
    in.max_bytes = 1 << 20;
    int rc = nk_rxbuf_plan(&in, &p);
    check(rc == NK_RXBUF_OK && p.bounded && p.bytes <= in.max_bytes && p.count == 512,
          "rxbuf: a 1 MiB bound gives 512 buffers");
    in.max_bytes = 16 * 4096;
    check(nk_rxbuf_plan(&in, &p) == NK_RXBUF_NO_MEMORY && p.count == 0,
          "rxbuf: a bound below one largest frame (33 buffers) is refused");
    in.max_bytes = 0;
    in.min_percent = 25;
    nk_rxbuf_plan(&in, &p);
    check(p.min_count == 256, "rxbuf: MinRxBufferPercent 25 of 1024 is 256");
    in.min_percent = 0;
    nk_rxbuf_plan(&in, &p);
    check(p.min_count == 33, "rxbuf: MinRxBufferPercent 0 still needs one largest frame");
    in.min_percent = 1000;
    nk_rxbuf_plan(&in, &p);
    check(p.min_count == p.count, "rxbuf: MinRxBufferPercent above 100 is capped");
}

/* Bad input and the device's used entries. */
static void hostile(void)
{
    struct nk_rxbuf_plan p;
    struct nk_rxbuf_in in = input(0, true, true, 256, 256);
    unsigned bad = 0;
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_INPUT;
    in = input(70000, true, true, 256, 256);
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_INPUT;
    in = input(1500, true, true, 256, 256);
    in.page_size = 3000;
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_INPUT;
    in = input(1500, true, true, 256, 256);
    in.vnet_hdr_bytes = 11;
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_INPUT;
    in = input(1500, true, true, 0, 256);
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_RING;
    in = input(1500, false, true, 8, 256);
    in.indirect = false;
    bad += nk_rxbuf_plan(&in, &p) != NK_RXBUF_BAD_RING;
    check(!bad, "rxbuf: MTU 0 / 70000, page 3000, header 11, ring 0, ring too small: refused");

    in = input(1500, true, true, 256, 256);
    nk_rxbuf_plan(&in, &p);
    check(nk_rxbuf_check_used(&p, 1514, 1, 10) == NK_RXUSED_OK &&
              nk_rxbuf_check_used(&p, 2048, 33, 40) == NK_RXUSED_OK,
          "rxbuf: used lengths and merges within the plan pass");
    check(nk_rxbuf_check_used(&p, 11, 1, 10) == NK_RXUSED_SHORT &&
              nk_rxbuf_check_used(&p, 2049, 1, 10) == NK_RXUSED_TOO_LONG &&
              nk_rxbuf_check_used(&p, 100, 0, 10) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, 100, 34, 100) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, 100, 11, 10) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, 100, 0xFFFF, 0xFFFF) == NK_RXUSED_BAD_MERGE,
          "rxbuf: short, too long, num_buffers 0 / beyond the plan / beyond outstanding refused");
    check(nk_rxbuf_check_used(&p, 2048, 1, 10) == NK_RXUSED_OK &&
              nk_rxbuf_check_used(&p, 0, 1, 10) == NK_RXUSED_SHORT &&
              nk_rxbuf_check_used(&p, 0xFFFFFFFFu, 1, 10) == NK_RXUSED_TOO_LONG,
          "rxbuf: first buffer: used length 2048 (the buffer) taken, 0 short, 0xffffffff too long");
    check(nk_rxbuf_check_more(&p, 1) == NK_RXUSED_OK &&
              nk_rxbuf_check_more(&p, 2048) == NK_RXUSED_OK &&
              nk_rxbuf_check_more(&p, 2049) == NK_RXUSED_TOO_LONG &&
              nk_rxbuf_check_more(&p, 0xFFFFFFFFu) == NK_RXUSED_TOO_LONG,
          "rxbuf: merged buffer: used length 1 and 2048 taken, 2049 and 0xffffffff too long");
    check(nk_rxbuf_check_more(&p, 0) == NK_RXUSED_BAD_MERGE,
          "rxbuf: merged buffer used for 0 bytes refused (num_buffers past what the frame needs)");
    in = input(1500, false, true, 256, 256);
    nk_rxbuf_plan(&in, &p);
    check(nk_rxbuf_check_used(&p, 65562, 1, 5) == NK_RXUSED_OK &&
              nk_rxbuf_check_used(&p, 100, 2, 5) == NK_RXUSED_BAD_MERGE,
          "rxbuf: without MRG_RXBUF num_buffers must be 1");
    uint32_t page = 7, off = 7;
    nk_rxbuf_locate(&p, p.count, &page, &off);
    check(page == 0 && off == 0, "rxbuf: locating a buffer past the plan gives 0");
}

/* One used entry as the device wrote it: the used length and, in the
 * buffer's header, num_buffers (a later buffer of a frame holds payload
 * there, which may look like any count) */
struct used_entry {
    uint32_t len;
    uint32_t num_buffers;
    int frame; /* the frame the entry belongs to (test bookkeeping) */
};

/* The receive drain as rx.c runs it: each frame from its first buffer,
 * refused frames dropped with the buffers nk_rxbuf_drop_count gives;
 * counts the frames taken and dropped, and flags a frame taken whose
 * first buffer was not a frame's first. */
static void drain(const struct nk_rxbuf_plan *p, const struct used_entry *u, uint32_t n,
                  uint32_t *taken, uint32_t *dropped, bool *misread)
{
    uint32_t i = 0;
    *taken = *dropped = 0;
    *misread = false;
    while (i < n) {
        const struct used_entry *e = &u[i];
        uint32_t outstanding = n - i;
        if (nk_rxbuf_check_used(p, e->len, e->num_buffers, outstanding) != NK_RXUSED_OK) {
            i += nk_rxbuf_drop_count(p, e->len, e->num_buffers, outstanding);
            ++*dropped;
            continue;
        }
        if (i > 0 && u[i - 1].frame == e->frame)
            *misread = true; /* a later buffer of a frame taken for a frame */
        i += e->num_buffers;
        ++*taken;
    }
}

/* A merged frame whose first buffer's used length is past its end drops
 * whole: its later buffers are never taken as frames of their own. */
static void drop_whole(void)
{
    struct nk_rxbuf_plan p, s;
    struct nk_rxbuf_in in = input(1500, true, true, 256, 256);
    nk_rxbuf_plan(&in, &p);
    in = input(1500, false, true, 256, 256);
    nk_rxbuf_plan(&in, &s);
    check(nk_rxbuf_drop_count(&p, 0xFFFFFFFFu, 3, 10) == 3 &&
              nk_rxbuf_drop_count(&p, 2049, 2, 10) == 2 &&
              nk_rxbuf_drop_count(&p, 2049, 1, 10) == 1,
          "rxbuf: first buffer past its end with num_buffers 3 / 2 / 1: the frame's 3 / 2 / 1 "
          "buffers dropped");
    check(nk_rxbuf_drop_count(&p, 0xFFFFFFFFu, 0, 10) == 1 &&
              nk_rxbuf_drop_count(&p, 0xFFFFFFFFu, 11, 10) == 1 &&
              nk_rxbuf_drop_count(&p, 0xFFFFFFFFu, p.max_merge + 1, 100) == 1 &&
              nk_rxbuf_drop_count(&p, 11, 3, 10) == 1 && nk_rxbuf_drop_count(&s, 70000, 3, 10) == 1,
          "rxbuf: num_buffers 0, past outstanding or max_merge, a header cut short, no MRG_RXBUF: "
          "the first buffer alone");
    /* Frame 0: 3 buffers, the first's used length past its end; the second
     * holds payload that reads as num_buffers 1; frame 1: one good buffer */
    const struct used_entry ring[] = {{0xFFFFFFFFu, 3, 0}, {2048, 1, 0}, {100, 1, 0}, {100, 1, 1}};
    uint32_t taken, dropped;
    bool misread;
    drain(&p, ring, 4, &taken, &dropped, &misread);
    check(taken == 1 && dropped == 1 && !misread,
          "rxbuf: a 3-buffer frame past its first buffer's end: dropped once, the next frame "
          "taken, no later buffer taken as a frame (taken %u, dropped %u)",
          taken, dropped);
    const struct used_entry more[] = {{2049, 2, 0}, {100, 2, 0}, {60, 1, 1}, {100, 1, 2}};
    drain(&p, more, 4, &taken, &dropped, &misread);
    check(taken == 2 && dropped == 1 && !misread,
          "rxbuf: used length one past the first buffer, num_buffers 2: both buffers dropped");
}

/* Every nk_rxbuf test. */
void test_rxbuf(void)
{
    sizes();
    bounds();
    hostile();
    drop_whole();
}
