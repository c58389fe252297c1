/*
 * The runner's resident pages that hold only zeros, given back to the
 * kernel (madvise MADV_DONTNEED: they read as zero again, unchanged) before
 * it forks runs.  A forked run's first write to a page it shares with the
 * runner copies the page and flushes the TLB; to a page never there it only
 * takes a zeroed one, which costs less.  The templates (vm.h) leave much
 * memory zeroed that a run then writes (unicorn's translation-block hash).
 */
#pragma once
#include <stddef.h>

/* Release them (only while the process has one thread); how many pages
 * were. */
size_t vw_release_zero_pages(void);
