/*
 * vtest.h - minimal unit-test helpers: CHECK() records a failure and
 * returns from the test; the runner prints "N passed, N failed".
 */
#ifndef VTEST_H
#define VTEST_H

#include <stdio.h>

extern unsigned vtest_failed_checks;
extern const char *vtest_current;

void vtest_fail(const char *file, int line, const char *expr);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            vtest_fail(__FILE__, __LINE__, #cond);                                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        if (va_ != vb_) {                                                                          \
            fprintf(stderr, "  %s = %lld, %s = %lld\n", #a, va_, #b, vb_);                         \
            vtest_fail(__FILE__, __LINE__, #a " == " #b);                                          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

struct vtest {
    const char *name;
    void (*fn)(void);
};

/* Runs every test of the N NULL-terminated TABLES (only those whose name
 * contains argv[1] when given), prints "ok"/"FAIL" per test and the
 * "N passed, N failed" line; returns main's exit status. */
int vtest_run(int argc, char **argv, const struct vtest *const *tables, unsigned n);

/* Each test file exports a NULL-terminated table */
extern const struct vtest vtest_ring[];
extern const struct vtest vtest_transport[];
extern const struct vtest vtest_harden[];
extern const struct vtest vtest_req[];
extern const struct vtest vtest_packed_ooo[];

#endif /* VTEST_H */
