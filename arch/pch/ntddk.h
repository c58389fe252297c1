/*
 * The header set precompiled once per architecture (GNUmakefile: PCH): the
 * one every kernel-mode source that includes a Windows header reaches,
 * directly or through <ntifs.h> (arch/pch/kuses.py decides which sources).
 * Nothing may precede it that changes what it declares: a source is
 * compiled as if it began with this file.
 */
#include <ntddk.h>
