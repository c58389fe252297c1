#!/bin/sh
# Usage: tests/iso/run.sh ISO STAGE META OUT SCRATCH [CA_CERT]
# Checks the mastered ISO against the list of paths written below (not
# derived from packaging/layout.py, so a wrong layout shows): exactly the
# expected files, the same bytes as the staging tree,
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

# Every file the ISO holds, one pattern a line ({a,b} alternatives; see
# tests/expand-patterns).  Upstream's layout: <Driver>/<os>/<arch>/, x86 only
# for w10, ARM64 for w10, w11 and 2k25; smbus for w11, 2k22 and 2k25;
# auto-detect directories (amd64/<os>, i386/w10, and ARM64/<os> as issue
# 14 asks) with the storage drivers only (viostor, vioscsi: NetKVM is not
# there, as upstream keeps it out); the guest agent's MSIs in guest-agent/ under
# upstream's names (qemu-ga-x86_64.msi, qemu-ga-i386.msi) plus ARM64's.
expected() {
	EXPAND_IF=${cert:+cert} "$python" tests/expand-patterns <<'LIST'
Balloon/{w10,2k16,2k19,2k22,w11,2k25}/amd64/balloon.{cat,inf,sys}
Balloon/{w10,w11,2k25}/ARM64/balloon.{cat,inf,sys}
Balloon/w10/x86/balloon.{cat,inf,sys}
fwcfg/{w10,2k16,2k19,2k22,w11,2k25}/amd64/fwcfg.{cat,inf,sys}
fwcfg/{w10,w11,2k25}/ARM64/fwcfg.{cat,inf,sys}
fwcfg/w10/x86/fwcfg.{cat,inf,sys}
ivshmem/{w10,2k16,2k19,2k22,w11,2k25}/amd64/ivshmem.{cat,inf,sys}
ivshmem/{w10,w11,2k25}/ARM64/ivshmem.{cat,inf,sys}
ivshmem/w10/x86/ivshmem.{cat,inf,sys}
pvpanic/{w10,2k16,2k19,2k22,w11,2k25}/amd64/pvpanic.{cat,inf,sys}
pvpanic/{w10,w11,2k25}/ARM64/pvpanic.{cat,inf,sys}
pvpanic/w10/x86/pvpanic.{cat,inf,sys}
vioinput/{w10,2k16,2k19,2k22,w11,2k25}/amd64/vioinput.{cat,inf,sys}
vioinput/{w10,w11,2k25}/ARM64/vioinput.{cat,inf,sys}
vioinput/w10/x86/vioinput.{cat,inf,sys}
viorng/{w10,2k16,2k19,2k22,w11,2k25}/amd64/viorng.{cat,inf,sys}
viorng/{w10,w11,2k25}/ARM64/viorng.{cat,inf,sys}
viorng/w10/x86/viorng.{cat,inf,sys}
viorng/{w10,2k16,2k19,2k22,w11,2k25}/amd64/viorngum.dll
viorng/{w10,w11,2k25}/ARM64/viorngum.dll
viorng/w10/x86/viorngum.dll
vioserial/{w10,2k16,2k19,2k22,w11,2k25}/amd64/vioser.{cat,inf,sys}
vioserial/{w10,w11,2k25}/ARM64/vioser.{cat,inf,sys}
vioserial/w10/x86/vioser.{cat,inf,sys}
viostor/{w10,2k16,2k19,2k22,w11,2k25}/amd64/viostor.{cat,inf,sys}
viostor/{w10,w11,2k25}/ARM64/viostor.{cat,inf,sys}
viostor/w10/x86/viostor.{cat,inf,sys}
vioscsi/{w10,2k16,2k19,2k22,w11,2k25}/amd64/vioscsi.{cat,inf,sys}
vioscsi/{w10,w11,2k25}/ARM64/vioscsi.{cat,inf,sys}
vioscsi/w10/x86/vioscsi.{cat,inf,sys}
NetKVM/{w10,2k16,2k19,2k22,w11,2k25}/amd64/netkvm.{cat,inf,sys}
NetKVM/{w10,w11,2k25}/ARM64/netkvm.{cat,inf,sys}
NetKVM/w10/x86/netkvm.{cat,inf,sys}
amd64/{w10,2k16,2k19,2k22,w11,2k25}/{viostor,vioscsi}.{cat,inf,sys}
ARM64/{w10,w11,2k25}/{viostor,vioscsi}.{cat,inf,sys}
i386/w10/{viostor,vioscsi}.{cat,inf,sys}
qemufwcfg/{w10,2k16,2k19,2k22,w11,2k25}/amd64/qemufwcfg.{cat,inf}
qemufwcfg/w10/x86/qemufwcfg.{cat,inf}
qemupciserial/{w10,2k16,2k19,2k22,w11,2k25}/amd64/qemupciserial.{cat,inf}
qemupciserial/w10/x86/qemupciserial.{cat,inf}
smbus/{w11,2k22,2k25}/amd64/smbus.{cat,inf}
virtio-win-gt-{x64,x86,arm64}.msi
virtio-win-guest-tools.exe
guest-agent/qemu-ga-{x86_64,i386,aarch64}.msi
data/info.json
virtio-win_license.txt
if:cert cert/virtio-win-test-ca.cer
LIST
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
	ok "layout: $(wc -l <"$scratch/expected.txt") files, exactly those the list in this test names"
else
	fail "layout differs from the list in this test:"
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

# Planted: metadata with a wrong directory name (Balloon in lower case, as a
# layout bug would write it) must fail the written list.
"$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))
for d in m["drivers"]:
    if d["iso_dir"] == "Balloon":
        d["iso_dir"] = "balloon"
json.dump(m, open(sys.argv[2], "w"))' "$meta" "$scratch/wrong.json"
if [ -n "$cert" ]; then set -- --cert "$cert"; else set --; fi
"$python" packaging/layout.py stage-iso "$scratch/wrong.json" "$out" "$scratch/wrong-stage" \
	--epoch "$SOURCE_DATE_EPOCH" --license LICENSE "$@" &&
	iso/master "$scratch/wrong-stage" "$scratch/wrong.iso" "$want"
if same_layout "$scratch/wrong.iso"; then
	fail "planted: an ISO with balloon/ instead of Balloon/ passed"
else
	ok "planted: an ISO with a wrongly named driver directory is caught"
fi

finish
