#!/usr/bin/python3
"""Which user-mode sources take the precompiled <windows.h> (arch/pch/).

Usage: uuses.py OUT.mk DEPS -I DIR [-I DIR ...] SOURCE.c ...

DEPS: clang's -M outputs for arch/pch/windows.h (the headers <windows.h>
reads), one per arch.  A source takes the PCH when, read in include order (its own
headers followed as clang finds them), <windows.h> comes before anything
that could change what it declares: before any system header but the C
headers of BENIGN, and before any #define of a macro that one of those
headers tests in an #if (include guards aside).  So a source that includes
<initguid.h> or <winsock2.h> first, or defines COBJMACROS, is compiled as
it is.  Writes OUT.mk: UPCH_SRCS and OUT.mk's own dependencies, like
kuses.py.  The outputs with and without were compared (README).
"""

import re
import sys

from kuses import INCLUDE, resolve, split_args, write_uses

BENIGN = {"stdarg.h", "stdbool.h", "stddef.h", "stdint.h", "string.h"}
DIRECTIVE = re.compile(r'^\s*#\s*(include|define|ifndef|if|elif|ifdef)\b(.*)$', re.M)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

FOUND, STOP, GO_ON = "found", "stop", "go on"


def tested_macros(deps):
    """Every identifier an #if, #ifdef, #ifndef or #elif of those headers reads."""
    with open(deps, encoding="utf-8") as f:
        words = f.read().replace("\\\n", " ").split()
    names = [w for w in words if not w.endswith(":")]
    tested = set()
    for name in names:
        with open(name, encoding="utf-8", errors="replace") as f:
            for kind, rest in DIRECTIVE.findall(f.read()):
                if kind in ("if", "elif", "ifdef", "ifndef"):
                    tested.update(IDENT.findall(rest))
    return tested


def walk(src, dirs, tested, seen, visited):
    """FOUND when <windows.h> comes first, STOP when something else does."""
    if src in visited:
        return GO_ON  # guarded: its second inclusion adds nothing
    visited.add(src)
    seen.add(src)
    with open(src, encoding="utf-8", errors="replace") as f:
        text = f.read()
    guard = None
    for kind, rest in DIRECTIVE.findall(text):
        if kind == "include":
            m = INCLUDE.match("#include" + rest)
            if not m:
                return STOP
            quoted, name = m.group(1) == '"', m.group(2)
            path = resolve(name, quoted, src.rsplit("/", 1)[0] if "/" in src else ".", dirs)
            if path is None:
                if name == "windows.h":
                    return FOUND
                if name not in BENIGN:
                    return STOP
                continue
            result = walk(path, dirs, tested, seen, visited)
            if result != GO_ON:
                return result
        elif kind == "define":
            name = IDENT.match(rest.strip())
            if name and name.group(0) != guard and name.group(0) in tested:
                return STOP
        guard = IDENT.match(rest.strip()).group(0) if kind == "ifndef" else None
    return GO_ON


def main(argv):
    out, deps = argv[1], argv[2]
    dirs, srcs = split_args(argv[3:])
    tested = tested_macros(deps)
    seen = set()
    uses = sorted(s for s in set(srcs) if walk(s, dirs, tested, seen, set()) == FOUND)
    write_uses(out, "uuses.py", "UPCH_SRCS", "the user-mode PCH", uses, sorted(seen))


if __name__ == "__main__":
    main(sys.argv)
