/*
 * vmodel_blk.c - virtio-blk requests against a file (see vmodel_blk.h).
 */
#include "vmodel_blk.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define RANGE_LEN                 16u
#define VIRTIO_BLK_S_OK           0
#define VIRTIO_BLK_S_IOERR        1
#define VIRTIO_BLK_S_UNSUPP       2
#define HDR_LEN                   16u

int vmodel_blk_open(struct vmodel_blk *b, const char *path, bool read_only)
{
    struct stat st;

    memset(b, 0, sizeof(*b));
    b->fd = open(path, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (b->fd < 0)
        return -1;
    if (fstat(b->fd, &st) != 0 || st.st_size < 0) {
        close(b->fd);
        b->fd = -1;
        return -1;
    }
    b->read_only = read_only;
    b->sectors = (uint64_t)st.st_size / VMODEL_BLK_SECTOR;
    memcpy(b->id, "vmodel-blk", sizeof("vmodel-blk"));
    return 0;
}

void vmodel_blk_close(struct vmodel_blk *b)
{
    if (b->fd >= 0)
        close(b->fd);
    b->fd = -1;
}

void vmodel_blk_config(const struct vmodel_blk *b, struct vmodel *m)
{
    uint8_t cap[8];

    for (unsigned i = 0; i < 8; i++)
        cap[i] = (uint8_t)(b->sectors >> (8 * i));
    vmodel_set_device_cfg(m, 0, cap, sizeof(cap));
}

/* A byte stream over the readable or the writable segments of a request. */
struct stream {
    const struct vmodel_req *req;
    bool write;
    unsigned seg;
    uint32_t off;
};

static uint32_t stream_copy(struct stream *s, uint8_t *to, const uint8_t *from, uint32_t len)
{
    uint32_t done = 0;

    while (done < len && s->seg < s->req->nsegs) {
        const struct vmodel_seg *g = &s->req->segs[s->seg];
        if (g->write != s->write || s->off == g->len) {
            s->seg++;
            s->off = 0;
            continue;
        }
        uint32_t n = g->len - s->off;
        if (n > len - done)
            n = len - done;
        if (to != NULL)
            memcpy(to + done, (uint8_t *)g->va + s->off, n);
        else
            memcpy((uint8_t *)g->va + s->off, from + done, n);
        s->off += n;
        done += n;
    }
    return done;
}

/* The last writable byte of the request: the status. */
static uint8_t *status_byte(const struct vmodel_req *req)
{
    for (unsigned i = req->nsegs; i-- > 0;)
        if (req->segs[i].write && req->segs[i].len > 0)
            return (uint8_t *)req->segs[i].va + req->segs[i].len - 1;
    return NULL;
}

static uint8_t do_rw(struct vmodel_blk *b, const struct vmodel_req *req, uint32_t type,
                     uint64_t sector, uint32_t *written)
{
    uint8_t buf[VMODEL_BLK_SECTOR];
    bool in = type == VIRTIO_BLK_T_IN;
    uint32_t len = in ? req->in_len - 1 : req->out_len - HDR_LEN;
    struct stream s = {req, in, 0, 0};

    if (!in) {
        /* Skip the header in the readable stream */
        uint8_t hdr[HDR_LEN];
        stream_copy(&s, hdr, NULL, HDR_LEN);
    }
    if (len % VMODEL_BLK_SECTOR != 0 || sector > b->sectors ||
        len / VMODEL_BLK_SECTOR > b->sectors - sector || (!in && b->read_only))
        return VIRTIO_BLK_S_IOERR;
    for (uint32_t done = 0; done < len; done += VMODEL_BLK_SECTOR) {
        off_t at = (off_t)((sector * VMODEL_BLK_SECTOR) + done);
        if (in) {
            if (pread(b->fd, buf, VMODEL_BLK_SECTOR, at) != VMODEL_BLK_SECTOR)
                return VIRTIO_BLK_S_IOERR;
            stream_copy(&s, NULL, buf, VMODEL_BLK_SECTOR);
            *written += VMODEL_BLK_SECTOR;
        } else {
            stream_copy(&s, buf, NULL, VMODEL_BLK_SECTOR);
            if (pwrite(b->fd, buf, VMODEL_BLK_SECTOR, at) != VMODEL_BLK_SECTOR)
                return VIRTIO_BLK_S_IOERR;
        }
    }
    if (in)
        b->reads++;
    else
        b->writes++;
    return VIRTIO_BLK_S_OK;
}

/* DISCARD / WRITE_ZEROES: 16-byte ranges after the header, each in the
 * capacity; write-zeroes ranges are zeroed in the file. */
static uint8_t do_ranges(struct vmodel_blk *b, const struct vmodel_req *req, uint32_t type)
{
    uint32_t len = req->out_len - HDR_LEN;
    struct stream s = {req, false, 0, 0};
    uint8_t hdr[HDR_LEN], r[RANGE_LEN], zero[VMODEL_BLK_SECTOR] = {0};

    stream_copy(&s, hdr, NULL, HDR_LEN);
    if (len == 0 || len % RANGE_LEN != 0 || b->read_only)
        return VIRTIO_BLK_S_IOERR;
    for (uint32_t off = 0; off < len; off += RANGE_LEN) {
        stream_copy(&s, r, NULL, RANGE_LEN);
        uint64_t sector = 0;
        uint32_t n = 0, flags = 0;
        for (unsigned i = 0; i < 8; i++)
            sector |= (uint64_t)r[i] << (8 * i);
        for (unsigned i = 0; i < 4; i++) {
            n |= (uint32_t)r[8 + i] << (8 * i);
            flags |= (uint32_t)r[12 + i] << (8 * i);
        }
        if (sector > b->sectors || n > b->sectors - sector)
            return VIRTIO_BLK_S_IOERR;
        if (b->nranges < VMODEL_BLK_RANGES)
            b->ranges[b->nranges] = (struct vmodel_blk_range){type, sector, n, flags};
        b->nranges++;
        for (uint32_t i = 0; type == VIRTIO_BLK_T_WRITE_ZEROES && i < n; i++)
            if (pwrite(b->fd, zero, VMODEL_BLK_SECTOR, (off_t)((sector + i) * VMODEL_BLK_SECTOR)) !=
                VMODEL_BLK_SECTOR)
                return VIRTIO_BLK_S_IOERR;
    }
    if (type == VIRTIO_BLK_T_DISCARD)
        b->discards++;
    else
        b->write_zeroes++;
    return VIRTIO_BLK_S_OK;
}

uint32_t vmodel_blk_handler(void *ctx, const struct vmodel_req *req)
{
    struct vmodel_blk *b = ctx;
    uint8_t hdr[HDR_LEN], *status = status_byte(req), st;
    struct stream s = {req, false, 0, 0};
    uint32_t written = 0;

    if (status == NULL) {
        b->errors++; /* nowhere to say so */
        return 0;
    }
    if (req->out_len < HDR_LEN || stream_copy(&s, hdr, NULL, HDR_LEN) != HDR_LEN) {
        b->errors++;
        *status = VIRTIO_BLK_S_IOERR;
        return 1;
    }
    uint32_t type =
        (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 | (uint32_t)hdr[3] << 24;
    uint64_t sector = 0;
    for (unsigned i = 0; i < 8; i++)
        sector |= (uint64_t)hdr[8 + i] << (8 * i);

    if (b->fault_count != 0 && type != VIRTIO_BLK_T_GET_ID) {
        b->fault_count--;
        b->faults++;
        *status = b->fault_status;
        return 1;
    }
    switch (type) {
    case VIRTIO_BLK_T_IN:
    case VIRTIO_BLK_T_OUT:
        st = do_rw(b, req, type, sector, &written);
        if (st == VIRTIO_BLK_S_OK && type == VIRTIO_BLK_T_IN && b->short_count != 0) {
            b->short_count--;
            b->faults++;
            written = 0; /* the data arrived, the length says it did not */
        }
        break;
    case VIRTIO_BLK_T_DISCARD:
    case VIRTIO_BLK_T_WRITE_ZEROES:
        if ((type == VIRTIO_BLK_T_DISCARD && !b->discard_ok) ||
            (type == VIRTIO_BLK_T_WRITE_ZEROES && !b->write_zeroes_ok)) {
            st = VIRTIO_BLK_S_UNSUPP;
            b->unsupported++;
            break;
        }
        st = do_ranges(b, req, type);
        break;
    case VIRTIO_BLK_T_FLUSH:
        st = fsync(b->fd) == 0 || b->read_only ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
        b->flushes++;
        break;
    case VIRTIO_BLK_T_GET_ID: {
        struct stream w = {req, true, 0, 0};
        uint32_t n = req->in_len - 1 < VMODEL_BLK_ID_LEN ? req->in_len - 1 : VMODEL_BLK_ID_LEN;
        written = stream_copy(&w, NULL, (const uint8_t *)b->id, n);
        st = VIRTIO_BLK_S_OK;
        b->ids++;
        break;
    }
    default:
        st = VIRTIO_BLK_S_UNSUPP;
        b->unsupported++;
        break;
    }
    if (st == VIRTIO_BLK_S_IOERR) {
        b->errors++;
        written = 0;
    }
    *status = st;
    return written + 1;
}
