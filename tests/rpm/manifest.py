#!/usr/bin/env python3
"""Usage: manifest.py DIR

Prints one line per path under DIR, sorted: "./path link TARGET",
"./path dir MODE" or "./path file MODE SIZE SHA256" (MODE in octal, as
stat %a).  tests/rpm/run.sh compares the staged tree with an RPM's payload
this way; one process instead of a stat and a sha256sum per file (that
loop was two minutes of check-rpm on a loaded machine).
"""
import hashlib
import os
import stat
import sys


def describe(root, rel):
    """One manifest line for ROOT/REL."""
    path = os.path.join(root, rel)
    st = os.lstat(path)
    name = "./" + rel
    if stat.S_ISLNK(st.st_mode):
        return f"{name} link {os.readlink(path)}"
    mode = format(stat.S_IMODE(st.st_mode), "o")
    if stat.S_ISDIR(st.st_mode):
        return f"{name} dir {mode}"
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{name} file {mode} {st.st_size} {digest.hexdigest()}"


def main():
    """Walks DIR (symlinks not followed) and prints the sorted manifest."""
    root = sys.argv[1]
    rels = []
    for top, dirs, files in os.walk(root):
        for n in dirs + files:
            rels.append(os.path.relpath(os.path.join(top, n), root))
    # Byte order, as LC_ALL=C sort.
    for rel in sorted(rels, key=os.fsencode):
        print(describe(root, rel))


if __name__ == "__main__":
    main()
