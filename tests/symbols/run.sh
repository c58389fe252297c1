#!/bin/sh
# Usage: tests/symbols/run.sh TARBALL OUT SCRATCH
# Every driver image and user-mode DLL has its PDB in the symbols tarball, and each PDB is the
# one the image names: same file name, GUID and age in the image's CodeView
# debug entry as in the PDB (what WinDbg matches on).  A planted PDB of
# another image must be caught.
set -u
tarball=$(realpath "$1")
out=$2
scratch=$(realpath -m "$3")
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"
tar -C "$scratch" -xJf "$tarball"
root=$(find "$scratch" -mindepth 1 -maxdepth 1 -type d | head -n 1)

image_id() { # sys: "name GUID age" from its CodeView debug entry
	llvm-readobj-19 --coff-debug-directory "$1" |
		awk '/PDBGUID:/ { g = $2 } /PDBAge:/ { a = $2 } /PDBFileName:/ { n = $2 } END { print n, g, a }'
}
pdb_id() { # pdb: "name GUID age"
	llvm-pdbutil-19 dump --summary "$1" |
		awk -v n="$(basename "$1")" '/GUID:/ { g = $2 } /Age:/ { a = $2 } END { print n, g, a }'
}
matches() { [ "$(image_id "$1")" = "$(pdb_id "$2")" ]; }

# The linked images, out/<arch>/<driver>/<driver>.sys and the DLLs beside
# them (not the signed copies).
images=$(cd "$out" && find . -mindepth 3 -maxdepth 3 \( -name '*.sys' -o -name '*.dll' \) |
	sed 's|^\./||' | sort)
echo "$images" | grep -q '\.dll$' || fail "no user-mode DLL under $out"
for sys in $images; do
	pdb=$root/${sys%.*}.pdb
	if [ ! -f "$pdb" ]; then
		fail "$sys: no PDB in the tarball"
	elif matches "$out/$sys" "$pdb"; then
		ok "$sys: PDB matches ($(image_id "$out/$sys"))"
	else
		fail "$sys: image names '$(image_id "$out/$sys")', PDB is '$(pdb_id "$pdb")'"
	fi
done

first=$(echo "$images" | sed -n 1p)
other=$(echo "$images" | sed -n 2p)
if [ -n "$other" ] && matches "$out/$first" "$root/${other%.*}.pdb"; then
	fail "planted: the PDB of $other was accepted for $first"
else
	ok "planted: a PDB of another image is rejected"
fi
finish
