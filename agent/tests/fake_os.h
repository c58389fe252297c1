/* The fake OS layer the host tests run the agent's commands against. */
#ifndef GA_FAKE_OS_H
#define GA_FAKE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_os {
    int64_t now_ns, set_ns;
    bool deny_set_time;
    int open_files, open_procs; /* what the agent still holds */
    int shutdowns, suspends;
    char password[64];
    const char *last_shutdown;
    /* The storage descriptor disk 0 answers with (raw, as the device
     * sends it), the output defrag gives, or why it could not run. */
    const unsigned char *disk_desc;
    size_t disk_desc_len;
    const char *trim_output;
    size_t trim_len;
    const char *trim_start_error;
    bool exec_never_exits; /* processes stay running */
    int ssh_writes;        /* key files written */
    bool ssh_write_fails;  /* the next write fails (disk full) */
    bool second_volume;    /* D:\\data\\ is mounted besides C:\\ */
    /* VSS: what the fake holds, what it was asked, how it answers. */
    int vss_held;                 /* volumes frozen now */
    int vss_freezes, vss_thaws;   /* calls */
    int vss_double_freezes;       /* a freeze while already held (a bug) */
    char vss_last[512];           /* volumes of the last freeze, '|'-joined; "*": all */
    unsigned vss_fixed;           /* fixed volumes a full freeze finds (set by reset: 1) */
    const char *vss_freeze_error; /* the freeze fails with this text */
    bool vss_hold_times_out;      /* VSS ends the hold before thaw */
    const char *vss_thaw_error;   /* thaw fails with this text */
};
extern struct fake_os fake;

/* Creates a fake file with the given content. */
void fake_file_put(const char *path, const char *data, size_t len);
void fake_reset(void);

#endif
