#!/bin/sh
# Usage: tests/style/run.sh
# check-style: every routine of the product's C has a comment directly above
# it saying what it is for, with its IRQL in kernel-mode code
# (tests/style/routines.py), and no file names a path of one build machine
# (tests/style/paths.py).  Each rule has a planted file that must fail.
set -u
. tests/lib.sh

# The tree: one line per file with a finding, so the count says how much.
out=$(tests/style/routines.py --count $(tests/style/sources c))
rc=$?
printf '%s\n' "$out" | grep -v ' routines, ' | sed 's/^/  /'
counts=$(printf '%s\n' "$out" | tail -n 1)
if [ $rc = 0 ]; then
	ok "routines: every routine of the product's C says what it is for ($counts)"
else
	fail "routines: $counts (the lines above: add the comment; README.md, Style)"
fi
out=$(tests/style/paths.py $(tests/style/sources text))
if [ $? = 0 ]; then
	ok "paths: no file names a path of one build machine"
else
	printf '%s\n' "$out" | sed 's/^/  /'
	fail "paths: machine paths in the tree (the lines above)"
fi

# Planted files: each must fail for its own reason, the good one pass.
planted() { # file reason-pattern what
	out=$(tests/style/routines.py --kernel "tests/style/planted/$1" 2>&1)
	if [ $? != 0 ] && printf '%s\n' "$out" | grep -q "$2"; then
		ok "planted: $3 is reported"
	else
		fail "planted: $3 passed the check (or failed for another reason): $out"
	fi
}
planted no_comment.c 'routine planted_question: no comment directly above' 'a routine with no comment'
planted no_irql.c 'routine planted_widgets: kernel-mode routine whose comment states no IRQL' \
	'a kernel routine whose comment has no IRQL'
planted blank_line.c 'routine planted_gadgets: blank line between it and its comment' \
	'a comment separated from its routine by a blank line'
planted short_comment.c 'routine planted_count: its comment is under three words' \
	'a comment that only restates the name'
if tests/style/routines.py --kernel tests/style/planted/good.c >/dev/null; then
	ok "planted: routines that follow the rule pass"
else
	fail "planted: routines that follow the rule were reported"
fi
# (the expected paths are assembled here so that this file names none)
work=/wo''rk tmp=/t''mp
out=$(tests/style/paths.py tests/style/planted/machine_path.md)
if [ $? != 0 ] && printf '%s\n' "$out" | grep -q "machine_path.md:2: machine path $work/wt" &&
	printf '%s\n' "$out" | grep -q "machine path $tmp/log.txt"; then
	ok "planted: a README naming a work folder and a fixed /tmp file is reported"
else
	fail "planted: machine paths passed the check: $out"
fi
finish
