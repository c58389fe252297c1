#!/bin/sh
# Usage: tests/catalog/run.sh MKCAT SCRATCH OUT/<arch>/<driver>/<set>/<driver>.cat...
# Every catalog carries the attributes Inf2Cat writes, read back with
# sign/catdump.py: OSAttr 2:10.0; OS, the Inf2Cat names of the set's
# targets for the package's architecture (the table below, written here,
# not taken from sign/build.mk); HWID1..HWIDn, the hardware IDs of the INF's
# models sections in lower case, in order, each once (read from the INF by
# this test's own parser).  Planted: a catalog without the Inf2Cat
# attributes, and one carrying another package's hardware IDs, must fail.
set -u
mkcat=$1
scratch=$2
shift 2
python=${PYTHON:-/usr/bin/python3}
. tests/lib.sh
rm -rf "$scratch"
mkdir -p "$scratch"

expected_os() { # set arch
	case $1/$2 in
	w10/x86) echo _v100 ;;
	w10/amd64) echo _v100_X64,Server_v100_X64 ;;
	w10/arm64) echo _v100_ARM64 ;;
	w11/amd64) echo _v100_X64_21H2,Server_v100_X64_24H2 ;;
	w11/arm64) echo _v100_ARM64_21H2,Server_v100_ARM64_24H2 ;;
	*) echo "?" ;;
	esac
}
expected_attrs() { # inf set arch: the attribute lines catdump should print
	"$python" - "$1" "$(expected_os "$2" "$3")" <<'PY'
import sys
sections, cur = {}, None
for raw in open(sys.argv[1], encoding="utf-8-sig", errors="replace"):
    line = raw.split(";", 1)[0].strip()
    if line.startswith("[") and line.endswith("]"):
        cur = sections.setdefault(line[1:-1].strip().lower(), [])
    elif line and cur is not None:
        cur.append(line)
ids = []
for entry in sections.get("manufacturer", []):
    fields = [f.strip() for f in entry.split("=", 1)[1].split(",")]
    names = [fields[0] + "." + d for d in fields[1:]] or [fields[0]]
    for name in names:
        for model in sections.get(name.lower(), []):
            for hwid in [f.strip().lower() for f in model.split("=", 1)[1].split(",")[1:]]:
                if hwid and hwid not in ids:
                    ids.append(hwid)
attrs = {"OSAttr": "2:10.0", "OS": sys.argv[2]}
attrs.update(("HWID%d" % (i + 1), h) for i, h in enumerate(ids))
for name in sorted(attrs):
    print("attr %s=%s" % (name, attrs[name]))
PY
}
check_cat() { # cat inf set arch: catdump's attributes equal the expected ones
	expected_attrs "$2" "$3" "$4" >"$scratch/want"
	"$python" sign/catdump.py "$1" 2>&1 | grep -v '^member ' >"$scratch/got"
	diff -u "$scratch/want" "$scratch/got" >"$scratch/diff"
}

good=0
for cat in "$@"; do
	dir=$(dirname "$cat")
	set_=$(basename "$dir")
	arch=$(basename "$(dirname "$(dirname "$dir")")")
	inf=$dir/$(basename "$cat" .cat).inf
	if check_cat "$cat" "$inf" "$set_" "$arch"; then
		good=$((good + 1))
	else
		fail "$cat: attributes differ from Inf2Cat's:"
		cat "$scratch/diff"
	fi
done
[ "$good" -gt 0 ] && [ "$good" = $# ] && ok "all $good catalogs carry OS, OSAttr and HWID1..n as Inf2Cat writes them"
hwids=$(for cat in "$@"; do "$python" sign/catdump.py "$cat" | grep -c '^attr HWID'; done | awk '{ s += $1 } END { print s + 0 }')
echo "($hwids HWID attributes in $# catalogs)"

# Planted: a catalog without the Inf2Cat attributes (mkcat without --catos).
first=$1
dir=$(dirname "$first")
set_=$(basename "$dir")
arch=$(basename "$(dirname "$(dirname "$dir")")")
drv=$(basename "$first" .cat)
members=$(find "$dir" -maxdepth 1 -type f \( -name '*.sys' -o -name '*.dll' -o -name '*.exe' -o -name '*.inf' \) | LC_ALL=C sort)
"$mkcat" -o "$scratch/bare.cat" --os 2:10.0 --time "$SOURCE_DATE_EPOCH" $members
if check_cat "$scratch/bare.cat" "$dir/$drv.inf" "$set_" "$arch"; then
	fail "planted: a catalog without OS and HWID attributes passed"
else
	ok "planted: a catalog without OS and HWID attributes is caught"
fi
# Planted: another package's catalog checked against this INF.
other=$(for c in "$@"; do [ "$(basename "$c")" != "$(basename "$first")" ] && echo "$c"; done | head -n 1)
if check_cat "$other" "$dir/$drv.inf" "$set_" "$arch"; then
	fail "planted: $(basename "$other")'s hardware IDs passed for $drv.inf"
else
	ok "planted: a catalog with another package's hardware IDs is caught"
fi
# mkcat refuses OS names for another architecture than the INF's.
if "$mkcat" -o "$scratch/wrong.cat" --os 2:10.0 --catos _v100_ARM64_21H2 --time "$SOURCE_DATE_EPOCH" \
	$members 2>"$scratch/wrong.err" || [ "$arch" = arm64 ]; then
	[ "$arch" = arm64 ] && ok "(arm64 package: the wrong-architecture case does not apply)" ||
		fail "planted: mkcat accepted _v100_ARM64_21H2 for an $arch INF"
else
	ok "planted: mkcat refuses OS names of another architecture ($(cat "$scratch/wrong.err"))"
fi
finish
