#!/usr/bin/env python3
"""No path of one build machine in the tree's text: a home directory, root's
home, a work folder at the root, or a fixed name under /tmp.  Such a path
works on the machine that wrote it and nowhere else (a fresh Debian machine,
the source tarball unpacked elsewhere, another user).

Usage: tests/style/paths.py FILE...
Prints "file:line: machine path P" per finding and exits 1 when there is one.
Allowed: mktemp templates (/tmp/name.XXXXXX make a fresh name each time).
"""
import re
import sys

# Built from pieces so that this file does not match itself.
ROOTS = "|".join(("ho" + "me", "ro" + "ot", "wo" + "rk"))
MACHINE = re.compile(r"(?<![\w.~$-])/(?:%s)/[\w.-]*" % ROOTS)
TMP = re.compile(r"(?<![\w.~$}-])/t" + r"mp/[\w.-]+")


def findings(line):
    """The machine paths on one line."""
    found = [m.group(0).rstrip(".") for m in MACHINE.finditer(line)]
    found += [m.group(0).rstrip(".") for m in TMP.finditer(line) if "XXXXXX" not in m.group(0)]
    return found


def main(files):
    """Check every text file named; binary files are skipped."""
    bad = 0
    for path in files:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("%s: cannot read: %s" % (path, e))
            bad += 1
            continue
        if b"\0" in data:
            continue
        for n, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
            for p in findings(line):
                print("%s:%d: machine path %s (use a path relative to the tree, $(B), or mktemp)"
                      % (path, n, p))
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
