/*
 * The API coverage report (make harness-coverage, harness --coverage).
 */
#pragma once

/* Print the table (exit status 0: a report, not a check). */
int vw_coverage_main(const char *out_dir, const char *build_dir);
