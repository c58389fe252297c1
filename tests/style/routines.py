#!/usr/bin/env python3
"""Every routine of the product C has a comment directly above it saying
what it is for; in kernel-mode code the comment also states its IRQL.

Usage: tests/style/routines.py [--count] [--kernel] FILE...
  --kernel  treat every FILE as kernel-mode (planted files); otherwise the
            path decides (kernel_mode below).
  --count   print how many routines were found and how many pass.
Prints "file:line: routine NAME: what is missing" per failure and exits 1
when there is one.

The rule, kept simple so that anyone can follow it (README.md, Style):
- A routine is a definition whose opening brace stands alone at column 0
  (clang-format's Linux brace style puts it there and nowhere else).
- The line right above its first signature line ends a comment (/* ... */
  or // lines): no blank line, no #endif, no declaration in between.
- The comment has at least three words.
- Kernel-mode code: the comment says "IRQL: X" or "IRQL <= X", X one of
  PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, DIRQL, HIGH_LEVEL, or
  "IRQL: any" (touches nothing IRQL-bound: runs at its caller's IRQL).
"""
import re
import sys

IRQL = re.compile(r"IRQL(:\s*(PASSIVE_LEVEL|APC_LEVEL|DISPATCH_LEVEL|DIRQL|HIGH_LEVEL|any)"
                  r"|\s*<=\s*(APC_LEVEL|DISPATCH_LEVEL|DIRQL))\b")
NOT_NAMES = {"__attribute__", "__declspec", "_Pragma", "__cdecl", "__stdcall", "__fastcall"}

# User-mode code that lives beside the kernel-mode code.
USER_MODE = ("drivers/viorng/cng/", "common/runtime/dllentry.c")
KERNEL_MODE = ("drivers/", "common/wdm/", "common/virtio/", "common/runtime/", "common/include/")


def kernel_mode(path):
    """True for files whose routines run in the kernel."""
    path = path.lstrip("./")
    if any(path.startswith(u) for u in USER_MODE):
        return False
    return any(path.startswith(k) for k in KERNEL_MODE)


def flatten(comment_lines):
    """A comment's words on one line, without the leading * or // of each line."""
    return " ".join(re.sub(r"^(/\*+|\*+(?!/)|//)", "", l.strip()).strip() for l in comment_lines)


def comment_above(lines, i):
    """The text of the comment whose last line is lines[i], or None."""
    if i < 0:
        return None
    line = lines[i].rstrip()
    if line.endswith("*/"):
        j = i
        while j >= 0 and "/*" not in lines[j]:
            j -= 1
        if j < 0:
            return None
        return flatten(lines[j:i + 1])
    if line.lstrip().startswith("//"):
        j = i
        while j > 0 and lines[j - 1].lstrip().startswith("//"):
            j -= 1
        return flatten(lines[j:i + 1])
    return None


def routine_name(signature):
    """The name of the routine a signature defines."""
    m = re.match(r"^[A-Z_][A-Z0-9_]*\((\w+)\)$", signature.strip())
    if m:
        return m.group(1)  # a routine defined through a macro: GA_HANDLER(name)
    for m in re.finditer(r"([A-Za-z_]\w*)\s*\(", signature):
        if m.group(1) not in NOT_NAMES:
            return m.group(1)
    return "?"


def signature_start(lines, brace):
    """Index of the first line of the signature that ends above lines[brace]."""
    i = brace - 1
    while i > 0:
        above = lines[i - 1].rstrip()
        if (not above.strip() or above.endswith((";", "}", "*/", "{")) or above.startswith("#")
                or above.lstrip().startswith("//")):
            break
        i -= 1
    return i


def check_file(path, kernel, problems):
    """Check one file's routines; returns how many routines it has."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    count = 0
    for n, line in enumerate(lines):
        if line.rstrip() != "{" or n == 0:
            continue
        start = signature_start(lines, n)
        signature = " ".join(l.strip() for l in lines[start:n])
        if "(" not in signature or "=" in signature.split("(")[0]:
            continue  # an initializer, not a routine
        count += 1
        name = routine_name(signature)
        where = "%s:%d: routine %s" % (path, start + 1, name)
        text = comment_above(lines, start - 1)
        if text is None:
            why = "blank line between it and its comment" if (
                start >= 2 and not lines[start - 1].strip() and comment_above(lines, start - 2)) \
                else "no comment directly above"
            problems.append("%s: %s (say what it is for)" % (where, why))
            continue
        words = re.sub(r"/\*+|\*+/|//|^\s*\*", " ", text).split()
        if len([w for w in words if w != name]) < 3:
            problems.append("%s: its comment is under three words (say what it is for)" % where)
        if kernel and not IRQL.search(text):
            problems.append("%s: kernel-mode routine whose comment states no IRQL "
                            "(\"IRQL: PASSIVE_LEVEL\", \"IRQL <= DISPATCH_LEVEL\", "
                            "\"IRQL: DIRQL\", \"IRQL: any\" ...)" % where)
    return count


def main(argv):
    """Check the files named on the command line."""
    count_only = "--count" in argv
    all_kernel = "--kernel" in argv
    files = [a for a in argv if not a.startswith("--")]
    problems = []
    total = 0
    for path in files:
        total += check_file(path, all_kernel or kernel_mode(path), problems)
    for p in problems:
        print(p)
    if count_only:
        bad = len({p.split(": ")[0] + p.split(": ")[1] for p in problems})
        print("%d routines, %d with a problem" % (total, bad))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
