#!/bin/sh
# Usage: tests/iso/run.sh ISO STAGE META OUT SCRATCH [CA_CERT]
# Checks the mastered ISO against the layout that packaging/drivers.json
# describes: exactly the expected files, the same bytes as the staging tree,
# the volume ID, no debug symbols, identical files stored once (size bound),
# data/info.json, and a bit-identical ISO when staged and mastered again in
# another directory.  A planted ISO missing one file must fail the layout
# comparison.
set -u
iso=$1
stage=$2
meta=$3
out=$4
scratch=$5
cert=${6:-}
python=${PYTHON:-/usr/bin/python3}
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

expected() {
	if [ -n "$cert" ]; then
		$python packaging/layout.py iso-files "$meta" --cert "$cert"
	else
		$python packaging/layout.py iso-files "$meta"
	fi
}
listing() { # files on an ISO, one relative path a line, sorted
	xorriso -indev "$1" -find / -type f 2>/dev/null | sed "s|^'/||; s|'\$||" | LC_ALL=C sort
}
same_layout() { # ISO: compare its file list with the metadata's
	expected | LC_ALL=C sort >"$scratch/expected.txt"
	listing "$1" >"$scratch/actual.txt"
	diff -u "$scratch/expected.txt" "$scratch/actual.txt" >"$scratch/layout.diff"
}

if same_layout "$iso"; then
	ok "layout: $(wc -l <"$scratch/expected.txt") files, exactly those of $meta"
else
	fail "layout differs from $meta:"
	cat "$scratch/layout.diff"
fi

mkdir -p "$scratch/extract"
xorriso -osirrox on -indev "$iso" -extract / "$scratch/extract" >/dev/null 2>&1
chmod -R u+w "$scratch/extract"
if diff -r "$stage" "$scratch/extract" >"$scratch/content.diff"; then
	ok "content: every file equals the staging tree"
else
	fail "content differs from the staging tree"
	head -n 20 "$scratch/content.diff"
fi

volid=$(xorriso -indev "$iso" -pvd_info 2>/dev/null | sed -n 's/^Volume Id *: *//p')
want=$(basename "$iso" .iso)
[ "$volid" = "$want" ] && ok "volume ID $volid" || fail "volume ID '$volid', want '$want'"

if grep -q -i '\.pdb$' "$scratch/actual.txt"; then fail "debug symbols on the ISO"; else ok "no .pdb on the ISO"; fi

# Identical files cost nothing: the ISO may exceed the unique content, in
# 2 KiB sectors, by 2 % plus 1 MiB of file-system structures.
unique=$(find "$stage" -type f -printf '%i %s\n' | sort -u -n |
	awk '{ s += int(($2 + 2047) / 2048) * 2048 } END { print s + 0 }')
size=$(stat -c %s "$iso")
limit=$(awk -v u="$unique" 'BEGIN { printf "%d", u * 1.02 + 1048576 }')
if [ "$size" -le "$limit" ]; then
	ok "size $size <= $limit (unique content $unique)"
else
	fail "size $size > $limit: duplicates are stored more than once"
fi

infs=$(grep -c -E '^[^/]+/[^/]+/[^/]+/[^/]+\.inf$' "$scratch/expected.txt")
entries=$($python -c 'import json,sys; d=json.load(open(sys.argv[1]))["drivers"]; \
assert all(sorted(e)==["arch","driver_version","inf_path","name","windows_version"] for e in d); \
print(len(d))' "$stage/data/info.json" 2>/dev/null || echo error)
[ "$entries" = "$infs" ] && ok "data/info.json lists all $infs INFs" ||
	fail "data/info.json: $entries entries for $infs INFs"

if [ -n "$cert" ]; then set -- --cert "$cert"; else set --; fi
if $python packaging/layout.py stage-iso "$meta" "$out" "$scratch/again/longer/stage" \
	--epoch "$SOURCE_DATE_EPOCH" --license LICENSE "$@" &&
	iso/master "$scratch/again/longer/stage" "$scratch/again.iso" "$want" &&
	cmp -s "$iso" "$scratch/again.iso"; then
	ok "ISO is bit-identical when staged and mastered again elsewhere"
else
	fail "ISO differs when staged and mastered again"
fi

# Planted: one file missing.
cp -a "$stage" "$scratch/planted"
victim=$(find "$scratch/planted" -name '*.cat' | sort | head -n 1)
rm -f "$victim"
iso/master "$scratch/planted" "$scratch/planted.iso" "$want"
if same_layout "$scratch/planted.iso"; then
	fail "planted: an ISO without $(basename "$victim") passed the layout test"
else
	ok "planted: an ISO missing a file is caught"
fi

finish
