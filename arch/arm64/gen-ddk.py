#!/usr/bin/python3
"""Generate ARM64-capable copies of mingw-w64's wdm.h and ntddk.h.

mingw-w64 10.0.0 knows x86, amd64, ia64 and 32-bit ARM but stops with
"Unknown Architecture" on ARM64.  ARM64 Windows uses the same LLP64 layout as
amd64, so every rule below only *adds* ARM64 to an amd64/ia64 branch (or adds
an ARM64 branch that includes our own arch header).  On x86 and amd64 the
generated headers therefore preprocess exactly like the originals.

Each rule names the exact text it expects and how many times; if the installed
headers differ (another mingw-w64 version) the script stops with an error
instead of producing a silently wrong layout.  Usage:
    gen-ddk.py <mingw ddk include dir> <output dir>
"""
import os
import sys
import tempfile

ARM64 = "defined(_ARM64_)"

# (file, expected text, replacement, expected count)
RULES = [
    # 1. Architecture chains: our own arch headers, before the 32-bit ARM branch.
    ("wdm.h", "#elif defined(_M_ARM)\n#include <armddk.h>",
     "#elif defined(_M_ARM64)\n#include <arm64/arm64ddk.h>\n#elif defined(_M_ARM)\n#include <armddk.h>", 1),
    ("ntddk.h", "#elif defined(_M_ARM)\n#else\n#error Unknown Architecture",
     "#elif defined(_M_ARM64)\n#include <arm64/arm64ntddk.h>\n#elif defined(_M_ARM)\n#else\n#error Unknown Architecture", 1),
    # 2. 64-bit layout.  Without these IO_STACK_LOCATION is packed to 4 bytes
    #    (0x44 instead of 0x48) and IRP stacks are silently corrupted.
    ("wdm.h", "#if !defined(_AMD64_) && !defined(_IA64_)\n",
     "#if !defined(_AMD64_) && !defined(_IA64_) && !defined(_ARM64_)\n", 5),
    ("wdm.h", "#if defined(_AMD64_) || defined(_IA64_)\n",
     "#if defined(_AMD64_) || defined(_IA64_) || defined(_ARM64_)\n", 2),
    ("ntddk.h", "#if defined(_AMD64_) || defined(_IA64_)\n",
     "#if defined(_AMD64_) || defined(_IA64_) || defined(_ARM64_)\n", 1),
    ("wdm.h", "    ((defined(_M_AMD64) || defined(_M_IA64)) \\\n",
     "    ((defined(_M_AMD64) || defined(_M_IA64) || defined(_M_ARM64)) \\\n", 1),
    ("ntddk.h", "#if (defined(_M_AMD64) || defined(_M_IA64)) && !defined(_REALLY_GET_CALLERS_CALLER_)",
     "#if (defined(_M_AMD64) || defined(_M_IA64) || defined(_M_ARM64)) && !defined(_REALLY_GET_CALLERS_CALLER_)", 1),
    ("wdm.h", "#if defined(_AMD64_)\n\ntypedef ULONG64 KSPIN_LOCK_QUEUE_NUMBER;",
     "#if defined(_AMD64_) || defined(_ARM64_)\n\ntypedef ULONG64 KSPIN_LOCK_QUEUE_NUMBER;", 1),
    ("wdm.h", "# if defined(_AMD64_)\n  _ANONYMOUS_UNION union {\n    BOOLEAN Busy;",
     "# if defined(_AMD64_) || defined(_ARM64_)\n  _ANONYMOUS_UNION union {\n    BOOLEAN Busy;", 1),
    # 3. Interlocked*: map to the compiler intrinsics as on amd64 (clang
    #    implements them with LL/SC or LSE atomics on ARM64).
    ("wdm.h", "#ifdef _M_AMD64\n#define BitTest64 _bittest64",
     "#if defined(_M_AMD64) || defined(_M_ARM64)\n#define BitTest64 _bittest64", 1),
    ("wdm.h", "#if defined (_M_AMD64)\n\n#define InterlockedExchangeAddSizeT",
     "#if defined (_M_AMD64) || defined(_M_ARM64)\n\n#define InterlockedExchangeAddSizeT", 1),
    # 4. The NTHALAPI port/register prototypes are for x86; ARM64 has no port
    #    space and its register accessors are inline (arm64ddk.h).
    #    The amd64 #else branch uses x86 string intrinsics, so ARM64 must skip
    #    both branches.
    ("wdm.h", "#if !defined(_M_AMD64)\nNTHALAPI\nVOID\nNTAPI\nREAD_PORT_BUFFER_UCHAR(",
     "#if defined(_M_ARM64)\n/* arm64/arm64ddk.h */\n#elif !defined(_M_AMD64)\nNTHALAPI\nVOID\nNTAPI\nREAD_PORT_BUFFER_UCHAR(", 1),
    ("ntddk.h", "#if defined(_M_IX86) || defined(_M_AMD64)\n#define HalGetDmaAlignmentRequirement() 1L",
     "#if defined(_M_IX86) || defined(_M_AMD64) || defined(_M_ARM64)\n#define HalGetDmaAlignmentRequirement() 1L", 1),
]

BANNER = ("/* Generated at build time by arch/arm64/gen-ddk.py from the installed\n"
          " * mingw-w64 header of the same name; do not edit or commit. */\n")


def transform(name, text):
    for fname, old, new, count in RULES:
        if fname != name:
            continue
        found = text.count(old)
        if found != count:
            sys.exit("gen-ddk: %s: expected %d occurrence(s) of %r, found %d "
                     "(unsupported mingw-w64 version?)" % (name, count, old.splitlines()[0], found))
        text = text.replace(old, new)
    return BANNER + text


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen-ddk.py <mingw ddk include dir> <output dir>")
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    results = {}
    for name in ("wdm.h", "ntddk.h"):
        with open(os.path.join(src, name), encoding="latin-1", newline="") as f:
            results[name] = transform(name, f.read())
    # Write only when every rule matched, each file atomically.
    for name, text in results.items():
        fd, tmp = tempfile.mkstemp(dir=out)
        with os.fdopen(fd, "w", encoding="latin-1", newline="") as f:
            f.write(text)
        os.replace(tmp, os.path.join(out, name))


if __name__ == "__main__":
    main()
