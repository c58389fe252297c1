/*
 * vwdm: MmMapLockedPagesSpecifyCache(UserMode) under an exception handler
 * (guard.c).  Header-free on purpose: guard.c is compiled for another
 * triple on x86.
 */
#pragma once

/* Maps MDL into the current process (CacheType: a MEMORY_CACHING_TYPE;
 * Priority: MM_PAGE_PRIORITY and MdlMapping* flags), *VA = the address or
 * NULL.  Returns 0, or 1 when the routine raised (the exception is
 * handled; *VA is NULL).  PASSIVE or APC_LEVEL. */
long VwMapLockedPagesUser(void *Mdl, int CacheType, unsigned long Priority, void **Va);
