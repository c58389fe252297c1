#!/bin/sh
# Usage: tests/constants/coverage.sh SRC_DIR [EXTRA_HEADER...]
# Coverage of the table: the object-like #defines with a literal value in
# the drivers' include tree (common/include/vw, plus any EXTRA_HEADER: the
# planted check adds one) and the harness's (tests/harness/include), each
# either pinned by table.h or listed in unpinned.txt with a reason.  Prints
# the counts, a FAIL line per constant neither pinned nor listed and per
# listed line that is pinned or defined nowhere, then "N passed, M failed".
set -u
src=$1
shift
here=$src/tests/constants
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The table's names in each tree, from the preprocessor.
cat >"$tmp/names.c" <<'EOC'
#define K(n, h, v)     D n H h
#define KD(n, v)       D n
#define KX(n, d, h, v) D d H h
#define KXD(n, d, v)   D d
#define KH(n, h, v)    H h
#include "table.h"
EOC
${CC:-cc} -E -P -I"$here" "$tmp/names.c" | tr -s ' \n' '\n\n' >"$tmp/words"
awk 'prev == "D" { print } { prev = $0 }' "$tmp/words" | sort -u >"$tmp/drivers"
awk 'prev == "H" { print } { prev = $0 }' "$tmp/words" | sort -u >"$tmp/harness"
# Object-like #defines whose value is a number (a cast or suffix allowed),
# or another name's value (VW_HID_CTL_CODE(0) and the like).
defines() {
	cat "$@" | sed -n -E 's/^[[:space:]]*#[[:space:]]*define[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)[[:space:]]+(\(*(\([A-Z_]+\))?[[:space:]]*-?(0x[0-9A-Fa-f]+|[0-9]+)[uUlL]*\)*|VW_HID_[A-Z_]*CTL_CODE\([0-9]+\))[[:space:]]*(\/\*.*)?$/\1/p' | sort -u
}
defines "$src"/common/include/vw/*.h "$@" >"$tmp/ddef"
defines "$src"/tests/harness/include/*.h >"$tmp/hdef"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/unpinned.txt" | awk '{ print $1 }' | sort >"$tmp/listed"
passed=0
failed=0
for side in drivers harness; do
	if [ $side = drivers ]; then def=$tmp/ddef; where=common/include/vw; else def=$tmp/hdef; where=tests/harness/include; fi
	total=$(wc -l <"$def")
	pinned=$(comm -12 "$def" "$tmp/$side" | wc -l)
	listed=$(comm -23 "$def" "$tmp/$side" | comm -12 - "$tmp/listed" | wc -l)
	echo "ok coverage $side ($where): $pinned of $total #defined constants pinned, $listed listed as not pinnable"
	for n in $(comm -23 "$def" "$tmp/$side" | comm -23 - "$tmp/listed"); do
		echo "FAIL $side: $n is #defined in $where but neither pinned nor in unpinned.txt"
		failed=$((failed + 1))
	done
done
sort -u "$tmp/ddef" "$tmp/hdef" >"$tmp/defined"
sort -u "$tmp/drivers" "$tmp/harness" >"$tmp/pinned"
for n in $(comm -12 "$tmp/listed" "$tmp/pinned"); do
	echo "FAIL unpinned.txt lists $n, which the table pins"
	failed=$((failed + 1))
done
for n in $(comm -23 "$tmp/listed" "$tmp/defined"); do
	echo "FAIL unpinned.txt lists $n, which no header #defines"
	failed=$((failed + 1))
done
[ "$failed" != 0 ] || passed=1
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
