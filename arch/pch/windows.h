/*
 * The header set precompiled for user-mode sources (GNUmakefile: PCH): the
 * DLLs, the guest agent and its VSS provider.  arch/pch/uuses.py decides
 * which sources take it: those that include <windows.h> before anything
 * that could change what it declares.
 */
#include <windows.h>
