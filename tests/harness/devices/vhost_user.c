/*
 * vhost-user front end (see vhost_user.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "vhost_user.h"

enum {
    GET_FEATURES = 1,
    SET_FEATURES = 2,
    SET_OWNER = 3,
    SET_MEM_TABLE = 5,
    SET_VRING_NUM = 8,
    SET_VRING_ADDR = 9,
    SET_VRING_BASE = 10,
    GET_VRING_BASE = 11,
    SET_VRING_KICK = 12,
    SET_VRING_CALL = 13,
    GET_PROTOCOL_FEATURES = 15,
    SET_PROTOCOL_FEATURES = 16,
    GET_QUEUE_NUM = 17,
    SET_VRING_ENABLE = 18,
    GET_CONFIG = 24,
    RESET_DEVICE = 34,
};

#define FLAG_VERSION    0x1u
#define FLAG_REPLY      0x4u
#define FLAG_NEED_REPLY 0x8u
/* How long a reply may take in real time before the back end counts as
 * hung: dev_vhost.h's VW_VHOST_HANG_MS.  Nothing runs in virtual time
 * while the front end waits, and on a loaded host a polling back end's
 * control thread answers late (testpmd took over 5 s, the old bound). */
#define REPLY_TIMEOUT_MS 30000
/* Packed rings start with both wrap counters at 1 (bit 15 of the base). */
#define PACKED_WRAP_BIT 0x8000u

struct header {
    uint32_t request, flags, size;
};

static bool fail(struct vw_vhost *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->error, sizeof(v->error), fmt, ap);
    va_end(ap);
    return false;
}

static bool send_flags(struct vw_vhost *v, uint32_t request, uint32_t flags, const void *payload,
                       uint32_t size, const int *fds, unsigned nfds)
{
    struct header h = {request, FLAG_VERSION | flags, size};
    struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)payload, size}};
    union {
        char buf[CMSG_SPACE(8 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = size ? 2 : 1};
    if (nfds > 0) {
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    ssize_t n = sendmsg(v->sock, &msg, MSG_NOSIGNAL);
    if (n != (ssize_t)(sizeof(h) + size))
        return fail(v, "vhost-user: sending request %u: %s", request, strerror(errno));
    v->requests++;
    return true;
}

/* Read LEN bytes of the reply to REQUEST, waiting the reply bound at most
 * for each part. */
static bool read_full(struct vw_vhost *v, void *buf, size_t len, uint32_t request)
{
    uint8_t *p = buf;
    unsigned bound = v->reply_ms ? v->reply_ms : REPLY_TIMEOUT_MS;
    while (len > 0) {
        struct pollfd pfd = {v->sock, POLLIN, 0};
        int r = poll(&pfd, 1, (int)bound);
        if (r < 0 && errno == EINTR)
            continue;
        if (r != 1)
            return fail(v,
                        "vhost-user: no reply from the back end to request %u in %u ms of real "
                        "time: it hangs",
                        request, bound);
        ssize_t n = read(v->sock, p, len);
        if (n <= 0)
            return fail(v, "vhost-user: back end closed the connection");
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool recv_reply(struct vw_vhost *v, uint32_t request, void *payload, uint32_t size)
{
    struct header h;
    if (!read_full(v, &h, sizeof(h), request))
        return false;
    if (h.request != request || !(h.flags & FLAG_REPLY) || h.size != size)
        return fail(v, "vhost-user: unexpected reply %u (flags 0x%x, %u bytes) to request %u",
                    h.request, h.flags, h.size, request);
    return read_full(v, payload, size, request);
}

/* A request without a reply of its own: with REPLY_ACK the back end
 * acknowledges it, and a non-zero acknowledgement is its refusal. */
static bool send_msg(struct vw_vhost *v, uint32_t request, const void *payload, uint32_t size,
                     const int *fds, unsigned nfds)
{
    bool ack = vw_vhost_has(v, VHOST_USER_PROTO_REPLY_ACK);
    if (!send_flags(v, request, ack ? FLAG_NEED_REPLY : 0, payload, size, fds, nfds))
        return false;
    uint64_t status = 0;
    if (ack && !recv_reply(v, request, &status, 8))
        return false;
    if (status != 0)
        return fail(v, "vhost-user: the back end refused request %u (status %llu)", request,
                    (unsigned long long)status);
    return true;
}

/* A request with a reply of its own (no acknowledgement asked for). */
static bool ask(struct vw_vhost *v, uint32_t request, const void *payload, uint32_t size,
                void *reply, uint32_t reply_size)
{
    return send_flags(v, request, 0, payload, size, NULL, 0) &&
           recv_reply(v, request, reply, reply_size);
}

static bool get_u64(struct vw_vhost *v, uint32_t request, uint64_t *value)
{
    return ask(v, request, NULL, 0, value, 8);
}

/* A u64 request, with FD attached when FD >= 0. */
static bool set_u64(struct vw_vhost *v, uint32_t request, uint64_t value, int fd)
{
    return send_msg(v, request, &value, 8, &fd, fd >= 0 ? 1 : 0);
}

bool vw_vhost_connect(struct vw_vhost *v, const char *path, unsigned timeout_ms)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memset(v, 0, sizeof(*v));
    if (strlen(path) >= sizeof(addr.sun_path))
        return fail(v, "vhost-user: socket path too long");
    strcpy(addr.sun_path, path);
    for (unsigned waited = 0;; waited += 10) {
        v->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (v->sock < 0)
            return fail(v, "vhost-user: socket: %s", strerror(errno));
        if (connect(v->sock, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return true;
        close(v->sock);
        v->sock = -1;
        if (waited >= timeout_ms)
            return fail(v, "vhost-user: cannot connect to %s: %s", path, strerror(errno));
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
}

void vw_vhost_close(struct vw_vhost *v)
{
    if (v->sock >= 0)
        close(v->sock);
    v->sock = -1;
}

bool vw_vhost_handshake(struct vw_vhost *v)
{
    const uint64_t wanted = 1ull << VHOST_USER_PROTO_MQ | 1ull << VHOST_USER_PROTO_REPLY_ACK |
                            1ull << VHOST_USER_PROTO_CONFIG | 1ull << VHOST_USER_PROTO_RESET_DEVICE;
    if (!get_u64(v, GET_FEATURES, &v->features))
        return false;
    if (v->features >> VHOST_USER_F_PROTOCOL_FEATURES & 1) {
        uint64_t offered;
        if (!get_u64(v, GET_PROTOCOL_FEATURES, &offered))
            return false;
        /* Acknowledgements start after SET_PROTOCOL_FEATURES itself. */
        uint64_t negotiated = offered & wanted;
        if (!send_flags(v, SET_PROTOCOL_FEATURES, 0, &negotiated, 8, NULL, 0))
            return false;
        v->protocol_features = negotiated;
        if (vw_vhost_has(v, VHOST_USER_PROTO_MQ) && !get_u64(v, GET_QUEUE_NUM, &v->queue_num))
            return false;
    }
    return send_msg(v, SET_OWNER, NULL, 0, NULL, 0);
}

bool vw_vhost_get_config(struct vw_vhost *v, void *buf, uint32_t len)
{
    struct {
        uint32_t offset, size, flags;
        uint8_t data[256];
    } cfg = {0, len, 0, {0}};
    if (!vw_vhost_has(v, VHOST_USER_PROTO_CONFIG) || len > sizeof(cfg.data))
        return fail(v, "vhost-user: the back end offers no configuration space");
    if (!ask(v, GET_CONFIG, &cfg, 12 + len, &cfg, 12 + len))
        return false;
    memcpy(buf, cfg.data, len);
    return true;
}

bool vw_vhost_set_features(struct vw_vhost *v, uint64_t features)
{
    if (v->features >> VHOST_USER_F_PROTOCOL_FEATURES & 1)
        features |= 1ull << VHOST_USER_F_PROTOCOL_FEATURES;
    return set_u64(v, SET_FEATURES, features, -1);
}

bool vw_vhost_set_mem_table(struct vw_vhost *v, int fd, uint64_t size, const void *host)
{
    struct {
        uint32_t nregions, padding;
        uint64_t guest_phys_addr, memory_size, userspace_addr, mmap_offset;
    } table = {1, 0, 0, size, (uint64_t)(uintptr_t)host, 0};
    return send_msg(v, SET_MEM_TABLE, &table, sizeof(table), &fd, 1);
}

bool vw_vhost_start_queue(struct vw_vhost *v, const struct vw_vhost_ring *r)
{
    struct {
        uint32_t index, num;
    } state = {r->index, r->num}, base = {r->index, r->packed ? PACKED_WRAP_BIT : 0},
      enable = {r->index, 1};
    /* The back end's field names are the split ring's: for a packed ring
     * "avail" is the driver event area and "used" the device event area. */
    struct {
        uint32_t index, flags;
        uint64_t desc, used, avail, log;
    } addr = {r->index,
              0,
              (uint64_t)(uintptr_t)r->desc,
              (uint64_t)(uintptr_t)r->device,
              (uint64_t)(uintptr_t)r->driver,
              0};
    bool ok = send_msg(v, SET_VRING_NUM, &state, sizeof(state), NULL, 0) &&
              send_msg(v, SET_VRING_ADDR, &addr, sizeof(addr), NULL, 0) &&
              send_msg(v, SET_VRING_BASE, &base, sizeof(base), NULL, 0) &&
              set_u64(v, SET_VRING_KICK, r->index, r->kick) &&
              set_u64(v, SET_VRING_CALL, r->index, r->call);
    if (ok && (v->features >> VHOST_USER_F_PROTOCOL_FEATURES & 1))
        ok = send_msg(v, SET_VRING_ENABLE, &enable, sizeof(enable), NULL, 0);
    /* Without REPLY_ACK, a request with a reply shows that everything
     * before it has been processed. */
    uint64_t dummy;
    return ok && (vw_vhost_has(v, VHOST_USER_PROTO_REPLY_ACK) || get_u64(v, GET_FEATURES, &dummy));
}

bool vw_vhost_stop_queue(struct vw_vhost *v, unsigned index, uint32_t *base)
{
    struct {
        uint32_t index, num;
    } state = {index, 0};
    if (!ask(v, GET_VRING_BASE, &state, sizeof(state), &state, sizeof(state)))
        return false;
    if (state.index != index)
        return fail(v, "vhost-user: GET_VRING_BASE answered for queue %u, not %u", state.index,
                    index);
    *base = state.num;
    return true;
}

bool vw_vhost_reset(struct vw_vhost *v)
{
    if (!vw_vhost_has(v, VHOST_USER_PROTO_RESET_DEVICE))
        return true;
    return send_msg(v, RESET_DEVICE, NULL, 0, NULL, 0);
}
