/*
 * tgt_fixture.h - a private tgt (Linux SCSI target daemon) for a test: tgtd
 * in the foreground on 127.0.0.1 with an unused iSCSI port and its own
 * control port (so its management socket, /var/run/tgtd/socket.N, is its
 * own and several instances run at once), targets and file-backed LUNs made
 * with tgtadm, every step bounded in time, stopped by PID.  A missing or
 * failing tgtd is an error the caller reports as a failure.
 */
#ifndef TGT_FIXTURE_H
#define TGT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tgt_fixture {
    pid_t pid;
    int port;    /* iSCSI portal port on 127.0.0.1 */
    int control; /* tgtd -C / tgtadm -C: 1..32767, management socket socket.N */
    int min_tid; /* targets min_tid..max_tid were made (tgt_stop deletes them first) */
    int max_tid;
    int borrowed;    /* another process's tgtd (tgt_borrow): tgt_stop leaves it running */
    char portal[32]; /* "127.0.0.1:PORT" */
    char dir[200];   /* backing files and tgtd.log */
    char err[1024];  /* what failed */
};

/** Start tgtd (TGTD in the environment overrides /usr/sbin/tgtd) with files under DIR */
int tgt_start(struct tgt_fixture *f, const char *dir);
/** Stop it: tgtadm --mode system --op delete (tgtd ignores SIGTERM), bounded wait, SIGKILL;
 *  removes its control socket and DIR's files (TGT_KEEP=1 keeps them) */
void tgt_stop(struct tgt_fixture *f);
/** Use SHARED's tgtd (started by another process, e.g. the harness runner) in MINE, with
 *  backing files under DIR; tgt_stop(MINE) deletes the targets made through MINE and its
 *  files, and leaves tgtd to its owner */
int tgt_borrow(const struct tgt_fixture *shared, struct tgt_fixture *mine, const char *dir);
/** A target TID named IQN that any initiator address may log in to */
int tgt_add_target(struct tgt_fixture *f, int tid, const char *iqn);
/** A LUN backed by DIR/NAME of BYTES (created, zero-filled, sparse); THIN: UNMAP punches holes */
int tgt_add_lun(struct tgt_fixture *f, int tid, int lun, const char *name, uint64_t bytes,
                int thin);
int tgt_del_lun(struct tgt_fixture *f, int tid, int lun);
/** Delete target TID and its LUNs (logged-in sessions are ended) */
int tgt_del_target(struct tgt_fixture *f, int tid);
/** The path of backing file NAME */
void tgt_path(const struct tgt_fixture *f, const char *name, char *out, size_t len);

#endif /* TGT_FIXTURE_H */
